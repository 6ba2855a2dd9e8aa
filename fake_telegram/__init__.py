"""A fake Telegram Bot API server for tests, benchmarks and the offline sandbox.

Strict the way Telegram is (HTML parsing, limits, 400/403/409/429 answers with Telegram's wording), it
lets a test play users and read what the bot sent::

    async with FakeTelegram(bot_username="belsendi_bot") as tg:
        bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.url)))
        user = tg.user(1001, first_name="Aigerim", language_code="kk")
        await user.send("/start")
        message = await user.wait_message()

The package is layered so that other servers (a benchmark's, the sandbox) can share the parts:

- the world (:mod:`.world`, :mod:`.state`, :mod:`.users`, :mod:`.methods`): bots, users, chats,
  messages, files and the Bot API calls on them, with no transport;
- the limits (:mod:`.limits`): Telegram's flood control;
- the transport (:mod:`.transport`): the aiohttp server with the Bot API routes, the ``/_fake/``
  control API and webhook delivery;
- :class:`FakeTelegram` (:mod:`.server`): a world served by the transport.

Not modelled: groups and channels, inline mode, payments, MarkdownV2 parsing (text is stored as sent),
image decoding, downloading files from URLs.
"""

from .clock import Clock
from .errors import ApiError
from .limits import Limits, Refusal
from .server import FakeTelegram
from .state import (
    BotState,
    CallbackAnswer,
    CallbackQueryState,
    FileRecord,
    SentMessage,
    UserProfile,
    WebhookState,
)
from .transport import HttpTransport
from .users import FakeUser
from .world import ApiCall, Stats, World

__all__ = [
    "ApiCall",
    "ApiError",
    "BotState",
    "CallbackAnswer",
    "CallbackQueryState",
    "Clock",
    "FakeTelegram",
    "FakeUser",
    "FileRecord",
    "HttpTransport",
    "Limits",
    "Refusal",
    "SentMessage",
    "Stats",
    "UserProfile",
    "WebhookState",
    "World",
]
