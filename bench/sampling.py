"""A small sampling profiler for the event loop's thread: where an asyncio program spends its CPU.

cProfile counts every resumption of a coroutine as a call and adds suspended time to the callers'
totals, which makes its cumulative column meaningless for async code. Here a CPU-time timer
(ITIMER_PROF) interrupts the process every millisecond of CPU it uses, and the signal handler, which
runs in the main thread, records the stack there: for each function, the share of samples in which it
was on the stack (inclusive) or at the top (self). Samples that find the loop waiting in `select` are
CPU used by other threads (aiosqlite's, here) meanwhile. SQLAlchemy's async layer runs its sync core
in greenlets: their stacks are joined to the coroutine that spawned them. Unix only.
"""

from __future__ import annotations

import importlib
import signal
from collections import Counter
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WAITING = "(loop waiting in select: CPU used by other threads)"

try:
    _greenlet: Any = importlib.import_module("greenlet")
except ImportError:  # pragma: no cover - SQLAlchemy's asyncio extra brings it
    _greenlet = None


def _where(frame: FrameType) -> str:
    path = frame.f_code.co_filename
    marker = "site-packages/"
    if marker in path:
        path = path.split(marker, 1)[1]
    elif path.startswith(str(ROOT)):
        path = path[len(str(ROOT)) + 1 :]
    elif "/lib/python3" in path:
        path = "stdlib/" + path.split("/lib/python3", 1)[1].split("/", 1)[1]
    return f"{path}:{frame.f_code.co_name}"


class Sampler:
    """Samples the main thread's stack every `interval` s of process CPU time, inside a `with` block."""

    def __init__(self, interval: float = 0.001) -> None:
        self.interval = interval
        self.samples = 0
        self.inclusive: Counter[str] = Counter()
        self.own: Counter[str] = Counter()
        self._previous: Any = None

    def __enter__(self) -> Sampler:
        self._previous = signal.signal(signal.SIGPROF, self._sample)
        signal.setitimer(signal.ITIMER_PROF, self.interval, self.interval)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
        signal.signal(signal.SIGPROF, self._previous)

    def reset(self) -> None:
        """Forget the samples so far (to leave out start-up)."""
        self.samples = 0
        self.inclusive.clear()
        self.own.clear()

    def _sample(self, signum: int, frame: FrameType | None) -> None:
        if frame is None:
            return
        stack: list[str] = []
        current: FrameType | None = frame
        runner = _greenlet.getcurrent() if _greenlet is not None else None
        while True:
            while current is not None:
                stack.append(_where(current))
                current = current.f_back
            # Inside a greenlet: carry on in the (suspended) greenlet that switched into it.
            if runner is None or runner.parent is None:
                break
            runner = runner.parent
            current = runner.gr_frame
        self.samples += 1
        leaf = stack[0]
        if leaf.endswith(("selectors.py:select", "selectors.py:poll")):
            self.own[WAITING] += 1
            self.inclusive[WAITING] += 1
            return
        self.own[leaf] += 1
        for where in set(stack):
            self.inclusive[where] += 1

    def report(self, top: int = 25, project: tuple[str, ...] = ("bot/", "handlers/", "storage/")) -> str:
        """Shares of the samples: the project's functions on the stack (inclusive), every function on the
        stack, and the tops of the stack (self)."""
        if not self.samples:
            return "no samples"

        def share(count: int) -> str:
            return f"{count / self.samples:6.1%}"

        lines = [
            f"{self.samples} samples of process CPU time; the loop was waiting in select (other threads, "
            f"i.e. aiosqlite's, using the CPU) in {share(self.inclusive[WAITING])}"
        ]
        everything = [(where, count) for where, count in self.inclusive.most_common() if where != WAITING]
        ours = [(where, count) for where, count in everything if where.startswith(project)]
        for title, chosen in (
            ("project functions on the stack (inclusive):", ours),
            ("any function on the stack (inclusive):", everything),
        ):
            lines.append(title)
            lines += [f"  {share(count)}  {where}" for where, count in chosen[:top]]
        lines.append("at the top of the stack (self):")
        lines += [f"  {share(count)}  {where}" for where, count in self.own.most_common(top)]
        return "\n".join(lines)
