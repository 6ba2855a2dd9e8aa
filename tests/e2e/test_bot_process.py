"""The real bot process against the fake Telegram server: what a user in Kazakhstan would see."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from fake_telegram import FakeTelegram
from tests.e2e.conftest import BotFactory, Conversation, until

pytestmark = pytest.mark.e2e


async def onboard_kazakh(tg: FakeTelegram, user_id: int, first_name: str = "Айгерім") -> Conversation:
    user = tg.user(user_id, first_name=first_name, language_code="kk")
    chat = Conversation(tg, user)
    await user.send("/start")
    await chat.expect("Belsendi сізбен қай тілде сөйлессін?")
    await user.press("Қазақша")
    await chat.expect("Belsendi-нің осы деректерді сақтауына келісесіз бе?")
    await user.press("✅ Келісемін")
    await chat.expect("Belsendi-де сіз кімсіз?")
    await user.press("Ерікті")
    await chat.expect("Қай өңірдесіз?")
    await user.press("Ақтөбе облысы")
    await chat.expect("Басты мәзір")
    return chat


async def test_kazakh_user_onboards_through_make_run(tg: FakeTelegram, start_bot: BotFactory) -> None:
    """`BOT_TOKEN=… TELEGRAM_API_URL=… make run`, exactly as the README says."""
    bot = await start_bot(via_make=True)
    chat = await onboard_kazakh(tg, 5001)
    await chat.user.send("/profile")
    profile = await chat.expect("Менің профилім")
    assert "Аты: Айгерім" in profile.text
    assert "Өңір: Ақтөбе облысы" in profile.text
    assert tg.unanswered_callbacks() == []
    # The command menus were set for kk, ru and everyone else.
    assert tg.commands(language_code="kk")
    assert tg.commands(language_code="ru")
    assert tg.commands()
    # make itself dies of the SIGTERM it passes on; the bot under it finishes cleanly.
    assert await bot.stop() in (0, -15), bot.output()
    assert bot.output().rstrip().endswith("bot.app: Stopped")


async def test_russian_user_onboards_as_an_ngo(tg: FakeTelegram, start_bot: BotFactory) -> None:
    await start_bot()
    user = tg.user(5002, first_name="Ольга", language_code="ru")
    chat = Conversation(tg, user)
    await user.send("/start gr_17")
    await chat.expect("На каком языке Belsendi будет с вами говорить?")
    await user.press("Русский")
    await chat.expect("Вы согласны, что Belsendi будет хранить эти данные?")
    await user.press("✅ Даю согласие")
    await chat.expect("Кто вы в Belsendi?")
    await user.press("Представитель НПО")
    # The role message becomes the region question, and the request's note comes as a new message;
    # wait for both (in message order) before pressing, whichever Telegram got first.
    await chat.expect("Где вы находитесь?")
    await chat.expect("заявка на подтверждение роли «Представитель НПО» отправлена администраторам")
    await user.press("Шымкент")
    await chat.expect("Главное меню")
    # The deep link kept from /start is dealt with once onboarding is over.
    await chat.expect("Эту ссылку не удалось открыть")
    assert tg.unanswered_callbacks() == []


async def test_language_switch_changes_every_later_screen(tg: FakeTelegram, start_bot: BotFactory) -> None:
    await start_bot()
    chat = await onboard_kazakh(tg, 5003)
    await chat.user.send("/language")
    await chat.expect("Тілді таңдаңыз")
    await chat.user.press("Русский")
    await chat.expect("Главное меню")
    assert chat.user.answers[-1].text == "✅ Язык изменён: теперь говорим по-русски."
    await chat.user.send("/help")
    await chat.expect("объединяет волонтёров, НПО и организаторов")
    # The command menu in this chat follows the chosen language, whatever the app's language.
    chat_commands = tg.commands(scope_type="chat", chat_id=5003)
    assert any(command["description"] == "Главное меню" for command in chat_commands)


async def test_help_in_both_languages(tg: FakeTelegram, start_bot: BotFactory) -> None:
    await start_bot()
    kazakh = await onboard_kazakh(tg, 5004)
    await kazakh.user.send("/help")
    await kazakh.expect("Қазақстандағы еріктілерді, ҮЕҰ-ларды және іс-шара ұйымдастырушыларын байланыстырады")
    russian = Conversation(tg, tg.user(5005, first_name="Пётр", language_code="ru"))
    await russian.user.send("/help")  # before onboarding: Telegram's language is the guess
    await russian.expect("объединяет волонтёров, НПО и организаторов")


async def test_restart_in_the_middle_of_onboarding_continues_there(
    tg: FakeTelegram, start_bot: BotFactory
) -> None:
    first = await start_bot()
    user = tg.user(5006, first_name="Ерлан", language_code="kk")
    chat = Conversation(tg, user)
    await user.send("/start")
    await chat.expect("қай тілде")
    await user.press("Қазақша")
    await chat.expect("келісесіз бе?")
    await user.press("✅ Келісемін")
    await chat.expect("Belsendi-де сіз кімсіз?")
    assert await first.stop() == 0, first.output()

    await start_bot()
    await user.press("Іс-шара ұйымдастырушысы")  # the button from before the restart
    await chat.expect("рөлін растау туралы өтініміңіз")
    await user.send("/start")  # and /start asks the open question, not the first one
    await chat.expect("Қай өңірдесіз?")


async def test_profile_edit_survives_a_restart_mid_conversation(
    tg: FakeTelegram, start_bot: BotFactory
) -> None:
    first = await start_bot()
    chat = await onboard_kazakh(tg, 5007)
    await chat.user.send("/profile")
    await chat.expect("Менің профилім")
    await chat.user.press("✏️ Аты")
    await chat.expect("Көрсетілетін атыңызды (64 таңбаға дейін)")
    assert await first.stop() == 0, first.output()
    await start_bot()
    await chat.user.send("Айгерім Сәрсенова")  # the bot still waits for the name
    profile = await chat.expect("✅ Атыңыз сақталды.")
    assert "Аты: Айгерім Сәрсенова" in profile.text


async def test_html_in_a_name_is_shown_as_text(tg: FakeTelegram, start_bot: BotFactory) -> None:
    """The fake refuses unescaped HTML as Telegram does: the profile arriving at all proves escaping."""
    await start_bot()
    chat = await onboard_kazakh(tg, 5008, first_name="<b>Асқар</b> & <script>")
    await chat.user.send("/profile")
    profile = await chat.expect("Менің профилім")
    assert "Аты: <b>Асқар</b> & <script>" in profile.text  # shown literally, not as bold
    bold = [entity for entity in profile.entities if entity["type"] == "bold"]
    assert len(bold) == 1  # only the heading


async def test_unknown_input_and_files_get_a_hint(tg: FakeTelegram, start_bot: BotFactory) -> None:
    await start_bot()
    chat = await onboard_kazakh(tg, 5009)
    await chat.user.send("/frobnicate")
    await chat.expect("Мұндай команда жоқ")
    await chat.user.send_document(b"%PDF-1.4", file_name="cv.pdf")
    await chat.expect("Хабарламаңызды түсінбедік")
    await chat.user.send_location(43.238, 76.945)
    await chat.expect("Хабарламаңызды түсінбедік")
    await chat.user.press_data("rg:narnia")
    await until(lambda: tg.unanswered_callbacks() == [])
    assert chat.user.answers[-1].text == "Бұл батырма ескірген. /menu жіберіңіз."


async def test_webhook_mode_with_secret_and_health_check(
    tg: FakeTelegram, start_bot: BotFactory, tmp_path: Path
) -> None:
    port = free_port()
    webhook = {
        "RUN_MODE": "webhook",
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/tg/hook",
        "WEBHOOK_SECRET": "e2e_webhook-secret",
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }
    bot = await start_bot(**webhook)
    assert tg.webhook is not None
    assert tg.webhook.secret_token == "e2e_webhook-secret"
    chat = await onboard_kazakh(tg, 5011)
    await chat.user.send("/help")
    await chat.expect("байланыстырады")
    health = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "healthcheck", cwd=tmp_path, env={**bot.env, **webhook}
    )
    assert await health.wait() == 0
    # Without the secret, a forged update is refused and handled by nobody.
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"http://127.0.0.1:{port}/tg/hook", json={"update_id": 999, "message": {}}) as response,
    ):
        assert response.status == 401
    assert await bot.stop() == 0, bot.output()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_sigterm_stops_cleanly_and_confirms_what_was_handled(
    tg: FakeTelegram, start_bot: BotFactory
) -> None:
    bot = await start_bot()
    user = tg.user(5010, language_code="ru")
    chat = Conversation(tg, user)
    await user.send("/start")
    await chat.expect("На каком языке")
    assert await bot.stop() == 0, bot.output()
    assert tg.pending_updates() == []  # nothing handled is handed out again after a restart
    assert "Traceback" not in bot.output()
