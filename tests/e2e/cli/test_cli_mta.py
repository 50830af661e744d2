"""`ipfleet postfix render`, `ipfleet kumomta render`, `ipfleet postfix socketmap`: the
commands' own behaviour (what they write, --json, one-line errors, exit statuses)."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from ipfleet.mta.postfix import MAIN, MASTER
from ipfleet.store.uow import Database
from tests.support.cli import Ipfleet
from tests.support.dataplane import seed
from tests.support.server import server_env
from tests.support.socketmap import EXE, lookup, running_socketmap


def test_postfix_render_writes_both_fragments(
    ipfleet: Ipfleet, db: Database, tmp_path: Path
) -> None:
    seed(db)
    out = tmp_path / "pf"
    data = ipfleet("postfix", "render", "--mta", "mta1", "--out", str(out),
                   "--socketmap", "inet:127.0.0.1:7777", "--json").json()  # fmt: skip
    files = [str(out / MASTER), str(out / MAIN)]
    assert data == {"mta": "mta1", "ips": 5, "files": files, "check": "not asked"}
    master = (out / MASTER).read_text()
    assert master.count(" unix - - - - - smtp\n") == 5  # .2-.6 are on mta1
    assert "smtp_bind_address=127.0.0.9" not in master  # on mta2
    assert "socketmap:inet:127.0.0.1:7777:mta1" in (out / MAIN).read_text()


def test_render_errors_are_one_line(ipfleet: Ipfleet, db: Database, tmp_path: Path) -> None:
    seed(db)
    bad = ipfleet("postfix", "render", "--mta", "mta1", "--out", str(tmp_path / "x"),
                  "--socketmap", "127.0.0.1:7777")  # fmt: skip
    assert bad.status == 2
    assert "inet:HOST:PORT" in bad.error_line()
    assert not (tmp_path / "x").exists()
    bad = ipfleet("kumomta", "render", "--mta", "no such mta!", "--out", str(tmp_path / "y"))
    assert bad.status == 2
    bad.error_line()


def test_kumomta_render_writes_toml(ipfleet: Ipfleet, db: Database, tmp_path: Path) -> None:
    seed(db)
    out = tmp_path / "kumo"
    assert (
        ipfleet("kumomta", "render", "--mta", "mta1", "--out", str(out), "--json").json()["ips"]
        == 5
    )
    sources = tomllib.loads((out / "sources.toml").read_text())
    queues = tomllib.loads((out / "queues.toml").read_text())
    assert set(sources["pool"]) == {"acme", "acme.bob", "acme.carol", "acme.dave"}
    assert queues["tenant"]["bob"] == {"egress_pool": "acme.bob"}


def test_socketmap_on_a_taken_port_is_a_one_line_error(db: Database, db_url: str) -> None:
    seed(db)
    with running_socketmap(db_url) as first:
        done = subprocess.run(
            [str(EXE), "postfix", "socketmap", "--port", str(first.port)],
            env=server_env(db_url), capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 1
        (line,) = done.stderr.strip().splitlines()
        assert line.startswith(f"error: cannot listen on 127.0.0.1:{first.port}: ")
        assert "address already in use" in line.lower()


def test_socketmap_instances_may_share_a_port(db: Database, db_url: str) -> None:
    seed(db)
    with running_socketmap(db_url, "--reuse-port") as first:
        port = first.port
        with running_socketmap(db_url, "--reuse-port", port=port) as second:
            assert second.proc.poll() is None
            for _ in range(10):
                assert lookup(port, "mta1", "x@carol.test") == "OK ipfleet-127-0-0-5:"


@pytest.mark.parametrize("value", ["9125", ":9125", "127.0.0.1:99999"])
def test_socketmap_metrics_listen_wants_host_port(sqlite_url: str, value: str) -> None:
    """Checked before the database is opened: no backend to vary."""
    done = subprocess.run(
        [str(EXE), "postfix", "socketmap", "--port", "0", "--metrics-listen", value],
        env=server_env(sqlite_url), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line == f"error: --metrics-listen wants HOST:PORT (e.g. 127.0.0.1:9125), not {value!r}"
