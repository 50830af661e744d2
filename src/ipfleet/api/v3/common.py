"""Pieces every v3 handler module shares: dependencies, documented errors, conversions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Annotated, Any, ParamSpec, TypeVar

from anyio import to_thread
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import PathParameter, QueryParameter

from ipfleet.api.v3.schemas import ErrorBody, LegacyError
from ipfleet.config import Settings
from ipfleet.domain.records import Actor
from ipfleet.services.authentication import Caller
from ipfleet.store.uow import Database

P = ParamSpec("P")
T = TypeVar("T")

# What the app-level dependencies provide to handlers (see ``api/v3/auth.py``).
DbDep = NamedDependency[Database]
SettingsDep = NamedDependency[Settings]
CallerDep = NamedDependency[Caller]
ActorDep = NamedDependency[Actor]

MAX_PAGE = 10_000
MAX_OFFSET = 2**31 - 1

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="Page size.")]
#: What an IP address looks like, in the OpenAPI document (requests take any valid spelling).
IP_FORMATS: dict[str, Any] = {"anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}
IpPath = Annotated[
    str, PathParameter(schema_extra=IP_FORMATS, description="An IP address, IPv4 or IPv6.")
]
OptionalLimit = Annotated[
    int | None, QueryParameter(ge=1, le=MAX_PAGE, description="Page size (default: all).")
]
Offset = Annotated[
    int, QueryParameter(ge=0, le=MAX_OFFSET, description="How many items to skip before the page.")
]

_WHY = {
    400: "The request is invalid; each error names the field at fault, when there is one.",
    401: "Missing or wrong API key.",
    403: "On-Behalf-Of names no subuser of this account, or this call is the account's own.",
    404: "Not found on this account.",
    405: "Method not allowed on this path.",
    413: "Request body larger than the server accepts.",
}


def errors(*codes: int, legacy_404: bool = False) -> dict[int, ResponseSpec]:
    """The documented error answers of a handler (400, 401 and 403 come with every one)."""
    spec: dict[int, ResponseSpec] = {}
    for code in sorted({400, 401, 403, *codes}):
        container = LegacyError if (code == 404 and legacy_404) else ErrorBody
        spec[code] = ResponseSpec(
            data_container=container, description=_WHY[code], generate_examples=False
        )
    return spec


def unix(moment: datetime | None) -> int | None:
    """A time as whole seconds since the epoch, as SendGrid gives them."""
    return None if moment is None else int(moment.timestamp())


async def call(service: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a (blocking) writing service function in a worker thread (reads: ``offload.read``).

    Handlers are async and call this rather than being sync with ``sync_to_thread``:
    Litestar 2.25 wraps a sync handler again each time another handler joins its path,
    and a handler wrapped three times answers with an unawaited coroutine.
    """
    return await to_thread.run_sync(partial(service, *args, **kwargs))
