"""Sectors an admin adds (/sectors), in Kazakh and Russian: the dialog and its checks (both names, length,
unique, HTML shown as text), refused to non-admins and forged buttons; an added sector in the catalogue's
filter picker, the admin's form, the subscription and NGO profile pickers (in the reader's alphabet), on a
call's card and in the fit reasons, as a browse filter, in search, in an import; retired and renamed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from sqlalchemy import text

from bot.app import Application
from bot.clock import ManualClock
from bot.collation import sort_key
from bot.domain.sectors import AddedSector, SectorCatalogue
from bot.grants_cli import import_file
from bot.services.grant_import import CatalogueError, read_catalogue
from bot.services.ngo_profiles import NgoProfileProblem
from bot.services.sectors import SectorError, SectorProblem
from bot.views.grant_subscriptions import SubscriptionAction, SubscriptionCallback
from bot.views.grants import GrantsAction, GrantsCallback
from bot.views.menu import MenuAction, MenuCallback
from bot.views.ngo_profiles import NgoProfileAction, NgoProfileCallback, refusal_text
from bot.views.sectors import SectorAdminAction, SectorAdminCallback
from tests.grants_support import call
from tests.harness import BotHarness, PlayedUser, texts

ADMIN = 777  # ADMIN_IDS in the tests' settings
KK, RU = "Цифрлық сауаттылық", "Цифровая грамотность"


def labels(user: PlayedUser) -> list[str]:
    return [label for label, _ in user.buttons()]


def answers(requests: list[TelegramMethod[object]]) -> list[str | None]:
    return [request.text for request in requests if isinstance(request, AnswerCallbackQuery)]


async def member(harness: BotHarness, user_id: int, language: str, role: str = "volunteer") -> PlayedUser:
    user = harness.user(user_id, first_name="Дана", language_code=language)
    await user.onboard(language, role=role, region="aktobe")
    if role == "ngo":
        await harness.app.approvals.decide(ADMIN, user_id, "ngo", approve=True)
    await user.press(MenuCallback(action=MenuAction.MENU))
    return user


async def added_rows(app: Application) -> list[tuple[object, ...]]:
    async with app.database.reading() as uow:
        rows = await uow.connection.execute(
            text("SELECT id, name_kk, name_ru, added_by, retired_at FROM added_sectors ORDER BY id")
        )
        return [tuple(row) for row in rows]


async def digital(app: Application) -> AddedSector:
    return await app.sectors.add(ADMIN, KK, RU)


def import_file_of(tmp_path: Path, *rows: dict[str, object]) -> Path:
    path = tmp_path / "calls.json"
    path.write_text(json.dumps(list(rows), ensure_ascii=False), encoding="utf-8")
    return path


def digital_call_row(sectors: str, external_id: str = "digital-1") -> dict[str, object]:
    return {
        "external_id": external_id,
        "title_kk": "Ауылдағы цифрлық мектеп",
        "title_ru": "Цифровая школа в селе",
        "funder": "Қор / Фонд",
        "kind": "foundation",
        "sectors": sectors,
        "regions": "all",
        "deadline": "2030-03-01T18:00",
        "how_to_apply": "https://example.org/apply",
    }


async def test_an_admin_adds_a_sector_in_a_kazakh_dialog_with_every_name_checked(
    harness: BotHarness, app: Application
) -> None:
    admin = await member(harness, ADMIN, "kk")
    (screen,) = texts(await admin.send("/sectors"))
    assert screen.startswith("🏷 <b>Грант салалары</b>")
    assert "Негізгі салалар: " in screen
    assert "Жастар" in screen
    assert "Әзірге ешбір сала қосылмаған." in screen
    (prompt,) = texts(await admin.press_text("➕ Сала қосу"))
    assert prompt == "Саланың қазақша атауын жіберіңіз (2–40 таңба)."
    assert texts(await admin.send("а")) == ["Атауы тым қысқа: кемінде 2 әріп болсын."]
    assert texts(await admin.send("ж" * 41)) == ["Атауы тым ұзын: 40 таңбадан аспасын."]
    # A built-in sector's name, case aside.
    assert texts(await admin.send("ЖАСТАР")) == ["Бұл атау басқа салада бар. Басқа атау жіберіңіз."]
    assert texts(await admin.send_document()) == [
        "Атауын мәтінмен жіберіңіз немесе «Бас тарту» батырмасын басыңыз."
    ]
    (prompt,) = texts(await admin.send("  Цифрлық   <сауат> & IT "))
    assert prompt == "Енді оның орысша атауын жіберіңіз (2–40 таңба)."
    assert texts(await admin.send("Молодежь")) == ["Бұл атау басқа салада бар. Басқа атау жіберіңіз."]
    (done,) = texts(await admin.send("Цифровая <грамотность> & IT"))
    assert done.startswith(
        "✅ Сала қосылды: Цифрлық &lt;сауат&gt; &amp; IT / Цифровая &lt;грамотность&gt; &amp; IT "
        "(<code>x-1</code>)."
    )
    assert "<b>Қосылғандар</b>\n• Цифрлық &lt;сауат&gt; &amp; IT" in done
    assert "✏️ Цифрлық <сауат> & IT" in labels(admin)  # a button's text is plain: not escaped
    assert await added_rows(app) == [(1, "Цифрлық <сауат> & IT", "Цифровая <грамотность> & IT", ADMIN, None)]
    # The same names again are taken.
    await admin.press_text("➕ Сала қосу")
    assert texts(await admin.send("цифрлық <сауат> & it")) == [
        "Бұл атау басқа салада бар. Басқа атау жіберіңіз."
    ]
    (cancelled,) = texts(await admin.press_text("❌ Бас тарту"))
    assert cancelled == "Тоқтатылды: ешбір сала өзгертілмеді."
    assert len(await added_rows(app)) == 1


async def test_a_russian_admin_renames_retires_and_offers_a_sector_again(
    harness: BotHarness, app: Application
) -> None:
    sector = await digital(app)
    admin = await member(harness, ADMIN, "ru")
    (screen,) = texts(await admin.send("/sectors"))
    assert screen.startswith("🏷 <b>Сферы грантов</b>")
    assert f"<b>Добавленные</b>\n• {KK} / {RU} (<code>{sector.code}</code>)" in screen
    (card,) = texts(await admin.press_text(f"✏️ {RU}"))
    assert card.startswith(f"🏷 <b>Сфера</b> <code>x-1</code>\nНа казахском: {KK}\nНа русском: {RU}")
    (prompt,) = texts(await admin.press_text("✏️ Переименовать"))
    assert prompt == f"Отправьте название сферы на казахском (от 2 до 40 символов).\nСейчас: {KK}"
    # Its own name is not "taken" by itself.
    (prompt,) = texts(await admin.send(KK))
    assert prompt == f"Теперь отправьте её название на русском (от 2 до 40 символов).\nСейчас: {RU}"
    (done,) = texts(await admin.send("Цифровые навыки"))
    assert done.startswith(f"✅ Сфера переименована: {KK} / Цифровые навыки (<code>x-1</code>).")
    (card,) = texts(await admin.press_text("✏️ Цифровые навыки"))
    requests = await admin.press_text("🗄 В архив")
    assert answers(requests) == ["🗄 В архиве: больше не предлагается."]
    retired = "В архиве: больше не предлагается, но у конкурсов, где она указана, остаётся."
    assert retired in texts(requests)[0]
    (screen,) = texts(await admin.press_text("⬅️ Сферы"))
    assert f"• {KK} / Цифровые навыки (<code>x-1</code>) — в архиве" in screen
    await admin.press_text("🗄 Цифровые навыки")
    requests = await admin.press_text("♻️ Снова предлагать")
    assert answers(requests) == ["♻️ Снова предлагается."]
    assert (await app.sectors.catalogue()).added == (AddedSector(1, KK, "Цифровые навыки"),)


async def test_non_admins_and_forged_buttons_are_refused_and_nothing_changes(
    harness: BotHarness, app: Application
) -> None:
    await digital(app)
    for user_id, language, refusal in (
        (4101, "kk", "Мұны тек әкімшілер істей алады."),
        (4102, "ru", "Это могут делать только администраторы."),
    ):
        user = await member(harness, user_id, language, role="ngo")
        assert texts(await user.send("/sectors")) == [refusal]
        for data in (
            SectorAdminCallback(action=SectorAdminAction.ADD),
            SectorAdminCallback(action=SectorAdminAction.LIST),
            SectorAdminCallback(action=SectorAdminAction.OPEN, sector_id=1),
            SectorAdminCallback(action=SectorAdminAction.RENAME, sector_id=1),
            SectorAdminCallback(action=SectorAdminAction.RETIRE, sector_id=1),
        ):
            assert answers(await user.press(data)) == [refusal]
        # Not in a dialog: the typed names are not sectors.
        await user.send("Хакерлер")
    for call_ in (
        app.sectors.add(4101, "Хакерлер", "Хакеры"),
        app.sectors.rename(4101, 1, "Хакерлер", "Хакеры"),
        app.sectors.set_retired(4101, 1, retired=True),
    ):
        with pytest.raises(SectorError) as refused:
            await call_
        assert refused.value.problem is SectorProblem.NOT_ALLOWED
    assert await added_rows(app) == [(1, KK, RU, ADMIN, None)]
    # An admin's forged ids: no such sector.
    admin = await member(harness, ADMIN, "ru")
    for data in (
        SectorAdminCallback(action=SectorAdminAction.OPEN, sector_id=99),
        SectorAdminCallback(action=SectorAdminAction.RENAME, sector_id=99),
        SectorAdminCallback(action=SectorAdminAction.RETIRE, sector_id=99),
    ):
        requests = await admin.press(data)
        assert answers(requests) == ["Такой добавленной сферы нет. Отправьте /sectors."]
    assert await added_rows(app) == [(1, KK, RU, ADMIN, None)]


async def test_an_imported_call_with_an_added_sector_is_filtered_shown_and_found_in_both_languages(
    harness: BotHarness, app: Application, clock: ManualClock, tmp_path: Path
) -> None:
    sector = await digital(app)
    # Unknown codes are bad rows, as before; the added one imports (through the CLI too).
    with pytest.raises(CatalogueError) as bad:
        read_catalogue(import_file_of(tmp_path, digital_call_row("x-1")), app.catalogs.tz)
    assert "unknown sector 'x-1'" in str(bad.value.problems[0])
    catalogue = await app.sectors.catalogue()
    with pytest.raises(CatalogueError) as bad:
        read_catalogue(import_file_of(tmp_path, digital_call_row("x-2")), app.catalogs.tz, catalogue)
    assert "unknown sector 'x-2'; any of education" in str(bad.value.problems[0])
    assert "x-1" in str(bad.value.problems[0])
    assert await import_file(app.settings, import_file_of(tmp_path, digital_call_row("x-1; youth"))) == 0
    await app.grants.import_calls([call(clock.now(), "other")])  # a call of another sector

    ru = await member(harness, 4201, "ru")
    await ru.press_text("💰 Гранты")
    await ru.press_text("🏷 Сфера")
    choices = labels(ru)[1:-1]
    assert RU in choices
    assert choices[-1] == "Другое"
    assert choices[:-1] == sorted(choices[:-1], key=lambda label: sort_key(label, "ru"))
    (listing,) = texts(await ru.press_text(RU))
    assert f"Фильтры: сфера: {RU}" in listing
    assert "Цифровая школа в селе" in listing
    assert "Общий грант" not in listing
    (card,) = texts(await ru.press_text("1. Цифровая школа в селе"))
    assert f"Сферы: {RU}, Молодёжь" in card or f"Сферы: Молодёжь, {RU}" in card

    kk = await member(harness, 4202, "kk")
    await kk.press_text("💰 Гранттар")
    await kk.press_text("🏷 Сала")
    choices = labels(kk)[1:-1]
    assert KK in choices
    assert choices[-1] == "Басқа"
    assert choices[:-1] == sorted(choices[:-1], key=lambda label: sort_key(label, "kk"))
    (listing,) = texts(await kk.press_text(KK))
    assert f"Сүзгілер: сала: {KK}" in listing
    (card,) = texts(await kk.press_text("1. Ауылдағы цифрлық мектеп"))
    assert KK in card.split("\n")[3]  # Салалар: ...

    # Search finds the call by the sector's name (not in its title or summary) in either language.
    for user, words in ((ru, "грамотность"), (kk, "сауаттылық")):
        await user.press(GrantsCallback(action=GrantsAction.SEARCH))
        (found,) = texts(await user.send(words))
        assert "Цифровая школа в селе" in found or "Ауылдағы цифрлық мектеп" in found
        assert "Общий грант" not in found
        assert "Жалпы грант" not in found

    # Forged sector codes in the filter are refused; a retired sector's old button still lists.
    for forged in ("x-99", "x-0", "x-1x", "admin"):
        requests = await ru.press(GrantsCallback(action=GrantsAction.LIST, sector=forged))
        assert answers(requests) == ["Эта кнопка устарела. Отправьте /menu."]
    await app.sectors.set_retired(ADMIN, sector.id, retired=True)
    (listing,) = texts(await ru.press(GrantsCallback(action=GrantsAction.LIST, sector=sector.code)))
    assert "Цифровая школа в селе" in listing
    await ru.press_text("🏷 Сфера")
    assert RU not in labels(ru)
    (card,) = texts(await ru.press(GrantsCallback(action=GrantsAction.CARD, grant_id=1)))
    assert RU in card  # the call keeps its retired sector, named

    # Renamed: search finds it under the new name only.
    await app.sectors.set_retired(ADMIN, sector.id, retired=False)
    await app.sectors.rename(ADMIN, sector.id, "Цифрлық дағдылар", "Цифровые навыки")
    await ru.press(GrantsCallback(action=GrantsAction.SEARCH))
    (found,) = texts(await ru.send("навыки"))
    assert "Цифровая школа в селе" in found
    await ru.press(GrantsCallback(action=GrantsAction.SEARCH))
    (found,) = texts(await ru.send("грамотность"))
    assert "Цифровая школа в селе" not in found


async def test_the_admin_form_lists_added_sectors_and_takes_their_codes(
    harness: BotHarness, app: Application
) -> None:
    await digital(app)
    admin = await member(harness, ADMIN, "ru")
    (prompt,) = texts(await admin.send("/grant_new"))
    assert "Коды сфер: " in prompt
    assert f"<code>x-1</code> {RU}" in prompt
    assert prompt.index("<code>x-1</code>") < prompt.index("<code>other</code> Другое")
    form = "\n".join(
        f"{name}: {value}" for name, value in digital_call_row("x-1").items() if name not in ("external_id",)
    )
    (preview,) = texts(await admin.send(form))
    assert f"Сферы: {RU}" in preview
    assert f"Салалар: {KK}" in preview
    published = texts(await admin.press_text("✅ Опубликовать"))
    assert any(f"Сферы: {RU}" in card for card in published)
    # A code nobody added is a problem of the form, as an unknown one always was.
    await admin.send("/grant_new")
    (problems,) = texts(await admin.send(form.replace("sectors: x-1", "sectors: x-7")))
    assert "sectors" in problems


async def test_subscription_and_ngo_profile_pickers_offer_added_sectors(
    harness: BotHarness, app: Application, clock: ManualClock, tmp_path: Path
) -> None:
    sector = await digital(app)
    await app.sectors.add(ADMIN, "Ескі сала", "Старая сфера")
    await app.sectors.set_retired(ADMIN, 2, retired=True)

    # Subscription, in Russian.
    ru = await member(harness, 4301, "ru", role="ngo")
    await ru.press(SubscriptionCallback(action=SubscriptionAction.SHOW))
    await ru.press_text("🏷 Сферы")
    assert RU in labels(ru)
    assert "Старая сфера" not in labels(ru)
    await ru.press_text(RU)
    assert f"✅ {RU}" in labels(ru)
    (screen,) = texts(await ru.press(SubscriptionCallback(action=SubscriptionAction.SHOW)))
    assert f"🏷 Сферы: {RU}" in screen
    for forged in ("x-2", "x-99", "x-1x"):  # retired, never added, not a code
        requests = await ru.press(SubscriptionCallback(action=SubscriptionAction.TOGGLE_SECTOR, code=forged))
        assert answers(requests) == ["Эта кнопка устарела. Отправьте /menu."]
    assert (await app.grant_subscriptions.get(4301)).record.sectors == (sector.code,)

    # NGO profile, in Kazakh.
    kk = await member(harness, 4302, "kk", role="ngo")
    await kk.press(NgoProfileCallback(action=NgoProfileAction.START))
    await kk.press_text("Қоғамдық бірлестік")
    await kk.press_text("Иә")
    await kk.press_text("Ақтөбе облысы")
    assert KK in labels(kk)
    assert "Ескі сала" not in labels(kk)
    for forged in ("x-2", "x-99"):
        requests = await kk.press(NgoProfileCallback(action=NgoProfileAction.SECTOR, value=forged))
        assert answers(requests) == [refusal_text(app.catalogs["kk"], NgoProfileProblem.BAD_ANSWER)]
    await kk.press_text(KK)
    assert f"✅ {KK}" in labels(kk)
    await kk.press_text("➡️ Дайын")
    (saved,) = texts(await kk.press_text("Жоқ"))
    assert f"Салалар: {KK}" in saved
    profile = await app.ngo_profiles.get(4302)
    assert profile is not None
    assert profile.sectors == (sector.code,)

    # A call of that sector fits the NGO for it, named in the reasons.
    assert await import_file(app.settings, import_file_of(tmp_path, digital_call_row("x-1"))) == 0
    (card,) = texts(await kk.press(GrantsCallback(action=GrantsAction.CARD, grant_id=1)))
    assert f"сәйкес салалар: {KK}" in card
    (card,) = texts(await ru.press(GrantsCallback(action=GrantsAction.CARD, grant_id=1)))
    assert "Сферы: " + RU in card


def test_the_catalogue_names_and_orders_sectors_in_each_language(app: Application) -> None:
    kk, ru = app.catalogs["kk"], app.catalogs["ru"]
    catalogue = SectorCatalogue(
        [
            AddedSector(1, "Әйелдер <көшбасшылығы>", "Женское лидерство"),
            AddedSector(2, "Ескі", "Старое", True),
        ]
    )
    assert catalogue.name(kk, "x-1") == "Әйелдер &lt;көшбасшылығы&gt;"
    assert catalogue.label(kk, "x-1") == "Әйелдер <көшбасшылығы>"
    assert catalogue.name(ru, "x-2") == "Старое"  # retired: still named
    assert catalogue.is_known("x-2")
    assert not catalogue.is_offered("x-2")
    assert not catalogue.is_known("x-3")
    assert not catalogue.is_known("x-01")
    assert catalogue.names(ru, ["youth", "x-3", "x-1"]) == "Молодёжь, Женское лидерство"
    kk_labels = [label for _, label in catalogue.choices(kk)]
    # Kazakh alphabet: Ә right after А (Python's order would put it after Я).
    assert kk_labels.index("Әйелдер <көшбасшылығы>") < kk_labels.index("Білім беру")
    assert kk_labels[-1] == "Басқа"
    assert "Ескі" not in kk_labels
    ru_labels = [label for _, label in catalogue.choices(ru)]
    assert (
        ru_labels.index("Гражданская активность")
        < ru_labels.index("Женское лидерство")
        < ru_labels.index("Здоровье")
    )
    assert catalogue == SectorCatalogue(catalogue.added)


async def test_erasing_an_admins_data_keeps_their_sectors_without_their_id(
    harness: BotHarness, app: Application
) -> None:
    await member(harness, ADMIN, "kk")
    await digital(app)
    exported = await app.users.export_data(ADMIN)
    assert [(row["name_kk"], row["name_ru"]) for row in exported["sectors_added"]] == [(KK, RU)]
    await app.users.erase(ADMIN)
    assert await added_rows(app) == [(1, KK, RU, None, None)]
    assert (await app.sectors.catalogue()).added == (AddedSector(1, KK, RU),)
