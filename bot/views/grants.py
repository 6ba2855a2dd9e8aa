"""Grant calls as NGOs see them: the catalogue (nearest deadline first, or a search's best matches),
its filters, a call's card, and how a typed question was read. Button data carries ids and filter
codes only; the words of a search stay in the database (their id is on the buttons)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.collation import sorted_by_alphabet
from bot.domain.grants import (
    AMOUNT_AT_LEAST,
    DEADLINE_WITHIN_DAYS,
    ELIGIBILITY_NAMES,
    KIND_NAMES,
    Eligibility,
    GrantKind,
    GrantStatus,
    effective_status,
)
from bot.domain.ngo_profiles import grant_fit
from bot.domain.regions import REGIONS, REGIONS_BY_CODE
from bot.domain.sectors import BUILT_IN, SectorCatalogue
from bot.i18n import N_, Translator
from bot.services.grants import (
    DROP_AMOUNT,
    DROP_DAYS,
    DROP_INITIATIVE_GROUPS,
    DROP_WORDS,
    PAGE_SIZE,
    WORDS_ONE_BY_ONE,
    GrantPage,
    GrantProblem,
    GrantQuery,
    ReaderCard,
    drop_word,
)
from bot.services.ngo_profiles import Viewer
from bot.text import escape
from bot.views import View, button, with_notice
from bot.views.menu import Origin, back_button
from bot.views.ngo_profiles import fill_in_button, fill_in_hint_text, fit_line, fit_lines
from storage.repositories.grants import GrantRecord

# Amounts travel in button data in millions of tenge (the choices are whole millions).
MILLION = 1_000_000
# A title on a button is cut to this many characters, a typed word to this many.
BUTTON_TITLE_MAX = 48
BUTTON_WORD_MAX = 24


class GrantsAction(StrEnum):
    LIST = "l"
    CARD = "c"
    # The card as a NEW message, from a notice the bot sent (an alert, a digest, a reminder, a change,
    # a question or its answer): the notice and its buttons (🔕 Unsubscribe…) stay as they were.
    OPEN = "o"
    PICK_SECTOR = "ps"
    PICK_REGION = "pr"
    PICK_AMOUNT = "pa"
    PICK_DAYS = "pd"
    SEARCH = "s"
    # Save the call shown, or remove it from the saved calls (bot/services/grant_saves.py).
    SAVE = "sv"
    UNSAVE = "us"


class GrantsCallback(CallbackData, prefix="gr"):
    """A screen of the catalogue and the query it shows ("" and 0: no such filter)."""

    action: GrantsAction
    grant_id: int = 0
    sector: str = ""
    region: str = ""
    amount: int = 0  # millions of tenge
    days: int = 0
    search: int = 0
    page: int = 0
    # What of the typed search's reading is dropped (DROP_* bits of bot/services/grants.py).
    drop: int = 0


def query_of(data: GrantsCallback) -> GrantQuery:
    return GrantQuery(
        sector=data.sector or None,
        region=data.region or None,
        amount_at_least=data.amount * MILLION or None,
        within_days=data.days or None,
        search_id=data.search,
        page=data.page,
        dropped=data.drop,
    )


def grants_button(
    text: str, action: GrantsAction, query: GrantQuery, *, grant_id: int = 0, **changes: object
) -> InlineKeyboardButton:
    """A button to a screen for `query` with `changes` (sector=..., page=...)."""
    values: dict[str, object] = {
        "sector": query.sector or "",
        "region": query.region or "",
        "amount": (query.amount_at_least or 0) // MILLION,
        "days": query.within_days or 0,
        "search": query.search_id,
        "page": query.page,
        "drop": query.dropped,
    }
    values.update(changes)
    return button(text, GrantsCallback(action=action, grant_id=grant_id, **values))


def open_call_button(t: Translator, grant_id: int, label: str | None = None) -> InlineKeyboardButton:
    """📄 Open the call on a notice: the card comes as a new message below it."""
    data = GrantsCallback(action=GrantsAction.OPEN, grant_id=grant_id)
    return button(label or t._("📄 Open the call"), data)


def grant_title(t: Translator, grant: GrantRecord) -> str:
    """The title in the reader's language, else the other one."""
    own, other = (grant.title_ru, grant.title_kk) if t.locale == "ru" else (grant.title_kk, grant.title_ru)
    return escape(own or other or "")


