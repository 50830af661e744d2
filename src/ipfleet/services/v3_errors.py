"""Errors of the pool, warmup, key and On-Behalf-Of use cases served through v3.

They extend the one tree of ``ipfleet.domain.errors`` and belong there, each with its own
stable code (``CODE`` below); they live here until that module takes them. Until then
they carry their kind's code only: ``all_error_classes()`` (and the test that checks
docs/errors.md against it) lists the classes that define ``code``, and would see these
only when this module happens to be imported. ``field`` names the request field an error
is about, for APIs whose error shape has one.
"""

from __future__ import annotations

from ipfleet.domain.errors import Conflict, Forbidden, Invalid, IpfleetError, NotFound


class PoolNotFound(NotFound):
    field = "pool_name"

    def __init__(self, name: str) -> None:
        # SendGrid's own words, which clients may compare; ``name`` stays on the error.
        super().__init__("Unable to locate specified IPs Pool")
        self.name = name


class PoolExists(Conflict):
    field = "name"

    def __init__(self, name: str) -> None:
        super().__init__(f"A pool with this name already exists: {name}")


class IpNotFound(NotFound):
    """An address that is not on the caller's account (or not visible to the subuser)."""

    field = "ip"

    def __init__(self, address: str) -> None:
        super().__init__(f"IP address not found: {address}")


class IpNotInPool(NotFound):
    field = "ip"

    def __init__(self, address: str, pool: str) -> None:
        super().__init__(f"IP address {address} is not in pool {pool}")


class IpAlreadyInPool(Conflict):
    field = "ip"

    def __init__(self, address: str, pool: str) -> None:
        super().__init__(f"IP address {address} is already in pool {pool}")


class WarmupStarted(Conflict):
    field = "ip"

    def __init__(self, address: str) -> None:
        super().__init__(f"IP address is already warming up: {address}")


class NotWarmingUp(NotFound):
    field = "ip"

    def __init__(self, address: str) -> None:
        super().__init__(f"IP address is not warming up: {address}")


class LastKey(Conflict):
    field = "api_key_id"

    def __init__(self) -> None:
        super().__init__("Cannot delete the account's last API key; create its replacement first")


class OnBehalfOfRefused(Forbidden):
    """On-Behalf-Of names no subuser of the caller's account (whoever else it may be)."""

    def __init__(self, username: str) -> None:
        super().__init__(f"On-Behalf-Of names no subuser of this account: {username}")


class ParentOnly(Forbidden):
    """A call only the account itself may make, sent On-Behalf-Of a subuser."""

    def __init__(self) -> None:
        super().__init__("This call is not available On-Behalf-Of a subuser")


class BadPoolName(Invalid):
    field = "name"


class UnknownSubusers(Invalid):
    """Subusers named in a request that are not the caller's (SendGrid's 400 wording)."""

    field = "subusers"

    def __init__(self, names: list[str]) -> None:
        super().__init__("one or more subusers do not belong to this user: " + ", ".join(names))
        self.names = names


#: The code each class is to have once it moves to ``ipfleet.domain.errors``.
CODE: dict[type[IpfleetError], str] = {
    PoolNotFound: "pool_not_found",
    PoolExists: "pool_exists",
    IpNotFound: "ip_not_found",
    IpNotInPool: "ip_not_in_pool",
    IpAlreadyInPool: "ip_already_in_pool",
    WarmupStarted: "warmup_started",
    NotWarmingUp: "not_warming_up",
    LastKey: "last_key",
    OnBehalfOfRefused: "on_behalf_of_refused",
    ParentOnly: "parent_only",
    BadPoolName: "bad_pool_name",
    UnknownSubusers: "unknown_subusers",
}
