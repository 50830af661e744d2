"""What every dashboard handler needs: the database, the settings, the session, the page."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, ParamSpec, TypeVar

from anyio import to_thread
from litestar import MediaType, Request, Response
from litestar.datastructures import Cookie
from litestar.params import PathParameter
from litestar.response import Redirect

from ipfleet.config import Settings
from ipfleet.domain.errors import BadCredentials, CsrfRefused
from ipfleet.domain.records import Account, Actor
from ipfleet.services.authentication import session_account
from ipfleet.services.guard import AuthGuard
from ipfleet.services.operators import operator_is_live, session_secret
from ipfleet.store.uow import Database
from ipfleet.web.render import render
from ipfleet.web.session import COOKIE, Role, Session, Signer, csrf_matches

PREFIX = "/ui"
P = ParamSpec("P")
T = TypeVar("T")
#: A name or address in a page's path.
PathText = Annotated[str, PathParameter()]
REQUEST_ID_KEY = "ipfleet_request_id"


class SignInNeeded(Exception):
    """The page needs a session of another kind than the request has: go sign in."""


class Ui:
    """The dashboard's database and settings, and its session signer.

    The signing secret is read (or made, once per installation) when first needed, so
    building the app touches no database.
    """

    def __init__(self, db: Database, settings: Settings, guard: AuthGuard) -> None:
        self.db = db
        self.settings = settings
        self.guard = guard  # the APIs' failed-authentication limiter, shared
        self._signer: Signer | None = None

    @property
    def signer(self) -> Signer:
        if self._signer is None:
            secret = session_secret(self.db, configured=self.settings.secret_key)
            self._signer = Signer(secret, self.settings.session_hours * 3600)
        return self._signer


def in_a_thread(page: Callable[P, T]) -> Callable[P, Awaitable[T]]:
    """A page handler that reads the database, run whole in a worker thread: its session
    check, reads and rendering stay off the event loop (the rule: api/offload.py).

    Not Litestar's ``sync_to_thread=True``: that wraps the handler again each time the
    module's handler is registered on another app, and the second wrapping hands back a
    coroutine instead of the page."""

    @functools.wraps(page)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return await to_thread.run_sync(functools.partial(page, *args, **kwargs))

    return run


def ui_of(request: Request[Any, Any, Any]) -> Ui:
    ui: Ui = request.app.state["ui"]
    return ui


def session_of(request: Request[Any, Any, Any]) -> Session | None:
    """The request's valid session, if it carries one."""
    value = request.cookies.get(COOKIE)
    return ui_of(request).signer.load(value) if value else None


def reseller(request: Request[Any, Any, Any]) -> tuple[Session, Account]:
    """The signed-in reseller's session and account (read now), or ``SignInNeeded``."""
    session = session_of(request)
    if session is None or session.role is not Role.RESELLER:
        raise SignInNeeded
    try:
        account = session_account(ui_of(request).db, username=session.name, key_id=session.key_id)
    except BadCredentials:  # the key was revoked since: the session is over
        raise SignInNeeded from None
    return session, account


def operator(request: Request[Any, Any, Any]) -> Session:
    """The signed-in operator's session (its token still live), or ``SignInNeeded``."""
    session = session_of(request)
    if session is None or session.role is not Role.OPERATOR:
        raise SignInNeeded
    if not operator_is_live(ui_of(request).db, name=session.name, token_id=session.key_id):
        raise SignInNeeded
    return session


def actor_of(request: Request[Any, Any, Any], session: Session) -> Actor:
    """Who the change log names for a write from this session: the key or token used."""
    prefix = "ui" if session.role is Role.RESELLER else "ui-operator"
    rid = str(request.scope.get(REQUEST_ID_KEY, ""))
    return Actor(name=f"{prefix}:{session.name}:{session.key_id}", request_id=rid)


async def checked_form(request: Request[Any, Any, Any], session: Session) -> dict[str, list[str]]:
    """The posted form as lists of values, refused unless it carries the session's token."""
    form = await request.form()
    fields = {key: [str(v) for v in form.getall(key)] for key in form}
    sent = fields.pop("csrf", [""])
    if len(sent) != 1 or not csrf_matches(session, sent[0]):
        raise CsrfRefused
    return fields


def cookie(request: Request[Any, Any, Any], session: Session | None) -> Cookie:
    """The session cookie to set (or, for None, to clear)."""
    ui = ui_of(request)
    return Cookie(
        key=COOKIE,
        value=ui.signer.dump(session) if session else "",
        path=PREFIX,
        max_age=ui.signer.max_age_s if session else 0,
        httponly=True,
        samesite="strict",
        secure=request.scope.get("scheme") == "https",
    )


def page(
    template: str,
    session: Session,
    *,
    status: int = 200,
    set_session: Request[Any, Any, Any] | None = None,
    **context: Any,
) -> Response[str]:
    """A rendered page; with ``set_session``, the session cookie is (re)sent with it."""
    html = render(template, session=session, **context)
    cookies = [cookie(set_session, session)] if set_session is not None else []
    return Response(html, status_code=status, media_type=MediaType.HTML, cookies=cookies)


def see_other(path: str, cookies: list[Cookie] | None = None) -> Redirect:
    """A 303 to another dashboard page (after a form, or to sign in)."""
    return Redirect(path, status_code=303, cookies=cookies or [])
