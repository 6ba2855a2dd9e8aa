"""Reading a catalogue of grant calls from CSV or JSON, and checking every row before anything is stored.

The columns (CSV header, JSON keys) are the fields of a call; README "Grant calls: the catalogue" lists
them. A row with a problem is reported with its place (CSV line, JSON item), the field and the reason,
and then nothing is imported: a half-imported catalogue would be worse than none.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.domain.grants import (
    AMOUNT_MAX,
    ELIGIBILITY_MAX,
    EXTERNAL_ID_MAX,
    FUNDER_MAX,
    LINK_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
    GrantKind,
    Sector,
)
from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.sectors import BUILT_IN, SectorCatalogue
from bot.services.grants import GrantDraft

FIELDS = (
    "external_id",
    "title_kk",
    "title_ru",
    "summary_kk",
    "summary_ru",
    "funder",
    "kind",
    "sectors",
    "regions",
    "amount_min",
    "amount_max",
    "deadline",
    "eligibility_kk",
    "eligibility_ru",
    "legal_entity_only",
    "ngo_database_required",
    "youth_organizations",
    "initiative_groups_allowed",
    "how_to_apply",
    "source_url",
    "published_at",
)
FLAGS = ("legal_entity_only", "ngo_database_required", "youth_organizations", "initiative_groups_allowed")
_TRUE = frozenset({"1", "true", "yes", "y"})
_FALSE = frozenset({"", "0", "false", "no", "n"})
# Regions written as "all" (or nothing) mean all of Kazakhstan.
_ALL_REGIONS = frozenset({"", "all", "kz", "kazakhstan"})
# A deadline given as a date alone ends at the end of that day.
END_OF_DAY = time(23, 59)
# Reports a problem of one field: (field, reason).
Problem = Callable[[str, str], None]


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why a row cannot be imported: where it is ("line 7", "item 3"), which field, and why."""

    where: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.reason}"


