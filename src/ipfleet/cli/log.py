"""`ipfleet log ...`: the change log."""

from __future__ import annotations

from typing import Annotated

import typer

from ipfleet.cli.context import open_db
from ipfleet.cli.output import emit_json, say
from ipfleet.services.log_check import verify_log

log_app = typer.Typer(help="The change log of every write.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@log_app.command("verify")
def log_verify(as_json: JsonOpt = False) -> None:
    """Replay the change log from empty and compare with the stored state.

    Prints "consistent", or the first difference and exits with status 1.
    """
    verdict = verify_log(open_db())
    if as_json:
        emit_json(
            {
                "consistent": verdict.consistent,
                "entries": verdict.entries,
                "difference": verdict.difference,
            }
        )
    elif verdict.consistent:
        say(f"consistent ({verdict.entries} change-log entries replayed)")
    else:
        say(f"inconsistent: {verdict.difference}")
    if not verdict.consistent:
        raise typer.Exit(1)
