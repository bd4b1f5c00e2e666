"""A fake Telegram Bot API served by aiohttp on loopback, for end-to-end tests and benchmarks.

It speaks the wire format python-telegram-bot uses (``POST {base}{token}/{method}``, form-encoded or
multipart, ``GET {file_base}{token}/{file_path}``) and answers with Telegram's envelopes, including
Telegram's refusals: 429 with ``retry_after``, "message is too long", "message is not modified",
"file is too big", 403 "bot was blocked by the user", bad HTML entities, oversized callback data.

Drive it from a test::

    fake = FakeBotAPI()
    await fake.start()
    alice = FakeUser(1001, "Alice", language_code="en")
    mark = fake.mark()
    await fake.send_text(alice, "/start")
    call = await fake.wait_reply(alice, after=mark)
    assert call.plain_text.startswith("Hello")

Every request is recorded in ``fake.calls`` (successful or refused); ``wait_for`` waits until a
predicate over that list holds. Refusals are injected with ``fail(method, code=429, retry_after=…)``
and ``block(chat_id)``; ``send_document(..., declared_size=…)`` announces a file bigger than its bytes.
With ``setWebhook`` active, pushed updates are POSTed to the webhook with the secret-token header.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import secrets
import socket
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import aiohttp
from aiohttp import web

DEFAULT_TOKEN = "123456789:TEST-fake-bot-api-token"
MESSAGE_LIMIT = 4096          # characters after entity parsing (UTF-16 code units)
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64      # bytes
CLOUD_DOWNLOAD_LIMIT = 20 * 1024 * 1024
UPLOAD_LIMIT = 50 * 1024 * 1024

# Parameters PTB JSON-encodes (everything that is not a plain string).
_JSON_PARAMS = {"reply_markup", "commands", "allowed_updates", "entities", "caption_entities", "scope",
                "link_preview_options", "reply_parameters", "media"}
_INT_PARAMS = {"chat_id", "message_id", "offset", "limit", "timeout", "cache_time", "reply_to_message_id",
               "max_connections", "from_chat_id", "message_thread_id"}
_BOOL_PARAMS = {"disable_notification", "show_alert", "drop_pending_updates", "disable_web_page_preview",
                "protect_content", "allow_sending_without_reply", "has_spoiler", "disable_content_type_detection"}
_HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
              "pre", "blockquote", "tg-emoji"}
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)\s*>")
_ENTITY_RE = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")


class ApiRefusal(Exception):
    """A refusal the fake sends back as Telegram would (``ok: false``)."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass(slots=True)
