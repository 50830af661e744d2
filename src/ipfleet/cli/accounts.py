"""`ipfleet account ...` and `ipfleet key ...`."""

from __future__ import annotations

from typing import Annotated

import typer

from ipfleet.cli.context import cli_actor, open_db
from ipfleet.cli.output import emit_json, say, table
from ipfleet.services import accounts as account_svc
from ipfleet.services import keys as key_svc

account_app = typer.Typer(help="Reseller accounts.", no_args_is_help=True)
key_app = typer.Typer(help="API keys of an account.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@account_app.command("create")
def account_create(
    name: Annotated[str, typer.Argument(help="The account's username (its v2 api_user).")],
    outbound_cluster: Annotated[
        str | None, typer.Option(help="Outbound cluster name (default: IPFLEET_OUTBOUND_CLUSTER).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an account and print its first API key (shown this once only)."""
    account, key = account_svc.create_account(
        open_db(), username=name, outbound_cluster=outbound_cluster, actor=cli_actor()
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
                (a.username, a.outbound_cluster or "(default)", a.ip_quota or "unlimited")
                for a in rows
            ],
        )


@key_app.command("create")
def key_create(
    account: Annotated[str, typer.Argument(help="The account.")],
    name: Annotated[str, typer.Option(help="A label for the key.")] = "cli",
    as_json: JsonOpt = False,
) -> None:
    """Create another API key for an account (shown this once only)."""
    info, key = key_svc.create_key(open_db(), username=account, name=name, actor=cli_actor())
    if as_json:
        emit_json({"username": account, "key_id": info.key_id, "name": info.name, "api_key": key})
    else:
        say(f"API key {info.key_id} for {account} (shown once, store it now): {key}")


@key_app.command("list")
def key_list(
    account: Annotated[str, typer.Argument(help="The account.")], as_json: JsonOpt = False
) -> None:
    """List an account's keys (ids and names; secrets are never stored)."""
    keys = key_svc.list_keys(open_db(), username=account)
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
    key_svc.revoke_key(open_db(), username=account, key_id=key_id, actor=cli_actor())
    if as_json:
        emit_json({"username": account, "key_id": key_id, "revoked": True})
    else:
        say(f"Revoked key {key_id} of {account}.")
