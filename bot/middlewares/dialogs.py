"""Leaving a dialog that waits for typed text by pressing a button elsewhere.

A user asked to type something (a question about a grant call, the words of a subscription) may go
elsewhere with a button instead. The dialog then must not stay open: what they type later (a search,
most likely) would be taken as its answer, and a question about a call would reach every admin with
their name. Registered on the routers whose buttons lead away from such dialogs (handlers/__init__.py),
as an inner middleware: it runs only for a press one of their handlers takes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import TelegramObject

from storage.fsm import end_conversation


class LeavesTypedDialogs(BaseMiddleware):
    """Ends the user's dialog before the handler runs when it is one of `states`."""

    def __init__(self, states: Iterable[State]) -> None:
        self.states = {state.state for state in states}

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        raw_state = data.get("raw_state")
        state: FSMContext | None = data.get("state")
        if raw_state in self.states and state is not None:
            await end_conversation(state, raw_state)
            data["raw_state"] = None
        return await handler(event, data)
