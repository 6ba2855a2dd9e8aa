"""The grant catalogue: browsing with filters, the import (CSV and JSON, a bad row, re-import, changes),
the sample catalogue, and calls closing by themselves after their deadline."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.__main__ import main
from bot.app import Application
from bot.clock import ManualClock
from bot.grants_cli import SAMPLE_CATALOGUE
from bot.services.grant_import import CatalogueError, read_catalogue, shift_forward
from bot.services.grants import GrantError, GrantQuery
from tests.grants_support import call, ids_by_external_id

ALMATY = ZoneInfo("Asia/Almaty")


async def listed(app: Application, **query: object) -> list[str | None]:
    page = await app.grants.find(1, GrantQuery(**query))  # type: ignore[arg-type]
    return [grant.external_id for grant in page.grants]


async def test_browse_shows_open_calls_nearest_deadline_first_a_page_at_a_time(
    app: Application, clock: ManualClock
) -> None:
    await ids_by_external_id(app.grants, clock.now())
    assert await listed(app) == ["trees", "youth-aktobe", "sport-karaganda", "youth-all", "health-almaty"]
    now = clock.now()
    await app.grants.import_calls(
        [call(now, f"more-{n}", deadline=now + timedelta(days=90 + n)) for n in range(3)]
    )
    first = await app.grants.find(1, GrantQuery())
    second = await app.grants.find(1, GrantQuery(page=1))
    assert (len(first.grants), first.has_next, len(second.grants), second.has_next) == (5, True, 3, False)


async def test_filters_combine(app: Application, clock: ManualClock) -> None:
    await ids_by_external_id(app.grants, clock.now())
    assert await listed(app, sector="youth") == ["youth-aktobe", "youth-all"]
    # Aktobe: its own calls and those for all of Kazakhstan.
    assert await listed(app, region="aktobe") == ["trees", "youth-aktobe", "youth-all"]
    assert await listed(app, sector="youth", region="almaty") == ["youth-all"]
    assert await listed(app, amount_at_least=5_000_000) == ["youth-aktobe", "health-almaty"]
    assert await listed(app, within_days=14) == ["trees"]
    assert await listed(app, within_days=30, sector="youth", region="aktobe", amount_at_least=5_000_000) == [
        "youth-aktobe"
    ]
    assert await listed(app, sector="culture") == []


@pytest.mark.parametrize(
    "query",
    [
        GrantQuery(sector="no-such"),
        GrantQuery(region="atlantis"),
        GrantQuery(amount_at_least=3),
        GrantQuery(within_days=1000),
    ],
)
async def test_forged_filters_are_refused(app: Application, query: GrantQuery) -> None:
    with pytest.raises(GrantError):
        await app.grants.find(1, query)


async def test_calls_close_by_themselves_after_the_deadline(app: Application, clock: ManualClock) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    assert (await app.grants.get(ids["past"])).status == "closed"  # imported already past
    assert (await app.grants.get(ids["trees"])).status == "open"
    clock.advance(timedelta(days=5, seconds=1))
    # Past its deadline it is no longer listed, even before the scan writes so.
    assert "trees" not in await listed(app)
    assert await app.grants.close_past_deadline() == 1
    closed = await app.grants.get(ids["trees"])
    assert (closed.status, closed.closed_at) == ("closed", clock.now())
    assert await app.grants.close_past_deadline() == 0  # safe to run twice
    # The scheduler runs it.
    assert "scan-grants-close" in {job.id for job in app.scheduler.get_jobs()}


CSV_HEADER = (
    "external_id,title_kk,title_ru,funder,kind,sectors,regions,amount_min,amount_max,deadline,"
    "how_to_apply,source_url,initiative_groups_allowed\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m bot ...` on the test's database (in a thread: it runs its own event loop)."""
    monkeypatch.setenv("DATABASE_URL", database_url)


@pytest.mark.usefixtures("cli")
async def test_an_import_with_a_bad_row_reports_it_and_imports_nothing(
    app: Application, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        "calls.csv",
        CSV_HEADER + "c1,Жастар гранты,Молодежный грант,Қор,foundation,youth;education,aktobe,100000,500000,"
        "2027-03-01,https://example.org,,yes\n"
        + "c2,,,Қор,charity,youth,mars,900,100,2027-13-01,,ftp://x,maybe\n",
    )
    with pytest.raises(CatalogueError) as error:
        read_catalogue(path, ALMATY)
    reported = {(problem.where, problem.field) for problem in error.value.problems}
    assert reported == {
        ("line 3", "title_kk/title_ru"),
        ("line 3", "kind"),
        ("line 3", "regions"),
        ("line 3", "amount_min"),
        ("line 3", "deadline"),
        ("line 3", "how_to_apply"),
        ("line 3", "source_url"),
        ("line 3", "initiative_groups_allowed"),
    }
    # Through the command line: the report, exit 1, and nothing stored (the good row neither).
    assert await asyncio.to_thread(main, ["grants", "import", str(path)]) == 1
    assert "line 3: kind: unknown kind 'charity'" in capsys.readouterr().err
    assert await app.grants.count() == 0