class CatalogueError(ValueError):
    """The catalogue has problems; nothing of it may be imported."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def read_catalogue(path: Path, tz: ZoneInfo, sectors: SectorCatalogue = BUILT_IN) -> list[GrantDraft]:
    """Every call of the file (.csv or .json), checked; CatalogueError lists every problem found."""
    try:
        content = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogueError([RowProblem("file", "-", f"cannot be read: {error}")]) from error
    if path.suffix.lower() == ".json":
        rows = list(_json_rows(content))
    elif path.suffix.lower() == ".csv":
        rows = list(_csv_rows(content))
    else:
        raise CatalogueError([RowProblem("file", "-", "must end in .csv or .json")])
    return parse_rows(rows, tz, sectors=sectors)


def parse_rows(
    rows: list[tuple[str, Mapping[str, object]]],
    tz: ZoneInfo,
    *,
    require_external_id: bool = True,
    sectors: SectorCatalogue = BUILT_IN,
) -> list[GrantDraft]:
    """Drafts of the rows; sector codes are built-in ones or those added in the bot (`sectors`)."""
    problems: list[RowProblem] = []
    drafts: list[GrantDraft] = []
    seen: dict[str, str] = {}
    for where, row in rows:
        if where == "file":  # a problem of the file itself
            problems.append(RowProblem(where, str(row.get("field", "-")), str(row.get("reason", ""))))
            continue
        row_problems: list[RowProblem] = []
        draft = _draft(where, row, tz, row_problems, sectors, require_external_id)
        if draft is not None and draft.external_id is not None:
            if draft.external_id in seen:
                row_problems.append(
                    RowProblem(where, "external_id", f"repeats the one at {seen[draft.external_id]}")
                )
            seen.setdefault(draft.external_id, where)
        problems += row_problems
        if draft is not None and not row_problems:
            drafts.append(draft)
    if problems:
        raise CatalogueError(problems)
    return drafts


def _json_rows(content: str) -> Iterator[tuple[str, Mapping[str, object]]]:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as error:
        yield "file", {"field": "-", "reason": f"not JSON: {error}"}
        return
    if isinstance(data, dict) and isinstance(data.get("grants"), list):
        data = data["grants"]  # {"note": ..., "grants": [...]} as the sample has it
    if not isinstance(data, list):
        yield "file", {"field": "-", "reason": 'must be a list of calls, or {"grants": [...]}'}
        return
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict):
            yield f"item {number}", {"__not_an_object__": True}
        else:
            yield f"item {number}", item


def _csv_rows(content: str) -> Iterator[tuple[str, Mapping[str, object]]]:
    reader = csv.DictReader(io.StringIO(content))
    unknown = [name for name in reader.fieldnames or () if name not in FIELDS]
    if unknown:
        yield "file", {"field": ", ".join(unknown), "reason": "unknown column(s) on line 1"}
    for row in reader:
        yield f"line {reader.line_num}", {key: value for key, value in row.items() if key is not None}


def _draft(
    where: str,
    row: Mapping[str, object],
    tz: ZoneInfo,
    problems: list[RowProblem],
    catalogue: SectorCatalogue,
    require_external_id: bool = True,
) -> GrantDraft | None:
    if row.get("__not_an_object__"):
        problems.append(RowProblem(where, "-", "not an object"))
        return None

    def problem(field: str, reason: str) -> None:
        problems.append(RowProblem(where, field, reason))

    for key in row:
        if key not in FIELDS:
            problem(key, "unknown field")

    def text(field: str, limit: int, *, required: bool = False) -> str | None:
        value = row.get(field)
        if value is not None and not isinstance(value, str):
            problem(field, "must be text")
            return None
        cleaned = (value or "").strip() or None
        if cleaned is None and required:
            problem(field, "missing")
        elif cleaned is not None and len(cleaned) > limit:
            problem(field, f"longer than {limit} characters")
        return cleaned

    external_id = text("external_id", EXTERNAL_ID_MAX, required=require_external_id)
    titles = (text("title_kk", TITLE_MAX), text("title_ru", TITLE_MAX))
    if not any(titles):
        problem("title_kk/title_ru", "at least one title is needed")
    summaries = (text("summary_kk", SUMMARY_MAX), text("summary_ru", SUMMARY_MAX))
    eligibility = (text("eligibility_kk", ELIGIBILITY_MAX), text("eligibility_ru", ELIGIBILITY_MAX))
    funder = text("funder", FUNDER_MAX, required=True)
    how_to_apply = text("how_to_apply", LINK_MAX, required=True)
    source_url = text("source_url", LINK_MAX)
    if source_url is not None and not source_url.startswith(("https://", "http://")):
        problem("source_url", "must be a link starting with https:// or http://")
    kind_text = text("kind", 32, required=True)
    kind = None
    if kind_text is not None:
        try:
            kind = GrantKind(kind_text)
        except ValueError:
            problem("kind", f"unknown kind {kind_text!r}; one of {', '.join(GrantKind)}")
    sectors = []
    for name in _list(row.get("sectors")):
        if catalogue.is_known(name):
            sectors.append(name)
        else:
            known = [*Sector, *(sector.code for sector in catalogue.added)]
            problem("sectors", f"unknown sector {name!r}; any of {', '.join(known)}")
    if not sectors and not any(p.field == "sectors" for p in problems):
        problem("sectors", "at least one sector is needed")
    regions = [name for name in _list(row.get("regions")) if name not in _ALL_REGIONS]
    for name in regions:
        if name not in REGIONS_BY_CODE:
            problem("regions", f"unknown region {name!r} (codes as in README; 'all' for all Kazakhstan)")
    amounts = (_amount(row, "amount_min", problem), _amount(row, "amount_max", problem))
    if amounts[0] is not None and amounts[1] is not None and amounts[0] > amounts[1]:
        problem("amount_min", "is more than amount_max")
    deadline = _moment(row, "deadline", tz, problem, required=True)
    published_at = _moment(row, "published_at", tz, problem, required=False)
    flags = {name: _flag(row, name, problem) for name in FLAGS}
    if problems or kind is None or funder is None or how_to_apply is None or deadline is None:
        return None
    return GrantDraft(
        external_id=external_id,
        title_kk=titles[0],
        title_ru=titles[1],
        summary_kk=summaries[0],
        summary_ru=summaries[1],
        funder=funder,
        kind=kind,
        sectors=tuple(dict.fromkeys(sectors)),
        regions=tuple(dict.fromkeys(regions)),
        amount_min=amounts[0],
        amount_max=amounts[1],
        deadline=deadline,
        eligibility_kk=eligibility[0],
        eligibility_ru=eligibility[1],
        how_to_apply=how_to_apply,
        source_url=source_url,
        published_at=published_at,
        **flags,
    )


def _list(value: object) -> list[str]:
    """A list as JSON gives it, or as CSV writes it ("youth; education")."""
    if isinstance(value, list):
        items = [str(item) for item in value]
    else:
        items = str(value or "").replace(",", ";").split(";")
    return [item.strip().lower() for item in items if item.strip()]


def _amount(row: Mapping[str, object], field: str, problem: Problem) -> int | None:
    value = row.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).replace(" ", "").replace("\u00a0", "").replace("_", "")
    if isinstance(value, bool) or not text.isdigit():
        problem(field, "must be a whole number of tenge")
        return None
    amount = int(text)
    if amount > AMOUNT_MAX:
        problem(field, f"more than {AMOUNT_MAX:,} tenge".replace(",", " "))
        return None
    return amount


def _flag(row: Mapping[str, object], field: str, problem: Problem) -> bool:
    value = row.get(field)
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text not in _FALSE:
        problem(field, "must be true or false")
    return False


def _moment(
    row: Mapping[str, object], field: str, tz: ZoneInfo, problem: Problem, *, required: bool
) -> datetime | None:
    """An ISO date-time (without an offset: in the bot's time zone), or a date: the end of that day."""
    value = row.get(field)
    text = str(value).strip() if value is not None else ""
    if not text:
        if required:
            problem(field, "missing")
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), END_OF_DAY, tz)
        moment = datetime.fromisoformat(text)
    except ValueError:
        problem(field, "not a date: write 2026-12-15 or 2026-12-15T18:00")
        return None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def shift_forward(drafts: list[GrantDraft], now: datetime, *, ahead: timedelta) -> list[GrantDraft]:
    """The calls with their dates moved forward by whole weeks, so that the first deadline is at least
    `ahead` away (the sample catalogue's dates are absolute; a late start would find them past)."""
    if not drafts:
        return drafts
    earliest = min(draft.deadline for draft in drafts)
    if earliest >= now + ahead:
        return drafts
    weeks = (now + ahead - earliest) // timedelta(weeks=1) + 1
    shift = timedelta(weeks=weeks)
    return [
        replace(
            draft,
            deadline=draft.deadline + shift,
            published_at=draft.published_at + shift if draft.published_at else None,
        )
        for draft in drafts
    ]


