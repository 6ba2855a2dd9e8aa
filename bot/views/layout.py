"""How many buttons fit side by side on a phone without Telegram cutting their labels."""

from __future__ import annotations

from collections.abc import Sequence

# Characters of a label that a phone shows whole when buttons share a row: about 20 with two buttons
# (a 360 dp screen), fewer with three. Telegram cuts a longer label with "…".
ROW_CHARACTERS = 40


def columns_that_fit(labels: Sequence[str], max_columns: int) -> int:
    """The most columns, up to `max_columns`, in which every one of `labels` is shown whole."""
    longest = max((len(label) for label in labels), default=0)
    for columns in range(max_columns, 1, -1):
        if longest <= ROW_CHARACTERS // columns:
            return columns
    return 1


def row_widths(group_sizes: Sequence[int], columns: Sequence[int]) -> list[int]:
    """Row widths for groups of buttons laid out one after another, each group starting a new row."""
    widths: list[int] = []
    for size, width in zip(group_sizes, columns, strict=True):
        full, rest = divmod(size, width)
        widths += [width] * full + ([rest] if rest else [])
    return widths
