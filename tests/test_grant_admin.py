"""Admins keep the grant catalogue in the bot: /grant_new with a form, its problems, the preview in both
languages, publishing; ✏️ Edit (a moved deadline recorded) and 🔒 Close; non-admins forging the admin
buttons are refused and change nothing."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery

from bot.app import Application
from bot.clock import ManualClock
from bot.services.grants import GrantQuery
from bot.views.grant_admin import GrantAdminAction, GrantAdminCallback
from bot.views.grants import GrantsAction, GrantsCallback
from tests.grants_support import ids_by_external_id
from tests.harness import BotHarness, PlayedUser, texts

ADMIN = 777

FORM = """external_id: bot-1
title_kk: Жастар бастамалары
title_ru: Молодежные инициативы
summary_kk: Жастар ұйымдарына шағын гранттар.
summary_ru:
funder: Қор / Фонд
kind: foundation
sectors: youth; education
regions: aktobe
amount_min: 100 000
amount_max: 500000
deadline: 2030-03-01T18:00
eligibility_kk:
eligibility_ru:
legal_entity_only: false
ngo_database_required: false
youth_organizations: true
initiative_groups_allowed: true
how_to_apply: https://example.org/apply
source_url: https://example.org/call"""


def answers(requests: list[object]) -> list[str | None]:
    return [request.text for request in requests if isinstance(request, AnswerCallbackQuery)]


async def onboarded(harness: BotHarness, user_id: int, language: str) -> PlayedUser:
    user = harness.user(user_id, language_code=language)
    await user.onboard(language, region="aktobe")
    return user


async def test_an_admin_writes_checks_previews_and_publishes_a_call(
    harness: BotHarness, app: Application
) -> None:
    admin = await onboarded(harness, ADMIN, "ru")
    (prompt,) = texts(await admin.send("/grant_new"))
    assert prompt.startswith("✏️ Отправьте конкурс формой")
    assert "<pre>external_id: \ntitle_kk: " in prompt
    (problems,) = texts(
        await admin.send(FORM.replace("kind: foundation", "kind: charity").replace("2030-03-01", "1 марта"))
    )
    assert problems == "⚠️ Не сохранено. Проверьте эти поля и отправьте форму ещё раз: kind, deadline"
    (preview,) = texts(await admin.send(FORM))
    assert preview.startswith("👁 <b>Предпросмотр</b>")
    assert "<b>Жастар бастамалары</b>\nГрант беруші:" in preview  # the Kazakh card
    assert "<b>Молодежные инициативы</b>\nГрантодатель:" in preview  # and the Russian one
    assert await app.grants.count() == 0  # nothing saved before Publish
    requests = await admin.press_text("✅ Опубликовать")
    assert answers(requests) == ["✅ Сохранено."]
    assert await app.grants.count() == 1
    (card,) = [text for text in texts(requests) if text.startswith("<b>")]
    assert card.startswith("<b>Молодежные инициативы</b>")
    assert {"✏️ Изменить", "🔒 Закрыть конкурс"} <= {label for label, _ in admin.buttons()}


async def test_an_admin_edits_a_deadline_and_closes_the_call(harness: BotHarness, app: Application) -> None:
    admin = await onboarded(harness, ADMIN, "kk")
    await admin.send("/grant_new")
    await admin.send(FORM)
    await admin.press_text("✅ Жариялау")
    (grant_id,) = [grant.id for grant in (await app.grants.find(ADMIN, GrantQuery())).grants]
    (form,) = texts(await admin.press(GrantAdminCallback(action=GrantAdminAction.EDIT, grant_id=grant_id)))
    assert "deadline: 2030-03-01T18:00" in form
    await admin.send(FORM.replace("2030-03-01", "2030-04-01"))
    requests = await admin.press_text("✅ Сақтау")
    assert answers(requests) == ["✅ Сақталды."]
    async with app.database.reading() as uow:
        changes = await uow.grants.unannounced_changes()
    assert [(change.grant_id, change.field) for change in changes] == [(grant_id, "deadline")]
    requests = await admin.press_text("🔒 Конкурсты жабу")
    assert answers(requests) == ["🔒 Конкурс жабылды: енді тізімде көрсетілмейді."]
    assert (await app.grants.get(grant_id)).status == "closed"


async def test_a_non_admin_forging_the_admin_buttons_is_refused(
    harness: BotHarness, app: Application, clock: ManualClock
) -> None:
    ids = await ids_by_external_id(app.grants, clock.now())
    user = await onboarded(harness, 5101, "ru")
    # The card shows them no admin buttons...
    await user.press(GrantsCallback(action=GrantsAction.CARD, grant_id=ids["trees"]))
    assert not any(data.startswith("ga:") for _, data in user.buttons())
    # ...and forged ones change nothing.
    for action in (GrantAdminAction.CLOSE, GrantAdminAction.EDIT):
        requests = await user.press(GrantAdminCallback(action=action, grant_id=ids["trees"]))
        assert answers(requests) == ["Это могут делать только администраторы."]
        assert texts(requests) == ["Это могут делать только администраторы."]
    (refusal,) = texts(await user.send("/grant_new"))
    assert refusal == "Это могут делать только администраторы."
    assert (await app.grants.get(ids["trees"])).status == "open"
    # A Save pressed outside the dialog is a stale button.
    assert len(answers(await user.press(GrantAdminCallback(action=GrantAdminAction.SAVE)))) == 1
    assert await app.grants.count() == 6
