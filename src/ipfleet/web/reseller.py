"""The reseller's pages: overview, IPs, one IP, subusers, one subuser and its set."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from anyio import to_thread
from litestar import Request, Response, get, post

from ipfleet.domain.errors import InvalidParameter, IpfleetError, SubuserNotFound
from ipfleet.domain.states import IpState
from ipfleet.services import dashboard
from ipfleet.services.authentication import Caller
from ipfleet.services.ip_details import get_ip_view
from ipfleet.services.subusers import SetMode, set_subuser_active, set_subuser_ips
from ipfleet.web.chart import utilisation
from ipfleet.web.context import (
    PREFIX,
    PathText,
    actor_of,
    checked_form,
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


@get(f"{PREFIX}/", sync_to_thread=False)
def overview(request: Request[Any, Any, Any]) -> Response[str]:
    """Counts per state, the utilisation chart, the subusers with the most IPs."""
    session, account = reseller(request)
    view = dashboard.overview(ui_of(request).db, account=account)
    return page(
        "overview.html", session, account=account, view=view, chart=utilisation(view.counts)
    )


@get(f"{PREFIX}/ips", sync_to_thread=False)
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


@get(f"{PREFIX}/ips/{{address:str}}", sync_to_thread=False)
def ip(request: Request[Any, Any, Any], address: PathText) -> Response[str]:
    """One IP of the account: its holders, pools, warmup and host name."""
    session, account = reseller(request)
    view = get_ip_view(ui_of(request).db, caller=Caller(account), address=address)
    return page("ip.html", session, account=account, ip=view)


@get(f"{PREFIX}/subusers", sync_to_thread=False)
def subusers(request: Request[Any, Any, Any]) -> Response[str]:
    """The account's subusers: active or not, and how many IPs each holds."""
    session, account = reseller(request)
    rows = dashboard.subuser_summaries(ui_of(request).db, account=account)
    return page("subusers.html", session, account=account, rows=rows)


def _subuser_page(
    request: Request[Any, Any, Any],
    name: str,
    *,
    errors: dict[str, list[str]] | None = None,
    posted: tuple[str, list[str]] | None = None,
    status: int = 200,
) -> Response[str]:
    session, account = reseller(request)
    detail = dashboard.subuser_detail(ui_of(request).db, account=account, username=name)
    current = SetMode.SPECIFY.value if detail.held else SetMode.NONE.value
    mode, checked = posted if posted is not None else (current, detail.held)
    return page(
        "subuser.html", session, status=status, account=account, detail=detail,
        modes=MODES, mode=mode, checked=set(checked), errors=errors or {},
        saved=request.query_params.get("saved") == "1", url=_url(name),
    )  # fmt: skip


def _url(name: str) -> str:
    return f"{PREFIX}/subusers/{quote(name, safe='')}"


@get(f"{PREFIX}/subusers/{{name:str}}", sync_to_thread=False)
def subuser(request: Request[Any, Any, Any], name: PathText) -> Response[str]:
    """One subuser, its set, and the form to change it."""
    return _subuser_page(request, name)


@post(f"{PREFIX}/subusers/{{name:str}}", status_code=303)
async def change_set(request: Request[Any, Any, Any], name: PathText) -> Response[Any]:
    """Replace the subuser's set exactly as v2 ``customer.sendip task=append`` does."""
    session, account = reseller(request)
    fields = await checked_form(request, session)
    raw_mode = fields.get("mode", [""])
    ips = fields.get("ip", [])
    actor = actor_of(request, session)
    db = ui_of(request).db
    try:
        if len(raw_mode) != 1 or raw_mode[0] not in set(SetMode):
            raise InvalidParameter("set")
        mode = SetMode(raw_mode[0])
        await to_thread.run_sync(
            lambda: set_subuser_ips(
                db, account=account, username=name, mode=mode, ips=ips, actor=actor
            )
        )
    except SubuserNotFound:
        raise  # not a mistake in the form: the page itself is not found
    except IpfleetError as exc:
        field = "mode" if isinstance(exc, InvalidParameter) else "ip"
        errors = {field: list(exc.details) or [exc.message]}
        posted = (raw_mode[0] if raw_mode else "", ips)
        return _subuser_page(request, name, errors=errors, posted=posted, status=400)
    return see_other(f"{_url(name)}?saved=1")


@post(f"{PREFIX}/subusers/{{name:str}}/active", status_code=303)
async def change_active(request: Request[Any, Any, Any], name: PathText) -> Response[Any]:
    """Activate or deactivate the subuser (``active`` is ``1`` or ``0``)."""
    session, account = reseller(request)
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
