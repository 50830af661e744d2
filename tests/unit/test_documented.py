"""Every error code and every setting is documented, and nothing documented is stale."""

from __future__ import annotations

import re
from pathlib import Path

from ipfleet.config import Settings
from ipfleet.domain.errors import all_error_classes

ROOT = Path(__file__).resolve().parents[2]


def test_every_error_code_is_documented_and_no_other() -> None:
    text = (ROOT / "docs" / "errors.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", text, re.MULTILINE))
    in_code = {cls.code for cls in all_error_classes()}
    assert documented == in_code


def test_error_codes_are_unique() -> None:
    codes = [cls.code for cls in all_error_classes()]
    assert len(codes) == len(set(codes))


def test_every_setting_is_in_the_readme_table() -> None:
    text = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `(IPFLEET_[A-Z0-9_]+)` \|", text, re.MULTILINE))
    in_code = {f"IPFLEET_{name.upper()}" for name in Settings.model_fields}
    assert documented == in_code


def test_readme_starts_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text().splitlines()[:10]
    assert any(line.startswith("make run") for line in head)
    assert any(line.startswith("make test") for line in head)
