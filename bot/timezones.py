"""Time zone data: all of Kazakhstan is UTC+5 since 2024-03-01; older data says +6 for Almaty."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

KAZAKHSTAN_OFFSET = timedelta(hours=5)
# A day after the change, so that every tzdata release since 2024a knows it.
PROBE_MOMENT = datetime(2024, 6, 1, 12, 0)


class StaleTimeZoneDataError(RuntimeError):
    """The time zone data in use predates Kazakhstan's move to a single UTC+5 zone."""


def use_packaged_tzdata() -> None:
    """Read zones from the pinned `tzdata` package, not the system's copy, which may be older."""
    zoneinfo.reset_tzpath(to=())
    ZoneInfo.clear_cache()


def check_almaty_offset() -> None:
    """Refuse to run with time zone data that puts Asia/Almaty anywhere but UTC+5."""
    offset = PROBE_MOMENT.replace(tzinfo=ZoneInfo("Asia/Almaty")).utcoffset()
    if offset != KAZAKHSTAN_OFFSET:
        raise StaleTimeZoneDataError(
            f"time zone data puts Asia/Almaty at UTC{_hours(offset)}, but Kazakhstan is UTC+5 since "
            "2024-03-01: upgrade the tzdata package (pip install -U tzdata)"
        )


def _hours(offset: timedelta | None) -> str:
    if offset is None:
        return "?"
    hours = offset.total_seconds() / 3600
    return f"{hours:+g}"
