"""What the APIs share at their edge: who the client is, the failed-authentication guard,
and the bound on password hashes computed at once."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from anyio import CapacityLimiter, to_thread

from ipfleet.api.body import Scope
from ipfleet.api.offload import read
from ipfleet.config import Settings
from ipfleet.domain.errors import BadCredentials
from ipfleet.domain.records import Account
from ipfleet.services.authentication import authenticate
from ipfleet.services.guard import Attempt, AuthGuard, Limits
from ipfleet.store.uow import Database

T = TypeVar("T")
#: Form fields a v2 request may carry beyond its addresses (credentials, task, user...).
FORM_SLACK = 64


def form_fields(settings: Settings) -> int:
    """Most fields one v2 request may carry: every address it may name, and the rest."""
    return settings.max_ips_per_request + FORM_SLACK


def client_of(scope: Mapping[str, Any]) -> str:
    """The client's address as the server saw it."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class Edge:
    """One worker's guard and hashing slots, shared by the v2 and v3 applications."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.guard = AuthGuard(
            db,
            Limits(
                per_client=settings.auth_failures_per_client,
                per_name=settings.auth_failures_per_name,
                window_s=settings.auth_failure_window_s,
            ),
        )
        self.password_checks = settings.password_checks
        self._hashing: CapacityLimiter | None = None

    def hashing(self) -> CapacityLimiter:
        """The slots password hashes run in (made on first use, inside the event loop)."""
        if self._hashing is None:
            self._hashing = CapacityLimiter(self.password_checks)
        return self._hashing

    def bind(self, scope: Mapping[str, Any], request_id: str) -> RequestEdge:
        """This edge, for one request."""
        return RequestEdge(self, client_of(scope), request_id)

    async def failed(self, attempt: Attempt, what: str) -> None:
        """Count a failure off the event loop; raise the refusal if a limit is passed."""
        refusal = await to_thread.run_sync(lambda: self.guard.failed(attempt, what))
        if refusal is not None:
            raise refusal

    async def authenticate(self, scope: Scope, user: str, key: str, request_id: str) -> Account:
        """The account of a v2 ``api_user``/``api_key`` pair, failures counted."""
        attempt = Attempt(client_of(scope), f"v2:{user}" if user else "", request_id)
        self.guard.check(attempt)
        try:
            return await read(authenticate, self.db, username=user, api_key=key)
        except BadCredentials:
            await self.failed(attempt, "v2 api_user/api_key")
            raise


@dataclass(frozen=True, slots=True)
class RequestEdge:
    """The edge as one request sees it."""

    edge: Edge
    client: str
    request_id: str

    def attempt(self, name: str) -> Attempt:
        """An authentication attempt by this request's client against ``name``."""
        attempt = Attempt(self.client, name, self.request_id)
        self.edge.guard.check(attempt)
        return attempt

    async def failed(self, attempt: Attempt, what: str) -> None:
        await self.edge.failed(attempt, what)

    async def hashing(self, work: Callable[[], T]) -> T:
        """Run ``work`` (which hashes a password) in a thread, in one of the bounded slots."""
        return await to_thread.run_sync(work, limiter=self.edge.hashing())
