"""Run the real `ipfleet` console script against one database, and read what it says."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def console_script() -> str:
    """The installed `ipfleet` next to this interpreter, else the one on PATH."""
    found = shutil.which("ipfleet", path=str(Path(sys.executable).parent)) or shutil.which(
        "ipfleet"
    )
    assert found, "the ipfleet console script is not installed"
    return found


@dataclass(frozen=True)
class Result:
    args: tuple[str, ...]
    status: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        assert self.status == 0, self
        return json.loads(self.stdout)

    def error_line(self) -> str:
        """The one-line error of a failed command (and check it is just that)."""
        assert self.status != 0, self
        assert "Traceback" not in self.stderr, self.stderr
        assert self.stdout == "", self.stdout
        lines = self.stderr.splitlines()
        assert len(lines) == 1, self.stderr
        assert lines[0].startswith("error: "), self.stderr
        return lines[0]


class Ipfleet:
    """`ipfleet ...` with IPFLEET_DATABASE_URL set to one database."""

    def __init__(self, database_url: str, cwd: Path) -> None:
        self.database_url = database_url
        self.cwd = cwd
        self.script = console_script()

    def __call__(self, *args: str) -> Result:
        env = dict(os.environ, IPFLEET_DATABASE_URL=self.database_url, COLUMNS="200")
        done = subprocess.run(
            [self.script, *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=self.cwd,
            timeout=120,
            check=False,
        )
        return Result(tuple(args), done.returncode, done.stdout, done.stderr)

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.status == 0, result
        assert result.stderr == "", result.stderr
        return result

    def json(self, *args: str) -> Any:
        """Run with --json; the output must parse."""
        return self.ok(*args, "--json").json()


def run_cli(db_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The real ``ipfleet`` console script on ``db_url`` (safe to call from several threads)."""
    env = {**os.environ, "IPFLEET_DATABASE_URL": db_url, "COLUMNS": "200"}
    return subprocess.run(
        [console_script(), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def cli_error(result: subprocess.CompletedProcess[str]) -> str:
    """The one-line error of a failed command (checked to be one line, no traceback)."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0].removeprefix("error: ")
