"""Signing in to the dashboard through its forms, with the in-process client."""

from __future__ import annotations

import re

from tests.support.inprocess import Client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def sign_in(client: Client, user: str, key: str) -> str:
    """Sign in through the form; return the session's CSRF token."""
    token = csrf_of(client.get("/ui/login").text)
    resp = client.post("/ui/login", data={"csrf": token, "api_user": user, "api_key": key})
    assert resp.status_code == 303, resp.text
    assert resp.headers["location"] == "/ui/"
    return csrf_of(client.get("/ui/").text)


def operator_sign_in(client: Client, token: str) -> str:
    csrf = csrf_of(client.get("/ui/login").text)
    resp = client.post("/ui/operator/login", data={"csrf": csrf, "token": token})
    assert resp.status_code == 303, resp.text
    assert resp.headers["location"] == "/ui/operator"
    return csrf_of(client.get("/ui/operator").text)
