"""Publishing events: "Events I organize", the create dialog (question by question, with a preview in
both languages), an event's screen, and editing, publishing, cancelling and duplicating it. Every
press and answer goes through PublishingService, which checks who may do it."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.clock import Clock
from bot.filters import TYPED_TEXT, Matches, Onboarded
from bot.i18n import Catalogs, Translator
from bot.replies import send, show
from bot.services.events import EventError, EventProblem
from bot.services.publishing import (
    CREATE_STEPS,
    EDITED_TOGETHER,
    NOT_TYPED,
    SKIPPABLE,
    PublishingService,
    Step,
)
from bot.views import View
from bot.views.broadcasts import preview_heading
from bot.views.events import event_card_view
from bot.views.menu import stale_button_text
from bot.views.organizer import OrganizerAction, OrganizerEventCallback
from bot.views.profile import text_expected_text
from bot.views.publishing import (
    EditFieldCallback,
    ManageAction,
    ManageCallback,
    OrganizedAction,
    OrganizedCallback,
    PreviewCallback,
    PreviewChoice,
    StepAction,
    StepCallback,
    cancel_confirm_view,
    cancelled_event_text,
    changed_text,
    choose_with_buttons_text,
    current_value,
    draft_saved_text,
    dropped_text,
    duplicated_text,
    edit_fields_view,
    location_expected_text,
    organized_list_view,
    organizer_event_view,
    preview_prompt_view,
    problem_text,
    published_text,
    step_view,
)
from storage.fsm import conversation_data, end_conversation, start_conversation
from storage.repositories.users import UserProfile

# The screen's actions this router answers; the organizer tools answer the others.
OWN_ACTIONS = frozenset(
    {OrganizerAction.OPEN, OrganizerAction.EDIT, OrganizerAction.CANCEL, OrganizerAction.DUPLICATE}
)


class PublishForm(StatesGroup):
    # data: {"step": a Step, "values": the answers so far (JSON), "edit": the event's id or None}
    answer = State()
    preview = State()  # data: {"values": ...}
    reason = State()  # data: {"event_id": ...}


def router() -> Router:
    router = Router(name="publishing")
    router.message.filter(Onboarded())
    router.callback_query.filter(Onboarded())
    router.callback_query.register(on_list, OrganizedCallback.filter(F.action == OrganizedAction.LIST))
    router.callback_query.register(on_new, OrganizedCallback.filter(F.action == OrganizedAction.NEW))
    router.callback_query.register(on_event, OrganizerEventCallback.filter(F.action.in_(OWN_ACTIONS)))
    router.callback_query.register(on_edit_field, EditFieldCallback.filter())
    router.callback_query.register(on_manage, ManageCallback.filter())
    router.callback_query.register(on_step_button, StateFilter(PublishForm.answer), StepCallback.filter())
    router.callback_query.register(
        on_preview_choice, StateFilter(PublishForm.preview), PreviewCallback.filter()
    )
    router.message.register(on_typed, StateFilter(PublishForm.answer), TYPED_TEXT)
    router.message.register(on_location, StateFilter(PublishForm.answer), Matches(F.location))
    router.message.register(on_reason, StateFilter(PublishForm.reason), TYPED_TEXT)
    # A photo, a file, a sticker... where text was expected: said so, and the question stays.
    router.message.register(on_not_text, StateFilter(PublishForm.answer), Matches(~F.text))
    router.message.register(on_not_reason, StateFilter(PublishForm.reason), Matches(~F.text))
    return router


# The organizer's events


async def on_list(
    query: CallbackQuery,
    callback_data: OrganizedCallback,
    user: UserProfile,
    publishing: PublishingService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    clock: Clock,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        page = await publishing.organized(user.id, callback_data.page)
    except EventError as error:
        callback_answer.text = problem_text(t, error.problem)
        return
    await end_conversation(state, raw_state)
    await show(query, organized_list_view(t, page, clock.now()))


async def on_new(
    query: CallbackQuery,
    user: UserProfile,
    publishing: PublishingService,
    state: FSMContext,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    if not await publishing.organizes(user):
        callback_answer.text = problem_text(t, EventProblem.NOT_ALLOWED)
        return
    first = CREATE_STEPS[0]
    await start_conversation(state, PublishForm.answer, {"step": first, "values": {}, "edit": None})
    await show(query, step_view(t, first, region=user.region))


async def on_event(
    query: CallbackQuery,
    callback_data: OrganizerEventCallback,
    user: UserProfile,
    publishing: PublishingService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    clock: Clock,
    callback_answer: CallbackAnswer,
) -> None:
    """Open the event's screen, or Edit / Cancel / Duplicate on it (each re-checked by the service)."""
    event_id, action = callback_data.event_id, callback_data.action
    try:
        if action is OrganizerAction.EDIT:
            organized = await publishing.changeable(user.id, event_id)
            await show(query, edit_fields_view(t, organized.event))
        elif action is OrganizerAction.CANCEL:
            organized = await publishing.changeable(user.id, event_id)
            await start_conversation(state, PublishForm.reason, {"event_id": event_id})
            await show(query, cancel_confirm_view(t, organized))
        elif action is OrganizerAction.DUPLICATE:
            copy = await publishing.duplicate(user.id, event_id)
            await end_conversation(state, raw_state)
            organized = await publishing.event(user.id, copy.id)
            await show(query, organizer_event_view(t, organized, clock.now(), duplicated_text(t)))
        else:
            organized = await publishing.event(user.id, event_id)
            await end_conversation(state, raw_state)
            await show(query, organizer_event_view(t, organized, clock.now()))
    except EventError as error:
        callback_answer.text = problem_text(t, error.problem)


