"""`ipfleet subuser ...`: an account's subusers and the IPs they hold."""

from __future__ import annotations

from typing import Annotated

import typer

from ipfleet.cli.context import cli_actor, open_account
from ipfleet.cli.output import emit_json, report, say, table
from ipfleet.domain.errors import InvalidValue
from ipfleet.services import subusers as sub_svc
from ipfleet.services.sending_domains import attach_sending_domain
from ipfleet.services.subusers import SetMode

subuser_app = typer.Typer(help="Subusers of an account.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
Account = Annotated[str, typer.Argument(help="The account.")]
Username = Annotated[str, typer.Argument(help="The subuser's username.")]


@subuser_app.command("create")
def subuser_create(
    account: Account,
    username: Username,
    email: Annotated[str, typer.Option(help="Contact address.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Register a subuser (active, holding no IPs)."""
    db, acc = open_account(account)
    sub = sub_svc.create_subuser(db, account=acc, username=username, email=email, actor=cli_actor())
    if as_json:
        emit_json(
            {"account": account, "username": sub.username, "email": sub.email, "active": True}
        )
    else:
        say(f"Created subuser {sub.username} of {account}.")


def _set_active(account: str, username: str, active: bool, as_json: bool) -> None:
    db, acc = open_account(account)
    sub_svc.set_subuser_active(db, account=acc, username=username, active=active, actor=cli_actor())
    report(
        as_json,
        {"account": account, "username": username, "active": active},
        f"Subuser {username} is now {'active' if active else 'deactivated'}.",
    )


@subuser_app.command("activate")
def subuser_activate(account: Account, username: Username, as_json: JsonOpt = False) -> None:
    """Activate a subuser."""
    _set_active(account, username, True, as_json)


@subuser_app.command("deactivate")
def subuser_deactivate(account: Account, username: Username, as_json: JsonOpt = False) -> None:
    """Deactivate a subuser (IPs only it holds become available)."""
    _set_active(account, username, False, as_json)


@subuser_app.command("list")
def subuser_list(account: Account, as_json: JsonOpt = False) -> None:
    """List an account's subusers with the IPs each holds."""
    db, acc = open_account(account)
    views = sub_svc.list_subusers(db, account=acc)
    if as_json:
        emit_json(
            [
                {
                    "username": v.subuser.username,
                    "email": v.subuser.email,
                    "active": v.subuser.active,
                    "ips": v.ips,
                }
                for v in views
            ]
        )
    else:
        table(
            f"Subusers of {account}",
            ["username", "email", "active", "ips"],
            [
                (
                    v.subuser.username,
                    v.subuser.email,
                    "yes" if v.subuser.active else "no",
                    ", ".join(v.ips) or "(all of the account's)",
                )
                for v in views
            ],
        )


@subuser_app.command("ips")
def subuser_ips(account: Account, username: Username, as_json: JsonOpt = False) -> None:
    """Show the IPs a subuser holds (none: it sends from all of the account's IPs)."""
    db, acc = open_account(account)
    ips = sub_svc.subuser_ips(db, account=acc, username=username)
    if as_json:
        emit_json({"username": username, "ips": ips})
    elif ips:
        table(f"IPs of {username}", ["ip"], [(ip,) for ip in ips])
    else:
        say(f"{username} holds no IPs, so it sends from all of {account}'s IPs.")


@subuser_app.command("set-ips")
def subuser_set_ips(
    account: Account,
    username: Username,
    ips: Annotated[
        list[str] | None, typer.Argument(help="The IPs to hold (replaces the set).")
    ] = None,
    none: Annotated[bool, typer.Option("--none", help="Hold no IPs (send from all).")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Hold every IP of the account now.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Replace a subuser's IPs, all or nothing: --none, --all, or a list of IPs."""
    chosen = [
        m
        for m, on in ((SetMode.NONE, none), (SetMode.ALL, all_), (SetMode.SPECIFY, bool(ips)))
        if on
    ]
    if len(chosen) != 1:
        raise InvalidValue("give exactly one of --none, --all or a list of IPs")
    db, acc = open_account(account)
    result = sub_svc.set_subuser_ips(
        db,
        account=acc,
        username=username,
        mode=chosen[0],
        ips=ips or [],
        actor=cli_actor(),
    )
    if as_json:
        emit_json({"username": username, "ips": result})
    else:
        say(
            f"{username} now holds {len(result)} IP(s)"
            + (f": {', '.join(result)}" if result else f" (sends from all of {account}'s IPs).")
        )


@subuser_app.command("set-whitelabel")
def subuser_set_whitelabel(
    account: Account,
    username: Username,
    mail_domain: Annotated[
        str | None, typer.Argument(help="One of the account's mail domains; omit with --none.")
    ] = None,
    none: Annotated[bool, typer.Option("--none", help="Detach its domain.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Attach one of the account's mail domains to a subuser (replacing its previous one)."""
    if none == (mail_domain is not None):
        raise InvalidValue("give either a mail domain or --none")
    db, acc = open_account(account)
    attached = attach_sending_domain(
        db,
        account=acc,
        username=username,
        mail_domain=mail_domain,
        actor=cli_actor(),
    )
    if as_json:
        emit_json({"account": account, "username": username, "mail_domain": attached})
    else:
        say(
            f"{username} now sends as {attached}."
            if attached
            else f"{username} has no sending domain."
        )
