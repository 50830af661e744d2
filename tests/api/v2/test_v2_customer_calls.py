"""v2 subuser management (docs/v2.md §7): customer.add/delete/profile/enable/disable/password/auth.

Every call is driven through the whole app in process, in JSON and in XML, and every
success shape and error body is compared byte for byte with what SendGrid answered.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from sqlalchemy import func, select

from ipfleet.services.accounts import get_account
from ipfleet.services.subusers import SetMode, set_subuser_ips
from ipfleet.store.tables import holdings, subusers
from ipfleet.store.uow import Database
from tests.support.db import ACTOR, dump, log_rows_of, password_hash_of
from tests.support.inprocess import V2Forms
from tests.support.seed import Acct, Sub, seed_subuser
from tests.support.v2_bodies import (
    SUCCESS_JSON,
    SUCCESS_XML,
    USER_KEYS,
    check,
    list_error_json,
    list_error_xml,
    object_error_json,
    object_error_xml,
    subuser_form,
    xml_doc,
)

FMTS = ["json", "xml"]
PASSWORD = "s3cret-Pw"
ALICE_FORM = subuser_form("alice", PASSWORD)
# Recorded shape: every value a string, keys in SendGrid's order, company last, `\/`.
ALICE_JSON = (
    b'{"username":"alice","email":"alice@example.com","active":"true","first_name":"Alice",'
    b'"last_name":"Liddell","address":"1 Rabbit Hole","address2":"","city":"Oxford",'
    b'"state":"","zip":"OX1 3QD","country":"GB","phone":"+44 1865 000000",'
    b'"website":"http:\\/\\/example.com\\/alice","website_access":"true",'
    b'"company":"Wonder & Co"}'
)
ALICE_XML_LINES = (
    "   <user>",
    "      <username>alice</username>",
    "      <email>alice@example.com</email>",
    "      <active>true</active>",
    "      <first_name>Alice</first_name>",
    "      <last_name>Liddell</last_name>",
    "      <address>1 Rabbit Hole</address>",
    "      <address2></address2>",
    "      <city>Oxford</city>",
    "      <state></state>",
    "      <zip>OX1 3QD</zip>",
    "      <country>GB</country>",
    "      <phone>+44 1865 000000</phone>",
    "      <website>http://example.com/alice</website>",
    "      <website_access>true</website_access>",
    "      <company>Wonder &amp; Co</company>",
    "   </user>",
)
USER_NOT_FOUND = {
    "json": b'{"message":"User not found"}',
    "xml": object_error_xml("error: User not found"),
}
NO_SUCH_USER = {
    "json": object_error_json(400, "User does not exist"),
    "xml": object_error_xml("User does not exist"),
}


def list_error(fmt: str, *messages: str) -> bytes:
    return list_error_json(*messages) if fmt == "json" else list_error_xml(*messages)


def object_error(fmt: str, message: str) -> bytes:
    return object_error_json(400, message) if fmt == "json" else object_error_xml(message)


def success(fmt: str) -> bytes:
    return SUCCESS_JSON if fmt == "json" else SUCCESS_XML


def user_obj(username: str, email: str, *, active: bool = True, **profile: str) -> dict[str, str]:
    """The user object customer.profile should give, every value a string."""
    obj = dict.fromkeys(USER_KEYS, "")
    obj.update(username=username, email=email, website_access="true", **profile)
    obj["active"] = "true" if active else "false"
    return obj


def users_json(*objs: dict[str, str]) -> bytes:
    items = ["{" + ",".join(f'"{k}":{json.dumps(o[k])}' for k in USER_KEYS) + "}" for o in objs]
    return ("[" + ",".join(items) + "]").replace("/", "\\/").encode()


def profile_names(v2: V2Forms, acct: Acct, **filters: str) -> list[str]:
    resp = v2.call("customer.profile", "json", acct, task="get", **filters)
    assert resp.status_code == 200
    users = resp.json()
    assert isinstance(users, list), resp.text
    return [u["username"] for u in users]


def usage(v2: V2Forms, acct: Acct, **filters: str) -> list[tuple[str, str]]:
    resp = v2.call("reseller.ip", "json", acct, task="usage", **filters)
    return [(e["ip"], e["user"]) for e in resp.json()]


def ip_list(v2: V2Forms, acct: Acct, state: str) -> list[str]:
    return [e["ip"] for e in v2.call("customer.ip", "json", acct, list=state).json()]


def add_sub(
    db: Database,
    acct: Acct,
    name: str,
    ips: list[str] | None = None,
    active: bool = True,
    **profile: str,
) -> None:
    """A subuser made through the services (no password, so no slow hash)."""
    email = profile.pop("email", f"{name}@example.net")
    spec = Sub(held=ips or (), active=active, email=email, profile=profile)
    seed_subuser(db, get_account(db, username=acct.name), name, spec, actor=ACTOR)


def subuser_count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(subusers)) or 0)


def add_alice(v2: V2Forms, acct: Acct) -> None:
    check(v2.call("customer.add", "json", acct, **ALICE_FORM), SUCCESS_JSON, label="add alice")


def _without(form: dict[str, str], *names: str) -> dict[str, str]:
    return {k: v for k, v in form.items() if k not in names}


# ---------------------------------------------------------------- customer.add


def test_add_then_profile_get_gives_the_recorded_user_object(v2: V2Forms, acct_a: Acct) -> None:
    add_alice(v2, acct_a)
    # XML, and every parameter in the query string (GET and POST are interchangeable).
    resp = v2.get(
        "customer.add",
        "xml",
        acct_a,
        username="bob",
        password=PASSWORD,
        confirm_password=PASSWORD,
        email="bob@example.com",
    )
    check(resp, SUCCESS_XML)

    alice = v2.call("customer.profile", "json", acct_a, task="get", username="alice")
    check(alice, b"[" + ALICE_JSON + b"]")
    check(
        v2.call("customer.profile", "xml", acct_a, task="get", username="alice"),
        xml_doc("<users>", *ALICE_XML_LINES, "</users>"),
    )
    bob = user_obj("bob", "bob@example.com")
    both = v2.call("customer.profile", "json", acct_a, task="get")
    check(both, b"[" + ALICE_JSON + b"," + users_json(bob)[1:])
    # New subusers are active and hold no IPs.
    assert usage(v2, acct_a) == []
    for name in ("alice", "bob"):
        sendip = v2.call("customer.sendip", "json", acct_a, task="list", user=name).json()
        assert sendip["ips"] == []


def test_password_is_stored_as_a_salted_scrypt_hash_only(
    v2: V2Forms, db: Database, acct_a: Acct
) -> None:
    add_alice(v2, acct_a)
    form = {**ALICE_FORM, "username": "alice2", "email": "alice2@example.com"}
    check(v2.call("customer.add", "json", acct_a, **form), SUCCESS_JSON)
    first, second = password_hash_of(db, "alice"), password_hash_of(db, "alice2")
    assert first is not None
    assert second is not None
    assert first.startswith("scrypt$")
    assert second.startswith("scrypt$")
    assert first != second  # salted
    assert PASSWORD not in first
    # Nowhere in the database, change log included, is the password kept in clear.
    assert PASSWORD not in repr(dump(db))
    assert "scrypt$" not in json.dumps(log_rows_of(db, "subuser.create"), default=str)
    # Nor does any answer show it or its hash.
    for fmt in FMTS:
        body = v2.call("customer.profile", fmt, acct_a, task="get").content
        assert b"scrypt" not in body
        assert PASSWORD.encode() not in body


ADD_PROBLEMS = [
    (_without(ALICE_FORM, "username"), ["Username is required"]),
    ({**ALICE_FORM, "username": ""}, ["Username is required"]),
    ({**ALICE_FORM, "confirm_password": PASSWORD + "x"}, ["Passwords do not match"]),
    (
        {**ALICE_FORM, "password": "abc12", "confirm_password": "abc12"},
        ["Password must be at least 6 characters"],
    ),
    (_without(ALICE_FORM, "email"), ["Email is required"]),
    ({**ALICE_FORM, "email": ""}, ["Email is required"]),
]


def test_add_validation_errors_in_list_form(v2: V2Forms, db: Database, acct_a: Acct) -> None:
    for form, errors in ADD_PROBLEMS:
        for fmt in FMTS:
            resp = v2.call("customer.add", fmt, acct_a, **form)
            check(resp, list_error(fmt, *errors), label=f"{fmt} {form} -> {errors}")
    assert subuser_count(db) == 0
    # Several problems are named at once.
    body = v2.call("customer.add", "json", acct_a, password="abc", confirm_password="abc").json()
    assert body["message"] == "error"
    assert {
        "Username is required",
        "Email is required",
        "Password must be at least 6 characters",
    } <= set(body["errors"])
    assert subuser_count(db) == 0


def test_usernames_are_unique_installation_wide(
    v2: V2Forms, db: Database, acct_a: Acct, acct_b: Acct
) -> None:
    add_alice(v2, acct_a)
    before = dump(db)
    again = {**ALICE_FORM, "email": "other@example.com", "first_name": "Other"}
    for fmt in FMTS:
        # The same account, then another one: only "Username already exists", nothing
        # about whose the name is.
        for acct in (acct_a, acct_b):
            resp = v2.call("customer.add", fmt, acct, **again)
            check(resp, list_error(fmt, "Username already exists"), label=f"{fmt} {acct.name}")
    assert dump(db) == before
    assert profile_names(v2, acct_b) == []
    check(v2.call("customer.profile", "json", acct_a, task="get"), b"[" + ALICE_JSON + b"]")
    # Names are compared exactly: other spellings are other names.
    for name in ("Alice", "alice ", "ALICE"):
        form = {**again, "username": name}
        check(v2.call("customer.add", "json", acct_b, **form), SUCCESS_JSON, label=name)
    assert sorted(profile_names(v2, acct_b)) == sorted(["ALICE", "Alice", "alice "])
    assert profile_names(v2, acct_a) == ["alice"]


# ------------------------------------------------------------- customer.delete


def test_delete_releases_holdings_and_keeps_history(
    v2: V2Forms, db: Database, acct_a: Acct
) -> None:
    add_alice(v2, acct_a)
    set_subuser_ips(
        db,
        account=get_account(db, username=acct_a.name),
        username="alice",
        mode=SetMode.SPECIFY,
        ips=["192.0.2.10", "192.0.2.9", "2001:db8::1"],
        actor=ACTOR,
    )
    add_sub(db, acct_a, "bob", ["192.0.2.10"])
    add_sub(db, acct_a, "carol", ["192.0.2.2"], active=False)
    assert ip_list(v2, acct_a, "free") == ["192.0.2.100"]

    check(v2.call("customer.delete", "json", acct_a, user="alice"), SUCCESS_JSON)
    assert profile_names(v2, acct_a) == ["bob", "carol"]
    assert usage(v2, acct_a) == [("192.0.2.2", "carol"), ("192.0.2.10", "bob")]
    assert ip_list(v2, acct_a, "free") == ["192.0.2.9", "192.0.2.100", "2001:db8::1"]

    check(v2.call("customer.delete", "xml", acct_a, user="carol"), SUCCESS_XML)
    assert usage(v2, acct_a) == [("192.0.2.10", "bob")]
    assert ip_list(v2, acct_a, "free") == ["192.0.2.2", "192.0.2.9", "192.0.2.100", "2001:db8::1"]
    with db.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(holdings)) == 1

    alice_row, carol_row = log_rows_of(db, "subuser.delete")
    assert alice_row["subject"] == "subuser:alice"
    before = alice_row["before"]
    assert before["username"] == "alice"
    assert before["email"] == "alice@example.com"
    assert before["first_name"] == "Alice"
    assert before["ips"] == ["192.0.2.9", "192.0.2.10", "2001:db8::1"]
    assert "password_hash" not in before
    assert PASSWORD not in json.dumps(before, default=str)
    assert carol_row["subject"] == "subuser:carol"
    assert carol_row["before"]["active"] is False
    assert carol_row["before"]["ips"] == ["192.0.2.2"]
    # The name is free again, and a new alice inherits nothing.
    add_alice(v2, acct_a)
    assert usage(v2, acct_a, user="alice") == []


def test_delete_unknown_or_foreign_user(
    v2: V2Forms, db: Database, acct_a: Acct, acct_b: Acct
) -> None:
    add_sub(db, acct_b, "erin", ["198.51.100.1"])
    before = dump(db)
    for fmt in FMTS:
        for name in ("nobody", "erin", "ERIN"):
            resp = v2.call("customer.delete", fmt, acct_a, user=name)
            check(resp, NO_SUCH_USER[fmt], label=f"{fmt} {name}")
        resp = v2.call("customer.delete", fmt, acct_a)
        check(resp, list_error(fmt, "Missing required parameter: user"))
    assert dump(db) == before


# ------------------------------------------------------------ customer.profile


def test_profile_set_changes_only_the_given_fields(
    v2: V2Forms, db: Database, acct_a: Acct, acct_b: Acct
) -> None:
    add_alice(v2, acct_a)
    expected = user_obj(
        "alice",
        "alice@example.com",
        **{
            k: v for k, v in ALICE_FORM.items() if k in USER_KEYS and k not in ("username", "email")
        },
    )
    for fmt, changes in [
        ("json", {"city": "Cambridge", "website": "http://alice.example/", "address2": "Flat 2"}),
        ("xml", {"email": "alice@example.org", "company": "", "phone": "+44 1223"}),
    ]:
        resp = v2.call("customer.profile", fmt, acct_a, task="set", user="alice", **changes)
        check(resp, success(fmt), label=fmt)
        expected.update(changes)
        got = v2.call("customer.profile", "json", acct_a, task="get")
        check(got, users_json(expected), label=fmt)
    assert b'"website":"http:\\/\\/alice.example\\/"' in got.content

    add_sub(db, acct_b, "erin", city="Paris")
    before = dump(db)
    for fmt in FMTS:
        for name in ("nobody", "erin"):
            resp = v2.call("customer.profile", fmt, acct_a, task="set", user=name, city="Rome")
            check(resp, NO_SUCH_USER[fmt], label=f"{fmt} {name}")
        resp = v2.call("customer.profile", fmt, acct_a, task="set", city="Rome")
        check(resp, list_error(fmt, "Missing required parameter: user"), label=fmt)
    assert dump(db) == before


@pytest.fixture
def searchable(db: Database, acct_a: Acct) -> Acct:
    add_sub(db, acct_a, "alice", email="alice@example.com", first_name="Alice", city="Oxford")
    add_sub(
        db, acct_a, "alicia", email="alicia@example.org", first_name="Alicia", city="Oxfordshire"
    )
    add_sub(db, acct_a, "bob", email="bob@example.org", city="London", active=False)
    add_sub(db, acct_a, "carol", email="carol@example.com", city="Oxford", active=False)
    add_sub(db, acct_a, "d_n", email="dn@example.com", city="Leeds")
    return acct_a


FILTERS: list[tuple[dict[str, str], list[str]]] = [
    ({}, ["alice", "alicia", "bob", "carol", "d_n"]),
    ({"username": "lic"}, ["alice", "alicia"]),
    ({"username": "alice"}, ["alice"]),
    ({"email": "example.com"}, ["alice", "carol", "d_n"]),
    ({"city": "Oxford"}, ["alice", "alicia", "carol"]),
    ({"city": "Oxford", "email": ".com"}, ["alice", "carol"]),
    ({"first_name": "Ali", "city": "shire"}, ["alicia"]),
    ({"active": "1"}, ["alice", "alicia", "d_n"]),
    ({"active": "0"}, ["bob", "carol"]),
    ({"active": "0", "city": "Oxford"}, ["carol"]),
    ({"active": "1", "username": "o"}, []),
    ({"username": "_"}, ["d_n"]),  # a literal underscore, not a LIKE wildcard
    ({"username": "%"}, []),
    ({"username": "zzz"}, []),
]


def test_profile_get_filters_are_anded_substrings(v2: V2Forms, searchable: Acct) -> None:
    for filters, names in FILTERS:
        assert sorted(profile_names(v2, searchable, **filters)) == names, filters
    for filters, names in FILTERS[:4]:
        xml = v2.call("customer.profile", "xml", searchable, task="get", **filters)
        root = ET.fromstring(xml.content)
        assert root.tag == "users"
        assert sorted(u.findtext("username") for u in root) == names, filters

    resp = v2.call("customer.profile", "xml", searchable, task="get", active="0")
    lines = ["<users>"]
    for obj in (
        user_obj("bob", "bob@example.org", active=False, city="London"),
        user_obj("carol", "carol@example.com", active=False, city="Oxford"),
    ):
        lines += ["   <user>", *(f"      <{k}>{obj[k]}</{k}>" for k in USER_KEYS), "   </user>"]
    check(resp, xml_doc(*lines, "</users>"))


def test_profile_get_parameter_errors(v2: V2Forms, searchable: Acct) -> None:
    for fmt in FMTS:
        for active in ("2", "true", "yes", "", "01", "-1"):
            resp = v2.call("customer.profile", fmt, searchable, task="get", active=active)
            check(resp, object_error(fmt, "Invalid active parameter"), label=f"{fmt} {active!r}")
        resp = v2.call("customer.profile", fmt, searchable)
        check(resp, list_error(fmt, "Missing required parameter: task"), label=fmt)
        for bad in ("GET", "list", "update", ""):
            resp = v2.call("customer.profile", fmt, searchable, task=bad)
            check(resp, object_error(fmt, "Invalid task parameter"), label=f"{fmt} {bad}")


# --------------------------------------------------- customer.enable / disable


def test_disable_makes_ips_available_at_once_and_enable_undoes_it(
    v2: V2Forms, db: Database, acct_a: Acct
) -> None:
    add_sub(db, acct_a, "alice", ["192.0.2.9", "192.0.2.10"])
    add_sub(db, acct_a, "bob", ["192.0.2.10"])
    free = ["192.0.2.2", "192.0.2.100", "2001:db8::1"]
    with_9 = ["192.0.2.2", "192.0.2.9", "192.0.2.100", "2001:db8::1"]
    for fmt in FMTS:
        # Read first, so that a stale answer would show.
        assert ip_list(v2, acct_a, "available") == free, fmt
        check(v2.call("customer.disable", fmt, acct_a, user="alice"), success(fmt), label=fmt)
        assert ip_list(v2, acct_a, "available") == with_9, fmt
        reseller = v2.call("reseller.ip", "json", acct_a, task="available").json()
        assert [e["ip"] for e in reseller] == with_9, fmt
        assert ip_list(v2, acct_a, "taken") == ["192.0.2.9", "192.0.2.10"], fmt
        assert ip_list(v2, acct_a, "free") == free, fmt
        alice = v2.call("customer.profile", "json", acct_a, task="get", username="alice").json()
        assert alice[0]["active"] == "false", fmt

        check(v2.call("customer.enable", fmt, acct_a, user="alice"), success(fmt), label=fmt)
        assert ip_list(v2, acct_a, "available") == free, fmt
        alice = v2.call("customer.profile", "json", acct_a, task="get", username="alice").json()
        assert alice[0]["active"] == "true", fmt


def test_enable_disable_unknown_or_foreign_user_is_the_bare_form(
    v2: V2Forms, db: Database, acct_a: Acct, acct_b: Acct
) -> None:
    add_sub(db, acct_b, "erin", ["198.51.100.1"])
    add_sub(db, acct_b, "frank", ["198.51.100.10"], active=False)
    before = dump(db)
    for fmt in FMTS:
        for call in ("customer.enable", "customer.disable"):
            for name in ("nobody", "erin", "frank"):
                resp = v2.call(call, fmt, acct_a, user=name)
                check(resp, USER_NOT_FOUND[fmt], label=f"{fmt} {call} {name}")
    assert dump(db) == before


# ------------------------------------------------- customer.password and .auth


def test_password_change_then_auth(v2: V2Forms, db: Database, acct_a: Acct) -> None:
    add_alice(v2, acct_a)
    old, old_hash = PASSWORD, password_hash_of(db, "alice")
    for n, fmt in enumerate(FMTS):
        new = f"n3w-password-{n}"
        resp = v2.call(
            "customer.password", fmt, acct_a, user="alice", password=new, confirm_password=new
        )
        check(resp, success(fmt), label=fmt)
        new_hash = password_hash_of(db, "alice")
        assert new_hash is not None
        assert new_hash != old_hash
        assert new_hash.startswith("scrypt$")
        assert new not in new_hash
        resp = v2.call("customer.auth", fmt, acct_a, user="alice", password=new)
        check(resp, success(fmt), label=fmt)
        resp = v2.call("customer.auth", fmt, acct_a, user="alice", password=old)
        check(resp, list_error(fmt, "Invalid username and/or password"), label=fmt)
        old, old_hash = new, new_hash
    rows = log_rows_of(db, "subuser.set_password")
    assert len(rows) == 2
    assert "n3w-password" not in json.dumps(rows, default=str)


def test_password_rules(v2: V2Forms, db: Database, acct_a: Acct) -> None:
    add_alice(v2, acct_a)
    old_hash = password_hash_of(db, "alice")
    cases = [
        ({"password": "abcdef", "confirm_password": "abcdeg"}, "Passwords do not match"),
        ({"password": "abc", "confirm_password": "abc"}, "Password must be at least 6 characters"),
        ({"password": "abcdef"}, "Missing required parameter: confirm_password"),
        ({"confirm_password": "abcdef"}, "Missing required parameter: password"),
    ]
    for fmt in FMTS:
        for params, message in cases:
            resp = v2.call("customer.password", fmt, acct_a, user="alice", **params)
            check(resp, list_error(fmt, message), label=f"{fmt} {params}")
    assert password_hash_of(db, "alice") == old_hash
    resp = v2.call("customer.auth", "json", acct_a, user="alice", password=PASSWORD)
    check(resp, SUCCESS_JSON)


def test_auth_wrong_password(v2: V2Forms, db: Database, acct_a: Acct) -> None:
    add_alice(v2, acct_a)
    add_sub(db, acct_a, "nopass")  # made by the operator, never given a password
    recorded = b'{"message":"error","errors":["Invalid username and\\/or password"]}'
    expected = {"json": recorded, "xml": list_error_xml("Invalid username and/or password")}
    for fmt in FMTS:
        for user, password in [
            ("alice", PASSWORD + "x"),
            ("alice", PASSWORD.upper()),
            ("alice", PASSWORD[:-1]),
            ("nopass", "anything"),
        ]:
            resp = v2.call("customer.auth", fmt, acct_a, user=user, password=password)
            check(resp, expected[fmt], label=f"{fmt} {user} {password}")
        resp = v2.call("customer.auth", fmt, acct_a, user="alice")
        check(resp, list_error(fmt, "Missing required parameter: password"), label=fmt)
        resp = v2.call("customer.auth", fmt, acct_a, user="alice", password=PASSWORD)
        check(resp, success(fmt), label=fmt)


def test_password_and_auth_unknown_or_foreign_user(
    v2: V2Forms, db: Database, acct_a: Acct, acct_b: Acct
) -> None:
    form = {**ALICE_FORM, "username": "erin", "email": "erin@example.com"}
    check(v2.call("customer.add", "json", acct_b, **form), SUCCESS_JSON)
    before = dump(db)
    for fmt in FMTS:
        for call, extra in [
            ("customer.password", {"confirm_password": PASSWORD}),
            ("customer.auth", {}),
        ]:
            for name in ("nobody", "erin"):
                resp = v2.call(call, fmt, acct_a, user=name, password=PASSWORD, **extra)
                check(resp, NO_SUCH_USER[fmt], label=f"{fmt} {call} {name}")
    assert dump(db) == before
    resp = v2.call("customer.auth", "json", acct_b, user="erin", password=PASSWORD)
    check(resp, SUCCESS_JSON)


# ------------------------------------------------- `username` instead of `user`


def _subuser_row(db: Database, name: str) -> dict[str, Any] | None:
    with db.engine.connect() as conn:
        row = conn.execute(select(subusers).where(subusers.c.username == name)).first()
        return dict(row._mapping) if row else None


def test_username_is_accepted_where_user_is_expected(
    v2: V2Forms, db: Database, acct_a: Acct
) -> None:
    add_alice(v2, acct_a)
    calls: list[tuple[str, dict[str, str], Any]] = [
        ("customer.disable", {}, lambda row: row["active"] is False),
        ("customer.enable", {}, lambda row: row["active"] is True),
        ("customer.profile", {"task": "set", "city": "Bath"}, lambda row: row["city"] == "Bath"),
        (
            "customer.password",
            {"password": "another-pw", "confirm_password": "another-pw"},
            lambda row: row["password_hash"] != old_hash,
        ),
        ("customer.auth", {"password": "another-pw"}, lambda row: row is not None),
        ("customer.delete", {}, lambda row: row is None),
    ]
    for call, params, effect in calls:
        old_hash = password_hash_of(db, "alice")
        resp = v2.call(call, "json", acct_a, username="alice", **params)
        check(resp, SUCCESS_JSON, label=call)
        assert effect(_subuser_row(db, "alice")), call


# ------------------------------------------------------------ tenant isolation


def test_another_account_sees_and_changes_nothing(
    v2: V2Forms, db: Database, acct_a: Acct, acct_b: Acct
) -> None:
    add_alice(v2, acct_a)
    set_subuser_ips(
        db,
        account=get_account(db, username=acct_a.name),
        username="alice",
        mode=SetMode.SPECIFY,
        ips=["192.0.2.9", "192.0.2.10"],
        actor=ACTOR,
    )
    add_sub(db, acct_a, "bob", ["192.0.2.10"], active=False, city="Oxford")
    add_sub(db, acct_b, "erin", ["198.51.100.1"], city="Oxford")
    before = dump(db)

    # B sees only its own.
    assert profile_names(v2, acct_b) == ["erin"]
    assert profile_names(v2, acct_b, city="Oxford") == ["erin"]
    assert profile_names(v2, acct_b, username="alice") == []
    assert profile_names(v2, acct_b, active="0") == []
    assert usage(v2, acct_b) == [("198.51.100.1", "erin")]
    assert usage(v2, acct_b, user="alice") == []
    assert usage(v2, acct_b, ip="192.0.2") == []
    for task in ("all", "free", "taken", "available"):
        assert v2.call("reseller.ip", "json", acct_b, task=task, ip="192.0.2").json() == [], task
    xml_users = v2.call("customer.profile", "xml", acct_b, task="get", username="alice")
    assert list(ET.fromstring(xml_users.content)) == []
    xml_usage = v2.call("reseller.ip", "xml", acct_b, task="usage", user="alice")
    assert list(ET.fromstring(xml_usage.content)) == []

    # B can change none of A's subusers, whatever the call and however it names them.
    attempts: list[tuple[str, dict[str, str]]] = [
        ("customer.delete", {}),
        ("customer.password", {"password": "hijack1", "confirm_password": "hijack1"}),
        ("customer.auth", {"password": PASSWORD}),
        ("customer.profile", {"task": "set", "email": "mallory@example.com"}),
    ]
    for fmt in FMTS:
        for name in ("alice", "bob"):
            for call in ("customer.enable", "customer.disable"):
                resp = v2.call(call, fmt, acct_b, user=name)
                check(resp, USER_NOT_FOUND[fmt], label=f"{fmt} {call} {name}")
            for call, params in attempts:
                for key in ("user", "username"):
                    resp = v2.call(call, fmt, acct_b, **{key: name}, **params)
                    check(resp, NO_SUCH_USER[fmt], label=f"{fmt} {call} {key}={name}")
        resp = v2.call("customer.add", fmt, acct_b, **{**ALICE_FORM, "email": "m@example.com"})
        check(resp, list_error(fmt, "Username already exists"), label=fmt)

    assert dump(db) == before
    resp = v2.call("customer.auth", "json", acct_a, user="alice", password=PASSWORD)
    check(resp, SUCCESS_JSON)
