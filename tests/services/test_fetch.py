"""The guarded link fetcher, against pages served on 127.0.0.1 (never the network)."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from services import fetch as fetch_module
from services.fetch import MAX_REDIRECTS, FetchError, fetch_url, is_blocked_address

PAGE = "<html><head><title>某局2021年政府信息公开工作年度报告</title></head><body><p>规章</p></body></html>"


def _app() -> web.Application:
    app = web.Application()

    async def page(_: web.Request) -> web.Response:
        return web.Response(text=PAGE, content_type="text/html", charset="utf-8")

    async def pdf(_: web.Request) -> web.Response:
        return web.Response(body=b"%PDF-1.4 ...", headers={
            "Content-Type": "application/octet-stream",
            "Content-Disposition": "attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf"})

    async def image(_: web.Request) -> web.Response:
        return web.Response(body=b"\x89PNG", content_type="image/png")

    async def big(_: web.Request) -> web.StreamResponse:
        # Chunked, without Content-Length: only the streaming cap can stop it.
        resp = web.StreamResponse(headers={"Content-Type": "text/plain"})
        resp.enable_chunked_encoding()
        await resp.prepare(_)
        for _i in range(64):
            await resp.write(b"0" * 16384)
        await resp.write_eof()
        return resp

    async def declared_big(_: web.Request) -> web.Response:
        return web.Response(body=b"x" * 5000, content_type="application/pdf")

    async def hop(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        raise web.HTTPFound(f"/hop/{n - 1}" if n > 0 else "/page")

    async def to_private(_: web.Request) -> web.Response:
        raise web.HTTPFound("http://169.254.169.254/latest/meta-data/")

    async def to_ipv6_loopback(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://[::1]:{request.url.port}/page")

    async def missing(_: web.Request) -> web.Response:
        raise web.HTTPNotFound()

    app.router.add_get("/page", page)
    app.router.add_get("/download", pdf)
    app.router.add_get("/image.png", image)
    app.router.add_get("/big", big)
    app.router.add_get("/declared-big", declared_big)
    app.router.add_get("/hop/{n}", hop)
    app.router.add_get("/to-private", to_private)
    app.router.add_get("/to-ipv6-loopback", to_ipv6_loopback)
    app.router.add_get("/missing", missing)
    return app


@pytest.fixture
async def server():
    srv = TestServer(_app(), host="127.0.0.1")
    await srv.start_server()
    yield srv
    await srv.close()


def _url(server: TestServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


async def _refused(url: str, code: str, **kw) -> FetchError:
    with pytest.raises(FetchError) as err:
        await fetch_url(url, max_bytes=kw.pop("max_bytes", 1 << 20), timeout=kw.pop("timeout", 10), **kw)
    assert err.value.code == code
    assert err.value.message_zh and err.value.message_en
    return err.value


async def test_loopback_is_refused_unless_explicitly_allowed(server):
    err = await _refused(_url(server, "/page"), "blocked")
    assert "127.0.0.1" in err.message_en and "内部网络" in err.message_zh
    got = await fetch_url(_url(server, "/page"), max_bytes=1 << 20, allow_private=True)
    assert got.data.decode() == PAGE
    assert got.content_type == "text/html" and got.filename == "page.html"


async def test_a_name_resolving_to_loopback_is_refused_at_connect_time(server):
    err = await _refused(f"http://localhost:{server.port}/page", "blocked")
    assert "localhost" in err.message_en


async def test_redirect_to_a_literal_private_ip_is_refused(server, monkeypatch):
    # Let the test server itself count as public, so only the redirect's target is judged.
    real = fetch_module.is_blocked_address
    monkeypatch.setattr(fetch_module, "is_blocked_address", lambda a: a != "127.0.0.1" and real(a))
    err = await _refused(_url(server, "/to-private"), "blocked")
    assert "169.254.169.254" in err.message_en
    err = await _refused(_url(server, "/to-ipv6-loopback"), "blocked")
    assert "::1" in err.message_en


async def test_redirects_are_followed_up_to_five(server):
    got = await fetch_url(_url(server, f"/hop/{MAX_REDIRECTS - 1}"), max_bytes=1 << 20, allow_private=True)
    assert got.url.endswith("/page") and got.data.decode() == PAGE
    await _refused(_url(server, f"/hop/{MAX_REDIRECTS}"), "too_many_redirects", allow_private=True)


async def test_body_is_capped_while_streaming(server):
    await _refused(_url(server, "/big"), "too_large", allow_private=True, max_bytes=100_000)
    got = await fetch_url(_url(server, "/big"), max_bytes=2 << 20, allow_private=True)
    assert len(got.data) == 64 * 16384


async def test_declared_length_over_the_cap_is_refused_before_reading(server):
    err = await _refused(_url(server, "/declared-big"), "too_large", allow_private=True, max_bytes=1000)
    assert "MB" in err.message_en


async def test_wrong_content_type_is_refused(server):
    err = await _refused(_url(server, "/image.png"), "bad_content_type", allow_private=True)
    assert "image/png" in err.message_en


async def test_generic_download_is_accepted_by_its_document_name(server):
    got = await fetch_url(_url(server, "/download"), max_bytes=1 << 20, allow_private=True)
    assert got.filename == "年报.pdf" and got.data.startswith(b"%PDF")


async def test_http_errors_and_bad_schemes(server):
    err = await _refused(_url(server, "/missing"), "http_error", allow_private=True)
    assert "404" in err.message_en
    await _refused("ftp://example.org/report.pdf", "bad_url")
    await _refused("file:///etc/passwd", "bad_url")


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "224.0.0.1", "240.0.0.1", "::1", "fe80::1", "fc00::1",
                                     "::ffff:127.0.0.1", "::", "ff02::1"])
def test_internal_addresses_are_blocked(address):
    assert is_blocked_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "114.114.114.114", "2400:3200::1"])
def test_public_addresses_are_allowed(address):
    assert not is_blocked_address(address)
