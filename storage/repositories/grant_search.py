"""Full-text search over grant calls behind one small interface, `GrantSearchIndex`.

The service hands it normalized words (bot/search/text.py makes them; storage never imports bot) and the
filters; it answers with call ids, best first. Two implementations:

- `FTS5GrantIndex` (SQLite, the embedded default): the grants_fts FTS5 table (migration 0007), which
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
# More matches than any catalogue has: the bound only keeps SQLite from merging the match into the join.
MAX_HITS = 10_000_000


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
        # The full-text match runs first, on its own (a subquery with a LIMIT is not merged into the
        # join): else SQLite walks the open calls and asks the index about each one.
        hits = (
            select(
                _fts.c.rowid.label("id"),
                func.round(func.bm25(literal_column("grants_fts"), TITLE_WEIGHT, 1.0), 2).label("rank"),
            )
            .where(literal_column("grants_fts").op("MATCH")(match_expression(words, match_all)))
            .limit(MAX_HITS)
            .subquery("hits")
        )
        statement = (
            select(_grants.c.id)
            .select_from(hits.join(_grants, _grants.c.id == hits.c.id))
            .where(*open_calls(filters, by_deadline_index=False))
            .order_by(hits.c.rank, _grants.c.deadline, _grants.c.id)
            .offset(offset)
            .limit(limit)
        )
        return [int(grant_id) for grant_id in (await self.connection.execute(statement)).scalars()]


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
