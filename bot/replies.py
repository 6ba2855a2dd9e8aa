"""Showing a view in answer to what a user did: a new message, or the message a button was on."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message

from bot.views import View

logger = logging.getLogger(__name__)


async def send(message: Message, view: View) -> Message:
    """A new message in the chat the user wrote in."""
    if view.media is not None and message.bot is not None:
        return await send_view(message.bot, message.chat.id, view)
    return await message.answer(view.text, reply_markup=view.markup)


async def send_view(bot: Bot, chat_id: int, view: View) -> Message:
    """A view as a new message to `chat_id`: its text, or its photo or document with the text as the
    caption (the views keep a caption within Telegram's 1024 characters)."""
    if view.media is None:
        return await bot.send_message(chat_id, view.text, reply_markup=view.markup)
    if view.media.kind == "photo":
        return await bot.send_photo(chat_id, view.media.file_id, caption=view.text, reply_markup=view.markup)
    return await bot.send_document(chat_id, view.media.file_id, caption=view.text, reply_markup=view.markup)


async def show(event: Message | CallbackQuery, view: View) -> Message | None:
    """For a button press: replace the message the button was on; otherwise send.

    Returns the message that shows the view now (None only if Telegram gave none back)."""
    if isinstance(event, Message):
        return await send(event, view)
    message = event.message
    if message is None or isinstance(message, InaccessibleMessage):
        if event.bot is None:
            return None
        return await event.bot.send_message(event.from_user.id, view.text, reply_markup=view.markup)
    if not isinstance(view.markup, InlineKeyboardMarkup | None):
        # A reply keyboard can only come with a new message.
        return await send(message, view)
    try:
        await message.edit_text(view.text, reply_markup=view.markup)
    except TelegramBadRequest as error:
        if "message is not modified" in error.message:
            return message  # the same button pressed twice: the screen already shows this
        # Too old to edit, or deleted: show it anew.
        logger.info("Could not edit message %s: %s", message.message_id, error.message)
        return await send(message, view)
    return message  # edited in place: the same message, whatever id an edit's answer carries


async def remove_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    """Take the inline buttons off an earlier message, so that an old copy can no longer be pressed."""
    try:
        await bot.edit_message_reply_markup(chat_id=chat_id, message_id=message_id, reply_markup=None)
    except TelegramBadRequest as error:
        # Already without buttons, deleted, or too old to edit: nothing is left to press.
        logger.info("Could not remove the buttons of message %s: %s", message_id, error.message)


async def remove_pressed_buttons(query: CallbackQuery) -> None:
    """Take the buttons off the message a button was pressed on."""
    if query.bot is not None and query.message is not None:
        await remove_buttons(query.bot, query.message.chat.id, query.message.message_id)
