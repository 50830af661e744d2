"""`ipfleet key ...`: the API keys of an account."""

from __future__ import annotations

from typing import Annotated

import typer

from ipfleet.cli.context import cli_actor, open_account
from ipfleet.cli.output import emit_json, report, table
from ipfleet.services import keys as key_svc

key_app = typer.Typer(help="API keys of an account.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@key_app.command("create")
def key_create(
    account: Annotated[str, typer.Argument(help="The account.")],
    name: Annotated[str, typer.Option(help="A label for the key.")] = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Create another API key for an account (shown this once only)."""
    db, acc = open_account(account)
    info, key = key_svc.create_key(db, account=acc, name=name, actor=cli_actor())
    report(
        as_json,
        {"username": account, "key_id": info.key_id, "name": info.name, "api_key": key},
        f"API key {info.key_id} for {account} (shown once, store it now): {key}",
    )


@key_app.command("list")
def key_list(
    account: Annotated[str, typer.Argument(help="The account.")], as_json: JsonOpt = False
) -> None:
    """List an account's keys (ids and names; secrets are never stored)."""
    db, acc = open_account(account)
    keys = key_svc.list_keys(db, account=acc)
    if as_json:
        emit_json(
            [
                {
                    "key_id": k.key_id,
                    "name": k.name,
                    "created_at": k.created_at.isoformat(),
                    "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
                }
                for k in keys
            ]
        )
    else:
        table(
            f"API keys of {account}",
            ["key id", "name", "created", "revoked"],
            [(k.key_id, k.name, k.created_at, k.revoked_at or "") for k in keys],
        )


@key_app.command("revoke")
def key_revoke(
    account: Annotated[str, typer.Argument(help="The account.")],
    key_id: Annotated[str, typer.Argument(help="The key id (the part between the dots).")],
    as_json: JsonOpt = False,
) -> None:
    """Revoke one key; requests made with it are refused from now on."""
    db, acc = open_account(account)
    key_svc.revoke_key(db, account=acc, key_id=key_id, actor=cli_actor())
    report(
        as_json,
        {"username": account, "key_id": key_id, "revoked": True},
        f"Revoked key {key_id} of {account}.",
    )
