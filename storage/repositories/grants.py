"""Grant calls: the catalogue's SQL (calls, their sectors and regions, recorded changes) and the filters
that browsing and search share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    delete,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base

_grants = Base.metadata.tables["grants"]
_sectors = Base.metadata.tables["grant_sectors"]
_regions = Base.metadata.tables["grant_regions"]
_changes = Base.metadata.tables["grant_changes"]
_searches = Base.metadata.tables["grant_searches"]
_hidden = Base.metadata.tables["grant_hidden"]

# Statuses as the database keeps them (bot/domain/grants.py names them; storage imports nothing from bot).
_OPEN = "open"
_CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class GrantRecord:
    """A grant call as the rest of the bot sees it; `sectors` and `regions` (empty: all Kazakhstan) come
    from their own tables."""

    id: int
    external_id: str | None
    title_kk: str | None
    title_ru: str | None
    summary_kk: str | None
    summary_ru: str | None
    funder: str
    kind: str
    amount_min: int | None
    amount_max: int | None
    deadline: datetime
    eligibility_kk: str | None
    eligibility_ru: str | None
    legal_entity_only: bool
    ngo_database_required: bool
    youth_organizations: bool
    initiative_groups_allowed: bool
    how_to_apply: str
    source_url: str | None
    status: str
    published_at: datetime
    closed_at: datetime | None
    sectors: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GrantFilters:
    """Which open calls to show: all given conditions hold. `region`: calls open to it (those for all
    Kazakhstan too); `amount_at_least`: the most a call gives (else its least) reaches it;
    `amount_at_most`: the least a call gives (else its most) is within it; `initiative_groups`: only
    calls initiative groups (no registration) may apply to."""

    now: datetime
    sector: str | None = None
    region: str | None = None
    amount_at_least: int | None = None
    amount_at_most: int | None = None
    initiative_groups: bool = False
    deadline_before: datetime | None = None
    # Leave out the calls this user marked "not relevant".
    hidden_for: int | None = None


@dataclass(frozen=True, slots=True)
class GrantChangeRecord:
    id: int
    grant_id: int
    field: str
    old_value: str | None
    new_value: str | None
    changed_at: datetime
    announced_at: datetime | None


_GRANT_FIELDS = tuple(field.name for field in fields(GrantRecord) if field.name not in ("sectors", "regions"))
_GRANT_COLUMNS = tuple(_grants.c[name] for name in _GRANT_FIELDS)
_CHANGE_COLUMNS = tuple(_changes.c[field.name] for field in fields(GrantChangeRecord))
GRANT_EDITABLE = frozenset(_GRANT_FIELDS) - {"id"} | {"search_title", "search_body"}


def open_calls(filters: GrantFilters, *, by_deadline_index: bool = True) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the open calls passing the filters (shared by browsing and every search
    index). Without `by_deadline_index` the status is compared as an expression, so that SQLite does not
    walk the (status, deadline) index: a search starts from its matches and looks each call up."""
    status = _grants.c.status if by_deadline_index else _grants.c.status.concat("")
    conditions: list[ColumnElement[bool]] = [status == _OPEN, _grants.c.deadline > filters.now]
    if filters.sector is not None:
        conditions.append(
            select(_sectors.c.grant_id)
            .where(_sectors.c.grant_id == _grants.c.id, _sectors.c.sector == filters.sector)
            .exists()
        )
    if filters.region is not None:
        any_region = select(_regions.c.grant_id).where(_regions.c.grant_id == _grants.c.id)
        conditions.append(
            or_(
                not_(any_region.exists()),
                any_region.where(_regions.c.region == filters.region).exists(),
            )
        )
    if filters.amount_at_least is not None:
        conditions.append(
            func.coalesce(_grants.c.amount_max, _grants.c.amount_min) >= filters.amount_at_least
        )
    if filters.amount_at_most is not None:
        conditions.append(func.coalesce(_grants.c.amount_min, _grants.c.amount_max) <= filters.amount_at_most)
    if filters.initiative_groups:
        conditions.append(_grants.c.initiative_groups_allowed.is_(True))
    if filters.deadline_before is not None:
        conditions.append(_grants.c.deadline <= filters.deadline_before)
    if filters.hidden_for is not None:
        conditions.append(
            not_(
                select(_hidden.c.grant_id)
                .where(_hidden.c.user_id == filters.hidden_for, _hidden.c.grant_id == _grants.c.id)
                .exists()
            )
        )
    return conditions


