"""Users: first contact, onboarding, profile edits, consent, and their personal data (export, erasure).

Each public method is one use case: one unit of work, committed once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.clock import Clock
from bot.domain.deeplinks import DeepLink, parse_start_payload
from bot.domain.events import RegistrationStatus
from bot.domain.names import NAME_MAX, clean_name
from bot.domain.organizations import InvalidOrganizationError, organization_bin, organization_name
from bot.domain.phones import InvalidPhoneError, PhoneProblem, phone_from_contact, phone_from_typed
from bot.domain.regions import REGIONS_BY_CODE
from bot.domain.roles import ROLES_NEEDING_APPROVAL, Role
from bot.services.admins import admin_ids
from bot.services.approvals import ROLE_REQUEST, role_request_message
from bot.services.grant_questions import GRANT_ANSWER, forget_asker
from bot.services.grant_saves import GRANT_CHANGED, GRANT_REMINDER
from bot.services.grant_subscriptions import GRANT_ALERT, GRANT_DIGEST
from bot.services.line import tell_line_moved
from bot.services.ngo_profiles import export_of
from bot.settings import SUPPORTED_LOCALES
from storage.database import Database
from storage.repositories.users import UserProfile
from storage.unit_of_work import UnitOfWork

# A conversation's state and its data (JSON), as the FSM storage keeps them.
Conversation = tuple[str | None, str]

# Kept only with consent. Without it a user is their Telegram id, the language they chose and the step
# of setting up they are at (derived from these being empty).
PERSONAL_FIELDS = (
    "name",
    "username",
    "telegram_language",
    "phone",
    "region",
    "role",
    "requested_role",
    "role_requested_at",
    "start_payload",
    "organization",
    "organization_bin",
)


class Problem(StrEnum):
    NAME_EMPTY = "name_empty"
    NAME_TOO_LONG = "name_too_long"
    PHONE_INVALID = "phone_invalid"
    PHONE_WRONG_LENGTH = "phone_wrong_length"
    CONSENT_MISSING = "consent_missing"
    ORGANIZATION_TOO_SHORT = "organization_too_short"
    ORGANIZATION_TOO_LONG = "organization_too_long"
    BIN_NOT_12_DIGITS = "bin_not_12_digits"
    BIN_CHECK_DIGIT = "bin_check_digit"


_PHONE_PROBLEMS = {
    PhoneProblem.NOT_A_NUMBER: Problem.PHONE_INVALID,
    PhoneProblem.WRONG_LENGTH: Problem.PHONE_WRONG_LENGTH,
}


class InvalidInputError(ValueError):
    """What the user sent breaks a rule; `problem` says which, for a message in their language."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


# What the grant features send a person: kept with their consent only, as the rows they come from.
GRANT_MESSAGES = (GRANT_ALERT, GRANT_DIGEST, GRANT_REMINDER, GRANT_CHANGED, GRANT_ANSWER)


