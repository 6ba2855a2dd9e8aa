"""The last word on a failure: log it with the update id, tell the user in their language."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Chat, ErrorEvent, User
from aiogram.utils.i18n import I18n

from bot.i18n import pick_locale
from bot.screens.menu import error_text

logger = logging.getLogger(__name__)


def router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router


async def on_error(
    event: ErrorEvent,
    bot: Bot,
    i18n: I18n,
    event_from_user: User | None = None,
    event_chat: Chat | None = None,
    locale: str | None = None,
) -> None:
    # Sender, chat and locale come from the middlewares that ran before the failure, if they did.
    update = event.update
    logger.error(
        "Update %s failed: %s", update.update_id, type(event.exception).__name__, exc_info=event.exception
    )
    sender = event_from_user
    if sender is None or (event_chat is not None and event_chat.type != "private"):
        return  # nobody to tell, or a group chat the bot does not talk in
    locale = locale or pick_locale(None, sender.language_code, i18n.default_locale)
    with i18n.context(), i18n.use_locale(locale):
        text = error_text()
    try:
        await bot.send_message(sender.id, text)
    except TelegramAPIError as error:  # nothing more we can do: it is logged
        logger.warning("Could not report the failure of update %s: %s", update.update_id, error)
