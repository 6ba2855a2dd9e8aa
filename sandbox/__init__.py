"""The offline sandbox: the whole bot in a browser, without Telegram or a token.

`python -m bot sandbox` (and `make run` without BOT_TOKEN) starts the fake Telegram server
(:mod:`fake_telegram`), the real bot against it on its own database file, and a chat page beside the
fake's Bot API on the same port (http://127.0.0.1:8080). Not part of the Docker image.
"""

from .seed import seed_sample_world
from .server import Sandbox, SandboxUser, serve

__all__ = ["Sandbox", "SandboxUser", "seed_sample_world", "serve"]
