"""Showing a view in answer to what a user did: a new message, or the message a button was on."""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message

from bot.views import View

logger = logging.getLogger(__name__)


async def send(message: Message, view: View) -> Message:
    """A new message in the chat the user wrote in."""
    return await message.answer(view.text, reply_markup=view.markup)


async def show(event: Message | CallbackQuery, view: View) -> None:
    """For a button press: replace the message the button was on; otherwise send."""
    if isinstance(event, Message):
        await send(event, view)
        return
    message = event.message
    if message is None or isinstance(message, InaccessibleMessage):
        if event.bot is not None:
            await event.bot.send_message(event.from_user.id, view.text, reply_markup=view.markup)
        return
    if not isinstance(view.markup, InlineKeyboardMarkup | None):
        # A reply keyboard can only come with a new message.
        await send(message, view)
        return
    try:
        await message.edit_text(view.text, reply_markup=view.markup)
    except TelegramBadRequest as error:
        if "message is not modified" in error.message:
            return  # the same button pressed twice: the screen already shows this
        # Too old to edit, or deleted: show it anew.
        logger.info("Could not edit message %s: %s", message.message_id, error.message)
        await send(message, view)
