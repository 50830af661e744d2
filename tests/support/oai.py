"""Checking v3 answers against SendGrid's OpenAPI files and ipfleet's own document.

SendGrid's files say ``openapi: 3.1.0`` but mark nullable fields the OpenAPI 3.0 way
(``"nullable": true``), which JSON Schema 2020-12 ignores; they are read as SendGrid
means them (``"type": [T, "null"]``). Formats (``email``, ``ipv4``) are checked.

An answer matches when its status is declared for the operation and its body validates
against that status's schema. Anything else must be a deviation listed in docs/v3.md
(section "Deviations from SendGrid's schema"), by operation id (or ``*``), status and
kind: ``status`` (not declared; the body must then match SendGrid's ErrorResponse) or
``body`` (declared, but the body does not match).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

REPO = Path(__file__).resolve().parents[2]
# Vendored with their licence and source (vendor/sendgrid-oai/SOURCE.md); the variable points
# the checks at another copy of the same files.
SPEC_DIR = Path(os.environ.get("IPFLEET_SENDGRID_OAI", REPO / "vendor" / "sendgrid-oai"))
# tsg_ip_address_management_v3.json describes /v3/send_ips. The first file's ErrorResponse
# is the shape of answers with a status a file does not declare.
FILES = (
    "tsg_ips_v3.json",
    "tsg_ip_warmup_v3.json",
    "tsg_subusers_v3.json",
    "tsg_ip_address_management_v3.json",
)
DOCS = REPO / "docs" / "v3.md"
METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Exchange:
    """One answer seen by a client: what was asked, and what came back."""

    method: str
    path: str  # without the query string, percent-decoded
    status: int
    body: bytes


@dataclass(frozen=True)
class Deviation:
    operation: str  # an operationId, or "*" for every operation
    status: int
    kind: str  # "status" or "body"


def nullable_as_31(node: Any) -> Any:
    """``{"type": T, "nullable": true}`` as JSON Schema 2020-12 says it."""
    if isinstance(node, list):
        return [nullable_as_31(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: nullable_as_31(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True and isinstance(node.get("type"), str):
        out["type"] = [node["type"], "null"]
    return out


@cache
def sendgrid_documents() -> tuple[dict[str, Any], ...]:
    return tuple(nullable_as_31(json.loads((SPEC_DIR / f).read_text())) for f in FILES)


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    op: dict[str, Any]
    components: dict[str, Any]

    @property
    def operation_id(self) -> str:
        return str(self.op["operationId"])


def operations_of(doc: dict[str, Any]) -> list[Operation]:
    return [
        Operation(method.upper(), path, op, doc.get("components", {}))
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def sendgrid_operations() -> dict[tuple[str, str], dict[str, Any]]:
    """SendGrid's operations, keyed by (METHOD, path template)."""
    return {
        (o.method, o.template): o.op for doc in sendgrid_documents() for o in operations_of(doc)
    }


def match(ops: Iterable[Operation], method: str, path: str) -> Operation | None:
    """The operation serving ``method path``; literal segments beat parameters."""
    found = []
    for o in ops:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(o.template))
        if o.method == method and re.fullmatch(pattern, path):
            found.append(o)
    return min(found, key=lambda o: o.template.count("{"), default=None)


def body_problems(schema: dict[str, Any], components: dict[str, Any], body: bytes) -> list[str]:
    """Why ``body`` does not validate against ``schema`` (empty when it does)."""
    try:
        value = json.loads(body)
    except ValueError:
        return [f"not JSON: {body[:80]!r}"]
    validator = jsonschema_rs.validator_for(
        {**schema, "components": components}, validate_formats=True
    )
    return [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(value)]


def response_schema(op: Operation, status: int) -> dict[str, Any] | None:
    declared = op.op["responses"][str(status)]
    content = declared.get("content", {}).get("application/json")
    return None if content is None else content.get("schema", {})


def error_response_schema(components: dict[str, Any]) -> dict[str, Any]:
    return components["schemas"]["ErrorResponse"]  # type: ignore[no-any-return]


def check_own(ops: list[Operation], ex: Exchange) -> list[str]:
    """Problems of one exchange against ipfleet's own document: no deviation allowed."""
    op = match(ops, ex.method, ex.path)
    where = f"{ex.method} {ex.path} -> {ex.status}"
    if op is None:
        if ex.status in (404, 405):  # no such route: still the v3 error shape
            schema = error_response_schema(sendgrid_documents()[0]["components"])
            return [f"{where}: {p}" for p in body_problems(schema, {}, ex.body)]
        return [f"{where}: no such operation"]
    if str(ex.status) not in op.op["responses"]:
        return [f"{where}: status not declared for {op.operation_id}"]
    schema = response_schema(op, ex.status)
    if schema is None:
        return [] if ex.body == b"" else [f"{where}: body {ex.body[:80]!r} where none declared"]
    return [
        f"{where} ({op.operation_id}): {p}" for p in body_problems(schema, op.components, ex.body)
    ]


def check(
    ops: list[Operation], ex: Exchange, deviations: set[Deviation], used: set[Deviation]
) -> list[str] | None:
    """Problems of one exchange against SendGrid's ``ops``: empty when it matches or deviates
    as listed, None when SendGrid has no such operation (an addition, or no route)."""
    op = match(ops, ex.method, ex.path)
    where = f"{ex.method} {ex.path} -> {ex.status}"
    if op is None:
        return None
    if str(ex.status) not in op.op["responses"]:
        dev = _listed(deviations, op.operation_id, ex.status, "status")
        if dev is None:
            return [f"{where}: status not declared for {op.operation_id}"]
        used.add(dev)
        schema = error_response_schema(sendgrid_documents()[0]["components"])
        return [f"{where}: {p}" for p in body_problems(schema, {}, ex.body)]
    schema = response_schema(op, ex.status)
    if schema is None:
        return [] if ex.body == b"" else [f"{where}: body {ex.body[:80]!r} where none declared"]
    problems = body_problems(schema, op.components, ex.body)
    if problems:
        dev = _listed(deviations, op.operation_id, ex.status, "body")
        if dev is None:
            return [f"{where} ({op.operation_id}): {p}" for p in problems]
        used.add(dev)
    return []


def _listed(deviations: set[Deviation], op_id: str, status: int, kind: str) -> Deviation | None:
    for candidate in (Deviation(op_id, status, kind), Deviation("*", status, kind)):
        if candidate in deviations:
            return candidate
    return None


ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|\s*(\d{3})\s*\|\s*(status|body)\s*\|")


def documented_deviations(text: str | None = None) -> set[Deviation]:
    """The deviations table of docs/v3.md."""
    source = DOCS.read_text(encoding="utf-8") if text is None else text
    section = source.split("## Deviations from SendGrid's schema", 1)[1].split("\n## ", 1)[0]
    return {
        Deviation(m.group(1), int(m.group(2)), m.group(3))
        for line in section.splitlines()
        if (m := ROW.match(line))
    }


def sendgrid_problems(method: str, path: str, status: int, body: bytes) -> list[str] | None:
    """Problems of one answer against SendGrid's files, no deviation allowed (None: no
    operation of the files has that path)."""
    ops = [o for doc in sendgrid_documents() for o in operations_of(doc)]
    return check(ops, Exchange(method, path, status, body), set(), set())
