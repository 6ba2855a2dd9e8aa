"""What a deployer runs besides the code: the Dockerfile, docker-compose.yml, the pins, the README's
commands. (`../shared/tools/container-check` builds and runs the image itself.)"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.settings import ENVIRONMENT_VARIABLES

ROOT = Path(__file__).resolve().parent.parent
# The README promises that updates in flight get up to 60 s to finish after SIGTERM.
DRAIN_SECONDS = 60


def pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)


def pinned(lock: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_the_image_installs_every_runtime_dependency_and_the_postgres_driver_pinned() -> None:
    project = pyproject()["project"]
    assert isinstance(project, dict)
    wanted = [*project["dependencies"], *project["optional-dependencies"]["postgres"]]
    pins = pinned("requirements.lock")
    for requirement in map(Requirement, wanted):
        version = pins.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} is not pinned in requirements.lock"
        assert requirement.specifier.contains(version), (
            f"{requirement.name}=={version} is outside {requirement}"
        )
    assert ("RUN", "pip install -r requirements.lock") in dockerfile_instructions()


def test_the_base_image_is_a_pinned_release() -> None:
    base = next(argument for name, argument in dockerfile_instructions() if name == "FROM")
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", base), base


def test_the_stop_timeouts_leave_room_for_the_drain() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    docker_runs = re.findall(r"^docker run .*$", readme.replace("\\\n", " "), re.MULTILINE)
    assert docker_runs, "the README has no docker run example"
    for command in docker_runs:
        timeout = re.search(r"--stop-timeout[ =](\d+)", command)
        assert timeout is not None, command
        assert int(timeout.group(1)) > DRAIN_SECONDS
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    grace = re.search(r"^\s+stop_grace_period: (\d+)s$", compose, re.MULTILINE)
    assert grace is not None
    assert int(grace.group(1)) > DRAIN_SECONDS


def test_compose_keeps_the_database_url_of_the_env_file() -> None:
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "env_file: .env" in compose
    urls = re.findall(r"^\s+DATABASE_URL: (.+)$", compose, re.MULTILINE)
    # `environment:` overrides env_file: a fixed value here would silently replace the one in .env.
    assert urls == ["${DATABASE_URL:-sqlite+aiosqlite:////app/data/bot.sqlite3}"]


def test_the_license_is_an_spdx_string_for_a_setuptools_that_reads_it() -> None:
    # A TOML table makes setuptools print a deprecation warning on every install.
    data = pyproject()
    project, build = data["project"], data["build-system"]
    assert isinstance(project, dict)
    assert isinstance(build, dict)
    assert project["license"] == "MIT"
    setuptools = next(Requirement(item) for item in build["requires"] if item.startswith("setuptools"))
    assert not setuptools.specifier.contains("76.1.0")
    assert setuptools.specifier.contains("77.0.3")


def test_every_setting_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in ENVIRONMENT_VARIABLES:
        assert f"| `{name}` |" in readme, f"{name} is missing from the README's Settings table"
        assert re.search(rf"^#? ?{name}=", example, re.MULTILINE), f"{name} is missing from .env.example"
