"""The reseller's pages: overview, IPs, one IP, subusers, one subuser and its set."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from anyio import to_thread
from litestar import Request, Response, get, post

from ipfleet.domain.errors import InvalidParameter, IpfleetError, SubuserNotFound
from ipfleet.domain.states import IpState
from ipfleet.services import dashboard
from ipfleet.services.subusers import SetMode, set_subuser_active, set_subuser_ips_from_page
from ipfleet.web.chart import utilisation
from ipfleet.web.context import (
    PREFIX,
    PathText,
    actor_of,
    checked_form,
    in_a_thread,
    page,
    reseller,
    see_other,
    ui_of,
)

PAGE_SIZES = (25, 50, 100, 250)
MODES = (
    (SetMode.NONE, "All of the account's IPs (no set)"),
    (SetMode.ALL, "Every IP now on the account"),
    (SetMode.SPECIFY, "Only these"),
)


def _int(raw: str | None, default: int) -> int:
    return int(raw) if raw is not None and raw.isdigit() and len(raw) < 10 else default


@get(f"{PREFIX}/")
@in_a_thread
def overview(request: Request[Any, Any, Any]) -> Response[str]:
    """Counts per state, the utilisation chart, the subusers with the most IPs."""
    session, account = reseller(request)
    view = dashboard.overview(ui_of(request).db, account=account)
    return page(
        "overview.html", session, account=account, view=view, chart=utilisation(view.counts)
    )


@get(f"{PREFIX}/ips")
@in_a_thread
def ips(request: Request[Any, Any, Any]) -> Response[str]:
    """The account's IPs, filtered by state, a page at a time."""
    session, account = reseller(request)
    raw_state = request.query_params.get("state") or "all"
    state = IpState(raw_state) if raw_state in set(IpState) else IpState.ALL
    size = _int(request.query_params.get("size"), 50)
    size = size if size in PAGE_SIZES else 50
    number = _int(request.query_params.get("page"), 1)
    db = ui_of(request).db
    view = dashboard.ip_page(db, account=account, state=state, page=number, size=size)
    return page(
        "ips.html",
        session,
        account=account,
        view=view,
        state=state,
        states=list(IpState),
        sizes=PAGE_SIZES,
    )


@get(f"{PREFIX}/ips/{{address:str}}")
@in_a_thread
def ip(request: Request[Any, Any, Any], address: PathText) -> Response[str]:
    """One IP of the account: its holders, pools, warmup, host name, and its history
    while on this account (never another tenant's periods)."""
    session, account = reseller(request)
    detail = dashboard.ip_detail(ui_of(request).db, account=account, address=address)
    return page("ip.html", session, account=account, ip=detail.ip, history=detail.history)


@get(f"{PREFIX}/subusers")
@in_a_thread
def subusers(request: Request[Any, Any, Any]) -> Response[str]:
    """The account's subusers: active or not, how many IPs each holds, its mail domain."""
    session, account = reseller(request)
    rows = dashboard.subuser_summaries(ui_of(request).db, account=account)
    return page("subusers.html", session, account=account, rows=rows)


@dataclass(frozen=True, slots=True)
class Posted:
    """What the set form sent, shown again next to its errors."""

    mode: str
    ips: list[str]
    keep: bool


def _subuser_page(
    request: Request[Any, Any, Any],
    name: str,
    *,
    listing: tuple[str, int],
    errors: dict[str, list[str]] | None = None,
    posted: Posted | None = None,
    status: int = 200,
) -> Response[str]:
    session, account = reseller(request)
    needle, number = listing
    detail = dashboard.subuser_detail(
        ui_of(request).db, account=account, username=name, needle=needle, page=number
    )
    current = SetMode.SPECIFY.value if detail.held else SetMode.NONE.value
    if posted is None:
        posted = Posted(current, detail.held, True)
    return page(
        "subuser.html", session, status=status, account=account, detail=detail,
        modes=MODES, posted=posted, checked=set(posted.ips), errors=errors or {},
        saved=request.query_params.get("saved") == "1", url=_url(name),
    )  # fmt: skip


