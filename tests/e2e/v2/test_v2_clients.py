"""The request shapes of real v2 clients (docs/v2.md §8) against a real ``ipfleet serve``.

Each client below is rebuilt from how the library forms its requests and reads the
answers; each write is checked afterwards with a task=list call.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import urllib.request
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest

from tests.e2e.v2.e2e_server import ACME_IPS, Server

pytestmark = pytest.mark.e2e

SENDIP = "/apiv2/customer.sendip"
CURL = shutil.which("curl")


class ClientError(Exception):
    """What a client library raises on an error answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


def listed(server: Server, user: str, *, fmt: str = "json") -> list[str]:
    """The subuser's set as task=list reports it (JSON or XML, parsed like a client)."""
    params = {"api_user": server.api_user, "api_key": server.api_key, "task": "list"}
    resp = httpx.get(f"{server.base_url}{SENDIP}.{fmt}", params={**params, "user": user})
    assert resp.status_code == 200
    if fmt == "xml":
        assert resp.headers["content-type"] == "text/xml; charset=ISO-8859-1"
        root = ET.fromstring(resp.content)
        assert root.tag == "sendips"
        assert root.findtext("ocluster") == "SendGrid MTA"
        return [ip.text or "" for ip in root.iterfind("ips/ip")]
    assert resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert body["success"] == "success"
    assert body["outboundcluster"] == "SendGrid MTA"
    return [item["ip"] for item in body["ips"]]


def faraday_get(server: Server, params: dict[str, Any], *, user: str = "", key: str = "") -> Any:
    """Ruby Faraday: sorted params, arrays as ``ip%5B%5D``; raises on an ``error`` key."""
    pairs: list[tuple[str, str]] = []
    creds = {"api_user": user or server.api_user, "api_key": key or server.api_key}
    for name, value in sorted({**params, **creds}.items()):
        if isinstance(value, list):
            pairs += [(f"{name}[]", v) for v in value]
        else:
            pairs.append((name, value))
    query = urlencode(pairs)
    assert "ip%5B%5D=" in query or "ip" not in params
    resp = httpx.get(f"{server.base_url}{SENDIP}.json?{query}")
    body = resp.json()
    if "error" in body:
        raise ClientError(body["error"]["code"], body["error"]["message"])
    return body


