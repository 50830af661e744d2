"""``/v3/docs``: Swagger UI served from files shipped in the package, under a strict
Content-Security-Policy (this origin only, no inline script), so the page works on an
isolated network and runs no third-party code where operators paste a bearer key."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Annotated, Any

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import PathParameter

SWAGGER_UI_VERSION = "5.35.0"  # static/vendor/swagger-ui/VENDORED.md says where from
PUBLIC = {"public": True}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
#: Every file the page may load: name -> (file under static/, content type).
ASSETS = {
    "docs-init.js": ("docs-init.js", "text/javascript; charset=utf-8"),
    "swagger-ui-bundle.js": (
        "vendor/swagger-ui/swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
    ),
    "swagger-ui.css": ("vendor/swagger-ui/swagger-ui.css", "text/css; charset=utf-8"),
    "favicon-32x32.png": ("vendor/swagger-ui/favicon-32x32.png", "image/png"),
}


@cache
def _read(relative: str) -> bytes:
    found = files("ipfleet.api.v3") / "static"
    for part in relative.split("/"):
        found = found / part
    return found.read_bytes()


@get("/v3/docs", include_in_schema=False, opt=PUBLIC, sync_to_thread=False)
def docs_page() -> Response[bytes]:
    """Swagger UI on /v3/openapi.json; every script and style comes from this server."""
    return Response(_read("docs.html"), media_type="text/html; charset=utf-8", headers=HEADERS)


@get("/v3/docs/static/{name:str}", include_in_schema=False, opt=PUBLIC, sync_to_thread=False)
def docs_asset(name: Annotated[str, PathParameter()]) -> Response[bytes]:
    """One of the page's files (only those listed in ``ASSETS``)."""
    found = ASSETS.get(name)
    if found is None:
        raise NotFoundException
    relative, media_type = found
    headers: dict[str, Any] = {**HEADERS, "cache-control": "public, max-age=86400"}
    return Response(_read(relative), media_type=media_type, headers=headers)


HANDLERS = [docs_page, docs_asset]
