"""The command line as a user runs it: real processes, exit codes, stderr messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SMALL_PLAN


def waypoint(
    db: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tracker.cli", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(SMALL_PLAN)
    return path


def test_init_then_plan_apply_export_round_trip(tmp_path: Path, plan_file: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert waypoint(db, "init").returncode == 0
    assert waypoint(db, "init").returncode == 0
    applied = waypoint(db, "plan", "apply", str(plan_file))
    assert applied.returncode == 0, applied.stderr
    exported = tmp_path / "export.yaml"
    assert waypoint(db, "plan", "export", "--out", str(exported)).returncode == 0
    again = waypoint(db, "plan", "apply", str(exported))
    assert "0 created, 0 updated, 0 archived" in again.stdout
    assert waypoint(db, "plan", "export").stdout == exported.read_text()


def test_unknown_metric_exits_2_names_kpi_changes_nothing(tmp_path: Path, plan_file: Path) -> None:
    db = tmp_path / "w.duckdb"
    waypoint(db, "plan", "apply", str(plan_file))
    before = waypoint(db, "plan", "export").stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        SMALL_PLAN.replace("metric: leads, aggregation", "metric: leadz, aggregation")
    )
    result = waypoint(db, "plan", "apply", str(broken))
    assert result.returncode == 2
    assert "kpis[leads-h2].metric" in result.stderr and "leadz" in result.stderr
    assert "Traceback" not in result.stderr
    assert waypoint(db, "plan", "export").stdout == before


def test_log_and_roles_through_as(tmp_path: Path, plan_file: Path) -> None:
    db = tmp_path / "w.duckdb"
    waypoint(db, "plan", "apply", str(plan_file))
    ok = waypoint(db, "log", "leads", "4", "--day", "2026-08-01", "--as", "amy")
    assert ok.returncode == 0 and "inserted" in ok.stdout
    viewer = waypoint(db, "log", "leads", "4", "--day", "2026-08-01", "--as", "vic")
    assert viewer.returncode == 2 and "viewer" in viewer.stderr
    target = tmp_path / "t.yaml"
    target.write_text(SMALL_PLAN.replace("target: 60", "target: 1"))
    refused = waypoint(db, "plan", "apply", str(target), "--as", "amy")
    assert refused.returncode == 2 and "only a manager" in refused.stderr
    assert "target: 60" in waypoint(db, "plan", "export").stdout
    unknown = waypoint(db, "log", "leads", "4", "--as", "nobody")
    assert unknown.returncode == 2 and "nobody" in unknown.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["log", "leads", "abc"], "abc"),
        (["log", "leads", "1", "--day", "2026-13-01"], "--day"),
        (["log", "nope", "1"], "unknown metric 'nope'"),
        (["plan", "apply", "missing.yaml"], "no such file"),
        (["status", "--as-of", "yesterday"], "--as-of"),
    ],
)
def test_bad_input_exits_2_with_message(
    tmp_path: Path, plan_file: Path, args: list[str], fragment: str
) -> None:
    db = tmp_path / "w.duckdb"
    waypoint(db, "plan", "apply", str(plan_file))
    result = waypoint(db, *args)
    assert result.returncode == 2, result
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_audit_log_json_is_one_document(tmp_path: Path, plan_file: Path) -> None:
    db = tmp_path / "w.duckdb"
    waypoint(db, "plan", "apply", str(plan_file))
    waypoint(db, "log", "leads", "4", "--day", "2026-08-01")
    waypoint(db, "log", "leads", "5", "--day", "2026-08-01")
    data = json.loads(waypoint(db, "audit-log", "--json").stdout)
    assert data["entries"][0]["action"] == "replace"
    assert data["entries"][0]["old"]["value"] == 4.0
    assert data["entries"][0]["new"]["value"] == 5.0


def test_db_from_environment(tmp_path: Path) -> None:
    db = tmp_path / "env.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "tracker.cli", "init"],
        capture_output=True,
        text=True,
        env={**os.environ, "WAYPOINT_DB": str(db)},
    )
    assert result.returncode == 0 and db.exists()


def test_every_command_has_help_and_docs() -> None:
    from tracker.cli import COMMANDS

    docs = (Path(__file__).parents[2] / "docs" / "cli.md").read_text()
    for name in COMMANDS:
        result = subprocess.run(
            [sys.executable, "-m", "tracker.cli", name, "--help"], capture_output=True, text=True
        )
        assert result.returncode == 0, (name, result.stderr)
        assert f"`waypoint {name}" in docs, f"docs/cli.md does not document {name}"
