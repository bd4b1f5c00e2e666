"""Webhook mode: an aiohttp server that checks Telegram's secret token and feeds ``update_queue``.

PTB's own webhook server is tornado; this one is aiohttp, like the rest of the product. The
application is built with ``updater(None)``; each accepted update is decoded with
``Update.de_json`` and put on ``application.update_queue``, where the running application picks
it up. ``GET /healthz`` says whether the application is running (for load balancers and probes).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
import signal
from contextlib import suppress
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.app import on_shutdown, on_startup
from bot.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024     # an update is JSON of a few KB; anything huge is not from Telegram


class WebhookServer:
    """Serves ``POST <path of WEBHOOK_URL>`` and ``GET /healthz``."""

    def __init__(self, application: Application, settings: Settings, *, secret: str | None = None) -> None:
        if not settings.webhook_url:
            raise ValueError("WEBHOOK_URL is not set")
        self.application = application
        self.settings = settings
        # Without a configured secret, one is made up per start: Telegram sends back whatever setWebhook got.
        self.secret = secret or settings.webhook_secret or secrets.token_urlsafe(32)
        self.path = urlsplit(settings.webhook_url).path or "/"
        self.port: int | None = None
        self._runner: web.AppRunner | None = None

    def web_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_post(self.path, self._update)
        app.router.add_get("/healthz", self._health)
        return app

    async def start(self, host: str | None = None, port: int | None = None) -> None:
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host or self.settings.webhook_listen,
                           self.settings.webhook_port if port is None else port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info("webhook server listening on %s:%s%s", host or self.settings.webhook_listen, self.port, self.path)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _update(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("webhook call refused: wrong secret token from %s", request.remote)
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        try:
            payload = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.json_response({"ok": False, "error": "bad json"}, status=400)
        update = Update.de_json(payload, self.application.bot) if isinstance(payload, dict) else None
        if update is None:
            return web.json_response({"ok": False, "error": "not an update"}, status=400)
        await self.application.update_queue.put(update)
        return web.json_response({"ok": True})

    async def _health(self, _: web.Request) -> web.Response:
        running = self.application.running
        return web.json_response({"ok": running, "queued": self.application.update_queue.qsize()},
                                 status=200 if running else 503)


async def start_webhook(application: Application, settings: Settings, *, host: str | None = None,
                        port: int | None = None) -> WebhookServer:
    """Start the application and the server, then tell Telegram where to send updates."""
    await application.initialize()
    await on_startup(application)
    await application.start()
    server = WebhookServer(application, settings)
    await server.start(host, port)
    await application.bot.set_webhook(settings.webhook_url, secret_token=server.secret,
                                      allowed_updates=Update.ALL_TYPES)
    return server


async def stop_webhook(application: Application, server: WebhookServer) -> None:
    await server.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    await on_shutdown(application)


async def serve_webhook(application: Application, settings: Settings) -> None:
    """Run in webhook mode until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    server = await start_webhook(application, settings)
    try:
        await stop.wait()
    finally:
        await stop_webhook(application, server)
