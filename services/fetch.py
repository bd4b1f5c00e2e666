"""Fetch a report from a link a user sent, without letting the link reach inside our network.

Guards (each one observed to matter):
- only http and https;
- every address a host name resolves to is checked when the connection is made (a resolver that
  refuses loopback, private, link-local, multicast, reserved and unspecified addresses, IPv4 and
  IPv6), so DNS answers cannot smuggle an internal address in;
- literal IP hosts never reach the resolver, so they are checked before every request, and
  redirects are followed by hand (at most five), each hop checked again;
- proxies from the environment are ignored (a proxy would make the connection for us, unchecked);
- one time budget for the whole fetch, and the body is capped while it streams;
- the content type must be a web page or a document type.
``allow_private`` exists for tests serving pages on loopback (Settings.fetch_allow_private).
"""

from __future__ import annotations

import asyncio
import ipaddress
import posixpath
import re
import socket
from dataclasses import dataclass
from email.message import Message
from typing import Literal
from urllib.parse import unquote, urljoin, urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

FetchCode = Literal["bad_url", "blocked", "too_many_redirects", "too_large", "bad_content_type", "timeout",
                    "http_error", "network"]

MAX_REDIRECTS = 5
_REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024

_PAGE_TYPES = {"text/html", "application/xhtml+xml"}
_DOCUMENT_TYPES = {
    "text/plain", "application/pdf", "application/x-pdf", "application/msword", "application/rtf", "text/rtf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/zip", "application/x-zip-compressed", "application/x-zip",
}
# Servers often label downloads generically; accept them only when the name says document.
_GENERIC_TYPES = {"", "application/octet-stream", "application/x-download", "application/force-download",
                  "binary/octet-stream", "application/download"}
_DOCUMENT_SUFFIXES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".zip", ".txt", ".htm", ".html", ".shtml", ".rtf",
                      ".wps"}


class FetchError(Exception):
    def __init__(self, code: FetchCode, message_zh: str, message_en: str) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code: FetchCode = code
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str            # the final URL, after redirects
    filename: str
    content_type: str
    data: bytes