def restclient_post(server: Server, fields: list[tuple[str, str]]) -> Any:
    """Ruby RestClient: urlencoded body with literal ``ip[]``; raises on HTTP errors."""
    creds = f"api_user={server.api_user}&api_key={server.api_key}"
    body = "&".join([creds, *(f"{k}={v}" for k, v in fields)])
    resp = httpx.post(
        f"{server.base_url}{SENDIP}.json",
        content=body.encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    resp.raise_for_status()
    return resp.json()


def php_get(server: Server, user: str, ips: list[str]) -> Any:
    """PHP http_build_query + file_get_contents: ``ip%5B0%5D``; throws unless success."""
    params: list[tuple[str, str]] = [
        ("api_user", server.api_user),
        ("api_key", server.api_key),
        ("task", "append"),
        ("set", "specify" if ips else "none"),
    ]
    params += [(f"ip[{i}]", ip) for i, ip in enumerate(ips)]
    params.append(("user", user))
    query = urlencode(params)
    assert not ips or "ip%5B0%5D=" in query
    with urllib.request.urlopen(f"{server.base_url}{SENDIP}.json?{query}") as resp:
        body = json.loads(resp.read())
    if body.get("message") != "success":
        raise ClientError(200, json.dumps(body))
    return body


def scala_get(server: Server, query: str) -> Any:
    """Scala: a raw GET (literal ``ip[]`` in the path); needs HTTP 200 and success."""
    url = urlsplit(server.base_url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port)
    try:
        conn.request("GET", f"{SENDIP}.json?{query}")
        resp = conn.getresponse()
        status, raw = resp.status, resp.read()
    finally:
        conn.close()
    body = json.loads(raw)
    if status != 200 or body.get("message") != "success":
        raise ClientError(status, raw.decode())
    return body


def test_query_string_clients(server: Server) -> None:
    """Faraday, PHP http_build_query and Scala GETs; the buggy PHP client's request."""
    assert listed(server, "alice") == ["192.0.2.10"]
    body = faraday_get(server, {"task": "append", "set": "specify", "user": "alice",
                                "ip": ["192.0.2.12", "2001:db8::1"]})  # fmt: skip
    assert body == {"message": "success"}
    assert listed(server, "alice") == ["192.0.2.12", "2001:db8::1"]
    # Faraday raises with error.code as the status (HTTP itself is 200).
    with pytest.raises(ClientError) as raised:
        faraday_get(server, {"task": "list", "user": "alice"},
                    user=server.other_user, key=server.other_key)  # fmt: skip
    assert (raised.value.status, raised.value.message) == (400, "User does not exist")
    with pytest.raises(ClientError) as raised:
        faraday_get(server, {"task": "list", "user": "alice"}, key="SG.wrong")
    assert raised.value.status == 401

    assert php_get(server, "bob", ["192.0.2.9", "192.0.2.12"]) == {"message": "success"}
    assert listed(server, "bob") == ["192.0.2.9", "192.0.2.12"]
    assert php_get(server, "bob", []) == {"message": "success"}  # empty list: set=none
    assert listed(server, "bob") == []
    with pytest.raises(ClientError):
        php_get(server, "bob", ["192.0.2.9", "198.51.100.7"])  # another account's IP
    assert listed(server, "bob") == []

    creds = urlencode({"api_user": server.api_user, "api_key": server.api_key})
    query = f"{creds}&task=append&set=specify&user=carol&ip[]=192.0.2.11&ip[]=192.0.2.9"
    assert scala_get(server, query) == {"message": "success"}
    assert listed(server, "carol", fmt="xml") == ["192.0.2.9", "192.0.2.11"]

    # The buggy PHP client: task=specify and no set gets a clear error, changes nothing.
    resp = httpx.get(
        f"{server.base_url}{SENDIP}.json?{creds}&task=specify&user=carol&ip%5B0%5D=192.0.2.10"
    )
    assert resp.status_code == 200
    assert resp.content == b'{"error":{"code":400,"message":"Invalid task parameter"}}'
    assert listed(server, "carol") == ["192.0.2.9", "192.0.2.11"]


def test_form_body_clients(server: Server) -> None:
    """RestClient urlencoded POST, multipart (httpx and curl -F), query+body, XML."""
    fields = [("task", "append"), ("set", "specify"), ("user", "alice")]
    body = restclient_post(server, [*fields, ("ip[]", "192.0.2.9"), ("ip[]", "192.0.2.11")])
    assert body == {"message": "success"}
    assert listed(server, "alice") == ["192.0.2.9", "192.0.2.11"]

    # node request formData / PHP curl with an array: multipart, fields named ip[].
    form = [("api_user", server.api_user), ("api_key", server.api_key), *fields]
    files = [(k, (None, v)) for k, v in form]
    files += [("ip[]", (None, "2001:db8::1")), ("ip[]", (None, "192.0.2.12"))]
    resp = httpx.post(f"{server.base_url}{SENDIP}.xml", files=files)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/xml; charset=ISO-8859-1"
    assert ET.fromstring(resp.content).findtext("message") == "success"
    assert listed(server, "alice", fmt="xml") == ["192.0.2.12", "2001:db8::1"]

    # Query and body mixed: credentials and task in the query, the rest in the body.
    query = urlencode({"api_user": server.api_user, "api_key": server.api_key, "task": "append"})
    resp = httpx.post(
        f"{server.base_url}{SENDIP}.json?{query}",
        data={"user": "carol", "set": "all"},
    )
    assert resp.content == b'{"message":"success"}'
    assert listed(server, "carol") == ACME_IPS

    # Errors in XML parse too, and name every bad address in order.
    resp = httpx.post(
        f"{server.base_url}{SENDIP}.xml",
        files=[*files[:5], ("ip[]", (None, "nope")), ("ip[]", (None, "198.51.100.7"))],
    )
    root = ET.fromstring(resp.content)
    assert root.findtext("message") == "error"
    assert [e.text for e in root.iterfind("errors/error")] == [
        "Invalid IP address: nope",
        "IP address is not on your account: 198.51.100.7",
    ]
    assert listed(server, "alice") == ["192.0.2.12", "2001:db8::1"]

    if CURL is None:
        pytest.skip("curl is not installed")
    out = subprocess.run(
        [CURL, "-s", "-S", "-w", "\n%{http_code} %{content_type}",
         *(a for k, v in form for a in ("-F", f"{k}={v}")),
         "-F", "ip[]=192.0.2.10", "-F", "ip[]=192.0.2.9",
         f"{server.base_url}{SENDIP}.json"],
        capture_output=True, check=True, timeout=10,
    )  # fmt: skip
    body_text, _, meta = out.stdout.decode().rpartition("\n")
    assert meta == "200 application/json"
    assert body_text == '{"message":"success"}'
    assert listed(server, "alice") == ["192.0.2.9", "192.0.2.10"]
