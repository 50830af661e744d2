"""ipfleet's own OpenAPI 3.1 document for /v3 (the page to try it is ``docs.py``).

Litestar generates the document from the typed handlers; ``finish`` then adds what the
handlers cannot say: bearer auth, the On-Behalf-Of header, the 413 of every call that
takes a body, and ``x-ipfleet-addition`` on the operations SendGrid does not have.
"""

from __future__ import annotations

import copy
from typing import Any

from litestar import Request, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.router import Router

from ipfleet import __version__
from ipfleet.api.v3.common import IP_FORMATS

PUBLIC = {"public": True}
ADDITION_TAG = "ipfleet additions"
DESCRIPTION = (
    "SendGrid's Web API v3 for IPs, IP pools, IP warmup, subusers and API keys, as "
    "ipfleet serves it. Field names, types and statuses follow SendGrid's own OpenAPI "
    "files; operations tagged `ipfleet additions` (and marked `x-ipfleet-addition`) are "
    "ipfleet's own. Authenticate with `Authorization: Bearer <API key>`. The deliberate "
    "deviations from SendGrid's schema are listed in docs/v3.md."
)
OBO_HEADER: dict[str, Any] = {
    "name": "On-Behalf-Of",
    "in": "header",
    "required": False,
    "description": "Act as this subuser of the account (its IPs only).",
    "schema": {"type": "string"},
}


TOO_LARGE: dict[str, Any] = {
    "description": "Request body larger than the server accepts.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
}


def _hidden(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Litestar's own copy of the schema (unfinished) is not served."""
    raise NotFoundException


def openapi_config() -> OpenAPIConfig:
    """Generation settings; Litestar's own schema routes are hidden (see ``_hidden``)."""
    return OpenAPIConfig(
        title="ipfleet SendGrid v3 API",
        version=__version__,
        description=DESCRIPTION,
        render_plugins=[JsonRenderPlugin()],
        openapi_router=Router(
            "/v3/_litestar_schema", route_handlers=[], guards=[_hidden], include_in_schema=False
        ),
    )


def finish(generated: dict[str, Any], obo_operations: set[str]) -> dict[str, Any]:
    """The generated document with auth, On-Behalf-Of and the additions marked."""
    doc = copy.deepcopy(generated)
    doc["servers"] = [{"url": "/"}]
    components = doc.setdefault("components", {})
    components["securitySchemes"] = {"BearerAuth": {"type": "http", "scheme": "bearer"}}
    doc["security"] = [{"BearerAuth": []}]
    tags = {t for item in doc["paths"].values() for op in _ops(item) for t in op.get("tags", [])}
    doc["tags"] = [
        {"name": t, "description": "ipfleet's own operations, not in SendGrid's API"}
        if t == ADDITION_TAG
        else {"name": t}
        for t in sorted(tags)
    ]
    for item in doc["paths"].values():
        for op in _ops(item):
            if ADDITION_TAG in op.get("tags", []):
                op["x-ipfleet-addition"] = True
            if op.get("operationId") in obo_operations:
                op.setdefault("parameters", []).append(dict(OBO_HEADER))
            if "requestBody" in op:
                op["responses"].setdefault("413", copy.deepcopy(TOO_LARGE))
                _ip_formats(op["requestBody"]["content"]["application/json"]["schema"])
    for name, field in IP_FIELDS:
        _ip_formats(components["schemas"][name]["properties"][field])
    return doc


# Request fields that hold IP addresses, and what an address looks like.
IP_FIELDS = (("IpIn", "ip"), ("SubuserIn", "ips"))


def _ip_formats(schema: dict[str, Any]) -> None:
    """Declare IP formats on a string schema or on the items of an array of strings."""
    target = schema.get("items", schema) if schema.get("type") == "array" else schema
    if target.get("type") == "string":
        target.update(copy.deepcopy(IP_FORMATS))


def _ops(item: dict[str, Any]) -> list[dict[str, Any]]:
    methods = ("get", "put", "post", "delete", "patch")
    return [op for method, op in item.items() if method in methods]


def _document(request: Request[Any, Any, Any]) -> dict[str, Any]:
    state = request.app.state
    if state.get("openapi_document") is None:
        obo = {
            str(h.operation_id)
            for route in request.app.routes
            for h in getattr(route, "route_handlers", [])
            if h.opt.get("on_behalf_of")
        }
        state["openapi_document"] = finish(request.app.openapi_schema.to_schema(), obo)
    document: dict[str, Any] = state["openapi_document"]
    return document


@get("/v3/openapi.json", include_in_schema=False, opt=PUBLIC, sync_to_thread=False)
def openapi_json(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of everything served under /v3."""
    return _document(request)


HANDLERS = [openapi_json]
