"""`ipfleet inventory ...` and the account commands that draw on it (quota, take, release)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from ipfleet.cli.context import cli_actor, open_db
from ipfleet.cli.output import emit_json, err, say, table
from ipfleet.domain.errors import InvalidValue
from ipfleet.services import inventory as inv

inventory_app = typer.Typer(
    help="The platform's IP inventory (IPs on no account).", no_args_is_help=True
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@inventory_app.command("add")
def inventory_add(
    specs: Annotated[list[str], typer.Argument(help="Addresses or CIDR ranges (IPv4, IPv6).")],
    limit: Annotated[
        int | None, typer.Option(min=1, help="Take only the first N addresses of each range.")
    ] = None,
    mta: Annotated[str | None, typer.Option(help="Place the addresses added on this MTA.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import addresses into the inventory: all or nothing, idempotent, in batches."""
    db = open_db()
    if as_json or not sys.stderr.isatty():
        result = inv.add_to_inventory(db, specs=specs, actor=cli_actor(), limit=limit, mta=mta)
    else:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("importing", total=None)
            result = inv.add_to_inventory(
                db,
                specs=specs,
                actor=cli_actor(),
                limit=limit,
                mta=mta,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    if as_json:
        emit_json(
            {
                "added": result.added,
                "already_in_inventory": result.already_in_inventory,
                "on_accounts": result.on_accounts,
            }
        )
    else:
        say(
            f"Added {result.added} address(es) to the inventory; "
            f"{result.already_in_inventory} were already in it, "
            f"{result.on_accounts} are on accounts."
        )


@inventory_app.command("remove")
def inventory_remove(
    addresses: Annotated[list[str], typer.Argument(help="Inventory addresses to forget.")],
    as_json: JsonOpt = False,
) -> None:
    """Remove addresses from the inventory (refused for IPs on an account)."""
    removed = inv.remove_from_inventory(open_db(), addresses=addresses, actor=cli_actor())
    if as_json:
        emit_json({"removed": removed})
    else:
        say(f"Removed {len(removed)} address(es) from the inventory.")


@inventory_app.command("list")
def inventory_list(
    free: Annotated[bool, typer.Option("--free", help="Only IPs on no account.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List every IP ipfleet knows and the account holding it."""
    entries = inv.list_inventory(open_db(), free_only=free)
    if as_json:
        emit_json(
            [{"ip": e.address, "account": e.account, "hostname": e.hostname} for e in entries]
        )
    else:
        table(
            f"{'Free' if free else 'All'} IPs ({len(entries)})",
            ["ip", "account", "hostname"],
            [(e.address, e.account or "(inventory)", e.hostname) for e in entries],
        )


def set_quota(
    account: Annotated[str, typer.Argument(help="The account.")],
    quota: Annotated[str, typer.Argument(help="Most IPs the account may hold, or 'unlimited'.")],
    as_json: JsonOpt = False,
) -> None:
    """Set the account's IP quota (counts every IP on it; caps only its own takes)."""
    value = None if quota == "unlimited" else _count(quota)
    inv.set_quota(open_db(), account_name=account, quota=value, actor=cli_actor())
    if as_json:
        emit_json({"account": account, "ip_quota": value})
    else:
        say(f"Quota of {account}: {quota if value is None else value}.")


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
    inv.set_price(open_db(), account_name=account, price=value, actor=cli_actor())
    if as_json:
        emit_json({"account": account, "price_per_ip": value})
    else:
        say(f"Price per IP of {account}: {price if value is None else value}.")


def _count(text: str) -> int:
    if not text.isdigit():
        raise InvalidValue(f"The quota must be a whole number or 'unlimited', not {text!r}")
    return int(text)


def take(
    account: Annotated[str, typer.Argument(help="The account.")],
    count: Annotated[int, typer.Argument(min=1, help="How many IPs to take.")],
    as_json: JsonOpt = False,
) -> None:
    """Give the account COUNT free inventory IPs, atomically and within its quota."""
    taken = inv.take_ips(open_db(), account_name=account, count=count, actor=cli_actor())
    if as_json:
        emit_json({"account": account, "taken": taken})
    else:
        say(f"{account} took {len(taken)} IP(s): {', '.join(taken)}")


def release(
    account: Annotated[str, typer.Argument(help="The account.")],
    addresses: Annotated[list[str], typer.Argument(help="The account's IPs to give back.")],
    force: Annotated[bool, typer.Option("--force", help="Also drop subusers' holdings.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Return IPs from the account to the inventory (held ones only with --force)."""
    done = inv.release_ips(
        open_db(), account_name=account, addresses=addresses, force=force, actor=cli_actor()
    )
    if as_json:
        emit_json({"account": account, "released": done})
    else:
        say(f"Returned {len(done)} IP(s) from {account} to the inventory.")
