"""Bulk import of events (issue 8): `python -m bot events import FILE`, CSV or JSON, one transaction,
idempotent on external_id, every bad row reported with its line, field and reason, and nothing
imported then."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.__main__ import main
from bot.clock import ManualClock
from bot.services.event_import import COLUMNS, EventImporter, ImportRejectedError, RowProblem
from bot.services.events import EventService, Period
from storage.database import Database
from tests.events_support import ADMIN

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
ALMATY = ZoneInfo("Asia/Almaty")
ORGANIZER = 501
VOLUNTEER = 502


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    async with database.transaction() as uow:
        await uow.users.add(ORGANIZER, now=NOW, consent_at=NOW, role="organizer", region="aktobe")
        await uow.users.add(VOLUNTEER, now=NOW, consent_at=NOW, role="volunteer", region="aktobe")
    yield database
    await database.dispose()


@pytest.fixture
def events(db: Database) -> EventService:
    return EventService(db, ManualClock(NOW), admin_ids={ADMIN})


@pytest.fixture
def importer(events: EventService) -> EventImporter:
    return EventImporter(events, ALMATY)


def row(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "external_id": "aktobe-2026-12-05",
        "title_kk": "Елек өзенінің жағасын тазалау",
        "title_ru": "Уборка берега реки Илек",
        "description_kk": "",
        "description_ru": "Перчатки и мешки дадим.\nВстречаемся у моста, в 10:00",
        "category": "cleanup",
        "region": "aktobe",
        "city": "Ақтөбе",
        "address": "Елек өзенінің жағасы, көпір жанында",
        "latitude": "50.2839",
        "longitude": "57.1670",
        "starts_at": "2026-12-05T10:00",
        "ends_at": "2026-12-05T13:00",
        "capacity": "40",
        "registration_deadline": "",
        "cancel_cutoff_hours": "12",
        "contact": "+77011234567",
        "organizer_telegram_id": str(ORGANIZER),
        "status": "published",
    }
    values.update(changes)
    return values


def write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(("\ufeff" + buffer.getvalue()).encode())  # with a BOM, as Excel writes it
    return path


async def published(events: EventService) -> list[tuple[str | None, str | None]]:
    page = await events.upcoming(None, Period.ALL)
    return [(event.external_id, event.title_ru) for event in page.events]


async def test_a_good_csv_file_is_imported_with_almaty_times(
    importer: EventImporter, events: EventService, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "events.csv",
        [
            row(),
            row(
                external_id="aktobe-2026-12-12",
                title_ru="",
                category="tree_planting",
                latitude="",
                longitude="",
                capacity="",
                starts_at="2026-12-12T09:30:00+05:00",
                ends_at="2026-12-12T12:00:00+05:00",
                organizer_telegram_id=str(ADMIN),
                status="",
            ),
        ],
    )
    report = await importer.import_file(path)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    async with events.database.reading() as uow:
        first = await uow.events.by_external_id("aktobe-2026-12-05")
        second = await uow.events.by_external_id("aktobe-2026-12-12")
    assert first is not None
    assert second is not None
    assert first.starts_at == datetime(2026, 12, 5, 5, 0, tzinfo=UTC)  # 10:00 in Almaty
    assert first.registration_deadline == first.starts_at
    assert (first.status, first.capacity, first.organizer_id) == ("published", 40, ORGANIZER)
    assert first.description_ru == "Перчатки и мешки дадим.\nВстречаемся у моста, в 10:00"
    assert (first.latitude, first.longitude, first.cancellation_cutoff_hours) == (50.2839, 57.167, 12)
    assert (second.status, second.capacity, second.title_ru, second.latitude) == ("draft", None, None, None)
    assert second.starts_at == datetime(2026, 12, 12, 4, 30, tzinfo=UTC)


async def test_importing_again_updates_and_never_duplicates(
    importer: EventImporter, events: EventService, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "events.csv", [row(), row(external_id="second", title_ru="Второе")])
    await importer.import_file(path)
    again = await importer.import_file(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    write_csv(path, [row(title_ru="Уборка берега Илека"), row(external_id="second", title_ru="Второе")])
    changed = await importer.import_file(path)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert await published(events) == [("aktobe-2026-12-05", "Уборка берега Илека"), ("second", "Второе")]

    # Once the events have begun, the same file is still accepted: they are left as they are.
    assert isinstance(events.clock, ManualClock)
    events.clock.advance(timedelta(days=20))
    late = await importer.import_file(path)
    assert (late.created, late.updated, late.unchanged) == (0, 0, 2)


async def test_one_bad_row_imports_nothing_and_every_problem_is_reported(
    importer: EventImporter, events: EventService, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "events.csv",
        [
            row(),  # lines 2-3: good (its description holds a line break)
            row(external_id="b1", starts_at="завтра", capacity="0"),  # line 4
            row(external_id="b2", category="party"),  # line 6
            row(external_id="b3", ends_at="2026-12-05T09:00"),  # line 8
            row(external_id="b4", organizer_telegram_id=str(VOLUNTEER)),  # line 10
            row(),  # line 12: the first row's id again
            row(external_id="b5", title_kk="", title_ru="", description_ru="no line break"),  # line 14
        ],
    )
    with pytest.raises(ImportRejectedError) as rejected:
        await importer.import_file(path)
    assert rejected.value.problems == [
        RowProblem(4, "starts_at", "not a date and time (ISO 8601, e.g. 2026-12-05T10:00)"),
        RowProblem(4, "capacity", "must be 1–10000, or empty for no limit"),
        RowProblem(6, "category", "not one of: cleanup, tree_planting, recycling, eco_lesson, other"),
        RowProblem(8, "ends_at", "not after starts_at"),
        RowProblem(10, "organizer_telegram_id", "not an approved organizer or an admin"),
        RowProblem(12, "external_id", "repeats line 2"),
        RowProblem(14, "title_kk", "a title is needed in Kazakh or in Russian (title_kk or title_ru)"),
    ]
    assert await published(events) == []  # not even the good row


async def test_a_json_file_is_imported_and_its_bad_rows_are_reported_by_line(
    importer: EventImporter, events: EventService, tmp_path: Path
) -> None:
    good = {**row(), "latitude": 50.2839, "longitude": 57.167, "capacity": 40, "description_kk": None}
    path = tmp_path / "events.json"
    path.write_text(json.dumps([good, {**good, "external_id": "j2", "capacity": 10**6}], indent=2))
    with pytest.raises(ImportRejectedError) as rejected:
        await importer.import_file(path)
    second_line = path.read_text().splitlines().index("  {", 2) + 1
    assert rejected.value.problems == [
        RowProblem(second_line, "capacity", "must be 1–10000, or empty for no limit")
    ]

    path.write_text(json.dumps([good, {**good, "external_id": "j2", "title_ru": "Второе"}], indent=2))
    report = await importer.import_file(path)
    assert report.created == 2
    assert [external_id for external_id, _ in await published(events)] == ["aktobe-2026-12-05", "j2"]


async def test_unknown_columns_and_formats_are_refused(importer: EventImporter, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "events.csv", [{**row(), "colour": "green"}])
    with pytest.raises(ImportRejectedError) as rejected:
        await importer.import_file(path)
    assert rejected.value.problems == [RowProblem(1, "colour", "unknown column")]
    other = tmp_path / "events.xlsx"
    other.write_bytes(b"PK")
    with pytest.raises(ImportRejectedError) as rejected:
        await importer.import_file(other)
    assert str(rejected.value.problems[0]) == "unknown format: the file must end in .csv or .json"
    broken = tmp_path / "events.json"
    broken.write_text('[\n  {"external_id": "x",\n  }\n]')
    with pytest.raises(ImportRejectedError) as rejected:
        await importer.import_file(broken)
    assert rejected.value.problems[0].line == 3


async def test_an_import_does_not_move_an_event_people_registered_for(
    importer: EventImporter, events: EventService, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "events.csv", [row()])
    await importer.import_file(path)
    async with events.database.reading() as uow:
        event = await uow.events.by_external_id("aktobe-2026-12-05")
    assert event is not None
    await events.register(VOLUNTEER, event.id)
    write_csv(path, [row(starts_at="2026-12-06T10:00", ends_at="2026-12-06T13:00")])
    with pytest.raises(ImportRejectedError) as rejected:
        await importer.import_file(path)
    assert rejected.value.problems == [
        RowProblem(2, "starts_at", "the event has registrations: change this in the bot, which tells them")
    ]
    write_csv(path, [row(title_kk="Елек жағасын тазалау")])  # words, not time or place: fine
    assert (await importer.import_file(path)).updated == 1


def test_the_command_exits_non_zero_and_lists_the_bad_rows(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ADMIN_IDS", str(ADMIN))
    soon = datetime.now(ALMATY).replace(tzinfo=None, microsecond=0) + timedelta(days=30)
    times = {"starts_at": soon.isoformat(), "ends_at": (soon + timedelta(hours=2)).isoformat()}
    path = write_csv(
        tmp_path / "events.csv",
        [row(organizer_telegram_id=str(ADMIN), **times), row(external_id="x", contact="", **times)],
    )
    assert main(["events", "import", str(path)]) == 1
    err = capsys.readouterr().err
    # Each row takes two lines (its description holds a line break): the second starts on line 4.
    assert f"Nothing imported: 1 problem in {path}\n  line 4, contact: required\n" in err

    write_csv(path, [row(organizer_telegram_id=str(ADMIN), **times)])
    assert main(["events", "import", str(path)]) == 0
    assert f"Imported 1 event(s) from {path}: 1 new, 0 updated, 0 unchanged." in capsys.readouterr().out
    assert main(["events", "import", str(path)]) == 0
    assert "0 new, 0 updated, 1 unchanged." in capsys.readouterr().out
    assert main(["events"]) == 2
    assert main(["events", "export", str(path)]) == 2


def test_the_documented_columns_are_the_ones_read() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Importing events", 1)[1].split("\n## ", 1)[0]
    for column in COLUMNS:
        assert f"`{column}`" in section, column
