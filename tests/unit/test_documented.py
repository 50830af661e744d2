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


V2_SECTION = re.compile(r"^## (\d+)\. ", re.MULTILINE)
# "docs/v2.md §4", "docs/v2.md §4-5", "docs/v2.md §3, §5"
V2_CITATION = re.compile(r"docs/v2\.md((?:,? §\d+(?:-\d+)?)+)")


def _cited_v2_sections() -> dict[int, list[str]]:
    """Every section number of docs/v2.md cited in src/, tests/ and the docs, and where."""
    files = [
        *(ROOT / "src").rglob("*.py"),
        *(ROOT / "tests").rglob("*.py"),
        *(ROOT / "docs").glob("*.md"),
        ROOT / "README.md",
    ]
    cited: dict[int, list[str]] = {}
    for path in files:
        if "node_modules" in path.parts:
            continue  # the Node SDK test's npm install, not ours
        for match in V2_CITATION.finditer(path.read_text()):
            for first, last in re.findall(r"§(\d+)(?:-(\d+))?", match.group(1)):
                for number in range(int(first), int(last or first) + 1):
                    cited.setdefault(number, []).append(str(path.relative_to(ROOT)))
    return cited


def test_docs_v2_sections_are_numbered_one_to_n() -> None:
    """The numbering is what citations rely on: 1, 2, 3, ... with no gap or repeat."""
    numbers = [int(n) for n in V2_SECTION.findall((ROOT / "docs" / "v2.md").read_text())]
    assert numbers == list(range(1, len(numbers) + 1))
    assert len(numbers) >= 10


def test_every_cited_v2_section_exists() -> None:
    sections = set(map(int, V2_SECTION.findall((ROOT / "docs" / "v2.md").read_text())))
    cited = _cited_v2_sections()
    assert cited, "no citation of docs/v2.md found: the pattern is out of date"
    dangling = {n: where for n, where in cited.items() if n not in sections}
    assert not dangling


def test_every_served_v2_call_is_in_docs_v2() -> None:
    """The other way round: each call the v2 app answers is described in docs/v2.md."""
    from ipfleet.api.v2.calls import CALLS

    described: set[str] = set()
    for line in (ROOT / "docs" / "v2.md").read_text().splitlines():
        # a section heading, or the first cell of a table row
        head = line if line.startswith("#") else line[1:].split("|")[0] if line[:1] == "|" else ""
        described.update(re.findall(r"`([a-z]+\.[a-z_]+)`", head))
    assert set(CALLS) <= described, set(CALLS) - described