class UserService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        admins: frozenset[int] = frozenset(),
        wake_sender: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.admins = admins
        self.wake_sender = wake_sender

    async def meet(
        self,
        user_id: int,
        *,
        telegram_language: str | None,
        username: str | None,
        create: bool = True,
        conversation_key: str | None = None,
    ) -> tuple[UserProfile | None, Conversation | None]:
        """The user behind an update; refreshes what Telegram tells us about those who consented.

        With `create`, someone we do not know is created on this first contact (their id and nothing
        else); without it they stay unknown (None). With `conversation_key`, also the state of their
        conversation, read in the same statement (None when it was not read). Most updates change
        nothing: they only read, beside the writer.
        """
        telegram_language = (telegram_language or "")[:16] or None
        conversation: Conversation | None = None
        async with self.database.reading() as uow:
            if conversation_key is None:
                user = await uow.users.get(user_id)
            else:
                found = await uow.users.get_with_conversation(user_id, conversation_key)
                user, conversation = found if found is not None else (None, None)
        if user is None and not create:
            return None, None
        if user is not None and not _news(user, telegram_language, username):
            return user, conversation
        async with self.database.transaction() as uow:
            now = self.clock.now()
            user = await uow.users.get(user_id)  # again: it may have changed since the read
            if user is None:
                return (await uow.users.add(user_id, now=now) if create else None), None
            changes: dict[str, Any] = {}
            if user.consent_at is not None:  # the app's language and the username: with consent only
                if telegram_language != user.telegram_language:
                    changes["telegram_language"] = telegram_language
                if username != user.username:
                    changes["username"] = username
            if user.blocked_at is not None:  # they write to us: they no longer block the bot
                changes["blocked_at"] = None
            if changes:
                user = await uow.users.update(user_id, now=now, **changes) or user
            return user, conversation

    async def choose_language(self, user_id: int, language: str) -> UserProfile:
        if language not in SUPPORTED_LOCALES:
            raise ValueError(f"unsupported language {language!r}")
        return await self._update(user_id, language=language)

    async def give_consent(
        self, user_id: int, *, name: str, username: str | None, telegram_language: str | None
    ) -> UserProfile:
        """The user agrees that we keep their data: from now on their name and username are stored."""
        return await self._update(
            user_id,
            consent_at=self.clock.now(),
            name=clean_name(name)[:NAME_MAX] or None,
            username=username,
            telegram_language=(telegram_language or "")[:16] or None,
        )

    async def decline_consent(self, user_id: int) -> UserProfile:
        """No consent, or consent withdrawn: keep nothing personal, only the language needed to talk to
        them; any conversation they were in (a profile edit) ends."""
        async with self.database.transaction() as uow:
            forgotten: dict[str, Any] = dict.fromkeys(PERSONAL_FIELDS)
            user = await uow.users.update(user_id, now=self.clock.now(), consent_at=None, **forgotten)
            await uow.ngo_profiles.delete(user_id)  # kept with consent only, as the role it belongs to
            # Saved calls, subscriptions, questions, searches: kept with consent only; nothing of them
            # goes out any more (the buttons to stop it would no longer work for them).
            await uow.personal_data.forget_consented(user_id)
            await uow.outbox.drop_for_recipient(
                user_id, "the user withdrew their consent", owner="", kinds=GRANT_MESSAGES
            )
            await _forget_role_request(uow, user_id, "the user withdrew their consent")
            await _forget_conversations(uow, user_id)
        return _found(user, user_id, consented=False)

    async def choose_role(self, user_id: int, role: Role) -> UserProfile:
        """Volunteers are in at once (and a request waiting is dropped). NGO and organizer, during
        onboarding (no role yet), start a request that goes to the admins only once the organisation
        (`name_organization`, `give_bin`) and the region are known; a user set up already asks with
        `request_role`, all at once."""
        if role not in ROLES_NEEDING_APPROVAL:
            return await self._update(
                user_id, consented=True, role=Role.VOLUNTEER, requested_role=None, role_requested_at=None
            )
        async with self.database.transaction() as uow:
            user = await uow.users.start_role_request(user_id, role, now=self.clock.now())
            if user is None:  # set up already, or no consent: nothing changes
                user = await uow.users.get(user_id)
        return _found(user if user is not None and user.consent_at else None, user_id, consented=True)

    async def name_organization(self, user_id: int, raw_name: str) -> UserProfile:
        """Onboarding: the organisation an NGO or organizer request is for (2-150 characters)."""
        name = _organization_name(raw_name)
        async with self.database.transaction() as uow:
            user = await uow.users.draft_role_request(user_id, now=self.clock.now(), organization=name)
            if user is None:
                user = await uow.users.get(user_id)
        return _found(user if user is not None and user.consent_at else None, user_id, consented=True)

    async def give_bin(self, user_id: int, raw_bin: str | None) -> UserProfile:
        """Onboarding: the organisation's BIN (12 digits with a valid check digit), or none ("-"); the
        user is a volunteer until an admin decides, and the request goes out once the region is known."""
        number = _bin(raw_bin)
        now, told = self.clock.now(), False
        async with self.database.transaction() as uow:
            user = await uow.users.draft_role_request(
                user_id, now=now, named=True, organization_bin=number, role=Role.VOLUNTEER.value
            )
            if user is None:
                user = await uow.users.get(user_id)
            else:
                user, told = await self._send_request(uow, user, now)
        if told:
            self.wake_sender()
        return _found(user if user is not None and user.consent_at else None, user_id, consented=True)

    async def drop_role_request(self, user_id: int) -> UserProfile:
        """Onboarding: back from the organisation's questions to the choice of a role."""
        async with self.database.transaction() as uow:
            user = await uow.users.drop_role_draft(user_id, now=self.clock.now())
            if user is None:
                user = await uow.users.get(user_id)
        return _found(user if user is not None and user.consent_at else None, user_id, consented=True)

    async def request_role(
        self, user_id: int, role: Role, *, organization: str, bin_number: str | None
    ) -> UserProfile:
        """A user set up already asks to be an NGO or organizer, for this organisation: the request
        goes to every admin at once (their role stays as it is until an admin decides)."""
        if role not in ROLES_NEEDING_APPROVAL:
            raise ValueError(f"{role} needs no request")
        name, number = _organization_name(organization), _bin(bin_number)
        now, told = self.clock.now(), False
        async with self.database.transaction() as uow:
            user = await uow.users.request_role(
                user_id,
                role.value,
                default=Role.VOLUNTEER.value,
                now=now,
                organization=name,
                organization_bin=number,
            )
            if user is not None:
                user, told = await self._send_request(uow, user, now)
        if told:
            self.wake_sender()
        return _found(user, user_id, consented=True)

    @staticmethod
    def check_organization(raw_name: str) -> str:
        """The organisation's name as it will be kept (for a dialog that asks more before saving)."""
        return _organization_name(raw_name)

    @staticmethod
    def check_bin(raw_bin: str | None) -> str | None:
        return _bin(raw_bin)

    async def choose_region(self, user_id: int, region: str) -> UserProfile:
        """The region; at the end of onboarding, a role request that waited for it goes to the admins."""
        if region not in REGIONS_BY_CODE:
            raise ValueError(f"unknown region {region!r}")
        now, told = self.clock.now(), False
        async with self.database.transaction() as uow:
            user = await uow.users.update(user_id, now=now, consented=True, region=region)
            if user is not None:
                user, told = await self._send_request(uow, user, now)
        if told:
            self.wake_sender()
        return _found(user, user_id, consented=True)

    async def _send_request(
        self, uow: UnitOfWork, user: UserProfile, now: datetime
    ) -> tuple[UserProfile, bool]:
        """A request that is complete (organisation named, BIN answered, region known) and not sent
        yet: marked sent, and every admin (promoted ones too) told, in the caller's transaction. Also
        whether any admin was (to wake the sender after the commit)."""
        if not _request_ready(user) or user.requested_role not in set(ROLES_NEEDING_APPROVAL):
            return user, False
        sent = await uow.users.mark_request_sent(user.id, now=now)
        if sent is None:
            return user, False
        admins = await admin_ids(uow, self.admins) - {user.id}
        role = Role(str(sent.requested_role))
        for admin in sorted(admins):
            await uow.outbox.add(role_request_message(sent, role, admin, now), now=now)
        return sent, bool(admins)

    async def rename(self, user_id: int, raw_name: str) -> UserProfile:
        """A new display name: one line, printable, 1-64 characters."""
        name = clean_name(raw_name)
        if not name:
            raise InvalidInputError(Problem.NAME_EMPTY)
        if len(name) > NAME_MAX:
            raise InvalidInputError(Problem.NAME_TOO_LONG)
        return await self._update(user_id, consented=True, name=name)

    async def set_phone(self, user_id: int, raw_phone: str, *, typed: bool = False) -> UserProfile:
        """A phone number shared through Telegram's contact button (or `typed` by hand: +7 and 8
        prefixes of Kazakhstan understood), kept as + and digits."""
        try:
            phone = phone_from_typed(raw_phone) if typed else phone_from_contact(raw_phone)
        except InvalidPhoneError as error:
            raise InvalidInputError(_PHONE_PROBLEMS[error.problem]) from None
        return await self._update(user_id, consented=True, phone=phone)

    async def set_reminders(self, user_id: int, *, on: bool) -> UserProfile:
        """Event reminders on or off. Off, the sender drops each one when it falls due (the plan stays:
        turned on again before its time, a reminder still comes)."""
        return await self._update(
            user_id, consented=True, reminders_muted_at=None if on else self.clock.now()
        )

    async def remove_phone(self, user_id: int) -> UserProfile:
        return await self._update(user_id, phone=None)

    async def keep_start_payload(self, user: UserProfile, payload: str | None) -> UserProfile:
        """Remember a valid deep link until the user can be taken to it; malformed ones are dropped."""
        link = parse_start_payload(payload)
        if link is None:
            return user
        return await self._update(user.id, start_payload=link.payload)

    async def take_start_payload(self, user: UserProfile) -> DeepLink | None:
        """The deep link waiting for this user, removed as it is handed out."""
        if user.start_payload is None:
            return None
        await self._update(user.id, start_payload=None)
        return parse_start_payload(user.start_payload)

    async def export_data(self, user_id: int) -> dict[str, Any]:
        """Everything we keep about the user, as JSON-ready data."""
        async with self.database.reading() as uow:
            user = await uow.users.get(user_id)
            if user is None:
                return {}
            more = await uow.personal_data.export(user_id)
            ngo_profile = await uow.ngo_profiles.get(user_id)
        data = {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in asdict(user).items()
        }
        if ngo_profile is not None:
            data["ngo_profile"] = export_of(ngo_profile)
        return {**data, **more}

    async def erase(self, user_id: int) -> None:
        """Forget the user entirely. Their next message starts from a blank first contact."""
        moved = 0
        async with self.database.transaction() as uow:
            now = self.clock.now()
            waiting = [
                held
                for held in await uow.events.of_user(user_id, ending_after=now)
                if held.registration.status == RegistrationStatus.WAITLISTED
            ]
            # Their event registrations go too, and the seats they held are given back.
            await uow.events.release_user(user_id, now=now)
            for held in waiting:  # those behind them in line move up
                moved += await tell_line_moved(uow, held.event, held.registration, now)
            await uow.attendance.forget_user(user_id)  # their ratings of events
            # Their questions waiting for the admins: not delivered, their name and words not kept.
            await forget_asker(uow, user_id)
            await uow.personal_data.forget(user_id)  # their searches, and the rest that is theirs alone
            # Nothing more goes out to them: reminders, notices, decisions still waiting.
            await uow.outbox.drop_for_recipient(
                user_id, "the user deleted their data", owner="", forget_params=True
            )
            await _forget_role_request(uow, user_id, "the user deleted their data")
            await uow.ngo_profiles.delete(user_id)
            await uow.users.delete(user_id)
            await _forget_conversations(uow, user_id)
        if moved:
            self.wake_sender()

    async def set_blocked(self, user_id: int, *, blocked: bool) -> None:
        """Remember that the user blocked the bot (nothing is sent to them then), or no longer does."""
        # A user we never met (or who erased their data) has no row to mark: nothing to do.
        async with self.database.transaction() as uow:
            await uow.users.update(
                user_id, now=self.clock.now(), blocked_at=self.clock.now() if blocked else None
            )

    async def _update(self, user_id: int, *, consented: bool = False, **values: Any) -> UserProfile:
        """One statement in its own unit of work; with `consented`, only for a user who gave consent."""
        async with self.database.transaction() as uow:
            user = await uow.users.update(user_id, now=self.clock.now(), consented=consented, **values)
        return _found(user, user_id, consented=consented)


