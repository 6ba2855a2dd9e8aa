"""Bulk import of events from a CSV or JSON file (`python -m bot events import FILE`).

All or nothing: every row is read and checked (the same rules as an organizer's event, plus the
file's own: types, dates, unknown columns, repeated ids) in one transaction; if any row is bad,
nothing is written and each problem is reported with its line and field. Idempotent on
`external_id`: importing the same file again updates the events it made, never duplicates them.
Naive times are in the bot's time zone (TIMEZONE, Asia/Almaty by default).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from bot.domain.events import (
    ACTIVE_REGISTRATIONS,
    ADDRESS_MAX,
    CAPACITY_MAX,
    CAPACITY_MIN,
    CITY_MAX,
    CONTACT_MAX,
    CUTOFF_HOURS_MAX,
    DESCRIPTION_MAX,
    EXTERNAL_ID_MAX,
    TITLE_MAX,
    Category,
    EventStatus,
)
from bot.domain.regions import REGIONS
from bot.services.events import EventDraft, EventProblem, EventService, InvalidEventError, NotAllowedError
from storage.repositories.events import EventRecord
from storage.unit_of_work import UnitOfWork

COLUMNS = (
    "external_id",
    "title_kk",
    "title_ru",
    "description_kk",
    "description_ru",
    "category",
    "region",
    "city",
    "address",
    "latitude",
    "longitude",
    "starts_at",
    "ends_at",
    "capacity",
    "registration_deadline",
    "cancel_cutoff_hours",
    "contact",
    "organizer_telegram_id",
    "status",
)
REQUIRED = (
    "external_id",
    "category",
    "region",
    "city",
    "address",
    "starts_at",
    "ends_at",
    "contact",
    "organizer_telegram_id",
)
# What an import may set a status to; an existing event's stays when the cell is empty.
IMPORT_STATUSES = (EventStatus.DRAFT, EventStatus.PUBLISHED)
# What a file's column is called in the events table, where the names differ.
_TABLE_NAMES = {"cancel_cutoff_hours": "cancellation_cutoff_hours", "organizer_telegram_id": "organizer_id"}
# Changed under registered volunteers, these would need telling them (the bot's edit does that): an
# import refuses to change them for an event that has registrations.
_TOLD_TO_VOLUNTEERS = (
    "region",
    "city",
    "address",
    "latitude",
    "longitude",
    "starts_at",
    "ends_at",
    "capacity",
    "registration_deadline",
    "cancellation_cutoff_hours",
)
_TEXT_LIMITS = {
    "title_kk": TITLE_MAX,
    "title_ru": TITLE_MAX,
    "description_kk": DESCRIPTION_MAX,
    "description_ru": DESCRIPTION_MAX,
    "city": CITY_MAX,
    "address": ADDRESS_MAX,
    "contact": CONTACT_MAX,
    "external_id": EXTERNAL_ID_MAX,
}


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong, where: the file's line (1 is a CSV's header), the column, and why."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        if not self.line:  # the file as a whole
            return self.reason
        where = f"line {self.line}, {self.field}" if self.field else f"line {self.line}"
        return f"{where}: {self.reason}"


class ImportRejectedError(Exception):
    """The file was not imported; `problems` says why, row by row."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True, slots=True)
class SourceRow:
    """A row as the file has it: its line and its cells as text ("" for an empty one)."""

    line: int
    cells: dict[str, str]


@dataclass
class _Row:
    """A row read into the event it describes."""

    line: int
    external_id: str
    draft: EventDraft | None = None
    organizer_id: int = 0
    status: EventStatus | None = None
    problems: list[RowProblem] = field(default_factory=list)


# Reading the file


