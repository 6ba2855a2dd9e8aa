"""Registrations per second through the service layer (`EventService.register`), on a real SQLite file
(and on PostgreSQL with `--postgres`), and the figures of the no-overbooking test.

    python -m bench.registrations            # SQLite; about 15 s here
    python -m bench.registrations --quick    # fewer registrations, for the test suite
    python -m bench.registrations --postgres # also PostgreSQL at 127.0.0.1:5432 (a database of its own)

Scenarios, each on a fresh migrated database:
- one at a time: volunteers register one after another for an event with room for all (the latency of
  one use case, with nothing in line);
- 100 at a time: the same, 100 volunteers tapping at once (throughput with the writer busy);
- rush: 1,000 volunteers at once for 50 seats (the test's shape): 50 registered, 950 waitlisted.
Every run is checked (seats taken equal the registrations' seats, within capacity; waitlist numbers
1..N in arrival order) before its figures are printed; a failed check exits 1.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.services.events import EventDraft, EventService
from storage.database import Database
from storage.migrate import upgrade

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
ADMIN = 1
POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432"


@dataclass(frozen=True, slots=True)
class Figures:
    scenario: str
    registrations: int
    seconds: float
    p50_ms: float
    p95_ms: float
    registered: int
    waitlisted: int

    def line(self) -> str:
        return (
            f"{self.scenario:<28} {self.registrations:>6} {self.registrations / self.seconds:>10.0f} "
            f"{self.p50_ms:>8.1f} {self.p95_ms:>8.1f} {self.registered:>6} {self.waitlisted:>6}"
        )


class CheckFailedError(RuntimeError):
    pass


def _draft(capacity: int | None) -> EventDraft:
    return EventDraft(
        title_kk="Сенбілік",
        category="cleanup",
        region="almaty",
        city="Алматы",
        address="Бас ботаникалық бақ",
        starts_at=NOW + timedelta(days=3),
        ends_at=NOW + timedelta(days=3, hours=3),
        contact="+77010000001",
        capacity=capacity,
    )


async def _scenario(database: Database, name: str, users: int, at_once: int, capacity: int | None) -> Figures:
    events = EventService(database, ManualClock(NOW), admin_ids={ADMIN})
    event = await events.create(ADMIN, _draft(capacity))
    await events.publish(ADMIN, event.id)
    latencies: list[float] = []
    gate = asyncio.Semaphore(at_once)

    async def one(user_id: int) -> None:
        async with gate:
            started = time.perf_counter()
            await events.register(user_id, event.id)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    if at_once == 1:
        for n in range(users):
            await one(10_000 + n)
    else:
        await asyncio.gather(*(one(10_000 + n) for n in range(users)))
    seconds = time.perf_counter() - started
    registered, waitlisted = await _check(database, event.id, capacity, users)
    latencies.sort()
    return Figures(
        name,
        users,
        seconds,
        statistics.median(latencies) * 1000,
        latencies[int(len(latencies) * 0.95) - 1] * 1000,
        registered,
        waitlisted,
    )


async def _check(database: Database, event_id: int, capacity: int | None, users: int) -> tuple[int, int]:
    async with database.reading() as uow:
        taken, rows = await uow.events.seat_ledger(event_id)
    registered = [seats for status, seats, _ in rows if status == "registered"]
    numbers = [number for status, _, number in rows if status == "waitlisted"]
    if len(rows) != users:
        raise CheckFailedError(f"{len(rows)} registrations for {users} volunteers")
    if taken != sum(registered) or (capacity is not None and taken > capacity):
        raise CheckFailedError(f"{taken} seats counted, {sum(registered)} held, capacity {capacity}")
    if numbers != list(range(1, len(numbers) + 1)):
        raise CheckFailedError("waitlist numbers out of arrival order or with gaps")
    if capacity is not None and len(registered) != min(capacity, users):
        raise CheckFailedError(f"{len(registered)} registered for {capacity} seats")
    return len(registered), len(numbers)


async def _run_all(
    database_for: Callable[[], Awaitable[tuple[Database, Callable[[], Awaitable[None]]]]], quick: bool
) -> list[Figures]:
    scale = 10 if quick else 1
    plan = [
        ("one at a time", 2000 // scale, 1, None),
        ("100 at a time", 5000 // scale, 100, None),
        ("rush: 1,000 for 50 seats", 1000, 1000, 50),
    ]
    results = []
    for name, users, at_once, capacity in plan:
        database, cleanup = await database_for()
        try:
            results.append(await _scenario(database, name, users, at_once, capacity))
        finally:
            await database.dispose()
            await cleanup()
    return results


def _sqlite(folder: Path) -> Callable[[], Awaitable[tuple[Database, Callable[[], Awaitable[None]]]]]:
    async def make() -> tuple[Database, Callable[[], Awaitable[None]]]:
        url = f"sqlite+aiosqlite:///{folder / f'{uuid.uuid4().hex}.sqlite3'}"
        await asyncio.to_thread(upgrade, url)

        async def nothing() -> None:
            return None

        return Database(url), nothing

    return make


def _postgres(pool_size: int) -> Callable[[], Awaitable[tuple[Database, Callable[[], Awaitable[None]]]]]:
    import asyncpg  # type: ignore[import-untyped]  # only with --postgres

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(f"{POSTGRES_SERVER}/test", timeout=3)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def make() -> tuple[Database, Callable[[], Awaitable[None]]]:
        name = f"belsendi_bench_{uuid.uuid4().hex[:12]}"
        await admin(f'CREATE DATABASE "{name}"')
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
        await asyncio.to_thread(upgrade, url)

        async def drop() -> None:
            await admin(f'DROP DATABASE "{name}" WITH (FORCE)')

        return Database(url, pool_size=pool_size), drop

    return make


HEADER = f"{'scenario':<28} {'regs':>6} {'regs/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'seated':>6} {'line':>6}"


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.registrations", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of the registrations (rush unchanged)")
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL at 127.0.0.1:5432")
    parser.add_argument("--pool", type=int, default=40, help="PostgreSQL connections (default 40)")
    options = parser.parse_args(argv)
    runs: list[tuple[str, Callable[[], Awaitable[tuple[Database, Callable[[], Awaitable[None]]]]]]] = []
    with tempfile.TemporaryDirectory(prefix="belsendi-bench-") as folder:
        runs.append(("SQLite (one writer, WAL)", _sqlite(Path(folder))))
        if options.postgres:
            runs.append((f"PostgreSQL ({options.pool} connections)", _postgres(options.pool)))
        for title, database_for in runs:
            print(f"\n{title}\n{HEADER}")
            try:
                for figures in await _run_all(database_for, options.quick):
                    print(figures.line(), flush=True)
            except CheckFailedError as error:
                print(f"FAILED: {error}")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
