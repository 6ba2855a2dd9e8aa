"""Role requests as admins see them, decisions as requesters hear them (rendered by the sender)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.filters.callback_data import CallbackData

from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.roles import ROLE_NAMES, Role
from bot.i18n import Translator
from bot.services.approvals import Decision, Outcome
from bot.text import escape
from bot.views import View, button, inline_keyboard
from bot.views.ngo_profiles import fill_in_button


class ApprovalCallback(CallbackData, prefix="ap"):
    user: int
    role: str
    approve: bool


class ReasonCallback(CallbackData, prefix="ar"):
    """Reject without giving a reason."""

    skip: bool = True


def role_name(t: Translator, role: str) -> str:
    return t._(ROLE_NAMES[Role(role)]) if role in set(Role) else escape(role)


def _who(params: Mapping[str, Any]) -> str:
    name = escape(str(params.get("name") or "—"))
    username = params.get("username")
    return f"{name} (@{escape(str(username))})" if username else name


def role_request_view(t: Translator, params: Mapping[str, Any]) -> View:
    """To an admin: who asks for which role, for which organisation (its BIN), from which region, and
    their Telegram id, with Approve and Reject. Requests sent before the organisation was asked for
    show what they have."""
    region = REGIONS_BY_CODE.get(str(params.get("region") or ""))
    user_id, role = int(params["user_id"]), str(params["role"])
    lines = [
        t._("📝 <b>A request for a role</b>\n%(who)s asks to be confirmed as «%(role)s».")
        % {"who": _who(params), "role": role_name(t, role)}
    ]
    organization = params.get("organization")
    if organization:
        lines.append(t._("Organisation: %(organization)s") % {"organization": escape(str(organization))})
        bin_number = params.get("bin")
        lines.append(
            t._("BIN: %(bin)s") % {"bin": escape(str(bin_number))} if bin_number else t._("BIN: not given")
        )
    if region is not None:
        lines.append(t._("Region: %(region)s") % {"region": t._(region.name)})
    lines.append(t._("Telegram id: <code>%(id)s</code>") % {"id": user_id})
    return View(
        "\n".join(lines),
        inline_keyboard(
            [
                button(t._("✅ Approve"), ApprovalCallback(user=user_id, role=role, approve=True)),
                button(t._("✖️ Reject"), ApprovalCallback(user=user_id, role=role, approve=False)),
            ],
            (2,),
        ),
    )


def role_decision_view(t: Translator, params: Mapping[str, Any]) -> View:
    """To the requester: the outcome, in their language."""
    role = role_name(t, str(params["role"]))
    if params.get("approved"):
        text = t._("✅ Your request is approved: you are now «%(role)s» in Belsendi.") % {"role": role}
        if params["role"] == Role.NGO:  # the NGO profile marks the grant calls that fit
            text += "\n" + t._(
                "Fill in a short NGO profile, and each grant call shows whether it fits you, and why."
            )
            return View(text, inline_keyboard([fill_in_button(t)]))
        return View(text)
    text = t._("Your request to be confirmed as «%(role)s» was not approved.") % {"role": role}
    reason = params.get("reason")
    if reason:
        text += "\n" + t._("The admin's reason: %(reason)s") % {"reason": escape(str(reason))}
    return View(text)


def decided_text(t: Translator, decision: Decision) -> str:
    """What the admin's message becomes once the request is decided."""
    role = role_name(t, decision.role)
    who = escape(decision.name or str(decision.user_id))
    if decision.organization:
        who += f" ({escape(decision.organization)})"
    if decision.outcome is Outcome.APPROVED:
        return t._("✅ Approved: %(who)s is now «%(role)s».") % {"who": who, "role": role}
    if decision.outcome is Outcome.REJECTED:
        return t._("✖️ Rejected: %(who)s stays as they were.") % {"who": who}
    if decision.outcome is Outcome.NOT_ALLOWED:
        return t._("Only admins decide on role requests.")
    return t._("This request is no longer open: it was decided or withdrawn.")


def ask_reason_view(t: Translator) -> View:
    return View(
        t._("Send the reason in one message: the requester will see it. Or reject without a reason."),
        inline_keyboard([button(t._("Reject without a reason"), ReasonCallback())]),
    )