def read_rows(path: Path) -> list[SourceRow]:
    """The file's rows; ImportRejectedError for a file that cannot be read as rows of events."""
    try:
        text = path.read_bytes().decode("utf-8-sig")  # Excel writes a BOM
    except UnicodeDecodeError as error:
        raise ImportRejectedError([RowProblem(1, "", f"not UTF-8 text ({error.reason})")]) from error
    except OSError as error:
        raise ImportRejectedError([RowProblem(0, "", f"cannot read {path}: {error.strerror}")]) from error
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(text)
    if suffix == ".json":
        return _json_rows(text)
    raise ImportRejectedError([RowProblem(0, "", "unknown format: the file must end in .csv or .json")])


def _csv_rows(text: str) -> list[SourceRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader, [])]
    problems = [RowProblem(1, name, "unknown column") for name in header if name not in COLUMNS]
    problems += [RowProblem(1, name, "missing column") for name in REQUIRED if name not in header]
    if problems:
        raise ImportRejectedError(problems)
    rows = []
    while True:
        line = reader.line_num + 1  # where the row starts (a quoted cell may span lines)
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise ImportRejectedError([RowProblem(line, "", f"not CSV: {error}")]) from error
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(RowProblem(line, "", f"{len(cells)} cells, the header has {len(header)}"))
            continue
        rows.append(SourceRow(line, dict(zip(header, cells, strict=True))))
    if problems:
        raise ImportRejectedError(problems)
    return rows


def _json_rows(text: str) -> list[SourceRow]:
    """An array of objects; each row's line is where its object starts."""
    problems: list[RowProblem] = []
    rows = []
    for line, item in _json_array(text):
        if not isinstance(item, dict):
            problems.append(RowProblem(line, "", "not an object"))
            continue
        cells: dict[str, str] = {}
        for name, value in item.items():
            if name not in COLUMNS:
                problems.append(RowProblem(line, name, "unknown field"))
            elif value is None:
                cells[name] = ""
            elif isinstance(value, str | int | float) and not isinstance(value, bool):
                cells[name] = str(value)
            else:
                problems.append(RowProblem(line, name, "not a text or a number"))
        rows.append(SourceRow(line, cells))
    if problems:
        raise ImportRejectedError(problems)
    return rows


def _json_array(text: str) -> Iterator[tuple[int, Any]]:
    decoder = json.JSONDecoder()
    position, line = 0, 1

    def skip_to_next() -> str:
        nonlocal position, line
        while position < len(text) and text[position].isspace():
            line += text[position] == "\n"
            position += 1
        return text[position : position + 1]

    def reject(reason: str) -> ImportRejectedError:
        return ImportRejectedError([RowProblem(line, "", reason)])

    if skip_to_next() != "[":
        raise reject("a JSON file holds an array of events: [{...}, {...}]")
    position += 1
    if skip_to_next() == "]":
        return
    while True:
        skip_to_next()
        start = line
        try:
            item, end = decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            raise ImportRejectedError([RowProblem(error.lineno, "", f"not JSON: {error.msg}")]) from error
        line += text.count("\n", position, end)
        position = end
        yield start, item
        separator = skip_to_next()
        position += 1
        if separator == "]":
            break
        if separator != ",":
            raise reject("expected , or ] after an event")
    if skip_to_next():
        raise reject("text after the array")


# Reading a row


