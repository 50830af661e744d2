"""v2 subuser calls of docs/v2.md §10: customer.profile task=setUsername/setEmail and
customer.website_enable/website_disable; and the calls ipfleet does not serve.

Driven through the whole app in process, in JSON and in XML, bodies compared byte for byte.
"""

from __future__ import annotations

import pytest

from ipfleet.store.uow import Database
from tests.api.v2.test_v2_customer_calls import (
    ALICE_FORM,
    ALICE_JSON,
    ALICE_XML_LINES,
    FMTS,
    PASSWORD,
    add_alice,
    add_sub,
    profile_names,
)
from tests.support.db import dump, log_rows_of
from tests.support.inprocess import V2Forms
from tests.support.seed import Acct, make_account
from tests.support.v2_bodies import (
    SUCCESS_JSON,
    SUCCESS_XML,
    check,
    list_error_json,
    list_error_xml,
    object_error_json,
    object_error_xml,
    xml_doc,
)


def success(fmt: str) -> bytes:
    return SUCCESS_JSON if fmt == "json" else SUCCESS_XML


def list_error(fmt: str, *messages: str) -> bytes:
    return list_error_json(*messages) if fmt == "json" else list_error_xml(*messages)


def no_such_user(fmt: str) -> bytes:
    return (
        object_error_json(400, "User does not exist")
        if fmt == "json"
        else object_error_xml("User does not exist")
    )


def sendip(v2: V2Forms, acct: Acct, user: str) -> list[str]:
    body = v2.call("customer.sendip", "json", acct, task="list", user=user).json()
    assert isinstance(body, dict), body
    return [e["ip"] for e in body["ips"]]


# ------------------------------------------------------------ task=setUsername


def test_set_username_keeps_ips_profile_and_password(
    v2: V2Forms, db: Database, acct_a: Acct
) -> None:
    add_alice(v2, acct_a)
    v2.call(
        "customer.sendip",
        "json",
        acct_a,
        task="append",
        set="specify",
        user="alice",
        ip=["192.0.2.10", "192.0.2.9"],
    )
    for n, fmt in enumerate(FMTS):
        old, new = ("alice", "alice2") if n == 0 else ("alice2", "alice")
        resp = v2.call("customer.profile", fmt, acct_a, task="setUsername", user=old, username=new)
        check(resp, success(fmt), label=fmt)
        assert profile_names(v2, acct_a) == [new]
        assert sendip(v2, acct_a, new) == ["192.0.2.9", "192.0.2.10"]
        resp = v2.call("customer.sendip", "json", acct_a, task="list", user=old)
        check(resp, object_error_json(400, "User does not exist"), label=fmt)
        resp = v2.call("customer.auth", "json", acct_a, user=new, password=PASSWORD)
        check(resp, SUCCESS_JSON, label=fmt)
    # Back as alice, the user object is byte for byte what it was.
    check(v2.call("customer.profile", "json", acct_a, task="get"), b"[" + ALICE_JSON + b"]")
    rows = log_rows_of(db, "subuser.rename")
    assert [(r["subject"], r["before"], r["after"]) for r in rows] == [
        ("subuser:alice2", {"username": "alice"}, {"username": "alice2"}),
        ("subuser:alice", {"username": "alice2"}, {"username": "alice"}),
    ]
    assert {r["actor"] for r in rows} == {"v2:reseller-a"}


def test_old_name_is_free_again(v2: V2Forms, acct_a: Acct, acct_b: Acct) -> None:
    add_alice(v2, acct_a)
    v2.call("customer.profile", "json", acct_a, task="setUsername", user="alice", username="al")
    form = {**ALICE_FORM, "email": "other@example.com"}
    check(v2.call("customer.add", "json", acct_b, **form), SUCCESS_JSON)
    assert profile_names(v2, acct_b) == ["alice"]
    assert profile_names(v2, acct_a) == ["al"]


def test_set_username_to_its_own_name_changes_nothing(
    v2: V2Forms, db: Database, acct_a: Acct
) -> None:
    add_alice(v2, acct_a)
    before = log_rows_of(db, "subuser.rename")
    resp = v2.call(
        "customer.profile", "xml", acct_a, task="setUsername", user="alice", username="alice"
    )
    check(resp, SUCCESS_XML)
    assert log_rows_of(db, "subuser.rename") == before == []