def _in_language(t: Translator, kk: str | None, ru: str | None) -> str | None:
    text = (ru or kk) if t.locale == "ru" else (kk or ru)
    return escape(text) if text else None


def amount_text(t: Translator, grant: GrantRecord) -> str:
    return amounts_text(t, grant.amount_min, grant.amount_max)


def amounts_text(t: Translator, low: int | None, high: int | None) -> str:
    """ "1 000 000 ₸ – 3 000 000 ₸", "up to …", "from …", or "amount not stated"."""
    if low is not None and high is not None and low != high:
        return t._("%(low)s – %(high)s") % {"low": t.money(low), "high": t.money(high)}
    if high is not None:
        return t._("up to %(amount)s") % {"amount": t.money(high)}
    if low is not None:
        return t._("from %(amount)s") % {"amount": t.money(low)}
    return t._("amount not stated")


def time_left_text(t: Translator, deadline: datetime, now: datetime) -> str:
    """ "14 days left", "5 hours left", pluralized; "closed" once the deadline has passed."""
    left = deadline - now
    if left <= timedelta(0):
        return t._("closed")
    if left < timedelta(days=1):
        hours = math.ceil(left / timedelta(hours=1))
        return t.ngettext("%(count)d hour left", "%(count)d hours left", hours) % {"count": hours}
    days = left.days
    return t.ngettext("%(count)d day left", "%(count)d days left", days) % {"count": days}


def region_name(t: Translator, code: str) -> str:
    return t._(REGIONS_BY_CODE[code].name) if code in REGIONS_BY_CODE else code


def _regions_text(t: Translator, grant: GrantRecord) -> str:
    if not grant.regions:
        return t._("all of Kazakhstan")
    names = sorted_by_alphabet((region_name(t, code) for code in grant.regions), str, t.locale)
    return ", ".join(escape(name) for name in names)


def filters_text(t: Translator, query: GrantQuery, sectors: SectorCatalogue = BUILT_IN) -> str | None:
    """The filters in force, one line; None without any."""
    parts = []
    if query.sector:
        parts.append(t._("sector: %(sector)s") % {"sector": sectors.name(t, query.sector)})
    if query.region:
        parts.append(t._("region: %(region)s") % {"region": escape(region_name(t, query.region))})
    if query.amount_at_least:
        parts.append(t._("amount from %(amount)s") % {"amount": t.money(query.amount_at_least)})
    if query.within_days:
        parts.append(
            t.ngettext("deadline within %(count)d day", "deadline within %(count)d days", query.within_days)
            % {"count": query.within_days}
        )
    return t._("Filters: %(filters)s") % {"filters": " · ".join(parts)} if parts else None


