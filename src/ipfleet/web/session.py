"""The dashboard session: a signed cookie naming who signed in, and the CSRF token.

The cookie holds no secret: a reseller's session names the account and the public id of
the key it signed in with (the key is checked live on every request, so revoking it ends
the session); an operator's names the operator and its token id. The payload is signed
with HMAC-SHA256 and carries the time it was made, so a cookie cannot be forged or kept
past ``IPFLEET_SESSION_HOURS``. Before sign-in an anonymous session carries only the CSRF
token of the sign-in form.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, replace
from enum import StrEnum

COOKIE = "ipfleet_ui"


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    RESELLER = "reseller"
    OPERATOR = "operator"


@dataclass(frozen=True, slots=True)
class Session:
    role: Role
    name: str  # the account or operator; empty when anonymous
    key_id: str  # the public id of the key or token signed in with; empty when anonymous
    csrf: str
    issued: int  # Unix time the session was made


def anonymous() -> Session:
    """A fresh session for someone who has not signed in."""
    return Session(Role.ANONYMOUS, "", "", secrets.token_urlsafe(32), int(time.time()))


def signed_in(role: Role, name: str, key_id: str) -> Session:
    """A fresh session (with a new CSRF token) for someone who has just signed in."""
    return replace(anonymous(), role=role, name=name, key_id=key_id)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """Turns sessions into cookie values and back, refusing forged or expired ones."""

    def __init__(self, secret: bytes, max_age_s: int) -> None:
        self._key = hashlib.sha256(b"ipfleet-ui-session\x00" + secret).digest()
        self.max_age_s = max_age_s

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest())

    def dump(self, session: Session) -> str:
        """The cookie value of ``session``."""
        fields = [session.role.value, session.name, session.key_id, session.csrf, session.issued]
        payload = _b64(json.dumps(fields, separators=(",", ":")).encode())
        return f"{payload}.{self._mac(payload)}"

    def load(self, value: str, now: float | None = None) -> Session | None:
        """The session in a cookie value, or None when it is forged, malformed or expired."""
        payload, _, mac = value.partition(".")
        if not payload.isascii() or not mac.isascii():
            return None
        if not hmac.compare_digest(self._mac(payload).encode(), mac.encode()):
            return None
        try:
            role, name, key_id, csrf, issued = json.loads(_unb64(payload))
            session = Session(Role(role), str(name), str(key_id), str(csrf), int(issued))
        except (ValueError, TypeError):
            return None
        age = (time.time() if now is None else now) - session.issued
        return session if 0 <= age <= self.max_age_s else None


def csrf_matches(session: Session, sent: str) -> bool:
    """Whether a form's token is the session's, compared in constant time."""
    given = sent.encode("utf-8", "replace")
    return bool(sent) and hmac.compare_digest(session.csrf.encode(), given)