def test_set_username_errors(v2: V2Forms, db: Database, acct_a: Acct, acct_b: Acct) -> None:
    add_alice(v2, acct_a)
    add_sub(db, acct_a, "bob")
    add_sub(db, acct_b, "erin")
    before = dump(db)
    for fmt in FMTS:
        # Taken anywhere: a subuser of the same account, of another, an account's name.
        for taken in ("bob", "erin", "reseller-b", "reseller-a"):
            resp = v2.call(
                "customer.profile", fmt, acct_a, task="setUsername", user="alice", username=taken
            )
            check(resp, list_error(fmt, "Username already exists"), label=f"{fmt} {taken}")
        for bad, message in [
            ("x" * 65, "Username must be at most 64 characters"),
            ("a/b", "Username must not contain '/'"),
            ("tab\there", "Username must not contain control characters"),
            ("   ", "Username is required"),
        ]:
            resp = v2.call(
                "customer.profile", fmt, acct_a, task="setUsername", user="alice", username=bad
            )
            check(resp, list_error(fmt, message), label=f"{fmt} {bad!r}")
        # Unknown or foreign user: the object form, whatever the new name.
        for name in ("nobody", "erin", "ALICE"):
            resp = v2.call(
                "customer.profile", fmt, acct_a, task="setUsername", user=name, username="x" * 65
            )
            check(resp, no_such_user(fmt), label=f"{fmt} {name}")
        for params, missing in [
            ({"username": "new"}, ["user"]),  # `username` is the new name, never the user
            ({"user": "alice"}, ["username"]),
            ({"user": "alice", "username": ""}, ["username"]),
            ({}, ["user", "username"]),
        ]:
            resp = v2.call("customer.profile", fmt, acct_a, task="setUsername", **params)
            expected = list_error(fmt, *(f"Missing required parameter: {m}" for m in missing))
            check(resp, expected, label=f"{fmt} {params}")
        for task in ("setusername", "SETUSERNAME", "set_username"):
            resp = v2.call("customer.profile", fmt, acct_a, task=task, user="alice", username="z")
            expected = (
                object_error_json(400, "Invalid task parameter")
                if fmt == "json"
                else object_error_xml("Invalid task parameter")
            )
            check(resp, expected, label=f"{fmt} {task}")
    assert dump(db) == before


# --------------------------------------------------------------- task=setEmail


def test_set_email(v2: V2Forms, db: Database, acct_a: Acct) -> None:
    add_alice(v2, acct_a)
    for fmt, email in (("json", "alice@example.org"), ("xml", "a.liddell@example.net")):
        resp = v2.call("customer.profile", fmt, acct_a, task="setEmail", user="alice", email=email)
        check(resp, success(fmt), label=fmt)
        got = v2.call("customer.profile", "json", acct_a, task="get").json()
        assert got[0]["email"] == email
    # `username` names the user here, as everywhere but setUsername.
    resp = v2.call(
        "customer.profile",
        "json",
        acct_a,
        task="setEmail",
        username="alice",
        email="alice@example.com",
    )
    check(resp, SUCCESS_JSON)
    check(v2.call("customer.profile", "json", acct_a, task="get"), b"[" + ALICE_JSON + b"]")
    rows = log_rows_of(db, "subuser.update")
    assert [(r["before"], r["after"]) for r in rows] == [
        ({"email": "alice@example.com"}, {"email": "alice@example.org"}),
        ({"email": "alice@example.org"}, {"email": "a.liddell@example.net"}),
        ({"email": "a.liddell@example.net"}, {"email": "alice@example.com"}),
    ]


def test_set_email_errors(v2: V2Forms, db: Database, acct_a: Acct, acct_b: Acct) -> None:
    add_alice(v2, acct_a)
    add_sub(db, acct_b, "erin")
    before = dump(db)
    for fmt in FMTS:
        for bad in ("not-an-email", "@example.com", "a b@example.com", "alice@"):
            resp = v2.call(
                "customer.profile", fmt, acct_a, task="setEmail", user="alice", email=bad
            )
            check(resp, list_error(fmt, "Email address is invalid"), label=f"{fmt} {bad}")
        for params, missing in [
            ({"user": "alice"}, ["email"]),
            ({"user": "alice", "email": ""}, ["email"]),
            ({"email": "a@example.com"}, ["user"]),
            ({}, ["user", "email"]),
        ]:
            resp = v2.call("customer.profile", fmt, acct_a, task="setEmail", **params)
            expected = list_error(fmt, *(f"Missing required parameter: {m}" for m in missing))
            check(resp, expected, label=f"{fmt} {params}")
        for name in ("nobody", "erin"):
            resp = v2.call("customer.profile", fmt, acct_a, task="setEmail", user=name, email="bad")
            check(resp, no_such_user(fmt), label=f"{fmt} {name}")
    assert dump(db) == before


