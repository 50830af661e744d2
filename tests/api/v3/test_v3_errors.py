"""The v3 error shape everywhere: auth, routing, validation, bodies, sizes, domain errors."""

from __future__ import annotations

import json
import logging
from typing import Any

import msgspec
import pytest
from litestar import Request

from ipfleet.api.app import IpfleetApp
from ipfleet.api.v3.errors import PARSE_ERROR, REQUEST_ID_KEY, error_response, status_of
from ipfleet.domain import errors as domain_errors
from tests.support.inprocess import Client
from tests.support.v3_world import World

DENIED = {"errors": [{"field": None, "message": "Permission denied, wrong credentials"}]}


def assert_v3_shape(body: Any) -> None:
    assert set(body) == {"errors"}
    assert body["errors"]
    for item in body["errors"]:
        assert set(item) == {"field", "message"}
        assert item["field"] is None or isinstance(item["field"], str)
        assert isinstance(item["message"], str)
        assert item["message"]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer SG.short.key",
        "Bearer SG.aaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        "Token {key}",
        "Bearer {key}x",
    ],
)
def test_missing_or_wrong_key_is_401(
    client: Client, world: World, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    if authorization is not None:
        headers["Authorization"] = authorization.format(key=world.keys["acme"])
    r = client.request("GET", "/v3/ips", headers=headers)
    assert (r.status_code, r.json()) == (401, DENIED)
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.headers["content-type"] == "application/json"


def test_bearer_is_case_insensitive_and_trimmed(client: Client, world: World) -> None:
    headers = {"Authorization": f"bearer   {world.keys['acme']}  "}
    assert client.request("GET", "/v3/ips", headers=headers).status_code == 200


def test_auth_is_checked_before_the_body_is_read(client: Client, world: World) -> None:
    r = client.request("POST", "/v3/ips/pools", content=b"{not json")
    assert r.status_code == 401
    r = client.request("POST", "/v3/ips/pools", content=b"x" * 10_000)
    assert r.status_code == 401


@pytest.mark.parametrize(
    "body", [b"{not json", b"", b"\xff\xfe", b'{"name": "a"} trailing', b"nul\x00l"]
)
def test_a_body_that_is_not_json_is_a_400(client: Client, world: World, body: bytes) -> None:
    r = client.request("POST", "/v3/ips/pools", headers=world.bearer(), content=body)
    assert (r.status_code, r.json()) == (
        400,
        {"errors": [{"field": None, "message": PARSE_ERROR}]},
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 7}, "name"),
        ({}, "name"),
        ([], None),
        ("pool", None),
        (None, None),
    ],
)
def test_a_body_of_the_wrong_shape_is_a_400_naming_the_field(
    client: Client, world: World, body: Any, field: str | None
) -> None:
    r = client.request("POST", "/v3/ips/pools", headers=world.bearer(), content=json.dumps(body))
    assert r.status_code == 400
    assert_v3_shape(r.json())
    assert r.json()["errors"][0]["field"] == field


def test_a_body_over_the_limit_is_a_413(client: Client, world: World) -> None:
    body = json.dumps({"name": "x" * 5000}).encode()
    r = client.request("POST", "/v3/ips/pools", headers=world.bearer(), content=body)
    assert (r.status_code, r.json()) == (
        413,
        {"errors": [{"field": None, "message": "Request body too large (at most 4096 bytes)"}]},
    )


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/v3/ips", {"GET", "POST"}),
        ("DELETE", "/v3/ips/assigned", {"GET"}),
        ("PATCH", "/v3/ips/pools/marketing", {"GET", "PUT", "DELETE"}),
        ("POST", "/v3/subusers/alice/ips", {"GET", "PUT"}),
        ("GET", "/v3/subusers/alice", {"PATCH", "DELETE"}),
    ],
)
def test_a_wrong_method_is_a_405_with_allow(
    client: Client, world: World, method: str, path: str, allow: set[str]
) -> None:
    r = client.request(method, path, headers=world.bearer())
    assert r.status_code == 405
    assert_v3_shape(r.json())
    assert {m.strip() for m in r.headers["allow"].split(",")} - {"OPTIONS"} == allow


