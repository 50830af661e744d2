"""`ipfleet postfix socketmap|render`, `ipfleet kumomta render`: wiring MTAs to ipfleet."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import Annotated
from wsgiref.simple_server import WSGIServer

import typer

from ipfleet.cli.context import open_db
from ipfleet.cli.output import emit_json, fail, say
from ipfleet.config import load_settings
from ipfleet.mta import kumomta, postfix
from ipfleet.mta.files import write_files
from ipfleet.mta.socketmap_limits import Limits
from ipfleet.services.routing import decide, mta_plan

postfix_app = typer.Typer(
    help="Postfix: the live per-message lookup and its config.", no_args_is_help=True
)
kumomta_app = typer.Typer(help="KumoMTA: sources, pools and tenants.", no_args_is_help=True)

DEFAULTS = Limits()
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
MtaOpt = Annotated[str, typer.Option("--mta", help="The MTA's name, as given to `ip set-mta`.")]
OutOpt = Annotated[
    Path, typer.Option("--out", help="Directory to write into (created if missing).")
]


@postfix_app.command("socketmap")
def socketmap(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 7777,
    max_connections: Annotated[
        int, typer.Option(min=1, help="Connections served at once; more get TEMP.")
    ] = DEFAULTS.max_connections,
    threads: Annotated[
        int, typer.Option(min=0, max=64, help="Lookup threads (0: on the event loop).")
    ] = DEFAULTS.threads,
    reuse_port: Annotated[
        bool,
        typer.Option("--reuse-port", help="Share the port with other instances (SO_REUSEPORT)."),
    ] = False,
    metrics_listen: Annotated[
        str | None,
        typer.Option(
            "--metrics-listen",
            metavar="HOST:PORT",
            help="Also serve Prometheus metrics at http://HOST:PORT/metrics "
            "(IPFLEET_METRICS_TOKEN as a bearer token, else loopback clients only).",
        ),
    ] = None,
) -> None:
    """Answer Postfix's socketmap lookups (map = MTA, key = sender) until SIGTERM/SIGINT."""
    settings = load_settings()
    # ipfleet's own messages at the configured level; libraries (alembic...) warnings only.
    logging.basicConfig(
        level=logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("ipfleet").setLevel(settings.log_level.upper())
    # Loaded here, not with the CLI: they load prometheus-client (see socketmap_limits.py).
    from ipfleet.mta.socketmap import SocketmapServer, decision_replies, serve_until_signalled

    metrics_at = _host_port(metrics_listen) if metrics_listen else None
    db = open_db()  # refuse to start on an unmigrated or unreachable database
    server = SocketmapServer(
        decision_replies(lambda mta, sender: decide(db, mta=mta, sender=sender)),
        Limits(max_connections=max_connections, threads=threads),
    )

    def ready(bound: int) -> None:
        say(f"ipfleet socketmap listening on {host}:{bound}")
        if metrics_at is not None:
            listener = _start_metrics(*metrics_at, settings.metrics_token)
            say(f"metrics at http://{_url_host(metrics_at[0])}:{listener.server_port}/metrics")
        sys.stdout.flush()

    try:
        asyncio.run(serve_until_signalled(server, host, port, reuse_port=reuse_port, ready=ready))
    except OSError as exc:  # e.g. the port is taken: one line, not a traceback
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        raise typer.Exit(1) from None
    finally:
        db.dispose()


def _host_port(value: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:9125`` for IPv6) from the command line, or exit with one line."""
    host, sep, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        fail(f"--metrics-listen wants HOST:PORT (e.g. 127.0.0.1:9125), not {value!r}")
        raise typer.Exit(2)
    return host, int(port)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _start_metrics(host: str, port: int, token: str | None) -> WSGIServer:
    from ipfleet.mta.metrics_listener import start_metrics_listener

    try:
        return start_metrics_listener(host, port, token)
    except OSError as exc:
        fail(f"cannot serve metrics on {host}:{port}: {exc.strerror or exc}")
        raise typer.Exit(1) from None


@postfix_app.command("render")
def postfix_render(
    mta: MtaOpt,
    out: OutOpt,
    socketmap: Annotated[
        str, typer.Option("--socketmap", help="Where the socketmap server listens: inet:HOST:PORT.")
    ],
    check: Annotated[
        bool, typer.Option("--check", help="Validate with Postfix's own tools before writing.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write master.cf.ipfleet and main.cf.ipfleet for MTA into OUT."""
    plan = mta_plan(open_db(), mta=mta)
    files = postfix.render(mta, socketmap, plan.ips)
    checked = "not asked"
    if check:
        result = postfix.check(files)
        if result.ran and not result.ok:
            fail(f"postfix check refused the rendered files; nothing written: {result.output}")
            raise typer.Exit(1)
        checked = "passed" if result.ran else f"skipped: {result.output}"
    written = write_files(out, files)
    _report(mta, written, len(plan.ips), as_json, checked)


@kumomta_app.command("render")
def kumomta_render(mta: MtaOpt, out: OutOpt, as_json: JsonOpt = False) -> None:
    """Write sources.toml and queues.toml for MTA into OUT."""
    plan = mta_plan(open_db(), mta=mta)
    written = write_files(out, kumomta.render(mta, plan.ips, plan.holders))
    _report(mta, written, len(plan.ips), as_json, None)


def _report(mta: str, written: list[Path], ips: int, as_json: bool, checked: str | None) -> None:
    if as_json:
        data: dict[str, object] = {"mta": mta, "ips": ips, "files": [str(p) for p in written]}
        if checked is not None:
            data["check"] = checked
        emit_json(data)
        return
    say(f"Wrote {', '.join(str(p) for p in written)} ({ips} IP(s) on {mta}).")
    if checked is not None and checked != "not asked":
        say(f"postfix check: {checked}")
