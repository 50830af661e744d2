"""Who is calling: the account of a v2 ``api_user``/``api_key`` pair, or of a v3 bearer key
(acting for one of its subusers with On-Behalf-Of). Keys are compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from ipfleet.domain.errors import BadCredentials, OnBehalfOfRefused
from ipfleet.domain.records import Account, Subuser
from ipfleet.services.keys import KEY_SHAPE, hash_key
from ipfleet.store.uow import Database, UnitOfWork

# Compared against when no key matches, so a miss costs what a hit costs.
_NO_HASH = hashlib.sha256(b"no such key").hexdigest()


@dataclass(frozen=True, slots=True)
class Caller:
    """The account of the key, and the subuser named by On-Behalf-Of (if any)."""

    account: Account
    subuser: Subuser | None = None


def _act_as(uow: UnitOfWork, account: Account, username: str) -> Subuser:
    """The account's subuser ``username``; any other name is refused the same way."""
    sub = uow.subusers.get(account.id, username)
    if sub is None:
        raise OnBehalfOfRefused(username)
    return sub


def authenticate_bearer(db: Database, *, api_key: str, on_behalf_of: str | None) -> Caller:
    """The caller of a bearer key, acting for a subuser when ``on_behalf_of`` is given."""
    if not api_key:
        raise BadCredentials
    # The key check is the store's hot path (one statement), as for v2: every v3 call pays it.
    key_id = key_id_of(api_key)
    account = _verified(db.hot.credentials(key_id) if key_id else None, api_key, None)
    if on_behalf_of is None:
        return Caller(account)
    return Caller(account, db.read(lambda uow: _act_as(uow, account, on_behalf_of)))


def _verified(found: tuple[Account, str] | None, api_key: str, username: str | None) -> Account:
    """The account of ``found`` if the key hashes to its secret (and the name matches).

    Any mismatch raises the same ``BadCredentials``, after the same hash comparison.
    """
    expected = found[1] if found else _NO_HASH
    ok = hmac.compare_digest(hash_key(api_key), expected)
    if not ok or found is None or (username is not None and found[0].username != username):
        raise BadCredentials
    return found[0]


def key_id_of(api_key: str) -> str | None:
    """The public id of a key of SendGrid's shape, or None."""
    shape = KEY_SHAPE.fullmatch(api_key)
    return shape.group(1) if shape else None


def authenticate(db: Database, *, username: str, api_key: str) -> Account:
    """The account of a v2 ``api_user``/``api_key`` pair, or ``BadCredentials``.

    Runs on every v2 request, so it reads through the store's hot path; the account it
    returns carries the data version that request's cached answers are checked against.
    """
    if not username or not api_key:
        raise BadCredentials
    key_id = key_id_of(api_key)
    return _verified(db.hot.credentials(key_id) if key_id else None, api_key, username)


def session_account(db: Database, *, username: str, key_id: str) -> Account:
    """The account a dashboard session signed in with ``key_id`` acts for, read now.

    A key revoked since the sign-in ends the session: ``BadCredentials``.
    """
    found = db.read(lambda uow: uow.keys.live_key(key_id))
    if found is None or not hmac.compare_digest(found[0].username.encode(), username.encode()):
        raise BadCredentials
    return found[0]
