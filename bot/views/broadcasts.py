"""Broadcasts: the author's dialog (segment, photo or file, texts, preview, test, schedule, progress,
report) and the message as recipients see it (rendered by the sender from the row's params only)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from aiogram.filters.callback_data import CallbackData

from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.roles import ROLE_NAMES, Role
from bot.i18n import Translator
from bot.services.broadcasts import (
    CAPTION_MAX,
    TEXT_MAX,
    InvalidBroadcastError,
    Problem,
    Progress,
    Scheduled,
    Status,
)
from bot.text import escape
from bot.views import Media, View, button, inline_keyboard, with_notice
from bot.views.events import event_title
from bot.views.onboarding import region_keyboard
from storage.repositories.events import EventRecord


class SegmentCallback(CallbackData, prefix="bs"):
    """everyone, role/<role>, region/<code> (empty code: show the regions), language/<kk|ru>."""

    kind: str
    value: str = ""


class NoMediaCallback(CallbackData, prefix="bn"):
    """The broadcast is text only: no photo or document."""

    none: bool = True


class SameTextCallback(CallbackData, prefix="bt"):
    """The Kazakh text is for everyone."""

    same: bool = True


class ConfirmAction(StrEnum):
    SEND = "s"
    SCHEDULE = "t"
    TEST = "x"
    DROP = "d"


class ConfirmCallback(CallbackData, prefix="bc"):
    action: ConfirmAction


class ControlAction(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    REFRESH = "refresh"
    TEXTS = "texts"  # a scheduled one: new texts
    TIME = "time"  # a scheduled one: another time


class ControlCallback(CallbackData, prefix="bx"):
    """Steers a broadcast by id: the service checks who presses, whatever the id."""

    id: int
    action: str


class MuteCallback(CallbackData, prefix="bm"):
    mute: bool = True


class EventAudience(StrEnum):
    """Whom an organizer writes to about their own event."""

    REGISTERED = "r"
    WAITLIST = "w"
    ATTENDED = "a"


class EventBroadcastStart(CallbackData, prefix="eb"):
    """Starts the broadcast dialog scoped to one event's people (the organizer's tools show it)."""

    event_id: int
    audience: EventAudience


def broadcast_view(t: Translator, params: Mapping[str, Any]) -> View:
    """To a recipient: the text in their language (the other if theirs is missing), as written (never
    HTML), under its photo or document if it has one; an admin's broadcast carries a one-tap mute (one
    about an event its people signed up for does not)."""
    other = "ru" if t.locale == "kk" else "kk"
    text = params.get(f"text_{t.locale}") or params.get(f"text_{other}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a broadcast needs text_kk or text_ru")
    kind, file_id = params.get("media_kind"), params.get("media_file_id")
    media = Media(kind, file_id) if isinstance(kind, str) and isinstance(file_id, str) else None
    markup = None
    if params.get("event_id") is None:
        markup = inline_keyboard([button(t._("🔕 Mute such notices"), MuteCallback())])
    return View(escape(text), markup, media)


def segment_name(t: Translator, segment: str, event: EventRecord | None = None) -> str:
    kind, _, value = segment.partition(":")
    if kind == "event":
        audience = value.partition(":")[2]
        title = {"event": event_title(t, event) if event else "—"}
        if audience == EventAudience.WAITLIST:
            return t._("The waitlist of «%(event)s»") % title
        if audience == EventAudience.ATTENDED:
            return t._("Those who attended «%(event)s»") % title
        return t._("Those registered for «%(event)s»") % title
    if kind == "role" and value in set(Role):
        return t._("Role: %(role)s") % {"role": t._(ROLE_NAMES[Role(value)])}
    if kind == "region" and value in REGIONS_BY_CODE:
        return t._("Region: %(region)s") % {"region": t._(REGIONS_BY_CODE[value].name)}
    if kind == "language" and value == "kk":
        return t._("Those who read in Kazakh")
    if kind == "language" and value == "ru":
        return t._("Those who read in Russian")
    return t._("Everyone active")


def segment_view(t: Translator) -> View:
    buttons = [
        button(t._("Everyone active"), SegmentCallback(kind="everyone")),
        button(t._("Those who read in Kazakh"), SegmentCallback(kind="language", value="kk")),
        button(t._("Those who read in Russian"), SegmentCallback(kind="language", value="ru")),
        *(
            button(
                t._("Role: %(role)s") % {"role": t._(ROLE_NAMES[role])},
                SegmentCallback(kind="role", value=role),
            )
            for role in Role
        ),
        button(t._("📍 By region…"), SegmentCallback(kind="region")),
    ]
    return View(t._("📣 <b>A broadcast</b>\nWho should receive it?"), inline_keyboard(buttons))


def region_segment_view(t: Translator) -> View:
    return View(
        t._("📣 Which region?"),
        region_keyboard(t, lambda code: SegmentCallback(kind="region", value=code)),
    )


def ask_media_view(t: Translator, recipients: str) -> View:
    return View(
        t._(
            "Recipients: %(segment)s.\n"
            "📎 Send a photo or a file to go with the message, or press «Text only». "
            "With a photo or file the text goes under it, at most %(limit)d characters."
        )
        % {"segment": recipients, "limit": CAPTION_MAX},
        inline_keyboard([button(t._("📝 Text only"), NoMediaCallback())]),
    )


def media_expected_view(t: Translator) -> View:
    return View(
        t._("A photo or a file is expected here. Send one, or press «Text only»."),
        inline_keyboard([button(t._("📝 Text only"), NoMediaCallback())]),
    )


def ask_kazakh_text_view(t: Translator, *, with_media: bool) -> View:
    return View(
        t._("Send the text in Kazakh in one message (at most %(limit)d characters).")
        % {"limit": CAPTION_MAX if with_media else TEXT_MAX}
    )


def ask_russian_text_view(t: Translator, *, with_media: bool) -> View:
    return View(
        t._(
            "Now send the text in Russian (at most %(limit)d characters), or use the Kazakh one for everyone."
        )
        % {"limit": CAPTION_MAX if with_media else TEXT_MAX},
        inline_keyboard([button(t._("The same text for everyone"), SameTextCallback())]),
    )


def text_expected_text(t: Translator) -> str:
    return t._("A text is expected here: send it as a message. The photo or file was the step before.")


def problem_text(t: Translator, error: InvalidBroadcastError, now: datetime | None = None) -> str:
    problem = error.problem
    if problem is Problem.TEXT_EMPTY:
        return t._("The text is empty. Send the text as a message.")
    if problem is Problem.TEXT_TOO_LONG:
        return t._(
            "The text is too long: %(length)d characters, at most %(limit)d. Shorten it and send it again."
        ) % {"length": error.length, "limit": error.limit}
    if problem is Problem.CAPTION_TOO_LONG:
        return t._(
            "Too long to go under a photo or file: Telegram allows at most %(limit)d characters there, "
            "and this text has %(length)d. Shorten it and send it again, or start over with /broadcast "
            "and choose «Text only»."
        ) % {"length": error.length, "limit": error.limit}
    if problem is Problem.TIME_PAST:
        return t._("That time has passed (it is %(now)s in Almaty now). Send a time ahead.") % {
            "now": t.date_time(now) if now else "—"
        }
    if problem is Problem.TIME_TOO_FAR:
        return t._("That is more than a year ahead. Send a time within a year.")
    if problem is Problem.NOT_SCHEDULED:
        return t._("This broadcast has started or was cancelled: it can no longer be changed.")
    return t._(
        "The time is not clear. Send the date and time in Almaty time like this: 28.11.2026 10:00 "
        "(or 28.11 10:00 for this year)."
    )


def preview_heading(t: Translator, language: str) -> str:
    if language == "kk":
        return t._("👁 As it will read in Kazakh:")
    return t._("👁 As it will read in Russian:")


def confirm_view(t: Translator, recipients: str, count: int) -> View:
    text = t.ngettext(
        "Recipients: %(segment)s, %(count)d person now.",
        "Recipients: %(segment)s, %(count)d people now.",
        count,
    ) % {"segment": recipients, "count": count}
    return View(
        text,
        inline_keyboard(
            [
                button(t._("📤 Send now"), ConfirmCallback(action=ConfirmAction.SEND)),
                button(t._("🕒 At a chosen time"), ConfirmCallback(action=ConfirmAction.SCHEDULE)),
                button(t._("🧪 Send a test to myself"), ConfirmCallback(action=ConfirmAction.TEST)),
                button(t._("✖️ Cancel"), ConfirmCallback(action=ConfirmAction.DROP)),
            ],
            (2, 1, 1),
        ),
    )


def test_sent_text(t: Translator) -> str:
    return t._("🧪 The test copy above went to you only. Send it, schedule it, or cancel:")


def ask_time_view(t: Translator, now: datetime) -> View:
    return View(
        t._(
            "🕒 When should it start? Send the date and time in Almaty time, like 28.11.2026 10:00 "
            "(or 28.11 10:00 for this year). It is %(now)s now."
        )
        % {"now": t.date_time(now)}
    )


def scheduled_view(t: Translator, scheduled: Scheduled, recipients: str, notice: str | None = None) -> View:
    text = t._(
        "🗓 <b>Broadcast #%(id)d</b> starts by itself at %(when)s (Almaty time).\n"
        "Recipients: %(segment)s.\n"
        "Until then its texts and time can be changed, or it can be cancelled."
    ) % {"id": scheduled.id, "when": t.date_time(scheduled.scheduled_at), "segment": recipients}
    buttons = [
        button(t._("✏️ Change the texts"), ControlCallback(id=scheduled.id, action=ControlAction.TEXTS)),
        button(t._("🕒 Change the time"), ControlCallback(id=scheduled.id, action=ControlAction.TIME)),
        button(t._("✖️ Cancel the broadcast"), ControlCallback(id=scheduled.id, action=ControlAction.CANCEL)),
    ]
    return with_notice(View(text, inline_keyboard(buttons)), notice)


def scheduled_list_view(t: Translator, items: list[tuple[Scheduled, str]]) -> View:
    """/broadcasts: what waits for its time, each with a button to its card."""
    if not items:
        return View(t._("No broadcast is waiting for its time."))
    lines = [t._("🗓 <b>Scheduled broadcasts</b>")]
    buttons = []
    for scheduled, recipients in items:
        lines.append(
            t._("#%(id)d, %(when)s: %(segment)s")
            % {"id": scheduled.id, "when": t.date_time(scheduled.scheduled_at), "segment": recipients}
        )
        buttons.append(
            button("#" + str(scheduled.id), ControlCallback(id=scheduled.id, action=ControlAction.REFRESH))
        )
    return View("\n".join(lines), inline_keyboard(buttons, (4,)))


def texts_saved_text(t: Translator) -> str:
    return t._("✅ The texts are saved.")


def time_saved_text(t: Translator) -> str:
    return t._("✅ The time is changed.")


def _status(t: Translator, status: Status) -> str:
    names = {
        Status.DRAFT: t._("Not started"),
        Status.SCHEDULED: t._("Scheduled"),
        Status.SENDING: t._("Sending"),
        Status.PAUSED: t._("Paused"),
        Status.CANCELLED: t._("Cancelled"),
        Status.DONE: t._("Done"),
    }
    return names[status]


def duration_text(t: Translator, seconds: float) -> str:
    """About how long: minutes, or hours and minutes; under a minute says so."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return t._("less than a minute")
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(t.ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours})
    if minutes:
        parts.append(t.ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes})
    return " ".join(parts)


