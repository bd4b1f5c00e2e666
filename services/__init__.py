"""Application services shared by the bot and the CLI (no Telegram here)."""
