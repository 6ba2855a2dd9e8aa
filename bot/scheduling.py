"""The scheduler (APScheduler 3.11): it only wakes the sender and runs scans; the database says what
must be sent and when.

Why it holds nothing else: a job running when the process dies is gone, two schedulers on one job store
run jobs twice, and a job due while the bot was down is skipped by APScheduler's default 1 s
`misfire_grace_time`. So every job here is safe to run twice, late or never: missing a wake costs a few
seconds (the next tick), missing a prune costs disk until the next hour. Each job has an explicit id and
`replace_existing=True` (adding it again replaces it instead of piling up copies); `coalesce=True` runs a
job once, not once per missed time, after the loop was busy; `misfire_grace_time=None` runs it however
late (a late wake is still worth having); `max_instances=1` keeps a slow prune from overlapping itself.
The job store is in memory: the jobs are declared here at every start, nothing is remembered.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.sender import Sender

logger = logging.getLogger(__name__)

WAKE_JOB = "outbox-wake"
RELEASE_LEASES_JOB = "outbox-release-leases"
PRUNE_JOB = "outbox-prune"
SCAN_JOB_PREFIX = "scan-"
RELEASE_LEASES_EVERY = timedelta(minutes=1)
PRUNE_EVERY = timedelta(hours=1)

JOB_DEFAULTS: dict[str, Any] = {"coalesce": True, "misfire_grace_time": None, "max_instances": 1}


def build_scheduler(
    sender: Sender,
    *,
    wake_every: float,
    keep_sent: timedelta,
    scans: Mapping[str, tuple[Callable[[], Awaitable[object]], timedelta]] | None = None,
) -> AsyncIOScheduler:
    """The bot's scheduler, its jobs declared; `start()` it inside the running event loop. `scans`:
    the features' periodic use cases by name (safe to run twice, like the rest), and how often."""
    scheduler = AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)

    # Coroutine functions: the asyncio executor runs them on the loop (a plain function would run in
    # a thread, where waking the sender's asyncio.Event is not safe).
    async def wake() -> None:
        sender.wake()

    async def release_leases() -> None:
        released = await sender.release_expired_leases()
        if released:
            logger.warning("%d outbox message(s) held by a sender that stopped are pending again", released)

    async def prune() -> None:
        pruned = await sender.prune(keep_sent)
        if pruned:
            logger.info("Pruned %d sent or dropped message(s) from the outbox", pruned)

    for job, every, job_id in (
        (wake, timedelta(seconds=wake_every), WAKE_JOB),
        (release_leases, RELEASE_LEASES_EVERY, RELEASE_LEASES_JOB),
        (prune, PRUNE_EVERY, PRUNE_JOB),
    ):
        trigger = IntervalTrigger(seconds=every.total_seconds())
        scheduler.add_job(job, trigger, id=job_id, replace_existing=True, **JOB_DEFAULTS)
    for name, (scan, every) in (scans or {}).items():
        trigger = IntervalTrigger(seconds=every.total_seconds())
        # A scan also runs once at start-up: what fell due while the bot was down is dealt with then.
        scheduler.add_job(
            scan,
            trigger,
            id=SCAN_JOB_PREFIX + name,
            replace_existing=True,
            next_run_time=datetime.now(UTC),
            **JOB_DEFAULTS,
        )
    return scheduler
