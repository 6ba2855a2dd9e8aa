"""`/start` deep-link payloads: t.me/<bot>?start=ev_42 names the thing a link should open."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class LinkTarget(StrEnum):
    EVENT = "ev"
    GRANT = "gr"


# Telegram allows A-Z a-z 0-9 _ - and 64 characters in a start parameter; ours is stricter.
PAYLOAD = re.compile(r"^(?P<target>[a-z]{2})_(?P<ref>[A-Za-z0-9-]{1,32})$")


@dataclass(frozen=True, slots=True)
class DeepLink:
    target: LinkTarget
    ref: str

    @property
    def payload(self) -> str:
        return f"{self.target}_{self.ref}"


def parse_start_payload(payload: str | None) -> DeepLink | None:
    """The link a payload names, or None when it is empty, malformed or of an unknown kind."""
    match = PAYLOAD.match(payload or "")
    if not match:
        return None
    try:
        target = LinkTarget(match["target"])
    except ValueError:
        return None
    return DeepLink(target, match["ref"])
