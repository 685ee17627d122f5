"""A TLS-terminating reverse proxy in front of kcterm-sim, for clients that speak only https and
wss (KuCoin's legacy SDK: its WebSocket passes ssl=<encrypt> to websockets, which refuses any
ssl argument for a ws:// URL). It is what an nginx in front of a kcterm-sim on another machine
does: TLS outside, plain HTTP inside, `X-Forwarded-Proto: https` on every request, WebSocket
frames passed through.

The certificate is self-signed for 127.0.0.1, made per test; clients trust it through
SSL_CERT_FILE (OpenSSL's default verify paths: websockets, the ssl module) and
REQUESTS_CA_BUNDLE (requests).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import ipaddress
import ssl
from pathlib import Path

import aiohttp
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
    "content-encoding",
}


def self_signed_loopback_cert(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) PEM files for https://127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "loopback.pem", folder / "loopback.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class TlsProxy:
    """Runs on whatever loop starts it (the sim's thread, so that a blocking client in the
    test's loop cannot stall it)."""

    def __init__(self, upstream: str, cert: Path, key: Path) -> None:
        self.upstream = upstream.rstrip("/")
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(cert, key)
        self.base_url = ""
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    async def start(self) -> str:
        self._http = aiohttp.ClientSession(auto_decompress=False)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.context)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server)
        port = server.sockets[0].getsockname()[1]
        self.base_url = f"https://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    def _headers(self, request: web.Request) -> dict[str, str]:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        headers["Host"] = request.host  # the sim names the address the client reached
        headers["X-Forwarded-Proto"] = "https"
        return headers

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._http is not None
        target = self.upstream + request.raw_path
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._websocket(request, target)
        async with self._http.request(
            request.method,
            target,
            headers=self._headers(request),
            data=await request.read(),
            allow_redirects=False,
        ) as upstream:
            body = await upstream.read()
            headers = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP}
            return web.Response(status=upstream.status, body=body, headers=headers)

    async def _websocket(self, request: web.Request, target: str) -> web.WebSocketResponse:
        assert self._http is not None
        outside = web.WebSocketResponse(autoping=False)
        await outside.prepare(request)
        async with self._http.ws_connect(
            target.replace("http", "ws", 1), headers={"X-Forwarded-Proto": "https"}, autoping=False
        ) as inside:

            async def pipe(
                source: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
                sink: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
            ) -> None:
                async for message in source:
                    if message.type is aiohttp.WSMsgType.TEXT:
                        await sink.send_str(message.data)
                    elif message.type is aiohttp.WSMsgType.BINARY:
                        await sink.send_bytes(message.data)
                await sink.close()

            tasks = [
                asyncio.ensure_future(pipe(outside, inside)),
                asyncio.ensure_future(pipe(inside, outside)),
            ]
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                    await task
        return outside
