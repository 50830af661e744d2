"""The in-process dashboard tests use the v2 tests' seeded world and clients."""

from __future__ import annotations

from tests.api.v2.conftest import client, world  # noqa: F401  (fixtures)
