"""Questions about grant calls as everyone sees them: the card's Ask and Q&A buttons, the asker's dialog,
a question as each admin gets it and the answer as the asker gets it (rendered by the sender in the
recipient's language), the admins' answer dialog and list, and the Q&A published on a card."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import N_, Translator
from bot.services.grant_questions import (
    ANSWER_MAX,
    OPEN_PER_CALL,
    PUBLISHED_PAGE,
    QUESTION_MAX,
    PublishedPage,
    QuestionDetails,
    QuestionProblem,
    Unanswered,
)
from bot.text import escape
from bot.views import View, button
from bot.views.grants import GrantsAction, GrantsCallback, grant_title, open_call_button
from storage.repositories.grants import GrantRecord

# A question on the admins' list is cut to this many characters (the whole is in the answer dialog).
LIST_QUESTION_MAX = 150


class QuestionAction(StrEnum):
    ASK = "a"
    CANCEL = "c"
    LIST = "l"  # the questions published on a card
    ANSWER = "r"
    PUBLISH = "p"
    UNPUBLISH = "u"
    # 🙈 Take N off on the published list: the list (its page) is shown again without it.
    UNPUBLISH_LISTED = "ul"
    UNANSWERED = "n"


class QuestionCallback(CallbackData, prefix="gq"):
    action: QuestionAction
    grant_id: int = 0
    question_id: int = 0
    page: int = 0


def _title(t: Translator, kk: object, ru: object) -> str:
    own, other = (ru, kk) if t.locale == "ru" else (kk, ru)
    return escape(str(own or other or ""))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def card_button(t: Translator, grant_id: int, *, new_message: bool = False) -> InlineKeyboardButton:
    """📄 Open the call: in place of this screen, or (`new_message`, on a notice the bot sent) below it."""
    if new_message:
        return open_call_button(t, grant_id)
    return button(t._("📄 Open the call"), GrantsCallback(action=GrantsAction.CARD, grant_id=grant_id))


def card_rows(
    t: Translator, grant: GrantRecord, is_open: bool, published: int
) -> list[list[InlineKeyboardButton]]:
    """The card's buttons for questions: Ask while the call is open, and the published ones, counted."""
    rows = []
    if published:
        label = t._("💬 Questions and answers (%(count)d)") % {"count": published}
        rows.append([button(label, QuestionCallback(action=QuestionAction.LIST, grant_id=grant.id))])
    if is_open:
        ask = t._("❓ Ask a question")
        rows.append([button(ask, QuestionCallback(action=QuestionAction.ASK, grant_id=grant.id))])
    return rows


# The asker's dialog


def ask_prompt_view(t: Translator, grant: GrantRecord) -> View:
    text = t._(
        "❓ Your question about «%(title)s»: send it in one message, up to %(limit)d characters. "
        "The admins will answer here, in this chat."
    ) % {"title": grant_title(t, grant), "limit": QUESTION_MAX}
    text += "\n" + t._(
        "An admin may also put the question and the answer on the call's card for everyone, without "
        "your name."
    )
    cancel = button(t._("❌ Cancel"), QuestionCallback(action=QuestionAction.CANCEL, grant_id=grant.id))
    return View(text, InlineKeyboardMarkup(inline_keyboard=[[cancel]]))


def asked_view(t: Translator, grant: GrantRecord, *, admins_told: int | None = None) -> View:
    """`admins_told` 0: the asker is the only admin, and nobody else heard of the question."""
    if admins_told == 0:
        text = t._(
            "✅ Your question about «%(title)s» is kept, but no other admin was told: you are the only "
            "one. It waits in /questions."
        )
    else:
        text = t._(
            "✅ Your question about «%(title)s» has gone to the admins. Their answer will come in this chat."
        )
    return View(
        text % {"title": grant_title(t, grant)},
        InlineKeyboardMarkup(inline_keyboard=[[card_button(t, grant.id)]]),
    )


def question_as_text_text(t: Translator) -> str:
    return t._("Please send the question as text, in one message.")


def answer_as_text_text(t: Translator) -> str:
    return t._("Please send the answer as text, in one message.")


def cancelled_view(t: Translator, grant_id: int) -> View:
    rows = [[card_button(t, grant_id)]] if grant_id else []
    return View(t._("Cancelled."), InlineKeyboardMarkup(inline_keyboard=rows) if rows else None)


