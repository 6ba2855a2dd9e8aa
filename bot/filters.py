"""Filters shared by the feature routers."""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import Filter
from aiogram.types import Message, TelegramObject
from magic_filter import MagicFilter

from bot.domain.onboarding import OnboardingStep, onboarding_step
from bot.i18n import Catalogs
from storage.repositories.users import UserProfile


class Matches(Filter):
    """A magic filter (`F.text`, `F.chat.type == "private"`) checked on the event loop.

    aiogram runs a filter that is a plain function, a bare `F` or a `State` in a thread
    (`asyncio.to_thread`): a trip to a thread and back for each check, on every update that reaches
    it. This one, like `StateFilter` for states, is checked in place.
    """

    def __init__(self, magic: MagicFilter) -> None:
        self.magic = magic

    async def __call__(self, event: TelegramObject) -> Any:
        return self.magic.resolve(event)


# What a dialog's typed answer is: text that is not a command (a command leaves the dialog), and what
# it answers that is not text either (a photo, a file) with "please type".
TYPED_TEXT = Matches(F.text & ~F.text.startswith("/"))
NOT_A_COMMAND = Matches(~F.text.startswith("/"))


class ButtonText(Filter):
    """A reply-keyboard button pressed, in whichever language it was shown."""

    def __init__(self, msgid: str) -> None:
        self.msgid = msgid

    async def __call__(self, message: Message, catalogs: Catalogs) -> bool:
        return message.text is not None and message.text in {t._(self.msgid) for t in catalogs.all()}


class Onboarded(Filter):
    """The user finished onboarding; re-checked on every update, never remembered."""

    async def __call__(self, _event: object, user: UserProfile | None = None) -> bool:
        return user is not None and onboarding_step(user) is OnboardingStep.DONE


class Stranger(Filter):
    """Someone we do not know: never met, or who deleted their data (only a message meets them)."""

    async def __call__(self, _event: object, user: UserProfile | None = None) -> bool:
        return user is None
