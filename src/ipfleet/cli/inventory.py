"""`ipfleet inventory ...`: the platform's IPs on no account."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from ipfleet.cli.context import cli_actor, open_db
from ipfleet.cli.output import emit_json, err, report, say, table
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
    report(as_json, {"removed": removed}, f"Removed {len(removed)} address(es) from the inventory.")


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
