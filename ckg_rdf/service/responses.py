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


# --- what the OpenAPI document says these routes answer --------------------------------
#: text or HTML from the service; JSON from the framework (a path no route takes)
_ERROR_BODY = {"text/plain": {}, "text/html": {}, "application/json": {}}


def error_docs(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI entries for the errors a route answers (one sentence, text or HTML)."""
    why = {
        400: "The request is malformed (a query that does not parse, a bad parameter).",
        404: "The graph knows nothing about this resource.",
        406: "None of the formats the client accepts is offered.",
        503: "The store or index is not ready, or the request ran out of time.",
    }
    return {code: {"description": why[code], "content": _ERROR_BODY} for code in codes}


def rdf_docs(*formats: conneg.Format, errors: tuple[int, ...] = (404, 406)) -> dict:
    """OpenAPI ``responses`` of a route that answers RDF by content negotiation."""
    offered = formats or (*conneg.RDF_FORMATS.values(), conneg.HTML)
    content = {f.media_type: {} for f in offered}
    return {
        200: {"description": "The description, in the negotiated format.", "content": content},
        **error_docs(*errors),
    }
