"""Questions about grant calls: ❓ Ask on a call's card starts a one-message dialog; admins press ✍️ Answer
on the question the outbox brought them (or on /questions, the list of unanswered ones), type the answer,
and may 📌 publish it on the card; 💬 on the card lists what is published. Every step is checked by the
service: a forged admin button, a closed call or a question answered by another admin is refused there."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.clock import Clock
from bot.domain.onboarding import OnboardingStep, onboarding_step
from bot.filters import NOT_A_COMMAND, TYPED_TEXT, Onboarded
from bot.i18n import Translator
from bot.replies import send, show
from bot.services.grant_questions import GrantQuestionService, QuestionError, QuestionProblem
from bot.services.grants import GrantService
from bot.views import View
from bot.views.grant_questions import (
    QuestionAction,
    QuestionCallback,
    already_answered_text,
    answer_as_text_text,
    answer_prompt_view,
    answer_sent_text,
    answered_view,
    ask_prompt_view,
    asked_view,
    cancelled_view,
    published_text,
    published_view,
    question_as_text_text,
    question_refusal_text,
    unanswered_view,
)
from handlers.grants import show_reader_card
from handlers.onboarding import retire_question
from storage.fsm import (
    DIALOG_MESSAGE,
    conversation_data,
    dialog_message,
    dialog_message_in,
    end_conversation,
    start_conversation,
)
from storage.repositories.users import UserProfile


class AskForm(StatesGroup):
    text = State()


class AnswerForm(StatesGroup):
    text = State()


# The dialogs a question's ❌ Cancel belongs to.
OUR_DIALOGS = {AskForm.text.state, AnswerForm.text.state}


def router() -> Router:
    """Before strangers: an ADMIN_IDS admin answers whether or not they set themselves up; asking and
    reading the card's questions are for users set up (Onboarded), as the catalogue is."""
    router = Router(name="grant_questions")
    callback = router.callback_query
    callback.register(on_ask, QuestionCallback.filter(F.action == QuestionAction.ASK), Onboarded())
    callback.register(on_published, QuestionCallback.filter(F.action == QuestionAction.LIST), Onboarded())
    callback.register(on_cancel, QuestionCallback.filter(F.action == QuestionAction.CANCEL))
    callback.register(on_answer, QuestionCallback.filter(F.action == QuestionAction.ANSWER))
    callback.register(
        on_publish,
        QuestionCallback.filter(F.action.in_({QuestionAction.PUBLISH, QuestionAction.UNPUBLISH})),
    )
    callback.register(
        on_unpublish_listed, QuestionCallback.filter(F.action == QuestionAction.UNPUBLISH_LISTED)
    )
    callback.register(on_unanswered_press, QuestionCallback.filter(F.action == QuestionAction.UNANSWERED))
    router.message.register(on_unanswered, Command("questions"))
    router.message.register(on_question, StateFilter(AskForm.text), TYPED_TEXT)
    router.message.register(on_question_not_text, StateFilter(AskForm.text), NOT_A_COMMAND)
    router.message.register(on_answer_text, StateFilter(AnswerForm.text), TYPED_TEXT)
    router.message.register(on_answer_not_text, StateFilter(AnswerForm.text), NOT_A_COMMAND)
    return router


# The asker


