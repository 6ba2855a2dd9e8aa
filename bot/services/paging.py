"""Page numbers from button data, for every service that shows a list a page at a time.

Button data is the user's to forge: `gs:l:99999999999999999999:` must not reach the database as an
offset no 64-bit integer holds (SQLite: OverflowError). Every service clamps the page it is given.
"""

from __future__ import annotations

# The furthest page a list goes to: no list is this long, and page × page size stays far inside a
# 64-bit integer for any page size.
PAGE_MAX = 10_000


def clamp_page(page: int) -> int:
    """A page number from button data, within 0…PAGE_MAX."""
    return min(max(page, 0), PAGE_MAX)
