"""aiogram imported through `bot`: its Bot API models are built when first used, and every one of them
still builds and parses what Telegram answers (bot/telegram/lazy_models.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

# Run in a fresh interpreter: this test process imported aiogram long ago.
PROGRAM = textwrap.dedent(
    """
    import bot  # first, as in the bot's process
    import aiogram.methods as methods
    import aiogram.types as types
    from aiogram.methods import Response
    from aiogram.types import Message, Update

    def rss_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024

    built = [n for n in types.__all__ if getattr(getattr(types, n), "__pydantic_complete__", False)]
    print("built at import:", len(built), "of", len(types.__all__), "types;", rss_mb(), "MB")
    assert len(built) < 10, built

    message = {
        "message_id": 5, "date": 1, "chat": {"id": 1, "type": "private"},
        "from": {"id": 1, "is_bot": True, "first_name": "b"}, "text": "hi",
        "entities": [{"type": "bold", "offset": 0, "length": 2}],
        "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": "b"}]]},
        "reply_to_message": {
            "message_id": 4, "date": 1, "chat": {"id": 1, "type": "private"},
            "venue": {"location": {"latitude": 1.5, "longitude": 2.0}, "title": "t", "address": "a"},
        },
    }
    answer = Response[Message].model_validate({"ok": True, "result": message})
    assert answer.result.reply_markup.inline_keyboard[0][0].callback_data == "b"
    assert answer.result.reply_to_message.venue.location.latitude == 1.5
    member = {"status": "kicked", "until_date": 0, "user": {"id": 1, "is_bot": False, "first_name": "a"}}
    updates = Response[list[Update]].model_validate({"ok": True, "result": [
        {"update_id": 1, "message": message},
        {"update_id": 2, "my_chat_member": {
            "chat": {"id": 1, "type": "private"}, "from": member["user"], "date": 1,
            "old_chat_member": {**member, "status": "member"}, "new_chat_member": member}},
    ]})
    assert type(updates.result[1].my_chat_member.new_chat_member).__name__ == "ChatMemberBanned"

    # Every model of the Bot API still builds (a name under TYPE_CHECKING left unresolved would fail).
    for module in (types, methods):
        for name in module.__all__:
            model = getattr(module, name)
            if hasattr(model, "model_rebuild"):
                model.model_rebuild()
    print("all built:", rss_mb(), "MB")
    """
)


def test_aiogram_models_are_built_on_first_use_and_all_still_build() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "built at import:" in done.stdout


def test_the_import_through_bot_is_lighter() -> None:
    def rss_after(imports: str) -> int:
        program = (
            f"{imports}\nprint([l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1])"
        )
        done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return int(done.stdout) // 1024

    eager, lazy = rss_after("import aiogram"), rss_after("import bot, aiogram")
    # 166 and 59 MB here (aiogram 3.31, pydantic 2.13): a wide margin either way.
    assert lazy < eager - 50, (eager, lazy)
