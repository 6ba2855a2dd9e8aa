"""Who is an admin, and the admins' powers over other users: promote, demote, revoke a role.

An admin is a Telegram id in ADMIN_IDS (set by the deployment, not removable in the bot) or a user an
ADMIN_IDS admin promoted in the bot (the `admins` table). Every service asks `is_admin` (or
`admin_ids`) inside the use case's own transaction or reading unit, so a promotion or demotion counts
from the next action on, in every process, with no cache to go stale.

Only ADMIN_IDS admins promote and demote: a promoted admin cannot make more admins, so whoever runs the
deployment can always undo what happened in the bot. Any admin revokes a user's NGO or organizer role;
the user is told through the outbox in their language and loses its powers at once (the services
re-check the role on every action).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.clock import Clock
from bot.domain.roles import ROLES_NEEDING_APPROVAL, Role
from storage.database import Database
from storage.repositories.outbox import Message
from storage.repositories.users import UserProfile
from storage.unit_of_work import UnitOfWork

ROLE_REVOKED = "role_revoked"
ADMIN_CHANGED = "admin_changed"
REASON_MAX = 500


async def is_admin(uow: UnitOfWork, deployment: Collection[int], user_id: int) -> bool:
    """The one way to ask whether a user is an admin, in the caller's unit of work."""
    return user_id in deployment or await uow.admins.contains(user_id)


async def admin_ids(uow: UnitOfWork, deployment: Collection[int]) -> frozenset[int]:
    """Every admin: those ADMIN_IDS sets and those promoted in the bot."""
    return frozenset(deployment) | await uow.admins.ids()


class Outcome(StrEnum):
    DONE = "done"
    NOT_ALLOWED = "not_allowed"  # not an admin (or, to promote and demote, not an ADMIN_IDS admin)
    NO_SUCH_USER = "no_such_user"  # no such id or @username among the bot's users
    ALREADY = "already"  # promoting an admin, demoting a non-admin, or revoking a role they do not hold
    DEPLOYMENT = "deployment"  # an ADMIN_IDS admin: set by the deployment, not changed in the bot
    SELF = "self"  # revoking one's own role


@dataclass(frozen=True, slots=True)
class Change:
    outcome: Outcome
    user_id: int = 0
    name: str | None = None
    role: str | None = None


@dataclass(frozen=True, slots=True)
class AdminEntry:
    user_id: int
    name: str | None
    username: str | None
    deployment: bool  # set by ADMIN_IDS: not removable in the bot


@dataclass(frozen=True, slots=True)
class Roster:
    admins: list[AdminEntry]
    may_change: bool  # the viewer is an ADMIN_IDS admin: may promote and demote


def parse_target(text: str) -> int | str | None:
    """A Telegram id or an @username (the @ optional) as an admin types it; None if it is neither."""
    text = text.strip()
    if text.lstrip("-").isdigit():
        return int(text) if len(text) <= 19 else None
    name = text.removeprefix("@")
    if 1 <= len(name) <= 32 and all(c.isalnum() or c == "_" for c in name):
        return name
    return None


async def _find(uow: UnitOfWork, target: int | str) -> UserProfile | None:
    if isinstance(target, int):
        return await uow.users.get(target)
    return await uow.users.by_username(target)