class GrantRepository:
    """SQL for grant calls, inside the caller's unit of work."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(
        self, *, sectors: Collection[str], regions: Collection[str], now: datetime, **values: Any
    ) -> int:
        self._check(values)
        statement = insert(_grants).values(**values, created_at=now, updated_at=now).returning(_grants.c.id)
        grant_id = int((await self.connection.execute(statement)).scalar_one())
        await self._set_links(grant_id, sectors, regions)
        return grant_id

    async def add_many(
        self, calls: Sequence[tuple[Mapping[str, Any], Collection[str], Collection[str]]], *, now: datetime
    ) -> list[int]:
        """Insert calls, each (values, sectors, regions), in a few statements; their ids in order."""
        if not calls:
            return []
        for values, _, _ in calls:
            self._check(values)
        statement = insert(_grants).returning(_grants.c.id, sort_by_parameter_order=True)
        rows = [{**values, "created_at": now, "updated_at": now} for values, _, _ in calls]
        ids = [int(grant_id) for grant_id in (await self.connection.execute(statement, rows)).scalars()]
        sectors = [
            {"grant_id": i, "sector": sector} for i, (_, s, _) in zip(ids, calls, strict=True) for sector in s
        ]
        regions = [
            {"grant_id": i, "region": region} for i, (_, _, r) in zip(ids, calls, strict=True) for region in r
        ]
        if sectors:
            await self.connection.execute(insert(_sectors), sectors)
        if regions:
            await self.connection.execute(insert(_regions), regions)
        return ids

    async def set_search_text(self, grant_id: int, search_title: str, search_body: str) -> None:
        """New search words for a call (a sector's name changed), its other columns untouched."""
        await self.connection.execute(
            update(_grants)
            .where(_grants.c.id == grant_id)
            .values(search_title=search_title, search_body=search_body)
        )

    async def update(
        self,
        grant_id: int,
        *,
        sectors: Collection[str] | None = None,
        regions: Collection[str] | None = None,
        now: datetime,
        **values: Any,
    ) -> None:
        self._check(values)
        await self.connection.execute(
            update(_grants).where(_grants.c.id == grant_id).values(**values, updated_at=now)
        )
        if sectors is not None or regions is not None:
            await self._set_links(grant_id, sectors, regions)

    async def _set_links(
        self, grant_id: int, sectors: Collection[str] | None, regions: Collection[str] | None
    ) -> None:
        for table, column, values in ((_sectors, "sector", sectors), (_regions, "region", regions)):
            if values is None:
                continue
            await self.connection.execute(delete(table).where(table.c.grant_id == grant_id))
            if values:
                await self.connection.execute(
                    insert(table), [{"grant_id": grant_id, column: value} for value in values]
                )

    async def get(self, grant_id: int, *, lock: bool = False) -> GrantRecord | None:
        """The call; with `lock`, its row is locked until the transaction ends (PostgreSQL: `FOR NO KEY
        UPDATE`, so that two admins' changes are made one after the other, the second seeing the
        first's, while rows that refer to the call may still be added; SQLite's writer already holds
        the database's write lock)."""
        found = await self.many([grant_id], lock=lock)
        return found[0] if found else None

    async def by_external_ids(
        self, external_ids: Collection[str], *, lock: bool = False
    ) -> dict[str, GrantRecord]:
        """The calls with these external ids; with `lock`, locked as `get` locks one."""
        if not external_ids:
            return {}
        rows = await self.connection.execute(
            select(_grants.c.id, _grants.c.external_id).where(_grants.c.external_id.in_(list(external_ids)))
        )
        by_id = {int(grant_id): external_id for grant_id, external_id in rows}
        return {by_id[record.id]: record for record in await self.many(list(by_id), lock=lock)}

    async def many(self, grant_ids: Iterable[int], *, lock: bool = False) -> list[GrantRecord]:
        """The calls with these ids, in the order given (ids not found are left out); with `lock`,
        their rows are locked (in id order, so that two writers never wait on each other in a
        circle) before their links are read."""
        ids = list(dict.fromkeys(grant_ids))
        if not ids:
            return []
        statement = select(*_GRANT_COLUMNS).where(_grants.c.id.in_(ids))
        if lock:
            statement = statement.order_by(_grants.c.id).with_for_update(key_share=True)
        rows = await self.connection.execute(statement)
        found = {row.id: row for row in rows}
        sectors: dict[int, list[str]] = defaultdict(list)
        regions: dict[int, list[str]] = defaultdict(list)
        # Both link tables in one statement: each round trip to SQLite's thread counts in a search.
        links = union_all(
            select(_sectors.c.grant_id, literal("s").label("kind"), _sectors.c.sector.label("code")).where(
                _sectors.c.grant_id.in_(ids)
            ),
            select(_regions.c.grant_id, literal("r").label("kind"), _regions.c.region.label("code")).where(
                _regions.c.grant_id.in_(ids)
            ),
        )
        for grant_id, kind, code in await self.connection.execute(links):
            (sectors if kind == "s" else regions)[grant_id].append(code)
        return [
            GrantRecord(
                **found[grant_id]._asdict(),
                sectors=tuple(sorted(sectors[grant_id])),
                regions=tuple(sorted(regions[grant_id])),
            )
            for grant_id in ids
            if grant_id in found
        ]

    async def browse(self, filters: GrantFilters, *, offset: int, limit: int) -> list[GrantRecord]:
        """Open calls passing the filters, nearest deadline first."""
        statement = (
            select(_grants.c.id)
            .where(*open_calls(filters))
            .order_by(_grants.c.deadline, _grants.c.id)
            .offset(offset)
            .limit(limit)
        )
        return await self.many(
            int(grant_id) for grant_id in (await self.connection.execute(statement)).scalars()
        )

    async def count(self) -> int:
        return int((await self.connection.execute(select(func.count()).select_from(_grants))).scalar_one())

    async def close_past_deadline(self, *, now: datetime) -> int:
        """Close the open calls whose deadline has passed; how many were."""
        statement = (
            update(_grants)
            .where(and_(_grants.c.status == _OPEN, _grants.c.deadline <= now))
            .values(status=_CLOSED, closed_at=now, updated_at=now)
        )
        return int((await self.connection.execute(statement)).rowcount)

    # Changes those who follow a call should hear of

    async def record_change(
        self, grant_id: int, field: str, old_value: str | None, new_value: str | None, *, now: datetime
    ) -> int:
        statement = (
            insert(_changes)
            .values(grant_id=grant_id, field=field, old_value=old_value, new_value=new_value, changed_at=now)
            .returning(_changes.c.id)
        )
        return int((await self.connection.execute(statement)).scalar_one())

    async def unannounced_changes(self, *, limit: int = 1000) -> list[GrantChangeRecord]:
        """Recorded changes nobody has announced yet, oldest first (for the announcements to come)."""
        statement = (
            select(*_CHANGE_COLUMNS)
            .where(_changes.c.announced_at.is_(None))
            .order_by(_changes.c.id)
            .limit(limit)
        )
        return [GrantChangeRecord(*row) for row in await self.connection.execute(statement)]

    async def mark_announced(self, change_ids: Collection[int], *, now: datetime) -> None:
        if change_ids:
            await self.connection.execute(
                update(_changes).where(_changes.c.id.in_(list(change_ids))).values(announced_at=now)
            )

    # Searches: the words behind a result's buttons

    async def add_search(self, user_id: int, text: str, *, now: datetime) -> int:
        statement = (
            insert(_searches).values(user_id=user_id, text=text, created_at=now).returning(_searches.c.id)
        )
        return int((await self.connection.execute(statement)).scalar_one())

    async def search_text(self, search_id: int, user_id: int) -> str | None:
        """The words of the user's search (None for someone else's, or one pruned)."""
        statement = select(_searches.c.text).where(
            _searches.c.id == search_id, _searches.c.user_id == user_id
        )
        return (await self.connection.execute(statement)).scalar_one_or_none()

    async def prune_searches(self, *, before: datetime) -> int:
        result = await self.connection.execute(delete(_searches).where(_searches.c.created_at < before))
        return int(result.rowcount)

    @staticmethod
    def _check(values: Mapping[str, Any]) -> None:
        unknown = set(values) - GRANT_EDITABLE
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