def _counts(t: Translator, progress: Progress) -> str:
    return t._(
        "Recipients: %(total)d\nSent: %(sent)d\nNot delivered: %(failed)d\n"
        "Blocked the bot: %(blocked)d\nWaiting: %(waiting)d"
    ) % {
        "total": progress.recipients,
        "sent": progress.sent,
        "failed": progress.failed,
        "blocked": progress.blocked,
        "waiting": progress.waiting,
    }


def progress_view(t: Translator, progress: Progress) -> View:
    """The author's progress message: edited live while it runs, with Pause, Resume and Stop; once it
    ended, its final state, without buttons."""
    lines = [
        t._("📣 <b>Broadcast #%(id)d</b>: %(status)s")
        % {"id": progress.broadcast_id, "status": _status(t, progress.status)},
        _counts(t, progress),
    ]
    if progress.seconds_left is not None:
        lines.append(
            t._("Time left: about %(duration)s") % {"duration": duration_text(t, progress.seconds_left)}
        )
    if progress.status in (Status.DONE, Status.CANCELLED) and progress.started_at and progress.finished_at:
        took = (progress.finished_at - progress.started_at).total_seconds()
        lines.append(t._("It took %(duration)s.") % {"duration": duration_text(t, took)})
    if progress.status is Status.SCHEDULED and progress.scheduled_at is not None:
        lines.append(t._("Starts at %(when)s.") % {"when": t.date_time(progress.scheduled_at)})
    buttons = []
    if progress.status in (Status.SENDING, Status.PAUSED):
        buttons.append(
            button(t._("🔄 Refresh"), ControlCallback(id=progress.broadcast_id, action=ControlAction.REFRESH))
        )
    if progress.status is Status.SENDING:
        buttons.append(
            button(t._("⏸ Pause"), ControlCallback(id=progress.broadcast_id, action=ControlAction.PAUSE))
        )
    if progress.status is Status.PAUSED:
        buttons.append(
            button(t._("▶️ Resume"), ControlCallback(id=progress.broadcast_id, action=ControlAction.RESUME))
        )
    if progress.status in (Status.SENDING, Status.PAUSED):
        buttons.append(
            button(t._("⏹ Stop"), ControlCallback(id=progress.broadcast_id, action=ControlAction.CANCEL))
        )
    return View("\n".join(lines), inline_keyboard(buttons, (len(buttons) or 1,)) if buttons else None)