# The admins' form in the bot: one "field: value" line per field, lists as "youth; education".
FORM_FIELDS = tuple(name for name in FIELDS if name != "published_at")


def read_form(text: str, tz: ZoneInfo, sectors: SectorCatalogue = BUILT_IN) -> GrantDraft:
    """A call from the admins' form; CatalogueError lists the problems (where = "form")."""
    row: dict[str, object] = {}
    unknown = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, separator, value = line.partition(":")
        name = name.strip().lower()
        if not separator or name not in FORM_FIELDS:
            unknown.append(RowProblem("form", name or line.strip()[:20], "not a field of the form"))
            continue
        row[name] = value.strip()
    drafts_or_problems: list[RowProblem] = list(unknown)
    try:
        drafts = parse_rows([("form", row)], tz, require_external_id=False, sectors=sectors)
    except CatalogueError as error:
        drafts_or_problems += error.problems
        drafts = []
    if drafts_or_problems:
        raise CatalogueError(drafts_or_problems)
    return drafts[0]


def form_text(draft: GrantDraft, tz: ZoneInfo) -> str:
    """A call written as the admins' form, to copy, change and send back."""
    values = {
        "external_id": draft.external_id or "",
        "title_kk": draft.title_kk or "",
        "title_ru": draft.title_ru or "",
        "summary_kk": draft.summary_kk or "",
        "summary_ru": draft.summary_ru or "",
        "funder": draft.funder,
        "kind": draft.kind.value,
        "sectors": "; ".join(draft.sectors),
        "regions": "; ".join(draft.regions) or "all",
        "amount_min": "" if draft.amount_min is None else str(draft.amount_min),
        "amount_max": "" if draft.amount_max is None else str(draft.amount_max),
        "deadline": draft.deadline.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
        "eligibility_kk": draft.eligibility_kk or "",
        "eligibility_ru": draft.eligibility_ru or "",
        "legal_entity_only": str(draft.legal_entity_only).lower(),
        "ngo_database_required": str(draft.ngo_database_required).lower(),
        "youth_organizations": str(draft.youth_organizations).lower(),
        "initiative_groups_allowed": str(draft.initiative_groups_allowed).lower(),
        "how_to_apply": draft.how_to_apply,
        "source_url": draft.source_url or "",
    }
    return "\n".join(f"{name}: {' '.join(values[name].split())}" for name in FORM_FIELDS)
