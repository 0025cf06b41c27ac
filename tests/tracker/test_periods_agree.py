"""The calendar periods (ISO weeks, months) are written twice by necessity: in Python for
check-ins (tracker/clock.py) and in SQL for KPI windows and weekly series (DuckDB's
date_trunc). This proves the two agree on every day."""

from __future__ import annotations

import datetime as dt

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.checkins import period_of
from tracker.clock import iso_week, month_bounds, week_bounds

CON = duckdb.connect()


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_python_and_sql_periods_agree(day: dt.date) -> None:
    week_start, week_end, month_start, month_end, sunday = CON.execute(
        "SELECT date_trunc('week', $d)::DATE, date_trunc('week', $d)::DATE + 6,"
        " date_trunc('month', $d)::DATE, last_day($d),"
        " date_trunc('week', $d + 1)::DATE - 1",
        {"d": day},
    ).fetchall()[0]
    assert week_bounds(iso_week(day)) == (week_start, week_end)
    assert month_bounds(day) == (month_start, month_end)
    assert period_of("weekly", day)[1:] == (week_start, week_end)
    assert period_of("monthly", day)[1:] == (month_start, month_end)
    # the last complete week's Sunday (vanity_sql.LAST_SUNDAY): the day itself on a Sunday
    expected = day if day.weekday() == 6 else week_start - dt.timedelta(days=1)
    assert sunday == expected
