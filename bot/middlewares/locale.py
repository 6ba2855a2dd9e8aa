"""Speaks the language the user chose; before they choose, Telegram's if it is ours."""

from __future__ import annotations

from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware

from bot.i18n import pick_locale
from storage.repositories.users import UserProfile


class LocaleMiddleware(I18nMiddleware):
    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: UserProfile | None = data.get("user")
        tg_user: User | None = data.get("event_from_user")
        locale = pick_locale(
            user.language if user else None,
            tg_user.language_code if tg_user else None,
            self.i18n.default_locale,
        )
        data["locale"] = locale
        return locale
