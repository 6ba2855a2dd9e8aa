"""Full-text search over grant calls behind one small interface, `GrantSearchIndex`.

The service hands it normalized words (bot/search/text.py makes them; storage never imports bot) and the
filters; it answers with call ids, best first. Two implementations:

- `FTS5GrantIndex` (SQLite, the embedded default): the grants_fts FTS5 table (migration 0010), which
  the triggers keep in step with grants.search_title/search_body; ranked by bm25 (title words weigh
  more), nearest deadline first among equally relevant calls.
- `LikeGrantIndex` (PostgreSQL, for now): the same matching by LIKE over the same normalized text,
  nearest deadline first, unranked. PostgreSQL can implement the interface with its own full-text
  search (a tsvector column of the same tokens with a GIN index, ts_rank) without touching the callers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import ColumnElement, and_, column, func, literal, literal_column, or_, select, table
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models import Base
from storage.repositories.grants import GrantFilters, open_calls

_grants = Base.metadata.tables["grants"]
_fts = table("grants_fts", column("rowid"))
# Title words count this many times a summary's.
TITLE_WEIGHT = 4.0
# Matches ranked at first (then 8× deeper while too few pass the filters).
FIRST_DEPTH = 64


@dataclass(frozen=True, slots=True)
class SearchWord:
    """One word of a query: found where a token begins with `prefix` or equals one of `exact` (its
    stems). Tokens are letters and digits only."""

    prefix: str
    exact: tuple[str, ...] = ()


class GrantSearchIndex(Protocol):
    async def search(
        self,
        words: Sequence[SearchWord],
        filters: GrantFilters,
        *,
        match_all: bool,
        offset: int,
        limit: int,
    ) -> list[int]:
        """Ids of the open calls passing `filters` that contain every word (`match_all`) or any of
        them, most relevant first, then nearest deadline."""
        ...


class FTS5GrantIndex:
    """Ranks in FTS5 (bm25, in C, keeping only the best `depth` matches), then checks the filters on
    those calls only; when too few of them pass, or equally ranked matches may have been cut off at the
    depth, it looks deeper (8× each time) until the page is exact or every match was seen."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def search(
        self,
        words: Sequence[SearchWord],
        filters: GrantFilters,
        *,
        match_all: bool,
        offset: int,
        limit: int,
    ) -> list[int]:
        if not words:
            return []
        needed = offset + limit
        depth = max(needed * 8, FIRST_DEPTH)
        rank = func.round(func.bm25(literal_column("grants_fts"), TITLE_WEIGHT, 1.0), 2)
        match = literal_column("grants_fts").op("MATCH")(match_expression(words, match_all))
        while True:
            # One statement: the best `depth` matches (ranked inside FTS5, kept apart by the LIMIT),
            # each with its call's deadline and whether the call passes the filters.
            hits = (
                select(_fts.c.rowid.label("id"), rank.label("rank")).where(match).order_by(rank).limit(depth)
            )
            ranked = hits.subquery("hits")
            passes = and_(*open_calls(filters, by_deadline_index=False))
            rows = (
                await self.connection.execute(
                    select(ranked.c.id, ranked.c.rank, _grants.c.deadline, passes)
                    .select_from(ranked.join(_grants, _grants.c.id == ranked.c.id))
                    .order_by(ranked.c.rank)
                )
            ).all()
            seen_all = len(rows) < depth
            found = sorted(
                (float(score), deadline, int(grant_id)) for grant_id, score, deadline, ok in rows if ok
            )
            if seen_all or (len(found) >= needed and found[needed - 1][0] < float(rows[-1][1])):
                return [grant_id for _, _, grant_id in found[offset:needed]]
            depth *= 8


def match_expression(words: Sequence[SearchWord], match_all: bool) -> str:
    """FTS5's query: `("жаста"* OR "жас") AND (...)`."""
    groups = []
    for word in words:
        alternatives = [f'"{word.prefix}"*', *(f'"{stem}"' for stem in word.exact)]
        groups.append("(" + " OR ".join(alternatives) + ")")
    return (" AND " if match_all else " OR ").join(groups)


class LikeGrantIndex:
    """The fallback for databases without FTS5: LIKE over the normalized text, unranked."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def search(
        self,
        words: Sequence[SearchWord],
        filters: GrantFilters,
        *,
        match_all: bool,
        offset: int,
        limit: int,
    ) -> list[int]:
        if not words:
            return []
        text = literal(" ") + _grants.c.search_title + literal(" ") + _grants.c.search_body + literal(" ")
        groups: list[ColumnElement[bool]] = [
            or_(text.like(f"% {word.prefix}%"), *(text.like(f"% {stem} %") for stem in word.exact))
            for word in words
        ]
        statement = (
            select(_grants.c.id)
            .where(and_(*groups) if match_all else or_(*groups))
            .where(*open_calls(filters))
            .order_by(_grants.c.deadline, _grants.c.id)
            .offset(offset)
            .limit(limit)
        )
        return [int(grant_id) for grant_id in (await self.connection.execute(statement)).scalars()]


def search_index(connection: AsyncConnection) -> GrantSearchIndex:
    """The index this database has."""
    if connection.dialect.name == "sqlite":
        return FTS5GrantIndex(connection)
    return LikeGrantIndex(connection)
