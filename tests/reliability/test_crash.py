"""kill -9 at a random moment: a plan apply or a restore lands whole or not at all."""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from tests.conftest import SMALL_PLAN
from tests.reliability.helpers import spawn, waypoint

pytestmark = pytest.mark.slow


def kill_at_random(proc, low: float, high: float, seed: int) -> bool:
    """SIGKILL the process group after a random delay; True if it was still running."""
    time.sleep(random.Random(seed).uniform(low, high))
    alive = proc.poll() is None
    if alive:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return alive


def big_plan(n: int) -> str:
    kpis = "\n".join(
        f"      - {{key: k{i}, metric: leads, target: {i + 1}, owner: amy}}" for i in range(n)
    )
    return SMALL_PLAN.replace("    kpis:\n", "    kpis:\n" + kpis + "\n")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_plan_apply_killed_is_all_or_nothing(tmp_path: Path, seed: int) -> None:
    db = tmp_path / "w.duckdb"
    small = tmp_path / "small.yaml"
    small.write_text(SMALL_PLAN)
    assert waypoint(db, "plan", "apply", str(small)).returncode == 0
    old = waypoint(db, "plan", "export").stdout
    big = tmp_path / "big.yaml"
    big.write_text(big_plan(5000).replace("Bueno Realty", "Bueno Realty Grown"))
    proc = spawn(db, "plan", "apply", str(big))
    kill_at_random(proc, 0.5, 3.0, seed)
    after = waypoint(db, "plan", "export")
    assert after.returncode == 0, after.stderr
    if after.stdout != old:
        # The kill came after the commit: everything is there.
        assert "Bueno Realty Grown" in after.stdout
        assert after.stdout.count("- key: k") == 5000
    # Applying again afterwards always converges to the full new plan.
    assert waypoint(db, "plan", "apply", str(big)).returncode == 0
    assert waypoint(db, "plan", "export").stdout.count("- key: k") == 5000


@pytest.mark.parametrize("seed", [4, 5])
def test_restore_killed_is_all_or_nothing(tmp_path: Path, seed: int) -> None:
    source = tmp_path / "source.duckdb"
    assert waypoint(source, "demo", "--as-of", "2026-11-18").returncode == 0
    assert waypoint(source, "backup", str(tmp_path / "b")).returncode == 0
    target = tmp_path / "target.duckdb"
    small = tmp_path / "small.yaml"
    small.write_text(SMALL_PLAN)
    waypoint(target, "plan", "apply", str(small))
    waypoint(target, "log", "leads", "7", "--day", "2026-08-01")
    old = waypoint(target, "plan", "export").stdout
    proc = spawn(target, "restore", str(tmp_path / "b"), "--force")
    kill_at_random(proc, 0.3, 1.5, seed)
    after = waypoint(target, "plan", "export").stdout
    assert after in (old, waypoint(source, "plan", "export").stdout)
    assert waypoint(target, "restore", str(tmp_path / "b"), "--force").returncode == 0
    assert waypoint(target, "plan", "export").stdout == waypoint(source, "plan", "export").stdout


def test_import_killed_is_all_or_nothing_then_exactly_once(tmp_path: Path) -> None:
    from benchmarks.generate import Size, long_csv, plan_yaml

    size = Size("crash", 1_000, 1_500_000)
    db = tmp_path / "w.duckdb"
    plan = tmp_path / "plan.yaml"
    plan.write_text(plan_yaml(size))
    assert waypoint(db, "plan", "apply", str(plan)).returncode == 0
    csv = long_csv(size, tmp_path / "big.csv")
    proc = spawn(db, "import", str(csv))
    killed = kill_at_random(proc, 1.0, 4.0, seed=7)
    from tracker.store import Store

    with Store(db).read() as con:
        stored = con.execute("SELECT count(*) FROM observations").fetchone()[0]
    assert stored in (0, 1_500_000), stored
    result = waypoint(db, "import", str(csv), "--json")
    assert result.returncode == 0, result.stderr
    import json

    data = json.loads(result.stdout)
    assert data["inserted"] + data["unchanged"] == 1_500_000
    with Store(db).read() as con:
        assert con.execute("SELECT count(*) FROM observations").fetchone()[0] == 1_500_000
    assert killed or stored == 1_500_000
