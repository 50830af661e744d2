"""The browser tests run against the v2 end-to-end tests' seeded server."""

from __future__ import annotations

from tests.e2e.v2.conftest import server  # noqa: F401  (a fixture)
