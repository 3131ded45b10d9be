"""FastAPI dependencies: how a route gets the pool, the templates and the settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ckg_rdf.service.state import ServiceState


def get_state(request: Request) -> ServiceState:
    """The app's :class:`ServiceState`, set by the lifespan in ``create_app``."""
    return request.app.state.service


State = Annotated[ServiceState, Depends(get_state)]


def server_root(request: Request) -> str:
    """The absolute URL this request reached the server at, ending in a slash.

    Used for ``sd:endpoint`` and VoID links: Comunica queries the endpoint the
    service description names, so it must be where the client can reach us.
    """
    return str(request.base_url)
