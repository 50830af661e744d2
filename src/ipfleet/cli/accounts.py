"""`ipfleet account ...`: reseller accounts, their quota and price, taking and returning IPs."""

from __future__ import annotations

from typing import Annotated

import typer

from ipfleet.cli.context import cli_actor, open_account, open_db
from ipfleet.cli.output import emit_json, report, say, table
from ipfleet.config import load_settings
from ipfleet.domain.errors import InvalidValue
from ipfleet.services import accounts as account_svc
from ipfleet.services import inventory, ips
from ipfleet.services import quota as quota_svc

account_app = typer.Typer(help="Reseller accounts.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@account_app.command("create")
def account_create(
    name: Annotated[str, typer.Argument(help="The account's username (its v2 api_user).")],
    outbound_cluster: Annotated[
        str | None, typer.Option(help="Outbound cluster name (default: IPFLEET_OUTBOUND_CLUSTER).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an account (quota: IPFLEET_DEFAULT_QUOTA) and print its first API key."""
    account, key = account_svc.create_account(
        open_db(),
        username=name,
        outbound_cluster=outbound_cluster,
        ip_quota=load_settings().default_quota,
        actor=cli_actor(),
    )
    if as_json:
        emit_json({"username": account.username, "api_key": key})
    else:
        say(f"Created account {account.username}.")
        say(f"API key (shown once, store it now): {key}")


@account_app.command("list")
def account_list(as_json: JsonOpt = False) -> None:
    """List every account."""
    rows = account_svc.list_accounts(open_db())
    if as_json:
        emit_json(
            [
                {
                    "username": a.username,
                    "outbound_cluster": a.outbound_cluster,
                    "ip_quota": a.ip_quota,
                }
                for a in rows
            ]
        )
    else:
        table(
            "Accounts",
            ["username", "outbound cluster", "IP quota"],
            [
                (
                    a.username,
                    a.outbound_cluster or "(default)",
                    "unlimited" if a.ip_quota is None else a.ip_quota,
                )
                for a in rows
            ],
        )


@account_app.command("set-quota")
def set_quota(
    account: Annotated[str, typer.Argument(help="The account.")],
    quota: Annotated[str, typer.Argument(help="Most IPs the account may hold, or 'unlimited'.")],
    as_json: JsonOpt = False,
) -> None:
    """Set the account's IP quota (counts every IP on it; caps only its own takes)."""
    value = None if quota == "unlimited" else _count(quota)
    db, acc = open_account(account)
    quota_svc.set_quota(db, account=acc, quota=value, actor=cli_actor())
    report(
        as_json,
        {"account": account, "ip_quota": value},
        f"Quota of {account}: {quota if value is None else value}.",
    )


@account_app.command("set-price")
def set_price(
    account: Annotated[str, typer.Argument(help="The account.")],
    price: Annotated[str, typer.Argument(help="Price per IP (a number), or 'none'.")],
    as_json: JsonOpt = False,
) -> None:
    """Set what the account pays per IP it takes (shown by v3 /v3/ips/remaining)."""
    try:
        value = None if price == "none" else float(price)
    except ValueError:
        raise InvalidValue(f"The price must be a number or 'none', not {price!r}") from None
    db, acc = open_account(account)
    quota_svc.set_price(db, account=acc, price=value, actor=cli_actor())
    report(
        as_json,
        {"account": account, "price_per_ip": value},
        f"Price per IP of {account}: {price if value is None else value}.",
    )


def _count(text: str) -> int:
    if not text.isdigit():
        raise InvalidValue(f"The quota must be a whole number or 'unlimited', not {text!r}")
    return int(text)


@account_app.command("take")
def take(
    account: Annotated[str, typer.Argument(help="The account.")],
    count: Annotated[int, typer.Argument(min=1, help="How many IPs to take.")],
    as_json: JsonOpt = False,
) -> None:
    """Give the account COUNT free inventory IPs, atomically and within its quota."""
    db, acc = open_account(account)
    taken = inventory.take_ips(db, account=acc, count=count, actor=cli_actor())
    report(
        as_json,
        {"account": account, "taken": taken},
        f"{account} took {len(taken)} IP(s): {', '.join(taken)}",
    )


@account_app.command("release")
def release(
    account: Annotated[str, typer.Argument(help="The account.")],
    addresses: Annotated[list[str], typer.Argument(help="The account's IPs to give back.")],
    force: Annotated[bool, typer.Option("--force", help="Also drop subusers' holdings.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Return IPs from the account to the inventory (held ones only with --force)."""
    db, acc = open_account(account)
    done = ips.release_ips(db, account=acc, addresses=addresses, force=force, actor=cli_actor())
    report(
        as_json,
        {"account": account, "released": done},
        f"Returned {len(done)} IP(s) from {account} to the inventory.",
    )
