"""ASGI middleware: request-size limits, HEAD for every GET, security headers.

Pure ASGI (no per-request buffering), so a large or slow body costs the event
loop nothing but a length check per chunk:

* a body over ``max_body_bytes`` (by Content-Length, or counted as it
  streams) is answered 413 before it is read; a body that stops arriving for
  ``body_timeout_s`` (shorter than its Content-Length, a stalled client) is
  answered 408;
* ``HEAD`` runs the ``GET`` route and sends its headers without the body;
* every response carries ``X-Content-Type-Options``, ``X-Frame-Options``,
  ``Referrer-Policy``, a ``Content-Security-Policy`` that allows only this
  origin's scripts and styles, and ``X-CKG-Build`` naming the build served.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", CSP.encode()),
]


class _TooLarge(Exception):
    pass


class _Stalled(Exception):
    pass


async def _plain(send: Send, status: int, text: str, extra: list | None = None) -> None:
    body = (text + "\n").encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *SECURITY_HEADERS,
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimits:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, body_timeout_s: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout_s = body_timeout_s

    def _too_large(self) -> str:
        return (
            f"the request body is larger than {self.max_body_bytes:,} bytes, this server's "
            "limit (--max-body); send a smaller query"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _plain(send, 400, "Content-Length is not a number")
                    return
                if declared > self.max_body_bytes:
                    await _plain(send, 413, self._too_large())
                    return
        received = 0
        complete = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, complete
            if complete:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.body_timeout_s)
            except TimeoutError:
                raise _Stalled from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise _TooLarge
                complete = not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _plain(send, 413, self._too_large())
        except _Stalled:
            if not started:
                await _plain(
                    send,
                    408,
                    f"the request body did not arrive within {self.body_timeout_s:g} s "
                    "(shorter than its Content-Length?)",
                )


class HeadAsGet:
    """Answer HEAD wherever GET is answered: the GET's status and headers, no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        scope = dict(scope, method="GET")

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app(scope, receive, headers_only)


class SecurityHeaders:
    """Security headers and the served build's id on every response."""

    def __init__(self, app: ASGIApp, build_id: Callable[[], str | None]) -> None:
        self.app = app
        self.build_id = build_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                build = self.build_id()
                if build:
                    headers.append((b"x-ckg-build", build.encode()))
                message = dict(message, headers=headers)
            await send(message)

        await self.app(scope, receive, with_headers)
