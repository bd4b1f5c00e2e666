"""``python -m bot run`` without a token explains how to get one and exits with the usage status."""

from __future__ import annotations

from bot.cli import main
from bot.settings import get_settings


def test_run_without_token_says_how_to_get_one(monkeypatch, capsys):
    monkeypatch.setenv("BOT_TOKEN", "")
    get_settings.cache_clear()
    try:
        assert main(["run"]) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert "@BotFather" in err and "/newbot" in err and "BOT_TOKEN=" in err
