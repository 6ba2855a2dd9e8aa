"""/start and the first conversation: language → consent → role → region → main menu; an NGO or an
organizer names the organisation (and its BIN, if any) between role and region, and the request goes to
the admins with the region, once everything they check it against is known.

The step a user is at is derived from what they have chosen (see `onboarding_step`), and every
onboarding button belongs to one step: a press counts only while the user is at that step. A press
for another step changes nothing and shows where the user is now, so an old button can never undo an
answer. The open question is shown in one message: when it is asked again further down, the buttons
of the earlier copy are taken off (its id is kept in the conversation state, see `Onboarding`).
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart, Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InaccessibleMessage, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.commands import set_chat_commands
from bot.domain.onboarding import OnboardingStep, onboarding_step
from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.roles import Role
from bot.filters import NOT_A_COMMAND, TYPED_TEXT, Onboarded
from bot.i18n import Catalogs, Translator
from bot.replies import remove_buttons, send, show
from bot.services.publishing import organizes
from bot.services.users import InvalidInputError, UserService
from bot.settings import SUPPORTED_LOCALES
from bot.views import with_notice
from bot.views.links import deep_link_view
from bot.views.menu import menu_view
from bot.views.onboarding import (
    BinSkipCallback,
    ConsentCallback,
    LanguageCallback,
    RegionCallback,
    RequestBackCallback,
    RoleCallback,
    consent_declined_view,
    finish_setting_up_text,
    role_chosen_text,
    stale_step_text,
    step_view,
    text_please_text,
)
from bot.views.profile import problem_text, start_over_view
from storage.fsm import (
    DIALOG_MESSAGE,
    conversation_data,
    dialog_message_in,
    end_conversation,
    start_conversation,
)
from storage.repositories.users import UserProfile


class Onboarding(StatesGroup):
    # The message that shows the open question: {"message": its id}. Conversation state, not a fact
    # about the user: it ends with the conversation (onboarding done, consent declined or withdrawn,
    # data erased), needs no migration, and is not personal data to export or to keep without consent.
    question = State()


class AtStep(Filter):
    """The user is at one of these onboarding steps (re-checked on every update)."""

    def __init__(self, *steps: OnboardingStep) -> None:
        self.steps = frozenset(steps)

    async def __call__(self, _event: object, user: UserProfile | None = None) -> bool:
        return user is not None and onboarding_step(user) in self.steps


def router() -> Router:
    router = Router(name="onboarding")
    router.message.register(on_start, CommandStart())
    router.callback_query.register(on_language, LanguageCallback.filter(F.code.in_(SUPPORTED_LOCALES)))
    router.callback_query.register(on_consent, ConsentCallback.filter())
    router.callback_query.register(on_role, RoleCallback.filter(F.role.in_(set(Role))))
    router.callback_query.register(on_region, RegionCallback.filter(F.code.in_(set(REGIONS_BY_CODE))))
    router.callback_query.register(on_request_back, RequestBackCallback.filter())
    router.callback_query.register(on_bin_skip, BinSkipCallback.filter())
    # The organisation's name and BIN are typed; a command (/cancel) shows the question again below.
    router.message.register(on_organization, AtStep(OnboardingStep.ORGANIZATION), TYPED_TEXT)
    router.message.register(on_bin, AtStep(OnboardingStep.BIN), TYPED_TEXT)
    router.message.register(
        on_not_text, AtStep(OnboardingStep.ORGANIZATION, OnboardingStep.BIN), NOT_A_COMMAND
    )
    # Anything else from someone who has not finished: bring them back to their question.
    router.message.register(on_unfinished, ~Onboarded())
    router.callback_query.register(on_unfinished_button, ~Onboarded())
    return router


async def on_start(
    message: Message,
    command: CommandObject,
    user: UserProfile,
    users: UserService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    catalogs: Catalogs,
) -> None:
    if command.args:
        user = await users.keep_start_payload(user, command.args)
    if onboarding_step(user) is OnboardingStep.DONE and user.start_payload is None:
        # Set up already: "start over" means changing a choice, never losing one.
        await end_conversation(state, raw_state)
        await send(message, start_over_view(t))
        return
    await continue_onboarding(message, user, users, t, catalogs, state, raw_state)


async def on_language(
    query: CallbackQuery,
    callback_data: LanguageCallback,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
    bot: Bot,
    callback_answer: CallbackAnswer,
) -> None:
    if onboarding_step(user) is not OnboardingStep.LANGUAGE:
        await on_stale_step(query, user, users, t, catalogs, state, raw_state, callback_answer)
        return
    user = await users.choose_language(user.id, callback_data.code)
    t = catalogs[callback_data.code]
    await set_chat_commands(bot, t, user.id)
    await continue_onboarding(query, user, users, t, catalogs, state, raw_state)


async def on_consent(
    query: CallbackQuery,
    callback_data: ConsentCallback,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
    callback_answer: CallbackAnswer,
) -> None:
    if onboarding_step(user) is not OnboardingStep.CONSENT:
        await on_stale_step(query, user, users, t, catalogs, state, raw_state, callback_answer)
        return
    if callback_data.agree:
        user = await users.give_consent(
            user.id,
            name=query.from_user.full_name,
            username=query.from_user.username,
            telegram_language=query.from_user.language_code,
        )
        await continue_onboarding(query, user, users, t, catalogs, state, raw_state)
        return
    previous = await question_message(state, raw_state)
    await users.decline_consent(user.id)  # the conversation ends with it
    shown = await show(query, consent_declined_view(t))
    await retire_question(query.bot, user.id, previous, shown)


async def on_role(
    query: CallbackQuery,
    callback_data: RoleCallback,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
    callback_answer: CallbackAnswer,
) -> None:
    if onboarding_step(user) is not OnboardingStep.ROLE:
        await on_stale_step(query, user, users, t, catalogs, state, raw_state, callback_answer)
        return
    role = Role(callback_data.role)
    user = await users.choose_role(user.id, role)
    if role is Role.VOLUNTEER:
        callback_answer.text = role_chosen_text(t, role)
    # NGO and organizer: the organisation's name is asked next, in this message.
    await continue_onboarding(query, user, users, t, catalogs, state, raw_state)


async def on_organization(
    message: Message,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
) -> None:
    note = None
    try:
        user = await users.name_organization(user.id, message.text or "")
    except InvalidInputError as error:  # asked again, with what was wrong
        note = problem_text(t, error.problem)
    await continue_onboarding(message, user, users, t, catalogs, state, raw_state, note=note)


async def on_bin(
    message: Message,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
) -> None:
    note = None
    try:
        user = await users.give_bin(user.id, message.text or "")
    except InvalidInputError as error:
        note = problem_text(t, error.problem)
    await continue_onboarding(message, user, users, t, catalogs, state, raw_state, note=note)


async def on_not_text(
    message: Message,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
) -> None:
    """A file, photo or sticker for the organisation's name or BIN: the question again, and why."""
    await continue_onboarding(message, user, users, t, catalogs, state, raw_state, note=text_please_text(t))


