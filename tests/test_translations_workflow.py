"""README "Languages": `make translations` runs, and the committed catalogs are what it makes of the code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NEEDED = ("Makefile", "babel.cfg", "pyproject.toml", "requirements.lock", "requirements-dev.lock")


def without_dates(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if "-Date: " not in line)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_translations_runs_and_changes_nothing_but_dates(tmp_path: Path) -> None:
    for name in NEEDED:
        shutil.copy2(ROOT / name, tmp_path / name)
    for folder in ("bot", "handlers", "locales"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__", "*.mo")
        )
    venv = Path(sys.prefix)  # the environment running the tests has pybabel
    done = subprocess.run(
        ["make", "--no-print-directory", "translations", f"VENV={venv}", f"STAMP={venv}/.installed"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for path in (
        "locales/messages.pot",
        "locales/kk/LC_MESSAGES/messages.po",
        "locales/ru/LC_MESSAGES/messages.po",
    ):
        made = (tmp_path / path).read_text(encoding="utf-8")
        committed = (ROOT / path).read_text(encoding="utf-8")
        assert without_dates(made) == without_dates(committed), f"{path}: run `make translations`"