async def test_import_is_idempotent_and_records_changes_of_deadline_and_amount(
    app: Application, clock: ManualClock, tmp_path: Path
) -> None:
    rows = [
        {
            "external_id": "j1",
            "title_kk": "Жастар гранты",
            "title_ru": "Молодежный грант",
            "funder": "Қор",
            "kind": "state_grant",
            "sectors": ["youth"],
            "regions": "all",
            "amount_min": 100000,
            "amount_max": "500 000",
            "deadline": "2027-03-01T18:00",
            "how_to_apply": "https://example.org",
            "legal_entity_only": True,
        },
        {
            "external_id": "j2",
            "title_ru": "Спорт",
            "funder": "Фонд",
            "kind": "foundation",
            "sectors": "sport",
            "deadline": "2027-04-01",
            "how_to_apply": "+7 700 000 00 00",
        },
    ]
    path = write(tmp_path, "calls.json", json.dumps(rows, ensure_ascii=False))
    drafts = read_catalogue(path, ALMATY)
    assert drafts[1].deadline.isoformat() == "2027-04-01T23:59:00+05:00"  # a date alone: the day's end
    first = await app.grants.import_calls(drafts)
    again = await app.grants.import_calls(read_catalogue(path, ALMATY))
    assert (len(first.added), again.added, again.updated, len(again.unchanged)) == (2, [], [], 2)
    assert await app.grants.count() == 2

    rows[0]["deadline"] = "2027-03-15T18:00"
    rows[0]["amount_max"] = 700000
    rows[1]["title_ru"] = "Спорт для всех"  # not a change to announce
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    changed = await app.grants.import_calls(read_catalogue(path, ALMATY))
    j1, j2 = first.added
    assert (sorted(changed.updated), changed.changed_ids) == ([j1, j2], [j1])
    assert [(change.field, change.new_value) for change in changed.changes] == [
        ("deadline", "2027-03-15T13:00:00+00:00"),
        ("amount", "100000-700000"),
    ]
    async with app.database.reading() as uow:
        recorded = await uow.grants.unannounced_changes()
    assert [(change.grant_id, change.field) for change in recorded] == [(j1, "deadline"), (j1, "amount")]
    assert (await app.grants.get(j2)).title_ru == "Спорт для всех"


def test_the_sample_catalogue_is_marked_bilingual_and_valid() -> None:
    document = json.loads(SAMPLE_CATALOGUE.read_text(encoding="utf-8"))
    assert document["note"].startswith("SAMPLE DATA")
    drafts = read_catalogue(SAMPLE_CATALOGUE, ALMATY)
    assert 30 <= len(drafts) <= 60
    assert sum(bool(d.title_kk and d.title_ru) for d in drafts) >= 30
    assert {d.kind for d in drafts} == {
        "state_grant",
        "state_order",
        "foundation",
        "corporate",
        "international",
    }
    assert any(d.initiative_groups_allowed for d in drafts)


def test_the_sample_dates_move_forward_by_whole_weeks_when_loaded_late(clock: ManualClock) -> None:
    drafts = read_catalogue(SAMPLE_CATALOGUE, ALMATY)
    later = max(d.deadline for d in drafts) + timedelta(days=100)
    shifted = shift_forward(drafts, later, ahead=timedelta(days=7))
    shift = shifted[0].deadline - drafts[0].deadline
    assert shift.days % 7 == 0
    assert shift.seconds == 0
    assert min(d.deadline for d in shifted) >= later + timedelta(days=7)
    assert all(new.deadline - old.deadline == shift for old, new in zip(drafts, shifted, strict=True))
    assert (
        shift_forward(drafts, min(d.deadline for d in drafts) - timedelta(days=30), ahead=timedelta(days=7))
        == drafts
    )


@pytest.mark.usefixtures("cli")
async def test_load_sample_fills_an_empty_catalogue_only(
    app: Application, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await asyncio.to_thread(main, ["grants", "load-sample"]) == 0
    assert "SAMPLE" in capsys.readouterr().out
    count = await app.grants.count()
    assert count >= 30
    assert await asyncio.to_thread(main, ["grants", "load-sample"]) == 0
    assert "not empty" in capsys.readouterr().out
    assert await app.grants.count() == count


def test_the_grants_command_takes_import_file_or_load_sample(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["grants"], ["grants", "import"], ["grants", "load-sample", "extra"], ["grants", "drop"]):
        assert main(argv) == 2
        assert "usage: python -m bot grants import FILE | grants load-sample" in capsys.readouterr().err
