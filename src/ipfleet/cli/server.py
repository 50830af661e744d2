"""`ipfleet db upgrade`, `ipfleet serve`, `ipfleet demo`."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from ipfleet import logs
from ipfleet.cli.context import cli_actor, open_db
from ipfleet.cli.output import emit_json, report, say
from ipfleet.config import Settings, load_settings
from ipfleet.services.demo import ensure_demo
from ipfleet.store.migrate import current, upgrade

db_app = typer.Typer(help="The database: schema, backup, restore.", no_args_is_help=True)

DEMO_KEY_FILE = Path("var/demo.key")
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


@db_app.command("upgrade")
def db_upgrade(as_json: JsonOpt = False) -> None:
    """Create or migrate the schema of IPFLEET_DATABASE_URL to this version."""
    db = open_db(migrated=False)
    before = current(db)
    upgrade(db)
    after = current(db)
    report(
        as_json,
        {"from": before, "to": after},
        f"Database at revision {after}" + ("" if before == after else f" (was {before})."),
    )


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default IPFLEET_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default IPFLEET_PORT).")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Worker processes (default IPFLEET_WORKERS).")
    ] = None,
) -> None:
    """Serve the HTTP APIs with granian."""
    settings = load_settings()
    open_db().dispose()  # refuse to start on an unmigrated database
    bind_host = host or settings.host
    bind_port = settings.port if port is None else port
    # Workers read their settings from the environment, as this process did.
    os.environ.setdefault("IPFLEET_DATABASE_URL", settings.database_url)
    banner = (
        f"ipfleet serving on http://{bind_host}:{bind_port} "
        f"({workers or settings.workers} worker(s), database {_safe_url(settings.database_url)})"
    )
    if settings.log_format == "json":
        logs.configure(log_format="json", level=settings.log_level)
        logging.getLogger("ipfleet.serve").info(banner)
    else:
        say(banner)
    with _metrics_dir(settings.metrics_dir):
        _granian(settings, bind_host, bind_port, workers or settings.workers)


@contextmanager
def _metrics_dir(configured: str | None) -> Iterator[None]:
    """Where the workers keep their metrics (multiprocess mode), empty when they start.

    The variable must be set before a worker imports prometheus_client, so it is set here,
    in the parent, and the workers inherit it."""
    if "prometheus_client" in sys.modules:  # it picks its mode once, when first imported
        raise RuntimeError(
            "prometheus_client was imported before its multiprocess directory was set"
        )
    path = Path(configured) if configured else Path(tempfile.mkdtemp(prefix="ipfleet-metrics-"))
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()  # counts of an earlier run would be added to this one's
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    try:
        yield
    finally:
        if not configured:
            shutil.rmtree(path, ignore_errors=True)


def _granian(settings: Settings, host: str, port: int, workers: int) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        "ipfleet.api.app:serve_app",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        factory=True,
        # Above the app's own bound (IPFLEET_MAX_IN_FLIGHT), so granian keeps accepting
        # the requests the app refuses at once with 503 instead of queueing them unseen.
        backpressure=2 * settings.max_in_flight,
        log_level=settings.log_level,  # type: ignore[arg-type]
        log_dictconfig=logs.granian_config(settings.log_format),
        http1_settings=None,
    ).serve()


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _read_key(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def _write_key(path: Path, key: str) -> None:
    """Write the key to a file only its owner can read (created 0600, or made so)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key + "\n")
    path.chmod(0o600)


def demo(
    as_json: JsonOpt = False,
    key_file: Annotated[
        Path,
        typer.Option(help="Where the demo key is kept between runs (written 0600)."),
    ] = DEMO_KEY_FILE,
) -> None:
    """Create the demo account (idempotent) and print its key with curl examples.

    The key kept in KEY_FILE is reused while it is live; otherwise a new key is made, the
    earlier demo keys are revoked, and the new key is kept there.
    """
    settings = load_settings()
    result = ensure_demo(open_db(), actor=cli_actor(), known_key=_read_key(key_file))
    if not result.reused:
        _write_key(key_file, result.api_key)
    base = f"http://{settings.host}:{settings.port}/apiv2"
    auth = f"api_user={result.username}&api_key={result.api_key}"
    examples = [
        f"curl '{base}/customer.ip.json?{auth}&list=all'",
        f"curl '{base}/customer.sendip.xml?{auth}&task=list&user=alice'",
        f"curl -X POST '{base}/customer.sendip.json' -d '{auth}' -d task=append "
        "-d user=bob -d set=specify -d 'ip[]=192.0.2.5' -d 'ip[]=2001:db8::5'",
    ]
    if as_json:
        emit_json({"username": result.username, "api_key": result.api_key, "examples": examples})
        return
    say(
        f"Demo account '{result.username}' is ready: 192.0.2.0/28 and 2001:db8::/124, "
        "subusers alice, bob and carol (deactivated)."
    )
    kept = "kept from an earlier run" if result.reused else "new; earlier demo keys revoked"
    say(f"API key ({kept}, in {key_file}): {result.api_key}")
    say("Try, once the server is up:")
    for line in examples:
        say(f"  {line}")
