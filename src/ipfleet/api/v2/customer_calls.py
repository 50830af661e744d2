"""customer.add/delete/profile/enable/disable/website_*/password/auth: subusers (docs/v2.md
§7, §10)."""

from __future__ import annotations

from typing import Any

from anyio import to_thread

from ipfleet.api.offload import read
from ipfleet.api.v2.request import SUCCESS, Handler, V2Request, V2Result, one_of, require
from ipfleet.domain.errors import (
    InvalidParameter,
    InvalidValue,
    MissingParameter,
    WrongPassword,
)
from ipfleet.services import profiles
from ipfleet.services.names import EDITABLE, PROFILE_FIELDS, too_long
from ipfleet.services.passwords import MIN_LENGTH
from ipfleet.services.subusers import create_subuser, delete_subuser, set_subuser_active

#: The user object's keys, in the order SendGrid recorded them: the profile fields with
#: ``website_access`` before ``company`` (ipfleet's addition, always last).
USER_KEYS = (
    "username",
    "email",
    "active",
    *(f for f in PROFILE_FIELDS if f != "company"),
    "website_access",
    "company",
)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _fields(req: V2Request, names: tuple[str, ...]) -> dict[str, str]:
    """The profile fields the request gives (present, even if empty)."""
    return {n: req.params.get(n) or "" for n in names if req.params.has(n)}


def _password_problems(req: V2Request) -> list[str]:
    password, confirm = req.params.get("password") or "", req.params.get("confirm_password") or ""
    problems = []
    if password != confirm:
        problems.append("Passwords do not match")
    if len(password) < MIN_LENGTH:
        problems.append(f"Password must be at least {MIN_LENGTH} characters")
    return problems


async def customer_add(req: V2Request) -> V2Result:
    """Register a subuser of the caller's account."""
    username = req.params.get("username") or ""
    problems = [
        f"{label} is required"
        for name, label in (
            ("username", "Username"),
            ("password", "Password"),
            ("confirm_password", "Confirm password"),
            ("email", "Email"),
        )
        if not req.params.get(name)
    ]
    if (problem := too_long(username, "Username")) is not None:
        problems.append(problem)
    if req.params.get("password") and req.params.get("confirm_password"):
        problems += _password_problems(req)
    if problems:
        raise InvalidValue(problems[0], problems)

    def write() -> None:
        create_subuser(
            req.db,
            account=req.account,
            username=username,
            email=req.params.get("email") or "",
            actor=req.actor,
            password=req.params.get("password"),
            profile=_fields(req, PROFILE_FIELDS),
        )

    await req.edge.hashing(write)
    return SUCCESS


async def customer_delete(req: V2Request) -> V2Result:
    """Remove a subuser; its holdings are released."""
    require(req, "user")
    user = req.user() or ""
    await to_thread.run_sync(
        lambda: delete_subuser(req.db, account=req.account, username=user, actor=req.actor)
    )
    return SUCCESS


def _active_filter(req: V2Request) -> bool | None:
    raw = req.params.get("active")
    if raw is None:
        return None
    if raw not in ("0", "1"):
        raise InvalidParameter("active")
    return raw == "1"


#: customer.profile's tasks and the parameters each requires besides ``task``.
PROFILE_TASKS: dict[str, tuple[str, ...]] = {
    "get": (),
    "set": ("user",),
    "setUsername": ("user", "username"),
    "setEmail": ("user", "email"),
}


def _require_for_task(req: V2Request) -> str:
    """The task, once every parameter it needs is there (all missing ones named)."""
    task_raw = req.params.get("task")
    needs = PROFILE_TASKS.get(task_raw or "", ())
    if task_raw == "setUsername":
        # ``username`` is the new name here, so only ``user`` names the subuser.
        missing = [n for n in ("task", *needs) if req.value(n) is None]
        if missing:
            raise MissingParameter(missing)
    else:
        require(req, "task", *needs)
    return one_of(req, "task", tuple(PROFILE_TASKS))


