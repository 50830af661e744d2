"""The `ipfleet` command: errors become one line on stderr and a non-zero exit status."""

from __future__ import annotations

import sys

import typer
from sqlalchemy.exc import SQLAlchemyError

from ipfleet.cli.accounts import account_app, key_app
from ipfleet.cli.backup import db_backup, db_restore
from ipfleet.cli.inventory import inventory_app, release, set_price, set_quota, take
from ipfleet.cli.ips import ip_app
from ipfleet.cli.output import exit_code, fail
from ipfleet.cli.server import db_app, demo, serve
from ipfleet.cli.subusers import subuser_app
from ipfleet.domain.errors import IpfleetError

app = typer.Typer(
    help="ipfleet: the control plane for an email platform's outbound IP addresses.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db_app, name="db")
db_app.command("backup")(db_backup)
db_app.command("restore")(db_restore)
app.add_typer(account_app, name="account")
app.add_typer(key_app, name="key")
app.add_typer(ip_app, name="ip")
app.add_typer(subuser_app, name="subuser")
app.add_typer(inventory_app, name="inventory")
account_app.command("set-quota")(set_quota)
account_app.command("set-price")(set_price)
account_app.command("take")(take)
account_app.command("release")(release)
app.command("serve")(serve)
app.command("demo")(demo)


def main() -> None:
    """Entry point of the console script."""
    try:
        app()
    except IpfleetError as exc:
        fail(exc.message)
        sys.exit(exit_code(exc))
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None)
        fail(f"database error: {orig if orig is not None else exc.__class__.__name__}")
        sys.exit(1)
