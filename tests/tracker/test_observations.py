"""Observations: upsert by (metric, day, source), audit of replaced values, roles, export."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from tracker.auditlog import entries
from tracker.errors import BadInput, NotFound, PermissionDenied
from tracker.models import LOCAL_MANAGER, Actor
from tracker.observations import (
    INCOMING_SCHEMA,
    daily_values,
    export_observations,
    log_value,
    write_observations,
)
from tracker.store import Store

AMY = Actor("amy", "assistant", "Amy")
VIC = Actor("vic", "viewer", "Vic")
RICARDO = Actor("ricardo", "manager", "Ricardo")
DAY = dt.date(2026, 8, 3)


def rows(*items: tuple) -> pa.Table:
    """(line, day, metric, value, source) tuples -> the incoming Arrow table."""
    return pa.table(
        {
            "line": [i[0] for i in items],
            "day": [i[1] for i in items],
            "metric": [i[2] for i in items],
            "value": [i[3] for i in items],
            "source": [i[4] for i in items],
            "recorded_by": [None] * len(items),
            "note": [None] * len(items),
        },
        schema=INCOMING_SCHEMA,
    )


def test_same_key_replaces_and_keeps_old_value_in_audit(plan_store: Store) -> None:
    assert log_value(plan_store, LOCAL_MANAGER, "leads", 3, day=DAY) == "inserted"
    assert log_value(plan_store, LOCAL_MANAGER, "leads", 3, day=DAY) == "unchanged"
    assert log_value(plan_store, LOCAL_MANAGER, "leads", 5, day=DAY) == "replaced"
    assert daily_values(plan_store, "leads") == [(DAY, 5.0)]
    last = entries(plan_store, entity="observation", limit=1)[0]
    assert last.action == "replace"
    assert last.old_value["value"] == 3.0 and last.new_value["value"] == 5.0


def test_flow_sources_add_up_stock_takes_latest(plan_store: Store) -> None:
    log_value(plan_store, LOCAL_MANAGER, "leads", 2, day=DAY, source="crm")
    log_value(plan_store, LOCAL_MANAGER, "leads", 3, day=DAY, source="web")
    log_value(plan_store, LOCAL_MANAGER, "li-followers", 100, day=DAY, source="a")
    log_value(plan_store, LOCAL_MANAGER, "li-followers", 90, day=DAY, source="b")
    assert daily_values(plan_store, "leads") == [(DAY, 5.0)]
    assert daily_values(plan_store, "li-followers") == [(DAY, 90.0)]


def test_bulk_import_twice_is_unchanged(plan_store: Store) -> None:
    batch = rows((2, DAY, "leads", 1.0, "x"), (3, DAY + dt.timedelta(1), "leads", 2.0, "x"))
    first = write_observations(plan_store, LOCAL_MANAGER, batch)
    assert (first.inserted, first.replaced, first.unchanged) == (2, 0, 0)
    again = write_observations(plan_store, LOCAL_MANAGER, batch)
    assert (again.inserted, again.replaced, again.unchanged) == (0, 0, 2)
    newer = rows((2, DAY, "leads", 1.0, "x"), (3, DAY + dt.timedelta(1), "leads", 7.0, "x"))
    third = write_observations(plan_store, LOCAL_MANAGER, newer)
    assert (third.inserted, third.replaced, third.unchanged) == (0, 1, 1)


def test_last_line_wins_within_one_batch(plan_store: Store) -> None:
    batch = rows((2, DAY, "leads", 1.0, "x"), (9, DAY, "leads", 4.0, "x"))
    result = write_observations(plan_store, LOCAL_MANAGER, batch)
    assert result.inserted == 1
    assert daily_values(plan_store, "leads") == [(DAY, 4.0)]


def test_unknown_metric_rows_are_rejected_others_kept(plan_store: Store) -> None:
    batch = rows(
        (2, DAY, "leads", 1.0, "x"),
        (3, DAY, "leadz", 2.0, "x"),
        (4, DAY, "posts", float("nan"), "x"),
    )
    result = write_observations(plan_store, LOCAL_MANAGER, batch)
    assert result.inserted == 1
    reasons = {(p.line, p.reason.split(";")[0]) for p in result.rejected}
    assert (3, "unknown metric 'leadz'") in reasons
    assert any(p.line == 4 and "finite" in p.reason for p in result.rejected)


def test_dry_run_writes_nothing(plan_store: Store) -> None:
    result = write_observations(
        plan_store, LOCAL_MANAGER, rows((2, DAY, "leads", 1.0, "x")), dry_run=True
    )
    assert result.inserted == 1 and result.dry_run
    assert daily_values(plan_store, "leads") == []


def test_viewer_may_not_log(plan_store: Store) -> None:
    with pytest.raises(PermissionDenied):
        log_value(plan_store, VIC, "leads", 1, day=DAY)
    with pytest.raises(PermissionDenied):
        write_observations(plan_store, VIC, rows((2, DAY, "leads", 1.0, "x")))
    assert daily_values(plan_store, "leads") == []


def test_assistant_logs_own_metrics_only(plan_store: Store) -> None:
    # amy owns leads-h2 (leads) and weekly-posts (posts); the li-answers campaign is on linkedin.
    assert log_value(plan_store, AMY, "leads", 1, day=DAY) == "inserted"
    assert log_value(plan_store, AMY, "li-followers", 10, day=DAY) == "inserted"
    assert log_value(plan_store, AMY, "hours", 2, day=DAY, by="amy") == "inserted"
    with pytest.raises(PermissionDenied):
        log_value(plan_store, AMY, "hours", 2, day=DAY, by="ricardo")


def test_assistant_outside_assignment_is_refused(plan_store: Store) -> None:
    from tests.conftest import SMALL_PLAN
    from tracker.plan import apply_plan_text

    plan = SMALL_PLAN.replace(
        "  - {key: hours,",
        "  - {key: fb-fans, name: Fans, channel: tiktok, class: reach, behaviour: stock}\n"
        "  - {key: hours,",
    )
    apply_plan_text(plan_store, plan, LOCAL_MANAGER)
    with pytest.raises(PermissionDenied):
        log_value(plan_store, AMY, "fb-fans", 1, day=DAY)
    result = write_observations(plan_store, AMY, rows((2, DAY, "fb-fans", 1.0, "x")))
    assert result.inserted == 0 and "not assigned" in result.rejected[0].reason


def test_bad_values_and_names(plan_store: Store) -> None:
    with pytest.raises(BadInput):
        log_value(plan_store, LOCAL_MANAGER, "leads", float("inf"), day=DAY)
    with pytest.raises(NotFound):
        log_value(plan_store, LOCAL_MANAGER, "nope", 1, day=DAY)
    with pytest.raises(NotFound):
        log_value(plan_store, LOCAL_MANAGER, "leads", 1, day=DAY, by="ghost")


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_neutralises_formulas(plan_store: Store, tmp_path: Path, fmt: str) -> None:
    log_value(plan_store, LOCAL_MANAGER, "leads", -3, day=DAY, note='=HYPERLINK("x")')
    log_value(plan_store, LOCAL_MANAGER, "posts", 2, day=DAY, note="@SUM(A1)", source="+src")
    out = tmp_path / f"obs.{fmt}"
    assert export_observations(plan_store, out, fmt) == 2
    if fmt == "csv":
        with out.open() as fh:
            data = list(csv.DictReader(fh))
        assert {r["note"] for r in data} == {'\'=HYPERLINK("x")', "'@SUM(A1)"}
        assert {r["source"] for r in data} == {"manual", "'+src"}
        assert {r["value"] for r in data} == {"-3.0", "2.0"}
    elif fmt == "xlsx":
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
        assert sheet[0] == [
            "day",
            "metric",
            "value",
            "source",
            "recorded_by",
            "recorded_at",
            "note",
        ]
        notes = {r[6] for r in sheet[1:]}
        assert notes == {'\'=HYPERLINK("x")', "'@SUM(A1)"}
        assert {r[2] for r in sheet[1:]} == {-3.0, 2.0}
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(out)
        assert set(table.column("note").to_pylist()) == {'=HYPERLINK("x")', "@SUM(A1)"}