async def on_bin_skip(
    query: CallbackQuery,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
    callback_answer: CallbackAnswer,
) -> None:
    if onboarding_step(user) is not OnboardingStep.BIN:
        await on_stale_step(query, user, users, t, catalogs, state, raw_state, callback_answer)
        return
    user = await users.give_bin(user.id, None)
    await continue_onboarding(query, user, users, t, catalogs, state, raw_state)


async def on_request_back(
    query: CallbackQuery,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
    callback_answer: CallbackAnswer,
) -> None:
    if onboarding_step(user) not in {OnboardingStep.ORGANIZATION, OnboardingStep.BIN}:
        await on_stale_step(query, user, users, t, catalogs, state, raw_state, callback_answer)
        return
    user = await users.drop_role_request(user.id)
    await continue_onboarding(query, user, users, t, catalogs, state, raw_state)


async def on_region(
    query: CallbackQuery,
    callback_data: RegionCallback,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
    callback_answer: CallbackAnswer,
) -> None:
    if onboarding_step(user) is not OnboardingStep.REGION:
        await on_stale_step(query, user, users, t, catalogs, state, raw_state, callback_answer)
        return
    before = user
    user = await users.choose_region(user.id, callback_data.code)
    request_sent = before.role_requested_at is None and user.role_requested_at is not None
    if request_sent and user.requested_role in set(Role) and query.message is not None:
        # Too long for a toast, and worth keeping in the chat.
        await query.message.answer(role_chosen_text(t, Role(str(user.requested_role))))
    await continue_onboarding(query, user, users, t, catalogs, state, raw_state)


