"""Settings: every variable read, every mistake named in one line with exit code 2."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import ENV_FILE_VARIABLE, ENVIRONMENT_VARIABLES, SettingsError, load_settings
from fake_telegram.bot_process import bot_environment

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:AAbbCCddEEffGGhhIIjjKKllMMnn"


def run_bot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot` in an empty folder (no .env), with only the given settings."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=bot_environment(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_defaults_and_every_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    defaults = load_settings()
    assert defaults.database_url == "sqlite+aiosqlite:///./data/bot.sqlite3"
    assert (defaults.default_locale, defaults.timezone, defaults.run_mode) == ("kk", "Asia/Almaty", "polling")
    assert defaults.telegram_api_url == "https://api.telegram.org"
    values = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": "http://127.0.0.1:8081/",
        "DATABASE_URL": "sqlite+aiosqlite:///./x.sqlite3",
        "ADMIN_IDS": "12, 34,56",
        "DEFAULT_LOCALE": "ru",
        "TIMEZONE": "Asia/Aqtobe",
        "RUN_MODE": "webhook",
        "WEBHOOK_URL": "https://bot.example.kz/tg/hook",
        "WEBHOOK_SECRET": "s3cret_-token",
        "WEBHOOK_HOST": "127.0.0.1",
        "WEBHOOK_PORT": "8443",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert settings.token == TOKEN
    assert settings.telegram_api_url == "http://127.0.0.1:8081"
    assert settings.admin_ids == frozenset({12, 34, 56})
    assert (settings.default_locale, settings.timezone, settings.run_mode) == ("ru", "Asia/Aqtobe", "webhook")
    assert (settings.webhook_path, settings.webhook_secret_value) == ("/tg/hook", "s3cret_-token")
    assert (settings.webhook_host, settings.webhook_port) == ("127.0.0.1", 8443)


def test_env_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.delenv(ENV_FILE_VARIABLE)  # the suite turns the file off (tests/conftest.py)
    (tmp_path / ".env").write_text(f"BOT_TOKEN={TOKEN}\nADMIN_IDS=7\n", encoding="utf-8")
    settings = load_settings()
    assert (settings.token, settings.admin_ids) == (TOKEN, frozenset({7}))


def test_belsendi_env_file_names_another_file_or_none(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ADMIN_IDS", raising=False)
    (tmp_path / ".env").write_text("ADMIN_IDS=7\n", encoding="utf-8")
    (tmp_path / "prod.env").write_text("ADMIN_IDS=8\n", encoding="utf-8")
    monkeypatch.setenv(ENV_FILE_VARIABLE, str(tmp_path / "prod.env"))
    assert load_settings().admin_ids == frozenset({8})
    monkeypatch.setenv(ENV_FILE_VARIABLE, "")
    assert load_settings().admin_ids == frozenset()
    monkeypatch.setenv(ENV_FILE_VARIABLE, "missing.env")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert raised.value.variable == ENV_FILE_VARIABLE


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_API_URL", "ftp://example"),
        ("DATABASE_URL", "nonsense"),
        ("ADMIN_IDS", "12,abc"),
        ("DEFAULT_LOCALE", "en"),
        ("TIMEZONE", "Mars/Olympus"),
        ("RUN_MODE", "carrier-pigeon"),
        ("WEBHOOK_PORT", "99999"),
        ("WEBHOOK_SECRET", "spaces are not allowed"),
    ],
)
def test_a_malformed_variable_is_named(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None)
    assert raised.value.variable == variable


@pytest.mark.parametrize(
    ("url", "advice"),
    [
        ("postgresql://bot:secret@db/belsendi", "use postgresql+asyncpg://bot:***@db/belsendi"),
        ("postgres://bot@db/belsendi", "use postgresql+asyncpg://bot@db/belsendi"),
        ("postgresql+psycopg2://bot@db/belsendi", "use postgresql+asyncpg://bot@db/belsendi"),
        ("sqlite:///./data/bot.sqlite3", "use sqlite+aiosqlite:///./data/bot.sqlite3"),
        (
            "mysql+aiomysql://bot@db/belsendi",
            "use sqlite+aiosqlite:///./data/bot.sqlite3 or postgresql+asyncpg://",
        ),
    ],
)
def test_a_database_url_without_a_supported_async_driver_says_which_to_use(
    monkeypatch: pytest.MonkeyPatch, url: str, advice: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None)
    assert raised.value.variable == "DATABASE_URL"
    assert advice in raised.value.problem
    assert "secret" not in raised.value.problem  # the password is not printed


def test_postgresql_without_asyncpg_installed_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *args: None if name == "asyncpg" else find_spec(name, *args)
    )
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://bot@db/belsendi")
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None)
    assert raised.value.variable == "DATABASE_URL"
    assert "asyncpg" in raised.value.problem
    assert "[postgres]" in raised.value.problem


@pytest.mark.parametrize(
    "url",
    ["https://bot.example.kz/hook", "http://127.0.0.1:8443/hook", "http://localhost/hook", "http://[::1]/h"],
)
def test_webhook_url_https_or_http_on_this_machine(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("WEBHOOK_URL", url)
    assert load_settings(_env_file=None).webhook_url == url


@pytest.mark.parametrize("url", ["http://bot.example.kz/hook", "http://10.0.0.5:8080/hook"])
def test_webhook_url_over_plain_http_elsewhere_is_refused(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("WEBHOOK_URL", url)
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None)
    assert raised.value.variable == "WEBHOOK_URL"
    assert "https" in raised.value.problem


def test_names_of_choices_are_accepted_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUN_MODE", "WEBHOOK")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.kz/hook")
    monkeypatch.setenv("WEBHOOK_SECRET", "s3cret")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("DEFAULT_LOCALE", "KK ")
    settings = load_settings(_env_file=None)
    assert (settings.run_mode, settings.log_level, settings.default_locale) == ("webhook", "DEBUG", "kk")


def test_webhook_mode_needs_url_and_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUN_MODE", "webhook")
    monkeypatch.delenv("WEBHOOK_URL", raising=False)
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None)
    assert raised.value.variable == "WEBHOOK_URL"
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.kz/hook")
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    with pytest.raises(SettingsError) as raised:
        load_settings(_env_file=None)
    assert raised.value.variable == "WEBHOOK_SECRET"


def test_the_process_exits_2_with_one_line_naming_the_variable(tmp_path: Path) -> None:
    result = run_bot(tmp_path, BOT_TOKEN=TOKEN, WEBHOOK_PORT="eighty")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("Configuration error: WEBHOOK_PORT")
    assert "Traceback" not in result.stderr


def test_without_a_token_it_explains_botfather_in_two_lines(tmp_path: Path) -> None:
    result = run_bot(tmp_path, BOT_TOKEN="")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "@BotFather" in lines[0]
    assert ".env" in lines[1]


def test_migrate_needs_no_token_and_creates_the_database(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "migrate", DATABASE_URL="sqlite+aiosqlite:///./data/db.sqlite3")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "db.sqlite3").exists()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "postgresql://bot@127.0.0.1:1/belsendi"),
        ("DATABASE_URL", "sqlite:///./data/bot.sqlite3"),
        ("DATABASE_URL", "mysql+aiomysql://bot@127.0.0.1:1/belsendi"),
        ("WEBHOOK_URL", "http://bot.example.kz/hook"),
    ],
)
def test_migrate_with_a_wrong_url_stops_with_one_line(tmp_path: Path, variable: str, value: str) -> None:
    result = run_bot(tmp_path, "migrate", **{variable: value})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"Configuration error: {variable} ")


@pytest.mark.parametrize("flag", ["--help", "-h", "help"])
def test_help_lists_every_command_on_a_line(tmp_path: Path, flag: str) -> None:
    result = run_bot(tmp_path, flag, WEBHOOK_PORT="broken settings do not matter for help")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("usage: python -m bot")
    for command in ("run", "migrate", "healthcheck", "help"):
        assert sum(line.split()[:1] == [command] for line in lines) == 1, result.stdout


def test_unknown_subcommand_is_refused(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "frobnicate")
    assert result.returncode == 2
    assert "usage" in result.stderr
    assert result.stdout == ""


def test_reminder_hours_are_read_as_a_list_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMINDER_HOURS", "2, 24")
    assert load_settings(_env_file=None).reminder_hours == (24, 2)
    monkeypatch.setenv("REMINDER_HOURS", "0")
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None)
    assert error.value.variable == "REMINDER_HOURS"


def test_offer_hours_are_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(_env_file=None).offer_hours == 12
    monkeypatch.setenv("OFFER_HOURS", "6")
    assert load_settings(_env_file=None).offer_hours == 6
    monkeypatch.setenv("OFFER_HOURS", "0")
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None)
    assert error.value.variable == "OFFER_HOURS"


def test_offer_hours_near_start_are_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(_env_file=None).offer_hours_near_start == 2
    monkeypatch.setenv("OFFER_HOURS_NEAR_START", "3")
    assert load_settings(_env_file=None).offer_hours_near_start == 3
    monkeypatch.setenv("OFFER_HOURS_NEAR_START", "25")
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None)
    assert error.value.variable == "OFFER_HOURS_NEAR_START"


def test_max_companions_are_read_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(_env_file=None).max_companions == 3
    monkeypatch.setenv("MAX_COMPANIONS", "0")
    assert load_settings(_env_file=None).max_companions == 0
    monkeypatch.setenv("MAX_COMPANIONS", "11")
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None)
    assert error.value.variable == "MAX_COMPANIONS"
