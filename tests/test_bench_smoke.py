"""The benchmark still runs and its correctness checks pass (figures are bench/README.md's business)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.e2e
def test_quick_benchmark_passes_its_checks() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.updates", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "updates/s" in result.stdout


@pytest.mark.e2e
def test_broadcast_benchmark_delivers_everything() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.broadcast", "--recipients", "40"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    outbox_line = next(line for line in result.stdout.splitlines() if line.startswith("outbox"))
    assert "delivered 40/40  lost 0" in outbox_line


def test_registrations_benchmark_passes_its_checks() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.registrations", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "rush: 1,000 for 50 seats" in result.stdout


@pytest.mark.e2e
def test_grant_search_benchmark_finds_what_it_should() -> None:
    # Relevance only: latency on a shared test machine is bench/README.md's business.
    result = subprocess.run(
        [sys.executable, "-m", "bench.grant_search", "--calls", "300", "--rounds", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    relevance = next(line for line in result.stdout.splitlines() if line.startswith("relevance"))
    assert relevance.endswith("recall@5 1.000"), result.stdout[-3000:] + result.stderr[-3000:]
    assert "p95" in result.stdout
