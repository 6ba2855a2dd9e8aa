"""Belsendi: a Telegram bot for volunteers, NGOs and event organizers in Kazakhstan."""

# Before anything imports aiogram: its Bot API models are then built when first used (100 MB less).
from bot.telegram.lazy_models import import_aiogram_lazily

import_aiogram_lazily()
