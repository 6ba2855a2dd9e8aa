"""The bot's side of the Bot API: what every outgoing call goes through (limits, failures, blocked users)."""
