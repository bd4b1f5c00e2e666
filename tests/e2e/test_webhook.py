"""Webhook mode: the fake Bot API delivers updates by POST with the secret token; wrong secrets are refused."""

from __future__ import annotations

import socket

import aiohttp
import pytest

from bot.app import build_application
from bot.webhook import SECRET_HEADER, start_webhook, stop_webhook
from tests.e2e.conftest import ALICE, BOB, FIXED_NOW


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def hooked(fake, settings_for):
    port = free_port()
    settings = settings_for(webhook_url=f"http://127.0.0.1:{port}/telegram/hook", webhook_secret="s3cret-token_1")
    app = build_application(settings, clock=lambda: FIXED_NOW)
    assert app.updater is None
    server = await start_webhook(app, settings, host="127.0.0.1", port=port)
    try:
        yield fake, server, f"http://127.0.0.1:{port}"
    finally:
        await stop_webhook(app, server)


async def test_updates_arrive_through_the_webhook(hooked):
    fake, _, _ = hooked
    assert fake.webhook == {"url": fake.webhook["url"], "secret_token": "s3cret-token_1"}
    assert fake.webhook["url"].endswith("/telegram/hook")
    mark = fake.mark()
    await fake.send_text(BOB, "/start")
    reply = await fake.wait_reply(BOB, after=mark)
    assert reply.plain_text.startswith("Hello, Bob!")
    assert fake.webhook_deliveries[-1][1] == 200


async def test_wrong_or_missing_secret_is_refused(hooked):
    fake, server, base = hooked
    update = {"update_id": 999, "message": {"message_id": 1, "date": 0, "chat": ALICE.chat(),
                                            "from": ALICE.to_dict(), "text": "/start",
                                            "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}
    mark = fake.mark()
    async with aiohttp.ClientSession() as http:
        for headers in ({SECRET_HEADER: "guess"}, {}):
            async with http.post(base + "/telegram/hook", json=update, headers=headers) as resp:
                assert resp.status == 403
        async with http.post(base + "/telegram/hook", data=b"not json",
                             headers={SECRET_HEADER: server.secret}) as resp:
            assert resp.status == 400
        async with http.get(base + "/healthz") as resp:
            assert resp.status == 200 and (await resp.json())["ok"] is True
        # The right secret is accepted and the update is handled.
        async with http.post(base + "/telegram/hook", json=update, headers={SECRET_HEADER: server.secret}) as resp:
            assert resp.status == 200
    reply = await fake.wait_reply(ALICE, after=mark)
    assert "您好，小王" in reply.plain_text
    assert len(fake.sent(ALICE, after=mark)) == 1
