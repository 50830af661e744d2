"""The documented answer shapes of each API, and a verdict on any response.

``verdict(route, response)`` says whether an answer is a success or an error, and raises
``AssertionError`` when it is neither: a 5xx, a body that does not parse, a shape that no
document describes. v2: docs/v2.md §2 (three error forms) and the success
bodies of §4-7; v3: ``{"errors":[{"field","message"}]}`` or the legacy ``{"error":M}``;
ipfleet's own: RFC 9457 problem JSON.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import httpx

from tests.reliability.rel_registry import Route

V2_JSON = "application/json"
V2_XML = "text/xml; charset=ISO-8859-1"
V2_ROOTS = {"result", "ips", "sendips", "users", "whitelabels"}
DOCS_TYPES = {"text/html", "text/javascript", "text/css", "image/png"}


def _v2_json_error(body: Any) -> bool | None:
    """True for an error form, False for a success body, None for neither."""
    if isinstance(body, list):
        return False if all(isinstance(x, dict) for x in body) else None
    if not isinstance(body, dict):
        return None
    if set(body) == {"message", "errors"} and body["message"] == "error":
        ok = isinstance(body["errors"], list) and all(isinstance(e, str) for e in body["errors"])
        return True if ok and body["errors"] else None
    if set(body) == {"error"} and isinstance(body["error"], dict):
        inner = body["error"]
        ok = set(inner) == {"code", "message"} and isinstance(inner["code"], int)
        return True if ok and isinstance(inner["message"], str) else None
    if set(body) == {"message"} and isinstance(body["message"], str):
        return body["message"] != "success"
    if set(body) == {"success", "outboundcluster", "ips"}:
        return False
    return None


def _v2(resp: httpx.Response, fmt: str) -> bool:
    if fmt == "xml":
        assert resp.headers["content-type"] == V2_XML, resp.headers
        assert resp.content.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>\n\n')
        root = ET.fromstring(resp.content)  # raises on XML that does not parse
        assert root.tag in V2_ROOTS, root.tag
        message = root.findtext("message")
        return root.tag == "result" and message != "success"
    assert resp.headers["content-type"] == V2_JSON, resp.headers
    resp.content.decode("ascii")  # PHP-style escapes: the body is plain ASCII
    error = _v2_json_error(json.loads(resp.content))
    assert error is not None, f"undocumented v2 body: {resp.text[:300]}"
    return error


def _v3_error(body: Any) -> bool:
    if isinstance(body, dict) and set(body) == {"error"}:
        return isinstance(body["error"], str)
    if not isinstance(body, dict) or set(body) != {"errors"} or not body["errors"]:
        return False
    return all(
        isinstance(e, dict)
        and set(e) == {"field", "message"}
        and isinstance(e["message"], str)
        and (e["field"] is None or isinstance(e["field"], str))
        for e in body["errors"]
    )


def _problem(body: Any, status: int) -> bool:
    return (
        isinstance(body, dict)
        and {"type", "title", "status"} <= set(body)
        and body["status"] == status
    )


def verdict(route: Route, resp: httpx.Response, fmt: str = "json") -> bool:
    """True if the answer is a documented error, False if a success; else AssertionError."""
    status = resp.status_code
    assert status < 500, f"{route.key}: HTTP {status}: {resp.text[:300]}"
    assert 200 <= status < 500, f"{route.key}: HTTP {status}"
    if route.api == "v2":
        return _v2(resp, fmt)
    if status == 204:
        assert resp.content == b"", resp.content
        return False
    if route.key.startswith("GET /v3/docs") and status == 200:
        assert resp.headers["content-type"].split(";")[0] in DOCS_TYPES, resp.headers
        return False
    if route.key == "GET /metrics" and status == 200:
        assert resp.headers["content-type"].startswith("text/plain; version=0.0.4")
        return False
    body = json.loads(resp.content)
    if status < 300:
        return False
    if route.api == "own" or (
        route.api == "hidden" and resp.headers.get("content-type", "") == "application/problem+json"
    ):
        assert _problem(body, status), f"{route.key}: not problem JSON: {resp.text[:300]}"
        return True
    assert _v3_error(body), f"{route.key}: HTTP {status}, undocumented body {resp.text[:300]}"
    return True


def visible_text(resp: httpx.Response) -> str:
    """What a client reads in the answer: decoded JSON strings, XML text, headers."""
    parts = [resp.text, " ".join(f"{k}: {v}" for k, v in resp.headers.items())]
    ctype = resp.headers.get("content-type", "")
    try:
        if "xml" in ctype:
            parts.append(" ".join(ET.fromstring(resp.content).itertext()))
        elif "json" in ctype and resp.content:
            parts.append(json.dumps(json.loads(resp.content), ensure_ascii=False))
    except (ValueError, ET.ParseError):
        pass
    return "\n".join(parts)
