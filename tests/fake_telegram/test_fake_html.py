"""The Telegram HTML parser on its own: entities, UTF-16 offsets, and Telegram's error details."""

from __future__ import annotations

import pytest

from fake_telegram.html import HtmlParseError, parse_html, strip_text, utf16_len


def test_plain_text_passes_through() -> None:
    assert parse_html("Сәлем, әлем!") == ("Сәлем, әлем!", [])


def test_basic_tags_and_aliases() -> None:
    text, entities = parse_html(
        "<b>a</b><strong>b</strong><i>c</i><em>d</em><u>e</u><ins>f</ins><s>g</s><del>h</del>"
    )
    assert text == "abcdefgh"
    assert [e["type"] for e in entities] == [
        "bold",
        "bold",
        "italic",
        "italic",
        "underline",
        "underline",
        "strikethrough",
        "strikethrough",
    ]
    assert [e["offset"] for e in entities] == list(range(8))


def test_offsets_are_utf16_units() -> None:
    # The emoji is two UTF-16 code units; Kazakh letters are one each (but two UTF-8 bytes).
    text, entities = parse_html("🌳 <b>Белсенді</b>")
    assert text == "🌳 Белсенді"
    assert entities == [{"type": "bold", "offset": 3, "length": 8}]
    assert utf16_len(text) == 11


def test_nested_entities_sorted_outer_first() -> None:
    text, entities = parse_html("<b>bold <i>both</i></b>")
    assert text == "bold both"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 9},
        {"type": "italic", "offset": 5, "length": 4},
    ]


def test_html_entities_decoded_and_unknown_left_alone() -> None:
    text, _ = parse_html("a &lt;b&gt; &amp; &quot;q&quot; &#1240; &#x4D8; &nbsp; AT&T & more")
    assert text == 'a <b> & "q" Ә Ә &nbsp; AT&T & more'


def test_links_code_pre_spoiler_quote_emoji() -> None:
    text, entities = parse_html(
        '<a href="https://example.kz/?a=1&amp;b=2">link</a> <code>x</code> '
        '<pre><code class="language-python">print()</code></pre> <tg-spoiler>s</tg-spoiler> '
        '<span class="tg-spoiler">t</span> <blockquote expandable>q</blockquote> '
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> <a href="tg://user?id=42">m</a>'
    )
    assert text == "link x print() s t q 👍 m"
    by_type = {e["type"]: e for e in entities}
    assert by_type["text_link"]["url"] == "https://example.kz/?a=1&b=2"
    assert by_type["code"] == {"type": "code", "offset": 5, "length": 1}
    assert by_type["pre"]["language"] == "python"
    assert "spoiler" in by_type
    assert by_type["expandable_blockquote"]["length"] == 1
    assert by_type["custom_emoji"]["custom_emoji_id"] == "5368324170671202286"
    assert by_type["text_mention"]["user"]["id"] == 42


def test_empty_entities_are_dropped() -> None:
    assert parse_html("<b></b>x") == ("x", [])


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("Price < 100", 'Unsupported start tag "" at byte offset 6'),
        ("Hello, <foo>x</foo>", 'Unsupported start tag "foo" at byte offset 7'),
        ("Сәлем <br>", 'Unsupported start tag "br" at byte offset 11'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            "<a href>x</a>",
            'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
        ),
        ('<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"),
    ],
)
def test_errors_match_telegram(source: str, detail: str) -> None:
    with pytest.raises(HtmlParseError) as info:
        parse_html(source)
    assert str(info.value) == detail


def test_close_tag_without_name_closes_innermost() -> None:
    assert parse_html("<b>x</>") == ("x", [{"type": "bold", "offset": 0, "length": 1}])


def test_strip_text_clips_entities() -> None:
    text, entities = strip_text("  <x>  ", [{"type": "bold", "offset": 0, "length": 5}])
    assert text == "<x>"
    assert entities == [{"type": "bold", "offset": 0, "length": 3}]
