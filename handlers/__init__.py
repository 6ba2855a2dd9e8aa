"""One router per feature, joined in the order they must be tried: catch-alls last."""

from __future__ import annotations

from aiogram import F, Router

from bot.filters import Matches
from bot.middlewares.dialogs import LeavesTypedDialogs
from handlers import (
    admins,
    approvals,
    broadcasts,
    events,
    fallback,
    forged,
    grant_admin,
    grant_questions,
    grant_saves,
    grant_subscriptions,
    grants,
    language,
    membership,
    menu,
    ngo_profiles,
    onboarding,
    organizer_tools,
    privacy,
    profile,
    publishing,
    ratings,
    sectors,
    strangers,
)


def leaving_typed_dialogs(*routers: Router) -> tuple[Router, ...]:
    """A press on these routers' buttons leaves a question about a call or the subscription's words
    half typed (bot/middlewares/dialogs.py); the words button starts its dialog anew."""
    leaving = LeavesTypedDialogs(
        [grant_questions.AskForm.text, grant_subscriptions.GrantSubscriptionForm.words]
    )
    for router in routers:
        router.callback_query.middleware(leaving)
    return routers


def setup_routers() -> Router:
    """A fresh router tree, so every dispatcher (and every test) gets its own."""
    root = Router(name="root")
    # Belsendi talks to people one to one; group chats are not served.
    root.message.filter(Matches(F.chat.type == "private"))
    root.callback_query.filter(Matches(F.message.chat.type == "private"))
    root.include_routers(
        forged.router(),  # a number no id can be, before any feature reads it
        approvals.router(),  # admins (ADMIN_IDS or promoted), whether or not they set themselves up
        admins.router(),  # /admins, /promote, /revoke: every step re-checked by the service
        broadcasts.router(),  # admins too; the mute button works for anyone it reached
        grant_admin.router(),  # admins; every step re-checked by the service
        sectors.router(),  # /sectors, admins; every step re-checked by the service
        grant_questions.router(),  # admins answer whether or not set up; asking needs onboarding
        strangers.router(),  # before any feature: a press from someone unknown reaches none
        membership.router(),
        language.router(),
        menu.router(),
        privacy.router(),  # open before onboarding's catch-all: one may ask before consenting
        onboarding.router(),
        profile.router(),
        ngo_profiles.router(),  # its dialog's "use the buttons" answer before the catch-alls
        publishing.router(),  # its dialog's answers before the catch-alls
        events.router(),
        organizer_tools.router(),
        ratings.router(),
        *leaving_typed_dialogs(
            grant_saves.router(),
            grant_subscriptions.router(),  # its words dialog; every press re-checked by the service
            grants.router(),  # before the fallback: an approved NGO's typed text is a grant search
        ),
        fallback.router(),
    )
    return root
