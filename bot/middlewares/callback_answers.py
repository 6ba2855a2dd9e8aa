"""Every button press is answered, and in time: by its handler's answer, or plainly at a deadline.

Telegram shows a spinner on a pressed button until the bot answers the callback query, and refuses an
answer that comes after about 15 s ("query is too old and response timeout expired or query ID is
invalid"). aiogram's `CallbackAnswerMiddleware` answers after the handler returns, so a handler slower
than that turned a success into an error notice. Here a press still unanswered at the deadline is
answered there and then, with whatever the handler has set so far; the handler's later changes are
dropped (logged at debug level), and a refused late answer is never an error.

Handlers keep aiogram's interface: a `callback_answer: CallbackAnswer` argument whose `text`,
`show_alert`, `url` and `cache_time` they may set, `disable()` when they answer themselves, and the
`callback_answer` flag (`flags={"callback_answer": {"pre": True, "text": ...}}`) per handler.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.dispatcher.event.telegram import TelegramEventObserver
from aiogram.dispatcher.flags import get_flag
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import CallbackQuery, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer

logger = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
Sleep = Callable[[float], Awaitable[None]]

# Seconds from the start of a press's handling to its automatic answer. Handlers answer within tens of
# milliseconds (bench/README.md), so their own text is nearly always the one shown; a spinner turning
# for more than a couple of seconds reads as "broken" and invites a second tap; and the ~13 s left
# before Telegram's ~15 s expiry cover the time the update waited before it reached the handler (which
# this clock cannot see) and a retry of the answer itself after a network failure or a 429.
DEFAULT_DEADLINE = 2.0

_SETTABLE = ("disabled", "text", "show_alert", "url", "cache_time")


class TimelyCallbackAnswer(CallbackAnswer):
    """aiogram's `CallbackAnswer`, except that a change after the answer has gone is dropped, not raised.

    `answered` is true once the answer is on its way: before the handler (the `pre` flag) or at the
    deadline; `answered_at_deadline` tells the latter.
    """

    def __init__(self) -> None:
        super().__init__(answered=False)
        self.answered_at_deadline = False

    def _mark_answered(self) -> None:
        self._answered = True

    def _changeable(self, name: str) -> bool:
        if self._answered:
            logger.debug("Button press already answered; %s set afterwards is dropped", name)
            return False
        return True

    @property
    def disabled(self) -> bool:
        """The handler answers the press itself: no automatic answer (neither at the deadline)."""
        return self._disabled

    @disabled.setter
    def disabled(self, value: bool) -> None:
        if self._changeable("disabled"):
            self._disabled = value

    @property
    def text(self) -> str | None:
        """The toast (or alert) shown with the answer."""
        return self._text

    @text.setter
    def text(self, value: str | None) -> None:
        if self._changeable("text"):
            self._text = value

    @property
    def show_alert(self) -> bool | None:
        """Show the text as an alert with an OK button instead of a toast."""
        return self._show_alert

    @show_alert.setter
    def show_alert(self, value: bool | None) -> None:
        if self._changeable("show_alert"):
            self._show_alert = value

    @property
    def url(self) -> str | None:
        """A game or t.me/bot?start= URL to open."""
        return self._url

    @url.setter
    def url(self, value: str | None) -> None:
        if self._changeable("url"):
            self._url = value

    @property
    def cache_time(self) -> int | None:
        """Seconds Telegram's apps may cache the answer."""
        return self._cache_time

    @cache_time.setter
    def cache_time(self, value: int | None) -> None:
        if self._changeable("cache_time"):
            self._cache_time = value


class CallbackAnswers:
    """Answers every button press: after its handler, or at `deadline` seconds if the handler is slower.

    `register(dispatcher.callback_query)` installs two parts. The outer one starts the deadline and
    answers when the press has been dealt with, so that presses no handler takes, and handlers that
    fail, are answered too. The inner one runs per handler, where that handler's `callback_answer`
    flag can reach it. `sleep` is injectable so that tests decide when the deadline passes.
    """

    def __init__(self, deadline: float = DEFAULT_DEADLINE, *, sleep: Sleep = asyncio.sleep) -> None:
        self.deadline = deadline
        self.sleep = sleep

    def register(self, observer: TelegramEventObserver) -> None:
        """Install on the callback_query observer, before any inner middleware that sets the answer's text."""
        observer.outer_middleware(self.outer)
        observer.middleware(self.inner)

    async def outer(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        """Starts the deadline; answers once the press has been handled, failed or gone unhandled."""
        if not isinstance(event, CallbackQuery):
            return await handler(event, data)
        answer = data["callback_answer"] = TimelyCallbackAnswer()
        deadline = asyncio.create_task(self._answer_at_deadline(event, answer))
        try:
            return await handler(event, data)
        finally:
            if answer.answered_at_deadline:
                await deadline  # its answer may still be on the way; it never raises
            else:
                deadline.cancel()
                await asyncio.wait([deadline])
            if not answer.answered and not answer.disabled:
                await self._send(event, answer)

    async def inner(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        """Applies the handler's `callback_answer` flag; with `pre`, answers before the handler runs."""
        answer = data.get("callback_answer")
        if not isinstance(event, CallbackQuery) or not isinstance(answer, TimelyCallbackAnswer):
            return await handler(event, data)
        flags = get_flag(data, "callback_answer")
        if isinstance(flags, dict):
            for name in _SETTABLE:
                if name in flags:
                    setattr(answer, name, flags[name])
            if flags.get("pre") and not answer.disabled and not answer.answered:
                await self._send(event, answer)
        return await handler(event, data)

    async def _answer_at_deadline(self, event: CallbackQuery, answer: TimelyCallbackAnswer) -> None:
        await self.sleep(self.deadline)
        if answer.answered or answer.disabled:
            return
        answer.answered_at_deadline = True
        logger.debug("Button press %s not answered within %.1f s: answering now", event.id, self.deadline)
        await self._send(event, answer)

    @staticmethod
    async def _send(event: CallbackQuery, answer: TimelyCallbackAnswer) -> None:
        answer._mark_answered()
        try:
            await event.answer(
                text=answer.text, show_alert=answer.show_alert, url=answer.url, cache_time=answer.cache_time
            )
        except TelegramAPIError as error:
            # Too late is not a failure: the press was handled, only its spinner ran out. Anything else
            # is logged, but an update whose work is done does not become an error notice either.
            if isinstance(error, TelegramBadRequest) and is_query_too_old(error):
                logger.debug("Button press %s answered too late: %s", event.id, error.message)
            else:
                logger.warning("Could not answer button press %s: %s", event.id, error)


def is_query_too_old(error: TelegramBadRequest) -> bool:
    """Telegram's answer to a callback query answered after its timeout, or answered twice."""
    message = error.message.lower()
    return "query is too old" in message or "query id is invalid" in message
