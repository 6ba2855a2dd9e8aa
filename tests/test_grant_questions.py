"""Questions about grant calls, in Kazakh and Russian: ❓ Ask on a call's card, every admin hears through
the outbox in their language, the first admin's answer reaches the asker once (a second admin is told it
was answered), 📌 publishing puts it on the card for everyone; forged admin buttons, closed or unknown
calls, files, long texts, HTML and too many questions are refused with a clear message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod
from aiogram.types import InlineKeyboardMarkup

from bot.app import Application
from bot.clock import ManualClock
from bot.domain.roles import Role
from bot.i18n import Catalogs
from bot.services.grant_questions import (
    ANSWER_MAX,
    GRANT_ANSWER,
    GRANT_QUESTION,
    OPEN_PER_CALL,
    PER_DAY,
    PUBLISHED_PAGE,
    QUESTION_MAX,
    PublishedPage,
    QuestionError,
    QuestionProblem,
)
from bot.services.grants import preview_record
from bot.text import TEXT_LIMIT, utf16_length
from bot.views.grant_questions import QuestionAction, QuestionCallback, published_view
from bot.views.grants import GrantsAction, GrantsCallback
from storage.repositories.grant_questions import GrantQuestionRecord
from tests.grants_support import call, ids_by_external_id
from tests.harness import BotHarness, PlayedUser, texts

ADMIN = 777  # ADMIN_IDS in the tests' settings
OTHER_ADMIN = 778  # promoted in the bot


async def delivered(app: Application, harness: BotHarness, to: int) -> list[SendMessage]:
    """What the sender sends `to` once every due outbox row has gone out."""
    start = len(harness.session.requests)
    await app.sender.send_due()
    sent: list[TelegramMethod[Any]] = harness.session.requests[start:]
    return [r for r in sent if isinstance(r, SendMessage) and r.chat_id == to]


def answers(requests: list[Any]) -> list[str | None]:
    return [request.text for request in requests if isinstance(request, AnswerCallbackQuery)]


def button_data(message: SendMessage, label: str) -> str:
    assert isinstance(message.reply_markup, InlineKeyboardMarkup)
    for row in message.reply_markup.inline_keyboard:
        for each in row:
            if each.text == label:
                return each.callback_data or ""
    raise AssertionError(f"no button {label!r}")


async def member(harness: BotHarness, user_id: int, language: str, name: str = "Дана") -> PlayedUser:
    user = harness.user(user_id, first_name=name, language_code=language)
    await user.onboard(language, region="aktobe")
    return user


async def admins(harness: BotHarness, app: Application) -> tuple[PlayedUser, PlayedUser]:
    """ADMIN (Russian) and OTHER_ADMIN (Kazakh, promoted in the bot), with nothing waiting for them."""
    first = await member(harness, ADMIN, "ru", name="Асель")
    second = await member(harness, OTHER_ADMIN, "kk", name="Ерлан")
    await app.admins.promote(ADMIN, str(OTHER_ADMIN))
    await delivered(app, harness, OTHER_ADMIN)
    return first, second


async def ask(user: PlayedUser, grant_id: int, text: str) -> list[str]:
    await user.press(GrantsCallback(action=GrantsAction.CARD, grant_id=grant_id))
    await user.press(QuestionCallback(action=QuestionAction.ASK, grant_id=grant_id))
    return texts(await user.send(text))


async def outbox_rows(app: Application, kind: str) -> list[int]:
    async with app.database.reading() as uow:
        rows = await uow.connection.exec_driver_sql(
            "SELECT recipient FROM outbox WHERE kind = ? ORDER BY recipient", (kind,)
        )
        return [row[0] for row in rows]


async def test_every_admin_hears_the_first_answer_reaches_the_asker_once(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    first, second = await admins(harness, app)
    asker = await member(harness, 4101, "kk")

    (card,) = texts(await asker.press(GrantsCallback(action=GrantsAction.CARD, grant_id=ids["trees"])))
    assert card.startswith("<b>Ағаш отырғызу</b>")
    (prompt,) = texts(await asker.press_text("❓ Сұрақ қою"))
    assert prompt.startswith("❓ «Ағаш отырғызу» туралы сұрағыңызды бір хабарламамен, 400 таңбаға дейін")
    assert prompt.endswith("конкурс карточкасында барлығына жариялауы да мүмкін.")  # told before asking
    (sent,) = texts(await asker.send("Бастамашыл топ <b>өтінім</b> бере ала ма?"))
    assert sent == "✅ «Ағаш отырғызу» туралы сұрағыңыз әкімшілерге жіберілді. Жауабы осы чатқа келеді."
    assert await outbox_rows(app, GRANT_QUESTION) == [ADMIN, OTHER_ADMIN]

    start = len(harness.session.requests)
    (to_first,) = await delivered(app, harness, ADMIN)
    (to_second,) = [r for r in harness.session.requests[start:] if getattr(r, "chat_id", 0) == OTHER_ADMIN]
    assert isinstance(to_second, SendMessage)
    assert to_first.text == (
        "❓ <b>Вопрос о грантовом конкурсе</b>\nКонкурс: «Посадка деревьев»\nОт кого: Дана\n\n"
        "Бастамашыл топ &lt;b&gt;өтінім&lt;/b&gt; бере ала ма?"
    )
    assert to_second.text.startswith("❓ <b>Гранттық конкурс туралы сұрақ</b>\nКонкурс: «Ағаш отырғызу»")
    answer_data = button_data(to_first, "✍️ Ответить")
    assert answer_data == button_data(to_second, "✍️ Жауап беру")

    (answer_prompt,) = texts(await first.press(answer_data))
    assert answer_prompt.startswith("✍️ Вопрос о конкурсе «Посадка деревьев» (автор: Дана):")
    (done,) = texts(await first.send("Иә, бере алады: өтінімді <i>бастамашыл топ</i> береді."))
    assert done.startswith("✅ Ответ отправлен автору вопроса.")
    assert "📌 Опубликовать в карточке" in [label for label, _ in first.buttons()]

    (told,) = await delivered(app, harness, 4101)
    assert told.text == (
        "💬 <b>Сұрағыңызға жауап</b>\nКонкурс: «Ағаш отырғызу»\n\n"
        "❓ Сіздің сұрағыңыз: Бастамашыл топ &lt;b&gt;өтінім&lt;/b&gt; бере ала ма?\n\n"
        "💬 Жауап: Иә, бере алады: өтінімді &lt;i&gt;бастамашыл топ&lt;/i&gt; береді."
    )
    assert (
        button_data(told, "📄 Конкурсты ашу")
        == GrantsCallback(action=GrantsAction.OPEN, grant_id=ids["trees"]).pack()
    )

    # The second admin presses Answer on their copy: told who answered, no dialog, nothing to the asker.
    requests = await second.press(answer_data)
    assert answers(requests) == ["Бұл сұраққа Асель жауап беріп қойған."]
    assert any("💬 Иә, бере алады" in text for text in texts(requests))
    assert "Бұл сұраққа жауап" not in " ".join(texts(await second.send("Менің жауабым")))
    with pytest.raises(QuestionError) as refused:  # and if both typed at once, the second loses
        await app.grant_questions.answer(OTHER_ADMIN, 1, "Екінші жауап")
    assert refused.value.problem is QuestionProblem.ALREADY_ANSWERED
    assert await delivered(app, harness, 4101) == []
    assert await outbox_rows(app, GRANT_ANSWER) == [4101]


async def test_a_published_answer_shows_on_the_card_until_taken_off(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    first, _ = await admins(harness, app)
    asker = await member(harness, 4201, "ru")
    reader = await member(harness, 4202, "kk")
    await ask(asker, ids["health-almaty"], "Можно ли подать заявку из Актобе?")
    (question,) = await delivered(app, harness, ADMIN)
    await first.press(button_data(question, "✍️ Ответить"))
    await first.send("Нет, только организации из Алматы.")

    requests = await first.press_text("📌 Опубликовать в карточке")
    assert answers(requests) == ["📌 Опубликовано в карточке."]
    assert "🙈 Убрать из карточки" in [label for label, _ in first.buttons()]

    await reader.press(GrantsCallback(action=GrantsAction.CARD, grant_id=ids["health-almaty"]))
    (listing,) = texts(await reader.press_text("💬 Сұрақтар мен жауаптар (1)"))
    assert listing == (
        "💬 «Денсаулық сақтау жобалары» туралы <b>сұрақтар мен жауаптар</b>\n\n"
        "<b>1. Можно ли подать заявку из Актобе?</b>\n💬 Нет, только организации из Алматы."
    )
    # Only admins see how to take it off; an admin does.
    assert not any(data.startswith("gq:u") for _, data in reader.buttons())
    await first.press(GrantsCallback(action=GrantsAction.CARD, grant_id=ids["health-almaty"]))
    await first.press_text("💬 Вопросы и ответы (1)")
    assert answers(await first.press_text("🙈 Убрать №1")) == ["🙈 Убрано из карточки."]
    open_card = GrantsCallback(action=GrantsAction.CARD, grant_id=ids["health-almaty"])
    (card,) = texts(await reader.press(open_card))
    assert "Сұрақтар мен жауаптар" not in " ".join(label for label, _ in reader.buttons())
    assert card.startswith("<b>Денсаулық сақтау жобалары</b>")


async def test_forged_admin_buttons_are_refused_and_change_nothing(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    asker = await member(harness, 4301, "ru")
    await ask(asker, ids["trees"], "Когда объявят итоги?")
    intruder = await member(harness, 4302, "kk")
    refusal = "Мұны тек әкімшілер істей алады."
    for action in (QuestionAction.ANSWER, QuestionAction.PUBLISH, QuestionAction.UNPUBLISH):
        requests = await intruder.press(QuestionCallback(action=action, question_id=1))
        assert answers(requests) == [refusal]
        assert texts(requests) == [refusal, refusal]
    (listing,) = texts(await intruder.send("/questions"))
    assert listing == refusal
    # The forged Answer started no dialog: their next text is not an answer.
    await intruder.send("Итоги в марте")
    async with app.database.reading() as uow:
        question = await uow.grant_questions.get(1)
    assert question is not None
    assert (question.answer, question.published_at) == (None, None)
    assert await outbox_rows(app, GRANT_ANSWER) == []
    with pytest.raises(QuestionError) as refused:
        await app.grant_questions.publish(4302, 1, published=True)
    assert refused.value.problem is QuestionProblem.NOT_ALLOWED


async def test_bad_input_is_refused_clearly_and_the_dialog_waits(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    user = await member(harness, 4401, "kk")
    await user.press(QuestionCallback(action=QuestionAction.ASK, grant_id=ids["trees"]))
    assert texts(await user.send_document()) == ["Сұрақты бір хабарламамен, мәтін түрінде жіберіңіз."]
    assert texts(await user.send("ы" * (QUESTION_MAX + 1))) == ["Тым ұзын: сұрақ 400 таңбадан аспауы керек."]
    assert texts(await user.send(" ?! ")) == ["Мәтін жіберіңіз: онда әріп не сан болсын."]
    assert await outbox_rows(app, GRANT_QUESTION) == []
    (sent,) = texts(await user.send("  Мерзімі\r\n\n\n\nұзартыла ма?  "))
    assert sent.startswith("✅")
    async with app.database.reading() as uow:
        question = await uow.grant_questions.get(1)
    assert question is not None
    assert question.question == "Мерзімі\n\nұзартыла ма?"

    # A closed call and an unknown one: refused at the button, in the user's language.
    assert answers(await user.press(QuestionCallback(action=QuestionAction.ASK, grant_id=ids["past"]))) == [
        "Бұл конкурс жабылды: ол туралы сұрақтар енді қабылданбайды."
    ]
    assert answers(await user.press(QuestionCallback(action=QuestionAction.ASK, grant_id=9999))) == [
        "Бұл гранттық конкурс қолжетімсіз."
    ]
    # The card of a closed call offers no Ask.
    await user.press(GrantsCallback(action=GrantsAction.CARD, grant_id=ids["past"]))
    assert "❓ Сұрақ қою" not in [label for label, _ in user.buttons()]


async def test_a_call_that_closes_mid_dialog_refuses_the_question(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    user = await member(harness, 4501, "ru")
    await user.press(QuestionCallback(action=QuestionAction.ASK, grant_id=ids["trees"]))
    clock.advance(timedelta(days=6))  # the deadline was in five days
    closed = "Этот конкурс закрыт: вопросы о нём больше не принимаются."
    assert texts(await user.send("Еще успею?")) == [closed]
    assert await outbox_rows(app, GRANT_QUESTION) == []


async def test_too_many_open_questions_about_one_call_are_refused(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    user = await member(harness, 4601, "ru")
    for number in range(OPEN_PER_CALL):
        (sent,) = await ask(user, ids["trees"], f"Вопрос номер {number}")
        assert sent.startswith("✅")
    requests = await user.press(QuestionCallback(action=QuestionAction.ASK, grant_id=ids["trees"]))
    assert answers(requests) == [
        "По этому конкурсу у вас уже максимум вопросов без ответа (3). Дождитесь ответов."
    ]
    # Another call is still fine; an answer frees a place.
    assert (await ask(user, ids["youth-all"], "А здесь?"))[0].startswith("✅")
    await app.grant_questions.answer(ADMIN, 1, "Ответ")
    assert (await ask(user, ids["trees"], "Еще вопрос"))[0].startswith("✅")


async def test_admins_list_unanswered_questions_and_answer_from_the_list(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    admin = await member(harness, ADMIN, "kk", name="Асель")
    assert texts(await admin.send("/questions")) == ["Жауап күтіп тұрған сұрақ жоқ."]
    asker = await member(harness, 4701, "ru")
    await ask(asker, ids["trees"], "Первый вопрос")
    clock.advance(timedelta(minutes=5))
    await ask(asker, ids["youth-aktobe"], "Второй вопрос")
    (listing,) = texts(await admin.send("/questions"))
    assert listing.startswith(
        "❓ <b>Жауап күтіп тұрған 2 сұрақ</b>, ескілері алдымен:\n\n1. <b>Ағаш отырғызу</b>"
    )
    assert "Первый вопрос" in listing
    assert "Второй вопрос" in listing
    await admin.press_text("✍️ №2 сұраққа жауап")
    (done,) = texts(await admin.send("Иә"))
    assert done.startswith("✅ Жауап сұрақ қойған адамға жіберілді.")
    (told,) = await delivered(app, harness, 4701)
    assert "Конкурс: «Грант для молодежи Актобе»" in told.text
    assert "💬 Ответ: Иә" in told.text
    (listing,) = texts(await admin.send("/questions"))
    assert "Второй вопрос" not in listing
    assert "1 сұрақ" in listing
    # The answer dialog has its own limits.
    await admin.press_text("✍️ №1 сұраққа жауап")
    assert texts(await admin.send("ж" * (ANSWER_MAX + 1))) == ["Тым ұзын: жауап 800 таңбадан аспауы керек."]
    assert texts(await admin.send_photo()) == ["Жауапты бір хабарламамен, мәтін түрінде жіберіңіз."]


async def test_deleting_ones_data_takes_ones_questions(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    asker = await member(harness, 4801, "ru")
    await ask(asker, ids["trees"], "Вопрос")
    await app.users.erase(4801)
    with pytest.raises(QuestionError) as refused:
        await app.grant_questions.to_answer(ADMIN, 1)
    assert refused.value.problem is QuestionProblem.NO_SUCH_QUESTION


def test_a_full_page_of_published_answers_fits_in_one_message(catalogs: Catalogs, clock: ManualClock) -> None:
    grant = preview_record(call(clock.now(), "x", title_kk="Ж" * 200, title_ru="Ж" * 200), clock.now())
    questions = [
        GrantQuestionRecord(
            number, 1, 1, "в" * QUESTION_MAX, clock.now(), "о" * ANSWER_MAX, ADMIN, clock.now(), clock.now()
        )
        for number in range(PUBLISHED_PAGE)
    ]
    for t in catalogs.all():
        view = published_view(t, PublishedPage(grant, questions, page=1, total=10, admin=True))
        assert utf16_length(view.text) <= TEXT_LIMIT


async def test_a_day_has_a_limit_across_calls_and_only_answered_questions_are_published(
    app: Application, clock: ManualClock
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    await app.users.meet(4901, telegram_language="ru", username=None, create=True)
    await app.users.give_consent(4901, name="Дана", username=None, telegram_language="ru")
    await app.users.choose_role(4901, Role.VOLUNTEER)  # the service asks for a user set up
    open_calls = [ids[name] for name in ("trees", "youth-aktobe", "health-almaty", "youth-all")]
    for number in range(PER_DAY):
        await app.grant_questions.ask(4901, open_calls[number % len(open_calls)], f"Вопрос {number}")
    with pytest.raises(QuestionError) as refused:
        await app.grant_questions.ask(4901, ids["sport-karaganda"], "Еще один")
    assert refused.value.problem is QuestionProblem.TOO_MANY_TODAY
    with pytest.raises(QuestionError) as refused:
        await app.grant_questions.publish(ADMIN, 1, published=True)
    assert refused.value.problem is QuestionProblem.NOT_ANSWERED
    clock.advance(timedelta(days=1, seconds=1))
    asked = await app.grant_questions.ask(4901, ids["sport-karaganda"], "Еще один")
    assert asked.question.question == "Еще один"
    assert await app.grant_questions.published_count(ids["trees"]) == 0
