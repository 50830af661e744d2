"""The `ipfleet` command: errors become one line on stderr and a non-zero exit status."""

from __future__ import annotations

import sys

import typer
from sqlalchemy.exc import SQLAlchemyError

from ipfleet.cli.accounts import account_app
from ipfleet.cli.backup import db_backup, db_restore
from ipfleet.cli.inventory import inventory_app
from ipfleet.cli.ips import ip_app
from ipfleet.cli.keys import key_app
from ipfleet.cli.log import log_app
from ipfleet.cli.mta import kumomta_app, postfix_app
from ipfleet.cli.operators import operator_app
from ipfleet.cli.output import exit_code, fail
from ipfleet.cli.sending import explain, whitelabel_app
from ipfleet.cli.server import db_app, demo, serve
from ipfleet.cli.subusers import subuser_app
from ipfleet.cli.timeline import ip_history, who
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
app.add_typer(postfix_app, name="postfix")
app.add_typer(kumomta_app, name="kumomta")
app.add_typer(whitelabel_app, name="whitelabel")
app.add_typer(log_app, name="log")
ip_app.command("history")(ip_history)
app.command("who")(who)
app.add_typer(operator_app, name="operator")
app.command("serve")(serve)
app.command("demo")(demo)
app.command("explain")(explain)


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
