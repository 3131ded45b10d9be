"""FastAPI dependencies: how a route gets the app's state, and watches its client."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from ckg_rdf.service.middleware import Receive, Scope
from ckg_rdf.service.state import ServiceState


def get_state(request: Request) -> ServiceState:
    """The app's :class:`ServiceState`, set by the lifespan in ``create_app``."""
    return request.app.state.service


State = Annotated[ServiceState, Depends(get_state)]


def scope_client(scope: Scope) -> str:
    """Who is asking, for per-client limits (the peer address), from the ASGI scope."""
    client = scope.get("client")
    return client[0] if client else ""


def client_key(request: Request) -> str:
    """The same, for a route's request."""
    return scope_client(request.scope)


@contextlib.asynccontextmanager
async def client_gone(receive: Receive) -> AsyncIterator[asyncio.Future[None]]:
    """A future done when the client goes away (enter after the request body was read).

    The server's ``receive`` answers ``http.disconnect`` when the connection is lost, so
    one waiting task suffices: no polling.
    """
    loop = asyncio.get_running_loop()
    gone: asyncio.Future[None] = loop.create_future()

    async def watch() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                if not gone.done():
                    gone.set_result(None)
                return

    task = loop.create_task(watch())
    try:
        yield gone
    finally:
        task.cancel()
