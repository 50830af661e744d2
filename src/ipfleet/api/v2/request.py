"""What every v2 call gets (an authenticated request) and gives back (a result)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from ipfleet.api.edge import RequestEdge
from ipfleet.api.v2.params import Params
from ipfleet.api.v2.render import Node
from ipfleet.config import Settings
from ipfleet.domain.errors import InvalidParameter, MissingParameter
from ipfleet.domain.records import Account, Actor
from ipfleet.store.uow import Database

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class V2Request:
    """An authenticated v2 call."""

    db: Database
    settings: Settings
    account: Account
    actor: Actor
    params: Params
    edge: RequestEdge

    def value(self, name: str) -> str | None:
        """A parameter's value; an empty one counts as missing."""
        return self.params.get(name) or None

    def user(self) -> str | None:
        """The subuser named by ``user`` (or ``username``, which some clients send)."""
        return self.value("user") or self.value("username")

    def enum(self, name: str, kind: type[E]) -> E:
        """An enumerated parameter, exact and lower-case, or ``Invalid <name> parameter``."""
        raw = self.params.get(name) or ""
        try:
            return kind(raw)
        except ValueError:
            raise InvalidParameter(name) from None


@dataclass(frozen=True, slots=True)
class V2Result:
    json: Any
    xml: Node


SUCCESS = V2Result({"message": "success"}, ("result", [("message", "success")]))

Handler = Callable[[V2Request], Awaitable[V2Result]]


#: Parameters with a fixed set of values: given empty, they are invalid, not missing.
ENUMERATED = frozenset({"list", "task", "set"})


def _absent(req: V2Request, name: str) -> bool:
    if name == "user":
        return req.user() is None
    if name in ENUMERATED:
        return not req.params.has(name)
    return req.value(name) is None


def require(req: V2Request, *names: str) -> None:
    """Refuse the call naming every missing parameter, in the order given."""
    missing = [n for n in names if _absent(req, n)]
    if missing:
        raise MissingParameter(missing)


def one_of(req: V2Request, name: str, allowed: tuple[str, ...]) -> str:
    """An enumerated parameter checked against plain strings."""
    raw = req.params.get(name) or ""
    if raw not in allowed:
        raise InvalidParameter(name)
    return raw