def broadcast_report_view(t: Translator, params: Mapping[str, Any]) -> View:
    """To the author, once, when it ended: done or stopped, with its counts."""
    values = {
        "id": int(params["broadcast_id"]),
        "duration": duration_text(t, float(params.get("seconds", 0))),
        "total": int(params.get("recipients", 0)),
        "sent": int(params.get("sent", 0)),
        "failed": int(params.get("failed", 0)),
        "blocked": int(params.get("blocked", 0)),
    }
    if params.get("status") == Status.CANCELLED:
        head = t._("⏹ <b>Broadcast #%(id)d was stopped</b> after %(duration)s.") % values
    else:
        head = t._("✅ <b>Broadcast #%(id)d is finished</b> in %(duration)s.") % values
    body = (
        t._("Recipients: %(total)d\nSent: %(sent)d\nNot delivered: %(failed)d\nBlocked the bot: %(blocked)d")
        % values
    )
    return View("\n".join((head, body)))


def scheduled_cancelled_text(t: Translator, broadcast_id: int) -> str:
    return t._("The scheduled broadcast #%(id)d is cancelled; nothing was sent.") % {"id": broadcast_id}


def not_admin_text(t: Translator) -> str:
    return t._("Only admins send broadcasts.")


def not_organizer_text(t: Translator) -> str:
    return t._("Only the organizer of this event or an admin can write to its people.")


def nobody_text(t: Translator, audience: EventAudience) -> str:
    if audience is EventAudience.WAITLIST:
        return t._("Nobody is on the waitlist of this event: there is no one to write to.")
    if audience is EventAudience.ATTENDED:
        return t._("Nobody is marked as attended at this event yet: there is no one to write to.")
    return t._("Nobody is registered for this event yet: there is no one to write to.")


def dropped_text(t: Translator) -> str:
    return t._("The broadcast is dropped; nothing was sent.")


def muted_text(t: Translator) -> str:
    return t._("🔕 Done: such notices will not come to you any more.")
