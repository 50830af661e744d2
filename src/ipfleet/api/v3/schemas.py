"""The v3 wire shapes (msgspec structs): field names and types as SendGrid's OpenAPI has them."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

NAME_LEN = 64
KEY_NAME_LEN = 100


# Errors -------------------------------------------------------------------------------


class ErrorItem(Struct):
    field: str | None
    message: str


class ErrorBody(Struct):
    """Every v3 error: ``{"errors":[{"field":...,"message":...}]}``."""

    errors: list[ErrorItem]


class LegacyError(Struct):
    """The two pool 404s SendGrid answers in its older shape: ``{"error":"..."}``."""

    error: str


# IPs ----------------------------------------------------------------------------------


class IpOut(Struct, kw_only=True):
    ip: str
    subusers: list[str]
    rdns: str | UnsetType = UNSET
    pools: list[str]
    warmup: bool
    start_date: int | None
    whitelabeled: bool
    assigned_at: int | None


class AssignedIpOut(Struct):
    ip: str
    pools: list[str]
    warmup: bool
    start_date: int | None


class RemainingItem(Struct):
    remaining: int
    period: str
    price_per_ip: float


class RemainingOut(Struct):
    results: list[RemainingItem]


class AddIpsIn(Struct):
    count: Annotated[int, Meta(ge=1, le=10_000)]
    subusers: list[Annotated[str, Meta(max_length=NAME_LEN)]] = msgspec.field(default_factory=list)
    warmup: bool = False


class AddedIp(Struct):
    ip: str
    subusers: list[str]


class AddIpsOut(Struct):
    ips: list[AddedIp]
    remaining_ips: int
    warmup: bool


# Pools --------------------------------------------------------------------------------


class PoolIn(Struct):
    name: str


class PoolRenameIn(Struct):
    name: str


class PoolOut(Struct):
    name: str


class PoolDetailOut(Struct):
    pool_name: str
    ips: list[str]


class IpIn(Struct):
    ip: str


class PoolIpOut(Struct):
    ip: str
    pools: list[str]
    start_date: int | None
    warmup: bool


# Warmup -------------------------------------------------------------------------------


class WarmupOut(Struct):
    ip: str
    start_date: int


# Subusers -----------------------------------------------------------------------------


class SubuserOut(Struct, kw_only=True):
    disabled: bool
    id: int
    username: str
    email: str
    region: str | UnsetType = UNSET


class SubuserIn(Struct):
    username: str
    email: str
    password: str
    ips: list[str]
    region: Literal["global", "eu"] = "global"
    include_region: bool = False


class SubuserCreatedOut(Struct, kw_only=True):
    username: str
    user_id: int
    email: str
    region: str | UnsetType = UNSET


class SubuserPatchIn(Struct):
    disabled: bool


class SubuserIpsOut(Struct):
    ips: list[str]


class SubuserIpSetsOut(Struct):
    """ipfleet's addition: the subuser's set, and what it really sends from."""

    ips: list[str]
    effective: list[str]


# API keys -----------------------------------------------------------------------------


class KeyIn(Struct):
    name: str
    scopes: list[str] | UnsetType = UNSET


class KeyCreatedOut(Struct):
    api_key: str
    api_key_id: str
    name: str


class KeyItem(Struct):
    api_key_id: str
    name: str


class KeyListOut(Struct):
    result: list[KeyItem]
