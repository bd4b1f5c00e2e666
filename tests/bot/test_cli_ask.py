"""``python -m bot ask``: the answer as the bot gives it, and ``--explain`` shows the parsed query."""

from __future__ import annotations

import argparse
import asyncio
import json

import pytest

from bot import cli_ask
from bot.settings import get_settings
from services.ingest import ingest
from storage.db import Database
from tests.conftest import sample_bytes


@pytest.fixture
def store(tmp_path, monkeypatch):
    url = f"sqlite+aiosqlite:///{tmp_path}/store.db"

    async def fill() -> None:
        db = Database(url)
        await db.upgrade()
        try:
            for name in ("pingtan_2021.txt", "huaian_2024_pdftext.txt"):
                await ingest(db, sample_bytes(name), name)
        finally:
            await db.dispose()

    asyncio.run(fill())
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    cli_ask.add_arguments(parser)
    return cli_ask.run(parser.parse_args(list(argv)))


def test_ask_prints_the_answer_with_its_source(store, capsys):
    assert _run("how many requests did Pingtan get in 2021") == 0
    out = capsys.readouterr().out
    assert "70" in out and "pingtan_2021.txt" in out and "平潭综合实验区" in out


def test_explain_prints_the_query_first(store, capsys):
    assert _run("淮安2024年不予公开多少", "--explain", "--lang", "en") == 0
    out = capsys.readouterr().out
    query = json.loads(out[: out.index("\n}\n") + 2])
    assert query["intent"] == "figure" and query["metrics"] == ["denied"] and query["years"] == [2024]
    assert query["agencies"][0]["name"] == "淮安市人民政府"
    assert "178" in out and "withheld" in out


def test_empty_question_is_a_usage_error(store, capsys):
    assert _run("   ") == 2
