"""The operator's pages: the inventory per range, accounts against their quotas, takes."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from anyio import to_thread
from litestar import Request, Response, get, post

from ipfleet.domain.errors import AccountNotFound, InvalidValue, IpfleetError
from ipfleet.services.accounts import get_account
from ipfleet.services.dashboard import operator_view
from ipfleet.services.inventory import take_ips
from ipfleet.services.quota import set_quota
from ipfleet.web.context import (
    PREFIX,
    PathText,
    actor_of,
    checked_form,
    in_a_thread,
    operator,
    page,
    see_other,
    ui_of,
)
from ipfleet.web.session import Session

HOME = f"{PREFIX}/operator"


def _home(
    request: Request[Any, Any, Any],
    session: Session,
    *,
    errors: dict[tuple[str, str], str] | None = None,
    status: int = 200,
) -> Response[str]:
    view = operator_view(ui_of(request).db)
    done = request.query_params.get("done") or ""
    return page(
        "operator.html", session, status=status, view=view, errors=errors or {}, done=done,
        quote=quote,
    )  # fmt: skip


@get(HOME)
@in_a_thread
def home(request: Request[Any, Any, Any]) -> Response[str]:
    """The inventory and the accounts, with a quota and a take form per account."""
    return _home(request, operator(request))


def _whole(fields: dict[str, list[str]], name: str, *, blank_ok: bool) -> int | None:
    """A whole number from the form, blank meaning none when ``blank_ok``."""
    raw = fields.get(name, [""])
    text = raw[0].strip().replace(",", "") if len(raw) == 1 else "?"
    if text == "" and blank_ok:
        return None
    if not text.isdigit() or len(text) > 9:
        raise InvalidValue(f"The {name} must be a whole number")
    return int(text)


async def _operator_write(request: Request[Any, Any, Any], account: str, what: str) -> Any:
    session = await to_thread.run_sync(operator, request)
    fields = await checked_form(request, session)
    actor = actor_of(request, session)
    db = ui_of(request).db
    try:
        target = await to_thread.run_sync(lambda: get_account(db, username=account))
        if what == "quota":
            quota = _whole(fields, "quota", blank_ok=True)
            await to_thread.run_sync(
                lambda: set_quota(db, account=target, quota=quota, actor=actor)
            )
        else:
            count = _whole(fields, "count", blank_ok=False) or 0
            await to_thread.run_sync(lambda: take_ips(db, account=target, count=count, actor=actor))
    except AccountNotFound:
        raise
    except IpfleetError as exc:
        errors = {(account, what): exc.message}
        return await to_thread.run_sync(lambda: _home(request, session, errors=errors, status=400))
    return see_other(f"{HOME}?done={what}")


@post(f"{HOME}/accounts/{{account:str}}/quota", status_code=303)
async def quota(request: Request[Any, Any, Any], account: PathText) -> Response[Any]:
    """Set an account's IP quota (blank: unlimited), with the CLI's rules and errors."""
    result: Response[Any] = await _operator_write(request, account, "quota")
    return result


@post(f"{HOME}/accounts/{{account:str}}/take", status_code=303)
async def take(request: Request[Any, Any, Any], account: PathText) -> Response[Any]:
    """Take N free inventory IPs for an account, atomically and within its quota."""
    result: Response[Any] = await _operator_write(request, account, "take")
    return result


HANDLERS = [home, quota, take]
