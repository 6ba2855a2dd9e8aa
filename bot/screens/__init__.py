"""A screen is what the bot shows in answer to a user: HTML text and its keyboard.

Screen builders live beside this module, one per feature; handlers build a screen and show it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

logger = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    markup: Markup | None = None

    async def send(self, message: Message) -> Message:
        """A new message in the chat the user wrote in."""
        return await message.answer(self.text, reply_markup=self.markup)

    async def show(self, event: Message | CallbackQuery) -> None:
        """For a button press: replace the message the button was on; otherwise send."""
        if isinstance(event, Message):
            await self.send(event)
            return
        message = event.message
        if message is None or isinstance(message, InaccessibleMessage):
            if event.bot is not None:
                await event.bot.send_message(event.from_user.id, self.text, reply_markup=self.markup)
            return
        if not isinstance(self.markup, InlineKeyboardMarkup | None):
            # A reply keyboard can only come with a new message.
            await self.send(message)
            return
        try:
            await message.edit_text(self.text, reply_markup=self.markup)
        except TelegramBadRequest as error:
            if "message is not modified" in error.message:
                return  # the same button pressed twice: the screen already shows this
            # Too old to edit, or deleted: show it anew.
            logger.info("Could not edit message %s: %s", message.message_id, error.message)
            await self.send(message)
