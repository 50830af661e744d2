"""Errors of the pool, warmup, key and On-Behalf-Of use cases served through v3.

They extend the one tree of ``ipfleet.domain.errors`` (each has its stable ``code``) and
belong there; they live here until that module takes them. ``field`` names the request
field an error is about, for APIs whose error shape has one.
"""

from __future__ import annotations

from ipfleet.domain.errors import Conflict, Forbidden, Invalid, NotFound


class PoolNotFound(NotFound):
    code = "pool_not_found"
    field = "pool_name"

    def __init__(self, name: str) -> None:
        # SendGrid's own words, which clients may compare; ``name`` stays on the error.
        super().__init__("Unable to locate specified IPs Pool")
        self.name = name


class PoolExists(Conflict):
    code = "pool_exists"
    field = "name"

    def __init__(self, name: str) -> None:
        super().__init__(f"A pool with this name already exists: {name}")


class IpNotFound(NotFound):
    """An address that is not on the caller's account (or not visible to the subuser)."""

    code = "ip_not_found"
    field = "ip"

    def __init__(self, address: str) -> None:
        super().__init__(f"IP address not found: {address}")


class IpNotInPool(NotFound):
    code = "ip_not_in_pool"
    field = "ip"

    def __init__(self, address: str, pool: str) -> None:
        super().__init__(f"IP address {address} is not in pool {pool}")


class IpAlreadyInPool(Conflict):
    code = "ip_already_in_pool"
    field = "ip"

    def __init__(self, address: str, pool: str) -> None:
        super().__init__(f"IP address {address} is already in pool {pool}")


class WarmupStarted(Conflict):
    code = "warmup_started"
    field = "ip"

    def __init__(self, address: str) -> None:
        super().__init__(f"IP address is already warming up: {address}")


class NotWarmingUp(NotFound):
    code = "not_warming_up"
    field = "ip"

    def __init__(self, address: str) -> None:
        super().__init__(f"IP address is not warming up: {address}")


class LastKey(Conflict):
    code = "last_key"
    field = "api_key_id"

    def __init__(self) -> None:
        super().__init__("Cannot delete the account's last API key; create its replacement first")


class OnBehalfOfRefused(Forbidden):
    """On-Behalf-Of names no subuser of the caller's account (whoever else it may be)."""

    code = "on_behalf_of_refused"

    def __init__(self, username: str) -> None:
        super().__init__(f"On-Behalf-Of names no subuser of this account: {username}")


class ParentOnly(Forbidden):
    """A call only the account itself may make, sent On-Behalf-Of a subuser."""

    code = "parent_only"

    def __init__(self) -> None:
        super().__init__("This call is not available On-Behalf-Of a subuser")


class BadPoolName(Invalid):
    code = "bad_pool_name"
    field = "name"


class UnknownSubusers(Invalid):
    """Subusers named in a request that are not the caller's (SendGrid's 400 wording)."""

    code = "unknown_subusers"
    field = "subusers"

    def __init__(self, names: list[str]) -> None:
        super().__init__("one or more subusers do not belong to this user: " + ", ".join(names))
        self.names = names
