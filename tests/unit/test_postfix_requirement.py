"""The real-Postfix tests skip where Postfix cannot run, unless CI requires them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import postfix


def test_without_postfix_the_tests_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postfix, "POSTFIX", Path("/nonexistent/postfix"))
    monkeypatch.delenv(postfix.REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        postfix.skip_or_fail_without_postfix()


def test_without_postfix_the_tests_fail_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postfix, "POSTFIX", Path("/nonexistent/postfix"))
    monkeypatch.setenv(postfix.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="IPFLEET_TEST_REQUIRE_POSTFIX is set"):
        postfix.skip_or_fail_without_postfix()