async def on_stale_step(
    query: CallbackQuery,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
    callback_answer: CallbackAnswer,
) -> None:
    """A button of a step the user is not at: nothing changes; the message shows where they are."""
    callback_answer.text = stale_step_text(catalogs.speaking(user.language, t))
    await continue_onboarding(query, user, users, t, catalogs, state, raw_state)


async def on_unfinished(
    message: Message,
    user: UserProfile | None,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
) -> None:
    if user is not None:
        await show_open_question(message, user, users, t, catalogs, state, raw_state)


async def on_unfinished_button(
    query: CallbackQuery,
    user: UserProfile | None,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
    callback_answer: CallbackAnswer,
) -> None:
    if user is None:
        return
    # The question takes the place of the message pressed on: no "below" or "above" to point at.
    callback_answer.text = finish_setting_up_text(catalogs.speaking(user.language, t))
    await continue_onboarding(query, user, users, t, catalogs, state, raw_state)


async def continue_onboarding(
    event: Message | CallbackQuery,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
    *,
    note: str | None = None,
) -> None:
    """Ask the open question (with a `note` above it); once all are answered, the menu and any deep
    link waiting. A message gets the question as a new message, a press in the message pressed on;
    either way the copy shown before loses its buttons."""
    previous = await question_message(state, raw_state)
    step = onboarding_step(user)
    if step is not OnboardingStep.DONE:
        shown = await show(event, with_notice(step_view(step, t, catalogs.all()), note))
        if shown is not None and shown.message_id != previous:
            await retire_question(event.bot, user.id, previous, shown)
            await start_conversation(state, Onboarding.question, {DIALOG_MESSAGE: shown.message_id})
        return
    shown = await show(event, menu_view(t, organizes=await organizes(users.database, user, users.admins)))
    await retire_question(event.bot, user.id, previous, shown)
    await end_conversation(state, raw_state)
    link = await users.take_start_payload(user)
    if link is not None:
        answer_to = event if isinstance(event, Message) else event.message
        if isinstance(answer_to, Message):
            await send(answer_to, deep_link_view(t, link))


async def question_message(state: FSMContext, raw_state: str | None) -> int | None:
    """The id of the message showing the open question, if one does."""
    return dialog_message_in(await conversation_data(state, raw_state, Onboarding.question))


async def retire_question(
    bot: Bot | None, chat_id: int, previous: int | None, shown: Message | InaccessibleMessage | None
) -> None:
    """Take the buttons off the question's earlier copy, unless it is the message `shown` now."""
    if bot is not None and previous is not None and (shown is None or shown.message_id != previous):
        await remove_buttons(bot, chat_id, previous)


async def show_open_question(
    message: Message,
    user: UserProfile,
    users: UserService,
    t: Translator,
    catalogs: Catalogs,
    state: FSMContext,
    raw_state: str | None,
) -> None:
    """For whatever does not apply yet (text, /cancel, /menu): the open question, with a note why."""
    note = finish_setting_up_text(catalogs.speaking(user.language, t))
    await continue_onboarding(message, user, users, t, catalogs, state, raw_state, note=note)
