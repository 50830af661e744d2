"""The lock files pin every dependency pyproject.toml declares, inside its range.

`make run` and `make test` install ipfleet with ``--no-deps`` from the locks, so a
dependency added to pyproject.toml without `make lock` would be missing, not installed.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", re.MULTILINE)


def _pins(lock: str) -> dict[str, Version]:
    text = (ROOT / "requirements" / lock).read_text()
    return {canonicalize_name(name): Version(v) for name, v in PIN.findall(text)}


def _declared(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"])
    for extra in extras:
        declared += project["optional-dependencies"][extra]
    return [Requirement(r) for r in declared]


@pytest.mark.parametrize(
    ("lock", "extras"), [("run.lock", ("postgres",)), ("dev.lock", ("postgres", "dev"))]
)
def test_lock_pins_every_declared_dependency(lock: str, extras: tuple[str, ...]) -> None:
    pins = _pins(lock)
    for req in _declared(*extras):
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in requirements/{lock}: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"requirements/{lock} pins {name}=={pins[name]}, outside {req}: run `make lock`"
        )


def test_run_lock_agrees_with_dev_lock() -> None:
    """`make run` in a dev virtualenv must not change any version `make test` installed."""
    run, dev = _pins("run.lock"), _pins("dev.lock")
    assert {name: dev.get(name) for name in run} == run
