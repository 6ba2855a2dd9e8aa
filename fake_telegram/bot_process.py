"""The bot as a child process (`python -m bot`, `make run`, an echo bot), for the end-to-end tests and
the benchmark: started with only the settings it is given (never a deployer's .env or exported
variables), its output in a log file."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from pathlib import Path

from bot.settings import ENV_FILE_VARIABLE, ENVIRONMENT_VARIABLES

ROOT = Path(__file__).resolve().parent.parent
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception): ")


def bot_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any bot setting, plus `settings` and the project on the path.

    The bot reads no settings file either: `make run` starts it in the project folder, where a
    deployer's .env (RUN_MODE=webhook, say) would otherwise take part.
    """
    env = {key: value for key, value in os.environ.items() if key not in ENVIRONMENT_VARIABLES}
    env[ENV_FILE_VARIABLE] = ""
    env["PYTHONPATH"] = str(ROOT)
    env.update(settings)
    return env


class BotProcess:
    def __init__(self, command: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.command = command
        self.env = env
        self.cwd = cwd
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                *self.command,
                cwd=self.cwd,
                env=self.env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,  # so that `make` and its child get a signal together
            )

    @property
    def pid(self) -> int:
        return self._started().pid

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    def _started(self) -> asyncio.subprocess.Process:
        if self.process is None:
            raise RuntimeError("the bot process was not started")
        return self.process

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:  # noqa: ASYNC109
        """Send `sig` and return the exit code; TimeoutError (after a SIGKILL) if it does not stop."""
        process = self._started()
        if self.running:
            os.killpg(process.pid, sig)
        try:
            return await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            await self.kill()
            raise

    async def kill(self) -> None:
        if self.process is not None and self.running:
            os.killpg(self.process.pid, signal.SIGKILL)
            await self.process.wait()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def first_problem(self) -> str | None:
        """The first warning or error the bot logged, with the exception that caused it, if any."""
        lines = self.output().splitlines()
        for index, line in enumerate(lines):
            if "Received SIGTERM signal" in line:  # aiogram's polling says so at WARNING level
                continue
            if " ERROR " in line or " WARNING " in line or line.startswith(("ERROR", "WARNING", "Traceback")):
                cause = next((later for later in lines[index + 1 :] if _EXCEPTION.match(later)), "")
                return f"{line.strip()} {cause.strip()}".strip()
        return None
