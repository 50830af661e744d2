"""The layers point down only: domain uses nothing, services and store no api or cli."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import ipfleet

PACKAGE = Path(ipfleet.__file__).parent
HEAVY = ("sqlalchemy", "litestar", "typer", "alembic", "pydantic", "pydantic_settings")
ALSO_NOT = ("msgspec", "granian", "rich", "psycopg", "click", "starlette", "httpx")


def modules_of(layer: str) -> list[Path]:
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files, f"no modules under {layer}/"
    return files


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(
        ".__init__"
    )


def imported_names(source: str, package: str) -> Iterator[tuple[int, str]]:
    """(line, absolute dotted name) of everything imported, nested imports included.

    ``from a.b import c`` yields ``a.b.c`` (a submodule or a name of ``a.b``), so a check
    on a prefix catches ``from ipfleet import store`` as surely as ``import ipfleet.store``.
    """
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, node.module] if node.module else parts)
            else:
                base = node.module or ""
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    return imported_names(path.read_text(encoding="utf-8"), package)


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def forbidden_imports(layer: str, banned: list[str]) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE)}:{line} imports {name}"
        for path in modules_of(layer)
        for line, name in imports_of(path)
        if any(under(name, b) for b in banned)
    ]


def test_importing_the_domain_loads_no_web_database_or_cli_module() -> None:
    names = [module_name(p) for p in modules_of("domain")]
    script = (
        "import importlib, json, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    loaded: list[str] = json.loads(done.stdout)
    assert "ipfleet.domain.addresses" in loaded  # the check imported what it meant to
    assert [m for m in loaded if any(under(m, h) for h in (*HEAVY, *ALSO_NOT))] == []
    assert [m for m in loaded if under(m, "ipfleet") and not under(m, "ipfleet.domain")] == [
        "ipfleet"
    ]


def test_loading_the_cli_loads_no_prometheus_client() -> None:
    """prometheus-client picks its mode (per process or multiprocess) when first imported;
    ``ipfleet serve`` sets the multiprocess directory after the CLI has loaded, so nothing
    the CLI loads may import it first (else every worker counts only for itself)."""
    script = "import sys, ipfleet.cli.main\nprint('prometheus_client' in sys.modules)\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    problems = [
        f"{path.relative_to(PACKAGE)}:{line} imports {name}"
        for path in modules_of("domain")
        for line, name in imports_of(path)
        if not under(name, "ipfleet.domain")
        and name.split(".")[0] not in sys.stdlib_module_names
        and name.split(".")[0] != "__future__"
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("layer", "banned"),
    [
        ("domain", ["ipfleet.store", "ipfleet.services", "ipfleet.api", "ipfleet.cli"]),
        ("services", ["ipfleet.api", "ipfleet.cli", "ipfleet.web"]),
        ("store", ["ipfleet.api", "ipfleet.cli", "ipfleet.web", "ipfleet.services"]),
        # the data-plane adapters call services and know no HTTP
        ("mta", ["ipfleet.api", "ipfleet.cli", "ipfleet.web", "litestar", "httpx"]),
    ],
)
def test_layers_do_not_import_upwards(layer: str, banned: list[str]) -> None:
    assert forbidden_imports(layer, banned) == []


def test_the_dashboard_reaches_the_database_only_through_services() -> None:
    """web/ holds no SQL and no second path to the data: it may pass the ``Database``
    handle on (as the APIs do), and otherwise calls services. It imports nothing of the
    APIs either: they sit beside it (the app that mounts both is above them)."""
    banned = ["sqlalchemy", "ipfleet.cli", "ipfleet.api"]
    assert forbidden_imports("web", banned) == []
    store = [
        f"{path.relative_to(PACKAGE)}:{line} imports {name}"
        for path in modules_of("web")
        for line, name in imports_of(path)
        if under(name, "ipfleet.store") and name != "ipfleet.store.uow.Database"
    ]
    assert store == []


def test_the_import_scanner_finds_every_kind_of_import() -> None:
    """So that the checks above can fail: nested, relative and from-package imports."""
    source = (
        "import os.path\n"
        "from . import sibling\n"
        "from ..store import tables\n"
        "from ipfleet import cli\n"
        "def f():\n"
        "    import sqlalchemy\n"
    )
    names = [name for _, name in imported_names(source, "ipfleet.domain")]
    assert names == [
        "os.path",
        "ipfleet.domain.sibling",
        "ipfleet.store.tables",
        "ipfleet.cli",
        "sqlalchemy",
    ]
    # and on the real tree: the CLI does call services, and imports granian lazily
    assert forbidden_imports("cli", ["ipfleet.services"]) != []
    assert forbidden_imports("cli", ["granian"]) != []
