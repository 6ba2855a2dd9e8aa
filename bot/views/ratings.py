"""Ratings of events: the question an attendee gets after the end (rendered by the sender in their
language), their answer, the optional comment, and the aggregate the organizer sees."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton

from bot.domain.attendance import COMMENT_MAX, SCORES
from bot.i18n import Translator
from bot.services.ratings import RatingSummary
from bot.text import escape
from bot.views import View, button, inline_keyboard
from bot.views.events import event_title
from bot.views.organizer import OrganizerAction, OrganizerEventCallback

STAR = "⭐"


class RateCallback(CallbackData, prefix="rt"):
    event_id: int
    score: int


class SkipCommentCallback(CallbackData, prefix="rk"):
    event_id: int


def _title(t: Translator, params: Mapping[str, Any]) -> str:
    own, other = ("title_ru", "title_kk") if t.locale == "ru" else ("title_kk", "title_ru")
    return escape(str(params.get(own) or params.get(other) or ""))


def _score_buttons(event_id: int, chosen: int | None = None) -> list[InlineKeyboardButton]:
    """1 ⭐ … 5 ⭐ (digits and a star: the same in every language); the chosen one marked."""
    buttons = []
    for score in SCORES:
        label = f"{'• ' if score == chosen else ''}{score} {STAR}"
        buttons.append(button(label, RateCallback(event_id=event_id, score=score)))
    return buttons


def rating_request_view(t: Translator, params: Mapping[str, Any]) -> View:
    """To an attendee after the end: one tap from 1 to 5."""
    text = t._(
        "🙏 Thank you for coming to <b>%(title)s</b>!\n"
        "How was it? Rate it from 1 (poor) to 5 (excellent): the organizer sees only the overall result "
        "and comments, without names."
    ) % {"title": _title(t, params)}
    return View(text, inline_keyboard(_score_buttons(int(params["event_id"])), (5,)))


def rated_view(t: Translator, event_id: int, title: str, score: int) -> View:
    """After a tap: the rating taken (another tap changes it), and the comment it may come with."""
    text = t._(
        "✅ Your rating of <b>%(title)s</b>: %(score)d of 5. Thank you!\n"
        "You can add a comment: send it in one message (up to %(max)d characters), or press Skip."
    ) % {"title": title, "score": score, "max": COMMENT_MAX}
    buttons = [*_score_buttons(event_id, score), button(t._("Skip"), SkipCommentCallback(event_id=event_id))]
    return View(text, inline_keyboard(buttons, (5, 1)))


def comment_saved_text(t: Translator) -> str:
    return t._("✅ Thank you: your comment is passed on to the organizer.")


def comment_skipped_text(t: Translator) -> str:
    return t._("✅ Thank you for the rating!")


def comment_expected_text(t: Translator) -> str:
    return t._("Please send the comment as text, or press Skip.")


def ratings_view(t: Translator, summary: RatingSummary) -> View:
    """For the organizer: the average, how many rated, how many gave each score, the latest comments."""
    lines = [t._("⭐ <b>Ratings: %(title)s</b>") % {"title": event_title(t, summary.event)}]
    if summary.average is None:
        lines.append(t._("Nobody has rated this event yet."))
    else:
        lines.append(
            t.ngettext(
                "Average %(average)s of 5, from %(count)d rating.",
                "Average %(average)s of 5, from %(count)d ratings.",
                summary.count,
            )
            % {"average": f"{summary.average:.1f}".replace(".", ","), "count": summary.count}
        )
        lines.append("")
        most = max(summary.distribution.values())
        for score in reversed(SCORES):
            count = summary.distribution[score]
            bar = "▇" * round(8 * count / most) if most else ""
            lines.append(" ".join(part for part in (f"{score} {STAR}", bar, str(count)) if part))
    if summary.recent_comments:
        lines += ["", t._("Latest comments:")]
        lines += [
            f"{comment.score} {STAR} — {escape(comment.comment)}" for comment in summary.recent_comments
        ]
    back = button(
        t._("⬅️ Event"), OrganizerEventCallback(event_id=summary.event.id, action=OrganizerAction.OPEN)
    )
    return View("\n".join(lines), inline_keyboard([back]))
