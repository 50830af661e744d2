"""JSON bodies checked strictly, as their schema says, before Litestar decodes them.

Litestar converts bodies leniently (``0`` for ``false``, ``"5"`` for ``5``), which the
OpenAPI document does not promise; this hook decodes the raw body strictly into the
handler's ``data`` type first, so such a body is a 400 naming the field.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Request

_AT = re.compile(r" - at `\$(?:\.([^`.\[]+))?[^`]*`$")
_MISSING = re.compile(r"required field `([^`]+)`")


async def strict_body(request: Request[Any, Any, Any]) -> None:
    """Refuse a body that does not strictly match the handler's ``data`` type."""
    data = request.route_handler.parsed_fn_signature.parameters.get("data")
    if data is not None:
        msgspec.json.decode(await request.body(), type=data.annotation, strict=True)


def field_and_message(exc: msgspec.ValidationError) -> tuple[str | None, str]:
    """The top-level field a msgspec error is about (None for the whole body), and why."""
    text = str(exc)
    found = _AT.search(text)
    message = text if found is None else text[: found.start()]
    field = None if found is None else found.group(1)
    missing = _MISSING.search(message)
    return (missing.group(1) if field is None and missing else field), message