# ------------------------------------------------- customer.website_enable/disable


def _alice_xml(access: str) -> bytes:
    lines = [
        line.replace(">true<", f">{access}<") if "website_access" in line else line
        for line in ALICE_XML_LINES
    ]
    return xml_doc("<users>", *lines, "</users>")


def test_website_access_follows_and_sending_does_not(
    v2: V2Forms, db: Database, acct_a: Acct
) -> None:
    add_alice(v2, acct_a)
    v2.call(
        "customer.sendip",
        "json",
        acct_a,
        task="append",
        set="specify",
        user="alice",
        ip=["192.0.2.2"],
    )
    for fmt in FMTS:
        for call, access in (("website_disable", "false"), ("website_enable", "true")):
            for _ in range(2):  # the second time changes nothing, and succeeds all the same
                resp = v2.call(f"customer.{call}", fmt, acct_a, user="alice")
                check(resp, success(fmt), label=f"{fmt} {call}")
            got = v2.call("customer.profile", "json", acct_a, task="get", username="alice")
            expected = ALICE_JSON.replace(
                b'"website_access":"true"', f'"website_access":"{access}"'.encode()
            )
            check(got, b"[" + expected + b"]", label=f"{fmt} {call}")
            xml = v2.call("customer.profile", "xml", acct_a, task="get", username="alice")
            check(xml, _alice_xml(access), label=f"{fmt} {call}")
            # Web login only: the subuser stays active and keeps its IPs.
            assert sendip(v2, acct_a, "alice") == ["192.0.2.2"]
            assert profile_names(v2, acct_a, active="1") == ["alice"]
    rows = log_rows_of(db, "subuser.set_website_access")
    assert [(r["subject"], r["before"], r["after"]) for r in rows] == [
        ("subuser:alice", {"website_access": True}, {"website_access": False}),
        ("subuser:alice", {"website_access": False}, {"website_access": True}),
    ] * 2


@pytest.mark.parametrize("call", ["customer.website_enable", "customer.website_disable"])
def test_website_calls_unknown_or_foreign_user(
    v2: V2Forms, db: Database, acct_a: Acct, acct_b: Acct, call: str
) -> None:
    add_sub(db, acct_b, "erin")
    before = dump(db)
    for fmt in FMTS:
        # Not the bare form of customer.enable/disable: these are ordinary customer.* calls.
        for name in ("nobody", "erin"):
            check(v2.call(call, fmt, acct_a, user=name), no_such_user(fmt), label=f"{fmt} {name}")
        check(
            v2.call(call, fmt, acct_a),
            list_error(fmt, "Missing required parameter: user"),
            label=fmt,
        )
        bad_key = Acct(acct_a.name, acct_a.key + "x")
        expected = (
            object_error_json(401, "Permission denied, wrong credentials")
            if fmt == "json"
            else object_error_xml("Permission denied, wrong credentials")
        )
        check(v2.call(call, fmt, bad_key, user="erin"), expected, label=fmt)
    assert dump(db) == before


# --------------------------------------------- mail features ipfleet does not have

NOT_SERVED = [
    "customer.apps",
    "customer.limit",
    "customer.bounces",
    "customer.spamreports",
    "customer.unsubscribes",
    "customer.stats",
    "customer.parse",
    "customer.eventposturl",
    "customer.invalidemails",
    "customer.blocks",
]


def test_mail_feature_calls_are_unknown(v2: V2Forms, db: Database) -> None:
    acct = make_account(db, "reseller-c")
    for name in NOT_SERVED:
        for fmt in FMTS:
            resp = v2.call(name, fmt, acct, user="alice", task="get")
            check(resp, list_error(fmt, f"Unknown API call: {name}"), label=f"{fmt} {name}")
