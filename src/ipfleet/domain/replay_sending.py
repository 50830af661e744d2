"""Replay of per-IP settings (host name, whitelabel flag, warmup, MTA, the send_ips
settings) and of sending
domains and their subusers.

Part of ``domain.replay`` (kept apart for size): each function applies one logged action
to the state being rebuilt, checking what the entry says was there before.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ipfleet.domain.replay import _Replay


def utc_text(moment: Any) -> str | None:
    """A logged time as ISO 8601 in UTC; a time without a zone is taken as UTC."""
    if moment is None:
        return None
    parsed = datetime.fromisoformat(str(moment))
    aware = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def _domain(run: _Replay, name: str) -> dict[str, Any]:
    found: dict[str, Any] | None = run.state["domains"].get(name)
    if found is None or found["account"] != run.account():
        raise run.fail(f"no domain {name!r} on account {run.account()!r}")
    return found


def whitelabel_add(run: _Replay) -> None:
    name = run.subject("domain")
    run.expect("domain", run.payload("after", "mail_domain"), name)
    if name in run.state["domains"]:
        raise run.fail(f"domain {name!r} exists already")
    run.state["domains"][name] = {
        "account": run.account(),
        "url_domain": run.payload("after", "url_domain"),
        "subuser": None,
    }


def whitelabel_remove(run: _Replay) -> None:
    name = run.subject("domain")
    found = _domain(run, name)
    run.expect("url domain before", run.payload("before", "url_domain"), found["url_domain"])
    if found["subuser"] is not None:  # its detachment is logged first
        raise run.fail(f"domain {name!r} is removed still attached to {found['subuser']!r}")
    del run.state["domains"][name]


def subuser_set_whitelabel(run: _Replay) -> None:
    user = run.subject("subuser")
    run.sub(user)
    current = [d for d, row in run.state["domains"].items() if row["subuser"] == user]
    before, after = run.payload("before", "mail_domain"), run.payload("after", "mail_domain")
    run.expect("domain before", before, current[0] if current else None)
    if before is not None:
        run.state["domains"][before]["subuser"] = None
    if after is not None:
        target = _domain(run, after)
        if target["subuser"] is not None:  # a move logs the other subuser's detachment first
            raise run.fail(f"domain {after!r} is attached to {target['subuser']!r} already")
        target["subuser"] = user


def subuser_deleted(state: dict[str, Any], user: str) -> None:
    """A deleted subuser's domain stays with the account (it routes as the account)."""
    for row in state["domains"].values():
        if row["subuser"] == user:
            row["subuser"] = None


def ip_set_hostname(run: _Replay) -> None:
    run.ip_row()["hostname"] = run.payload("after", "hostname")


def ip_set_whitelabeled(run: _Replay) -> None:
    run.ip_row()["whitelabeled"] = run.payload("after", "whitelabeled")


def ip_set_mta(run: _Replay) -> None:
    run.ip_row()["mta"] = run.payload("after", "mta")


#: The settings ``ip.update`` (v3 /v3/send_ips) changes, as the state names them.
UPDATABLE = ("enabled", "parent_assigned", "region")


def ip_update(run: _Replay) -> None:
    """Some of an account's IP's settings change; ``before`` holds their old values."""
    row = run.own_ip(run.subject("ip"), run.account())
    before, after = dict(run.entry.get("before") or {}), dict(run.entry.get("after") or {})
    if set(before) != set(after) or not set(after) <= set(UPDATABLE):
        raise run.fail(f"settings are not among {UPDATABLE}")
    run.expect("settings before", before, {k: row[k] for k in before})
    row.update(after)


def ip_clear_identity(run: _Replay) -> None:
    """An IP leaving an account loses its host name, whitelabel flag and warmup."""
    row = run.own_ip(run.subject("ip"), run.account())
    before = dict(run.entry.get("before") or {})
    before["warmup_started_at"] = utc_text(before.get("warmup_started_at"))
    rebuilt = {k: row[k] for k in ("hostname", "whitelabeled", "warmup_started_at")}
    run.expect("identity before", before, rebuilt)
    row.update(hostname=None, whitelabeled=False, warmup_started_at=None)


def ip_warmup_start(run: _Replay) -> None:
    row = run.own_ip(run.subject("ip"), run.account())
    run.expect("warmup before", None, row["warmup_started_at"])
    row["warmup_started_at"] = utc_text(run.payload("after", "warmup_started_at"))


def ip_warmup_stop(run: _Replay) -> None:
    row = run.own_ip(run.subject("ip"), run.account())
    before = utc_text(run.payload("before", "warmup_started_at"))
    run.expect("warmup before", before, row["warmup_started_at"])
    row["warmup_started_at"] = None
