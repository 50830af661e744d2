"""reseller.ip: the account's IPs with substring filters, and who holds what (docs/v2.md §6)."""

from __future__ import annotations

from ipfleet.api.offload import read
from ipfleet.api.v2.render import ip_list_json, ip_list_xml
from ipfleet.api.v2.request import V2Request, V2Result, one_of, require
from ipfleet.domain.states import IpState
from ipfleet.services.ips import list_ips, list_usage

TASKS = ("all", "free", "taken", "available", "usage")


async def reseller_ip(req: V2Request) -> V2Result:
    """task=all|free|taken|available lists IPs; task=usage lists (ip, user) holdings."""
    require(req, "task")
    task = one_of(req, "task", TASKS)
    ip_needle = req.value("ip")
    if task == "usage":
        pairs = await read(
            list_usage,
            req.db,
            account=req.account,
            ip_needle=ip_needle,
            user_needle=req.value("user"),
        )
        return V2Result(
            [{"ip": ip, "user": user} for ip, user in pairs],
            ("ips", [("entry", [("ip", ip), ("user", user)]) for ip, user in pairs]),
        )
    ips = await read(list_ips, req.db, account=req.account, state=IpState(task), needle=ip_needle)
    return V2Result(ip_list_json(ips), ip_list_xml(ips))
