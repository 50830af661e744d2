"""customer.ip and customer.sendip: the account's IPs and a subuser's IPs (docs/v2.md §4-5)."""

from __future__ import annotations

from enum import StrEnum

from anyio import to_thread

from ipfleet.api.offload import read
from ipfleet.api.v2.render import ip_list_json, ip_list_xml
from ipfleet.api.v2.request import SUCCESS, V2Request, V2Result, require
from ipfleet.domain.states import IpState
from ipfleet.services.ips import list_ips
from ipfleet.services.subusers import SetMode, set_subuser_ips, subuser_ips


async def customer_ip(req: V2Request) -> V2Result:
    """customer.ip: the account's IPs in one state (docs/v2.md §4)."""
    require(req, "list")
    state = req.enum("list", IpState)
    ips = await read(list_ips, req.db, account=req.account, state=state)
    return V2Result(ip_list_json(ips), ip_list_xml(ips))


class SendIpTask(StrEnum):
    LIST = "list"
    APPEND = "append"


async def customer_sendip(req: V2Request) -> V2Result:
    """customer.sendip: list or replace a subuser's IPs (docs/v2.md §5)."""
    task_raw = req.params.get("task")
    require(req, *(["task", "user", "set"] if task_raw == "append" else ["task", "user"]))
    task = req.enum("task", SendIpTask)
    user = req.user()
    assert user is not None
    if task is SendIpTask.LIST:
        ips = await read(subuser_ips, req.db, account=req.account, username=user)
        cluster = req.account.outbound_cluster or req.settings.outbound_cluster
        return V2Result(
            {"success": "success", "outboundcluster": cluster, "ips": ip_list_json(ips)},
            ("sendips", [("ocluster", cluster), ip_list_xml(ips)]),
        )
    mode = req.enum("set", SetMode)
    ips = req.params.getlist("ip")

    def write() -> list[str]:
        return set_subuser_ips(
            req.db, account=req.account, username=user, mode=mode, ips=ips, actor=req.actor
        )

    await to_thread.run_sync(write)
    return SUCCESS