async def on_ask(
    query: CallbackQuery,
    callback_data: QuestionCallback,
    user: UserProfile,
    grant_questions: GrantQuestionService,
    state: FSMContext,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        grant = await grant_questions.may_ask(user.id, callback_data.grant_id)
    except QuestionError as error:
        callback_answer.text = question_refusal_text(t, error.problem)
        return
    data: dict[str, int] = {"grant": grant.id}
    if query.message is not None:  # the prompt's buttons go on /cancel
        data[DIALOG_MESSAGE] = query.message.message_id
    await start_conversation(state, AskForm.text, data)
    await show(query, ask_prompt_view(t, grant))


async def on_question(
    message: Message,
    user: UserProfile | None,
    grant_questions: GrantQuestionService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    data = await conversation_data(state, raw_state, AskForm.text)
    if user is None:  # deleted their data mid-dialog
        await end_conversation(state, raw_state)
        await send(message, View(question_refusal_text(t, QuestionProblem.NO_SUCH_GRANT)))
        return
    prompt = dialog_message_in(data)
    try:
        asked = await grant_questions.ask(user.id, int(data.get("grant", 0)), message.text or "")
    except QuestionError as error:
        sent = await send(message, View(question_refusal_text(t, error.problem)))
        if error.problem not in {QuestionProblem.EMPTY, QuestionProblem.QUESTION_TOO_LONG}:
            await end_conversation(state, raw_state)  # the call closed, or a limit: no use waiting
            await retire_question(message.bot, message.chat.id, prompt, sent)
        return
    await end_conversation(state, raw_state)
    # The prompt's ❌ Cancel means nothing once the question is sent.
    sent = await send(message, asked_view(t, asked.grant, admins_told=asked.admins_told))
    await retire_question(message.bot, message.chat.id, prompt, sent)


async def on_question_not_text(message: Message, t: Translator) -> None:
    await send(message, View(question_as_text_text(t)))


async def on_cancel(
    query: CallbackQuery,
    callback_data: QuestionCallback,
    user: UserProfile | None,
    grants: GrantService,
    clock: Clock,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    if raw_state in OUR_DIALOGS:  # an old ❌ Cancel ends no other dialog the user is in now
        await end_conversation(state, raw_state)
    if callback_data.grant_id and user is not None and onboarding_step(user) is OnboardingStep.DONE:
        # An asker's ❌ Cancel: back to the call's card as its reader sees it anywhere.
        notice = cancelled_view(t, 0).text
        if await show_reader_card(
            query, user.id, grants, clock, t, callback_answer, callback_data.grant_id, notice=notice
        ):
            return  # (else the call is gone: "Cancelled." alone)
        callback_answer.text = None
    await show(query, cancelled_view(t, callback_data.grant_id))


async def on_published(
    query: CallbackQuery,
    callback_data: QuestionCallback,
    user: UserProfile,
    grant_questions: GrantQuestionService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        page = await grant_questions.published(user.id, callback_data.grant_id, callback_data.page)
    except QuestionError as error:
        callback_answer.text = question_refusal_text(t, error.problem)
        return
    await show(query, published_view(t, page))


# The admins


async def on_answer(
    query: CallbackQuery,
    callback_data: QuestionCallback,
    grant_questions: GrantQuestionService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        details = await grant_questions.to_answer(query.from_user.id, callback_data.question_id)
    except QuestionError as error:
        if error.problem is QuestionProblem.ALREADY_ANSWERED and error.details is not None:
            notice = already_answered_text(t, error.details)
            callback_answer.text = notice
            await show(query, answered_view(t, error.details, notice))
            return
        callback_answer.text = question_refusal_text(t, error.problem)
        if error.problem is QuestionProblem.NOT_ALLOWED:
            await send_refusal(query, callback_answer.text)
        return
    # An answer begun for another question is given up, and its prompt loses its buttons: what the
    # admin types next answers this question, the one whose prompt is the newest in the chat.
    previous = await dialog_message(state, raw_state) if raw_state == AnswerForm.text.state else None
    prompt: Message | None
    if isinstance(query.message, Message):
        # A new message: the question (or the /questions list) stays in the chat above the prompt.
        prompt = await send(query.message, answer_prompt_view(t, details))
    else:
        prompt = await show(query, answer_prompt_view(t, details))
    data: dict[str, int] = {"question": details.question.id}
    if prompt is not None:
        data[DIALOG_MESSAGE] = prompt.message_id
    await start_conversation(state, AnswerForm.text, data)
    await retire_question(query.bot, query.from_user.id, previous, prompt)


async def send_refusal(query: CallbackQuery, text: str) -> None:
    """A refusal said in the chat too (a press's answer vanishes in a moment)."""
    if isinstance(query.message, Message):
        await send(query.message, View(text))


async def on_answer_text(
    message: Message,
    grant_questions: GrantQuestionService,
    state: FSMContext,
    raw_state: str | None,
    t: Translator,
) -> None:
    data = await conversation_data(state, raw_state, AnswerForm.text)
    admin = message.from_user.id if message.from_user else 0
    try:
        details = await grant_questions.answer(admin, int(data.get("question", 0)), message.text or "")
    except QuestionError as error:
        if error.problem in {QuestionProblem.EMPTY, QuestionProblem.ANSWER_TOO_LONG}:
            await send(message, View(question_refusal_text(t, error.problem)))
            return  # the dialog waits for a better one
        await end_conversation(state, raw_state)
        if error.problem is QuestionProblem.ALREADY_ANSWERED and error.details is not None:
            notice = already_answered_text(t, error.details)
            await send(message, answered_view(t, error.details, notice))
            return
        await send(message, View(question_refusal_text(t, error.problem)))
        return
    await end_conversation(state, raw_state)
    sent = await send(message, answered_view(t, details, answer_sent_text(t)))
    await retire_question(
        message.bot, message.chat.id, dialog_message_in(data), sent
    )  # its ❌ Cancel is moot


async def on_answer_not_text(message: Message, t: Translator) -> None:
    await send(message, View(answer_as_text_text(t)))


async def on_publish(
    query: CallbackQuery,
    callback_data: QuestionCallback,
    grant_questions: GrantQuestionService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    publish = callback_data.action is QuestionAction.PUBLISH
    try:
        details = await grant_questions.publish(
            query.from_user.id, callback_data.question_id, published=publish
        )
    except QuestionError as error:
        callback_answer.text = question_refusal_text(t, error.problem)
        if error.problem is QuestionProblem.NOT_ALLOWED:
            await send_refusal(query, callback_answer.text)
        return
    callback_answer.text = published_text(t, publish)
    await show(query, answered_view(t, details))


async def on_unpublish_listed(
    query: CallbackQuery,
    callback_data: QuestionCallback,
    grant_questions: GrantQuestionService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    """🙈 Take N off on the published list: the same page of the list again, without it (or the last
    page left, or "nothing is published" once none is)."""
    admin = query.from_user.id
    try:
        details = await grant_questions.publish(admin, callback_data.question_id, published=False)
        page = await grant_questions.published(admin, details.grant.id, callback_data.page)
    except QuestionError as error:
        callback_answer.text = question_refusal_text(t, error.problem)
        if error.problem is QuestionProblem.NOT_ALLOWED:
            await send_refusal(query, callback_answer.text)
        return
    callback_answer.text = published_text(t, False)
    await show(query, published_view(t, page))


async def on_unanswered(message: Message, grant_questions: GrantQuestionService, t: Translator) -> None:
    admin = message.from_user.id if message.from_user else 0
    try:
        unanswered = await grant_questions.unanswered(admin)
    except QuestionError as error:
        await send(message, View(question_refusal_text(t, error.problem)))
        return
    await send(message, unanswered_view(t, unanswered))


async def on_unanswered_press(
    query: CallbackQuery,
    grant_questions: GrantQuestionService,
    t: Translator,
    callback_answer: CallbackAnswer,
) -> None:
    try:
        unanswered = await grant_questions.unanswered(query.from_user.id)
    except QuestionError as error:
        callback_answer.text = question_refusal_text(t, error.problem)
        return
    await show(query, unanswered_view(t, unanswered))
