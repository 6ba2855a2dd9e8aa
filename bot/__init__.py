"""Belsendi: a Telegram bot for volunteers, NGOs and event organizers in Kazakhstan."""