# Through the outbox


def _who(name: object, username: object) -> str:
    shown = escape(str(name or "—"))
    return f"{shown} (@{escape(str(username))})" if username else shown


def grant_question_view(t: Translator, params: Mapping[str, Any]) -> View:
    """To each admin: who asks what about which call, with Answer."""
    text = "\n".join(
        [
            t._("❓ <b>A question about a grant call</b>"),
            t._("Call: «%(title)s»") % {"title": _title(t, params.get("title_kk"), params.get("title_ru"))},
            t._("From: %(who)s") % {"who": _who(params.get("name"), params.get("username"))},
            "",
            escape(str(params.get("question") or "")),
        ]
    )
    question_id, grant_id = int(params["question_id"]), int(params["grant_id"])
    answer = button(t._("✍️ Answer"), QuestionCallback(action=QuestionAction.ANSWER, question_id=question_id))
    card = card_button(t, grant_id, new_message=True)
    return View(text, InlineKeyboardMarkup(inline_keyboard=[[answer], [card]]))


def grant_answer_view(t: Translator, params: Mapping[str, Any]) -> View:
    """To the asker: their question, the admins' answer, and the way back to the call."""
    text = "\n".join(
        [
            t._("💬 <b>An answer to your question</b>"),
            t._("Call: «%(title)s»") % {"title": _title(t, params.get("title_kk"), params.get("title_ru"))},
            "",
            t._("❓ You asked: %(question)s") % {"question": escape(str(params.get("question") or ""))},
            "",
            t._("💬 Answer: %(answer)s") % {"answer": escape(str(params.get("answer") or ""))},
        ]
    )
    card = card_button(t, int(params["grant_id"]), new_message=True)
    return View(text, InlineKeyboardMarkup(inline_keyboard=[[card]]))


# The admins' side


def answer_prompt_view(t: Translator, details: QuestionDetails) -> View:
    text = "\n".join(
        [
            t._("✍️ The question about «%(title)s» (from %(who)s):")
            % {
                "title": grant_title(t, details.grant),
                "who": _who(details.asker_name, details.asker_username),
            },
            "",
            escape(details.question.question),
            "",
            t._("Send your answer in one message, up to %(limit)d characters: the asker will get it.")
            % {"limit": ANSWER_MAX},
        ]
    )
    cancel = button(t._("❌ Cancel"), QuestionCallback(action=QuestionAction.CANCEL))
    return View(text, InlineKeyboardMarkup(inline_keyboard=[[cancel]]))


