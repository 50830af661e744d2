"""The v2 calls: each checks its parameters in the contract's order, calls one service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from anyio import to_thread

from ipfleet.api.v2.params import Params
from ipfleet.api.v2.render import Node, ip_list_json, ip_list_xml
from ipfleet.config import Settings
from ipfleet.domain.errors import InvalidParameter, InvalidValue, MissingParameter
from ipfleet.domain.records import Account, Actor
from ipfleet.domain.states import IpState
from ipfleet.services.ips import list_ips
from ipfleet.services.subusers import SetMode, set_subuser_ips, subuser_ips
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


def require(req: V2Request, *names: str) -> None:
    """Refuse the call naming every missing parameter, in the order given."""
    missing = [n for n in names if (req.user() if n == "user" else req.value(n)) is None]
    if missing:
        raise MissingParameter(missing)


async def customer_ip(req: V2Request) -> V2Result:
    """customer.ip: the account's IPs in one state (spec §4)."""
    require(req, "list")
    state = req.enum("list", IpState)
    ips = list_ips(req.db, account=req.account, state=state)
    return V2Result(ip_list_json(ips), ip_list_xml(ips))


class SendIpTask(StrEnum):
    LIST = "list"
    APPEND = "append"


async def customer_sendip(req: V2Request) -> V2Result:
    """customer.sendip: list or replace a subuser's IPs (spec §5)."""
    task_raw = req.params.get("task")
    require(req, *(["task", "user", "set"] if task_raw == "append" else ["task", "user"]))
    task = req.enum("task", SendIpTask)
    user = req.user()
    assert user is not None
    if task is SendIpTask.LIST:
        ips = subuser_ips(req.db, account=req.account, username=user)
        cluster = req.account.outbound_cluster or req.settings.outbound_cluster
        return V2Result(
            {"success": "success", "outboundcluster": cluster, "ips": ip_list_json(ips)},
            ("sendips", [("ocluster", cluster), ip_list_xml(ips)]),
        )
    mode = req.enum("set", SetMode)
    ips = req.params.getlist("ip")
    if ips and mode is not SetMode.SPECIFY:
        raise InvalidValue(f"The ip parameter is not allowed with set={mode.value}")

    def write() -> list[str]:
        return set_subuser_ips(
            req.db, account=req.account, username=user, mode=mode, ips=ips, actor=req.actor
        )

    await to_thread.run_sync(write)
    return SUCCESS


CALLS: dict[str, Handler] = {
    "customer.ip": customer_ip,
    "customer.sendip": customer_sendip,
}
