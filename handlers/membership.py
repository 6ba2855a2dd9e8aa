"""Telegram tells us when a user blocks or unblocks the bot: we stop or resume sending."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import KICKED, MEMBER, ChatMemberUpdatedFilter
from aiogram.types import ChatMemberUpdated

from bot.filters import Matches
from bot.services.users import UserService


def router() -> Router:
    router = Router(name="membership")
    router.my_chat_member.filter(Matches(F.chat.type == "private"))
    router.my_chat_member.register(on_blocked, ChatMemberUpdatedFilter(member_status_changed=KICKED))
    router.my_chat_member.register(on_unblocked, ChatMemberUpdatedFilter(member_status_changed=MEMBER))
    return router


async def on_blocked(event: ChatMemberUpdated, users: UserService) -> None:
    await users.set_blocked(event.from_user.id, blocked=True)


async def on_unblocked(event: ChatMemberUpdated, users: UserService) -> None:
    await users.set_blocked(event.from_user.id, blocked=False)
