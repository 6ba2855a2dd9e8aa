"""The poller's heartbeat: a file whose modification time says when Telegram last answered.

In polling mode there is no port to probe, so `python -m bot healthcheck` (the container's health check)
reads the age of this file instead: the poller touches it after every successful round trip.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

logger = logging.getLogger(__name__)


def touch_heartbeat(path: Path) -> None:
    """Record that the poller is alive now: set `path`'s modification time, creating it (and its folder).

    Raises OSError when the file cannot be written; the caller decides whether that matters.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def heartbeat_age(path: Path) -> float | None:
    """Seconds since the last heartbeat, or None when there has been none."""
    try:
        modified = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return max(0.0, time.time() - modified)


class Heartbeat:
    """What the poller calls after each round trip: touches the file at most every `every` seconds."""

    def __init__(self, path: Path, every: float = 5.0) -> None:
        self.path = path
        self.every = every
        self._last: float | None = None
        self._warned = False

    def __call__(self) -> None:
        now = time.monotonic()
        if self._last is not None and now - self._last < self.every:
            return
        self._last = now
        try:
            touch_heartbeat(self.path)
        except OSError as error:
            if not self._warned:  # once: the health check will say the rest
                self._warned = True
                logger.warning("Cannot write the heartbeat file %s: %s", self.path, error)
