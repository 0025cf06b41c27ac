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


def test_a_file_without_rows_exits_2(tmp_path: Path) -> None:
    # DESIGN: "exit 2 when nothing could be imported"; a header alone holds nothing
    db = tmp_path / "w.duckdb"
    waypoint(db, "init")
    waypoint(db, "plan", "apply", str(_plan(tmp_path)))
    for name, text in (("long.csv", "day,metric,value\n"), ("wide.csv", "day,leads\n")):
        path = tmp_path / name
        path.write_text(text)
        result = waypoint(db, "import", str(path))
        assert result.code == 2 and f"{name}: it holds no values" in result.err, result


def test_each_reject_names_its_column_and_counts_against_its_metric(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    waypoint(db, "init")
    waypoint(db, "plan", "apply", str(_plan(tmp_path)))
    long = tmp_path / "long.csv"
    long.write_text(
        "day,metric,value\n2026-11-03,leads,1\n2099-11-03,leads,1\n1960-01-01,leads,2\n"
        "2026-11-04,leads,-3\n2026-11-05,leads,1e300\n2026-11-06,leads,abc\n"
    )
    out = waypoint(db, "import", str(long), "--json").json()["files"][0]
    assert [(r["line"], r["column"]) for r in sorted(out["rejected"], key=lambda r: r["line"])] == [
        (3, "day"),
        (4, "day"),
        (5, "value"),
        (6, "value"),
        (7, "value"),
    ]
    assert out["per_metric"]["leads"] == {
        "inserted": 1,
        "replaced": 0,
        "unchanged": 0,
        "rejected": 5,
    }
    # the wide form has a column per metric and none called metric or value
    wide = tmp_path / "wide.csv"
    wide.write_text("day,leads,posts\n2026-11-10,1,x\n2099-01-01,2,\n")
    out = waypoint(db, "import", str(wide), "--json").json()["files"][0]
    assert sorted((r["line"], r["column"]) for r in out["rejected"]) == [(2, "posts"), (3, "day")]
    assert out["per_metric"]["posts"]["rejected"] == 1


def _plan(tmp_path: Path) -> Path:
    from tests.conftest import SMALL_PLAN

    path = tmp_path / "plan.yaml"
    path.write_text(SMALL_PLAN)
    return path
