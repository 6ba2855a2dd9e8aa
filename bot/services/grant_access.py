"""Who may use the grant features, asked by every grant service in its own unit of work: button data
and typed text are the user's to forge, and a router's filter is no guard for a use case called
directly (or for a user who erased their data or had their role revoked since the filter ran).
"""

from __future__ import annotations

from storage.repositories.users import UserProfile
from storage.unit_of_work import UnitOfWork


async def set_up_user(uow: UnitOfWork, user_id: int, *, lock: bool = False) -> UserProfile | None:
    """The user if they are set up (gave consent and have a role), else None. With `lock`, their row is
    locked until the transaction ends (PostgreSQL), so that two quick taps changing the same settings
    of theirs are made one after the other and neither is lost."""
    user = await uow.users.get(user_id, lock=lock)
    if user is None or user.consent_at is None or user.role is None:
        return None
    return user
