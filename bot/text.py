"""Telegram's text limit: long HTML texts are cut into messages that each parse on their own."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

TEXT_LIMIT = 4096
# A photo's or a document's caption.
CAPTION_LIMIT = 1024
# Tags, entities, line breaks, runs of spaces, runs of other text (bounded so that one long word
# can still be cut), and a stray '<' or '&'.
_ATOM = re.compile(r"<[^<>]*>|&#?\w+;|\n|[ \t]+|[^<&\n \t]{1,200}|[<&]")
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>")


def escape(value: str) -> str:
    """User text made safe inside HTML messages (<, > and & only: quotes are fine in text)."""
    return html.escape(value, quote=False)


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji may count two)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True, slots=True)
class _Cut:
    """A place the text may be cut: before atom `index`, with `tags` open, `size` units before it."""

    index: int
    tags: tuple[tuple[str, str], ...]  # (name, the opening tag as written)
    size: int


def _closing(tags: tuple[tuple[str, str], ...]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(tags))


def _after(tags: tuple[tuple[str, str], ...], atom: str) -> tuple[tuple[str, str], ...]:
    """The open tags once `atom` is read."""
    tag = _TAG.fullmatch(atom)
    if tag is None or tag[2].lower() == "br":
        return tags
    name = tag[2].lower()
    if not tag[1]:
        return (*tags, (name, atom))
    return tags[:-1] if tags and tags[-1][0] == name else tags


def split_html(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut `text` into parts of at most `limit` units, preferring line breaks, then spaces.

    The raw HTML is measured, which is never shorter than what Telegram counts. Tags open at a
    cut are closed at the end of one part and opened again at the start of the next. Invariant: the
    part being built, with the closing tags it would need, fits in `limit`.
    """
    if utf16_length(text) <= limit:
        return [text]
    parts: list[str] = []
    current: list[str] = []  # atoms of the part being built
    reopened = 0  # how many of them are tags opened again from the previous part
    size = 0
    tags: tuple[tuple[str, str], ...] = ()
    line_cut: _Cut | None = None
    space_cut: _Cut | None = None

    def flush() -> None:
        nonlocal current, reopened, size, line_cut, space_cut
        cut = line_cut or space_cut
        if cut is None or cut.size + utf16_length(_closing(cut.tags)) > limit:
            cut = _Cut(len(current), tags, size)  # no usable break: cut right here
        part = "".join(current[: cut.index]).strip("\n") + _closing(cut.tags)
        if _TAG.sub("", part).strip():
            parts.append(part)
        tail = current[cut.index :]
        while tail and tail[0].isspace():
            tail.pop(0)
        current = [opening for _, opening in cut.tags] + tail
        reopened = len(cut.tags)
        size = sum(utf16_length(atom) for atom in current)
        line_cut = space_cut = None

    for atom in _ATOM.findall(text):
        atom_size = utf16_length(atom)
        tags_after = _after(tags, atom)
        # Only a part with some text of its own is cut; an oversized tag goes out as it is.
        while len(current) > reopened and size + atom_size + utf16_length(_closing(tags_after)) > limit:
            flush()
        current.append(atom)
        size += atom_size
        tags = tags_after
        if atom == "\n":
            line_cut = _Cut(len(current), tags, size)
        elif atom.isspace():
            space_cut = _Cut(len(current), tags, size)
    part = "".join(current).strip("\n")
    if _TAG.sub("", part).strip():
        parts.append(part)
    return parts
