"""Telegram's HTML parse mode, reimplemented after TDLib's ``parse_html``.

The parser walks the UTF-8 bytes the way TDLib does, so error details carry the same byte offsets
Telegram reports (``Unsupported start tag "foo" at byte offset 12``). The result is the plain text and
the entities with offsets and lengths in UTF-16 code units, which is how the Bot API counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["HtmlParseError", "parse_html", "sort_entities", "strip_text", "utf16_len"]

_SUPPORTED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
}
# TDLib's is_space counts NUL as a space; we mark the end of input with NUL the same way.
_SPACES = frozenset(b" \t\r\n\0\v\f")
_MAX_NESTED = 1000


class HtmlParseError(ValueError):
    """Raised with Telegram's detail text (what follows "can't parse entities: ")."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Telegram's limits and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _is_alpha(c: int) -> bool:
    return 65 <= c <= 90 or 97 <= c <= 122


def _is_digit(c: int) -> bool:
    return 48 <= c <= 57


def _is_hex(c: int) -> bool:
    return _is_digit(c) or 65 <= c <= 70 or 97 <= c <= 102


def _decode_entity(data: bytes, pos: int) -> tuple[int, int]:
    """Decode an HTML entity at ``pos`` (which holds '&'): return (code point, next pos) or (0, pos)."""
    end = pos + 1
    res = 0
    if data[pos + 1] == ord("#"):
        end += 1
        if data[pos + 2] == ord("x"):
            end += 1
            while _is_hex(data[end]):
                res = res * 16 + int(chr(data[end]), 16)
                end += 1
                if res >= 0x10FFFF:
                    return 0, pos
        else:
            while _is_digit(data[end]):
                res = res * 10 + data[end] - 48
                end += 1
                if res >= 0x10FFFF:
                    return 0, pos
        if res == 0 or res >= 0x10FFFF or end - pos >= 10 or 0xD800 <= res <= 0xDFFF:
            return 0, pos
    else:
        while _is_alpha(data[end]):
            end += 1
        name = data[pos + 1 : end]
        named = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}
        if name not in named:
            return 0, pos
        res = named[name]
    if data[end] == ord(";"):
        end += 1
    return res, end


