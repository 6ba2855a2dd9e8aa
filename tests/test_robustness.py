"""Failures, forged input and limits: the user always gets an answer, nothing is corrupted."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.methods import AnswerCallbackQuery, SendMessage
from aiogram.types import (
    Chat,
    ChatMemberBanned,
    ChatMemberMember,
    ChatMemberUpdated,
    Message,
    Update,
    User,
)

from bot.domain.deeplinks import DeepLink, LinkTarget, parse_start_payload
from bot.domain.regions import REGIONS
from bot.domain.roles import Role
from bot.i18n import LOCALES_DIR, compile_catalogs
from bot.services.users import UserService
from bot.views.events import EventsAction, EventsCallback
from bot.views.grant_questions import QuestionAction, QuestionCallback
from bot.views.grants import GrantsAction, GrantsCallback
from bot.views.language import LanguageChangeCallback
from bot.views.menu import MenuAction, MenuCallback, Origin
from bot.views.onboarding import ConsentCallback, LanguageCallback, RegionCallback, RoleCallback
from bot.views.privacy import PrivacyAction, PrivacyCallback
from bot.views.profile import ProfileAction, ProfileCallback, RegionEditCallback, RoleEditCallback
from storage.database import Database
from tests.harness import BotHarness, stored_user, texts


async def test_a_failing_handler_is_logged_and_the_user_told_in_their_language(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    user = harness.user(6001, language_code="ru")
    await user.send("/start")
    await user.press(LanguageCallback(code="ru"))
    await user.press(ConsentCallback(agree=True))
    await user.press(RoleCallback(role="volunteer"))

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(UserService, "choose_region", broken)
    with caplog.at_level(logging.ERROR):
        requests = await user.press(RegionCallback(code="almaty"))
    assert any(isinstance(r, AnswerCallbackQuery) for r in requests)  # the spinner stops
    told = [r.text for r in requests if isinstance(r, SendMessage)]
    assert told == ["⚠️ У нас что-то пошло не так. Попробуйте ещё раз чуть позже или отправьте /menu."]
    failure = next(record for record in caplog.records if "failed" in record.getMessage())
    assert "Update" in failure.getMessage()
    assert failure.exc_info is not None
    assert "database on fire" not in told[0]  # no internals shown to the user


def all_callback_data() -> list[CallbackData]:
    """Every button the bot can draw, with the longest values each field takes."""
    made: list[CallbackData] = [LanguageCallback(code=code) for code in ("kk", "ru")]
    made += [ConsentCallback(agree=agree) for agree in (True, False)]
    made += [RoleCallback(role=role) for role in Role]
    made += [RegionCallback(code=region.code) for region in REGIONS]
    made += [MenuCallback(action=action) for action in MenuAction]
    for origin in Origin:
        made += [LanguageChangeCallback(code=code, origin=origin) for code in ("kk", "ru")]
        made += [ProfileCallback(action=action, origin=origin) for action in ProfileAction]
        made += [RegionEditCallback(code=region.code, origin=origin) for region in REGIONS]
        made += [RoleEditCallback(role=role, origin=origin) for role in Role]
        made += [PrivacyCallback(action=action, origin=origin) for action in PrivacyAction]
    return made


def test_every_callback_data_fits_telegrams_64_bytes() -> None:
    sizes = {data.pack(): len(data.pack().encode()) for data in all_callback_data()}
    assert max(sizes.values()) <= 64
    # and leaves room: ids, not words (the longest today is a region code)
    assert max(sizes.values()) <= 16, sizes


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("ev_12", DeepLink(LinkTarget.EVENT, "12")),
        ("gr_aB-9", DeepLink(LinkTarget.GRANT, "aB-9")),
        ("zz_12", None),
        ("ev_", None),
        ("ev_" + "1" * 33, None),
        ("<script>", None),
        ("ev_12 extra", None),
        ("", None),
        (None, None),
    ],
)
def test_start_payload_parsing(payload: str | None, expected: DeepLink | None) -> None:
    assert parse_start_payload(payload) == expected


async def test_a_forged_start_payload_is_ignored(harness: BotHarness, database: Database) -> None:
    user = harness.user(6002, language_code="kk")
    seen = texts(await user.send("/start <b>" + "x" * 5000))
    assert "Сәлеметсіз бе" in seen[0]
    stored = await stored_user(database, 6002)
    assert stored is not None
    assert stored.start_payload is None


def membership(user_id: int, status: str) -> Update:
    chat = Chat(id=user_id, type="private")
    person = User(id=user_id, is_bot=False, first_name="Арман")
    bot = User(id=42, is_bot=True, first_name="Belsendi")
    old = ChatMemberMember(user=bot) if status == "kicked" else ChatMemberBanned(user=bot, until_date=0)
    new = ChatMemberBanned(user=bot, until_date=0) if status == "kicked" else ChatMemberMember(user=bot)
    event = ChatMemberUpdated(
        chat=chat, from_user=person, date=int(time.time()), old_chat_member=old, new_chat_member=new
    )
    return Update(update_id=int(time.time() * 1000) % 10**9, my_chat_member=event)


async def test_blocking_and_unblocking_the_bot_is_remembered(harness: BotHarness, database: Database) -> None:
    user = harness.user(6003, language_code="kk")
    await user.send("/start")
    await harness.feed_update(membership(6003, "kicked"))
    stored = await stored_user(database, 6003)
    assert stored is not None
    assert stored.blocked_at is not None
    await harness.feed_update(membership(6003, "member"))
    stored = await stored_user(database, 6003)
    assert stored is not None
    assert stored.blocked_at is None


def test_missing_or_stale_catalogs_are_compiled(tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES_DIR, locales, ignore=shutil.ignore_patterns("*.mo"))
    assert {path.parent.parent.name for path in compile_catalogs(locales)} == {"kk", "ru"}
    assert compile_catalogs(locales) == []  # up to date: nothing to do
    po = locales / "ru" / "LC_MESSAGES" / "messages.po"
    future = time.time() + 10
    os.utime(po, (future, future))
    assert compile_catalogs(locales) == [po.with_suffix(".mo")]


async def test_group_chats_are_not_served(harness: BotHarness) -> None:
    person = User(id=6004, is_bot=False, first_name="Арман", language_code="kk")
    group = Chat(id=-100123, type="supergroup", title="Eco")
    message = Message(message_id=1, date=int(time.time()), chat=group, from_user=person, text="/start")
    before = len(harness.session.requests)
    await harness.feed_update(Update(update_id=77, message=message))
    assert harness.session.requests[before:] == []


async def test_the_failure_notice_uses_the_chosen_language_not_telegrams(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = harness.user(6005, language_code="ru")  # a Russian app, Kazakh chosen
    await user.onboard("kk")

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(UserService, "rename", broken)
    await user.press(ProfileCallback(action=ProfileAction.NAME))
    requests = await user.send("Жаңа ат")
    told = [r.text for r in requests if isinstance(r, SendMessage)]
    assert told == ["⚠️ Біз жақта ақау шықты. Сәлден соң қайталап көріңіз немесе /menu жіберіңіз."]


HUGE = 10**20  # past a 64-bit integer: SQLite refuses to even compare it


@pytest.mark.parametrize(
    "data",
    [
        GrantsCallback(action=GrantsAction.CARD, grant_id=HUGE).pack(),
        GrantsCallback(action=GrantsAction.CARD, grant_id=-HUGE).pack(),
        EventsCallback(action=EventsAction.CARD, event_id=HUGE).pack(),
        QuestionCallback(action=QuestionAction.LIST, grant_id=HUGE).pack(),
        f"pv:x:{2**63}",  # one past, in a button of no feature
    ],
)
async def test_a_number_no_id_can_be_is_an_out_of_date_button_not_a_failure(
    harness: BotHarness, data: str
) -> None:
    user = harness.user(8101, language_code="ru")
    await user.onboard("ru")
    requests = await user.press(data)
    answers = [r.text for r in requests if isinstance(r, AnswerCallbackQuery)]
    assert answers == ["Эта кнопка устарела. Отправьте /menu."]
    assert not any("что-то пошло не так" in text for text in texts(requests))