def grants_list_view(
    t: Translator,
    page: GrantPage,
    now: datetime,
    viewer: Viewer | None = None,
    sectors: SectorCatalogue = BUILT_IN,
) -> View:
    """The page; for an approved NGO (`viewer`) each call marked by its profile, or a hint to fill one.
    `sectors`: the sectors there are, to name them."""
    query = page.query
    profile = viewer.profile if viewer is not None else None
    lines = []
    if page.reading is None:
        lines.append(t._("💰 <b>Open grant calls</b>, nearest deadline first"))
    else:
        lines.append(t._("🔎 <b>Grant search</b>"))
        lines.append(_reading_text(t, page, sectors))
    filters = filters_text(t, query, sectors)
    if filters:
        lines.append(filters)
    if page.loosened and page.grants:
        lines.append(t._("No call has all of these words; these have some of them."))
    rows: list[list[InlineKeyboardButton]] = []
    if viewer is not None and viewer.ngo and profile is None and page.grants:
        lines.append(fill_in_hint_text(t))
    if not page.grants:
        lines += ["", _nothing_found_text(t, page)]
    for number, grant in enumerate(page.grants, query.page * PAGE_SIZE + 1):
        lines += [
            "",
            f"{number}. <b>{grant_title(t, grant)}</b>",
            t._("%(amount)s · until %(deadline)s · %(left)s")
            % {
                "amount": amount_text(t, grant),
                "deadline": t.date(grant.deadline),
                "left": time_left_text(t, grant.deadline, now),
            },
        ]
        if profile is not None:
            lines.append(fit_line(t, profile, grant_fit(profile, grant), sectors))
        title = grant_title(t, grant)
        label = title if len(title) <= BUTTON_TITLE_MAX else title[: BUTTON_TITLE_MAX - 1] + "…"
        rows.append([grants_button(f"{number}. {label}", GrantsAction.CARD, query, grant_id=grant.id)])
    paging = []
    if query.page > 0:
        paging.append(grants_button(t._("⬅️ Earlier"), GrantsAction.LIST, query, page=query.page - 1))
    if page.has_next:
        paging.append(grants_button(t._("Later ➡️"), GrantsAction.LIST, query, page=query.page + 1))
    if paging:
        rows.append(paging)
    if viewer is not None and viewer.ngo and profile is None and page.grants:
        rows.append([fill_in_button(t)])
    rows += _adjust_rows(t, page)
    rows.append(
        [
            grants_button(t._("🏷 Sector"), GrantsAction.PICK_SECTOR, query),
            grants_button(t._("📍 Region"), GrantsAction.PICK_REGION, query),
        ]
    )
    rows.append(
        [
            grants_button(t._("💵 Amount"), GrantsAction.PICK_AMOUNT, query),
            grants_button(t._("⏳ Deadline"), GrantsAction.PICK_DAYS, query),
        ]
    )
    rows.append([grants_button(t._("🔎 Search"), GrantsAction.SEARCH, query)])
    rows.append([saved_calls_button(t), _alerts_button(t)])
    rows.append([back_button(t, Origin.MENU)])
    return View("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def saved_calls_button(t: Translator) -> InlineKeyboardButton:
    from bot.views.grant_saves import SavedAction, SavedCallback  # it imports this module's helpers

    return button(t._("📂 My saved calls"), SavedCallback(action=SavedAction.LIST))


def _alerts_button(t: Translator) -> InlineKeyboardButton:
    # The subscription's buttons live with their screen (bot/views/grant_subscriptions.py).
    from bot.views.grant_subscriptions import SubscriptionAction, subscription_button

    return subscription_button(t._("🔔 Alerts"), SubscriptionAction.SHOW)


def _reading_text(t: Translator, page: GrantPage, sectors: SectorCatalogue) -> str:
    """How the typed text was read: its filters and the words looked for."""
    reading = page.reading
    assert reading is not None  # noqa: S101 - a search page
    parts = []
    if reading.region:
        parts.append(t._("region: %(region)s") % {"region": escape(region_name(t, reading.region))})
    if reading.sector:
        parts.append(t._("sector: %(sector)s") % {"sector": sectors.name(t, reading.sector)})
    typed = page.typed
    if typed.amount_at_least is not None or typed.amount_at_most is not None:
        amount = amounts_text(t, typed.amount_at_least, typed.amount_at_most)
        parts.append(t._("amount: %(amount)s") % {"amount": amount})
    if typed.within_days is not None:
        parts.append(
            t.ngettext("deadline within %(count)d day", "deadline within %(count)d days", typed.within_days)
            % {"count": typed.within_days}
        )
    if typed.initiative_groups:
        parts.append(t._("only calls initiative groups may apply to"))
    if page.keywords:
        parts.append(t._("words: %(words)s") % {"words": escape(" ".join(page.keywords))})
    if not parts:
        return t._("Understood as: all open calls.")
    return t._("Understood as: %(reading)s.") % {"reading": "; ".join(parts)}


def _adjust_rows(t: Translator, page: GrantPage) -> list[list[InlineKeyboardButton]]:
    """Buttons that drop a filter: the ones a question set (and its words), and every filter when
    nothing was found."""
    query = page.query
    reading = page.reading
    typed = page.typed
    buttons = []
    if query.region and (not page.grants or (reading is not None and reading.region == query.region)):
        buttons.append(grants_button(t._("✖️ Without region"), GrantsAction.LIST, query, region="", page=0))
    if query.sector and (not page.grants or (reading is not None and reading.sector == query.sector)):
        buttons.append(grants_button(t._("✖️ Without sector"), GrantsAction.LIST, query, sector="", page=0))
    drop = query.dropped
    if (not page.grants and query.amount_at_least) or typed.amount_at_least or typed.amount_at_most:
        buttons.append(
            grants_button(
                t._("✖️ Any amount"), GrantsAction.LIST, query, amount=0, drop=drop | DROP_AMOUNT, page=0
            )
        )
    if (not page.grants and query.within_days) or typed.within_days:
        buttons.append(
            grants_button(
                t._("✖️ Any deadline"), GrantsAction.LIST, query, days=0, drop=drop | DROP_DAYS, page=0
            )
        )
    if typed.initiative_groups:
        drop_groups = drop | DROP_INITIATIVE_GROUPS
        label = t._("✖️ Not only for initiative groups")
        buttons.append(grants_button(label, GrantsAction.LIST, query, drop=drop_groups, page=0))
    buttons += _word_buttons(t, page)
    rows = [buttons[index : index + 2] for index in range(0, len(buttons), 2)]
    if not page.grants and query.search_id:
        rows.append([grants_button(t._("💰 All open calls"), GrantsAction.LIST, GrantQuery())])
    return rows


def _word_buttons(t: Translator, page: GrantPage) -> list[InlineKeyboardButton]:
    """A button to drop each of the typed words (the first three), or all of them when there are more."""
    reading, query = page.reading, page.query
    if reading is None or not page.keywords:
        return []
    shown = [
        (index, word)
        for index, word in enumerate(reading.keywords)
        if not query.dropped & (DROP_WORDS | drop_word(index))
    ]
    if not shown:  # only the word of a dropped sector is looked for
        return []
    if len(reading.keywords) > WORDS_ONE_BY_ONE:
        label = t._("✖️ Without the words")
        return [grants_button(label, GrantsAction.LIST, query, drop=query.dropped | DROP_WORDS, page=0)]
    buttons = []
    for index, word in shown:
        cut = word if len(word) <= BUTTON_WORD_MAX else word[: BUTTON_WORD_MAX - 1] + "…"
        label = t._("✖️ «%(word)s»") % {"word": cut}
        drop = query.dropped | drop_word(index)
        buttons.append(grants_button(label, GrantsAction.LIST, query, drop=drop, page=0))
    return buttons


def _nothing_found_text(t: Translator, page: GrantPage) -> str:
    if page.query.has_filters or page.typed.has_any:
        return t._("No open call matches. Widen the filters with the buttons below.")
    if page.query.search_id:
        return t._("No open call matches these words. Try other words, or see all open calls.")
    return t._("There are no open grant calls now. Look again later.")


def grant_card_view(
    t: Translator,
    grant: GrantRecord,
    now: datetime,
    query: GrantQuery,
    *,
    admin: bool = False,
    published_questions: int = 0,
    saved: bool | None = None,
    reminders_on: bool = True,
    hide: bool = False,
    hidden: bool = False,
    viewer: Viewer | None = None,
    sectors: SectorCatalogue = BUILT_IN,
) -> View:
    """A call's card; `published_questions`: how many questions with answers an admin put on it;
    `saved`: whether the reader saved it (None: no save button, as in a preview), `reminders_on`:
    whether the reader gets deadline reminders (some chosen, not muted); with `hide`, an open
    call has a "Not relevant" button (a reader's card), or, `hidden` (the reader marked it so), says
    so and has "Show again"; for an approved NGO (`viewer`) marked by its
    profile with every reason, or a hint to fill one in."""
    status = effective_status(grant.status, grant.deadline, now)
    lines = [
        f"<b>{grant_title(t, grant)}</b>",
        t._("Funder: %(funder)s") % {"funder": escape(grant.funder)},
        t._("Kind: %(kind)s") % {"kind": t._(KIND_NAMES[GrantKind(grant.kind)])},
        t._("Sectors: %(sectors)s") % {"sectors": sectors.names(t, grant.sectors)},
        t._("Regions: %(regions)s") % {"regions": _regions_text(t, grant)},
        t._("Amount: %(amount)s") % {"amount": amount_text(t, grant)},
    ]
    if status is GrantStatus.OPEN:
        lines.append(
            t._("Deadline: %(deadline)s (%(left)s)")
            % {"deadline": t.date_time(grant.deadline), "left": time_left_text(t, grant.deadline, now)}
        )
    else:
        lines.append(t._("🔒 Closed: applications are no longer accepted."))
    profile = viewer.profile if viewer is not None else None
    if profile is not None:
        lines += ["", *fit_lines(t, profile, grant_fit(profile, grant), sectors)]
    elif viewer is not None and viewer.ngo:
        lines += ["", fill_in_hint_text(t)]
    summary = _in_language(t, grant.summary_kk, grant.summary_ru)
    if summary:
        lines += ["", summary]
    flags = [
        t._(ELIGIBILITY_NAMES[flag])
        for flag, on in (
            (Eligibility.LEGAL_ENTITY, grant.legal_entity_only),
            (Eligibility.NGO_DATABASE, grant.ngo_database_required),
            (Eligibility.YOUTH_ORGANIZATION, grant.youth_organizations),
            (Eligibility.INITIATIVE_GROUPS, grant.initiative_groups_allowed),
        )
        if on
    ]
    eligibility = _in_language(t, grant.eligibility_kk, grant.eligibility_ru)
    if flags or eligibility:
        lines += ["", t._("<b>Who may apply</b>")]
        lines += [f"• {flag}" for flag in flags]
        if eligibility:
            lines.append(eligibility)
    lines += ["", t._("<b>How to apply:</b> %(how)s") % {"how": escape(grant.how_to_apply)}]
    if grant.source_url:
        lines.append(t._("Source: %(link)s") % {"link": escape(grant.source_url)})
    lines.append(t._("Published: %(date)s") % {"date": t.date(grant.published_at)})
    is_open = status is GrantStatus.OPEN
    rows: list[list[InlineKeyboardButton]] = []
    # Top down: what the reader does with the call, then asking about it, then "not for me", then back.
    if saved:
        if reminders_on:
            lines.append(t._("⭐ In your saved calls: reminders come before the deadline."))
        else:
            lines.append(reminders_off_text(t))
        toggle = grants_button(t._("✖️ Remove from saved"), GrantsAction.UNSAVE, query, grant_id=grant.id)
        rows.append([toggle, saved_calls_button(t)])
    elif saved is not None:
        save = grants_button(t._("⭐ Save and remind me"), GrantsAction.SAVE, query, grant_id=grant.id)
        rows.append([save, saved_calls_button(t)] if is_open else [saved_calls_button(t)])
    if grant.id:  # not on a preview
        from bot.views.grant_questions import card_rows  # the questions' buttons live with their dialog

        rows += card_rows(t, grant, is_open, published_questions)
    if hide and hidden:
        from bot.views.grant_subscriptions import SubscriptionAction, subscription_button

        lines.append(hidden_on_card_text(t))
        rows.append([subscription_button(t._("👁 Show again"), SubscriptionAction.UNHIDE, grant_id=grant.id)])
    elif hide and is_open:
        from bot.views.grant_subscriptions import SubscriptionAction, subscription_button

        rows.append([subscription_button(t._("🙈 Not relevant"), SubscriptionAction.HIDE, grant_id=grant.id)])
    if viewer is not None and viewer.ngo and profile is None:
        rows.append([fill_in_button(t)])
    rows += [[grants_button(t._("⬅️ Grant calls"), GrantsAction.LIST, query)], [back_button(t, Origin.MENU)]]
    if admin:
        from bot.views.grant_admin import admin_row  # the admins' buttons live with their dialog

        rows.insert(0, admin_row(t, grant, is_open))
    return View("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def reader_card_view(
    t: Translator, card: ReaderCard, now: datetime, query: GrantQuery, notice: str | None = None
) -> View:
    """The card as its reader sees it, whichever screen it is opened or redrawn from: save or remove,
    reminders on or off, questions, 🙈 Not relevant (or, hidden, 👁 Show again), the fit marks or the
    hint to fill the NGO profile."""
    view = grant_card_view(
        t,
        card.grant,
        now,
        query,
        admin=card.admin,
        published_questions=card.published_questions,
        saved=card.saved,
        reminders_on=card.reminders_on,
        hide=True,
        hidden=card.hidden,
        viewer=card.viewer,
        sectors=card.sectors,
    )
    return with_notice(view, notice)


def hidden_on_card_text(t: Translator) -> str:
    """On the card of a call the reader marked "not relevant"."""
    return t._("🙈 You marked this call not relevant: it is hidden from your lists, searches and alerts.")


def reminders_off_text(t: Translator) -> str:
    """On the card of a saved call and after saving one, while no reminder would come."""
    return t._("⭐ In your saved calls. Reminders are off: turn them on in 📂 My saved calls → 🔔 Reminders.")


def _picker(
    t: Translator, heading: str, choices: list[InlineKeyboardButton], query: GrantQuery, width: int = 2
) -> View:
    rows = [choices[index : index + width] for index in range(0, len(choices), width)]
    rows.append([grants_button(t._("⬅️ Back"), GrantsAction.LIST, query)])
    return View(heading, InlineKeyboardMarkup(inline_keyboard=rows))


def sector_picker_view(t: Translator, query: GrantQuery, sectors: SectorCatalogue = BUILT_IN) -> View:
    """Every sector offered (built-in and added ones), in the reader's alphabet, «Other» last."""
    choices = [grants_button(t._("Any sector"), GrantsAction.LIST, query, sector="", page=0)]
    choices += [
        grants_button(label, GrantsAction.LIST, query, sector=code, page=0)
        for code, label in sectors.choices(t)
    ]
    return _picker(t, t._("🏷 Which sector?"), choices, query)


def region_picker_view(t: Translator, query: GrantQuery) -> View:
    regions = sorted_by_alphabet(REGIONS, lambda region: t._(region.name), t.locale)
    choices = [grants_button(t._("All regions"), GrantsAction.LIST, query, region="", page=0)]
    choices += [
        grants_button(t._(region.name), GrantsAction.LIST, query, region=region.code, page=0)
        for region in regions
    ]
    text = t._("📍 Which region? Calls for all of Kazakhstan are shown with every region.")
    return _picker(t, text, choices, query)


def amount_picker_view(t: Translator, query: GrantQuery) -> View:
    # A choice here replaces the amount a typed search named.
    drop = query.dropped | DROP_AMOUNT
    choices = [grants_button(t._("Any amount"), GrantsAction.LIST, query, amount=0, drop=drop, page=0)]
    choices += [
        grants_button(
            t._("from %(amount)s") % {"amount": t.money(amount)},
            GrantsAction.LIST,
            query,
            amount=amount // MILLION,
            drop=drop,
            page=0,
        )
        for amount in AMOUNT_AT_LEAST
    ]
    return _picker(t, t._("💵 How much at least?"), choices, query)


def days_picker_view(t: Translator, query: GrantQuery) -> View:
    # A choice here replaces the deadline a typed search named.
    drop = query.dropped | DROP_DAYS
    choices = [grants_button(t._("Any deadline"), GrantsAction.LIST, query, days=0, drop=drop, page=0)]
    choices += [
        grants_button(
            t.ngettext("within %(count)d day", "within %(count)d days", days) % {"count": days},
            GrantsAction.LIST,
            query,
            days=days,
            drop=drop,
            page=0,
        )
        for days in DEADLINE_WITHIN_DAYS
    ]
    return _picker(t, t._("⏳ Deadline within how many days?"), choices, query)


def search_prompt_view(t: Translator, query: GrantQuery) -> View:
    text = t._(
        "🔎 Send the words to look for, or a question, in Kazakh or Russian. For example: "
        "«жастар Ақтөбе», «Ақтөбедегі жастар ұйымдарына грант бар ма?», "
        "«гранты для молодежных НПО в Актобе»."
    )
    back = grants_button(t._("⬅️ Grant calls"), GrantsAction.LIST, query)
    return View(text, InlineKeyboardMarkup(inline_keyboard=[[back]]))


def small_talk_view(t: Translator) -> View:
    """The answer to an approved NGO's greeting or thanks typed outside a dialog: how to search."""
    text = t._(
        "🙂 Hello! To find grant calls, just type what you are looking for, for example: "
        "«жастар Ақтөбе», «гранты до 5 млн для школ в течение месяца». Send /menu for everything else."
    )
    return View(
        text,
        InlineKeyboardMarkup(
            inline_keyboard=[[grants_button(t._("💰 Grant calls"), GrantsAction.LIST, GrantQuery())]]
        ),
    )


_REFUSALS = {
    GrantProblem.NO_SUCH_GRANT: N_("This grant call is not available."),
    GrantProblem.STALE_SEARCH: N_("This search is out of date. Search again."),
    GrantProblem.SEARCH_TOO_LONG: N_("That is too long for a search: up to 200 characters, please."),
    GrantProblem.SEARCH_EMPTY: N_("Send words to look for: letters or digits."),
    GrantProblem.BAD_FILTER: N_("This button is out of date. Send /menu."),
    GrantProblem.NOT_ALLOWED: N_("Only admins can do this."),
    GrantProblem.DUPLICATE_EXTERNAL_ID: N_("Another call already has this external_id."),
}


def grant_refusal_text(t: Translator, problem: GrantProblem) -> str:
    return t._(_REFUSALS[problem])


def text_expected_text(t: Translator) -> str:
    return t._("Please send the words as text.")