@dataclass
class _Open:
    tag: str
    argument: str
    utf16_offset: int
    text_pos: int
    expandable: bool = False


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities); raise :class:`HtmlParseError` when Telegram would.

    Entities are Bot API dicts (``{"type": "bold", "offset": 0, "length": 4}``), sorted the way Telegram
    returns them. Leading/trailing whitespace is not stripped here (see :func:`strip_text`).
    """
    data = source.encode("utf-8") + b"\0"
    size = len(data) - 1
    text = bytearray()
    utf16 = 0
    nested: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < size:
        c = data[i]
        if c == 0x26:  # '&'
            ch, nxt = _decode_entity(data, i)
            if ch:
                utf16 += 2 if ch > 0xFFFF else 1
                text += chr(ch).encode("utf-8")
                i = nxt
                continue
        if c != 0x3C:  # not '<'
            text.append(c)
            if c & 0xC0 != 0x80:
                utf16 += 2 if c >= 0xF0 else 1
            i += 1
            continue

        begin = i
        i += 1
        if data[i] != ord("/"):
            while data[i] not in _SPACES and data[i] != ord(">"):
                i += 1
            if data[i] == 0:
                raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
            tag = data[begin + 1 : i].decode("utf-8", "replace").lower()
            if tag not in _SUPPORTED_TAGS:
                raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            expandable = False
            while data[i] != ord(">"):
                while data[i] != 0 and data[i] in _SPACES:
                    i += 1
                if data[i] == ord(">"):
                    break
                if data[i] == 0:
                    raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                attr_begin = i
                while data[i] not in _SPACES and data[i] != ord("=") and data[i] != ord(">"):
                    i += 1
                attr = data[attr_begin:i].decode("utf-8", "replace")
                if not attr:
                    raise HtmlParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
                while data[i] != 0 and data[i] in _SPACES:
                    i += 1
                if data[i] != ord("="):
                    if tag == "blockquote" and attr == "expandable":
                        expandable = True
                        continue
                    raise HtmlParseError(
                        f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                        f"at byte offset {begin}"
                    )
                i += 1
                while data[i] != 0 and data[i] in _SPACES:
                    i += 1
                if data[i] == 0:
                    raise HtmlParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                value = bytearray()
                if data[i] not in (ord("'"), ord('"')):
                    # An unquoted name token: letters, digits, periods and hyphens, case-insensitive.
                    token_begin = i
                    while _is_alpha(data[i]) or _is_digit(data[i]) or data[i] in (ord("."), ord("-")):
                        i += 1
                    value += data[token_begin:i].lower()
                    if data[i] not in _SPACES and data[i] != ord(">"):
                        raise HtmlParseError(f"Unexpected end of name token at byte offset {token_begin}")
                else:
                    quote = data[i]
                    i += 1
                    while data[i] != quote and data[i] != 0:
                        if data[i] == 0x26:
                            ch, nxt = _decode_entity(data, i)
                            if ch:
                                value += chr(ch).encode("utf-8")
                                i = nxt
                                continue
                        value.append(data[i])
                        i += 1
                    if data[i] == quote:
                        i += 1
                if data[i] == 0:
                    raise HtmlParseError(f"Unclosed start tag at byte offset {begin}")
                val = value.decode("utf-8", "replace")
                if tag == "a" and attr == "href":
                    argument = val
                elif tag == "code" and attr == "class" and val.startswith("language-"):
                    argument = val[len("language-") :]
                elif tag == "span" and attr == "class" and val.startswith("tg-"):
                    argument = val[len("tg-") :]
                elif tag == "tg-emoji" and attr == "emoji-id":
                    argument = val
                elif tag == "blockquote" and attr == "expandable":
                    expandable = True
            if tag == "span" and argument != "spoiler":
                raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            nested.append(_Open(tag, argument, utf16, len(text), expandable))
            if len(nested) > _MAX_NESTED:
                raise HtmlParseError("Too many nested entities")
            i += 1  # skip '>'
            continue

        # An end tag.
        if not nested:
            raise HtmlParseError(f"Unexpected end tag at byte offset {begin}")
        while data[i] not in _SPACES and data[i] != ord(">"):
            i += 1
        end_tag = data[begin + 2 : i].decode("utf-8", "replace")
        while data[i] != 0 and data[i] in _SPACES:
            i += 1
        if data[i] != ord(">"):
            raise HtmlParseError(f"Unclosed end tag at byte offset {begin}")
        top = nested[-1]
        if end_tag and end_tag != top.tag:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{top.tag}>", found "</{end_tag}>"'
            )
        if utf16 > top.utf16_offset:
            _close_entity(top, utf16, bytes(text), entities)
        nested.pop()
        i += 1  # skip '>'

    if nested:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{nested[-1].tag}"')
    return text.decode("utf-8", "replace"), sort_entities(entities)


def _close_entity(top: _Open, utf16: int, text: bytes, entities: list[dict[str, Any]]) -> None:
    offset = top.utf16_offset
    length = utf16 - offset
    tag = top.tag
    simple = _SIMPLE_TYPES.get(tag)
    if simple is not None or (tag == "span" and top.argument == "spoiler"):
        entities.append({"type": simple or "spoiler", "offset": offset, "length": length})
    elif tag == "tg-emoji":
        if not top.argument.isdigit() or int(top.argument) == 0:
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entities.append(
            {"type": "custom_emoji", "offset": offset, "length": length, "custom_emoji_id": top.argument}
        )
    elif tag == "a":
        url = top.argument or text[top.text_pos :].decode("utf-8", "replace")
        if url.startswith("tg://user?id=") and url[len("tg://user?id=") :].isdigit():
            user_id = int(url[len("tg://user?id=") :])
            entities.append(
                {
                    "type": "text_mention",
                    "offset": offset,
                    "length": length,
                    "user": {"id": user_id, "is_bot": False, "first_name": ""},
                }
            )
        elif url.strip() and " " not in url.strip():
            # Telegram silently drops links it cannot check; we accept anything URL-shaped.
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": url.strip()})
    elif tag == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == offset
            and last["length"] == length
            and last.get("language")
        ):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag == "code":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "pre"
            and last["offset"] == offset
            and last["length"] == length
            and top.argument
        ):
            last["language"] = top.argument
        else:
            entity: dict[str, Any] = {"type": "code", "offset": offset, "length": length}
            if top.argument:
                # Kept so that an enclosing <pre> can turn it into a pre with a language.
                entity["language"] = top.argument
            entities.append(entity)
    elif tag == "blockquote":
        kind = "expandable_blockquote" if top.expandable else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})


_TYPE_ORDER = {
    t: n
    for n, t in enumerate(
        [
            "blockquote",
            "expandable_blockquote",
            "pre",
            "code",
            "text_link",
            "text_mention",
            "custom_emoji",
            "bold",
            "italic",
            "underline",
            "strikethrough",
            "spoiler",
        ]
    )
}


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Order entities as Telegram does: by offset, longer first, then by a fixed type priority.

    A ``language`` left on a plain ``code`` entity (no enclosing ``pre``) is dropped, as Telegram does.
    """
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return sorted(entities, key=lambda e: (e["offset"], -e["length"], _TYPE_ORDER.get(e["type"], 99)))


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace like Telegram does and clip entities to what is left."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    out: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            out.append({**entity, "offset": start, "length": end - start})
    return stripped, out
