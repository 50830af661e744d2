"""The wire shapes of /v3/send_ips (msgspec structs), as tsg_ip_address_management_v3.json
names them. Ids (pools, subusers) are strings there; optional fields are left out."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

Region = Literal["us", "eu"]
IdList = Annotated[list[Annotated[str, Meta(max_length=32)]], Meta(max_length=1000)]
IpList = Annotated[list[Annotated[str, Meta(max_length=64)]], Meta(max_length=100)]


class PoolRefOut(Struct):
    name: str
    id: str


class SendIpOut(Struct, kw_only=True):
    ip: str
    pools: list[PoolRefOut]
    is_auto_warmup: bool
    is_parent_assigned: bool
    updated_at: int | None
    is_enabled: bool
    is_leased: bool
    added_at: int | None
    region: str | UnsetType = UNSET


class IpNextParams(Struct, kw_only=True, omit_defaults=True):
    after_key: str | None
    limit: str | UnsetType = UNSET
    ip: str | UnsetType = UNSET
    is_leased: bool | UnsetType = UNSET
    is_enabled: bool | UnsetType = UNSET
    is_parent_assigned: bool | UnsetType = UNSET
    pool: str | UnsetType = UNSET
    start_added_at: str | UnsetType = UNSET
    end_added_at: str | UnsetType = UNSET
    region: str | UnsetType = UNSET
    include_region: str | UnsetType = UNSET


class IpListMetadata(Struct):
    next_params: IpNextParams


class SendIpListOut(Struct):
    result: list[SendIpOut]
    metadata: IpListMetadata = msgspec.field(name="_metadata")


class AddSendIpIn(Struct, kw_only=True):
    is_auto_warmup: bool
    is_parent_assigned: bool
    subusers: IdList = msgspec.field(default_factory=list)
    region: Region = "us"
    include_region: bool = False


class AddedSendIpOut(Struct, kw_only=True):
    ip: str
    is_auto_warmup: bool
    is_parent_assigned: bool
    subusers: list[str]
    region: str | UnsetType = UNSET


class UpdateSendIpIn(Struct, kw_only=True):
    is_auto_warmup: bool | UnsetType = UNSET
    is_parent_assigned: bool | UnsetType = UNSET
    is_enabled: bool | UnsetType = UNSET


class UpdatedSendIpOut(Struct, kw_only=True):
    ip: str
    is_auto_warmup: bool
    is_parent_assigned: bool
    is_enabled: bool


class PageParams(Struct, kw_only=True, omit_defaults=True):
    after_key: str | None
    limit: str | UnsetType = UNSET
    include_region: str | UnsetType = UNSET
    ip: str | UnsetType = UNSET
    region: str | UnsetType = UNSET


class PageMetadata(Struct):
    next_params: PageParams


class IpSubusersOut(Struct):
    result: list[str]
    metadata: PageMetadata = msgspec.field(name="_metadata")


class SubuserIdsIn(Struct):
    subusers: IdList


class IpSubusersAddedOut(Struct):
    ip: str
    subusers: list[str]


# Pools --------------------------------------------------------------------------------


class SendPoolOut(Struct, kw_only=True):
    name: str
    id: str
    ips_preview: list[str]
    total_ip_count: int
    regions: list[str] | UnsetType = UNSET


class SendPoolListOut(Struct):
    result: list[SendPoolOut]
    metadata: PageMetadata = msgspec.field(name="_metadata")


class RegionCount(Struct):
    region: str
    count: int


class SendPoolDetailOut(Struct, kw_only=True):
    name: str
    id: str
    ips_preview: list[str]
    total_ip_count: int
    ip_count_by_region: list[RegionCount] | UnsetType = UNSET


class CreateSendPoolIn(Struct):
    name: str
    ips: IpList = msgspec.field(default_factory=list)


class SendPoolIpsOut(Struct):
    name: str
    id: str
    ips: list[str]


class RenameSendPoolIn(Struct):
    name: str


class RenamedSendPoolOut(Struct):
    name: str
    id: str


class SendPoolIpOut(Struct, kw_only=True):
    ip: str
    pools: list[PoolRefOut]
    region: str | UnsetType = UNSET


class SendPoolIpListOut(Struct):
    result: list[SendPoolIpOut]
    metadata: PageMetadata = msgspec.field(name="_metadata")


class PoolIpsIn(Struct):
    ips: IpList
