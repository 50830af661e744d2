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


async def authenticate(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """Identify the caller (401 on a bad key, 403 on a refused On-Behalf-Of)."""
    if handler.opt.get("public"):
        return
    db: Database = connection.app.state["db"]
    edge: Edge = connection.app.state["edge"]
    key = bearer_key(connection.headers.get("authorization", ""))
    obo = connection.headers.get("on-behalf-of", "").strip() or None
    attempt = edge.bind(connection.scope, str(connection.scope.get(REQUEST_ID_KEY, "-"))).attempt(
        f"v3:{key_id_of(key) or '?'}" if key else ""
    )
    try:
        caller = await read(authenticate_bearer, db, api_key=key, on_behalf_of=obo)
    except BadCredentials:
        await edge.failed(attempt, "v3 bearer key")
        raise
    if caller.subuser is not None and not handler.opt.get("on_behalf_of"):
        raise ParentOnly
    connection.scope[CALLER_KEY] = caller  # type: ignore[literal-required]
    connection.scope[ACTOR_KEY] = f"v3:{caller.account.username}"  # type: ignore[literal-required]


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
