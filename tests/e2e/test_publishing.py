"""End to end: an admin publishes an event through the dialog, a volunteer finds it and registers, the
admin moves it and the volunteer hears of it from the real sender; a forged organizer button is refused."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fake_telegram import FakeTelegram, FakeUser
from tests.e2e.conftest import BotFactory, until
from tests.e2e.test_bot_process import onboard_kazakh

pytestmark = pytest.mark.e2e


async def test_an_admin_publishes_an_event_a_volunteer_registers_and_hears_it_moved(
    tg: FakeTelegram, start_bot: BotFactory
) -> None:
    await start_bot(ADMIN_IDS="5601")
    admin = await onboard_kazakh(tg, 5601, first_name="Әсем")
    await admin.user.press("🗂 Мен ұйымдастыратын іс-шаралар")
    await admin.expect("Іс-шаралар әлі жоқ")
    await admin.user.press("➕ Жаңа іс-шара")
    await admin.expect("1-қадамы")
    await admin.user.send_photo()
    await admin.expect("Мәтін немесе /cancel жіберіңіз.")
    await admin.user.send("Өзен жағасын тазалау <акция>")
    await admin.expect("2-қадамы")
    for step in (3, 4, 5):
        await admin.user.press("⏭ Өткізу")
        await admin.expect(f"{step}-қадамы")
    await admin.user.press("Сенбілік")
    await admin.expect("6-қадамы")
    await admin.user.press("📍 Ақтөбе облысы")  # the admin's own region, offered first
    await admin.expect("7-қадамы")
    await admin.user.send("Ақтөбе")
    await admin.expect("8-қадамы")
    await admin.user.send("Елек өзенінің жағасы")
    await admin.expect("9-қадамы")
    await admin.user.send_location(50.2839, 57.1670)
    await admin.expect("10-қадамы")
    day = (datetime.now(ZoneInfo("Asia/Almaty")) + timedelta(days=2)).strftime("%d.%m.%Y")
    await admin.user.send("вторник")
    await admin.expect("Бұл күн мен уақытты түсіне алмадық.")
    await admin.user.send(f"{day} 10:00")
    await admin.expect("11-қадамы")
    await admin.user.send("13:00")
    await admin.expect("12-қадамы")
    await admin.user.send("20")
    await admin.expect("13-қадамы")
    await admin.user.press("⏭ Өткізу")
    await admin.expect("14-қадамы")
    await admin.user.press("⏭ Өткізу")
    await admin.expect("15-қадамы")
    await admin.user.send("+77010000002")
    await admin.expect("👁 Орыс тілінде былай көрінеді:")
    await admin.expect("Еріктілер оны осылай көреді.")
    await admin.user.press("📢 Жариялау")
    await admin.expect("📢 Жарияланды: еріктілер енді тіркеле алады.")

    volunteer = await onboard_kazakh(tg, 5602, first_name="Ерлан")
    await volunteer.user.press("🌿 Экологиялық іс-шаралар")
    await volunteer.expect("Уақыты: осы апта")
    await volunteer.user.press(next_event_label(volunteer.user))
    card = await volunteer.expect("20 орын қалды")
    assert card.text.startswith("Өзен жағасын тазалау <акция>\n")  # escaped: Telegram shows it as typed
    await volunteer.user.press("✅ Тіркелу")
    await volunteer.expect("✅ Сіз тіркелдіңіз.")

    # A volunteer forging the organizer's Edit button is refused.
    await volunteer.user.press_data("oe:1:e")
    await until(lambda: any(a.text and "ұйымдастырушысы" in a.text for a in volunteer.user.answers))

    await admin.user.press("✏️ Өзгерту")
    await admin.expect("Нені өзгерту керек?")
    await admin.user.press("Басталуы мен аяқталуы")
    await admin.expect("Қашан басталады?")
    await admin.user.send(f"{day} 11:00")
    await admin.expect("Қашан аяқталады?")
    await admin.user.send("14:00")
    await admin.expect("✅ Сақталды; 1 ерікті не өзгергенін біледі.")
    notice = await volunteer.expect("іс-шарасында өзгеріс бар")
    assert ", 10:00 → " in notice.text
    assert notice.text.endswith("Тіркеуіңіз өзгерген жоқ.")
    assert tg.unanswered_callbacks() == []


def next_event_label(user: FakeUser) -> str:
    """The label of the first event button on the volunteer's newest list."""
    for message in reversed(user.messages):
        markup = message.reply_markup or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if "·" in button["text"]:
                    return str(button["text"])
    raise AssertionError("no event in the list")
