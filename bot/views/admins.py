"""The admins' screens: who the admins are (/admins), promoting and demoting, revoking a role; and what
the users concerned are told (rendered by the sender, in their language)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.filters.callback_data import CallbackData

from bot.i18n import Translator
from bot.services.admins import Change, Outcome, Roster
from bot.text import escape
from bot.views import View, button, inline_keyboard
from bot.views.approvals import role_name
from bot.views.menu import admin_commands_text


class DemoteCallback(CallbackData, prefix="ad"):
    user: int


class RevokeCallback(CallbackData, prefix="rv"):
    """Revoke `role` from `user` without a reason (a typed reason goes through the dialog), or cancel."""

    user: int
    role: str
    cancel: bool = False


def _who(user_id: int, name: str | None, username: str | None = None) -> str:
    who = escape(name) if name else str(user_id)
    if username:
        who += f" (@{escape(username)})"
    return f"{who} · <code>{user_id}</code>"


def roster_view(t: Translator, roster: Roster) -> View:
    lines = [t._("👥 <b>Admins</b>")]
    buttons = []
    for admin in roster.admins:
        mark = t._("set by the deployment") if admin.deployment else t._("promoted in the bot")
        lines.append(f"• {_who(admin.user_id, admin.name, admin.username)} — {mark}")
        if roster.may_change and not admin.deployment:
            label = t._("✖️ Remove %(who)s") % {"who": admin.name or admin.user_id}
            buttons.append(button(label, DemoteCallback(user=admin.user_id)))
    if roster.may_change:
        lines.append("")
        lines.append(
            t._(
                "To make a user of the bot an admin, send /promote with their Telegram id or "
                "@username. Admins set by the deployment (ADMIN_IDS) are changed only there."
            )
        )
    lines.append(t._("To take back an NGO or organizer role, send /revoke with the id or @username."))
    lines += ["", admin_commands_text(t)]
    return View("\n".join(lines), inline_keyboard(buttons) if buttons else None)


def admin_change_text(t: Translator, change: Change, *, promoted: bool) -> str:
    who = escape(change.name) if change.name else str(change.user_id)
    if change.outcome is Outcome.DONE:
        if promoted:
            return t._("✅ %(who)s is now an admin.") % {"who": who}
        return t._("✅ %(who)s is no longer an admin.") % {"who": who}
    if change.outcome is Outcome.NOT_ALLOWED:
        return t._("Only admins set by the deployment (ADMIN_IDS) promote and remove admins.")
    if change.outcome is Outcome.NO_SUCH_USER:
        return t._(
            "No such user: send their Telegram id or @username, e.g. /promote 123456789. "
            "They must have started the bot."
        )
    if change.outcome is Outcome.DEPLOYMENT:
        return t._("%(who)s is an admin set by the deployment (ADMIN_IDS): change it there.") % {"who": who}
    if promoted:
        return t._("%(who)s is an admin already.") % {"who": who}
    return t._("%(who)s is not an admin promoted in the bot.") % {"who": who}


def not_admin_text(t: Translator) -> str:
    return t._("Only admins can do this.")


def revoke_confirm_view(t: Translator, change: Change) -> View:
    role = change.role or ""
    text = t._(
        "Take back the role «%(role)s» from %(who)s? They become a volunteer and will be told.\n"
        "Send the reason in one message (they will see it), or revoke without a reason."
    ) % {"role": role_name(t, role), "who": escape(change.name) if change.name else str(change.user_id)}
    return View(
        text,
        inline_keyboard(
            [
                button(t._("Revoke without a reason"), RevokeCallback(user=change.user_id, role=role)),
                button(t._("Cancel"), RevokeCallback(user=change.user_id, role=role, cancel=True)),
            ]
        ),
    )


def revoke_text(t: Translator, change: Change) -> str:
    """What the admin is told of /revoke or of a revocation."""
    who = escape(change.name) if change.name else str(change.user_id)
    if change.outcome is Outcome.DONE:
        return t._("✅ The role «%(role)s» is taken back from %(who)s; they were told.") % {
            "role": role_name(t, change.role or ""),
            "who": who,
        }
    if change.outcome is Outcome.NOT_ALLOWED:
        return not_admin_text(t)
    if change.outcome is Outcome.NO_SUCH_USER:
        return t._("No such user: send their Telegram id or @username, e.g. /revoke 123456789.")
    if change.outcome is Outcome.SELF:
        return t._("An admin does not revoke their own role.")
    return t._("%(who)s holds no NGO or organizer role (now).") % {"who": who}


def role_revoked_view(t: Translator, params: Mapping[str, Any]) -> View:
    """To the user: their role is taken back, with the admin's reason."""
    text = t._("Your role «%(role)s» in Belsendi was revoked by an admin; you are a volunteer now.") % {
        "role": role_name(t, str(params["role"]))
    }
    reason = params.get("reason")
    if reason:
        text += "\n" + t._("The admin's reason: %(reason)s") % {"reason": escape(str(reason))}
    return View(text)


def admin_changed_view(t: Translator, params: Mapping[str, Any]) -> View:
    """To the user made an admin, or no longer one."""
    if params.get("promoted"):
        return View(
            t._(
                "👥 You are now an admin of Belsendi: role requests will reach you. "
                "Send /admins to see the admins."
            )
        )
    return View(t._("You are no longer an admin of Belsendi."))