class AdminService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        deployment: Collection[int],
        *,
        wake_sender: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.deployment = frozenset(deployment)
        self.wake_sender = wake_sender

    async def is_admin(self, user_id: int) -> bool:
        async with self.database.reading() as uow:
            return await is_admin(uow, self.deployment, user_id)

    async def roster(self, viewer: int) -> Roster | None:
        """Every admin, for an admin to see; None for anyone else."""
        async with self.database.reading() as uow:
            if not await is_admin(uow, self.deployment, viewer):
                return None
            ids = await admin_ids(uow, self.deployment)
            users = {user_id: await uow.users.get(user_id) for user_id in sorted(ids)}
        entries = [
            AdminEntry(
                user_id,
                user.name if user else None,
                user.username if user else None,
                user_id in self.deployment,
            )
            for user_id, user in users.items()
        ]
        return Roster(entries, viewer in self.deployment)

    async def promote(self, by: int, target_text: str) -> Change:
        """Make a user of the bot an admin (ADMIN_IDS admins only); they are told."""
        if by not in self.deployment:
            return Change(Outcome.NOT_ALLOWED)
        target = parse_target(target_text)
        if target is None:
            return Change(Outcome.NO_SUCH_USER)
        now = self.clock.now()
        async with self.database.transaction() as uow:
            user = await _find(uow, target)
            if user is None:
                return Change(Outcome.NO_SUCH_USER)
            if user.id in self.deployment:
                return Change(Outcome.DEPLOYMENT, user.id, user.name)
            if not await uow.admins.add(user.id, promoted_by=by, now=now):
                return Change(Outcome.ALREADY, user.id, user.name)
            await uow.outbox.add(_admin_changed(user.id, promoted=True, now=now), now=now)
        self.wake_sender()
        return Change(Outcome.DONE, user.id, user.name)

    async def demote(self, by: int, user_id: int) -> Change:
        """Take back an admin promoted in the bot (ADMIN_IDS admins only); they are told."""
        if by not in self.deployment:
            return Change(Outcome.NOT_ALLOWED, user_id)
        if user_id in self.deployment:
            return Change(Outcome.DEPLOYMENT, user_id)
        now = self.clock.now()
        async with self.database.transaction() as uow:
            user = await uow.users.get(user_id)
            name = user.name if user else None
            if not await uow.admins.remove(user_id):
                return Change(Outcome.ALREADY, user_id, name)
            await uow.outbox.add(_admin_changed(user_id, promoted=False, now=now), now=now)
        self.wake_sender()
        return Change(Outcome.DONE, user_id, name)

    async def role_holder(self, by: int, target_text: str) -> Change:
        """Whom /revoke would act on: DONE with their role if they hold one an admin grants."""
        target = parse_target(target_text)
        async with self.database.reading() as uow:
            if not await is_admin(uow, self.deployment, by):
                return Change(Outcome.NOT_ALLOWED)
            user = await _find(uow, target) if target is not None else None
        if user is None:
            return Change(Outcome.NO_SUCH_USER)
        if user.role not in ROLES_NEEDING_APPROVAL:
            return Change(Outcome.ALREADY, user.id, user.name, user.role)
        return Change(Outcome.DONE, user.id, user.name, user.role)

    async def revoke(self, by: int, user_id: int, role: str, reason: str | None = None) -> Change:
        """Take back a user's NGO or organizer role (any admin); they are told, with the reason."""
        if role not in {r.value for r in ROLES_NEEDING_APPROVAL}:
            return Change(Outcome.ALREADY, user_id)
        if by == user_id:
            return Change(Outcome.SELF, user_id)
        reason = " ".join((reason or "").split())[:REASON_MAX] or None
        now = self.clock.now()
        async with self.database.transaction() as uow:
            if not await is_admin(uow, self.deployment, by):
                return Change(Outcome.NOT_ALLOWED, user_id)
            user = await uow.users.revoke_role(user_id, role, default=Role.VOLUNTEER.value, now=now)
            if user is None:
                holder = await uow.users.get(user_id)
                return Change(Outcome.ALREADY, user_id, holder.name if holder else None, role)
            await uow.outbox.add(
                Message(
                    kind=ROLE_REVOKED,
                    recipient=user_id,
                    due_at=now,
                    params={"role": role, "reason": reason},
                ),
                now=now,
            )
        self.wake_sender()
        return Change(Outcome.DONE, user_id, user.name, role)


def _admin_changed(user_id: int, *, promoted: bool, now: datetime) -> Message:
    return Message(kind=ADMIN_CHANGED, recipient=user_id, due_at=now, params={"promoted": promoted})
