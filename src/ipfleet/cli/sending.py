"""`ipfleet whitelabel ...` (an account's sending domains) and `ipfleet explain`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ipfleet.cli.context import cli_actor, open_db
from ipfleet.cli.output import emit_json, say, table
from ipfleet.domain.routing import Decision, Verdict, transport_name
from ipfleet.services import sending_domains as domain_svc
from ipfleet.services.accounts import get_account
from ipfleet.services.routing import decide

whitelabel_app = typer.Typer(
    help="Sending domains (SendGrid whitelabel records) of an account.", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
AccountArg = Annotated[str, typer.Argument(help="The account.")]
DomainArg = Annotated[str, typer.Argument(help="The mail domain (envelope sender domain).")]


def _record(d: domain_svc.SendingDomain) -> dict[str, Any]:
    return {"mail_domain": d.mail_domain, "url_domain": d.url_domain, "subuser": d.subuser}


@whitelabel_app.command("add")
def whitelabel_add(
    account: AccountArg,
    mail_domain: DomainArg,
    url_domain: Annotated[
        str | None, typer.Option(help="Link-tracking domain (default: the mail domain).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a mail domain for an account (unique in the whole installation)."""
    db = open_db()
    added = domain_svc.add_sending_domain(
        db,
        account=get_account(db, username=account),
        mail_domain=mail_domain,
        url_domain=url_domain,
        actor=cli_actor(),
    )
    if as_json:
        emit_json({"account": account, **_record(added)})
    else:
        say(f"Registered {added.mail_domain} (links: {added.url_domain}) for {account}.")


@whitelabel_app.command("list")
def whitelabel_list(account: AccountArg, as_json: JsonOpt = False) -> None:
    """List an account's mail domains and the subuser each is attached to."""
    db = open_db()
    found = domain_svc.list_sending_domains(db, account=get_account(db, username=account))
    if as_json:
        emit_json([_record(d) for d in found])
    else:
        table(
            f"Sending domains of {account} ({len(found)})",
            ["mail_domain", "url_domain", "subuser"],
            [(d.mail_domain, d.url_domain, d.subuser or "(the account)") for d in found],
        )


@whitelabel_app.command("remove")
def whitelabel_remove(
    account: AccountArg, mail_domain: DomainArg, as_json: JsonOpt = False
) -> None:
    """Forget one of an account's mail domains, detaching it from its subuser."""
    db = open_db()
    gone = domain_svc.remove_sending_domain(
        db, account=get_account(db, username=account), mail_domain=mail_domain, actor=cli_actor()
    )
    if as_json:
        emit_json({"account": account, "removed": gone.mail_domain, "detached": gone.subuser})
    else:
        detached = f" (detached from {gone.subuser})" if gone.subuser else ""
        say(f"Removed {gone.mail_domain} from {account}{detached}.")


def _explained(d: Decision) -> dict[str, Any]:
    holder = d.holder
    return {
        "sender": d.sender,
        "mta": d.mta,
        "domain": d.domain,
        "account": holder.account if holder else None,
        "subuser": holder.subuser if holder else None,
        "verdict": d.verdict.value,
        "rule": d.rule.value,
        "reason": d.reason or None,
        "ips": [
            {"ip": ip.address, "transport": transport_name(ip.address), "hostname": ip.hostname}
            for ip in d.ips
        ],
    }


def explain(
    sender: Annotated[str, typer.Argument(help="Envelope sender (<> for the null sender).")],
    mta: Annotated[str, typer.Option("--mta", help="The MTA that asks.")],
    as_json: JsonOpt = False,
) -> None:
    """Show how the routing rule decides for SENDER on MTA (what the socketmap answers)."""
    shown = _explained(decide(open_db(), mta=mta, sender=sender))
    if as_json:
        emit_json(shown)
        return
    for key in ("sender", "mta", "domain", "account", "subuser", "verdict", "rule", "reason"):
        value = shown[key]
        say(f"{key + ':':9}{'' if value is None else ' ' + str(value)}")
    if shown["verdict"] == Verdict.SEND.value:
        table(
            f"IPs ({len(shown['ips'])}, one chosen at random per message)",
            ["ip", "transport", "hostname"],
            [(ip["ip"], ip["transport"], ip["hostname"]) for ip in shown["ips"]],
        )
