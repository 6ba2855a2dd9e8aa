"""The broadcasts' progress messages, edited live.

The "broadcasts-progress" scan (every `PROGRESS_EVERY`) reads every started broadcast whose message does
not show its end yet (`BroadcastService.live`, the database's word) and edits its author's message to the
counts now, in the author's language: sent, not delivered, blocked, waiting, time left, with Pause,
Resume and Stop. Once it is done or stopped, the message shows its final state without buttons and the
broadcast is marked reported: no more edits. A scheduled broadcast that started by itself gets a new
progress message, whose id is kept on its row.

Telegram's limits: one edit per broadcast per scan (a few seconds apart), none when nothing changed;
"message is not modified" is not an error; a message that cannot be edited any more (deleted) is sent
anew. Every call is made after the transaction that read the counts has ended.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup

from bot.i18n import Catalogs
from bot.replies import send_view
from bot.services.broadcasts import ENDED, BroadcastService, LiveBroadcast
from bot.views import View
from bot.views.broadcasts import progress_view

logger = logging.getLogger(__name__)

PROGRESS_EVERY = timedelta(seconds=3)


class ProgressBoard:
    def __init__(self, broadcasts: BroadcastService, bot: Bot, catalogs: Catalogs) -> None:
        self.broadcasts = broadcasts
        self.bot = bot
        self.catalogs = catalogs
        # What each progress message shows now, as far as this process knows (saves unchanged edits).
        self._shown: dict[int, str] = {}

    async def refresh(self) -> int:
        """One look at every running broadcast; returns how many messages were edited or sent."""
        changed = 0
        for live in await self.broadcasts.live():
            progress = live.progress
            view = progress_view(
                self.catalogs.pick(live.author_language, live.author_telegram_language), progress
            )
            ended = progress.status in ENDED
            shown = True
            if ended or self._shown.get(progress.broadcast_id) != view.text:
                shown = await self._show(live, view)
                changed += shown
            if ended and shown:
                await self.broadcasts.mark_reported(progress.broadcast_id)
                self._shown.pop(progress.broadcast_id, None)
        return changed

    async def _show(self, live: LiveBroadcast, view: View) -> bool:
        """Edit (or send) the progress message; False if it should be tried again at the next look."""
        broadcast_id = live.progress.broadcast_id
        try:
            if live.message_id is None or not await self._edit(live.author_id, live.message_id, view):
                message = await send_view(self.bot, live.author_id, view)
                await self.broadcasts.keep_progress_message(broadcast_id, message.message_id)
        except TelegramForbiddenError:
            return True  # the author blocked the bot: nobody to show it to
        except (TelegramAPIError, OSError, TimeoutError):
            logger.warning("Could not show the progress of broadcast %s", broadcast_id, exc_info=True)
            return False
        self._shown[broadcast_id] = view.text
        return True

    async def _edit(self, chat_id: int, message_id: int, view: View) -> bool:
        """True if the message shows the view now; False if it cannot be edited any more (deleted, or
        too old)."""
        markup = view.markup if isinstance(view.markup, InlineKeyboardMarkup) else None
        try:
            await self.bot.edit_message_text(
                view.text, chat_id=chat_id, message_id=message_id, reply_markup=markup
            )
        except TelegramBadRequest as error:
            if "message is not modified" in error.message:
                return True  # it shows this already
            logger.info("Progress message %s not edited: %s", message_id, error.message)
            return False
        return True