class FakeUser:
    id: int
    first_name: str
    language_code: str | None = "zh-hans"
    username: str | None = None
    last_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("language_code", "username", "last_name"):
            if getattr(self, key) is not None:
                d[key] = getattr(self, key)
        return d

    def chat(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username:
            d["username"] = self.username
        return d


@dataclass(slots=True)
class UploadedFile:
    """A file part of a multipart request (what the bot sent)."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(slots=True)
class Call:
    """One request the bot made, with what the fake answered."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    at: float
    ok: bool
    result: Any = None
    error: str | None = None
    error_code: int | None = None

    @property
    def chat_id(self) -> int | str | None:
        return self.params.get("chat_id")

    @property
    def text(self) -> str:
        """The text or caption sent, as sent (HTML markup included)."""
        return self.params.get("text") or self.params.get("caption") or ""

    @property
    def plain_text(self) -> str:
        """The text or caption as the user sees it (tags removed, entities unescaped)."""
        if self.params.get("parse_mode") == "HTML":
            return visible_text(self.text)
        return self.text

    @property
    def document(self) -> UploadedFile | None:
        return self._upload("document")

    @property
    def photo(self) -> UploadedFile | None:
        return self._upload("photo")

    def _upload(self, name: str) -> UploadedFile | None:
        value = self.params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            return self.files.get(value[len("attach://"):])
        return self.files.get(name)

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline keyboard buttons, flattened row by row."""
        markup = self.params.get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]


@dataclass(slots=True)
class _Failure:
    method: str
    code: int
    description: str
    retry_after: int | None
    times: int
    chat_id: int | None


@dataclass(slots=True)
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    size: int


@dataclass(slots=True)
class _CallbackQuery:
    id: str
    answered: bool = False
    stale: bool = False


def visible_text(text: str) -> str:
    """The text Telegram shows for an HTML-formatted message: tags removed, entities decoded."""
    return html.unescape(_TAG_RE.sub("", text))


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_html(text: str) -> None:
    """Refuse markup Telegram refuses: unknown tags, stray '<', unbalanced tags."""
    stack: list[str] = []
    pos = 0
    while True:
        lt = text.find("<", pos)
        if lt < 0:
            break
        m = _TAG_RE.match(text, lt)
        if not m:
            raise ApiRefusal(400, f"Bad Request: can't parse entities: Unsupported start tag \"\" at byte offset "
                                  f"{len(text[:lt].encode())}")
        closing, tag = m.group(1) == "/", m.group(2).lower()
        if tag not in _HTML_TAGS:
            raise ApiRefusal(400, f"Bad Request: can't parse entities: Unsupported start tag \"{tag}\" at byte "
                                  f"offset {len(text[:lt].encode())}")
        if closing:
            if not stack or stack[-1] != tag:
                raise ApiRefusal(400, f"Bad Request: can't parse entities: Unexpected end tag at byte offset "
                                      f"{len(text[:lt].encode())}")
            stack.pop()
        else:
            stack.append(tag)
        pos = m.end()
    if stack:
        raise ApiRefusal(400, f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
                              f"\"{stack[-1]}\"")


class FakeBotAPI:
    """The fake server. ``start()`` binds a free loopback port; ``base_url``/``base_file_url`` point at it."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, local_mode: bool = False,
                 bot_id: int = 777000111, bot_username: str = "govreport_test_bot") -> None:
        self.token = token
        self.local_mode = local_mode
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": "GovReport", "username": bot_username,
                         "can_join_groups": True, "can_read_all_group_messages": False,
                         "supports_inline_queries": False}
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []          # every update ever pushed, in order
        self.confirmed_offset = 0                        # highest offset the bot acknowledged
        self.commands: dict[str, list[dict[str, Any]]] = {}   # language_code ("" = default) -> commands
        self.webhook: dict[str, Any] | None = None
        self.webhook_deliveries: list[tuple[int, int]] = []   # (update_id, HTTP status)
        self.chat_actions: list[tuple[int, str]] = []
        self.listeners: list[Callable[[Call], None]] = []   # called with every recorded call (benchmarks)
        self._pending: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._deleted: set[tuple[int, int]] = set()
        self._files: dict[str, _StoredFile] = {}
        self._queries: dict[str, _CallbackQuery] = {}
        self._failures: list[_Failure] = []
        self._blocked: set[int] = set()
        self._changed: asyncio.Condition | None = None
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.port: int | None = None

    # ---- lifecycle ------------------------------------------------------------------------

    async def start(self) -> "FakeBotAPI":
        self._changed = asyncio.Condition()
        app = web.Application(client_max_size=UPLOAD_LIMIT + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def stop(self) -> None:
        self._closing = True
        await self._notify()
        if self._client:
            await self._client.close()
        if self._runner:
            await self._runner.cleanup()

    async def __aenter__(self) -> "FakeBotAPI":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ---- fault injection ------------------------------------------------------------------

    def fail(self, method: str, *, code: int = 429, description: str | None = None, retry_after: int | None = None,
             times: int = 1, chat_id: int | None = None) -> None:
        """Refuse the next ``times`` calls of ``method`` (optionally only for ``chat_id``).

        ``code=429`` defaults to ``retry_after=1`` and Telegram's "Too Many Requests" text.
        """
        if code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            description = (f"Too Many Requests: retry after {retry_after}" if code == 429
                           else "Internal Server Error" if code >= 500 else "Bad Request")
        self._failures.append(_Failure(method, code, description, retry_after, times, chat_id))

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: every send to this chat gets 403."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    # ---- what users do --------------------------------------------------------------------

    async def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (``update_id`` is assigned) for getUpdates, or deliver it to the webhook."""
        update = {"update_id": next(self._update_ids), **update}
        self.updates.append(update)
        if self.webhook:
            await self._deliver(update)
        else:
            self._pending.append(update)
            await self._notify()
        return update

    async def send_text(self, user: FakeUser, text: str) -> dict[str, Any]:
        """The user writes ``text`` in their private chat with the bot; returns the update."""
        message = self._user_message(user, text=text)
        command = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
        if command:
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command.group(0))}]
        urls = [{"type": "url", "offset": utf16_len(text[:m.start()]), "length": utf16_len(m.group(0))}
                for m in re.finditer(r"https?://\S+", text)]
        if urls:
            message.setdefault("entities", []).extend(urls)
        return await self.push_update({"message": message})

    async def send_document(self, user: FakeUser, name: str, data: bytes, *, mime_type: str | None = None,
                            caption: str | None = None, declared_size: int | None = None) -> dict[str, Any]:
        """The user sends a file. ``declared_size`` lets a test announce a huge file without building it."""
        stored = self._store_file(data, f"documents/{name}", size=declared_size)
        doc: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                               "file_name": name, "file_size": stored.size}
        if mime_type:
            doc["mime_type"] = mime_type
        message = self._user_message(user, document=doc)
        if caption:
            message["caption"] = caption
        return await self.push_update({"message": message})

    async def press_button(self, user: FakeUser, message: dict[str, Any] | Call, data: str | None = None, *,
                           index: int = 0, stale: bool = False) -> dict[str, Any]:
        """The user presses an inline button of a bot message (a ``Call`` or a message dict).

        Without ``data`` the ``index``-th button's callback data is used. ``stale=True`` makes the
        query expired, so answering it fails as Telegram does after its timeout.
        """
        msg = self._message_of(message)
        if data is None:
            buttons = [b for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
            data = buttons[index]["callback_data"]
        query = _CallbackQuery(id=secrets.token_hex(8), stale=stale)
        self._queries[query.id] = query
        return await self.push_update({"callback_query": {
            "id": query.id, "from": user.to_dict(), "message": msg, "chat_instance": f"ci{user.id}", "data": data}})

    # ---- what tests read ------------------------------------------------------------------

    def mark(self) -> int:
        """The index the next call will have: pass as ``after=`` to look only at later calls."""
        return len(self.calls)

    def sent(self, chat_id: int | FakeUser | None = None, *, after: int = 0,
             methods: Iterable[str] = ("sendMessage", "sendDocument", "sendPhoto", "editMessageText"),
             ok: bool | None = True) -> list[Call]:
        """Calls of ``methods`` (to ``chat_id``) since ``after``."""
        cid = chat_id.id if isinstance(chat_id, FakeUser) else chat_id
        wanted = set(methods)
        return [c for c in self.calls[after:] if c.method in wanted and (cid is None or c.chat_id == cid)
                and (ok is None or c.ok == ok)]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """A bot message as it is now (after edits); None once deleted."""
        return self._messages.get((chat_id, message_id))

    def file_bytes(self, file_id: str) -> bytes:
        return self._files[file_id].data

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates pushed but not yet acknowledged by the bot (its getUpdates offset)."""
        return [u for u in self.updates if u["update_id"] >= self.confirmed_offset and not self.webhook]

    async def wait_for(self, predicate: Callable[[list[Call]], Any], timeout: float = 10.0) -> Any:
        """Wait until ``predicate(calls)`` is truthy; return its value. Fails with the last calls on timeout."""
        assert self._changed is not None, "start() the fake first"
        result: list[Any] = []

        def check() -> bool:
            value = predicate(self.calls)
            if value:
                result.append(value)
                return True
            return False

        try:
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(check), timeout)
        except TimeoutError:
            tail = "\n".join(f"  {c.method} {c.params.get('chat_id', '')} ok={c.ok} {c.error or ''} "
                             f"{(c.text or '')[:120]!r}" for c in self.calls[-12:])
            raise AssertionError(f"condition not met within {timeout}s; last calls:\n{tail}") from None
        return result[0]

    async def wait_reply(self, user: FakeUser | int, *, after: int = 0, timeout: float = 10.0,
                         methods: Iterable[str] = ("sendMessage", "sendDocument", "sendPhoto"),
                         contains: str | None = None) -> Call:
        """The first successful send to the user's chat after ``after`` (optionally containing text)."""
        chat_id = user.id if isinstance(user, FakeUser) else user

        def first(_: list[Call]) -> Call | None:
            for c in self.sent(chat_id, after=after, methods=methods):
                if contains is None or contains in c.plain_text:
                    return c
            return None

        return await self.wait_for(first, timeout)

    async def wait_idle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        """Wait until no call arrived for ``quiet`` seconds (the bot finished reacting)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            count = len(self.calls)
            await asyncio.sleep(quiet)
            if len(self.calls) == count:
                return
        raise AssertionError(f"bot still busy after {timeout}s")

    # ---- HTTP -----------------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params, files = await self._read_params(request)
        handler = getattr(self, f"_m_{method}", None)
        call = Call(method=method, params=params, files=files, at=time.monotonic(), ok=False)
        if handler is None:
            call.error, call.error_code = "Not Found", 404
            await self._record(call)
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        try:
            self._inject(method, params)
            result = await handler(params, files)
        except ApiRefusal as refusal:
            call.error, call.error_code = refusal.description, refusal.code
            await self._record(call)
            return web.json_response(refusal.envelope(), status=refusal.code)
        call.ok, call.result = True, result
        await self._record(call)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        path = request.match_info["path"]
        for f in self._files.values():
            if f.file_path == path:
                return web.Response(body=f.data, content_type="application/octet-stream")
        return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        raw: dict[str, str] = {}
        files: dict[str, UploadedFile] = {}
        if request.content_type == "multipart/form-data":
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()
                if part.filename is not None:
                    files[part.name] = UploadedFile(part.filename, part.headers.get("Content-Type"), bytes(data))
                else:
                    raw[part.name] = bytes(data).decode("utf-8")
        elif request.content_type == "application/json":
            body = await request.read()
            return (json.loads(body) if body else {}), files
        else:
            raw = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
            raw.update(request.query)
        return {k: _decode(k, v) for k, v in raw.items()}, files

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        for listener in self.listeners:
            listener(call)
        await self._notify()

    async def _notify(self) -> None:
        if self._changed is None:
            return
        async with self._changed:
            self._changed.notify_all()

    def _inject(self, method: str, params: dict[str, Any]) -> None:
        chat_id = params.get("chat_id")
        if chat_id in self._blocked and method.startswith(("send", "edit", "copy", "forward")):
            raise ApiRefusal(403, "Forbidden: bot was blocked by the user")
        for failure in self._failures:
            if failure.times > 0 and failure.method == method and failure.chat_id in (None, chat_id):
                failure.times -= 1
                raise ApiRefusal(failure.code, failure.description, failure.retry_after)

    # ---- methods --------------------------------------------------------------------------

    async def _m_getMe(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return self.bot_user

    async def _m_logOut(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _m_setWebhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        url = params.get("url") or ""
        if not url:
            self.webhook = None
            return True
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ApiRefusal(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiRefusal(400, "Bad Request: secret token contains unallowed characters")
        self.webhook = {"url": url, "secret_token": secret}
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._pending)}

    async def _m_getUpdates(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        if self.webhook:
            raise ApiRefusal(409, "Conflict: can't use getUpdates method while webhook is active; "
                                  "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        limit = max(1, min(int(params.get("limit") or 100), 100))
        timeout = float(params.get("timeout") or 0)
        if offset:
            self.confirmed_offset = max(self.confirmed_offset, offset)
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        if not self._pending and timeout > 0 and not self._closing:
            assert self._changed is not None
            try:
                async with self._changed:
                    await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._pending) or self._closing),
                                           timeout)
            except TimeoutError:
                pass
        return self._pending[:limit]

    async def _m_setMyCommands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        commands = params.get("commands") or []
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", c.get("command", "")):
                raise ApiRefusal(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(c.get("description", "")) <= 256:
                raise ApiRefusal(400, "Bad Request: command description is empty")
        self.commands[params.get("language_code") or ""] = commands
        return True

    async def _m_getMyCommands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return self.commands.get(params.get("language_code") or "", [])

    async def _m_deleteMyCommands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        self.commands.pop(params.get("language_code") or "", None)
        return True

    async def _m_sendChatAction(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        self.chat_actions.append((params["chat_id"], params.get("action", "")))
        return True

    async def _m_sendMessage(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        text = params.get("text") or ""
        self._check_text(text, params.get("parse_mode"), MESSAGE_LIMIT, "message is too long")
        shown = visible_text(text) if params.get("parse_mode") == "HTML" else text
        if not shown.strip():
            raise ApiRefusal(400, "Bad Request: message text is empty")
        self._check_markup(params.get("reply_markup"))
        return self._bot_message(params, text=text)

    async def _m_editMessageText(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        msg = self._existing(params, "message to edit not found")
        text = params.get("text") or ""
        self._check_text(text, params.get("parse_mode"), MESSAGE_LIMIT, "message is too long")
        self._check_markup(params.get("reply_markup"))
        shown = visible_text(text) if params.get("parse_mode") == "HTML" else text
        markup = params.get("reply_markup")
        if shown == msg.get("text") and markup == msg.get("reply_markup"):
            raise ApiRefusal(400, "Bad Request: message is not modified: specified new message content and reply "
                                  "markup of the message are exactly the same as a current content and reply markup "
                                  "of the message")
        msg["text"] = shown
        msg["edit_date"] = int(time.time())
        if markup is not None:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)
        return msg

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        msg = self._existing(params, "message to edit not found")
        markup = params.get("reply_markup")
        self._check_markup(markup)
        if markup == msg.get("reply_markup") or (not markup and "reply_markup" not in msg):
            raise ApiRefusal(400, "Bad Request: message is not modified: specified new message content and reply "
                                  "markup of the message are exactly the same as a current content and reply markup "
                                  "of the message")
        if markup:
            msg["reply_markup"] = markup
        else:
            msg.pop("reply_markup", None)
        return msg

    async def _m_deleteMessage(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        key = (params.get("chat_id"), params.get("message_id"))
        if key not in self._messages:
            raise ApiRefusal(400, "Bad Request: message to delete not found")
        del self._messages[key]
        self._deleted.add(key)  # type: ignore[arg-type]
        return True

    async def _m_sendDocument(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        upload = self._upload(params, files, "document")
        self._check_caption(params)
        self._check_markup(params.get("reply_markup"))
        if isinstance(upload, UploadedFile):
            stored = self._store_file(upload.data, f"documents/{upload.filename or 'file'}")
            doc = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                   "file_name": upload.filename, "file_size": stored.size}
            if upload.content_type:
                doc["mime_type"] = upload.content_type
        else:
            stored = self._files.get(upload)
            if stored is None:
                raise ApiRefusal(400, "Bad Request: wrong file identifier/HTTP URL specified")
            doc = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": stored.size}
        return self._bot_message(params, document=doc)

    async def _m_sendPhoto(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        upload = self._upload(params, files, "photo")
        self._check_caption(params)
        self._check_markup(params.get("reply_markup"))
        if isinstance(upload, UploadedFile):
            if not upload.data.startswith((b"\x89PNG", b"\xff\xd8")):
                raise ApiRefusal(400, "Bad Request: IMAGE_PROCESS_FAILED")
            stored = self._store_file(upload.data, f"photos/{upload.filename or 'photo'}")
        else:
            stored = self._files.get(upload)
            if stored is None:
                raise ApiRefusal(400, "Bad Request: wrong file identifier/HTTP URL specified")
        photo = [{"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "width": 800, "height": 600,
                  "file_size": stored.size}]
        return self._bot_message(params, photo=photo)

    async def _m_getFile(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        stored = self._files.get(params.get("file_id") or "")
        if stored is None:
            raise ApiRefusal(400, "Bad Request: invalid file_id")
        if stored.size > CLOUD_DOWNLOAD_LIMIT and not self.local_mode:
            raise ApiRefusal(400, "Bad Request: file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": stored.size,
                "file_path": stored.file_path}

    async def _m_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        query = self._queries.get(params.get("callback_query_id") or "")
        if query is None or query.stale or query.answered:
            raise ApiRefusal(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(params.get("text") or "") > 200:
            raise ApiRefusal(400, "Bad Request: MESSAGE_TOO_LONG")
        query.answered = True
        return True

    # ---- helpers --------------------------------------------------------------------------

    def _user_message(self, user: FakeUser, **content: Any) -> dict[str, Any]:
        return {"message_id": self._next_message_id(user.id), "date": int(time.time()), "chat": user.chat(),
                "from": user.to_dict(), **content}

    def _bot_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            raise ApiRefusal(400, "Bad Request: chat not found")
        if "text" in content and params.get("parse_mode") == "HTML":
            content["text"] = visible_text(content["text"])
        msg: dict[str, Any] = {"message_id": self._next_message_id(chat_id), "date": int(time.time()),
                               "chat": {"id": chat_id, "type": "private"}, "from": self.bot_user, **content}
        if params.get("caption"):
            msg["caption"] = visible_text(params["caption"]) if params.get("parse_mode") == "HTML" \
                else params["caption"]
        if params.get("reply_markup") and "inline_keyboard" in params["reply_markup"]:
            msg["reply_markup"] = params["reply_markup"]
        self._messages[(chat_id, msg["message_id"])] = msg
        return msg

    def _existing(self, params: dict[str, Any], missing: str) -> dict[str, Any]:
        msg = self._messages.get((params.get("chat_id"), params.get("message_id")))  # type: ignore[arg-type]
        if msg is None:
            raise ApiRefusal(400, f"Bad Request: {missing}")
        return msg

    def _message_of(self, message: dict[str, Any] | Call) -> dict[str, Any]:
        if isinstance(message, Call):
            result = message.result
            current = self._messages.get((result["chat"]["id"], result["message_id"]))
            return dict(current if current is not None else result)
        return dict(message)

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _store_file(self, data: bytes, path: str, size: int | None = None) -> _StoredFile:
        file_id = "F" + secrets.token_hex(12)
        stored = _StoredFile(file_id, "U" + secrets.token_hex(6), f"{file_id[:8]}/{path}", data,
                             size if size is not None else len(data))
        self._files[file_id] = stored
        return stored

    def _upload(self, params: dict[str, Any], files: dict[str, UploadedFile], name: str) -> UploadedFile | str:
        value = params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value[len("attach://"):])
        elif name in files:
            upload = files[name]
        elif isinstance(value, str) and value:
            return value   # a file_id sent again
        else:
            upload = None
        if upload is None:
            raise ApiRefusal(400, f"Bad Request: there is no {name} in the request")
        if len(upload.data) > UPLOAD_LIMIT:
            raise ApiRefusal(413, "Request Entity Too Large")
        if not upload.data:
            raise ApiRefusal(400, "Bad Request: file must be non-empty")
        return upload

    def _check_text(self, text: str, parse_mode: str | None, limit: int, too_long: str) -> None:
        if parse_mode == "HTML":
            check_html(text)
            shown = visible_text(text)
        else:
            shown = text
        if utf16_len(shown) > limit:
            raise ApiRefusal(400, f"Bad Request: {too_long}")

    def _check_caption(self, params: dict[str, Any]) -> None:
        if params.get("caption"):
            self._check_text(params["caption"], params.get("parse_mode"), CAPTION_LIMIT, "message caption is too long")

    def _check_markup(self, markup: Any) -> None:
        if not markup:
            return
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise ApiRefusal(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
                    raise ApiRefusal(400, "Bad Request: BUTTON_DATA_INVALID")

    async def _deliver(self, update: dict[str, Any]) -> None:
        assert self.webhook is not None
        if self._client is None:
            self._client = aiohttp.ClientSession()
        headers = {}
        if self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
        async with self._client.post(self.webhook["url"], json=update, headers=headers) as resp:
            self.webhook_deliveries.append((update["update_id"], resp.status))


def _decode(name: str, value: str) -> Any:
    if name in _JSON_PARAMS:
        return json.loads(value)
    if name in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _BOOL_PARAMS:
        return value.lower() == "true"
    return value

