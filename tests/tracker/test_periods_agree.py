"""Calendar periods have one definition, tracker/periods.py, in two halves: the Python
``Period`` (check-ins, reminders, the review, the Team page) and the SQL fragments (KPI
windows, recurring history, weekly series). This proves the halves agree on every day,
and that labels read back to the same period."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.errors import BadInput
from tracker.periods import SQL_LAST_SUNDAY, Period, sql_first, sql_last

CON = duckdb.connect()
DAYS = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))


@settings(max_examples=300, deadline=None)
@given(DAYS)
def test_python_and_sql_periods_agree(day: dt.date) -> None:
    row = CON.execute(
        f"SELECT {sql_first('$k', '$d')}, {sql_last('$k', '$d')}, {sql_first('$m', '$d')},"
        f" {sql_last('$m', '$d')}, {SQL_LAST_SUNDAY}",
        {"d": day, "k": "week", "m": "month"},
    ).fetchall()[0]
    week_start, week_end, month_start, month_end, sunday = row
    week, month = Period.of("weekly", day), Period.of("monthly", day)
    assert (week.first, week.last) == (week_start, week_end)
    assert (month.first, month.last) == (month_start, month_end)
    assert week.first <= day <= week.last and month.first <= day <= month.last
    # the last complete week's Sunday: the day itself on a Sunday
    expected = day if day.weekday() == 6 else week_start - dt.timedelta(days=1)
    assert sunday == expected


@settings(max_examples=200, deadline=None)
@given(DAYS, st.sampled_from(["week", "month"]), st.integers(min_value=0, max_value=40))
def test_labels_and_steps_round_trip(day: dt.date, kind: str, back: int) -> None:
    period = Period.of(kind, day)
    assert Period.parse(period.label) == period
    assert period.next().previous() == period
    earlier = period.previous(back)
    for _ in range(back):
        earlier = earlier.next()
    assert earlier == period
    assert period.previous().last + dt.timedelta(days=1) == period.first


def test_labels_people_type() -> None:
    assert Period.parse("2026-w05") == Period("week", dt.date(2026, 1, 26))
    assert Period.parse("2026-W05").label == "2026-W05"
    assert Period.parse("2026-03").last == dt.date(2026, 3, 31)
    # ISO week 1 of 2027 starts in December 2026
    assert Period.of("week", dt.date(2027, 1, 1)).label == "2026-W53"
    for bad in ("2026-W54", "2026-13", "next week", ""):
        with pytest.raises(BadInput, match="use 2026-W05 or 2026-03"):
            Period.parse(bad)


def test_period_ends_at_local_midnight() -> None:
    week = Period.parse("2026-W13")  # 23-29 Mar 2026; Europe/Berlin moves to CEST on the 29th
    assert week.ends_at("Europe/Berlin") == dt.datetime(2026, 3, 29, 22, 0)
    assert week.ends_at("UTC") == dt.datetime(2026, 3, 30, 0, 0)