async def on_edit_field(
    query: CallbackQuery,
    callback_data: EditFieldCallback,
    user: UserProfile,
    publishing: PublishingService,
    state: FSMContext,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        organized = await publishing.changeable(user.id, callback_data.event_id)
    except EventError as error:
        callback_answer.text = problem_text(t, error.problem)
        return
    step, event_id = callback_data.step, callback_data.event_id
    await start_conversation(state, PublishForm.answer, {"step": step, "values": {}, "edit": event_id})
    current = current_value(t, step, organized.event)
    await show(query, step_view(t, step, editing=event_id, region=user.region, current=current))


async def on_manage(
    query: CallbackQuery,
    callback_data: ManageCallback,
    user: UserProfile,
    publishing: PublishingService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    clock: Clock,
    callback_answer: CallbackAnswer,
) -> None:
    """Publish a draft, or cancel the event without a reason (from its confirmation)."""
    event_id = callback_data.event_id
    try:
        if callback_data.action is ManageAction.PUBLISH:
            await publishing.publish(user.id, event_id)
            notice = published_text(t)
        else:
            outcome = await publishing.cancel(user.id, event_id)
            notice = cancelled_event_text(t, outcome.notified)
        organized = await publishing.event(user.id, event_id)
    except EventError as error:
        callback_answer.text = problem_text(t, error.problem)
        return
    await end_conversation(state, raw_state)
    await show(query, organizer_event_view(t, organized, clock.now(), notice))


async def on_reason(
    message: Message,
    user: UserProfile,
    publishing: PublishingService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    clock: Clock,
) -> None:
    """The reason for cancelling, typed in answer to the confirmation: the event is cancelled."""
    event_id = int((await conversation_data(state, raw_state, PublishForm.reason)).get("event_id", 0))
    try:
        outcome = await publishing.cancel(user.id, event_id, message.text)
        organized = await publishing.event(user.id, event_id)
    except EventError as error:  # too long: the confirmation stays open for another try
        await message.answer(problem_text(t, error.problem))
        return
    await end_conversation(state, raw_state)
    await send(
        message, organizer_event_view(t, organized, clock.now(), cancelled_event_text(t, outcome.notified))
    )


# The dialog's answers


async def on_typed(
    message: Message,
    user: UserProfile,
    publishing: PublishingService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    catalogs: Catalogs,
    clock: Clock,
) -> None:
    data = await conversation_data(state, raw_state, PublishForm.answer)
    step = Step(data["step"])
    if step in NOT_TYPED:
        await message.answer(_expected(t, step))
        return
    try:
        answer = publishing.read_answer(step, message.text, t.tz, data["values"])
    except EventError as error:
        await message.answer(problem_text(t, error.problem))
        return
    await _take(message, answer, data, user, publishing, state, t, catalogs, clock)


async def on_location(
    message: Message,
    user: UserProfile,
    publishing: PublishingService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    catalogs: Catalogs,
    clock: Clock,
) -> None:
    data = await conversation_data(state, raw_state, PublishForm.answer)
    if Step(data["step"]) is not Step.MAP or message.location is None:
        await message.answer(_expected(t, Step(data["step"])))
        return
    answer = {"latitude": message.location.latitude, "longitude": message.location.longitude}
    await _take(message, answer, data, user, publishing, state, t, catalogs, clock)


async def on_step_button(
    query: CallbackQuery,
    callback_data: StepCallback,
    user: UserProfile,
    publishing: PublishingService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    catalogs: Catalogs,
    clock: Clock,
    callback_answer: CallbackAnswer,
) -> None:
    """Skip, or a category or region chosen: only on the question open now."""
    data = await conversation_data(state, raw_state, PublishForm.answer)
    step = callback_data.step
    if data.get("step") != step:
        callback_answer.text = stale_button_text(t)
        return
    if callback_data.action is StepAction.SKIP and step in SKIPPABLE:
        answer = publishing.read_answer(step, None, t.tz, data["values"])
    elif callback_data.action is StepAction.CHOOSE and step is Step.CATEGORY:
        answer = {"category": callback_data.value}
    elif callback_data.action is StepAction.CHOOSE and step is Step.REGION:
        answer = {"region": callback_data.value}
    else:
        callback_answer.text = stale_button_text(t)
        return
    await _take(query, answer, data, user, publishing, state, t, catalogs, clock, callback_answer)


async def on_not_text(message: Message, state: FSMContext, raw_state: str | None, t: Translator) -> None:
    """Neither text nor a location: what the open question expects instead."""
    step = (await conversation_data(state, raw_state, PublishForm.answer)).get("step")
    await message.answer(_expected(t, Step(step) if step in set(Step) else None))


async def on_not_reason(message: Message, t: Translator) -> None:
    await message.answer(text_expected_text(t))


def _expected(t: Translator, step: Step | None) -> str:
    if step is Step.MAP:
        return location_expected_text(t)
    if step in NOT_TYPED:
        return choose_with_buttons_text(t)
    return text_expected_text(t)


async def _take(
    event: Message | CallbackQuery,
    answer: dict[str, Any],
    data: dict[str, Any],
    user: UserProfile,
    publishing: PublishingService,
    state: FSMContext,
    t: Translator,
    catalogs: Catalogs,
    clock: Clock,
    callback_answer: CallbackAnswer | None = None,
) -> None:
    """An answer read: checked with the event's rules (a problem is said and the question stays),
    then the next question; at the end the preview (creating) or the change saved (editing)."""
    step, editing = Step(data["step"]), data.get("edit")
    values = {**data["values"], **answer}
    if editing is None:
        index = CREATE_STEPS.index(step) + 1
        following = CREATE_STEPS[index] if index < len(CREATE_STEPS) else None
    else:
        following = EDITED_TOGETHER.get(step)
    try:
        # An edit's last answer is checked against the whole event when it is saved, not placeholders.
        if editing is None or following is not None:
            publishing.check_answer(values)
        if following is not None:
            await _ask(event, following, values, editing, user, publishing, state, t)
        elif editing is not None:
            await _save_edit(event, int(editing), values, user, publishing, state, t, clock)
        else:
            await _show_preview(event, values, user, publishing, state, t, catalogs)
    except EventError as error:  # raised before anything was stored or shown
        await _refuse(event, problem_text(t, error.problem), callback_answer)


async def _ask(
    event: Message | CallbackQuery,
    step: Step,
    values: dict[str, Any],
    editing: int | None,
    user: UserProfile,
    publishing: PublishingService,
    state: FSMContext,
    t: Translator,
) -> None:
    """The next question (editing: with the field's value now)."""
    current = None
    if editing is not None:
        current = current_value(t, step, (await publishing.event(user.id, editing)).event)
    await start_conversation(state, PublishForm.answer, {"step": step, "values": values, "edit": editing})
    await show(event, step_view(t, step, editing=editing, region=user.region, current=current))


async def _save_edit(
    event: Message | CallbackQuery,
    event_id: int,
    changes: dict[str, Any],
    user: UserProfile,
    publishing: PublishingService,
    state: FSMContext,
    t: Translator,
    clock: Clock,
) -> None:
    outcome = await publishing.edit(user.id, event_id, changes)
    organized = await publishing.event(user.id, event_id)
    await end_conversation(state, PublishForm.answer.state)
    await show(event, organizer_event_view(t, organized, clock.now(), changed_text(t, outcome.notified)))


async def _show_preview(
    event: Message | CallbackQuery,
    values: dict[str, Any],
    user: UserProfile,
    publishing: PublishingService,
    state: FSMContext,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    """Each language's card, exactly as volunteers will see it, then Publish / Save as a draft / Drop."""
    preview = publishing.preview(user.id, values)
    await start_conversation(state, PublishForm.preview, {"values": values})
    message = event if isinstance(event, Message) else event.message
    if not isinstance(message, Message):
        return
    for language in catalogs.all():
        await send(message, View(preview_heading(t, language.locale)))
        await send(message, View(event_card_view(language, preview, None).text))
    await send(message, preview_prompt_view(t))


async def on_preview_choice(
    query: CallbackQuery,
    callback_data: PreviewCallback,
    user: UserProfile,
    publishing: PublishingService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    clock: Clock,
    callback_answer: CallbackAnswer,
) -> None:
    data = await conversation_data(state, raw_state, PublishForm.preview)
    if callback_data.choice is PreviewChoice.DROP:
        await end_conversation(state, raw_state)
        await show(query, View(dropped_text(t)))
        return
    publish = callback_data.choice is PreviewChoice.PUBLISH
    try:
        event = await publishing.create(user.id, data.get("values", {}), publish=publish)
        organized = await publishing.event(user.id, event.id)
    except EventError as error:
        callback_answer.text = problem_text(t, error.problem)
        return
    await end_conversation(state, raw_state)
    notice = published_text(t) if publish else draft_saved_text(t)
    await show(query, organizer_event_view(t, organized, clock.now(), notice))


async def _refuse(event: Message | CallbackQuery, text: str, callback_answer: CallbackAnswer | None) -> None:
    if isinstance(event, Message):
        await event.answer(text)
    elif callback_answer is not None:
        callback_answer.text = text
