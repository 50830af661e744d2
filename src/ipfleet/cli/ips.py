"""`ipfleet ip ...`: an account's IP addresses."""

from __future__ import annotations

from typing import Annotated

import typer

from ipfleet.cli.context import cli_actor, open_account, open_db
from ipfleet.cli.output import emit_json, report, say, table
from ipfleet.domain.errors import InvalidValue
from ipfleet.domain.states import IpState
from ipfleet.services import ips as ip_svc

ip_app = typer.Typer(help="IP addresses of an account.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@ip_app.command("add")
def ip_add(
    account: Annotated[str, typer.Argument(help="The account.")],
    specs: Annotated[list[str], typer.Argument(help="Addresses or CIDR ranges (IPv4, IPv6).")],
    limit: Annotated[
        int | None, typer.Option(min=1, help="Take only the first N addresses of each range.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Put addresses on an account, all or nothing; a range adds its host addresses."""
    db, acc = open_account(account)
    result = ip_svc.add_ips(db, account=acc, specs=specs, actor=cli_actor(), limit=limit)
    if as_json:
        emit_json({"account": account, "added": result.added, "already": result.already})
    else:
        say(
            f"Added {len(result.added)} address(es) to {account}; "
            f"{len(result.already)} were already on it."
        )


@ip_app.command("remove")
def ip_remove(
    account: Annotated[str, typer.Argument(help="The account.")],
    addresses: Annotated[list[str], typer.Argument(help="Addresses to remove.")],
    release: Annotated[
        bool, typer.Option("--release", help="Also drop subusers' holdings of these IPs.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove addresses from an account (and from ipfleet), all or nothing."""
    db, acc = open_account(account)
    removed = ip_svc.remove_ips(
        db, account=acc, addresses=addresses, release=release, actor=cli_actor()
    )
    report(
        as_json,
        {"account": account, "removed": removed},
        f"Removed {len(removed)} address(es) from {account}.",
    )


@ip_app.command("list")
def ip_list(
    account: Annotated[str, typer.Argument(help="The account.")],
    state: Annotated[IpState, typer.Option(help="Which IPs to list.")] = IpState.ALL,
    mta: Annotated[str | None, typer.Option(help="Only the IPs placed on this MTA.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List an account's addresses in one state, in numeric order."""
    db, acc = open_account(account)
    rows = ip_svc.list_placements(db, account=acc, state=state, mta=mta)
    if as_json:
        emit_json(
            [
                {"ip": r.address, "hostname": r.hostname, "mta": r.mta, "enabled": r.enabled}
                for r in rows
            ]
        )
    else:
        table(
            f"{state.value} IPs of {account}{f' on {mta}' if mta else ''} ({len(rows)})",
            ["ip", "hostname", "mta", "enabled"],
            [(r.address, r.hostname, r.mta, "yes" if r.enabled else "no") for r in rows],
        )


@ip_app.command("set-whitelabel")
def ip_set_whitelabel(
    address: Annotated[str, typer.Argument(help="A known address (on an account or not).")],
    off: Annotated[bool, typer.Option("--off", help="Clear the flag instead.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Mark an address as whitelabeled (v3 `whitelabeled`), or clear it with --off."""
    ip_svc.set_whitelabeled(open_db(), address=address, on=not off, actor=cli_actor())
    report(
        as_json,
        {"ip": address, "whitelabeled": not off},
        f"{address} is {'not ' if off else ''}whitelabeled.",
    )


@ip_app.command("set-hostname")
def ip_set_hostname(
    address: Annotated[str, typer.Argument(help="A known address (on an account or not).")],
    hostname: Annotated[
        str | None, typer.Argument(help="Reverse-DNS / HELO name; omit with --clear.")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the host name.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Set the host name (reverse DNS, HELO) the MTA uses for an address."""
    if clear == (hostname is not None):
        raise InvalidValue("give either a host name or --clear")
    name = ip_svc.set_hostname(open_db(), address=address, hostname=hostname, actor=cli_actor())
    report(
        as_json,
        {"ip": address, "hostname": name},
        f"{address} now has host name {name}." if name else f"{address} has no host name.",
    )


@ip_app.command("set-mta")
def ip_set_mta(
    address: Annotated[str, typer.Argument(help="A known address (on an account or not).")],
    mta: Annotated[
        str | None, typer.Argument(help="The MTA it is plumbed on (e.g. mta1); omit with --none.")
    ] = None,
    none: Annotated[bool, typer.Option("--none", help="Place it on no MTA.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Record on which MTA an address is plumbed (only that MTA sends from it)."""
    if none == (mta is not None):
        raise InvalidValue("give either an MTA name or --none")
    ip_svc.set_mta(open_db(), address=address, mta=mta, actor=cli_actor())
    report(
        as_json,
        {"ip": address, "mta": mta},
        f"{address} is now on {mta}." if mta else f"{address} is on no MTA.",
    )
