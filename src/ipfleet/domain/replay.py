"""Rebuild ipfleet's state from its change log alone (a pure function: no I/O, no clock).

``replay(entries)`` applies every change-log entry, in order, to an empty installation and
returns the state in the shape ``store.state_repo.StateRepo`` reads from the database::

    {"accounts": {name: {"outbound_cluster", "ip_quota", "price_per_ip",
                         "keys": {key_id: {"name", "revoked"}}}},
     "ips": {address: {"account", "hostname", "whitelabeled", "warmup_started_at", "mta",
                       "enabled", "parent_assigned", "region", "leased"}},
     "domains": {mail_domain: {"account", "url_domain", "subuser"}},
     "subusers": {name: {"account", "active", "email", <profile fields>, "website_access",
                         "password_set", "ips": [addresses in numeric order]}},
     "pools": {account: {pool: [addresses in numeric order]}}}

Times are ISO 8601 in UTC; creation and assignment times are not part of the state (the
log row's own time is taken in a separate clock read). Where an entry states what was
there before (``before``), replay checks it against what it has rebuilt and raises
``ReplayError`` on a difference, so a log that contradicts itself is found, not smoothed
over. An action replay does not know is an error too. Consequences that the services
apply without logging them are derived here, and are listed in ``DERIVED``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ipfleet.domain import replay_sending as sending
from ipfleet.domain.addresses import canonical, expand, parse_address, sort_key
from ipfleet.domain.records import PROFILE_FIELDS, SEND_DEFAULTS

State = dict[str, Any]
Entry = Mapping[str, Any]

#: What replay applies that no log entry states, because the service does it implicitly.
#: (Since identities are wiped with rows of their own, ``pool.remove_ip`` and
#: ``ip.clear_identity`` precede ``ip.remove``/``ip.return``, and these find nothing left
#: to do; they stay for logs written before.)
DERIVED = {
    "ip.remove": "the addresses leave every pool",
    "ip.return": "the addresses leave every pool, stop warming up and get the default send"
    " settings (SEND_DEFAULTS)",
    "ip.take": "the addresses are leased and get the default send settings",
    "ip.add": "the addresses are not leased and get the default send settings",
    "pool.delete": "the pool's membership goes with it",
    "subuser.delete": "the subuser's holdings go with it; its domain stays with the account",
}


class ReplayError(Exception):
    """The log cannot be replayed: an unknown action, or an entry contradicting the state."""

    def __init__(self, entry: Entry, problem: str) -> None:
        super().__init__(f"change log entry {entry.get('id')} ({entry.get('action')}): {problem}")
        self.entry_id = entry.get("id")
        self.problem = problem


def empty_state() -> State:
    """The state of a fresh installation."""
    return {"accounts": {}, "ips": {}, "subusers": {}, "pools": {}, "domains": {}}


def ordered(addresses: Iterable[str]) -> list[str]:
    """Addresses de-duplicated, in numeric order (IPv4 first), as the database lists them."""
    return sorted(set(addresses), key=lambda a: sort_key(parse_address(a)))


def new_ip(account: str | None, mta: str | None = None) -> dict[str, Any]:
    """The row of an address ipfleet has just learnt."""
    return {
        "account": account,
        "hostname": None,
        "whitelabeled": False,
        "warmup_started_at": None,
        "mta": mta,
        **SEND_DEFAULTS,
        "leased": True,
    }


def new_subuser(account: str) -> dict[str, Any]:
    """A subuser as created, before its logged fields are applied."""
    fields = dict.fromkeys(PROFILE_FIELDS, "")
    return {
        "account": account,
        "active": True,
        "email": "",
        **fields,
        "website_access": True,
        "password_set": False,
        "ips": [],
    }


class _Replay:
    """The state being rebuilt, and one method per action."""

    def __init__(self) -> None:
        self.state = empty_state()
        self.names: dict[int, str] = {}  # account id -> account name
        self.entry: Entry = {}

    # -- helpers ---------------------------------------------------------------------

    def fail(self, problem: str) -> ReplayError:
        return ReplayError(self.entry, problem)

    def account(self) -> str:
        name = self.names.get(self.entry.get("account_id"))  # type: ignore[arg-type]
        if name is None:
            raise self.fail(f"unknown account id {self.entry.get('account_id')}")
        return name

    def subject(self, prefix: str) -> str:
        kind, sep, name = str(self.entry.get("subject", "")).partition(":")
        if kind != prefix or not sep:
            raise self.fail(f"subject is not {prefix}:<name>")
        return name

    def payload(self, side: str, key: str) -> Any:
        part = self.entry.get(side)
        if not isinstance(part, Mapping) or key not in part:
            raise self.fail(f"{side} lacks {key!r}")
        return part[key]

    def expect(self, what: str, logged: Any, rebuilt: Any) -> None:
        if logged != rebuilt:
            raise self.fail(f"{what}: the log says {logged!r}, replay has {rebuilt!r}")

    def sub(self, name: str) -> dict[str, Any]:
        found: dict[str, Any] | None = self.state["subusers"].get(name)
        if found is None or found["account"] != self.account():
            raise self.fail(f"no subuser {name!r} on account {self.account()!r}")
        return found

    def own_ip(self, address: str, account: str | None) -> dict[str, Any]:
        row: dict[str, Any] | None = self.state["ips"].get(address)
        if row is None or row["account"] != account:
            raise self.fail(f"address {address} is not on {account or 'the inventory'}")
        return row

    def pool(self, account: str, name: str) -> list[str]:
        found: list[str] | None = self.state["pools"].get(account, {}).get(name)
        if found is None:
            raise self.fail(f"no pool {name!r} on account {account!r}")
        return found

    def leave_pools(self, addresses: Iterable[str]) -> None:
        gone = set(addresses)
        for pools in self.state["pools"].values():
            for name, members in pools.items():
                pools[name] = [a for a in members if a not in gone]

    def holdings(self, address: str) -> list[str]:
        return sorted(n for n, s in self.state["subusers"].items() if address in s["ips"])

    # -- accounts and keys -----------------------------------------------------------

    def account_create(self) -> None:
        name = self.payload("after", "username")
        if name in self.state["accounts"]:
            raise self.fail(f"account {name!r} exists already")
        self.names[self.entry["account_id"]] = name
        self.state["accounts"][name] = {
            "outbound_cluster": self.payload("after", "outbound_cluster"),
            # Logs written before quotas had a default lack it: those accounts began unlimited.
            "ip_quota": (self.entry.get("after") or {}).get("ip_quota"),
            "price_per_ip": None,
            "keys": {},
        }
        self.state["pools"][name] = {}

    def account_set_quota(self) -> None:
        acc = self.state["accounts"][self.account()]
        self.expect("quota before", self.payload("before", "ip_quota"), acc["ip_quota"])
        acc["ip_quota"] = self.payload("after", "ip_quota")

    def account_set_price(self) -> None:
        acc = self.state["accounts"][self.account()]
        before = self.payload("before", "price_per_ip")
        self.expect("price before", before, acc["price_per_ip"])
        acc["price_per_ip"] = self.payload("after", "price_per_ip")

    def key_create(self) -> None:
        keys = self.state["accounts"][self.account()]["keys"]
        key_id = self.payload("after", "key_id")
        if key_id in keys:
            raise self.fail(f"key {key_id} exists already")
        keys[key_id] = {"name": self.payload("after", "name"), "revoked": False}

    def key_revoke(self) -> None:
        keys = self.state["accounts"][self.account()]["keys"]
        key = keys.get(self.payload("before", "key_id"))
        if key is None or key["revoked"]:
            raise self.fail("the key is not a live key of the account")
        key["revoked"] = True

    # -- addresses -------------------------------------------------------------------

    def inventory_add(self) -> None:
        specs, limit = self.payload("after", "specs"), self.payload("after", "limit")
        mta = (self.entry.get("after") or {}).get("mta")
        added = 0
        for address in expand(specs, limit=limit):
            text = canonical(address)
            if text not in self.state["ips"]:
                self.state["ips"][text] = new_ip(None, mta)
                added += 1
        self.expect("addresses added", self.payload("after", "added"), added)

    def inventory_remove(self) -> None:
        for address in self.payload("before", "addresses"):
            self.own_ip(address, None)
            del self.state["ips"][address]

    def ip_add(self) -> None:
        account = self.account()
        for address in self.payload("after", "addresses"):
            row = self.state["ips"].setdefault(address, new_ip(None))
            if row["account"] is not None:
                raise self.fail(f"address {address} is on {row['account']!r} already")
            row.update(account=account, leased=False, **SEND_DEFAULTS)

    def ip_take(self) -> None:
        account = self.account()
        for address in self.payload("after", "addresses"):
            row = self.own_ip(address, None)
            row.update(account=account, leased=True, **SEND_DEFAULTS)

    def ip_release(self) -> None:
        for address, user in self.payload("before", "holdings"):
            held = self.sub(user)["ips"]
            if address not in held:
                raise self.fail(f"{user!r} does not hold {address}")
            held.remove(address)

    def _drop_from_account(self, addresses: list[str]) -> None:
        account = self.account()
        for address in addresses:
            self.own_ip(address, account)
            holders = self.holdings(address)
            if holders:
                raise self.fail(f"{address} leaves the account still held by {holders}")
        self.leave_pools(addresses)

    def ip_remove(self) -> None:
        addresses = self.payload("before", "addresses")
        self._drop_from_account(addresses)
        for address in addresses:
            del self.state["ips"][address]

    def ip_return(self) -> None:
        addresses = self.payload("before", "addresses")
        self._drop_from_account(addresses)
        for address in addresses:
            self.state["ips"][address].update(account=None, warmup_started_at=None, **SEND_DEFAULTS)

    def ip_row(self) -> dict[str, Any]:
        address = self.subject("ip")
        row: dict[str, Any] | None = self.state["ips"].get(address)
        if row is None:
            raise self.fail(f"address {address} is unknown")
        return row

    # -- subusers --------------------------------------------------------------------

    def subuser_create(self) -> None:
        name = self.subject("subuser")
        if name in self.state["subusers"]:
            raise self.fail(f"subuser {name!r} exists already")
        sub = new_subuser(self.account())
        after = dict(self.entry.get("after") or {})
        sub["password_set"] = bool(after.pop("password_set", False))
        sub.update(after)
        self.state["subusers"][name] = sub

    def subuser_set_active(self) -> None:
        sub = self.sub(self.subject("subuser"))
        self.expect("active before", self.payload("before", "active"), sub["active"])
        sub["active"] = self.payload("after", "active")

    def subuser_set_ips(self) -> None:
        sub = self.sub(self.subject("subuser"))
        self.expect("set before", self.payload("before", "ips"), sub["ips"])
        new = self.payload("after", "ips")
        for address in new:
            self.own_ip(address, sub["account"])
        self.expect("new set order", new, ordered(new))
        sub["ips"] = list(new)

    def subuser_update(self) -> None:
        sub = self.sub(self.subject("subuser"))
        before = self.entry.get("before") or {}
        self.expect("fields before", dict(before), {k: sub[k] for k in before})
        sub.update(self.entry.get("after") or {})

    def subuser_rename(self) -> None:
        new = self.subject("subuser")
        self.expect("new name", self.payload("after", "username"), new)
        old = self.payload("before", "username")
        self.sub(old)
        if new in self.state["subusers"]:
            raise self.fail(f"subuser {new!r} exists already")
        self.state["subusers"][new] = self.state["subusers"].pop(old)

    def subuser_set_website_access(self) -> None:
        sub = self.sub(self.subject("subuser"))
        self.expect(
            "access before", self.payload("before", "website_access"), sub["website_access"]
        )
        sub["website_access"] = self.payload("after", "website_access")

    def subuser_set_password(self) -> None:
        self.sub(self.subject("subuser"))["password_set"] = True

    def subuser_delete(self) -> None:
        name = self.subject("subuser")
        sub = self.sub(name)
        self.expect("set before", self.payload("before", "ips"), sub["ips"])
        self.expect("active before", self.payload("before", "active"), sub["active"])
        del self.state["subusers"][name]
        sending.subuser_deleted(self.state, name)

    # -- pools -----------------------------------------------------------------------

    def pool_create(self) -> None:
        account, name = self.account(), self.subject("pool")
        pools = self.state["pools"][account]
        if name in pools:
            raise self.fail(f"pool {name!r} exists already")
        pools[name] = []

    def pool_rename(self) -> None:
        account, new = self.account(), self.subject("pool")
        self.expect("new name", self.payload("after", "name"), new)
        pools = self.state["pools"][account]
        old = self.payload("before", "name")
        members = self.pool(account, old)
        if new in pools:
            raise self.fail(f"pool {new!r} exists already")
        del pools[old]
        pools[new] = members

    def pool_delete(self) -> None:
        account, name = self.account(), self.subject("pool")
        self.expect("members before", self.payload("before", "ips"), self.pool(account, name))
        del self.state["pools"][account][name]

    def pool_add_ip(self) -> None:
        account, name = self.account(), self.subject("pool")
        members = self.pool(account, name)
        address = self.payload("after", "ip")
        self.own_ip(address, account)
        if address in members:
            raise self.fail(f"{address} is in pool {name!r} already")
        members[:] = ordered([*members, address])

    def pool_remove_ip(self) -> None:
        account, name = self.account(), self.subject("pool")
        members = self.pool(account, name)
        address = self.payload("before", "ip")
        if address not in members:
            raise self.fail(f"{address} is not in pool {name!r}")
        members.remove(address)


def _outside_the_state(run: _Replay) -> None:
    """Operators and the installation's own secrets are not part of the tenants' state."""


ACTIONS: dict[str, Callable[[_Replay], None]] = {
    "account.create": _Replay.account_create,
    "account.set_quota": _Replay.account_set_quota,
    "account.set_price": _Replay.account_set_price,
    "key.create": _Replay.key_create,
    "key.revoke": _Replay.key_revoke,
    "inventory.add": _Replay.inventory_add,
    "inventory.remove": _Replay.inventory_remove,
    "ip.add": _Replay.ip_add,
    "ip.take": _Replay.ip_take,
    "ip.release": _Replay.ip_release,
    "ip.remove": _Replay.ip_remove,
    "ip.return": _Replay.ip_return,
    "ip.set_hostname": sending.ip_set_hostname,
    "ip.set_whitelabeled": sending.ip_set_whitelabeled,
    "ip.clear_identity": sending.ip_clear_identity,
    "ip.warmup_start": sending.ip_warmup_start,
    "ip.warmup_stop": sending.ip_warmup_stop,
    "subuser.create": _Replay.subuser_create,
    "subuser.set_active": _Replay.subuser_set_active,
    "subuser.set_ips": _Replay.subuser_set_ips,
    "subuser.update": _Replay.subuser_update,
    "subuser.rename": _Replay.subuser_rename,
    "subuser.set_website_access": _Replay.subuser_set_website_access,
    "subuser.set_password": _Replay.subuser_set_password,
    "subuser.delete": _Replay.subuser_delete,
    "pool.create": _Replay.pool_create,
    "pool.rename": _Replay.pool_rename,
    "pool.delete": _Replay.pool_delete,
    "pool.add_ip": _Replay.pool_add_ip,
    "pool.remove_ip": _Replay.pool_remove_ip,
    "whitelabel.add": sending.whitelabel_add,
    "whitelabel.remove": sending.whitelabel_remove,
    "subuser.set_whitelabel": sending.subuser_set_whitelabel,
    "ip.set_mta": sending.ip_set_mta,
    "ip.update": sending.ip_update,
    "operator.create": _outside_the_state,
    "operator.revoke": _outside_the_state,
    "secret.create": _outside_the_state,
}


def differences(rebuilt: State, stored: State) -> list[str]:
    """Where two states differ, one sentence each, in a stable order (empty: the same)."""
    out = []
    for part in sorted(set(stored) | set(rebuilt)):
        mine, theirs = rebuilt.get(part, {}), stored.get(part, {})
        for key in sorted(set(mine) | set(theirs), key=str):
            if mine.get(key) != theirs.get(key):
                out.append(f"{part}[{key}]: replay {mine.get(key)} != db {theirs.get(key)}")
    return out


def replay(entries: Iterable[Entry]) -> State:
    """The state that applying ``entries`` (in log order) to an empty installation gives."""
    run = _Replay()
    for entry in entries:
        run.entry = entry
        step = ACTIONS.get(str(entry.get("action")))
        if step is None:
            raise run.fail("replay does not know this action")
        step(run)
    return run.state
