"""What the simulated users do, shared by every scenario so that the pairs compare like with like.

Each user goes through the whole Kazakh onboarding (/start, language, consent, role, region) and then
opens the menu and the help a few times. The echo baseline's users send the same number of text
messages (the button labels as text: a bare echo bot has no buttons).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bench.report import BenchmarkError
from bot.views.onboarding import ConsentCallback, LanguageCallback, RegionCallback, RoleCallback

FIRST_USER_ID = 700_000_001
WARMUP_USER_ID = 600_000_001  # a few users go through the script before the clock starts
WARMUP_USERS = 2
NAMES = ("Айгерім", "Ерлан", "Дана", "Нұрлан", "Әсел", "Бауыржан", "Мадина", "Тимур")


@dataclass(frozen=True, slots=True)
class Step:
    """One update: a text message, or a press of the inline button with this label and data."""

    kind: Literal["text", "press"]
    text: str
    data: str = ""


ONBOARDING: tuple[Step, ...] = (
    Step("text", "/start"),
    Step("press", "Қазақша", LanguageCallback(code="kk").pack()),
    Step("press", "✅ Келісемін", ConsentCallback(agree=True).pack()),
    Step("press", "Ерікті", RoleCallback(role="volunteer").pack()),
    Step("press", "Ақтөбе облысы", RegionCallback(code="aktobe").pack()),
)
AFTERWARDS: tuple[Step, ...] = (Step("text", "/menu"), Step("text", "/help"), Step("text", "/menu"))
REAL_SCRIPT: tuple[Step, ...] = ONBOARDING + AFTERWARDS
ECHO_SCRIPT: tuple[Step, ...] = tuple(Step("text", step.text) for step in REAL_SCRIPT)
UPDATES_PER_USER = len(REAL_SCRIPT)
RUN_TIMEOUT = 600.0  # a whole timed run; a bot this slow fails rather than holding the machine


@dataclass(frozen=True, slots=True)
class Workload:
    users: int
    concurrency: int
    first_user_id: int = FIRST_USER_ID

    @classmethod
    def for_updates(cls, updates: int, concurrency: int) -> Workload:
        users = max(1, math.ceil(updates / UPDATES_PER_USER))
        return cls(users=users, concurrency=max(1, min(concurrency, users)))

    @property
    def updates(self) -> int:
        return self.users * UPDATES_PER_USER

    def user_ids(self) -> range:
        return range(self.first_user_id, self.first_user_id + self.users)

    @staticmethod
    def warmup() -> Workload:
        """Users who run the script first, so that first-call costs (imports, caches) stay off the clock."""
        return Workload(users=WARMUP_USERS, concurrency=WARMUP_USERS, first_user_id=WARMUP_USER_ID)


def name_of(user_id: int) -> str:
    return NAMES[user_id % len(NAMES)]


@dataclass
class Timings:
    """Wall-clock time of a run and the latency of each update in it (seconds)."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)


async def run_users(
    workload: Workload,
    script: Sequence[Step],
    play: Callable[[int, Step], Awaitable[None]],
    *,
    timings: Timings,
) -> None:
    """Every user plays `script` in order; up to `concurrency` users at a time, as Telegram delivers:
    different users in parallel, one user's updates one after the other."""
    queue = iter(workload.user_ids())

    async def worker() -> None:
        for user_id in queue:  # shared iterator: each user is taken by exactly one worker
            for step in script:
                started = time.perf_counter()
                await play(user_id, step)
                timings.latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    try:
        async with asyncio.timeout(RUN_TIMEOUT), asyncio.TaskGroup() as group:
            for _ in range(workload.concurrency):
                group.create_task(worker())
    except* BenchmarkError as failures:
        raise failures.exceptions[0] from None
    except* TimeoutError:
        raise BenchmarkError(f"the run took more than {RUN_TIMEOUT:.0f} s") from None
    timings.seconds = time.perf_counter() - started