def answered_view(t: Translator, details: QuestionDetails, notice: str | None = None) -> View:
    """A question with its answer, for an admin, with Publish on the card (or Take it off)."""
    question = details.question
    lines = [notice, ""] if notice else []
    lines += [
        t._("Call: «%(title)s»") % {"title": grant_title(t, details.grant)},
        "❓ " + escape(question.question),
        "💬 " + escape(question.answer or ""),
    ]
    if question.answered_at is not None:
        who = details.answerer_name or str(question.answered_by)
        lines.append(
            t._("Answered by %(who)s, %(when)s.")
            % {"who": escape(who), "when": t.date_time(question.answered_at)}
        )
    if question.published_at is not None:
        lines.append(t._("📌 Shown on the call's card."))
        toggle = button(
            t._("🙈 Take off the card"),
            QuestionCallback(action=QuestionAction.UNPUBLISH, question_id=question.id),
        )
    else:
        toggle = button(
            t._("📌 Publish on the card"),
            QuestionCallback(action=QuestionAction.PUBLISH, question_id=question.id),
        )
    rows = [[toggle], [card_button(t, details.grant.id)]]
    return View("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


def answer_sent_text(t: Translator) -> str:
    return t._("✅ The answer is on its way to the asker.")


def published_text(t: Translator, published: bool) -> str:
    return t._("📌 Published on the card.") if published else t._("🙈 Taken off the card.")


def already_answered_text(t: Translator, details: QuestionDetails | None) -> str:
    if details is None or details.question.answered_by is None:
        return t._("This question has been answered already.")
    who = details.answerer_name or str(details.question.answered_by)
    return t._("This question has been answered already, by %(who)s.") % {"who": escape(who)}


def unanswered_view(t: Translator, unanswered: Unanswered) -> View:
    if not unanswered.questions:
        return View(t._("No question is waiting for an answer."))
    lines = [
        t.ngettext(
            "❓ <b>%(count)d question waits for an answer</b>, the oldest first:",
            "❓ <b>%(count)d questions wait for an answer</b>, the oldest first:",
            unanswered.total,
        )
        % {"count": unanswered.total}
    ]
    buttons = []
    for number, details in enumerate(unanswered.questions, 1):
        lines += [
            "",
            f"{number}. <b>{grant_title(t, details.grant)}</b>",
            t._("%(date)s: %(question)s")
            % {
                "date": t.date(details.question.asked_at),
                "question": escape(_cut(details.question.question, LIST_QUESTION_MAX)),
            },
        ]
        buttons.append(
            button(
                t._("✍️ Answer %(number)d") % {"number": number},
                QuestionCallback(action=QuestionAction.ANSWER, question_id=details.question.id),
            )
        )
    rows = [buttons[index : index + 3] for index in range(0, len(buttons), 3)]
    rows.append([button(t._("🔄 Refresh"), QuestionCallback(action=QuestionAction.UNANSWERED))])
    return View("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


# On the card


def published_view(t: Translator, page: PublishedPage) -> View:
    """The questions published on a card, the latest first, a few a page (each whole: within the limits
    a question and an answer are kept to, a page stays within Telegram's 4096 characters)."""
    lines = [
        t._("💬 <b>Questions and answers</b> about «%(title)s»") % {"title": grant_title(t, page.grant)},
    ]
    if not page.questions:
        lines += ["", t._("Nothing is published here any more.")]
    rows: list[list[InlineKeyboardButton]] = []
    hide_buttons = []
    for number, question in enumerate(page.questions, page.page * PUBLISHED_PAGE + 1):
        lines += [
            "",
            f"<b>{number}. {escape(question.question)}</b>",
            "💬 " + escape(question.answer or ""),
        ]
        if page.admin:
            hide_buttons.append(
                button(
                    t._("🙈 Take %(number)d off") % {"number": number},
                    QuestionCallback(
                        action=QuestionAction.UNPUBLISH_LISTED,
                        grant_id=page.grant.id,
                        question_id=question.id,
                        page=page.page,
                    ),
                )
            )
    if hide_buttons:
        rows.append(hide_buttons)
    paging = []
    if page.page > 0:
        paging.append(
            button(
                t._("⬅️ Earlier"),
                QuestionCallback(action=QuestionAction.LIST, grant_id=page.grant.id, page=page.page - 1),
            )
        )
    if page.has_next:
        paging.append(
            button(
                t._("Later ➡️"),
                QuestionCallback(action=QuestionAction.LIST, grant_id=page.grant.id, page=page.page + 1),
            )
        )
    if paging:
        rows.append(paging)
    rows.append([card_button(t, page.grant.id)])
    return View("\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows))


_REFUSALS = {
    QuestionProblem.NO_SUCH_GRANT: N_("This grant call is not available."),
    QuestionProblem.GRANT_CLOSED: N_("This call is closed: questions about it are no longer taken."),
    QuestionProblem.NO_SUCH_QUESTION: N_("This question is no longer available."),
    QuestionProblem.NOT_ALLOWED: N_("Only admins can do this."),
    QuestionProblem.NOT_SET_UP: N_("Set up Belsendi first: send /start."),
    QuestionProblem.TOO_MANY_OPEN: N_(
        "Your questions about this call waiting for an answer are at the limit (%(open)d). Please wait "
        "for the answers."
    ),
    QuestionProblem.TOO_MANY_TODAY: N_("That is enough questions for today. Please ask again tomorrow."),
    QuestionProblem.EMPTY: N_("Send words: letters or digits."),
    QuestionProblem.QUESTION_TOO_LONG: N_(
        "That is too long: a question may have up to %(question)d characters."
    ),
    QuestionProblem.ANSWER_TOO_LONG: N_("That is too long: an answer may have up to %(answer)d characters."),
    QuestionProblem.ALREADY_ANSWERED: N_("This question has been answered already."),
    QuestionProblem.NOT_ANSWERED: N_("Answer the question first: only answered ones are published."),
}


def question_refusal_text(t: Translator, problem: QuestionProblem) -> str:
    limits = {"open": OPEN_PER_CALL, "question": QUESTION_MAX, "answer": ANSWER_MAX}
    return t._(_REFUSALS[problem]) % limits
