"""Sign-in and sign-out: resellers with their v2 credentials, operators with a token."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import Request, Response, get, post

from ipfleet.domain.errors import BadCredentials
from ipfleet.services.authentication import authenticate
from ipfleet.services.operators import check_operator_token
from ipfleet.web.context import (
    PREFIX,
    checked_form,
    cookie,
    page,
    see_other,
    session_of,
    ui_of,
)
from ipfleet.web.limits import attempt_sign_in
from ipfleet.web.session import Role, Session, anonymous, signed_in

LOGIN = f"{PREFIX}/login"
WRONG = "Wrong user name or API key"


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else ""


def _one(fields: dict[str, list[str]], name: str) -> str:
    values = fields.get(name, [])
    return values[0] if len(values) == 1 else ""


def _login_page(
    request: Request[Any, Any, Any], errors: dict[str, str], **values: str
) -> Response[str]:
    session = session_of(request)
    if session is None or session.role is not Role.ANONYMOUS:
        session = anonymous()
    status = 401 if errors else 200
    form = {"api_user": "", **values}
    return page("login.html", session, status=status, set_session=request, errors=errors, form=form)


@get(LOGIN, sync_to_thread=False)
def login_form(request: Request[Any, Any, Any]) -> Response[str]:
    """The sign-in page (it starts an anonymous session carrying the form's CSRF token)."""
    return _login_page(request, {})


async def _anonymous_form(request: Request[Any, Any, Any]) -> dict[str, list[str]]:
    session = session_of(request)
    return await checked_form(request, session or anonymous())


@post(LOGIN, status_code=303)
async def login(request: Request[Any, Any, Any]) -> Response[Any]:
    """Check a reseller's ``api_user``/``api_key`` as v2 does; sign in or say why not."""
    fields = await _anonymous_form(request)
    user, key = _one(fields, "api_user"), _one(fields, "api_key")
    db = ui_of(request).db
    try:
        account = await to_thread.run_sync(
            lambda: attempt_sign_in(
                _client(request), user, lambda: authenticate(db, username=user, api_key=key)
            )
        )
    except BadCredentials:
        return _login_page(request, {"api_key": WRONG}, api_user=user)
    fresh = signed_in(Role.RESELLER, account.username, key.split(".")[1])
    return see_other(f"{PREFIX}/", [cookie(request, fresh)])


@post(f"{PREFIX}/operator/login", status_code=303)
async def operator_login(request: Request[Any, Any, Any]) -> Response[Any]:
    """Check an operator token; sign in or say why not."""
    fields = await _anonymous_form(request)
    token = _one(fields, "token")
    db = ui_of(request).db
    try:
        name, token_id = await to_thread.run_sync(
            lambda: attempt_sign_in(
                _client(request), "operator", lambda: check_operator_token(db, token=token)
            )
        )
    except BadCredentials:
        return _login_page(request, {"token": "Wrong operator token"})
    fresh = signed_in(Role.OPERATOR, name, token_id)
    return see_other(f"{PREFIX}/operator", [cookie(request, fresh)])


@post(f"{PREFIX}/logout", status_code=303)
async def logout(request: Request[Any, Any, Any]) -> Response[Any]:
    """End the session (the form carries its CSRF token, so no page can sign you out)."""
    session: Session = session_of(request) or anonymous()
    await checked_form(request, session)
    return see_other(LOGIN, [cookie(request, None)])


HANDLERS = [login_form, login, operator_login, logout]
