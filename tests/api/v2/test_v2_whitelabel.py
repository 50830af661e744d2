"""customer.whitelabel (docs/v2.md §9): list the account's sending domains, attach one to a
subuser; byte for byte in JSON and XML, every error shape, nothing changed by a refusal."""

from __future__ import annotations

import pytest

from ipfleet.services.accounts import get_account
from ipfleet.services.sending_domains import add_sending_domain, list_sending_domains
from tests.support.inprocess import Client
from tests.support.v2_bodies import (
    NO_USER_JSON,
    NO_USER_XML,
    SUCCESS_JSON,
    SUCCESS_XML,
    check,
    list_error_json,
    list_error_xml,
    object_error_json,
    object_error_xml,
    xml_doc,
)
from tests.support.v2_world import SEEDER, A, B, C, World

URL = "/apiv2/customer.whitelabel"


@pytest.fixture
def domains(world: World) -> World:
    for account, names in ((A, ["em.domain2.com", "EM.Domain1.com"]), (B, ["b.example"])):
        acct = get_account(world.db, username=account)
        for name in names:
            add_sending_domain(
                world.db, account=acct, mail_domain=name, url_domain=None, actor=SEEDER
            )
    return world


def attached(world: World, account: str = A) -> dict[str, str | None]:
    acct = get_account(world.db, username=account)
    return {d.mail_domain: d.subuser for d in list_sending_domains(world.db, account=acct)}


def test_list_json_and_xml(client: Client, domains: World) -> None:
    params = {**domains.auth(), "task": "list"}
    check(
        client.get(f"{URL}.json", params=params),
        b'[{"mail_domain":"em.domain1.com","url_domain":"em.domain1.com"},'
        b'{"mail_domain":"em.domain2.com","url_domain":"em.domain2.com"}]',
    )
    check(
        client.post(f"{URL}.xml", data=params),
        xml_doc(
            "<whitelabels>",
            "   <whitelabel>",
            "      <mail_domain>em.domain1.com</mail_domain>",
            "      <url_domain>em.domain1.com</url_domain>",
            "   </whitelabel>",
            "   <whitelabel>",
            "      <mail_domain>em.domain2.com</mail_domain>",
            "      <url_domain>em.domain2.com</url_domain>",
            "   </whitelabel>",
            "</whitelabels>",
        ),
    )
    empty = {**domains.auth(C), "task": "list"}
    check(client.get(f"{URL}.json", params=empty), b"[]")
    check(client.get(f"{URL}.xml", params=empty), xml_doc("<whitelabels/>"))


def test_append_attaches_and_replaces(client: Client, domains: World) -> None:
    params = {**domains.auth(), "task": "append", "user": "alice", "mail_domain": "EM.domain1.COM"}
    check(client.post(f"{URL}.json", data=params), SUCCESS_JSON)
    assert attached(domains) == {"em.domain1.com": "alice", "em.domain2.com": None}
    check(client.get(f"{URL}.xml", params={**params, "mail_domain": "em.domain2.com"}), SUCCESS_XML)
    assert attached(domains) == {"em.domain1.com": None, "em.domain2.com": "alice"}
    # the list answer does not change shape with attachments
    listed = client.get(f"{URL}.json", params={**domains.auth(), "task": "list"})
    assert b"alice" not in listed.content


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_errors_in_every_shape(client: Client, domains: World, fmt: str) -> None:
    before = (domains.snapshot(), attached(domains), attached(domains, B))
    auth = domains.auth()
    lists = list_error_json if fmt == "json" else list_error_xml
    url = f"{URL}.{fmt}"
    cases: list[tuple[dict[str, str], bytes]] = [
        ({}, lists("Missing required parameter: task")),
        (
            {"task": "append"},
            lists("Missing required parameter: user", "Missing required parameter: mail_domain"),
        ),
        ({"task": "append", "user": "alice"}, lists("Missing required parameter: mail_domain")),
        (
            {"task": "append", "user": "", "mail_domain": "x.example"},
            lists("Missing required parameter: user"),
        ),
        (
            {"task": "append", "user": "nobody", "mail_domain": "em.domain1.com"},
            NO_USER_JSON if fmt == "json" else NO_USER_XML,
        ),
        (
            {"task": "append", "user": "erin", "mail_domain": "b.example"},
            NO_USER_JSON if fmt == "json" else NO_USER_XML,
        ),
        (
            {"task": "append", "user": "alice", "mail_domain": "B.example"},
            lists("Whitelabel record not found: b.example"),
        ),
        (
            {"task": "append", "user": "alice", "mail_domain": "Nope.Example"},
            lists("Whitelabel record not found: nope.example"),
        ),
        (
            {"task": "append", "user": "alice", "mail_domain": "not a domain"},
            lists("Whitelabel record not found: not a domain"),
        ),
    ]
    for task in ("LIST", "", "delete"):
        body = (
            object_error_json(400, "Invalid task parameter")
            if fmt == "json"
            else object_error_xml("Invalid task parameter")
        )
        cases.append(({"task": task, "user": "alice"}, body))
    for extra, body in cases:
        check(client.get(url, params={**auth, **extra}), body)
    assert (domains.snapshot(), attached(domains), attached(domains, B)) == before


def test_precedence_and_real_statuses(strict_client: Client, domains: World) -> None:
    bad_key = {"api_user": A, "api_key": "SG.nope.nope", "task": "bogus"}
    check(
        strict_client.get(f"{URL}.json", params=bad_key),
        b'{"error":{"code":401,"message":"Permission denied, wrong credentials"}}',
        status=401,
    )
    auth = domains.auth()
    # missing parameters come before an unknown user, an unknown user before the domain
    check(
        strict_client.get(f"{URL}.json", params={**auth, "task": "append", "user": "nobody"}),
        list_error_json("Missing required parameter: mail_domain"),
        status=400,
    )
    check(
        strict_client.get(
            f"{URL}.json",
            params={**auth, "task": "append", "user": "nobody", "mail_domain": "b.example"},
        ),
        NO_USER_JSON,
        status=400,
    )
    check(
        strict_client.get(
            f"{URL}.json",
            params={**auth, "task": "append", "user": "alice", "mail_domain": "b.example"},
        ),
        list_error_json("Whitelabel record not found: b.example"),
        status=404,
    )
    check(
        strict_client.get(f"{URL}.json", params={**auth, "task": "x"}),
        object_error_json(400, "Invalid task parameter"),
        status=400,
    )
