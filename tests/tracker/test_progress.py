"""The progress rules of DESIGN.md, one test per rule and edge (docs/progress.md)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
import yaml

from tests.conftest import values_table
from tracker.errors import NotFound
from tracker.observations import incoming_schema, write_observations
from tracker.plan import apply_plan_text
from tracker.progress import (
    PeriodResult,
    compute_progress,
    kpi_progress,
    kpi_series,
    period_histories,
    period_history,
    rollup,
    streak,
)
from tracker.records import LOCAL_MANAGER
from tracker.store import Store

START = dt.date(2026, 1, 1)  # a Thursday
DEADLINE = dt.date(2026, 1, 31)  # 30 days after start

# ``min: None`` everywhere: the engine must read negative values right where a metric allows
# them (net changes); the default floor of 0 is tested with entries (test_entries.py).
METRICS = [
    {"key": "leads", "name": "Leads", "class": "outcome", "behaviour": "flow", "channel": "web"},
    {"key": "fans", "name": "Fans", "class": "reach", "behaviour": "stock", "channel": "fb"},
    {"key": "cost", "name": "Cost", "class": "effort", "behaviour": "flow", "unit": "USD"},
    {"key": "reply", "name": "Reply hours", "class": "activity", "behaviour": "stock"},
    {"key": "clicks", "name": "Clicks", "class": "engagement", "behaviour": "flow"},
    {"key": "rating", "name": "Rating", "class": "outcome", "behaviour": "flow"},
    {"key": "ads", "name": "Ad spend", "class": "spend", "behaviour": "flow"},
]
for _m in METRICS:
    _m["min"] = None

UNSET: Any = object()


def make(
    store: Store,
    *kpis: dict[str, Any],
    settings: dict | None = None,
    start: Any = START,
    deadline: Any = DEADLINE,
    objectives: list[dict] | None = None,
    currency: str | None = None,
) -> Store:
    """Apply a plan: the METRICS and one objective ``obj`` holding ``kpis``."""
    objective: dict[str, Any] = {
        "key": "obj",
        "title": "Objective",
        "outcome": "leads",
        "owner": "ann",
        "kpis": [{"owner": "ann", **k} for k in kpis],
    }
    if start is not None:
        objective["start"] = start
    if deadline is not None:
        objective["deadline"] = deadline
    plan: dict[str, Any] = {
        "workspace": {
            "name": "T",
            "timezone": "UTC",
            **({"currency": currency} if currency else {}),
        },
        "people": [{"key": "ann", "name": "Ann", "role": "manager"}],
        "metrics": METRICS,
        "objectives": [objective, *(objectives or [])],
    }
    if settings:
        plan["settings"] = settings
    apply_plan_text(store, yaml.safe_dump(plan), LOCAL_MANAGER)
    return store


def log(store: Store, metric: str, values: dict[dt.date, float], source: str = "s") -> None:
    """Write ``values`` (day -> value) of ``metric`` from ``source`` in one batch."""
    write_observations(store, LOCAL_MANAGER, values_table(values, metric, source))


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def status(store: Store, as_of: dt.date, kpi: str = "k"):
    return compute_progress(store, as_of).kpi(kpi)


@pytest.fixture
def mem() -> Iterator[Store]:
    """An empty in-memory store, open for the whole test (fast: no file, no reopen)."""
    store = Store(":memory:", lock_timeout=5)
    with store.session():
        store.init()
        yield store


# -- current by aggregation ------------------------------------------------------------
def test_sum_adds_daily_values_in_window_only(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 100})
    log(mem, "leads", {day(-3): 50, day(0): 10, day(5): 20, day(12): 99, day(40): 99})
    k = status(mem, day(10))
    assert k.aggregation == "sum" and k.metric == "leads"
    assert k.current == 30 and k.baseline == 0
    assert k.progress == pytest.approx(0.3)
    assert k.expected == pytest.approx(10 / 30)
    assert k.pace == pytest.approx(0.3 / (10 / 30))
    assert k.last_day == day(5)  # day 12 is after the as-of day: never read
    assert (k.start, k.deadline, k.days_left) == (START, DEADLINE, 20)


def test_flow_sources_add_up(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 100})
    log(mem, "leads", {day(1): 4}, source="crm")
    log(mem, "leads", {day(1): 6}, source="web")
    assert status(mem, day(2)).current == 10


def test_stock_day_value_is_latest_recorded_across_sources(
    mem: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(mem, {"key": "k", "metric": "fans", "target": 200})
    monkeypatch.setenv("WAYPOINT_NOW", "2026-01-07T10:00:00")
    log(mem, "fans", {day(-5): 100, day(3): 120, day(6): 130}, source="zz-early")
    monkeypatch.setenv("WAYPOINT_NOW", "2026-01-07T11:00:00")
    log(mem, "fans", {day(6): 128}, source="aa-later")
    k = status(mem, day(10))
    assert k.aggregation == "latest"
    assert k.current == 128  # recorded later wins, whatever the source's name
    assert k.baseline == 100  # latest on or before start
    assert k.progress == pytest.approx(28 / 100)


def test_stock_tie_on_recorded_at_goes_to_greatest_source(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "fans", "target": 200})
    table = pa.table(
        {
            "line": [1, 2],
            "day": [day(2), day(2)],
            "metric": ["fans", "fans"],
            "value": [150.0, 140.0],
            "source": ["b", "a"],
            "recorded_by": [None, None],
            "note": [None, None],
        },
        schema=incoming_schema(),
    )
    write_observations(mem, LOCAL_MANAGER, table)  # one batch: one recorded_at
    assert status(mem, day(3)).current == 150


def test_latest_reads_last_day_on_or_before_end(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "fans", "target": 200})
    log(mem, "fans", {day(-5): 100, day(3): 120, day(6): 130, day(12): 190})
    k = status(mem, day(10))
    assert k.current == 130 and k.last_day == day(6)


def test_latest_with_value_only_before_start_is_no_data_but_shows_level(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "fans", "target": 200})
    log(mem, "fans", {day(-5): 100})
    k = status(mem, day(4))
    # DESIGN: current is the value on the last day with a value on or before end (even
    # before start), while the status asks for a value in the window.
    assert k.current == 100 and k.last_day == day(-5)
    assert k.status == "no_data"
    assert k.baseline == 100 and k.progress == 0


def test_latest_baseline_falls_back_to_first_value_in_window(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "fans", "target": 200})
    log(mem, "fans", {day(2): 110, day(6): 150})
    assert status(mem, day(10)).baseline == 110


def test_given_baseline_wins(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "fans", "baseline": 50, "target": 200})
    log(mem, "fans", {day(-2): 110, day(6): 125})
    k = status(mem, day(10))
    assert k.baseline == 50 and k.progress == pytest.approx(75 / 150)


def test_mean_skips_days_without_values(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "reply", "aggregation": "mean", "baseline": 10, "target": 2})
    log(mem, "reply", {day(-1): 100, day(1): 6, day(9): 4})
    k = status(mem, day(10))
    assert k.current == 5  # (6 + 4) / 2, not / 10 days, and not the value before start
    assert k.progress == pytest.approx((5 - 10) / (2 - 10))
    assert k.forecast == 5  # means are not projected


def test_mean_default_baseline_is_latest_daily_value_on_or_before_start(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "rating", "aggregation": "mean", "target": 5})
    log(mem, "rating", {day(-9): 2, day(0): 1, day(3): 4})
    log(mem, "rating", {day(0): 2}, source="other")  # flow: the start day's value is 3
    k = status(mem, day(5))
    assert k.baseline == 3
    assert k.current == pytest.approx((3 + 4) / 2)


def test_mean_default_baseline_else_first_value_in_window(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "rating", "aggregation": "mean", "target": 5})
    log(mem, "rating", {day(2): 3, day(3): 4})
    assert status(mem, day(5)).baseline == 3


def test_ratio_is_sum_over_sum_for_flows(mem: Store) -> None:
    make(mem, {"key": "k", "ratio": {"numerator": "leads", "denominator": "clicks"}, "target": 0.5})
    log(mem, "leads", {day(-1): 50, day(1): 2, day(2): 3})
    log(mem, "clicks", {day(-1): 50, day(1): 10, day(2): 15})
    k = status(mem, day(10))
    assert k.current == pytest.approx(5 / 25)
    assert k.metric == "leads/clicks" and k.aggregation == "ratio"
    assert k.baseline == 0
    assert k.forecast == k.current  # ratios are not projected
    assert k.last_day == day(2)


def test_ratio_flow_over_stock_divides_window_sum_by_latest_level(mem: Store) -> None:
    make(mem, {"key": "k", "ratio": {"numerator": "leads", "denominator": "fans"}, "target": 0.1})
    log(mem, "leads", {day(1): 2, day(2): 3})
    log(mem, "fans", {day(-3): 40})  # the level before start still holds
    assert status(mem, day(10)).current == pytest.approx(5 / 40)
    log(mem, "fans", {day(2): 50, day(20): 99})
    assert status(mem, day(10)).current == pytest.approx(5 / 50)


def test_ratio_stock_over_stock_is_latest_over_latest(mem: Store) -> None:
    make(mem, {"key": "k", "ratio": {"numerator": "reply", "denominator": "fans"}, "target": 1})
    log(mem, "reply", {day(1): 6, day(4): 3})
    log(mem, "fans", {day(1): 10, day(2): 12})
    assert status(mem, day(5)).current == pytest.approx(3 / 12)


def test_zero_denominator_gives_null_not_error(mem: Store) -> None:
    make(mem, {"key": "k", "ratio": {"numerator": "leads", "denominator": "clicks"}, "target": 0.5})
    log(mem, "leads", {day(1): 2})
    log(mem, "clicks", {day(1): 0})
    k = status(mem, day(10))
    assert k.current is None and k.status == "no_data"
    assert k.progress is None and k.pace is None and k.forecast is None
    assert k.forecast_status is None and k.needed_per_week is None
    assert k.baseline == 0 and k.expected == pytest.approx(10 / 30)


def test_ratio_without_numerator_values_in_window_is_no_data(mem: Store) -> None:
    make(mem, {"key": "k", "ratio": {"numerator": "leads", "denominator": "clicks"}, "target": 0.5})
    log(mem, "clicks", {day(1): 10})
    k = status(mem, day(10))
    assert k.current is None and k.status == "no_data"


# -- windows and statuses --------------------------------------------------------------
def test_before_start_is_not_started_with_expected_zero(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 10})
    log(mem, "leads", {day(-2): 5})
    k = status(mem, day(-1))
    assert k.status == "not_started" and k.current is None
    assert k.expected == 0 and k.baseline == 0 and k.pace is None
    assert k.days_left == 31 and k.needed_per_week is None and k.last_day == day(-2)


def test_after_deadline_window_ends_at_deadline_and_missed(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 100})
    log(mem, "leads", {day(5): 40, day(45): 500})
    k = status(mem, day(50))
    assert k.current == 40 and k.status == "missed" and k.expected == 1
    assert k.days_left == 0 and k.forecast == 40 and k.forecast_status == "will_miss"
    assert k.needed_per_week is None
    assert k.last_day == day(5)


def test_achieved_beats_missed(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 10})
    log(mem, "leads", {day(5): 12})
    k = status(mem, day(50))
    assert k.status == "achieved" and k.needed_per_week is None


def test_no_target_comes_first(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads"})
    log(mem, "leads", {day(1): 3})
    k = status(mem, day(5))
    assert k.status == "no_target" and k.current == 3
    assert k.progress is None and k.forecast_status is None and k.needed_per_week is None
    assert k.forecast is not None  # the projection needs no target


@pytest.mark.parametrize(
    ("total", "expected_status"),
    [(50, "on_track"), (45, "on_track"), (44.9, "at_risk"), (35, "at_risk"), (34.9, "off_track")],
)
def test_pace_thresholds(mem: Store, total: float, expected_status: str) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 100})
    log(mem, "leads", {day(1): total})
    # day 15 of 30: expected 0.5, so pace = total / 50
    assert status(mem, day(15)).status == expected_status


@pytest.mark.parametrize(
    ("total", "target", "deadline", "as_of", "expected_status"),
    [
        # 9/50 over 1/5: the division gives 0.8999999999999999, reports show 0.9
        (9, 50, 5, 1, "on_track"),
        # 15/20 over 5/6
        (15, 20, 6, 5, "on_track"),
        # 35/68 over 25/34 = 0.7 (0.6999999999999998 in floating point)
        (35, 68, 34, 25, "at_risk"),
    ],
)
def test_a_pace_exactly_at_a_threshold_gets_the_higher_status(
    mem: Store, total: float, target: float, deadline: int, as_of: int, expected_status: str
) -> None:
    """DESIGN: on_track when pace >= 0.9, at_risk when pace >= 0.7: a pace the report
    shows as 0.9 is on track, whatever the last bit of the division."""
    make(mem, {"key": "k", "metric": "leads", "target": target, "deadline": day(deadline)})
    log(mem, "leads", {day(0): total})
    k = status(mem, day(as_of))
    assert k.status == expected_status, (k.pace, k.progress, k.expected)


def test_a_health_kpi_at_its_target_is_on_track_whatever_the_last_bit(mem: Store) -> None:
    # (0.1 + 0.2 + 0.3) / 3 is 0.19999999999999998: shown as 0.2, and 0.2 stays above 0.2
    make(
        mem, {"key": "k", "metric": "leads", "aggregation": "mean", "stay": "above", "target": 0.2}
    )
    log(mem, "leads", {day(0): 0.1, day(1): 0.2, day(2): 0.3})
    k = status(mem, day(3))
    assert k.current == 0.2 and k.status == "on_track"


@pytest.mark.parametrize(
    ("total", "expected_status"),
    [(30, "on_track"), (25, "on_track"), (20, "at_risk"), (5, "off_track")],
)
def test_thresholds_are_workspace_settings(mem: Store, total: float, expected_status: str) -> None:
    make(
        mem,
        {"key": "k", "metric": "leads", "target": 100},
        settings={"on_track_pace": 0.5, "at_risk_pace": 0.2},
    )
    log(mem, "leads", {day(1): total})  # pace = total / 50
    assert status(mem, day(15)).status == expected_status


def test_expected_zero_on_start_day_is_on_track(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 100})
    log(mem, "leads", {day(0): 1})
    k = status(mem, day(0))
    assert k.expected == 0 and k.pace is None and k.status == "on_track"


def test_kpi_own_dates_override_objective(mem: Store) -> None:
    make(
        mem,
        {
            "key": "k",
            "metric": "leads",
            "target": 10,
            "start": "2026-01-11",
            "deadline": "2026-01-21",
        },
    )
    log(mem, "leads", {day(5): 100, day(12): 4})
    k = status(mem, day(15))
    assert (k.start, k.deadline) == (dt.date(2026, 1, 11), dt.date(2026, 1, 21))
    assert k.current == 4 and k.expected == pytest.approx(5 / 10)


def test_draft_without_deadline_is_not_paced(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 100}, deadline=None)
    log(mem, "leads", {day(2): 10})
    k = status(mem, day(10))
    assert k.deadline is None and k.current == 10
    assert k.expected is None and k.pace is None and k.days_left is None
    assert k.status == "on_track"
    assert k.forecast == 10 and k.forecast_status == "will_miss"
    assert k.needed_per_week is None
    log(mem, "leads", {day(3): 95})
    assert status(mem, day(10)).status == "achieved"


def test_without_start_the_window_begins_with_the_first_value(mem: Store) -> None:
    # and is paced from there: with no start it read on track up to its deadline day,
    # 14 of 100 with ten days left
    make(mem, {"key": "k", "metric": "leads", "target": 100}, start=None)
    log(mem, "leads", {day(-30): 7, day(10): 7})
    k = status(mem, day(20))
    assert k.start == day(-30) and k.current == 14
    assert k.expected == pytest.approx(50 / 60) and k.pace == pytest.approx(0.14 / (50 / 60))
    assert k.status == "off_track"
    # n = 51 days from the first value: the last 28 hold 7 -> 0.25 a day, 10 days left
    assert k.forecast == pytest.approx(14 + 7 / 28 * 10)
    # a ratio starts at the first value of either side
    make(
        mem,
        {"key": "k", "metric": "leads", "target": 100},
        {"key": "r", "ratio": {"numerator": "leads", "denominator": "clicks"}, "target": 1},
        start=None,
    )
    log(mem, "clicks", {day(-40): 10})
    r = status(mem, day(20), "r")
    assert r.start == day(-40) and r.expected == pytest.approx(60 / 70)
    # nothing logged yet: no window, nothing to pace
    make(mem, {"key": "k", "metric": "rating", "target": 5}, start=None)
    empty = status(mem, day(20))
    assert empty.start is None and empty.expected is None and empty.status == "no_data"


def test_archived_kpis_are_left_out(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 100}, {"key": "gone", "metric": "leads"})
    make(mem, {"key": "k", "metric": "leads", "target": 100})  # 'gone' is archived
    assert [k.kpi for k in compute_progress(mem, day(3)).kpis] == ["k"]
    with pytest.raises(NotFound):
        kpi_progress(mem, "gone", day(3))


def test_down_target_cost_per_lead(mem: Store) -> None:
    make(
        mem,
        {
            "key": "k",
            "ratio": {"numerator": "cost", "denominator": "leads"},
            "baseline": 50,
            "target": 20,
        },
    )
    log(mem, "cost", {day(1): 300})
    log(mem, "leads", {day(1): 10})
    k = status(mem, day(15))  # 30 per lead: progress (30-50)/(20-50) = 2/3
    assert k.unit == "USD"
    assert k.progress == pytest.approx(2 / 3)
    assert k.status == "on_track"  # pace 1.33
    assert k.forecast_status == "will_miss"  # a ratio is not projected: 30 > 20
    assert k.needed_per_week == pytest.approx((20 - 30) / (15 / 7))  # negative: must fall


def test_down_target_reached_is_achieved(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "reply", "baseline": 10, "target": 4})
    log(mem, "reply", {day(3): 3.5})
    k = status(mem, day(5))
    assert k.status == "achieved" and k.needed_per_week == 0 and k.forecast_status == "will_hit"


def test_down_target_falling_too_slowly(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "reply", "baseline": 10, "target": 4})
    log(mem, "reply", {day(0): 10, day(10): 9, day(20): 8})
    k = status(mem, day(20))  # progress 2/6, expected 2/3: pace 0.5
    assert k.status == "off_track"
    assert k.forecast == pytest.approx(7) and k.forecast_status == "will_miss"


def test_values_after_the_as_of_day_are_never_used(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "fans", "target": 200})
    log(mem, "fans", {day(-1): 100, day(4): 120})
    log(mem, "fans", {day(-1): 50, day(2): 0, day(3): 999}, source="other")
    assert status(mem, day(-3)).last_day is None
    k = status(mem, day(-1))  # before start, the baseline is the latest as of that day
    assert k.baseline == 50 and k.status == "not_started"


# -- forecast and needed per week ------------------------------------------------------
def test_sum_forecast_uses_last_28_days_rate(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 100, "deadline": "2026-03-01"})
    log(mem, "leads", {day(i): 1 + (i < 12) * 5 for i in range(40)})
    k = status(mem, day(39))
    # window 40 days; the last 28 (days 12-39) add 28 -> 1/day; days_left = Mar 1 - Feb 9
    assert k.current == 40 + 12 * 5
    assert k.days_left == 20
    assert k.forecast == pytest.approx(100 + 1 * 20)
    assert k.forecast_status == "will_hit"
    assert k.needed_per_week == 0  # 100 reached: achieved


def test_sum_forecast_short_window_counts_empty_days(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 40})
    log(mem, "leads", {day(0): 4})
    k = status(mem, day(3))  # n = 4 days, 4 leads -> 1/day; 27 days left
    assert k.forecast == pytest.approx(4 + 27) and k.forecast_status == "will_miss"
    assert k.needed_per_week == pytest.approx((40 - 4) / (27 / 7))


def test_sum_forecast_counts_quiet_recent_days_as_zero(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 40, "deadline": "2026-03-01"})
    log(mem, "leads", {day(0): 14, day(20): 14})
    k = status(mem, day(59))  # nothing in the last 28 days
    assert k.forecast == pytest.approx(28)


def test_latest_forecast_is_least_squares_line(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "fans", "baseline": 100, "target": 200})
    log(mem, "fans", {day(0): 100, day(10): 121, day(20): 140})
    k = status(mem, day(20))  # y = 100.333 + 2x, read at day 30
    assert k.forecast == pytest.approx(100 + 1 / 3 + 2 * 30)
    assert k.forecast_status == "will_miss"


def test_latest_forecast_aiming_down(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "reply", "baseline": 10, "target": 4})
    log(mem, "reply", {day(0): 10, day(10): 7})
    k = status(mem, day(10))  # falls 0.3 a day: 1 at day 30
    assert k.forecast == pytest.approx(1) and k.forecast_status == "will_hit"


def test_latest_forecast_with_fewer_than_two_points_is_current(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "fans", "baseline": 100, "target": 200})
    log(mem, "fans", {day(-3): 10, day(10): 150})  # the value before start is not a point
    assert status(mem, day(20)).forecast == 150


def test_latest_forecast_uses_last_56_days_only(mem: Store) -> None:
    make(
        mem,
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
    recent = {day(-55 + i): 500 + i for i in range(0, 56, 5)}  # slope 1/day
    log(mem, "fans", {**early, **recent})
    k = status(mem, day(0))
    assert k.forecast == pytest.approx(555 + (dt.date(2026, 3, 1) - day(0)).days)


def test_forecast_is_current_once_no_days_are_left(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "fans", "baseline": 100, "target": 200})
    log(mem, "fans", {day(0): 100, day(10): 120, day(30): 150})
    k = status(mem, DEADLINE)
    assert k.days_left == 0 and k.forecast == 150 and k.status == "off_track"
    # on the deadline day a week is at least 1/7: what is left, times 7
    assert k.needed_per_week == pytest.approx(50 * 7)


def test_mean_and_ratio_forecasts_are_current(mem: Store) -> None:
    make(
        mem,
        {"key": "m", "metric": "reply", "aggregation": "mean", "baseline": 10, "target": 4},
        {"key": "r", "ratio": {"numerator": "leads", "denominator": "clicks"}, "target": 0.2},
    )
    log(mem, "reply", {day(1): 8, day(2): 6})
    log(mem, "leads", {day(1): 1})
    log(mem, "clicks", {day(1): 4})
    report = compute_progress(mem, day(3))
    assert report.kpi("m").forecast == 7 and report.kpi("m").forecast_status == "will_miss"
    assert report.kpi("r").forecast == 0.25 and report.kpi("r").forecast_status == "will_hit"


# -- health KPIs -----------------------------------------------------------------------
NULL_FOR_HEALTH = (
    "baseline",
    "expected",
    "progress",
    "pace",
    "forecast",
    "forecast_status",
    "needed_per_week",
)


def test_health_kpi_below_equal_counts_as_right(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "reply", "stay": "below", "target": 4})
    log(mem, "reply", {day(1): 5, day(2): 4})
    k = status(mem, day(3))
    assert k.current == 4 and k.status == "on_track" and k.stay == "below"
    for name in NULL_FOR_HEALTH:
        assert getattr(k, name) is None, name
    log(mem, "reply", {day(3): 4.5})
    assert status(mem, day(3)).status == "off_track"


def test_health_kpi_above_and_no_data(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "fans", "stay": "above", "target": 100})
    assert status(mem, day(3)).status == "no_data"
    log(mem, "fans", {day(1): 100})
    assert status(mem, day(3)).status == "on_track"
    log(mem, "fans", {day(2): 99.5})
    assert status(mem, day(3)).status == "off_track"


def test_a_health_kpi_is_judged_on_its_level_measured_before_its_window(mem: Store) -> None:
    """A level kept below a line, last measured before the window opened: DESIGN judges a
    health KPI by its current value, which for a level is the last one on or before the
    day. It read "5 h" beside "no data"; a count (summed in the window) has no value."""
    make(
        mem,
        {"key": "k", "metric": "reply", "stay": "below", "target": 6},
        {"key": "c", "metric": "leads", "stay": "above", "target": 1},
    )
    log(mem, "reply", {START - dt.timedelta(days=10): 5})
    log(mem, "leads", {START - dt.timedelta(days=10): 3})
    k = status(mem, day(9))
    assert (k.current, k.status) == (5, "on_track")
    log(mem, "reply", {START - dt.timedelta(days=5): 7})
    assert status(mem, day(9)).status == "off_track"
    counted = status(mem, day(9), "c")
    assert (counted.current, counted.status) == (None, "no_data")


def test_health_kpi_is_never_missed(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "clicks", "stay": "above", "target": 10})
    log(mem, "clicks", {day(1): 12})
    k = status(mem, day(40))
    assert k.status == "on_track" and k.days_left == 0
    for name in NULL_FOR_HEALTH:
        assert getattr(k, name) is None, name


# -- recurring targets -----------------------------------------------------------------
def test_recurring_week_judges_current_period(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 3, "per": "week"})
    # 2026-01-05 is a Monday.
    log(mem, "leads", {dt.date(2026, 1, 5): 1, dt.date(2026, 1, 6): 1, dt.date(2026, 1, 2): 5})
    k = status(mem, dt.date(2026, 1, 8))  # Thursday
    assert (k.start, k.deadline) == (dt.date(2026, 1, 5), dt.date(2026, 1, 11))
    assert k.per == "week" and k.current == 2 and k.baseline == 0
    assert k.expected == pytest.approx(3 / 6)
    assert k.progress == pytest.approx(2 / 3)
    assert k.days_left == 3
    assert k.needed_per_week == pytest.approx(1 / (3 / 7))
    # the week's sum forecast: 2 leads in 4 days, 3 days left
    assert k.forecast == pytest.approx(2 + 2 / 4 * 3)


def test_recurring_week_empty_so_far_is_no_data(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 3, "per": "week"})
    log(mem, "leads", {dt.date(2026, 1, 2): 5})
    k = status(mem, dt.date(2026, 1, 6))
    assert k.status == "no_data" and k.expected == pytest.approx(1 / 6)


def test_recurring_period_straddling_kpi_start(mem: Store) -> None:
    # START is Thursday 2026-01-01: the first week runs Thu-Sun.
    make(mem, {"key": "k", "metric": "leads", "target": 3, "per": "week"})
    log(mem, "leads", {dt.date(2025, 12, 29): 9, dt.date(2026, 1, 2): 1})
    k = status(mem, dt.date(2026, 1, 2))
    assert (k.start, k.deadline) == (START, dt.date(2026, 1, 4))
    assert k.current == 1 and k.expected == pytest.approx(1 / 3)


def test_recurring_before_kpi_start_shows_the_first_period(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 3, "per": "week"})
    log(mem, "leads", {dt.date(2025, 12, 29): 9})
    k = status(mem, dt.date(2025, 12, 30))
    assert (k.start, k.deadline) == (START, dt.date(2026, 1, 4))
    assert k.status == "not_started" and k.expected == 0


def test_recurring_period_cut_by_deadline_then_missed(mem: Store) -> None:
    # DEADLINE 2026-01-31 is a Saturday: the last week runs Mon 26 - Sat 31.
    make(mem, {"key": "k", "metric": "leads", "target": 3, "per": "week"})
    log(mem, "leads", {dt.date(2026, 1, 27): 2})
    k = status(mem, dt.date(2026, 2, 10))
    assert (k.start, k.deadline) == (dt.date(2026, 1, 26), DEADLINE)
    assert k.current == 2 and k.status == "missed" and k.needed_per_week is None
    assert k.days_left == 0 and k.expected == 1


def test_recurring_period_closed_without_a_value_is_missed(mem: Store) -> None:
    # DESIGN: a recurring KPI's closed periods are achieved or missed. A week with no
    # posts summed to 0: missed, as its history says, never "no data" (which read the
    # objective as achieved when its other KPI was)
    make(mem, {"key": "k", "metric": "leads", "target": 3, "per": "week"})
    log(mem, "leads", {dt.date(2026, 1, 5): 3})
    k = status(mem, dt.date(2026, 2, 10))  # after the deadline: the last week, Jan 26-31
    assert k.current == 0 and k.progress == 0 and k.status == "missed"
    assert k.forecast == 0 and k.forecast_status == "will_miss" and k.needed_per_week is None
    assert compute_progress(mem, dt.date(2026, 2, 10)).objectives[0].status == "missed"
    # the review of that finished week, as of its Sunday with the Sunday over
    week = compute_progress(mem, dt.date(2026, 1, 18), day_over=True).kpi("k")
    assert week.current == 0 and week.status == "missed"
    # while the period runs, an empty week is still waiting for its first value
    assert status(mem, dt.date(2026, 1, 14)).status == "no_data"
    assert compute_progress(mem, dt.date(2026, 1, 18)).kpi("k").status == "no_data"


def test_recurring_month(mem: Store) -> None:
    make(
        mem, {"key": "k", "metric": "leads", "target": 10, "per": "month", "deadline": "2026-12-31"}
    )
    log(mem, "leads", {dt.date(2026, 2, 3): 4, dt.date(2026, 1, 20): 20})
    k = status(mem, dt.date(2026, 2, 14))
    assert (k.start, k.deadline) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert k.current == 4
    assert k.expected == pytest.approx(13 / 27)
    history = period_history(mem, "k", dt.date(2026, 2, 14))
    assert [(p.period, p.value, p.hit) for p in history] == [("2026-01", 20, True)]


def test_recurring_history_and_streak(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 2, "per": "week"})
    values = {
        dt.date(2025, 12, 30): 9,  # before the KPI's start: not counted
        dt.date(2026, 1, 5): 2,
        dt.date(2026, 1, 12): 1,
        dt.date(2026, 1, 19): 3,
        dt.date(2026, 1, 26): 2,
        dt.date(2026, 2, 2): 5,  # the current week (incomplete on Feb 3)
    }
    log(mem, "leads", values)
    history = period_history(mem, "k", dt.date(2026, 2, 3))
    assert [p.period for p in history] == [
        "2026-W01",
        "2026-W02",
        "2026-W03",
        "2026-W04",
        "2026-W05",
    ]
    assert [p.value for p in history] == [0, 2, 1, 3, 2]
    assert [p.hit for p in history] == [False, True, False, True, True]
    assert (history[0].start, history[0].end) == (START, dt.date(2026, 1, 4))
    assert history[-1].end == DEADLINE  # the last week is cut at the deadline
    assert history[0].as_dict()["start"] == "2026-01-01"
    assert streak(history) == 2


def test_history_stops_at_deadline_and_counts_flow_sources(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 2, "per": "week"})
    log(mem, "leads", {dt.date(2026, 1, 28): 1, dt.date(2026, 2, 2): 7})
    log(mem, "leads", {dt.date(2026, 1, 28): 1}, source="other")
    history = period_history(mem, "k", dt.date(2026, 3, 1))
    assert history[-1].period == "2026-W05" and history[-1].value == 2 and history[-1].hit
    assert len(history) == 5


def test_history_of_other_kpis(mem: Store) -> None:
    make(
        mem,
        {"key": "k", "metric": "leads", "target": 2, "per": "week"},
        {"key": "m", "metric": "clicks", "target": 5, "per": "month"},
        {"key": "plain", "metric": "leads", "target": 5},
    )
    log(mem, "clicks", {dt.date(2026, 1, 9): 6})
    assert period_history(mem, "plain", day(20)) == []
    with pytest.raises(NotFound):
        period_history(mem, "nope", day(20))
    every = period_histories(mem, dt.date(2026, 2, 2))
    assert set(every) == {"k", "m"}
    assert [(p.period, p.hit) for p in every["m"]] == [("2026-01", True)]


def test_streak_counts_hits_ending_at_last_period() -> None:
    def p(hit: bool) -> PeriodResult:
        return PeriodResult("2026-W01", START, START, 1.0, 1.0, hit)

    assert streak([]) == 0
    assert streak([p(True), p(False)]) == 0
    assert streak([p(False), p(True), p(True)]) == 2
    assert streak([p(True)] * 4) == 4


# -- objectives and output -------------------------------------------------------------
def test_objective_rolls_up_worst_with_data_and_target(mem: Store) -> None:
    make(
        mem,
        {"key": "a", "metric": "leads", "target": 10},
        {"key": "b", "metric": "clicks", "target": 100},
        {"key": "c", "metric": "fans", "target": 100},
        {"key": "d", "metric": "cost"},
        objectives=[
            {"key": "empty", "title": "Nothing yet", "outcome": "other", "owner": "ann"},
            {
                "key": "quiet",
                "title": "No data",
                "outcome": "other",
                "owner": "ann",
                "kpis": [{"key": "e", "metric": "rating", "target": 3, "owner": "ann"}],
            },
        ],
    )
    log(mem, "leads", {day(1): 10})
    log(mem, "clicks", {day(1): 10})
    log(mem, "cost", {day(1): 10})
    report = compute_progress(mem, day(15))
    assert [k.status for k in report.kpis] == [
        "achieved",
        "off_track",
        "no_data",
        "no_target",
        "no_data",
    ]
    assert [(o.objective, o.status, o.kpis) for o in report.objectives] == [
        ("obj", "off_track", ["a", "b", "c", "d"]),
        ("empty", "no_data", []),
        ("quiet", "no_data", ["e"]),
    ]


def test_objective_filter(mem: Store) -> None:
    make(
        mem,
        {"key": "a", "metric": "leads", "target": 10},
        objectives=[
            {
                "key": "other",
                "title": "Other",
                "outcome": "other",
                "owner": "ann",
                "kpis": [{"key": "b", "metric": "leads", "target": 3, "owner": "ann"}],
            }
        ],
    )
    report = compute_progress(mem, day(3), objective="other")
    assert [k.kpi for k in report.kpis] == ["b"] and [o.objective for o in report.objectives] == [
        "other"
    ]
    with pytest.raises(NotFound, match="nope.*known: obj, other"):
        compute_progress(mem, day(3), objective="nope")


@pytest.mark.parametrize(
    ("statuses", "worst"),
    [
        (["achieved", "missed", "on_track"], "missed"),
        (["on_track", "off_track", "missed"], "missed"),
        (["at_risk", "off_track"], "off_track"),
        (["on_track", "at_risk", "no_data"], "at_risk"),
        (["achieved", "on_track"], "on_track"),
        (["achieved", "no_target"], "achieved"),
        (["no_data", "no_target"], "no_data"),
        ([], "no_data"),
    ],
)
def test_rollup_order(statuses: list[str], worst: str) -> None:
    assert rollup(statuses) == worst


def test_as_of_defaults_to_today_in_workspace_timezone(
    mem: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 10})
    with mem.write() as con:
        con.execute("UPDATE workspace SET timezone = 'America/Chicago'")
    monkeypatch.setenv("WAYPOINT_NOW", "2026-01-10T03:00:00+00:00")  # 9 Jan in Chicago
    assert compute_progress(mem).as_of == dt.date(2026, 1, 9)
    assert kpi_progress(mem, "k").days_left == 22


def test_json_shape(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 10})
    log(mem, "leads", {day(1): 3})
    data = json.loads(json.dumps(compute_progress(mem, day(3)).as_dict()))
    assert list(data) == ["as_of", "kpis", "objectives"]
    assert data["as_of"] == "2026-01-04"
    kpi = data["kpis"][0]
    assert list(kpi)[:14] == [
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
    assert kpi["last_day"] == "2026-01-02" and kpi["start"] == "2026-01-01"
    assert kpi["owner"] == "ann" and kpi["status"] == "on_track"
    assert data["objectives"][0] == {
        "objective": "obj",
        "title": "Objective",
        "status": "on_track",
        "kpis": ["k"],
        "held_by": "k",
        "counts": {"on_track": 1},
        "starts": None,
    }


# -- chart series ----------------------------------------------------------------------
def test_series_sum_is_cumulative_with_pace_and_forecast(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "leads", "target": 30})
    log(mem, "leads", {day(-1): 9, day(1): 2, day(3): 3, day(12): 9})
    series = kpi_series(mem, "k", day(10))
    assert series.actual == [(day(1), 2.0), (day(3), 5.0)]
    assert series.actual[-1][1] == series.progress.current
    assert series.expected == [(START, 0.0), (DEADLINE, 30.0)]
    assert series.forecast == [(day(3), 5.0), (DEADLINE, series.progress.forecast)]
    assert series.target == 30
    frame = series.frame()
    assert list(frame.columns) == ["line", "day", "value"]
    assert list(frame["line"]) == [
        "actual",
        "actual",
        "expected",
        "expected",
        "forecast",
        "forecast",
    ]


def test_series_latest_mean_and_ratio(mem: Store) -> None:
    make(
        mem,
        {"key": "lvl", "metric": "fans", "target": 300},
        {"key": "avg", "metric": "rating", "aggregation": "mean", "baseline": 1, "target": 5},
        {"key": "r", "ratio": {"numerator": "leads", "denominator": "fans"}, "target": 0.5},
    )
    log(mem, "fans", {day(-2): 100, day(2): 110, day(5): 120})
    log(mem, "rating", {day(1): 2, day(4): 4})
    log(mem, "leads", {day(1): 10, day(5): 2})
    assert kpi_series(mem, "lvl", day(8)).actual == [(day(2), 110), (day(5), 120)]
    assert kpi_series(mem, "avg", day(8)).actual == [(day(1), 2), (day(4), 3)]
    ratio = kpi_series(mem, "r", day(8))
    # the denominator's level before start carries into the window
    assert [d for d, _ in ratio.actual] == [day(1), day(2), day(5)]
    assert [v for _, v in ratio.actual] == pytest.approx([0.1, 10 / 110, 0.1])
    assert ratio.actual[-1][1] == ratio.progress.current


def test_series_of_health_kpi_has_no_pace_line(mem: Store) -> None:
    make(mem, {"key": "k", "metric": "reply", "stay": "below", "target": 4})
    log(mem, "reply", {day(1): 5})
    series = kpi_series(mem, "k", day(3))
    assert series.expected == [] and series.forecast == [] and series.target == 4
    with pytest.raises(NotFound):
        kpi_series(mem, "nope", day(3))


def test_a_ratio_reads_as_money_a_count_per_thing_or_a_share() -> None:
    """A cost per lead is money (also in a currency with no symbol), likes per post a
    number, a conversion rate a share: never 255% for 2.55 NZD per lead."""
    from types import SimpleNamespace

    from tracker.formats import kpi_value

    def kpi(unit: str | None, target: float | None) -> SimpleNamespace:
        return SimpleNamespace(aggregation="ratio", unit=unit, target=target)

    assert kpi_value(kpi("NZD", 3.0), 2.55) == "2.55 NZD"
    assert kpi_value(kpi("NZD", 15.0), 12.5) == "12.50 NZD"  # money has its cents
    assert kpi_value(kpi("USD", 3.0), 2.55) == "$2.55"
    assert kpi_value(kpi(None, 30.0), 25.5) == "25.5"
    assert kpi_value(kpi(None, 0.05), 0.021) == "2.1%"
    assert kpi_value(kpi("MQL", 0.05), 0.021) == "2.1%"  # three capitals are not money
    assert kpi_value(kpi(None, None), 2.55) == "2.55"  # a draft goes by its own value


def test_a_ratio_of_spend_without_a_unit_is_money_in_the_workspace_currency(
    mem: Store,
) -> None:
    make(mem, {"key": "k", "ratio": {"numerator": "ads", "denominator": "leads"}, "target": 20})
    log(mem, "ads", {day(1): 51.0})
    log(mem, "leads", {day(1): 20.0})
    from tracker.formats import kpi_value

    k = status(mem, day(3))
    assert k.unit == "USD"
    assert kpi_value(k, k.current) == "$2.55"


def test_a_kpi_shows_its_metrics_unit_a_ratio_its_numerators(mem: Store) -> None:
    # a spend metric without a unit is money in the workspace's currency, whichever it is
    make(
        mem,
        {"key": "spent", "metric": "ads", "target": 900},
        {"key": "per_lead", "ratio": {"numerator": "ads", "denominator": "leads"}, "target": 20},
        {"key": "cost", "metric": "cost", "target": 900},
        {"key": "cpl", "ratio": {"numerator": "cost", "denominator": "leads"}, "target": 20},
        {"key": "clicks_per_lead", "ratio": {"numerator": "clicks", "denominator": "leads"},
         "target": 3},
        {"key": "leads", "metric": "leads", "target": 40},
        currency="CHF",
    )  # fmt: skip
    units = {k.kpi: k.unit for k in compute_progress(mem, day(3)).kpis}
    assert units == {"spent": "CHF", "per_lead": "CHF", "cost": "USD", "cpl": "USD",
                     "clicks_per_lead": None, "leads": None}  # fmt: skip


def test_no_progress_towards_a_lower_target_is_zero_not_minus_zero(mem: Store) -> None:
    """Cost per lead at its baseline of 20 with a target of 10: (20 - 20) / (10 - 20) is
    -0.0, which `status --json` wrote as -0.0 and the table as -0%."""
    import json

    make(
        mem,
        {"key": "k", "ratio": {"numerator": "ads", "denominator": "leads"}, "baseline": 20,
         "target": 10},
    )  # fmt: skip
    log(mem, "ads", {day(1): 200})
    log(mem, "leads", {day(1): 10})
    k = status(mem, day(10))
    assert k.current == 20 and k.progress == 0
    assert "-0.0" not in json.dumps(compute_progress(mem, day(10)).as_dict())
