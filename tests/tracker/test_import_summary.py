"""What `waypoint import` tells a person: preset, days, per metric, overlaps in one line
per source pair, the change that undoes it; a file whose every row is rejected exits 2."""

from __future__ import annotations

from pathlib import Path

from tests.clirunner import waypoint
from tests.conftest import EXPORTS


def test_the_summary_names_days_metrics_overlaps_and_the_undo(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert waypoint(db, "init").code == 0
    x = EXPORTS / "x_twitter"
    waypoint(db, "import", str(x / "account_analytics_content_2024-11-21_2025-02-19.csv"))
    result = waypoint(db, "import", str(x / "account_overview_analytics.csv"))
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert "recognised as x_account_overview" in lines[0]
    assert "days 2024-12-31 to 2025-02-18" in lines[0]
    assert any(line.strip().startswith("x.impressions: 50 inserted") for line in lines)
    overlaps = [line for line in lines if line.strip().startswith("overlap:")]
    assert len(overlaps) == 1, overlaps  # one line for the pair, naming every metric
    assert "x.impressions" in overlaps[0] and "x.likes" in overlaps[0]
    undo_line = lines[-1]
    assert "waypoint undo" in undo_line
    change = undo_line.rsplit(" ", 1)[-1].strip("`")
    assert waypoint(db, "undo", change).code == 0
    again = waypoint(db, "values", "x.impressions", "--json").json()
    assert {v["source"] for v in again["values"]} == {"x.content"}


def test_every_row_rejected_exits_2(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    waypoint(db, "init")
    bad = tmp_path / "future.csv"
    bad.write_text("day,metric,value\n2099-01-01,leads,3\n2099-01-02,leads,4\n")
    result = waypoint(db, "import", str(bad))
    assert result.code == 2 and "every row was rejected" in result.err, result
