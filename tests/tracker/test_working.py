"""What's working: outcomes per hour and cost per outcome per channel."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from tests.tracker.test_progress import log
from tracker.observations import incoming_schema, write_observations
from tracker.records import LOCAL_MANAGER
from tracker.store import Store
from tracker.working import whats_working


def test_demo_cost_per_outcome(demo_store: Store) -> None:
    report = whats_working(demo_store, dt.date(2026, 11, 18))
    row = next(
        r for r in report.channels if r.channel == "instagram" and r.outcome == "catering-inquiries"
    )
    assert row.units == 32  # 4 a week for 8 weeks
    assert row.cost == pytest.approx(row.hours * 22)  # Jay's rate
    assert row.cost_per_unit == pytest.approx(row.cost / 32)
    assert row.units_per_hour == pytest.approx(32 / row.hours)
    assert report.as_dict()["weeks"] == 8


def test_hours_priced_by_the_person_and_spend_added(plan_store: Store) -> None:
    from tests.conftest import SMALL_PLAN
    from tracker.plan import apply_plan_text

    plan = SMALL_PLAN.replace(
        "  - {key: hours, name: Assistant hours, class: effort, behaviour: flow, unit: h}",
        "  - {key: hours, name: Assistant hours, class: effort, behaviour: flow, unit: h,"
        " channel: linkedin}\n"
        "  - {key: ads, name: Ad spend, class: effort, behaviour: flow, channel: linkedin}",
    )
    apply_plan_text(plan_store, plan, LOCAL_MANAGER)
    day = dt.date(2026, 8, 3)
    table = pa.table(
        {
            "line": [1, 2],
            "day": [day, day],
            "metric": ["hours", "hours"],
            "value": [4.0, 2.0],
            "source": ["a", "b"],
            "recorded_by": ["amy", None],
            "note": [None, None],
        },
        schema=incoming_schema(),
    )
    write_observations(plan_store, LOCAL_MANAGER, table)
    log(plan_store, "ads", {day: 50})
    log(plan_store, "leads", {day: 10})
    report = whats_working(plan_store, dt.date(2026, 8, 10))
    row = next(r for r in report.channels if r.outcome == "leads")
    assert (row.channel, row.hours, row.cost) == ("linkedin", 6.0, 4 * 25 + 50)
    assert row.cost_per_unit == pytest.approx(15.0)