def _url(name: str) -> str:
    return f"{PREFIX}/subusers/{quote(name, safe='')}"


def _first(fields: dict[str, list[str]], name: str) -> str | None:
    values = fields.get(name, [])
    return values[0] if values else None


def _listing(q: str | None, number: str | None) -> tuple[str, int]:
    """The set form's filter and page (from the query string, or posted back with it)."""
    return (q or "", _int(number, 1))


def _saved_url(name: str, listing: tuple[str, int]) -> str:
    """The page again after a save, at the same filter and page."""
    q, number = listing
    params = {"saved": 1, **({"q": q} if q else {}), **({"page": number} if number > 1 else {})}
    return f"{_url(name)}?{urlencode(params)}"


@get(f"{PREFIX}/subusers/{{name:str}}")
@in_a_thread
def subuser(request: Request[Any, Any, Any], name: PathText) -> Response[str]:
    """One subuser, its set, and the form to change it (``q`` filters the IPs it lists,
    ``page`` pages through them)."""
    params = request.query_params
    return _subuser_page(request, name, listing=_listing(params.get("q"), params.get("page")))


@post(f"{PREFIX}/subusers/{{name:str}}", status_code=303)
async def change_set(request: Request[Any, Any, Any], name: PathText) -> Response[Any]:
    """Replace the subuser's set as v2 ``customer.sendip task=append`` does with the
    ticked ``ip`` values, plus, when ``keep=1``, the IPs it holds that the page did not
    list (``listed``); see docs/dashboard.md."""
    session, account = await to_thread.run_sync(reseller, request)
    fields = await checked_form(request, session)
    raw_mode = fields.get("mode", [""])
    ips, listed = fields.get("ip", []), fields.get("listed", [])
    keep = fields.get("keep") == ["1"]
    listing = _listing(_first(fields, "q"), _first(fields, "page"))
    actor = actor_of(request, session)
    db = ui_of(request).db
    try:
        if len(raw_mode) != 1 or raw_mode[0] not in set(SetMode):
            raise InvalidParameter("set")
        mode = SetMode(raw_mode[0])
        await to_thread.run_sync(
            lambda: set_subuser_ips_from_page(
                db,
                account=account,
                username=name,
                mode=mode,
                ips=ips,
                listed=listed,
                keep_unlisted=keep,
                actor=actor,
            )
        )
    except SubuserNotFound:
        raise  # not a mistake in the form: the page itself is not found
    except IpfleetError as exc:
        field = "mode" if isinstance(exc, InvalidParameter) else "ip"
        errors = {field: list(exc.details) or [exc.message]}
        posted = Posted(raw_mode[0] if raw_mode else "", ips, keep)
        return await to_thread.run_sync(
            lambda: _subuser_page(
                request, name, listing=listing, errors=errors, posted=posted, status=400
            )
        )
    return see_other(_saved_url(name, listing))


@post(f"{PREFIX}/subusers/{{name:str}}/active", status_code=303)
async def change_active(request: Request[Any, Any, Any], name: PathText) -> Response[Any]:
    """Activate or deactivate the subuser (``active`` is ``1`` or ``0``)."""
    session, account = await to_thread.run_sync(reseller, request)
    fields = await checked_form(request, session)
    if fields.get("active") not in (["0"], ["1"]):
        raise InvalidParameter("active")
    active = fields["active"] == ["1"]
    actor = actor_of(request, session)
    db = ui_of(request).db
    await to_thread.run_sync(
        lambda: set_subuser_active(db, account=account, username=name, active=active, actor=actor)
    )
    return see_other(f"{_url(name)}?saved=1")


HANDLERS = [overview, ips, ip, subusers, subuser, change_set, change_active]
