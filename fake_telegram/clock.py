"""The fake's notion of "now": message dates, edit dates, callback query age and rate-limit windows."""

from __future__ import annotations

import time

__all__ = ["Clock"]


class Clock:
    """Real time by default; a driver may move it forward, jump to a later date, or freeze it.

    It never goes back: Telegram's dates only grow, and the rate-limit windows assume so. Between moves
    it follows the machine's monotonic clock, so a change of the system time does not disturb it.
    Waiting (long polls, webhook retries) stays in real time: moving the clock does not wake anyone.
    """

    def __init__(self, start: float | None = None, *, frozen: bool = False) -> None:
        self._base_wall = time.time() if start is None else start
        self._base_monotonic = time.monotonic()
        self._offset = 0.0
        self._frozen_at: float | None = self._base_wall if frozen else None

    def now(self) -> float:
        """Unix time in seconds, with fractions."""
        if self._frozen_at is not None:
            return self._frozen_at
        return self._base_wall + (time.monotonic() - self._base_monotonic) + self._offset

    def timestamp(self) -> int:
        """Unix time in whole seconds, the unit of Telegram's dates."""
        return int(self.now())

    @property
    def frozen(self) -> bool:
        """Whether time stands still until the next :meth:`advance` or :meth:`set`."""
        return self._frozen_at is not None

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` (not negative); returns the new now."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        if self._frozen_at is not None:
            self._frozen_at += seconds
        else:
            self._offset += seconds
        return self.now()

    def set(self, timestamp: float) -> float:
        """Jump to ``timestamp`` (Unix seconds, not before now); returns the new now."""
        return self.advance(timestamp - self.now())

    def freeze(self) -> None:
        """Stop time at the current moment."""
        if self._frozen_at is None:
            self._frozen_at = self.now()

    def resume(self) -> None:
        """Let time run again from where it stands."""
        if self._frozen_at is not None:
            frozen_at, self._frozen_at = self._frozen_at, None
            self._offset += frozen_at - self.now()

    def to_json(self) -> dict[str, object]:
        """For the control API."""
        return {"now": self.now(), "timestamp": self.timestamp(), "frozen": self.frozen}
