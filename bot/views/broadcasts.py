"""Broadcasts: the admin's dialog (segment, texts, preview, progress) and the message as recipients
see it (rendered by the sender from the row's params only)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from aiogram.filters.callback_data import CallbackData

from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.roles import ROLE_NAMES, Role
from bot.i18n import Translator
from bot.services.broadcasts import Progress, Status
from bot.views import View, button, inline_keyboard
from bot.views.onboarding import region_keyboard
from storage.repositories.outbox import OutboxStatus


class SegmentCallback(CallbackData, prefix="bs"):
    """everyone, role/<role>, region/<code> (empty code: show the regions), language/<kk|ru>."""

    kind: str
    value: str = ""


class SameTextCallback(CallbackData, prefix="bt"):
    """The Kazakh text is for everyone."""

    same: bool = True


class ConfirmCallback(CallbackData, prefix="bc"):
    send: bool


class ControlCallback(CallbackData, prefix="bx"):
    """pause, resume, cancel or refresh a started broadcast."""

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
    HTML), with a one-tap mute."""
    other = "ru" if t.locale == "kk" else "kk"
    text = params.get(f"text_{t.locale}") or params.get(f"text_{other}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a broadcast needs text_kk or text_ru")
    return View(
        html.escape(text, quote=False),
        inline_keyboard([button(t._("🔕 Mute such notices"), MuteCallback())]),
    )


def segment_name(t: Translator, segment: str) -> str:
    kind, _, value = segment.partition(":")
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


def ask_kazakh_text_view(t: Translator, segment: str) -> View:
    return View(
        t._("Recipients: %(segment)s.\nSend the text in Kazakh in one message.")
        % {"segment": segment_name(t, segment)}
    )


def ask_russian_text_view(t: Translator) -> View:
    return View(
        t._("Now send the text in Russian, or use the Kazakh one for everyone."),
        inline_keyboard([button(t._("The same text for everyone"), SameTextCallback())]),
    )


def preview_heading(t: Translator, language: str) -> str:
    if language == "kk":
        return t._("👁 As it will read in Kazakh:")
    return t._("👁 As it will read in Russian:")


def confirm_view(t: Translator, segment: str, recipients: int) -> View:
    text = t.ngettext(
        "Recipients: %(segment)s, %(count)d person now.",
        "Recipients: %(segment)s, %(count)d people now.",
        recipients,
    ) % {"segment": segment_name(t, segment), "count": recipients}
    return View(
        text,
        inline_keyboard(
            [
                button(t._("📤 Send now"), ConfirmCallback(send=True)),
                button(t._("✖️ Cancel"), ConfirmCallback(send=False)),
            ],
            (2,),
        ),
    )


def _status(t: Translator, status: Status) -> str:
    names = {
        Status.DRAFT: t._("Not started"),
        Status.SENDING: t._("Sending"),
        Status.PAUSED: t._("Paused"),
        Status.CANCELLED: t._("Cancelled"),
        Status.DONE: t._("Done"),
    }
    return names[status]


def progress_view(t: Translator, progress: Progress) -> View:
    counts = progress.counts
    text = t._(
        "📣 <b>Broadcast #%(id)d</b>: %(status)s\n"
        "Recipients: %(total)d\nSent: %(sent)d\nWaiting: %(waiting)d\nNot delivered: %(failed)d"
    ) % {
        "id": progress.broadcast_id,
        "status": _status(t, progress.status),
        "total": progress.recipients,
        "sent": counts[OutboxStatus.SENT],
        "waiting": progress.waiting,
        "failed": counts[OutboxStatus.FAILED] + counts[OutboxStatus.DROPPED],
    }
    buttons = [button(t._("🔄 Refresh"), ControlCallback(id=progress.broadcast_id, action="refresh"))]
    if progress.status is Status.SENDING:
        buttons.append(button(t._("⏸ Pause"), ControlCallback(id=progress.broadcast_id, action="pause")))
    if progress.status is Status.PAUSED:
        buttons.append(button(t._("▶️ Resume"), ControlCallback(id=progress.broadcast_id, action="resume")))
    if progress.status in (Status.SENDING, Status.PAUSED):
        buttons.append(button(t._("⏹ Stop"), ControlCallback(id=progress.broadcast_id, action="cancel")))
    return View(text, inline_keyboard(buttons, (len(buttons),)))


def not_admin_text(t: Translator) -> str:
    return t._("Only admins send broadcasts.")


def dropped_text(t: Translator) -> str:
    return t._("The broadcast is dropped; nothing was sent.")


def muted_text(t: Translator) -> str:
    return t._("🔕 Done: such notices will not come to you any more.")