@pytest.mark.parametrize(
    "path", ["/v3", "/v3/", "/v3/nothing", "/v3/ips/192.0.2.1/extra", "/v3/subusers/a/b/c"]
)
def test_an_unknown_path_is_a_404(client: Client, world: World, path: str) -> None:
    r = client.request("GET", path, headers=world.bearer())
    assert r.status_code == 404
    assert r.json() == {"errors": [{"field": None, "message": "resource not found"}]}


def test_every_answer_carries_the_request_id(client: Client, world: World) -> None:
    r = client.request("GET", "/v3/ips", headers={**world.bearer(), "X-Request-Id": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = client.request("GET", "/v3/nothing", headers={"X-Request-Id": "bad id!"})
    assert len(r.headers["x-request-id"]) == 32


def _error_classes() -> list[type[domain_errors.IpfleetError]]:
    return domain_errors.all_error_classes()


@pytest.mark.parametrize("cls", _error_classes(), ids=lambda c: c.__name__)
def test_every_error_class_has_a_v3_status(cls: type[domain_errors.IpfleetError]) -> None:
    kinds = {
        domain_errors.Unauthorized: 401,
        domain_errors.Forbidden: 403,
        domain_errors.NotFound: 404,
        domain_errors.MethodNotAllowed: 405,
        domain_errors.TooLarge: 413,
        domain_errors.Conflict: 400,
        domain_errors.Invalid: 400,
    }
    expected = next(status for kind, status in kinds.items() if issubclass(cls, kind))
    exc = cls.__new__(cls)
    domain_errors.IpfleetError.__init__(exc, "m")
    assert status_of(exc) == expected


def test_an_unexpected_exception_is_a_logged_500_in_the_v3_shape(
    app: IpfleetApp, caplog: pytest.LogCaptureFixture
) -> None:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/v3/ips",
        "raw_path": b"/v3/ips",
        "query_string": b"",
        "headers": [],
        "litestar_app": app.v3.app,
        REQUEST_ID_KEY: "rid-500",
    }
    with caplog.at_level(logging.ERROR, logger="ipfleet.api.v3"):
        response = error_response(Request(scope), RuntimeError("boom"))  # type: ignore[arg-type]
    assert response.status_code == 500
    assert msgspec.json.decode(msgspec.json.encode(response.content)) == {
        "errors": [{"field": None, "message": "internal error (request id rid-500)"}]
    }
    assert "rid-500" in caplog.text
    assert "boom" in caplog.text


@pytest.mark.parametrize(
    ("path", "method", "body", "field"),
    [
        ("/v3/ips", "POST", {"count": 1, "warmup": 0}, "warmup"),
        ("/v3/ips", "POST", {"count": "1"}, "count"),
        ("/v3/ips", "POST", {"count": 1, "subusers": ["bob", 7]}, "subusers"),
        ("/v3/subusers/alice", "PATCH", {"disabled": 1}, "disabled"),
        ("/v3/subusers/alice", "PATCH", {"disabled": "true"}, "disabled"),
        ("/v3/subusers/alice/ips", "PUT", ["192.0.2.1", 3], None),
    ],
)
def test_bodies_are_checked_strictly(
    client: Client, world: World, path: str, method: str, body: Any, field: str | None
) -> None:
    before = client.request("GET", "/v3/ips", headers=world.bearer()).json()
    r = client.request(method, path, headers=world.bearer(), json=body)
    assert r.status_code == 400
    assert_v3_shape(r.json())
    assert r.json()["errors"][0]["field"] == field
    assert client.request("GET", "/v3/ips", headers=world.bearer()).json() == before