def _parse(source: SourceRow, tz: tzinfo) -> _Row:
    """The row's draft, or the problems that keep it from being one (all of them, not the first)."""
    cells = {name: value.strip() for name, value in source.cells.items()}
    row = _Row(source.line, cells.get("external_id", ""))
    problems = row.problems

    def problem(name: str, reason: str) -> None:
        problems.append(RowProblem(source.line, name, reason))

    for name in REQUIRED:
        if not cells.get(name):
            problem(name, "required")
    if not cells.get("title_kk") and not cells.get("title_ru"):
        problem("title_kk", "a title is needed in Kazakh or in Russian (title_kk or title_ru)")
    for name, limit in _TEXT_LIMITS.items():
        if len(cells.get(name, "")) > limit:
            problem(name, f"longer than {limit} characters")
    if cells.get("category") and cells["category"] not in Category.__members__.values():
        problem("category", f"not one of: {', '.join(Category.__members__.values())}")
    if cells.get("region") and cells["region"] not in {region.code for region in REGIONS}:
        problem("region", f"not one of: {', '.join(region.code for region in REGIONS)}")

    def parsed(name: str, read: Callable[[str], Any], reason: str) -> Any:
        value = cells.get(name, "")
        if not value:
            return None
        try:
            return read(value)
        except ValueError:
            problem(name, reason)
            return None

    def moment(value: str) -> datetime:
        if len(value) <= len("2026-12-05"):
            raise ValueError(value)  # a day without a time
        read = datetime.fromisoformat(value)
        return read.replace(tzinfo=tz) if read.tzinfo is None else read

    when = "not a date and time (ISO 8601, e.g. 2026-12-05T10:00)"
    starts_at = parsed("starts_at", moment, when)
    ends_at = parsed("ends_at", moment, when)
    deadline = parsed("registration_deadline", moment, when)
    latitude = parsed("latitude", float, "not a number (e.g. 50.2839)")
    longitude = parsed("longitude", float, "not a number (e.g. 57.1670)")
    capacity = parsed("capacity", int, f"not a whole number ({CAPACITY_MIN}–{CAPACITY_MAX}, or empty)")
    cutoff = parsed("cancel_cutoff_hours", int, f"not a whole number of hours (0–{CUTOFF_HOURS_MAX})")
    organizer = parsed("organizer_telegram_id", int, "not a Telegram user id")
    statuses = f"not one of: {', '.join(IMPORT_STATUSES)}"
    status = parsed("status", lambda value: EventStatus(value.lower()), statuses)
    # The service's range rules too, so that a row with several problems shows them all.
    if capacity is not None and not CAPACITY_MIN <= capacity <= CAPACITY_MAX:
        problem("capacity", _RULES[EventProblem.CAPACITY_OUT_OF_RANGE][1])
    if cutoff is not None and not 0 <= cutoff <= CUTOFF_HOURS_MAX:
        problem("cancel_cutoff_hours", _RULES[EventProblem.CUTOFF_OUT_OF_RANGE][1])
    if status is not None and status not in IMPORT_STATUSES:
        problem("status", statuses)
    if problems or starts_at is None or ends_at is None or organizer is None:
        return row
    row.organizer_id, row.status = organizer, status
    row.draft = EventDraft(
        category=cells["category"],
        region=cells["region"],
        city=cells["city"],
        address=cells["address"],
        starts_at=starts_at,
        ends_at=ends_at,
        contact=cells["contact"],
        title_kk=cells.get("title_kk"),
        title_ru=cells.get("title_ru"),
        description_kk=cells.get("description_kk"),
        description_ru=cells.get("description_ru"),
        latitude=latitude,
        longitude=longitude,
        capacity=capacity,
        registration_deadline=deadline,
        cancellation_cutoff_hours=cutoff,
        external_id=row.external_id,
    )
    return row


# The service's refusals, as the file's columns and reasons.
_RULES = {
    EventProblem.TITLE_MISSING: ("title_kk", "a title is needed in Kazakh or in Russian"),
    EventProblem.PLACE_MISSING: ("address", "city and address are required"),
    EventProblem.CONTACT_MISSING: ("contact", "required"),
    EventProblem.BAD_MAP_POINT: (
        "latitude",
        "latitude (−90…90) and longitude (−180…180) go together, or both stay empty",
    ),
    EventProblem.START_IN_PAST: ("starts_at", "in the past"),
    EventProblem.END_BEFORE_START: ("ends_at", "not after starts_at"),
    EventProblem.CAPACITY_OUT_OF_RANGE: (
        "capacity",
        f"must be {CAPACITY_MIN}–{CAPACITY_MAX}, or empty for no limit",
    ),
    EventProblem.DEADLINE_AFTER_START: ("registration_deadline", "after starts_at"),
    EventProblem.CUTOFF_OUT_OF_RANGE: ("cancel_cutoff_hours", f"must be 0–{CUTOFF_HOURS_MAX}"),
}


