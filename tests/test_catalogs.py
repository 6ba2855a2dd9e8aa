"""Every user-facing text exists in both catalogs, translated, and the code uses no other."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.collation import KAZAKH_ALPHABET, RUSSIAN_ALPHABET, RUSSIAN_ORDER
from bot.i18n import DATE_PATTERNS, DATETIME_PATTERNS, DAY_TIME_PATTERNS, LOCALES_DIR, Catalogs

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("kk", "ru")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "__": None, "N_": None}


def catalog(locale: str) -> Catalog:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=locale)


def code_msgids() -> set[str]:
    found = set()
    for package in ("bot", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete_and_not_fuzzy(locale: str) -> None:
    untranslated, fuzzy = [], []
    for message in catalog(locale):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_has_every_text_the_code_uses(locale: str) -> None:
    in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(locale) if m.id}
    missing = code_msgids() - in_catalog
    assert missing == set(), "run `make translations` and translate the new entries"


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_survive_translation(locale: str) -> None:
    placeholder = re.compile(r"%\(\w+\)[sd]|<[^>]+>")
    for message in catalog(locale):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(placeholder.findall(ids[0]))
        for string in strings:
            assert sorted(placeholder.findall(string)) == expected, (locale, message.id)


def test_plural_forms(catalogs: Catalogs) -> None:
    one = "Too many messages. Please wait %(seconds)d second."
    many = "Too many messages. Please wait %(seconds)d seconds."
    ru = {n: catalogs["ru"].ngettext(one, many, n) % {"seconds": n} for n in (1, 2, 5, 11, 21, 22, 25)}
    assert ru[1].endswith("1 секунду.")
    assert ru[2].endswith("2 секунды.")
    assert ru[5].endswith("5 секунд.")
    assert ru[11].endswith("11 секунд.")
    assert ru[21].endswith("21 секунду.")
    assert ru[22].endswith("22 секунды.")
    assert ru[25].endswith("25 секунд.")
    assert catalog("kk").num_plurals == 2
    assert catalog("ru").num_plurals == 3
    assert catalogs["kk"].ngettext(one, many, 3) % {"seconds": 3} == "Хабарлама тым көп. 3 секунд күтіңіз."


# Calls whose text argument reaches the user.
TEXT_SINKS = {"answer", "send_message", "edit_text", "View", "button", "KeyboardButton", "reply"}
TRANSLATORS = {"_", "gettext", "ngettext", "N_", "__"}


def _user_literals(tree: ast.AST) -> list[tuple[int, str]]:
    """String literals given as the text of a message or button, not through a translator."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in TEXT_SINKS:
            continue
        candidates = [kw.value for kw in node.keywords if kw.arg in ("text", "caption")]
        if node.args:
            candidates.append(node.args[0])
        for value in candidates:
            if isinstance(value, ast.Constant | ast.JoinedStr) and not (
                isinstance(value, ast.Constant) and not str(value.value).strip()
            ):
                found.append((node.lineno, ast.unparse(value)))
    return found


def _cyrillic_literals(tree: ast.AST, translated: set[int]) -> list[tuple[int, str]]:
    """Kazakh or Russian typed into the code instead of the catalogs."""
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.search("[а-яёәғқңөұүһі]", node.value, re.IGNORECASE)
        and id(node) not in translated
    ]


def _docstrings(tree: ast.AST) -> set[int]:
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }


def _called_name(node: ast.Call) -> str:
    """`_` for both `_("…")` and `t._("…")`."""
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")


def test_no_user_facing_literal_outside_the_catalogs() -> None:
    # Language names are shown in their own language on purpose, to every user alike.
    allowed = {"Қазақша", "Русский"}
    # Locale data, not texts: the alphabets lists are sorted by, and each language's date patterns.
    allowed |= {KAZAKH_ALPHABET, RUSSIAN_ALPHABET, RUSSIAN_ORDER, *KAZAKH_ALPHABET}
    allowed |= {*DATE_PATTERNS.values(), *DATETIME_PATTERNS.values(), *DAY_TIME_PATTERNS.values()}
    problems = []
    for package in ("bot", "handlers"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.is_relative_to(ROOT / "bot" / "search"):
                continue  # the search's lexicons: words matched against what users type, never shown
            tree = ast.parse(path.read_text(encoding="utf-8"))
            translated = {
                id(arg)
                for node in ast.walk(tree)
                if isinstance(node, ast.Call) and _called_name(node) in TRANSLATORS
                for arg in node.args
            } | _docstrings(tree)
            for line, text in _user_literals(tree) + _cyrillic_literals(tree, translated):
                if text not in allowed:
                    problems.append(f"{path.relative_to(ROOT)}:{line}: {text[:60]}")
    assert problems == []
