"""The rules applied to one KPI's row (tracker/progress_rules.py), and the row's shape.

The rules end to end (a plan, values, `compute_progress`) are tested in
test_progress.py and cross-checked against a plain-Python reading of DESIGN.md in
test_progress_properties.py; these tests pin what only the row-level code can get
wrong: comparing at 9 decimals as DuckDB's round did, and the statement's columns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.progress import KpiProgress, _kpi_progress
from tracker.progress_rules import ROW_FIELDS, SIDE_FIELDS, judge, kpi_rows, round9
from tracker.progress_sql import PROGRESS_QUERY
from tracker.store import Store

D = dt.date(2026, 1, 11)
START = dt.date(2026, 1, 1)
DEADLINE = dt.date(2026, 1, 31)  # 30 days: D is a third of the way


def row(**given_fields: Any) -> tuple[Any, ...]:
    fields: dict[str, Any] = dict.fromkeys(ROW_FIELDS)
    fields.update(kpi="k", objective="o", metric="leads", aggregation="sum", start=START,
                  deadline=DEADLINE, target=30.0, n_in=0)  # fmt: skip
    fields.update(given_fields)
    return tuple(fields[name] for name in ROW_FIELDS)


def result(**given_fields: Any) -> dict[str, Any]:
    closed = given_fields.pop("closed", False)
    as_of = given_fields.pop("as_of", D)
    return vars(KpiProgress(*judge(row(**given_fields), as_of, 0.9, 0.7, closed)))


_duck = duckdb.connect()


def duckdb_round9(x: float) -> float:
    (rounded,) = _duck.execute("SELECT round(?::DOUBLE, 9)", [x]).fetchall()[0]
    return rounded


@given(
    # progress and pace (and any number near a threshold) are far below a million; past
    # 2**52 DuckDB's product loses digits and round9 keeps the number whole
    st.floats(min_value=-1e6, max_value=1e6)
    | st.decimals(-(10**7), 10**7, places=10).map(float)  # many near a half at 9 decimals
    | st.integers(-(10**16), 10**16).map(lambda n: n / 2e9)  # halves, exactly or nearly
)
def test_round9_agrees_with_duckdbs_round(x: float) -> None:
    # the rules were SQL before; a status must not move because they moved to Python
    assert round9(x) == duckdb_round9(x)


def test_round9_decides_a_half_on_the_exact_value() -> None:
    # 70369.2437905015 is 70369.24379050149582... in binary: x * 1e9 ends in .5 exactly
    assert round9(70369.2437905015) == duckdb_round9(70369.2437905015) == 70369.243790501
    assert round9(2.0**53) == 2.0**53 and round9(float("inf")) == float("inf")
    assert round9(0.8999999999999999) == 0.9 and round9(-2.5e-9) == duckdb_round9(-2.5e-9)


def test_a_pace_that_reads_0_9_is_on_track() -> None:
    # 9 of 50 leads a fifth of the way through: progress 0.18, pace 0.8999999999999999
    on_day_7 = {"as_of": dt.date(2026, 1, 7), "target": 50.0, "n_in": 6, "n_days": 7}
    got = result(**on_day_7, w_sum=9.0, recent_sum=9.0)
    assert got["pace"] < 0.9 and round9(got["pace"]) == 0.9
    assert got["status"] == "on_track"
    assert result(**on_day_7, w_sum=8.9, recent_sum=8.9)["status"] == "at_risk"


def test_sum_forecast_and_weekly_need() -> None:
    got = result(n_in=10, w_sum=10.0, recent_sum=10.0, n_days=11)
    assert got["days_left"] == 20
    assert got["forecast"] == 10.0 + 10.0 / 11 * 20
    assert got["forecast_status"] == "will_miss"
    assert got["needed_per_week"] == 20.0 / (20 / 7.0)


def test_a_zero_denominator_gives_no_value_not_an_error() -> None:
    got = result(aggregation="ratio", metric="leads/clicks", num_value=3.0, den_value=0.0)
    assert got["current"] is None and got["status"] == "no_data"
    assert got["forecast"] is None and got["needed_per_week"] is None
    assert got["baseline"] == 0.0 and got["expected"] == 10 / 30


def test_a_recurring_period_closed_without_a_value_is_missed() -> None:
    week = {"per": "week", "start": dt.date(2026, 1, 5), "deadline": D}
    assert result(**week, as_of=D)["status"] == "no_data"  # its last day is not over
    got = result(**week, as_of=D, closed=True)
    assert got["current"] == 0.0 and got["status"] == "missed" and got["days_left"] == 0


def test_a_health_kpi_is_held_within_a_billionth_of_its_target() -> None:
    got = result(aggregation="mean", stay="below", target=0.2, n_in=3, w_sum=0.6000000000000001)
    assert got["current"] > 0.2 and got["status"] == "on_track"
    assert got["progress"] is None and got["forecast"] is None and got["baseline"] is None


def test_a_target_below_the_baseline_aims_down() -> None:
    got = result(aggregation="latest", target=10.0, n_in=5, w_sum=80.0, latest=12.0,
                 before_start=20.0, at_deadline=9.0, n_days=11)  # fmt: skip
    assert got["baseline"] == 20.0 and got["progress"] == 0.8
    assert got["forecast"] == 9.0 and got["forecast_status"] == "will_hit"


def test_the_statement_gives_the_columns_the_rules_read(tmp_path: Path) -> None:
    store = Store(tmp_path / "w.duckdb")
    store.init()
    with store.read() as con:
        cursor = con.execute(PROGRESS_QUERY, {"d": D, "only": None, "kpi": None})
        assert tuple(c[0] for c in cursor.description) == SIDE_FIELDS


def test_a_kpi_built_for_a_report_is_the_dataclass_its_init_builds() -> None:
    # compute_progress fills the instance's __dict__ rather than calling the frozen
    # __init__ (docs/performance.md); the cached report is shared, so it must stay frozen
    values = list(judge(row(n_in=10, w_sum=12.0, last_day=D), D, 0.9, 0.7, False))
    built = _kpi_progress(values)
    assert built == KpiProgress(*values)
    assert repr(built) == repr(KpiProgress(*values))
    assert hash(built) == hash(KpiProgress(*values))
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.status = "achieved"  # type: ignore[misc]
    with pytest.raises(ValueError):  # a field too few is an error, not a missing attribute
        _kpi_progress(values[:-1])


def side(kpi: str, kind: str, **given_fields: Any) -> tuple[Any, ...]:
    fields: dict[str, Any] = dict.fromkeys(SIDE_FIELDS)
    fields.update(kpi=kpi, objective="o", aggregation="ratio", side=kind, wstart=START,
                  wend=D, wdeadline=DEADLINE, numerator="leads", denominator="clicks")  # fmt: skip
    fields.update(given_fields)
    return tuple(fields[name] for name in SIDE_FIELDS)


def test_a_ratios_sides_come_together_by_their_behaviour() -> None:
    rows = list(
        kpi_rows(
            [
                side("r", "value"),
                side(
                    "r",
                    "num",
                    behaviour="flow",
                    w_sum=5.0,
                    latest=3.0,
                    unit="USD",
                    first_day=D,
                    last_day=D,
                ),
                side(
                    "r",
                    "den",
                    behaviour="stock",
                    w_sum=99.0,
                    latest=20.0,
                    first_day=START,
                    last_day=START,
                ),
                side(
                    "next",
                    "value",
                    aggregation="sum",
                    metric="leads",
                    numerator=None,
                    denominator=None,
                ),
            ],  # fmt: skip
            "EUR",
        )
    )
    got = [dict(zip(ROW_FIELDS, r, strict=True)) for r in rows]
    assert [g["kpi"] for g in got] == ["r", "next"]
    assert got[0]["metric"] == "leads/clicks" and got[0]["unit"] == "USD"
    assert (got[0]["num_value"], got[0]["den_value"]) == (
        5.0,
        20.0,
    )  # a flow's sum, a stock's level
    assert got[0]["last_day"] == D and got[1]["num_value"] is None


def test_a_side_out_of_its_kpis_order_is_an_error_not_another_kpis() -> None:
    with pytest.raises(ValueError, match="came before its value"):
        list(kpi_rows([side("r", "value"), side("s", "num")], "USD"))
