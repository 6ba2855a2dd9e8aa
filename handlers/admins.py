"""/admins, /promote and /revoke: admins see who the admins are; ADMIN_IDS admins promote and remove
admins; any admin takes back a user's NGO or organizer role, with an optional reason. Every step asks
the service, which refuses anyone else (commands and buttons are anyone's to send or forge)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.filters import TYPED_TEXT
from bot.i18n import Translator
from bot.replies import send, show
from bot.services.admins import AdminService, Outcome
from bot.views import View
from bot.views.admins import (
    DemoteCallback,
    RevokeCallback,
    admin_change_text,
    not_admin_text,
    revoke_confirm_view,
    revoke_text,
    roster_view,
)
from bot.views.menu import cancelled_text
from storage.fsm import conversation_data, end_conversation, start_conversation


class RevokeForm(StatesGroup):
    reason = State()


def router() -> Router:
    router = Router(name="admins")
    router.message.register(on_admins, Command("admins"))
    router.message.register(on_promote, Command("promote"))
    router.message.register(on_revoke, Command("revoke"))
    router.callback_query.register(on_demote, DemoteCallback.filter())
    router.callback_query.register(on_revoke_press, RevokeCallback.filter())
    router.message.register(on_reason, StateFilter(RevokeForm.reason), TYPED_TEXT)
    return router


async def on_admins(message: Message, admins: AdminService, t: Translator) -> None:
    roster = await admins.roster(message.from_user.id if message.from_user else 0)
    await send(message, roster_view(t, roster) if roster is not None else View(not_admin_text(t)))


async def on_promote(message: Message, command: CommandObject, admins: AdminService, t: Translator) -> None:
    by = message.from_user.id if message.from_user else 0
    change = await admins.promote(by, command.args or "")
    await send(message, View(admin_change_text(t, change, promoted=True)))


async def on_demote(
    query: CallbackQuery,
    callback_data: DemoteCallback,
    admins: AdminService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    change = await admins.demote(query.from_user.id, callback_data.user)
    callback_answer.text = admin_change_text(t, change, promoted=False)
    if change.outcome is Outcome.NOT_ALLOWED:
        return
    roster = await admins.roster(query.from_user.id)
    if roster is not None:
        await show(query, roster_view(t, roster))


async def on_revoke(
    message: Message,
    command: CommandObject,
    admins: AdminService,
    state: FSMContext,
    t: Translator,
) -> None:
    by = message.from_user.id if message.from_user else 0
    holder = await admins.role_holder(by, command.args or "")
    if holder.outcome is not Outcome.DONE:
        await send(message, View(revoke_text(t, holder)))
        return
    await start_conversation(state, RevokeForm.reason, {"user": holder.user_id, "role": holder.role})
    await send(message, revoke_confirm_view(t, holder))


async def on_revoke_press(
    query: CallbackQuery,
    callback_data: RevokeCallback,
    admins: AdminService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    await end_conversation(state, raw_state)
    if callback_data.cancel:
        await show(query, View(cancelled_text(t)))
        return
    change = await admins.revoke(query.from_user.id, callback_data.user, callback_data.role)
    if change.outcome is Outcome.NOT_ALLOWED:  # forged: nothing to show in place of the message
        callback_answer.text = revoke_text(t, change)
        return
    await show(query, View(revoke_text(t, change)))


async def on_reason(
    message: Message,
    admins: AdminService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    data = await conversation_data(state, raw_state, RevokeForm.reason)
    await end_conversation(state, raw_state)
    by = message.from_user.id if message.from_user else 0
    change = await admins.revoke(by, int(data.get("user", 0)), str(data.get("role", "")), message.text)
    await send(message, View(revoke_text(t, change)))
