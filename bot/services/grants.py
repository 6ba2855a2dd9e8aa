"""Grant calls: the catalogue NGOs browse and search, and the use cases that keep it.

Each public method is one use case: one unit of work. Reading the catalogue is for everyone set up;
changing it is for admins (the import CLI runs as the operator). What a call says is validated in
bot/services/grant_import.py, which the import and the admin's use cases share.

Search: a typed text is read as a question (bot/search/questions.py: region and sector filters plus
keywords), its keywords normalized (bot/search/text.py), and matched by the database's search index
(storage/repositories/grant_search.py) with all the filters; every word must match, and if nothing
does, any word may.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.grants import (
    AMOUNT_AT_LEAST,
    DEADLINE_WITHIN_DAYS,
    KIND_NAMES,
    GrantKind,
    GrantStatus,
    Sector,
)
from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.sectors import BUILT_IN, SectorCatalogue
from bot.i18n import Catalogs, Translator
from bot.search.questions import ReadQuestion, read_question
from bot.search.text import forms, index_text, words
from bot.services.admins import is_admin
from bot.services.grant_saves import RecordedChange, after_grant_changed, chosen_slots
from bot.services.grant_subscriptions import announce_new_calls
from bot.services.ngo_profiles import Viewer, viewer_of
from bot.services.paging import clamp_page
from bot.services.sectors import load_catalogue
from storage.database import Database
from storage.repositories.grant_search import SearchWord
from storage.repositories.grants import GrantFilters, GrantRecord
from storage.unit_of_work import UnitOfWork

PAGE_SIZE = 5
# A sector code in a button is at most this long ("x-<id>" or a built-in one).
SECTOR_CODE_MAX = 16
SEARCH_TEXT_MAX = 200
# Words of a search beyond these are not looked for (a pasted paragraph is not a query).
SEARCH_WORDS_MAX = 8
# The words behind a result's buttons are kept this long.
KEEP_SEARCHES = timedelta(days=7)
# What of a typed question's reading the user dropped with its buttons (`GrantQuery.dropped`, a bit
# mask): the amount, the deadline and the initiative groups it named, all its words, or one of its
# first WORDS_ONE_BY_ONE words (drop_word).
DROP_AMOUNT = 1
DROP_DAYS = 2
DROP_INITIATIVE_GROUPS = 4
DROP_WORDS = 8
WORDS_ONE_BY_ONE = 3
DROPPED_MAX = (16 << WORDS_ONE_BY_ONE) - 1


def drop_word(index: int) -> int:
    """The bit that drops a question's word (its first three have one each)."""
    return 16 << index if index < WORDS_ONE_BY_ONE else 0


class GrantProblem(StrEnum):
    """Why a use case refused: a code the views turn into a message in the user's language."""

    NO_SUCH_GRANT = "no_such_grant"
    NOT_ALLOWED = "not_allowed"
    STALE_SEARCH = "stale_search"  # the words behind a button are gone (pruned) or someone else's
    SEARCH_TOO_LONG = "search_too_long"
    SEARCH_EMPTY = "search_empty"
    BAD_FILTER = "bad_filter"
    DUPLICATE_EXTERNAL_ID = "duplicate_external_id"


