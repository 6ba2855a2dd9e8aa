"""Telegram's text limit: long HTML texts are cut into messages that each parse on their own."""

from __future__ import annotations

import html
import re

TEXT_LIMIT = 4096
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


def split_html(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Cut `text` into parts of at most `limit` units, preferring line breaks, then spaces.

    The raw HTML is measured, which is never shorter than what Telegram counts. Tags open at a
    cut are closed at the end of one part and opened again at the start of the next.
    """
    if utf16_length(text) <= limit:
        return [text]
    parts: list[str] = []
    open_tags: list[tuple[str, str]] = []  # (name, the opening tag as written)
    current: list[str] = []
    size = 0
    # Where the best cut so far is: (index into current, open tags there, size there).
    line_cut: tuple[int, list[tuple[str, str]], int] | None = None
    space_cut: tuple[int, list[tuple[str, str]], int] | None = None

    def closing(tags: list[tuple[str, str]]) -> str:
        return "".join(f"</{name}>" for name, _ in reversed(tags))

    def flush(cut: tuple[int, list[tuple[str, str]], int] | None) -> None:
        nonlocal current, size, line_cut, space_cut
        index, tags, _ = cut if cut else (len(current), list(open_tags), size)
        head, tail = current[:index], current[index:]
        chunk = "".join(head).strip("\n") + closing(tags)
        if chunk.strip():
            parts.append(chunk)
        reopened = [tag for _, tag in tags]
        current = reopened + tail
        while current and current[len(reopened) :][:1] in (["\n"], [" "]):
            del current[len(reopened)]
        size = sum(utf16_length(atom) for atom in current)
        line_cut = space_cut = None

    for atom in _ATOM.findall(text):
        atom_size = utf16_length(atom)
        reserve = utf16_length(closing(open_tags)) + 16 * len(open_tags)
        while size + atom_size + reserve > limit and current:
            flush(line_cut or space_cut)
            reserve = utf16_length(closing(open_tags))
        current.append(atom)
        size += atom_size
        tag = _TAG.fullmatch(atom)
        if tag and tag[2].lower() not in ("br",):
            if tag[1]:
                if open_tags and open_tags[-1][0] == tag[2].lower():
                    open_tags.pop()
            else:
                open_tags.append((tag[2].lower(), atom))
        elif atom == "\n":
            line_cut = (len(current), list(open_tags), size)
        elif atom.isspace():
            space_cut = (len(current), list(open_tags), size)
    if current:
        chunk = "".join(current).strip("\n")
        if chunk.strip():
            parts.append(chunk)
    return parts