def is_blocked_address(address: str) -> bool:
    """True for any address that is not a public unicast address on the Internet."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and is_blocked_address(str(embedded)):
            return True
    return (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified or not ip.is_global)


def _blocked(host: str) -> FetchError:
    return FetchError("blocked", f"链接指向内部网络地址（{host}），出于安全原因不予访问",
                      f"the link points to an internal network address ({host}); refused for safety")


class _BlockedAddress(OSError):
    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to {address}")
        self.host = host


class GuardedResolver(AbstractResolver):
    """Resolves with the system resolver, then refuses if any answer is not a public address."""

    def __init__(self) -> None:
        self._inner = ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            if is_blocked_address(result["host"]):
                raise _BlockedAddress(host, result["host"])
        return results

    async def close(self) -> None:
        await self._inner.close()


def _check_url(url: str, allow_private: bool) -> None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError as exc:
        raise FetchError("bad_url", "链接格式不正确", "the link is malformed") from exc
    if parts.scheme not in ("http", "https"):
        raise FetchError("bad_url", "只支持 http 和 https 链接", "only http and https links are supported")
    if not host:
        raise FetchError("bad_url", "链接中没有主机名", "the link has no host name")
    if allow_private:
        return
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return  # a name: checked by the resolver when the connection is made
    if is_blocked_address(host):
        raise _blocked(host)


def _content_type(headers) -> str:
    if not headers.get("Content-Type"):
        return ""
    msg = Message()
    msg["content-type"] = headers["Content-Type"]
    return msg.get_content_type()


_FILENAME_STAR = re.compile(r"filename\*\s*=\s*([^']*)'[^']*'([^;]+)", re.I)
_FILENAME = re.compile(r'filename\s*=\s*"?([^";]+)"?', re.I)


def _filename(url: str, headers, content_type: str) -> str:
    disposition = headers.get("Content-Disposition", "")
    name = ""
    m = _FILENAME_STAR.search(disposition)
    if m:
        name = unquote(m.group(2).strip(), encoding=m.group(1) or "utf-8", errors="replace")
    elif (m := _FILENAME.search(disposition)):
        raw = m.group(1).strip()
        # Servers in China often send GBK or UTF-8 bytes here, which aiohttp decodes as latin-1.
        try:
            raw_bytes = raw.encode("latin-1")
            for enc in ("utf-8", "gb18030"):
                try:
                    raw = raw_bytes.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
        except UnicodeEncodeError:
            pass
        name = unquote(raw)
    if not name:
        name = unquote(posixpath.basename(urlsplit(url).path))
    name = posixpath.basename(name.replace("\\", "/")).strip()
    if not name:
        name = urlsplit(url).hostname or "page"
    if content_type in _PAGE_TYPES and posixpath.splitext(name)[1].lower() not in {".htm", ".html", ".shtml"}:
        name += ".html"
    return name


def _check_type(content_type: str, filename: str) -> None:
    if content_type in _PAGE_TYPES or content_type in _DOCUMENT_TYPES:
        return
    if content_type in _GENERIC_TYPES and posixpath.splitext(filename)[1].lower() in _DOCUMENT_SUFFIXES:
        return
    shown = content_type or "未知"
    raise FetchError("bad_content_type", f"链接内容不是网页或文档（类型：{shown}）",
                     f"the link is not a web page or a document (type: {content_type or 'unknown'})")


def _too_large(max_bytes: int) -> FetchError:
    mb = max_bytes / (1024 * 1024)
    return FetchError("too_large", f"链接内容过大（超过 {mb:.0f} MB）", f"the linked file is too large (over {mb:.0f} MB)")


async def fetch_url(url: str, *, max_bytes: int, timeout: float = 20, allow_private: bool = False) -> Fetched:
    """Download ``url`` under the guards above; raises ``FetchError`` with a zh and an en message."""
    connector = aiohttp.TCPConnector(resolver=None if allow_private else GuardedResolver(), use_dns_cache=False,
                                     limit=2)
    try:
        async with asyncio.timeout(timeout):
            async with aiohttp.ClientSession(connector=connector, trust_env=False,
                                             headers={"User-Agent": "govreport/1.0 (+annual report checker)"}) as session:
                return await _follow(session, url, max_bytes, allow_private)
    except TimeoutError as exc:
        raise FetchError("timeout", f"访问链接超时（超过 {timeout:.0f} 秒）",
                         f"the link did not answer in time (over {timeout:.0f} s)") from exc
    except aiohttp.ClientConnectorError as exc:
        cause = exc.os_error
        if isinstance(cause, _BlockedAddress):
            raise _blocked(cause.host) from exc
        raise FetchError("network", "无法连接到该网站", f"could not connect to the site ({exc})") from exc
    except aiohttp.InvalidURL as exc:
        raise FetchError("bad_url", "链接格式不正确", "the link is malformed") from exc
    except aiohttp.ClientError as exc:
        raise FetchError("network", "访问链接失败", f"fetching the link failed ({exc})") from exc
    finally:
        await connector.close()


async def _follow(session: aiohttp.ClientSession, url: str, max_bytes: int, allow_private: bool) -> Fetched:
    for _ in range(MAX_REDIRECTS + 1):
        _check_url(url, allow_private)
        async with session.get(url, allow_redirects=False) as resp:
            if resp.status in _REDIRECTS and "Location" in resp.headers:
                url = urljoin(str(resp.url), resp.headers["Location"])
                continue
            if resp.status >= 400:
                raise FetchError("http_error", f"网站返回错误（HTTP {resp.status}）",
                                 f"the site answered with an error (HTTP {resp.status})")
            content_type = _content_type(resp.headers)
            filename = _filename(str(resp.url), resp.headers, content_type)
            _check_type(content_type, filename)
            if resp.content_length is not None and resp.content_length > max_bytes:
                raise _too_large(max_bytes)
            body = bytearray()
            async for chunk in resp.content.iter_chunked(_CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise _too_large(max_bytes)
            return Fetched(url=str(resp.url), filename=filename, content_type=content_type, data=bytes(body))
    raise FetchError("too_many_redirects", f"链接重定向次数过多（超过 {MAX_REDIRECTS} 次）",
                     f"the link redirects too many times (more than {MAX_REDIRECTS})")
