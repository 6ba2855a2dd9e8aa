"""Admins decide on role requests: Approve at once; Reject asks for a reason (or none)."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.filters import TYPED_TEXT
from bot.i18n import Translator
from bot.replies import send, show
from bot.services.approvals import ApprovalService, Outcome
from bot.views import View
from bot.views.approvals import ApprovalCallback, ReasonCallback, ask_reason_view, decided_text
from storage.fsm import end_conversation


class RejectForm(StatesGroup):
    reason = State()


def router() -> Router:
    router = Router(name="approvals")
    router.callback_query.register(on_decision, ApprovalCallback.filter())
    router.callback_query.register(on_no_reason, StateFilter(RejectForm.reason), ReasonCallback.filter())
    router.message.register(on_reason, StateFilter(RejectForm.reason), TYPED_TEXT)
    return router


async def on_decision(
    query: CallbackQuery,
    callback_data: ApprovalCallback,
    approvals: ApprovalService,
    state: FSMContext,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    if not await approvals.is_admin(query.from_user.id):  # forged or forwarded: checked again in the service
        callback_answer.text = t._("Only admins decide on role requests.")
        return
    if not callback_data.approve:
        await state.set_state(RejectForm.reason)
        await state.update_data(user=callback_data.user, role=callback_data.role)
        await show(query, ask_reason_view(t))
        return
    decision = await approvals.decide(
        query.from_user.id, callback_data.user, callback_data.role, approve=True
    )
    if decision.outcome is Outcome.NOT_OPEN:
        callback_answer.text = decided_text(t, decision)
    await show(query, View(decided_text(t, decision)))


async def on_reason(
    message: Message,
    approvals: ApprovalService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    await _reject(message, approvals, state, raw_state, t, reason=message.text)


async def on_no_reason(
    query: CallbackQuery,
    approvals: ApprovalService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    if isinstance(query.message, Message):
        await _reject(query.message, approvals, state, raw_state, t, reason=None, admin_id=query.from_user.id)


async def _reject(
    message: Message,
    approvals: ApprovalService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    *,
    reason: str | None,
    admin_id: int | None = None,
) -> None:
    data = await state.get_data()
    await end_conversation(state, raw_state)
    admin = admin_id if admin_id is not None else (message.from_user.id if message.from_user else 0)
    decision = await approvals.decide(
        admin, int(data.get("user", 0)), str(data.get("role", "")), approve=False, reason=reason
    )
    await send(message, View(decided_text(t, decision)))
