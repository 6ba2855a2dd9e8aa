"""The message offering freed seats to a volunteer in line: an outbox row planned with the offer.

Due at once, it expires with the offer, so an offer nobody could still take is never sent (after the
bot was down, say). Its buttons carry the offer's id only; the service checks every press.
"""

from __future__ import annotations

from datetime import datetime

from storage.repositories.events import EventRecord, OfferRecord
from storage.repositories.outbox import Message
from storage.unit_of_work import UnitOfWork

WAITLIST_OFFER = "waitlist_offer"


def _key(offer_id: int) -> str:
    # Ends with ":" so that dropping offer 1's message leaves offer 12's alone.
    return f"{WAITLIST_OFFER}:{offer_id}:"


async def plan_offer_message(
    uow: UnitOfWork, event: EventRecord, offer: OfferRecord, *, now: datetime
) -> bool:
    """Plan the offer's message; False if it was planned already."""
    message = Message(
        kind=WAITLIST_OFFER,
        recipient=offer.user_id,
        due_at=now,
        expires_at=offer.expires_at,
        params={
            "offer_id": offer.id,
            "event_id": event.id,
            "seats": offer.seats,
            "title_kk": event.title_kk,
            "title_ru": event.title_ru,
            "starts_at": event.starts_at.isoformat(),
            "expires_at": offer.expires_at.isoformat(),
        },
        dedupe_key=_key(offer.id),
    )
    return await uow.outbox.add(message, now=now) is not None


async def drop_offer_message(uow: UnitOfWork, offer_id: int, reason: str) -> int:
    """Drop the offer's message if it has not gone out yet."""
    return await uow.outbox.drop_pending_with_key_prefix(_key(offer_id), reason)
