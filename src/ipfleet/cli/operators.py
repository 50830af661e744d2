"""`ipfleet operator ...`: who may sign in to the dashboard's operator pages."""

from __future__ import annotations

from typing import Annotated

import typer

from ipfleet.cli.context import cli_actor, open_db
from ipfleet.cli.output import emit_json, say
from ipfleet.services import operators as operator_svc

operator_app = typer.Typer(help="Dashboard operators.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
NameArg = Annotated[str, typer.Argument(help="The operator's name.")]


@operator_app.command("create")
def operator_create(name: NameArg, as_json: JsonOpt = False) -> None:
    """Make an operator and print its sign-in token (shown this once only)."""
    token = operator_svc.create_operator(open_db(), name=name, actor=cli_actor())
    if as_json:
        emit_json({"name": name, "token": token})
    else:
        say(f"Created operator {name}.")
        say(f"Token (shown once, store it now): {token}")


@operator_app.command("revoke")
def operator_revoke(name: NameArg) -> None:
    """Revoke an operator's token; its dashboard sessions end at their next request."""
    operator_svc.revoke_operator(open_db(), name=name, actor=cli_actor())
    say(f"Revoked operator {name}.")
