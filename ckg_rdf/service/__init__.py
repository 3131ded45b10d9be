"""The linked-data service: SPARQL endpoint, dereferenceable IRIs, pages (``ckg serve``).

``create_app`` and ``ServiceSettings`` are imported lazily so that a query worker
(``python -m ckg_rdf.service.worker``) does not pay for importing FastAPI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ckg_rdf.service.app import create_app
    from ckg_rdf.service.settings import ServiceSettings

__all__ = ["ServiceSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from ckg_rdf.service.app import create_app

        return create_app
    if name == "ServiceSettings":
        from ckg_rdf.service.settings import ServiceSettings

        return ServiceSettings
    raise AttributeError(name)
