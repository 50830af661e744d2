"""Helpers of the reseller tests: accounts made through the services, an in-process v2
client, expected bodies spelled out by hand, table dumps and the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
from sqlalchemy import select

from ipfleet.api.app import IpfleetApp
from ipfleet.domain.records import Actor
from ipfleet.services.accounts import create_account
from ipfleet.services.ips import add_ips
from ipfleet.store.tables import metadata, subusers
from ipfleet.store.uow import Database

ACTOR = Actor(name="tests:reseller", request_id="reseller-seed")
IPFLEET = Path(sys.executable).parent / "ipfleet"
JSON_TYPE = "application/json"
XML_TYPE = "text/xml; charset=ISO-8859-1"
XML_PROLOG = '<?xml version="1.0" encoding="ISO-8859-1"?>\n\n'
SUCCESS_JSON = b'{"message":"success"}'
SUCCESS_XML = (XML_PROLOG + "<result>\n   <message>success</message>\n</result>\n").encode()


@dataclass(frozen=True)
class Acct:
    """An account made for a test and its API key."""

    name: str
    key: str

    def auth(self) -> dict[str, str]:
        return {"api_user": self.name, "api_key": self.key}


def make_account(db: Database, name: str, ips: list[str] | None = None) -> Acct:
    """An account (through the services), with IPs put on it directly."""
    _account, key = create_account(db, username=name, outbound_cluster=None, actor=ACTOR)
    if ips:
        add_ips(db, username=name, specs=ips, actor=ACTOR)
    return Acct(name, key)


class V2:
    """A blocking v2 client on an in-process app (httpx over ASGITransport)."""

    def __init__(self, portal: anyio.from_thread.BlockingPortal, app: IpfleetApp) -> None:
        self.portal = portal
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )

    def call(self, call: str, fmt: str, acct: Acct, **params: Any) -> httpx.Response:
        """POST ``/apiv2/<call>.<fmt>`` with a form body (lists become ``name[]=``)."""
        data: dict[str, Any] = {}
        for name, value in params.items():
            data[f"{name}[]" if isinstance(value, list) else name] = value
        data.update(acct.auth())
        url = f"/apiv2/{call}.{fmt}"
        return self.portal.call(lambda: self.http.post(url, data=data))

    def get(self, call: str, fmt: str, acct: Acct, **params: str) -> httpx.Response:
        """GET with every parameter in the query string."""
        url = f"/apiv2/{call}.{fmt}"
        query = {**params, **acct.auth()}
        return self.portal.call(lambda: self.http.get(url, params=query))

    def close(self) -> None:
        self.portal.call(self.http.aclose)


def xml_doc(*lines: str) -> bytes:
    """The bytes of a v2 XML answer whose body lines (indentation included) are given."""
    return (XML_PROLOG + "".join(f"{line}\n" for line in lines)).encode("latin-1")


def xml_list_error(*messages: str) -> bytes:
    return xml_doc(
        "<result>",
        "   <message>error</message>",
        "   <errors>",
        *(f"      <error>{m}</error>" for m in messages),
        "   </errors>",
        "</result>",
    )


def xml_message(message: str) -> bytes:
    """``<result><message>...</message></result>``: object and bare forms in XML."""
    return xml_doc("<result>", f"   <message>{message}</message>", "</result>")


def json_list_error(*messages: str) -> bytes:
    inner = ",".join(f'"{m}"' for m in messages).replace("/", "\\/")
    return b'{"message":"error","errors":[' + inner.encode() + b"]}"


def json_object_error(code: int, message: str) -> bytes:
    return f'{{"error":{{"code":{code},"message":"{message}"}}}}'.encode()


def check(resp: httpx.Response, fmt: str, body: bytes, label: str = "") -> None:
    """HTTP 200 (SendGrid's mode), the exact content type and the exact body."""
    assert (resp.status_code, resp.content) == (200, body), label
    assert resp.headers["content-type"] == (JSON_TYPE if fmt == "json" else XML_TYPE), label


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows = conn.execute(select(table).order_by(*table.primary_key.columns))
            out[table.name] = [tuple(r) for r in rows]
    return out


def password_hash_of(db: Database, username: str) -> str | None:
    with db.engine.connect() as conn:
        return conn.scalar(select(subusers.c.password_hash).where(subusers.c.username == username))


def log_rows(db: Database, action: str) -> list[dict[str, Any]]:
    """The change-log rows of one action, in order of writing."""
    return [r for r in db.read(lambda uow: uow.log.entries()) if r["action"] == action]


def run_cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The real ``ipfleet`` console script of this venv, on ``db_url``."""
    env = {**os.environ, "IPFLEET_DATABASE_URL": db_url, "COLUMNS": "200"}
    return subprocess.run(
        [str(IPFLEET), *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def cli_error(result: subprocess.CompletedProcess[str]) -> str:
    """The one-line error of a failed command (checked to be one line, no traceback)."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0].removeprefix("error: ")
