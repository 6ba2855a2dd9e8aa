"""`python -m bot healthcheck`, the container's health check: webhook mode asks /healthz on the address
the bot listens on, past any proxy; polling mode reads the age of the poller's heartbeat file."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.__main__ import healthcheck
from bot.heartbeat import heartbeat_age, touch_heartbeat
from bot.settings import Settings
from tests.test_settings import run_bot

SECRET = "health-secret"
StartHealthz = Callable[[str], int]
PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")


class _Healthz(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture
def healthz_on() -> Iterator[StartHealthz]:
    """Starts a server answering /healthz on a given address; returns its port."""
    servers: list[ThreadingHTTPServer] = []

    def start(host: str) -> int:
        server = ThreadingHTTPServer((host, 0), _Healthz)
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port: int = server.server_address[1]
        return port

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def webhook_settings(host: str, port: int) -> Settings:
    return Settings(
        run_mode="webhook",
        webhook_url="https://bot.example.kz/hook",
        webhook_secret=SECRET,  # type: ignore[arg-type]
        webhook_host=host,
        webhook_port=port,
        _env_file=None,  # type: ignore[call-arg]
    )


def polling_settings(heartbeat: Path, max_age: float = 120) -> Settings:
    return Settings(heartbeat_file=heartbeat, heartbeat_max_age=max_age, _env_file=None)  # type: ignore[call-arg]


def test_webhook_health_is_asked_directly_even_with_a_proxy_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, healthz_on: StartHealthz
) -> None:
    port = healthz_on("127.0.0.1")
    # A proxy that answers nothing: asking through it would fail.
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, f"http://127.0.0.1:{closed_port()}")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert healthcheck(webhook_settings("0.0.0.0", port)) == 0  # noqa: S104 - listening everywhere


def test_webhook_health_is_asked_on_the_address_the_bot_listens_on(healthz_on: StartHealthz) -> None:
    # 127.0.0.2 is this machine too, but nothing listens on 127.0.0.1 at that port.
    port = healthz_on("127.0.0.2")
    assert healthcheck(webhook_settings("127.0.0.2", port)) == 0


def test_webhook_listening_on_every_ipv6_address_is_asked_on_127_0_0_1(healthz_on: StartHealthz) -> None:
    port = healthz_on("127.0.0.1")
    assert healthcheck(webhook_settings("::", port)) == 0


def test_webhook_health_fails_when_nothing_answers(capsys: pytest.CaptureFixture[str]) -> None:
    assert healthcheck(webhook_settings("127.0.0.1", closed_port())) == 1
    assert capsys.readouterr().err.startswith("unhealthy: http://127.0.0.1:")


def test_touch_heartbeat_creates_the_file_and_its_folder_and_renews_it(tmp_path: Path) -> None:
    heartbeat = tmp_path / "data" / "heartbeat"
    assert heartbeat_age(heartbeat) is None
    touch_heartbeat(heartbeat)
    age = heartbeat_age(heartbeat)
    assert age is not None
    assert age < 5
    old = time.time() - 600
    os.utime(heartbeat, (old, old))
    assert heartbeat_age(heartbeat) >= 600
    touch_heartbeat(heartbeat)
    assert heartbeat_age(heartbeat) < 5


def test_polling_is_healthy_while_the_heartbeat_is_fresh(tmp_path: Path) -> None:
    heartbeat = tmp_path / "heartbeat"
    touch_heartbeat(heartbeat)
    assert healthcheck(polling_settings(heartbeat)) == 0


def test_polling_with_a_stale_heartbeat_is_unhealthy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    heartbeat = tmp_path / "heartbeat"
    touch_heartbeat(heartbeat)
    old = time.time() - 121
    os.utime(heartbeat, (old, old))
    assert healthcheck(polling_settings(heartbeat)) == 1
    assert re.match(r"unhealthy: the last answer from Telegram was 12\d s ago", capsys.readouterr().err)
    assert healthcheck(polling_settings(heartbeat, max_age=300)) == 0


def test_polling_without_a_heartbeat_is_unhealthy(tmp_path: Path) -> None:
    # Docker's start period covers the time before the poller's first round trip.
    assert healthcheck(polling_settings(tmp_path / "heartbeat")) == 1


def test_the_command_reads_heartbeat_settings(tmp_path: Path) -> None:
    touch_heartbeat(tmp_path / "beat")
    old = time.time() - 60
    os.utime(tmp_path / "beat", (old, old))
    fresh = run_bot(tmp_path, "healthcheck", HEARTBEAT_FILE="beat", HEARTBEAT_MAX_AGE="90")
    assert fresh.returncode == 0, fresh.stderr
    stale = run_bot(tmp_path, "healthcheck", HEARTBEAT_FILE="beat", HEARTBEAT_MAX_AGE="30")
    assert stale.returncode == 1
    assert re.match(
        r"unhealthy: the last answer from Telegram was [67]\d s ago \(HEARTBEAT_MAX_AGE is 30 s\)",
        stale.stderr,
    )
    missing = run_bot(tmp_path, "healthcheck")
    assert missing.returncode == 1
    assert "no heartbeat yet at data/heartbeat" in missing.stderr
