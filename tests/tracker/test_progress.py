"""The progress rules of DESIGN.md, one test per rule and edge."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyarrow as pa
import pytest
import yaml

from tracker.observations import incoming_schema, write_observations
from tracker.plan import apply_plan_text
from tracker.progress import compute_progress, kpi_series, period_history, rollup, streak
from tracker.records import LOCAL_MANAGER
from tracker.store import Store

START = dt.date(2026, 1, 1)
DEADLINE = dt.date(2026, 1, 31)  # 30 days after start

METRICS = [
    {"key": "leads", "name": "Leads", "class": "outcome", "behaviour": "flow", "channel": "web"},
    {"key": "fans", "name": "Fans", "class": "reach", "behaviour": "stock", "channel": "fb"},
    {"key": "cost", "name": "Cost", "class": "effort", "behaviour": "flow"},
    {"key": "reply", "name": "Reply hours", "class": "activity", "behaviour": "stock"},
    {"key": "clicks", "name": "Clicks", "class": "engagement", "behaviour": "flow"},
]


def make(store: Store, *kpis: dict[str, Any], settings: dict | None = None) -> Store:
    plan = {
        "workspace": {"name": "T", "timezone": "UTC"},
        "people": [{"key": "ann", "name": "Ann", "role": "manager"}],
        "metrics": METRICS,
        "objectives": [
            {
                "key": "obj",
                "title": "Objective",
                "outcome": "leads",
                "start": START,
                "deadline": DEADLINE,
                "owner": "ann",
                "kpis": [{"owner": "ann", **k} for k in kpis],
            }
        ],
    }
    if settings:
        plan["settings"] = settings
    apply_plan_text(store, yaml.safe_dump(plan), LOCAL_MANAGER)
    return store


def log(store: Store, metric: str, values: dict[dt.date, float], source: str = "s") -> None:
    days = list(values)
    table = pa.table(
        {
            "line": list(range(len(days))),
            "day": days,
            "metric": [metric] * len(days),
            "value": [float(values[d]) for d in days],
            "source": [source] * len(days),
            "recorded_by": [None] * len(days),
            "note": [None] * len(days),
        },
        schema=incoming_schema(),
    )
    write_observations(store, LOCAL_MANAGER, table)


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def status(store: Store, as_of: dt.date, kpi: str = "k"):
    return compute_progress(store, as_of).kpi(kpi)


# -- current by aggregation ------------------------------------------------------------
def test_sum_adds_daily_values_in_window_only(store: Store) -> None:
    make(store, {"key": "k", "metric": "leads", "target": 100})
    log(store, "leads", {day(-3): 50, day(0): 10, day(5): 20, day(40): 99})
    k = status(store, day(10))
    assert k.current == 30 and k.baseline == 0
    assert k.progress == pytest.approx(0.3)
    assert k.expected == pytest.approx(10 / 30)
    assert k.pace == pytest.approx(0.3 / (10 / 30))
    assert k.last_day == day(5)


def test_flow_sources_add_up(store: Store) -> None:
    make(store, {"key": "k", "metric": "leads", "target": 100})
    log(store, "leads", {day(1): 4}, source="crm")
    log(store, "leads", {day(1): 6}, source="web")
    assert status(store, day(2)).current == 10


def test_latest_takes_last_day_and_latest_recorded_source(store: Store) -> None:
    make(store, {"key": "k", "metric": "fans", "target": 200})
    log(store, "fans", {day(-5): 100, day(3): 120, day(6): 130})
    log(store, "fans", {day(6): 128}, source="later")  # recorded after: wins on day 6
    k = status(store, day(10))
    assert k.aggregation == "latest"
    assert k.current == 128
    assert k.baseline == 100  # latest on or before start
    assert k.progress == pytest.approx(28 / 100)


def test_latest_baseline_falls_back_to_first_value_in_window(store: Store) -> None:
    make(store, {"key": "k", "metric": "fans", "target": 200})
    log(store, "fans", {day(2): 110, day(6): 150})
    assert status(store, day(10)).baseline == 110


def test_mean_skips_days_without_values(store: Store) -> None:
    make(store, {"key": "k", "metric": "reply", "aggregation": "mean", "baseline": 10, "target": 2})
    log(store, "reply", {day(1): 6, day(9): 4})
    k = status(store, day(10))
    assert k.current == 5  # (6 + 4) / 2, not / 10
    assert k.progress == pytest.approx((5 - 10) / (2 - 10))
    assert k.forecast == 5  # means are not projected


def test_ratio_is_sum_over_sum(store: Store) -> None:
    make(
        store, {"key": "k", "ratio": {"numerator": "leads", "denominator": "clicks"}, "target": 0.5}
    )
    log(store, "leads", {day(1): 2, day(2): 3})
    log(store, "clicks", {day(1): 10, day(2): 15})
    k = status(store, day(10))
    assert k.current == pytest.approx(5 / 25)
    assert k.metric == "leads/clicks"
    assert k.forecast == k.current


def test_ratio_flow_over_stock_uses_latest_denominator(store: Store) -> None:
    make(store, {"key": "k", "ratio": {"numerator": "leads", "denominator": "fans"}, "target": 0.1})
    log(store, "leads", {day(1): 2, day(2): 3})
    log(store, "fans", {day(1): 40, day(2): 50})
    assert status(store, day(10)).current == pytest.approx(5 / 50)


def test_zero_denominator_gives_null_not_error(store: Store) -> None:
    make(
        store, {"key": "k", "ratio": {"numerator": "leads", "denominator": "clicks"}, "target": 0.5}
    )
    log(store, "leads", {day(1): 2})
    log(store, "clicks", {day(1): 0})
    k = status(store, day(10))
    assert k.current is None and k.status == "no_data"
    assert k.progress is None and k.pace is None and k.forecast is None
    assert k.forecast_status is None and k.needed_per_week is None
    assert k.baseline == 0 and k.expected == pytest.approx(10 / 30)


# -- windows and statuses --------------------------------------------------------------
def test_window_before_start_is_no_data(store: Store) -> None:
    make(store, {"key": "k", "metric": "leads", "target": 10})
    log(store, "leads", {day(-2): 5})
    k = status(store, day(-1))
    assert k.status == "no_data" and k.expected == 0 and k.current is None


def test_after_deadline_window_ends_at_deadline_and_missed(store: Store) -> None:
    make(store, {"key": "k", "metric": "leads", "target": 100})
    log(store, "leads", {day(5): 40, day(45): 500})
    k = status(store, day(50))
    assert k.current == 40 and k.status == "missed" and k.expected == 1
    assert k.days_left == 0 and k.forecast == 40
    assert k.needed_per_week is None


def test_achieved_beats_missed(store: Store) -> None:
    make(store, {"key": "k", "metric": "leads", "target": 10})
    log(store, "leads", {day(5): 12})
    assert status(store, day(50)).status == "achieved"


def test_no_target_comes_first(store: Store) -> None:
    make(store, {"key": "k", "metric": "leads"})
    assert status(store, day(5)).status == "no_target"


@pytest.mark.parametrize(
    ("total", "expected_status"),
    [(50, "on_track"), (45, "on_track"), (44, "at_risk"), (35, "at_risk"), (34, "off_track")],
)
def test_pace_thresholds(store: Store, total: float, expected_status: str) -> None:
    make(store, {"key": "k", "metric": "leads", "target": 100})
    log(store, "leads", {day(1): total})
    # day 15 of 30: expected 0.5, so pace = total / 50
    assert status(store, day(15)).status == expected_status


def test_thresholds_are_workspace_settings(store: Store) -> None:
    make(
        store,
        {"key": "k", "metric": "leads", "target": 100},
        settings={"on_track_pace": 0.5, "at_risk_pace": 0.2},
    )
    log(store, "leads", {day(1): 30})  # pace 0.6
    assert status(store, day(15)).status == "on_track"


def test_expected_zero_is_on_track(store: Store) -> None:
    make(store, {"key": "k", "metric": "leads", "target": 100})
    log(store, "leads", {day(0): 1})
    k = status(store, day(0))
    assert k.expected == 0 and k.pace is None and k.status == "on_track"


def test_down_target_cost_per_lead(store: Store) -> None:
    make(
        store,
        {
            "key": "k",
            "ratio": {"numerator": "cost", "denominator": "leads"},
            "baseline": 50,
            "target": 20,
        },
    )
    log(store, "cost", {day(1): 300})
    log(store, "leads", {day(1): 10})
    k = status(store, day(15))  # 30 per lead: progress (30-50)/(20-50) = 2/3
    assert k.progress == pytest.approx(2 / 3)
    assert k.status == "on_track"  # pace 1.33
    assert k.forecast_status == "will_miss"  # a ratio is not projected: 30 > 20
    assert k.needed_per_week == pytest.approx((20 - 30) / (15 / 7))


def test_down_target_reached_is_achieved(store: Store) -> None:
    make(store, {"key": "k", "metric": "reply", "baseline": 10, "target": 4})
    log(store, "reply", {day(3): 3.5})
    k = status(store, day(5))
    assert k.status == "achieved" and k.needed_per_week == 0 and k.forecast_status == "will_hit"


# -- forecast --------------------------------------------------------------------------
def test_sum_forecast_uses_last_28_days_rate(store: Store) -> None:
    make(store, {"key": "k", "metric": "leads", "target": 100, "deadline": "2026-03-01"})
    log(store, "leads", {day(i): 1 for i in range(40)})
    k = status(store, day(39))
    # window 40 days; last 28 days sum 28 -> 1/day; days_left = Mar 1 - Feb 9 = 20
    assert k.days_left == 20
    assert k.forecast == pytest.approx(40 + 1 * 20)
    assert k.forecast_status == "will_miss"
    assert k.needed_per_week == pytest.approx((100 - 40) / (20 / 7))


def test_sum_forecast_short_window_counts_empty_days(store: Store) -> None:
    make(store, {"key": "k", "metric": "leads", "target": 10})
    log(store, "leads", {day(0): 4})
    k = status(store, day(3))  # n = 4 days, 4 leads -> 1/day; 27 days left
    assert k.forecast == pytest.approx(4 + 27)


def test_latest_forecast_is_least_squares_line(store: Store) -> None:
    make(store, {"key": "k", "metric": "fans", "baseline": 100, "target": 200})
    log(store, "fans", {day(0): 100, day(10): 120, day(20): 140})
    k = status(store, day(20))  # slope 2/day, read at day 30
    assert k.forecast == pytest.approx(160)
    assert k.forecast_status == "will_miss"


def test_latest_forecast_with_one_point_is_current(store: Store) -> None:
    make(store, {"key": "k", "metric": "fans", "baseline": 100, "target": 200})
    log(store, "fans", {day(10): 150})
    assert status(store, day(20)).forecast == 150


def test_latest_forecast_uses_last_56_days_only(store: Store) -> None:
    make(
        store,
        {
            "key": "k",
            "metric": "fans",
            "baseline": 0,
            "target": 1000,
            "start": "2025-06-01",
            "deadline": "2026-03-01",
        },
    )
    early = {dt.date(2025, 6, 1) + dt.timedelta(days=i): 0 for i in range(0, 100, 10)}
    recent = {day(-50 + i): 500 + i for i in range(0, 51, 5)}  # slope 1/day
    log(store, "fans", {**early, **recent})
    k = status(store, day(0))
    assert k.forecast == pytest.approx(550 + (dt.date(2026, 3, 1) - day(0)).days, rel=1e-6)


# -- other kinds -------------------------------------------------------------------------
def test_health_kpi_below(store: Store) -> None:
    make(store, {"key": "k", "metric": "reply", "stay": "below", "target": 4})
    log(store, "reply", {day(1): 5, day(2): 4})
    k = status(store, day(3))
    assert k.current == 4 and k.status == "on_track"  # equal counts as right
    for field in (
        "baseline",
        "expected",
        "progress",
        "pace",
        "forecast",
        "forecast_status",
        "needed_per_week",
    ):
        assert getattr(k, field) is None, field
    log(store, "reply", {day(3): 4.5})
    assert status(store, day(3)).status == "off_track"


def test_health_kpi_above_and_no_data(store: Store) -> None:
    make(store, {"key": "k", "metric": "fans", "stay": "above", "target": 100})
    assert status(store, day(3)).status == "no_data"
    log(store, "fans", {day(1): 100})
    assert status(store, day(3)).status == "on_track"


def test_recurring_week_judges_current_period(store: Store) -> None:
    # 2026-01-05 is a Monday.
    make(store, {"key": "k", "metric": "leads", "target": 3, "per": "week"})
    log(store, "leads", {dt.date(2026, 1, 5): 1, dt.date(2026, 1, 6): 1, dt.date(2026, 1, 2): 5})
    k = status(store, dt.date(2026, 1, 8))  # Thursday
    assert (k.start, k.deadline) == (dt.date(2026, 1, 5), dt.date(2026, 1, 11))
    assert k.current == 2
    assert k.expected == pytest.approx(3 / 6)
    assert k.progress == pytest.approx(2 / 3)


def test_recurring_period_straddling_kpi_start(store: Store) -> None:
    # START is Thursday 2026-01-01: the first week runs Thu-Sun.
    make(store, {"key": "k", "metric": "leads", "target": 3, "per": "week"})
    log(store, "leads", {dt.date(2025, 12, 29): 9, dt.date(2026, 1, 2): 1})
    k = status(store, dt.date(2026, 1, 2))
    assert (k.start, k.deadline) == (START, dt.date(2026, 1, 4))
    assert k.current == 1


def test_recurring_history_and_streak(store: Store) -> None:
    make(store, {"key": "k", "metric": "leads", "target": 2, "per": "week"})
    # weeks from Mon 2026-01-05: 2, 1, 3, 2 (the first partial week 1-4 Jan: 0)
    values = {
        dt.date(2026, 1, 5): 2,
        dt.date(2026, 1, 12): 1,
        dt.date(2026, 1, 19): 3,
        dt.date(2026, 1, 26): 2,
    }
    log(store, "leads", values)
    history = period_history(store, "k", dt.date(2026, 2, 3))
    assert [p.period for p in history] == [
        "2026-W01",
        "2026-W02",
        "2026-W03",
        "2026-W04",
        "2026-W05",
    ]
    assert [p.hit for p in history] == [False, True, False, True, True]
    assert history[0].start == START
    assert streak(history) == 2


def test_recurring_month(store: Store) -> None:
    make(
        store,
        {"key": "k", "metric": "leads", "target": 10, "per": "month", "deadline": "2026-12-31"},
    )
    log(store, "leads", {dt.date(2026, 2, 3): 4, dt.date(2026, 1, 20): 20})
    k = status(store, dt.date(2026, 2, 14))
    assert (k.start, k.deadline) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert k.current == 4
    assert [p.hit for p in period_history(store, "k", dt.date(2026, 2, 14))] == [True]


# -- objectives and output -------------------------------------------------------------
def test_objective_rolls_up_worst_with_data(store: Store) -> None:
    make(
        store,
        {"key": "a", "metric": "leads", "target": 10},
        {"key": "b", "metric": "clicks", "target": 100},
        {"key": "c", "metric": "fans", "target": 100},
        {"key": "d", "metric": "cost"},
    )
    log(store, "leads", {day(1): 10})
    log(store, "clicks", {day(1): 10})
    report = compute_progress(store, day(15))
    assert [k.status for k in report.kpis] == ["achieved", "off_track", "no_data", "no_target"]
    assert report.objectives[0].status == "off_track"
    assert report.objectives[0].kpis == ["a", "b", "c", "d"]


def test_rollup_order() -> None:
    assert rollup(["achieved", "missed", "on_track"]) == "missed"
    assert rollup(["no_data", "no_target"]) == "no_data"
    assert rollup(["achieved", "on_track"]) == "on_track"


def test_json_shape(store: Store) -> None:
    make(store, {"key": "k", "metric": "leads", "target": 10})
    data = json.loads(json.dumps(compute_progress(store, day(3)).as_dict()))
    assert list(data) == ["as_of", "kpis", "objectives"]
    assert list(data["kpis"][0])[:14] == [
        "kpi",
        "objective",
        "current",
        "baseline",
        "target",
        "progress",
        "expected",
        "pace",
        "status",
        "forecast",
        "forecast_status",
        "needed_per_week",
        "owner",
        "last_day",
    ]
    assert data["objectives"][0] == {
        "objective": "obj",
        "title": "Objective",
        "status": "no_data",
        "kpis": ["k"],
    }


def test_series_for_charts(store: Store) -> None:
    make(store, {"key": "k", "metric": "leads", "target": 30})
    log(store, "leads", {day(1): 2, day(3): 3})
    series = kpi_series(store, "k", day(10))
    assert series.actual == [(day(1), 2.0), (day(3), 5.0)]
    assert series.expected == [(START, 0.0), (DEADLINE, 30.0)]
    assert series.forecast[0] == (day(3), 5.0) and series.forecast[1][0] == DEADLINE


def test_demo_has_every_status(demo_store: Store) -> None:
    report = compute_progress(demo_store, dt.date(2026, 11, 18))
    statuses = {k.status for k in report.kpis}
    assert statuses >= {
        "no_target",
        "no_data",
        "achieved",
        "missed",
        "on_track",
        "at_risk",
        "off_track",
    }
    assert any(k.per for k in report.kpis) and any(k.stay for k in report.kpis)
