"""/v3/openapi.json: ipfleet's own OpenAPI 3.1 document of everything under /v3."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from ipfleet.api.app import IpfleetApp
from tests.support.inprocess import Client
from tests.support.oai import sendgrid_operations
from tests.support.v3_world import World

METHODS = ("get", "put", "post", "delete", "patch")
OBO_OPERATIONS = {"ListIp", "GetIp", "ListAssignedIp", "ListWarmUpIp", "GetWarmUpIp"}
ADDITIONS = {"GetSubuserIps", "GetIpHistory"}


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    r = client.request("GET", "/v3/openapi.json")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    doc: dict[str, Any] = r.json()
    return doc


def operations(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): op
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }


def served_routes(app: IpfleetApp) -> set[tuple[str, str]]:
    found = set()
    for route in app.v3.app.routes:
        path = route.path_format
        if path.startswith(("/v3/_litestar_schema", "/v3/docs")) or path == "/v3/openapi.json":
            continue
        for handler in getattr(route, "route_handlers", ()):
            if handler.opt.get("not_served"):  # only says ipfleet does not serve the call
                continue
            for method in handler.http_methods:
                if method not in ("OPTIONS", "HEAD"):
                    found.add((method, path))
    return found


def test_the_document_is_openapi_3_1_and_covers_every_route(
    document: dict[str, Any], app: IpfleetApp
) -> None:
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"] == {
        "BearerAuth": {"type": "http", "scheme": "bearer"}
    }
    assert document["security"] == [{"BearerAuth": []}]
    assert set(operations(document)) == served_routes(app)
    assert len(served_routes(app)) == 42  # 27, and the 15 of /v3/send_ips


def test_sendgrid_operations_keep_sendgrids_ids_and_additions_are_marked(
    document: dict[str, Any],
) -> None:
    theirs = sendgrid_operations()
    for key, op in operations(document).items():
        if key in theirs:
            # /v3/send_ips reuses ListIp, GetIp, AddIp and the pool ids of tsg_ips_v3.json;
            # ids are unique in one document, so ipfleet's carry a prefix (docs/v3.md).
            prefix = "SendIps" if key[1].startswith("/v3/send_ips/") else ""
            assert op["operationId"] == prefix + theirs[key]["operationId"], key
            assert "x-ipfleet-addition" not in op
        elif op["operationId"] in ADDITIONS:
            assert op["x-ipfleet-addition"] is True
            assert op["tags"] == ["ipfleet additions"]
        else:
            assert key[1].startswith("/v3/api_keys"), key  # SendGrid's, from a file not kept here


def test_on_behalf_of_is_documented_where_it_works(document: dict[str, Any]) -> None:
    for op in operations(document).values():
        headers = [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]
        assert headers == (["On-Behalf-Of"] if op["operationId"] in OBO_OPERATIONS else [])


def test_every_error_answer_is_documented_in_the_v3_shape(document: dict[str, Any]) -> None:
    for (method, path), op in operations(document).items():
        assert {"400", "401", "403"} <= set(op["responses"])
        for status, response in op["responses"].items():
            if int(status) < 400:
                continue
            ref = response["content"]["application/json"]["schema"]["$ref"]
            legacy = (method, path, status) in {
                ("DELETE", "/v3/ips/pools/{pool_name}", "404"),
                ("DELETE", "/v3/ips/pools/{pool_name}/ips/{ip}", "404"),
            }
            assert ref == f"#/components/schemas/{'LegacyError' if legacy else 'ErrorBody'}"


STRICT_CSP = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
}


def assert_served_offline(client: Client, page: httpx.Response) -> None:
    """The page references only this server's files, each is served, under a strict CSP."""
    csp = dict(d.strip().split(" ", 1) for d in page.headers["content-security-policy"].split(";"))
    assert {k: csp.get(k) for k in STRICT_CSP} == STRICT_CSP, csp
    html = page.text
    assert "<script>" not in html  # no inline code: every script has a src
    assert "style=" not in html
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(refs) == 4, refs  # icon, stylesheet, Swagger UI, the init script
    for ref in refs:
        assert ref.startswith("/v3/docs/static/"), ref  # not a CDN, not another origin
        asset = client.request("GET", ref)
        assert asset.status_code == 200, ref
        assert asset.headers["content-security-policy"] == page.headers["content-security-policy"]
        assert len(asset.content) > 100, ref
        if ref.endswith(".js"):
            assert b"SwaggerUIBundle" in asset.content
            assert b"cdn." not in asset.content or ref.endswith("bundle.js"), ref
    assert client.request("GET", "/v3/docs/static/..%2Fdocs.py").status_code == 404
    assert client.request("GET", "/v3/docs/static/LICENSE").status_code == 404


def test_docs_page_and_document_need_no_key_but_litestars_copy_is_hidden(
    client: Client, world: World
) -> None:
    r = client.request("GET", "/v3/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert b"swagger-ui" in r.content
    assert b"ipfleet SendGrid v3 API" in r.content
    assert_served_offline(client, r)
    for path in ("/v3/_litestar_schema/openapi.json", "/v3/_litestar_schema"):
        r = client.request("GET", path, headers=world.bearer())
        assert r.status_code == 404
        assert "errors" in r.json()
