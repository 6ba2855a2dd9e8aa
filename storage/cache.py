"""A process-local cache of users, kept right by the repository's writes and the transactions' ends.

Every update reads its user; on SQLite that read was the largest single cost (28 % of the CPU in the
benchmark). The cache is only for a database that one process owns through one connection (SQLite
here): every transaction runs alone, so the order of reads and writes in the database is the order
the cache sees them. PostgreSQL, shared by several processes, runs without it.

Rules: a write forgets the user at once and publishes the new profile only when its transaction
commits (a rollback leaves the user forgotten); a read fills the cache unless its own transaction
has written that user.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from storage.repositories.users import UserProfile

CACHE_KEY = "user_cache"
CHANGES_KEY = "user_changes"


class UserCache:
    """The most recently used profiles, by Telegram user id."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._profiles: OrderedDict[int, UserProfile] = OrderedDict()

    def get(self, user_id: int) -> UserProfile | None:
        profile = self._profiles.get(user_id)
        if profile is not None:
            self._profiles.move_to_end(user_id)
        return profile

    def put(self, profile: UserProfile) -> None:
        self._profiles[profile.id] = profile
        self._profiles.move_to_end(profile.id)
        while len(self._profiles) > self.size:
            self._profiles.popitem(last=False)

    def forget(self, user_id: int) -> None:
        self._profiles.pop(user_id, None)

    def __len__(self) -> int:
        return len(self._profiles)


class CachingSession(Session):
    """A session that publishes its user changes to the cache when, and only when, it commits."""


def user_cache(session: Session) -> UserCache | None:
    cache: UserCache | None = session.info.get(CACHE_KEY)
    return cache


def pending_changes(session: Session) -> dict[int, UserProfile | None]:
    """User changes written in the open transaction: a profile, or None for a deleted user."""
    changes: dict[int, UserProfile | None] = session.info.setdefault(CHANGES_KEY, {})
    return changes


@event.listens_for(CachingSession, "after_commit")
def _publish(session: Session) -> None:
    cache = user_cache(session)
    changes = session.info.pop(CHANGES_KEY, {})
    if cache is None:
        return
    for user_id, profile in changes.items():
        if profile is None:
            cache.forget(user_id)
        else:
            cache.put(profile)


@event.listens_for(CachingSession, "after_rollback")
def _discard(session: Session, *_args: Any) -> None:
    # The writes forgot their users already: the next read goes to the database.
    session.info.pop(CHANGES_KEY, None)
