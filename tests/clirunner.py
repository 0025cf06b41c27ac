"""Run the `waypoint` command line in process (click's CliRunner): fast, and the same
code path, exit codes and messages as the installed command."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tracker.cli import cli


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def waypoint(db: Path | str, *args: str, input: str | None = None, env: dict | None = None) -> Run:
    """``waypoint --db DB ARGS...``; stdin is not a terminal (as in CI)."""
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(db), *args], input=input, env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result.exit_code, result.stdout, result.stderr)