def _request_ready(user: UserProfile) -> bool:
    """A role request with its organisation, its BIN answered and the region known, not yet sent."""
    return (
        user.requested_role is not None
        and user.role_requested_at is None
        and user.role is not None
        and user.organization is not None
        and user.region is not None
    )


def _organization_name(raw: str) -> str:
    try:
        return organization_name(raw)
    except InvalidOrganizationError as error:
        raise InvalidInputError(Problem(error.problem.value)) from None


def _bin(raw: str | None) -> str | None:
    try:
        return organization_bin(raw)
    except InvalidOrganizationError as error:
        raise InvalidInputError(Problem(error.problem.value)) from None


def _news(user: UserProfile, telegram_language: str | None, username: str | None) -> bool:
    """Whether an update tells us something to store about its user."""
    consented = user.consent_at is not None
    return (
        consented and (telegram_language != user.telegram_language or username != user.username)
    ) or user.blocked_at is not None


def _found(user: UserProfile | None, user_id: int, *, consented: bool) -> UserProfile:
    if user is not None:
        return user
    if consented:
        raise InvalidInputError(Problem.CONSENT_MISSING)
    raise LookupError(f"no user {user_id}")


async def _forget_role_request(uow: UnitOfWork, user_id: int, reason: str) -> None:
    """Their role request not yet delivered to the admins: not delivered, their name, organisation and
    BIN not kept in it."""
    await uow.outbox.drop_pending_with_key_prefix(
        f"{ROLE_REQUEST}:{user_id}:", reason, release_keys=True, forget_params=True
    )


async def _forget_conversations(uow: UnitOfWork, user_id: int) -> None:
    await uow.fsm.delete_user(user_id)
