"""Plain records passed between the layers (no behaviour, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: The v2 profile fields of a subuser besides its email, in the order SendGrid's user
#: object lists them (``company`` is ipfleet's, last).
#: The send settings of an IP (v3 /v3/send_ips) as it comes to an account and as it leaves
#: one: enabled, the account itself sends from it, region "us". No tenant's choice stays
#: on an address.
SEND_DEFAULTS: dict[str, bool | str] = {"enabled": True, "parent_assigned": True, "region": "us"}

PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "address",
    "address2",
    "city",
    "state",
    "zip",
    "country",
    "phone",
    "website",
    "company",
)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change, and the request it came with (written to the change log)."""

    name: str
    request_id: str


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    username: str
    outbound_cluster: str | None
    ip_quota: int | None
    data_version: int


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    key_id: str
    name: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Subuser:
    id: int
    account_id: int
    username: str
    email: str
    active: bool


@dataclass(frozen=True, slots=True)
class IpRow:
    id: int
    address: str
    account_id: int | None


@dataclass(frozen=True, slots=True)
class SendIpFilter:
    """The /v3/send_ips filters of an IP list (None: not filtered on)."""

    enabled: bool | None = None
    parent_assigned: bool | None = None
    leased: bool | None = None
    region: str | None = None
    pool_id: int | None = None
    added_from: datetime | None = None
    added_to: datetime | None = None
    after_sort_key: str | None = None  # only IPs after this one, in numeric order
