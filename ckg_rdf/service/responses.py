"""Error answers: one short sentence, no stack trace, in text or HTML."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response

from ckg_rdf.service import conneg
from ckg_rdf.service.state import ServiceState
from ckg_rdf.service.tasks import STATUS, Failure


def status_of(failure: Failure) -> int:
    return STATUS.get(failure.kind, 500)


def text_error(failure: Failure, headers: dict[str, str] | None = None) -> Response:
    """A SPARQL-protocol error: plain text (the protocol leaves the body open)."""
    return PlainTextResponse(failure.message + "\n", status_of(failure), headers=headers)


def wants_html(request: Request) -> bool:
    """Does the client prefer an HTML page to plain text (a browser)?"""
    fmt = conneg.negotiate(
        request.headers.get("accept"), [conneg.Format("text", "text/plain"), conneg.HTML]
    )
    return fmt is conneg.HTML


def page_error(request: Request, state: ServiceState, failure: Failure) -> Response:
    """An error for a page or resource route: HTML for browsers, text otherwise."""
    if not wants_html(request):
        return text_error(failure)
    return state.templates.TemplateResponse(
        request,
        "error.html",
        {"title": f"Error {status_of(failure)}", "failure": failure, "status": status_of(failure)},
        status_code=status_of(failure),
    )
