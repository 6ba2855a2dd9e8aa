"""Approvals: a request to be an organizer or an NGO representative reaches every admin through the
outbox; an admin's decision changes the role and tells the requester, in the same transaction.

Admins are those in ADMIN_IDS and those promoted in the bot (bot/services/admins.py). Every decision
re-checks, in its transaction, that the one deciding is an admin and that the request is still open:
the button that carries it is user-controlled data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.clock import Clock
from bot.domain.roles import ROLES_NEEDING_APPROVAL, Role
from bot.services.admins import is_admin
from storage.database import Database
from storage.repositories.outbox import Message
from storage.repositories.users import UserProfile

ROLE_REQUEST = "role_request"
ROLE_DECISION = "role_decision"
REASON_MAX = 500


class Outcome(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    NOT_ALLOWED = "not_allowed"  # the one deciding is not an admin
    NOT_OPEN = "not_open"  # decided already (by another admin), withdrawn, or the user is gone


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    user_id: int
    role: str
    name: str | None = None
    organization: str | None = None  # the organisation the request was for


def role_request_message(user: UserProfile, role: Role, admin: int, now: datetime) -> Message:
    """The outbox row that asks one admin to decide (what the admin needs to know, not a text)."""
    return Message(
        kind=ROLE_REQUEST,
        recipient=admin,
        due_at=now,
        params={
            "user_id": user.id,
            "role": role.value,
            "name": user.name,
            "username": user.username,
            "region": user.region,
            "organization": user.organization,
            "bin": user.organization_bin,
        },
        # At most one a day per user, role and admin, however often the request is repeated.
        dedupe_key=f"{ROLE_REQUEST}:{user.id}:{role.value}:{admin}:{now.date().isoformat()}",
    )


class ApprovalService:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        *,
        admins: frozenset[int],
        wake_sender: Callable[[], None] = lambda: None,
    ) -> None:
        self.database = database
        self.clock = clock
        self.admins = admins
        self.wake_sender = wake_sender

    async def is_admin(self, user_id: int) -> bool:
        async with self.database.reading() as uow:
            return await is_admin(uow, self.admins, user_id)

    async def decide(
        self, admin_id: int, user_id: int, role: str, *, approve: bool, reason: str | None = None
    ) -> Decision:
        """Approve or reject an open request; the requester is told in their language."""
        if role not in {r.value for r in ROLES_NEEDING_APPROVAL}:
            return Decision(Outcome.NOT_OPEN, user_id, role)
        reason = " ".join((reason or "").split())[:REASON_MAX] or None
        now = self.clock.now()
        async with self.database.transaction() as uow:
            if not await is_admin(uow, self.admins, admin_id):
                return Decision(Outcome.NOT_ALLOWED, user_id, role)
            user = await uow.users.decide_role_request(user_id, role, approve=approve, now=now)
            if user is None:
                return Decision(Outcome.NOT_OPEN, user_id, role)
            await uow.outbox.add(
                Message(
                    kind=ROLE_DECISION,
                    recipient=user_id,
                    due_at=now,
                    params={"role": role, "approved": approve, "reason": reason},
                ),
                now=now,
            )
        self.wake_sender()
        outcome = Outcome.APPROVED if approve else Outcome.REJECTED
        return Decision(outcome, user_id, role, user.name, user.organization)
