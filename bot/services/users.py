"""Users: first contact, onboarding, profile edits, and their personal data (export and erasure)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.deeplinks import DeepLink, parse_start_payload
from bot.services.regions import REGIONS_BY_CODE
from bot.services.roles import ROLES_NEEDING_APPROVAL, Role
from bot.settings import SUPPORTED_LOCALES
from storage.models import User, utcnow
from storage.repositories.users import UserProfile, UserRepository

NAME_MAX = 64
PHONE = re.compile(r"^\+?\d{10,15}$")


class OnboardingStep(StrEnum):
    LANGUAGE = "language"
    CONSENT = "consent"
    ROLE = "role"
    REGION = "region"
    DONE = "done"


class InvalidInputError(ValueError):
    """What the user sent breaks a rule; `problem` says which, for a message in their language."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


class Problem(StrEnum):
    NAME_EMPTY = "name_empty"
    NAME_TOO_LONG = "name_too_long"
    PHONE_INVALID = "phone_invalid"
    CONSENT_MISSING = "consent_missing"


def onboarding_step(user: UserProfile) -> OnboardingStep:
    """Where a user stands, derived from what they have chosen: nothing to get out of step."""
    if user.language is None:
        return OnboardingStep.LANGUAGE
    if user.consent_at is None:
        return OnboardingStep.CONSENT
    if user.role is None:
        return OnboardingStep.ROLE
    if user.region is None:
        return OnboardingStep.REGION
    return OnboardingStep.DONE


async def meet(
    session: AsyncSession, user_id: int, *, telegram_language: str | None, username: str | None
) -> UserProfile:
    """The user behind an update, created on first contact; refreshes what Telegram tells us."""
    users = UserRepository(session)
    telegram_language = (telegram_language or "")[:16] or None
    user = await users.get(user_id)
    if user is None:
        try:
            user = await users.add(user_id, telegram_language=telegram_language)
        except IntegrityError:  # created meanwhile by a concurrent update of the same user
            await session.rollback()
            user = await users.get(user_id)
            if user is None:
                raise RuntimeError(f"user {user_id} vanished while being created") from None
    else:
        changes: dict[str, Any] = {}
        if telegram_language != user.telegram_language:
            changes["telegram_language"] = telegram_language
        if user.consent_at is not None and username != user.username:
            changes["username"] = username
        if user.blocked_at is not None:  # they write to us: they no longer block the bot
            changes["blocked_at"] = None
        if changes:
            user = await users.update(user_id, **changes) or user
    await session.commit()
    return user


async def choose_language(session: AsyncSession, user_id: int, language: str) -> UserProfile:
    if language not in SUPPORTED_LOCALES:
        raise ValueError(f"unsupported language {language!r}")
    return await _update(session, user_id, language=language)


async def give_consent(
    session: AsyncSession, user_id: int, *, name: str, username: str | None
) -> UserProfile:
    """The user agrees that we keep their data: from now on their name and username are stored."""
    return await _update(
        session, user_id, consent_at=utcnow(), name=_clean_name(name) or None, username=username
    )


async def decline_consent(session: AsyncSession, user_id: int) -> UserProfile:
    """No consent: keep nothing personal, only the language needed to talk to them."""
    return await _update(
        session,
        user_id,
        consent_at=None,
        name=None,
        username=None,
        phone=None,
        region=None,
        role=None,
        requested_role=None,
        role_requested_at=None,
    )


async def choose_role(session: AsyncSession, user_id: int, role: Role) -> UserProfile:
    """Volunteers are in at once; NGO and organizer are requests kept for an admin to approve."""
    if role in ROLES_NEEDING_APPROVAL:
        return await _update(
            session,
            user_id,
            consented=True,
            role=func.coalesce(User.role, Role.VOLUNTEER.value),  # one already granted stays
            requested_role=role,
            role_requested_at=utcnow(),
        )
    return await _update(
        session, user_id, consented=True, role=Role.VOLUNTEER, requested_role=None, role_requested_at=None
    )


async def choose_region(session: AsyncSession, user_id: int, region: str) -> UserProfile:
    if region not in REGIONS_BY_CODE:
        raise ValueError(f"unknown region {region!r}")
    return await _update(session, user_id, consented=True, region=region)


async def rename(session: AsyncSession, user_id: int, raw_name: str) -> UserProfile:
    """A new display name: one line, printable, 1-64 characters."""
    name = _clean_name(raw_name)
    if not name:
        raise InvalidInputError(Problem.NAME_EMPTY)
    if len(name) > NAME_MAX:
        raise InvalidInputError(Problem.NAME_TOO_LONG)
    return await _update(session, user_id, consented=True, name=name)


async def set_phone(session: AsyncSession, user_id: int, raw_phone: str) -> UserProfile:
    """A phone number shared through Telegram's contact button, kept as +digits."""
    digits = re.sub(r"[\s()-]", "", raw_phone)
    if not PHONE.match(digits):
        raise InvalidInputError(Problem.PHONE_INVALID)
    return await _update(session, user_id, consented=True, phone="+" + digits.lstrip("+"))


async def remove_phone(session: AsyncSession, user_id: int) -> UserProfile:
    return await _update(session, user_id, phone=None)


async def keep_start_payload(session: AsyncSession, user: UserProfile, payload: str | None) -> UserProfile:
    """Remember a valid deep link until the user can be taken to it; malformed ones are dropped."""
    link = parse_start_payload(payload)
    if link is None:
        return user
    return await _update(session, user.id, start_payload=link.payload)


async def take_start_payload(session: AsyncSession, user: UserProfile) -> DeepLink | None:
    """The deep link waiting for this user, removed as it is handed out."""
    if user.start_payload is None:
        return None
    await _update(session, user.id, start_payload=None)
    return parse_start_payload(user.start_payload)


async def export_data(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """Everything we keep about the user, as JSON-ready data."""
    user = await UserRepository(session).get(user_id)
    await session.commit()
    if user is None:
        return {}
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in asdict(user).items()
    }


async def erase(session: AsyncSession, user_id: int) -> None:
    """Forget the user entirely. Their next message starts from a blank first contact."""
    await UserRepository(session).delete(user_id)
    await session.commit()


def _clean_name(raw: str) -> str:
    # One line of printable text: control characters (newlines included) become spaces.
    printable = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in raw)
    return " ".join(printable.split())


async def _update(
    session: AsyncSession, user_id: int, *, consented: bool = False, **values: Any
) -> UserProfile:
    """One statement and its commit; with `consented`, only for a user who gave consent."""
    user = await UserRepository(session).update(user_id, consented=consented, **values)
    await session.commit()
    if user is None:
        if consented:
            raise InvalidInputError(Problem.CONSENT_MISSING)
        raise LookupError(f"no user {user_id}")
    return user


async def set_blocked(session: AsyncSession, user_id: int, *, blocked: bool) -> None:
    """Remember that the user blocked the bot (nothing is sent to them then), or no longer does."""
    # A user we never met (or who erased their data) has no row to mark: nothing to do.
    await UserRepository(session).update(user_id, blocked_at=utcnow() if blocked else None)
    await session.commit()
