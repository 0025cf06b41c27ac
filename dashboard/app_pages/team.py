"""Team: per person, KPIs owned, check-ins over 8 weeks, hours; who is overdue."""

from __future__ import annotations

import streamlit as st

import charts
from dashboard import state, ui
from tracker import formats
from tracker.periods import Period

store = state.store()
with store.session():
    day = state.as_of()
    report = state.cached(state.team, day)
    # the latest periods that can be overdue (on a Monday, the week before last's)
    owed = state.cached(state.owed, day)
    first, last = Period.parse(report.weeks[0]).first, Period.parse(report.weeks[-1]).last
    # costs over the same complete weeks as the check-ins and hours, so the numbers agree
    working = state.cached(state.working, day, last)
    plan = state.cached(state.plan)

st.title("Team")
st.caption(
    f"Check-ins and hours over the last {len(report.weeks)} complete weeks"
    f" ({formats.day_span(first, last)})"
)
# What an owner asks first beside the name (on a phone the columns after the third sit
# off-screen): the on-time rate and what is missing, then the counts behind them
rows = [
    {
        "person": p.name,
        # "–" when nothing was owed (a rate of nothing is not 0%)
        "on-time rate": formats.percent(p.on_time_rate),
        "missing": p.missing,
        "late": p.late,
        "on time": p.on_time,
        "hours logged": formats.hours(p.hours),
        "KPIs owned": p.kpis_owned,
        "role": p.role,
    }
    for p in report.people
]
st.dataframe(rows, hide_index=True)
st.plotly_chart(charts.team_chart([p for p in report.people if p.kpis_owned]), key="team_chart")

st.subheader("Overdue check-ins")
ui.overdue_list(owed, plan)

st.subheader("Cost per outcome by channel")
ui.working_table(working)
