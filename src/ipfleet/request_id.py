"""Request ids: the caller's ``X-Request-Id`` when it is sane, else a fresh one.

Shared by every HTTP surface (the APIs and the dashboard), so it lives beside them, not
in either.
"""

from __future__ import annotations

import itertools
import re
import secrets
from collections.abc import MutableMapping
from typing import Any

SANE = re.compile(rb"[A-Za-z0-9._:-]{1,64}")
# A random per-process prefix and a counter: unique ids at a fraction of uuid4's cost.
_PREFIX = secrets.token_hex(8)
_COUNTER = itertools.count(1)


#: Where the id is kept in the scope once chosen, so every layer uses the same one.
SCOPE_KEY = "ipfleet.request_id"


def request_id_of(scope: MutableMapping[str, Any]) -> str:
    """The id this request is logged and answered under (chosen once per request)."""
    found = scope.get(SCOPE_KEY)
    if found is not None:
        return str(found)
    rid = f"{_PREFIX}{next(_COUNTER):016x}"
    for key, value in scope.get("headers", ()):
        if key.lower() == b"x-request-id" and SANE.fullmatch(value):
            rid = bytes(value).decode("ascii")
            break
    scope[SCOPE_KEY] = rid
    return rid
