"""/grant_new and the ✏️ Edit / 🔒 Close buttons on a call's card: admins (also promoted) keep the grant
catalogue in the bot. A call is written as a «field: value» form (the import's fields), checked, shown
as a preview in both languages, then saved. Every step asks the service, which refuses non-admins
(button data is anyone's to forge)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.clock import Clock
from bot.filters import NOT_A_COMMAND, TYPED_TEXT
from bot.i18n import Catalogs, Translator
from bot.replies import send, show
from bot.services.grant_import import FORM_FIELDS, CatalogueError, form_text, read_form
from bot.services.grants import GrantError, GrantProblem, GrantQuery, GrantService, draft_of, preview_record
from bot.services.sectors import SectorService
from bot.views import View
from bot.views.grant_admin import (
    GrantAdminAction,
    GrantAdminCallback,
    closed_text,
    form_problems_text,
    form_view,
    preview_view,
    saved_text,
)
from bot.views.grants import grant_card_view, grant_refusal_text, text_expected_text
from bot.views.menu import cancelled_text
from handlers.grants import show_reader_card
from storage.fsm import conversation_data, end_conversation, start_conversation

EMPTY_FORM = "\n".join(f"{name}: " for name in FORM_FIELDS)


class GrantForm(StatesGroup):
    form = State()
    confirm = State()


def router() -> Router:
    router = Router(name="grant_admin")
    router.message.register(on_new, Command("grant_new"))
    router.message.register(on_form, StateFilter(GrantForm.form), TYPED_TEXT)
    router.message.register(on_not_text, StateFilter(GrantForm.form), NOT_A_COMMAND)
    router.callback_query.register(on_edit, GrantAdminCallback.filter(F.action == GrantAdminAction.EDIT))
    router.callback_query.register(on_close, GrantAdminCallback.filter(F.action == GrantAdminAction.CLOSE))
    router.callback_query.register(
        on_save, StateFilter(GrantForm.confirm), GrantAdminCallback.filter(F.action == GrantAdminAction.SAVE)
    )
    router.callback_query.register(on_cancel, GrantAdminCallback.filter(F.action == GrantAdminAction.CANCEL))
    return router


async def on_new(
    message: Message, grants: GrantService, sectors: SectorService, state: FSMContext, t: Translator
) -> None:
    if message.from_user is None or not await grants.is_admin(message.from_user.id):
        await send(message, View(grant_refusal_text(t, GrantProblem.NOT_ALLOWED)))
        return
    await start_conversation(state, GrantForm.form, {"grant_id": 0})
    await send(message, form_view(t, EMPTY_FORM, await sectors.catalogue()))


async def on_edit(
    query: CallbackQuery,
    callback_data: GrantAdminCallback,
    grants: GrantService,
    sectors: SectorService,
    catalogs: Catalogs,
    state: FSMContext,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        if not await grants.is_admin(query.from_user.id):
            raise GrantError(GrantProblem.NOT_ALLOWED)
        grant = await grants.get(callback_data.grant_id)
    except GrantError as error:
        callback_answer.text = grant_refusal_text(t, error.problem)
        return
    await start_conversation(state, GrantForm.form, {"grant_id": grant.id})
    await show(query, form_view(t, form_text(draft_of(grant), catalogs.tz), await sectors.catalogue()))


async def on_form(
    message: Message,
    grants: GrantService,
    sectors: SectorService,
    catalogs: Catalogs,
    clock: Clock,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    if message.from_user is None or not await grants.is_admin(message.from_user.id):
        await end_conversation(state, raw_state)
        await send(message, View(grant_refusal_text(t, GrantProblem.NOT_ALLOWED)))
        return
    text = message.text or ""
    catalogue = await sectors.catalogue()
    try:
        draft = read_form(text, catalogs.tz, catalogue)
    except CatalogueError as error:
        await send(message, View(form_problems_text(t, [problem.field for problem in error.problems])))
        return  # the same step: the admin sends the form again
    data = await conversation_data(state, raw_state, GrantForm.form)
    grant_id = int(data.get("grant_id", 0))
    await start_conversation(state, GrantForm.confirm, {"grant_id": grant_id, "form": text})
    record = preview_record(draft, clock.now())
    cards = [
        grant_card_view(each, record, clock.now(), GrantQuery(), sectors=catalogue).text
        for each in catalogs.all()
    ]
    await send(message, preview_view(t, cards, editing=bool(grant_id)))


async def on_not_text(message: Message, t: Translator) -> None:
    await send(message, View(text_expected_text(t)))


async def on_save(
    query: CallbackQuery,
    grants: GrantService,
    sectors: SectorService,
    catalogs: Catalogs,
    clock: Clock,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    data = await conversation_data(state, raw_state, GrantForm.confirm)
    catalogue = await sectors.catalogue()
    try:
        draft = read_form(str(data.get("form", "")), catalogs.tz, catalogue)
        grant_id = int(data.get("grant_id", 0))
        if grant_id:
            grant, _changes = await grants.edit(query.from_user.id, grant_id, draft)
        else:
            grant = await grants.add(query.from_user.id, draft)
    except CatalogueError:
        callback_answer.text = grant_refusal_text(t, GrantProblem.BAD_FILTER)
        return
    except GrantError as error:
        callback_answer.text = grant_refusal_text(t, error.problem)
        return
    await end_conversation(state, raw_state)
    callback_answer.text = saved_text(t)
    await show_reader_card(query, query.from_user.id, grants, clock, t, callback_answer, grant.id)


async def on_close(
    query: CallbackQuery,
    callback_data: GrantAdminCallback,
    grants: GrantService,
    clock: Clock,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        grant = await grants.close(query.from_user.id, callback_data.grant_id)
    except GrantError as error:
        callback_answer.text = grant_refusal_text(t, error.problem)
        return
    callback_answer.text = closed_text(t)
    await show_reader_card(query, query.from_user.id, grants, clock, t, callback_answer, grant.id)


async def on_cancel(query: CallbackQuery, state: FSMContext, raw_state: str | None, t: Translator) -> None:
    await end_conversation(state, raw_state)
    await show(query, View(cancelled_text(t)))
