"""Bearer keys and On-Behalf-Of: a guard that runs before any body is read.

Handlers marked ``opt={"on_behalf_of": True}`` (the IP reads) may act for a subuser;
the others are the account's own and refuse On-Behalf-Of with 403.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from ipfleet.api.access import ACTOR_KEY
from ipfleet.api.body import Scope, header
from ipfleet.api.edge import Edge
from ipfleet.api.offload import read
from ipfleet.api.v3.errors import REQUEST_ID_KEY, request_id
from ipfleet.domain.errors import BadCredentials, ParentOnly
from ipfleet.domain.records import Actor
from ipfleet.services.authentication import Caller, authenticate_bearer, key_id_of
from ipfleet.store.uow import Database

CALLER_KEY = "ipfleet.caller"
OBO = {"on_behalf_of": True}


def bearer_key(authorization: str) -> str:
    """The key of an ``Authorization: Bearer <key>`` header, or "" for anything else."""
    scheme, _, key = authorization.strip().partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


#: Set by the list cache (``api/v3/list_cache.py``), which checks the key before routing:
#: the caller it identified, or the error it met, for the guard to use instead of a
#: second key check (and a second count of one failure).
PRE_CALLER_KEY = "ipfleet.v3.pre_caller"
PRE_ERROR_KEY = "ipfleet.v3.pre_error"


async def identify(scope: Scope, db: Database, edge: Edge) -> Caller:
    """The caller of a request by its bearer key and On-Behalf-Of; a bad key is counted
    against the failed-authentication limits and raised."""
    key = bearer_key(header(scope, b"authorization"))
    obo = header(scope, b"on-behalf-of").strip() or None
    attempt = edge.bind(scope, str(scope.get(REQUEST_ID_KEY, "-"))).attempt(
        f"v3:{key_id_of(key) or '?'}" if key else ""
    )
    try:
        return await read(authenticate_bearer, db, api_key=key, on_behalf_of=obo)
    except BadCredentials:
        await edge.failed(attempt, "v3 bearer key")
        raise


async def authenticate(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Identify the caller (401 on a bad key, 403 on a refused On-Behalf-Of)."""
    if handler.opt.get("public"):
        return
    scope: dict[str, Any] = connection.scope  # type: ignore[assignment]
    error: Exception | None = scope.pop(PRE_ERROR_KEY, None)
    if error is not None:
        raise error
    caller: Caller | None = scope.pop(PRE_CALLER_KEY, None)
    if caller is None:
        caller = await identify(scope, connection.app.state["db"], connection.app.state["edge"])
    if caller.subuser is not None and not handler.opt.get("on_behalf_of"):
        raise ParentOnly
    scope[CALLER_KEY] = caller
    scope[ACTOR_KEY] = f"v3:{caller.account.username}"


def provide_caller(request: Request[Any, Any, Any]) -> Caller:
    """The caller the guard identified."""
    caller: Caller = request.scope[CALLER_KEY]  # type: ignore[literal-required]
    return caller


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    """Who the change log records for a write: the account, and the request id."""
    caller = provide_caller(request)
    return Actor(name=f"v3:{caller.account.username}", request_id=request_id(request))


def provide_db(request: Request[Any, Any, Any]) -> Database:
    """The process's database handle."""
    db: Database = request.app.state["db"]
    return db
