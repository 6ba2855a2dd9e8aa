"""The layers keep to their places: SQL only in storage/, storage/ knows nothing of the bot, the
benchmarks and the fake server need no test code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(package: str) -> list[tuple[str, str]]:
    """(file, module) for every import in a package."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(str(path.relative_to(ROOT)), alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((str(path.relative_to(ROOT)), node.module))
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("bot", "sqlalchemy"),
        ("handlers", "sqlalchemy"),
        ("storage", "bot"),
        ("storage", "handlers"),
        ("bench", "tests"),
        ("fake_telegram", "tests"),
        ("sandbox", "tests"),
    ],
)
def test_a_layer_does_not_import_what_it_must_not(package: str, forbidden: str) -> None:
    wrong = [
        f"{file}: {module}"
        for file, module in imported_modules(package)
        if module == forbidden or module.startswith(forbidden + ".")
    ]
    assert wrong == []
