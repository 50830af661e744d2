"""customer.whitelabel: list the sending domains, attach one to a subuser (docs/v2.md §9)."""

from __future__ import annotations

from anyio import to_thread

from ipfleet.api.offload import read
from ipfleet.api.v2.render import Node
from ipfleet.api.v2.request import SUCCESS, V2Request, V2Result, one_of, require
from ipfleet.services.sending_domains import attach_sending_domain, list_sending_domains


async def customer_whitelabel(req: V2Request) -> V2Result:
    """task=list: the account's records in mail_domain order; task=append: attach one of
    them to a subuser (replacing the subuser's previous one)."""
    task_raw = req.params.get("task")
    require(req, *(["task", "user", "mail_domain"] if task_raw == "append" else ["task"]))
    task = one_of(req, "task", ("list", "append"))
    if task == "list":
        records = await read(list_sending_domains, req.db, account=req.account)
        pairs = [{"mail_domain": r.mail_domain, "url_domain": r.url_domain} for r in records]
        xml: list[Node] = [
            ("whitelabel", [("mail_domain", r.mail_domain), ("url_domain", r.url_domain)])
            for r in records
        ]
        return V2Result(pairs, ("whitelabels", xml))
    user, domain = req.user() or "", req.value("mail_domain") or ""
    await to_thread.run_sync(
        lambda: attach_sending_domain(
            req.db, account=req.account, username=user, mail_domain=domain, actor=req.actor
        )
    )
    return SUCCESS