# Importing


class EventImporter:
    """Imports rows in one unit of work, checked by the event service's rules."""

    def __init__(self, events: EventService, tz: tzinfo) -> None:
        self.events = events
        self.tz = tz

    async def import_file(self, path: Path) -> ImportReport:
        return await self.import_rows(read_rows(path))

    async def import_rows(self, sources: list[SourceRow]) -> ImportReport:
        """Create or update an event per row, all in one transaction; ImportRejectedError (and
        nothing written) if any row is bad."""
        rows = [_parse(source, self.tz) for source in sources]
        first_line: dict[str, int] = {}
        for row in rows:
            if row.external_id in first_line:
                row.problems.append(
                    RowProblem(row.line, "external_id", f"repeats line {first_line[row.external_id]}")
                )
            first_line.setdefault(row.external_id, row.line)
        created = updated = unchanged = 0
        async with self.events.database.transaction() as uow:
            now = self.events.clock.now()
            for row in rows:
                if row.problems or row.draft is None:
                    continue
                try:
                    values = self.events.validated(row.draft)
                except InvalidEventError as refused:
                    if refused.problem is EventProblem.START_IN_PAST and await self._begun(uow, row):
                        unchanged += 1  # a file imported again after some of its events began
                        continue
                    name, reason = _RULES.get(refused.problem, ("", refused.problem.value))
                    row.problems.append(RowProblem(row.line, name, reason))
                    continue
                try:
                    await self.events.check_organizer(uow, row.organizer_id)
                except NotAllowedError:
                    row.problems.append(
                        RowProblem(row.line, "organizer_telegram_id", "not an approved organizer or an admin")
                    )
                    continue
                values["organizer_id"] = row.organizer_id
                existing = await uow.events.by_external_id(row.external_id)
                if existing is None:
                    status = row.status or EventStatus.DRAFT
                    await uow.events.add(now=now, status=status.value, **values)
                    created += 1
                    continue
                if row.status is not None:
                    values["status"] = row.status.value
                changes = await self._changes(uow, row, existing, values)
                if changes:
                    await uow.events.update(existing.id, now=now, **changes)
                    updated += 1
                elif not row.problems:
                    unchanged += 1
            problems = [problem for row in rows for problem in row.problems]
            if problems:
                raise ImportRejectedError(sorted(problems, key=lambda problem: problem.line))
        return ImportReport(created, updated, unchanged)

    @staticmethod
    async def _begun(uow: UnitOfWork, row: _Row) -> bool:
        """Whether the row is an event imported before that has begun, at the start it had: it is
        left as it is (an event under way or over is changed in the bot, if at all)."""
        existing = await uow.events.by_external_id(row.external_id)
        return existing is not None and row.draft is not None and existing.starts_at == row.draft.starts_at

    @staticmethod
    async def _changes(
        uow: UnitOfWork, row: _Row, existing: EventRecord, values: dict[str, Any]
    ) -> dict[str, Any]:
        """The values that differ from the stored event; problems for changes an import may not make."""
        changes = {name: value for name, value in values.items() if getattr(existing, name) != value}
        if not changes:
            return changes

        def refuse(name: str, reason: str) -> dict[str, Any]:
            column = next((file for file, table in _TABLE_NAMES.items() if table == name), name)
            row.problems.append(RowProblem(row.line, column, reason))
            return {}

        if existing.status not in IMPORT_STATUSES:
            return refuse("external_id", f"the event is {existing.status}: an import no longer changes it")
        if existing.status == EventStatus.PUBLISHED and changes.get("status") == EventStatus.DRAFT:
            return refuse("status", "a published event cannot go back to draft")
        _taken, ledger = await uow.events.seat_ledger(existing.id)
        if any(status in ACTIVE_REGISTRATIONS for status, _seats, _number in ledger):
            for name in _TOLD_TO_VOLUNTEERS:
                if name in changes:
                    return refuse(
                        name, "the event has registrations: change this in the bot, which tells them"
                    )
        return changes
