"""FastAPI dependencies: how a route gets the app's state, and watches its client."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from ckg_rdf.service.state import ServiceState

#: how often a route checks whether its client is still there
DISCONNECT_POLL_S = 0.2


def get_state(request: Request) -> ServiceState:
    """The app's :class:`ServiceState`, set by the lifespan in ``create_app``."""
    return request.app.state.service


State = Annotated[ServiceState, Depends(get_state)]


def client_key(request: Request) -> str:
    """Who is asking, for per-client limits (the peer address)."""
    return request.client.host if request.client else ""


@contextlib.asynccontextmanager
async def disconnect_event(request: Request) -> AsyncIterator[asyncio.Event]:
    """An event set when the client goes away (read the request body before entering)."""
    event = asyncio.Event()

    async def poll() -> None:
        while not event.is_set():
            if await request.is_disconnected():
                event.set()
                return
            await asyncio.sleep(DISCONNECT_POLL_S)

    task = asyncio.get_running_loop().create_task(poll())
    try:
        yield event
    finally:
        task.cancel()