def _profile_write(req: V2Request, task: str) -> None:
    user = req.user() or ""
    if task == "setUsername":
        profiles.rename_subuser(
            req.db,
            account=req.account,
            username=req.value("user") or "",
            new_name=req.params.get("username") or "",
            actor=req.actor,
        )
    elif task == "setEmail":
        email = req.params.get("email") or ""
        profiles.set_email(req.db, account=req.account, username=user, email=email, actor=req.actor)
    else:
        values = _fields(req, EDITABLE)
        profiles.update_profile(
            req.db, account=req.account, username=user, values=values, actor=req.actor
        )


async def customer_profile(req: V2Request) -> V2Result:
    """task=get: search the account's subusers; set, setUsername, setEmail: change one."""
    task = _require_for_task(req)
    if task != "get":
        await to_thread.run_sync(lambda: _profile_write(req, task))
        return SUCCESS
    active = _active_filter(req)
    rows = await read(
        profiles.find_subusers,
        req.db,
        account=req.account,
        contains={k: v for k, v in _fields(req, profiles.SEARCHABLE).items() if v},
        active=active,
    )
    users = [{k: _text(row[k]) for k in USER_KEYS} for row in rows]
    return V2Result(users, ("users", [("user", [(k, u[k]) for k in USER_KEYS]) for u in users]))


async def _set_active(req: V2Request, active: bool) -> V2Result:
    require(req, "user")
    user = req.user() or ""

    def write() -> None:
        set_subuser_active(
            req.db,
            account=req.account,
            username=user,
            active=active,
            actor=req.actor,
        )

    await to_thread.run_sync(write)  # a missing subuser answers in its own shape (errors.py)
    return SUCCESS


async def customer_enable(req: V2Request) -> V2Result:
    """Re-activate a subuser."""
    return await _set_active(req, True)


async def customer_disable(req: V2Request) -> V2Result:
    """Deactivate a subuser: IPs only it held become available at once."""
    return await _set_active(req, False)


async def _set_website_access(req: V2Request, allowed: bool) -> V2Result:
    require(req, "user")
    user = req.user() or ""
    await to_thread.run_sync(
        lambda: profiles.set_website_access(
            req.db, account=req.account, username=user, allowed=allowed, actor=req.actor
        )
    )
    return SUCCESS


async def customer_website_enable(req: V2Request) -> V2Result:
    """Let a subuser log in to the website (sending is not affected)."""
    return await _set_website_access(req, True)


async def customer_website_disable(req: V2Request) -> V2Result:
    """Keep a subuser out of the website (sending is not affected)."""
    return await _set_website_access(req, False)


async def customer_password(req: V2Request) -> V2Result:
    """Set a subuser's password."""
    require(req, "user", "password", "confirm_password")
    problems = _password_problems(req)
    if problems:
        raise InvalidValue(problems[0], problems)
    user, password = req.user() or "", req.params.get("password") or ""
    await req.edge.hashing(
        lambda: profiles.set_password(
            req.db, account=req.account, username=user, password=password, actor=req.actor
        )
    )
    return SUCCESS


async def customer_auth(req: V2Request) -> V2Result:
    """Check a subuser's own username and password (failures counted per subuser)."""
    require(req, "user", "password")
    user, password = req.user() or "", req.params.get("password") or ""
    attempt = req.edge.attempt(f"auth:{req.account.username}/{user}")
    ok = await req.edge.hashing(
        lambda: profiles.check_password(
            req.db, account=req.account, username=user, password=password
        )
    )
    if not ok:
        await req.edge.failed(attempt, "customer.auth password")
        raise WrongPassword
    return SUCCESS


CUSTOMER_CALLS: dict[str, Handler] = {
    "customer.add": customer_add,
    "customer.delete": customer_delete,
    "customer.profile": customer_profile,
    "customer.enable": customer_enable,
    "customer.disable": customer_disable,
    "customer.website_enable": customer_website_enable,
    "customer.website_disable": customer_website_disable,
    "customer.password": customer_password,
    "customer.auth": customer_auth,
}
