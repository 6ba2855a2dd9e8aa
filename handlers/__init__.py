"""One router per feature, joined in the order they must be tried: catch-alls last."""

from __future__ import annotations

from aiogram import F, Router

from handlers import fallback, membership, menu, onboarding, profile


def setup_routers() -> Router:
    """A fresh router tree, so every dispatcher (and every test) gets its own."""
    root = Router(name="root")
    # Belsendi talks to people one to one; group chats are not served.
    root.message.filter(F.chat.type == "private")
    root.callback_query.filter(F.message.chat.type == "private")
    root.include_routers(
        membership.router(),
        menu.router(),
        onboarding.router(),
        profile.router(),
        fallback.router(),
    )
    return root
