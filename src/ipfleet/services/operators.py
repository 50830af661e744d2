"""Dashboard operators (a token each, stored as a hash) and the session signing secret."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from sqlalchemy.exc import IntegrityError

from ipfleet.domain.errors import BadCredentials, OperatorExists, OperatorNotFound
from ipfleet.domain.records import Actor
from ipfleet.services.common import now
from ipfleet.services.keys import hash_key
from ipfleet.services.names import check_name
from ipfleet.store.uow import Database, UnitOfWork, WriteUnit

TOKEN_SHAPE = re.compile(r"ipfop\.([A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{43}")
SESSION_SECRET = "ui.session"  # noqa: S105 - the name of the kept secret, not a secret
_NO_HASH = hashlib.sha256(b"no such operator").hexdigest()


def _new_token() -> tuple[str, str]:
    token_id = secrets.token_urlsafe(16)
    while token_id.startswith("-"):  # typed on command lines, like key ids
        token_id = secrets.token_urlsafe(16)
    return f"ipfop.{token_id}.{secrets.token_urlsafe(32)}", token_id


def create_operator(db: Database, *, name: str, actor: Actor) -> str:
    """A token for a new operator (or a revoked one again); returned this once only."""
    check_name(name, "Operator name")
    token, token_id = _new_token()

    def work(uow: WriteUnit) -> str:
        found = uow.operators.by_name(name)
        if found is not None and not found.revoked:
            raise OperatorExists(name)
        if found is None:
            uow.operators.add(name, token_id, hash_key(token), now())
        else:
            uow.operators.replace_token(found.id, token_id, hash_key(token), now())
        uow.record(
            account_id=None,
            action="operator.create",
            subject=f"operator:{name}",
            after={"token_id": token_id},
        )
        return token

    return db.write(work, actor=actor)


def revoke_operator(db: Database, *, name: str, actor: Actor) -> None:
    """End an operator's token; its dashboard sessions end with it."""

    def work(uow: WriteUnit) -> None:
        found = uow.operators.by_name(name)
        if found is None or found.revoked:
            raise OperatorNotFound(name)
        uow.operators.revoke(found.id, now())
        uow.record(
            account_id=None,
            action="operator.revoke",
            subject=f"operator:{name}",
            before={"token_id": found.token_id},
        )

    db.write(work, actor=actor)


def check_operator_token(db: Database, *, token: str) -> tuple[str, str]:
    """(name, token id) of the live operator whose token this is, or ``BadCredentials``."""
    shape = TOKEN_SHAPE.fullmatch(token)
    found = db.read(lambda uow: uow.operators.live_token(shape.group(1))) if shape else None
    expected = found.secret_hash if found else _NO_HASH
    if not hmac.compare_digest(hash_key(token), expected) or found is None:
        raise BadCredentials
    return found.name, found.token_id


def operator_is_live(db: Database, *, name: str, token_id: str) -> bool:
    """Whether ``name`` still holds the token ``token_id`` (a session made with it lives)."""
    found = db.read(lambda uow: uow.operators.live_token(token_id))
    return found is not None and hmac.compare_digest(found.name.encode(), name.encode())


def session_secret(db: Database, *, configured: str | None) -> bytes:
    """The dashboard's signing key: ``IPFLEET_SECRET_KEY``, else one made once and kept."""
    if configured:
        return configured.encode()
    kept = db.read(_kept)
    if kept is None:
        try:
            kept = db.write(_make_secret, actor=Actor(name="ipfleet", request_id="session-secret"))
        except IntegrityError:  # another process made it at the same moment: use theirs
            kept = db.read(_kept)
    if kept is None:
        raise RuntimeError("the session secret was neither found nor made")
    return kept.encode()


def _make_secret(uow: WriteUnit) -> str:
    """The kept secret, made now unless another process made it first."""
    kept = _kept(uow)
    if kept is not None:
        return kept
    value = secrets.token_urlsafe(48)
    uow.operators.add_secret(SESSION_SECRET, value, now())
    uow.record(account_id=None, action="secret.create", subject=f"secret:{SESSION_SECRET}")
    return value


def _kept(uow: UnitOfWork) -> str | None:
    return uow.operators.secret(SESSION_SECRET)