class GrantError(ValueError):
    def __init__(self, problem: GrantProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class GrantQuery:
    """What the catalogue is asked: filters (None: any), a page, and the user's typed search (its id,
    0: none). Small enough for a button's data."""

    sector: str | None = None
    region: str | None = None
    # The most a call gives (else its least) is at least this, in tenge.
    amount_at_least: int | None = None
    # The deadline is within this many days from now.
    within_days: int | None = None
    search_id: int = 0
    page: int = 0
    # What of the typed search's reading is dropped (DROP_* bits).
    dropped: int = 0

    @property
    def has_filters(self) -> bool:
        return any(
            value is not None for value in (self.sector, self.region, self.amount_at_least, self.within_days)
        )

    def without_filters(self) -> GrantQuery:
        return GrantQuery(search_id=self.search_id)


@dataclass(frozen=True, slots=True)
class TypedFilters:
    """The filters a typed search named beyond region and sector, those not dropped: amounts in
    tenge, the deadline within so many days, calls initiative groups may apply to."""

    amount_at_least: int | None = None
    amount_at_most: int | None = None
    within_days: int | None = None
    initiative_groups: bool = False

    @property
    def has_any(self) -> bool:
        return (
            self.amount_at_least is not None
            or self.amount_at_most is not None
            or self.within_days is not None
            or self.initiative_groups
        )


def typed_filters(reading: ReadQuestion, dropped: int) -> TypedFilters:
    """The reading's amount, deadline and initiative groups, but for those dropped."""
    keep_amount = not dropped & DROP_AMOUNT
    return TypedFilters(
        amount_at_least=reading.amount_at_least if keep_amount else None,
        amount_at_most=reading.amount_at_most if keep_amount else None,
        within_days=None if dropped & DROP_DAYS else reading.within_days,
        initiative_groups=reading.initiative_groups and not dropped & DROP_INITIATIVE_GROUPS,
    )


def typed_keywords(reading: ReadQuestion, dropped: int) -> tuple[str, ...]:
    """The reading's words, but for those dropped."""
    if dropped & DROP_WORDS:
        return ()
    return tuple(word for index, word in enumerate(reading.keywords) if not dropped & drop_word(index))


def _tightest(*values: int | None, pick: Callable[[list[int]], int]) -> int | None:
    given = [value for value in values if value is not None]
    return pick(given) if given else None


@dataclass(frozen=True, slots=True)
class GrantPage:
    """One page of calls for a query, and how a typed search was read."""

    grants: list[GrantRecord]
    query: GrantQuery
    has_next: bool
    # The typed search as read (None when browsing), and the words looked for.
    reading: ReadQuestion | None = None
    keywords: tuple[str, ...] = ()
    # True when no call had every word and calls with any of them are shown.
    loosened: bool = False
    # The typed search's amount, deadline and initiative groups in force.
    typed: TypedFilters = TypedFilters()


@dataclass(frozen=True, slots=True)
class GrantChange:
    """A change to a call's deadline, amount or status, recorded for those who follow it."""

    grant_id: int
    field: str
    old_value: str | None
    new_value: str | None


@dataclass(frozen=True, slots=True)
class GrantDraft:
    """What a call says, validated (bot/services/grant_import.py builds these). Times are aware."""

    funder: str
    kind: GrantKind
    deadline: datetime
    how_to_apply: str
    title_kk: str | None = None
    title_ru: str | None = None
    summary_kk: str | None = None
    summary_ru: str | None = None
    # Sector codes: built-in (`Sector`) or added by an admin (bot/domain/sectors.py).
    sectors: tuple[str, ...] = ()
    # Empty: all of Kazakhstan.
    regions: tuple[str, ...] = ()
    amount_min: int | None = None
    amount_max: int | None = None
    eligibility_kk: str | None = None
    eligibility_ru: str | None = None
    legal_entity_only: bool = False
    ngo_database_required: bool = False
    youth_organizations: bool = False
    initiative_groups_allowed: bool = False
    source_url: str | None = None
    external_id: str | None = None
    # None: now.
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What an import did: calls added, updated and left as they were, and the changes to announce
    (a deadline or an amount that moved, a call reopened)."""

    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    changes: list[GrantChange] = field(default_factory=list)

    @property
    def changed_ids(self) -> list[int]:
        return list(dict.fromkeys(change.grant_id for change in self.changes))


def search_words(keywords: Sequence[str]) -> list[SearchWord]:
    """The keywords as the index is asked: each word's folded form as a prefix, or a stem exactly."""
    result = []
    for keyword in keywords:
        for word in words(keyword):
            word_forms = forms(word)
            result.append(SearchWord(word_forms.folded, word_forms.stems))
    return result[:SEARCH_WORDS_MAX]


def search_document(
    draft: GrantDraft, languages: Sequence[Translator], sectors: SectorCatalogue = BUILT_IN
) -> tuple[str, str]:
    """A call's words as the index keeps them: (titles and funder, everything else), with the names
    of its sectors (added ones too), regions and kind in every language, so that «спорт» or «Ақтөбе»
    find them too."""
    msgids = [
        *(REGIONS_BY_CODE[code].name for code in draft.regions),
        KIND_NAMES[draft.kind],
    ]
    sector_names = [name for code in draft.sectors for name in sectors.index_names(code, languages)]
    names = " ".join([*sector_names, *(t._(msgid) for t in languages for msgid in msgids)])
    title = index_text(draft.title_kk, draft.title_ru, draft.funder)
    body = index_text(draft.summary_kk, draft.summary_ru, draft.eligibility_kk, draft.eligibility_ru, names)
    return title, body


def _values(
    draft: GrantDraft, now: datetime, languages: Sequence[Translator], sectors: SectorCatalogue
) -> dict[str, object]:
    search_title, search_body = search_document(draft, languages, sectors)
    return {
        "external_id": draft.external_id,
        "title_kk": draft.title_kk,
        "title_ru": draft.title_ru,
        "summary_kk": draft.summary_kk,
        "summary_ru": draft.summary_ru,
        "funder": draft.funder,
        "kind": draft.kind.value,
        "amount_min": draft.amount_min,
        "amount_max": draft.amount_max,
        "deadline": draft.deadline,
        "eligibility_kk": draft.eligibility_kk,
        "eligibility_ru": draft.eligibility_ru,
        "legal_entity_only": draft.legal_entity_only,
        "ngo_database_required": draft.ngo_database_required,
        "youth_organizations": draft.youth_organizations,
        "initiative_groups_allowed": draft.initiative_groups_allowed,
        "how_to_apply": draft.how_to_apply,
        "source_url": draft.source_url,
        "status": (GrantStatus.OPEN if draft.deadline > now else GrantStatus.CLOSED).value,
        "published_at": draft.published_at or now,
        "search_title": search_title,
        "search_body": search_body,
    }


def _amount_text(amount_min: int | None, amount_max: int | None) -> str:
    return f"{'' if amount_min is None else amount_min}-{'' if amount_max is None else amount_max}"


@dataclass(frozen=True, slots=True)
class ReaderCard:
    """Everything a reader's card of a call depends on besides the call, read in one go: whether the
    reader is an admin, the questions published on it, whether the reader saved it and gets reminders
    (none chosen, or all muted: off), whether the reader marked it "not relevant" (`hidden`: the card
    says so and offers to show it again), the reader as an NGO (for the fit marks) and the sectors
    there are.
    Every handler that shows a reader a card reads this (GrantService.reader_card), so that no card
    leaves out a part."""

    grant: GrantRecord
    admin: bool
    published_questions: int
    saved: bool
    reminders_on: bool
    viewer: Viewer
    sectors: SectorCatalogue
    hidden: bool = False


class GrantService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        catalogs: Catalogs,
        admin_ids: Collection[int] = frozenset(),
        *,
        wake_sender: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.clock = clock
        # Sector, region and kind names are indexed in every language.
        self.languages = catalogs.all()
        self.tz = catalogs.tz
        self.admin_ids = frozenset(admin_ids)
        # Woken after a new call alerted its subscribers (bot/services/grant_subscriptions.py), or a
        # change to a saved call was announced to those who saved it (bot/services/grant_saves.py).
        self.wake_sender = wake_sender

    # Reading the catalogue

    async def get(self, grant_id: int) -> GrantRecord:
        """A call, open or closed (its card says which)."""
        async with self.database.reading() as uow:
            grant = await uow.grants.get(grant_id)
        if grant is None:
            raise GrantError(GrantProblem.NO_SUCH_GRANT)
        return grant

    async def reader_card(self, user_id: int, grant_id: int) -> ReaderCard:
        """A call as `user_id` reads it, with all that their card shows (see ReaderCard)."""
        async with self.database.reading() as uow:
            grant = await uow.grants.get(grant_id)
            if grant is None:
                raise GrantError(GrantProblem.NO_SUCH_GRANT)
            return ReaderCard(
                grant=grant,
                admin=await is_admin(uow, self.admin_ids, user_id),
                published_questions=await uow.grant_questions.published_count(grant_id),
                saved=await uow.grant_saves.is_saved(user_id, grant_id),
                reminders_on=bool(chosen_slots(await uow.grant_saves.settings(user_id))),
                viewer=await viewer_of(uow, user_id),
                sectors=await load_catalogue(uow),
                hidden=bool(await uow.grant_subscriptions.hidden(user_id, [grant_id])),
            )

    async def find(self, user_id: int, query: GrantQuery) -> GrantPage:
        """One page of open calls for the query: by relevance for a typed search, else by nearest
        deadline. A search id that is not the user's is refused."""
        _check_query(query)
        query = replace(query, page=clamp_page(query.page))
        now = self.clock.now()
        async with self.database.reading() as uow:
            # An added sector's button (retired ones too: an old list's buttons still work).
            if (
                query.sector is not None
                and query.sector not in Sector.__members__.values()
                and not (await load_catalogue(uow)).is_known(query.sector)
            ):
                raise GrantError(GrantProblem.BAD_FILTER)
            reading = None
            keywords: tuple[str, ...] = ()
            typed = TypedFilters()
            if query.search_id:
                text = await uow.grants.search_text(query.search_id, user_id)
                if text is None:
                    raise GrantError(GrantProblem.STALE_SEARCH)
                # «до конца декабря» is read against today in Almaty.
                reading = read_question(text, now.astimezone(self.tz).date())
                keywords = typed_keywords(reading, query.dropped)
                typed = typed_filters(reading, query.dropped)
                if reading.sector is not None and query.sector != reading.sector and reading.sector_word:
                    # The sector filter it named was dropped or changed: its word is searched for instead.
                    keywords = (*keywords, reading.sector_word)
            within_days = _tightest(query.within_days, typed.within_days, pick=min)
            filters = GrantFilters(
                now=now,
                sector=query.sector,
                region=query.region,
                amount_at_least=_tightest(query.amount_at_least, typed.amount_at_least, pick=max),
                amount_at_most=typed.amount_at_most,
                initiative_groups=typed.initiative_groups,
                deadline_before=now + timedelta(days=within_days) if within_days else None,
                hidden_for=user_id,
            )
            grants, has_next, loosened = await self._page(uow, keywords, filters, query.page)
            # A page past the end (an old "Later" after calls closed or were hidden): the page before,
            # when it has calls, else the first.
            if not grants and query.page > 0:
                for earlier in dict.fromkeys((query.page - 1, 0)):
                    grants, has_next, loosened = await self._page(uow, keywords, filters, earlier)
                    query = replace(query, page=earlier)
                    if grants:
                        break
        return GrantPage(grants, query, has_next, reading, keywords, loosened, typed)

    async def ask(self, user_id: int, text: str) -> GrantPage:
        """A typed search or question: read as filters plus words, kept for the result's buttons."""
        text = " ".join(text.split())
        if not words(text):
            raise GrantError(GrantProblem.SEARCH_EMPTY)
        if len(text) > SEARCH_TEXT_MAX:
            raise GrantError(GrantProblem.SEARCH_TOO_LONG)
        reading = read_question(text, self.clock.now().astimezone(self.tz).date())
        async with self.database.transaction() as uow:
            search_id = await uow.grants.add_search(user_id, text, now=self.clock.now())
        query = GrantQuery(
            sector=reading.sector.value if reading.sector else None,
            region=reading.region,
            search_id=search_id,
        )
        return await self.find(user_id, query)

    async def _page(
        self, uow: UnitOfWork, keywords: Sequence[str], filters: GrantFilters, page: int
    ) -> tuple[list[GrantRecord], bool, bool]:
        offset, limit = page * PAGE_SIZE, PAGE_SIZE + 1
        if not keywords:
            grants = await uow.grants.browse(filters, offset=offset, limit=limit)
            return grants[:PAGE_SIZE], len(grants) > PAGE_SIZE, False
        query_words = search_words(keywords)
        index = uow.grant_search
        ids = await index.search(query_words, filters, match_all=True, offset=offset, limit=limit)
        loosened = False
        if (
            len(query_words) > 1
            and not ids
            and (page == 0 or not await index.search(query_words, filters, match_all=True, offset=0, limit=1))
        ):
            loosened = True
            ids = await index.search(query_words, filters, match_all=False, offset=offset, limit=limit)
            # Said only of calls shown: none with any of the words is no loosened result.
            loosened = bool(ids)
        return await uow.grants.many(ids[:PAGE_SIZE]), len(ids) > PAGE_SIZE, loosened

    # Keeping the catalogue

    async def import_calls(self, drafts: Sequence[GrantDraft]) -> ImportOutcome:
        """Add or update calls by their external id, all in one transaction. A call whose deadline or
        amount changed, or that reopened, has the change recorded for its followers."""
        outcome = ImportOutcome()
        now = self.clock.now()
        announced = 0
        async with self.database.transaction() as uow:
            sectors = await load_catalogue(uow)
            # Locked (PostgreSQL): an admin's change at the same moment waits, or is waited for, and
            # each records its change against what the other left.
            known = await uow.grants.by_external_ids(
                [d.external_id for d in drafts if d.external_id], lock=True
            )
            new: list[tuple[dict[str, object], list[str], tuple[str, ...]]] = []
            for draft in drafts:
                _check_sectors(draft, sectors)
                values = _values(draft, now, self.languages, sectors)
                existing = known.get(draft.external_id or "")
                if existing is None:
                    new.append((values, [str(sector) for sector in draft.sectors], draft.regions))
                    continue
                updated = await _update(uow, existing, draft, values, now, self.tz)
                if updated is None:
                    outcome.unchanged.append(existing.id)
                    continue
                changes, written = updated
                announced += written
                outcome.updated.append(existing.id)
                outcome.changes.extend(changes)
            outcome.added.extend(await uow.grants.add_many(new, now=now))
            # Only the calls new to the catalogue reach subscribers: a re-import announces nothing.
            alerts = await announce_new_calls(uow, outcome.added, now=now)
        if announced or alerts:
            self.wake_sender()
        return outcome

    async def add(self, user_id: int, draft: GrantDraft) -> GrantRecord:
        """A new call in the catalogue, by an admin; its subscribers hear of it."""
        now = self.clock.now()
        async with self.database.transaction() as uow:
            await self._check_admin(uow, user_id)
            sectors = await load_catalogue(uow)
            _check_sectors(draft, sectors)
            grant_id = await uow.grants.add(
                sectors=[str(s) for s in draft.sectors],
                regions=draft.regions,
                now=now,
                **_values(draft, now, self.languages, sectors),
            )
            alerts = await announce_new_calls(uow, [grant_id], now=now)
            grant = await uow.grants.get(grant_id)
        if alerts:
            self.wake_sender()
        assert grant is not None  # noqa: S101 - just added
        return grant

    async def edit(
        self, user_id: int, grant_id: int, draft: GrantDraft
    ) -> tuple[GrantRecord, list[GrantChange]]:
        """Change a call, by an admin; a moved deadline or amount is recorded for its followers."""
        now = self.clock.now()
        async with self.database.transaction() as uow:
            await self._check_admin(uow, user_id)
            # Locked: a second admin's edit or close waits and then starts from this one's values, so
            # no change is recorded (and announced) twice or from a stale "old" value.
            existing = await uow.grants.get(grant_id, lock=True)
            if existing is None:
                raise GrantError(GrantProblem.NO_SUCH_GRANT)
            if draft.external_id is not None and draft.external_id != existing.external_id:
                taken = await uow.grants.by_external_ids([draft.external_id])
                if taken:
                    raise GrantError(GrantProblem.DUPLICATE_EXTERNAL_ID)
            sectors = await load_catalogue(uow)
            _check_sectors(draft, sectors)
            values = _values(draft, now, self.languages, sectors)
            updated = await _update(uow, existing, draft, values, now, self.tz)
            changes, announced = updated or ([], 0)
            grant = await uow.grants.get(grant_id)
        assert grant is not None  # noqa: S101 - it was there in this transaction
        if announced:
            self.wake_sender()
        return grant, changes

    async def is_admin(self, user_id: int) -> bool:
        async with self.database.reading() as uow:
            return await is_admin(uow, self.admin_ids, user_id)

    async def close(self, user_id: int, grant_id: int) -> GrantRecord:
        """Close a call before its deadline, by an admin (recorded as a change for its followers)."""
        now = self.clock.now()
        announced = 0
        async with self.database.transaction() as uow:
            await self._check_admin(uow, user_id)
            # Locked as in `edit`: of two admins closing it at once, the second finds it closed.
            grant = await uow.grants.get(grant_id, lock=True)
            if grant is None:
                raise GrantError(GrantProblem.NO_SUCH_GRANT)
            if grant.status == GrantStatus.OPEN:
                await uow.grants.update(grant_id, now=now, status=GrantStatus.CLOSED.value, closed_at=now)
                change_id = await uow.grants.record_change(
                    grant_id, "status", grant.status, GrantStatus.CLOSED, now=now
                )
                # Those who saved it hear of it; their reminders are dropped.
                change = RecordedChange(change_id, "status", grant.status, GrantStatus.CLOSED.value)
                announced = await after_grant_changed(uow, grant_id, [change], self.tz, now=now)
                grant = replace(grant, status=GrantStatus.CLOSED.value, closed_at=now)
        if announced:
            self.wake_sender()
        return grant

    async def close_past_deadline(self) -> int:
        """Close the open calls whose deadline has passed (a scan; safe to run twice). Not announced:
        those who saved a call were reminded of its deadline."""
        async with self.database.transaction() as uow:
            return await uow.grants.close_past_deadline(now=self.clock.now())

    async def prune_searches(self) -> int:
        """Forget typed searches older than a week (a scan): their result buttons say so then."""
        async with self.database.transaction() as uow:
            return await uow.grants.prune_searches(before=self.clock.now() - KEEP_SEARCHES)

    async def count(self) -> int:
        async with self.database.reading() as uow:
            return await uow.grants.count()

    async def _check_admin(self, uow: UnitOfWork, user_id: int) -> None:
        if not await is_admin(uow, self.admin_ids, user_id):
            raise GrantError(GrantProblem.NOT_ALLOWED)


def _check_sectors(draft: GrantDraft, sectors: SectorCatalogue) -> None:
    """The import and the form checked the codes against the catalogue they read; sectors are never
    deleted, so this fails only on a draft built elsewhere with a code nobody added."""
    unknown = [code for code in draft.sectors if not sectors.is_known(code)]
    if unknown or not draft.sectors:
        raise ValueError(f"unknown sectors {unknown!r}")


async def reindex_calls(uow: UnitOfWork, grant_ids: Sequence[int], languages: Sequence[Translator]) -> None:
    """Rewrite the search words of these calls (a sector of theirs was renamed), in the caller's unit
    of work; the search index follows its columns."""
    sectors = await load_catalogue(uow)
    for grant in await uow.grants.many(list(grant_ids)):
        title, body = search_document(draft_of(grant), languages, sectors)
        await uow.grants.set_search_text(grant.id, title, body)


def _check_query(query: GrantQuery) -> None:
    """Button data is the user's to forge: every filter must be one the views offer."""
    if (
        (query.sector is not None and len(query.sector) > SECTOR_CODE_MAX)
        or (query.region is not None and query.region not in REGIONS_BY_CODE)
        or (query.amount_at_least is not None and query.amount_at_least not in AMOUNT_AT_LEAST)
        or (query.within_days is not None and query.within_days not in DEADLINE_WITHIN_DAYS)
        or query.search_id < 0
        or not 0 <= query.dropped <= DROPPED_MAX
    ):
        raise GrantError(GrantProblem.BAD_FILTER)


async def _update(
    uow: UnitOfWork,
    existing: GrantRecord,
    draft: GrantDraft,
    values: dict[str, object],
    now: datetime,
    tz: ZoneInfo,
) -> tuple[list[GrantChange], int] | None:
    """Write the draft over the call (None when nothing differs), record the changes, re-plan the
    reminders of those who saved it and announce the changes to them; the changes and how many
    announcements were written."""
    if draft.published_at is None:
        values["published_at"] = existing.published_at
    if _same(existing, values, draft):
        return None
    if values["status"] == GrantStatus.CLOSED and existing.status == GrantStatus.CLOSED:
        values["closed_at"] = existing.closed_at
    elif values["status"] == GrantStatus.CLOSED:
        values["closed_at"] = now
    else:
        values["closed_at"] = None
    sectors = [str(sector) for sector in draft.sectors]
    await uow.grants.update(existing.id, sectors=sectors, regions=draft.regions, now=now, **values)
    changes = _changes(existing, draft, str(values["status"]))
    recorded = []
    for change in changes:
        change_id = await uow.grants.record_change(
            change.grant_id, change.field, change.old_value, change.new_value, now=now
        )
        recorded.append(RecordedChange(change_id, change.field, change.old_value, change.new_value))
    # Any change re-plans the reminders (a new title shows in them too); the recorded ones are told.
    announced = await after_grant_changed(uow, existing.id, recorded, tz, now=now)
    return changes, announced


def preview_record(draft: GrantDraft, now: datetime) -> GrantRecord:
    """A draft as its card would show it once saved (for the admins' preview)."""
    return GrantRecord(
        id=0,
        external_id=draft.external_id,
        title_kk=draft.title_kk,
        title_ru=draft.title_ru,
        summary_kk=draft.summary_kk,
        summary_ru=draft.summary_ru,
        funder=draft.funder,
        kind=draft.kind.value,
        amount_min=draft.amount_min,
        amount_max=draft.amount_max,
        deadline=draft.deadline,
        eligibility_kk=draft.eligibility_kk,
        eligibility_ru=draft.eligibility_ru,
        legal_entity_only=draft.legal_entity_only,
        ngo_database_required=draft.ngo_database_required,
        youth_organizations=draft.youth_organizations,
        initiative_groups_allowed=draft.initiative_groups_allowed,
        how_to_apply=draft.how_to_apply,
        source_url=draft.source_url,
        status=(GrantStatus.OPEN if draft.deadline > now else GrantStatus.CLOSED).value,
        published_at=draft.published_at or now,
        closed_at=None,
        sectors=tuple(str(sector) for sector in draft.sectors),
        regions=draft.regions,
    )


def draft_of(grant: GrantRecord) -> GrantDraft:
    """A call as a draft: what the admins' edit form starts from."""
    return GrantDraft(
        external_id=grant.external_id,
        title_kk=grant.title_kk,
        title_ru=grant.title_ru,
        summary_kk=grant.summary_kk,
        summary_ru=grant.summary_ru,
        funder=grant.funder,
        kind=GrantKind(grant.kind),
        sectors=grant.sectors,
        regions=grant.regions,
        amount_min=grant.amount_min,
        amount_max=grant.amount_max,
        deadline=grant.deadline,
        eligibility_kk=grant.eligibility_kk,
        eligibility_ru=grant.eligibility_ru,
        legal_entity_only=grant.legal_entity_only,
        ngo_database_required=grant.ngo_database_required,
        youth_organizations=grant.youth_organizations,
        initiative_groups_allowed=grant.initiative_groups_allowed,
        how_to_apply=grant.how_to_apply,
        source_url=grant.source_url,
        published_at=grant.published_at,
    )


def _same(existing: GrantRecord, values: dict[str, object], draft: GrantDraft) -> bool:
    return (
        all(getattr(existing, name) == value for name, value in values.items() if hasattr(existing, name))
        and set(existing.sectors) == {str(s) for s in draft.sectors}
        and set(existing.regions) == set(draft.regions)
    )


def _changes(existing: GrantRecord, draft: GrantDraft, status: str) -> list[GrantChange]:
    changes = []
    if existing.deadline != draft.deadline:
        changes.append(
            GrantChange(
                existing.id,
                "deadline",
                existing.deadline.astimezone(UTC).isoformat(),
                draft.deadline.astimezone(UTC).isoformat(),
            )
        )
    if (existing.amount_min, existing.amount_max) != (draft.amount_min, draft.amount_max):
        changes.append(
            GrantChange(
                existing.id,
                "amount",
                _amount_text(existing.amount_min, existing.amount_max),
                _amount_text(draft.amount_min, draft.amount_max),
            )
        )
    if existing.status != status:
        changes.append(GrantChange(existing.id, "status", existing.status, status))
    return changes
