"""Dialogs in the grant features, left or pressed late: a question about a call, an admin's answer, the
subscription's words, the NGO profile (a review of issue 9 found each of these)."""

from __future__ import annotations

from aiogram.methods import EditMessageReplyMarkup

from bot.app import Application
from bot.clock import ManualClock
from bot.views.grant_questions import QuestionAction, QuestionCallback
from bot.views.grant_subscriptions import SubscriptionAction, SubscriptionCallback
from bot.views.grants import GrantsAction, GrantsCallback
from bot.views.ngo_profiles import NgoProfileAction, NgoProfileCallback
from bot.views.profile import ProfileAction, ProfileCallback
from storage.database import Database
from tests.grants_support import ids_by_external_id
from tests.harness import BotHarness, stored_user, texts
from tests.test_grant_questions import GRANT_QUESTION, admins, delivered, member, outbox_rows
from tests.test_ngo_profiles import ngo


async def test_a_question_left_for_the_catalogue_is_not_sent_when_the_user_types_a_search(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    await admins(harness, app)
    asker = await member(harness, 4301, "ru")
    await asker.press(GrantsCallback(action=GrantsAction.CARD, grant_id=ids["trees"]))
    await asker.press(QuestionCallback(action=QuestionAction.ASK, grant_id=ids["trees"]))
    await asker.press(GrantsCallback(action=GrantsAction.LIST))  # goes back to the list instead

    seen = texts(await asker.send("Какие гранты есть для молодежи?"))
    assert await outbox_rows(app, GRANT_QUESTION) == []  # no admin hears the typed words
    assert not any("отправлен администраторам" in text for text in seen)


async def test_the_subscription_words_left_with_back_are_not_set_by_later_text(
    harness: BotHarness, app: Application
) -> None:
    user = await member(harness, 4302, "ru")
    await user.press(SubscriptionCallback(action=SubscriptionAction.SHOW))
    await user.press(SubscriptionCallback(action=SubscriptionAction.WORDS))
    await user.press(SubscriptionCallback(action=SubscriptionAction.SHOW))  # ⬅️ Back

    await user.send("молодежь")
    assert (await app.grant_subscriptions.get(4302)).record.words == ()


async def test_an_old_cancel_of_a_question_ends_no_other_dialog(
    harness: BotHarness, app: Application, clock: ManualClock, database: Database
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    user = await member(harness, 4303, "kk")
    await user.press(GrantsCallback(action=GrantsAction.CARD, grant_id=ids["trees"]))
    await user.press(QuestionCallback(action=QuestionAction.ASK, grant_id=ids["trees"]))
    await user.press(ProfileCallback(action=ProfileAction.NAME))  # now editing their name

    await user.press(QuestionCallback(action=QuestionAction.CANCEL, grant_id=ids["trees"]))
    await user.send("Гүлнар")
    assert (await stored_user(database, 4303)).name == "Гүлнар"  # type: ignore[union-attr]


async def test_an_admin_answers_the_question_of_the_newest_prompt_and_the_older_one_is_retired(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    first, _second = await admins(harness, app)
    one, two = await member(harness, 4304, "kk"), await member(harness, 4305, "ru")
    for asker, text in ((one, "Бірінші сұрақ бар ма?"), (two, "Второй вопрос есть?")):
        await asker.press(GrantsCallback(action=GrantsAction.CARD, grant_id=ids["trees"]))
        await asker.press(QuestionCallback(action=QuestionAction.ASK, grant_id=ids["trees"]))
        await asker.send(text)
    await delivered(app, harness, first.id)
    unanswered = await app.grant_questions.unanswered(first.id)
    question_one, question_two = (item.question.id for item in unanswered.questions)

    await first.press(QuestionCallback(action=QuestionAction.ANSWER, question_id=question_one))
    assert first.last_bot_message is not None
    older_prompt = first.last_bot_message.message_id
    requests = await first.press(QuestionCallback(action=QuestionAction.ANSWER, question_id=question_two))
    retired = [r for r in requests if isinstance(r, EditMessageReplyMarkup)]
    assert [r.message_id for r in retired] == [older_prompt]  # its ❌ Cancel is gone

    await first.send("Жауап екінші сұраққа.")
    assert [m.chat_id for m in await delivered(app, harness, two.id)] == [two.id]
    assert await delivered(app, harness, one.id) == []


async def test_an_old_cancel_of_the_ngo_profile_ends_no_other_dialog(
    harness: BotHarness, database: Database
) -> None:
    user = await ngo(harness, 4306, "ru")
    await user.press(NgoProfileCallback(action=NgoProfileAction.START))
    await user.press(ProfileCallback(action=ProfileAction.NAME))  # now editing their name

    await user.press(NgoProfileCallback(action=NgoProfileAction.CANCEL))
    await user.send("Гульнар")
    assert (await stored_user(database, 4306)).name == "Гульнар"  # type: ignore[union-attr]


async def test_an_ngo_waiting_for_approval_searches_by_typing_too(harness: BotHarness) -> None:
    user = await ngo(harness, 4307, "ru", approve=False)
    seen = texts(await user.send("гранты для молодежи в Актобе"))
    assert any("Запрос понят так: регион: Актюбинская область; сфера: Молодёжь." in text for text in seen)
