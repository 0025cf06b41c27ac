"""Team: per person, KPIs owned, check-ins over 8 weeks, hours; who is overdue."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import charts, state, ui
from tracker.clock import iso_week

store = state.store()
with store.session():
    day = state.as_of()
    report = state.cached(state.team, day)
    last_week = state.cached(state.checkins, iso_week(day - dt.timedelta(days=7)), day)
    working = state.cached(state.working, day)

st.title("Team")
st.caption(
    f"Check-ins over the last {len(report.weeks)} weeks ({report.weeks[0]} – {report.weeks[-1]})"
)
rows = [
    {
        "person": p.name,
        "role": p.role,
        "KPIs owned": p.kpis_owned,
        "on time": p.on_time,
        "late": p.late,
        "missing": p.missing,
        "on-time rate": p.on_time_rate,
        "hours logged": p.hours,
    }
    for p in report.people
]
st.dataframe(
    rows,
    hide_index=True,
    column_config={"on-time rate": st.column_config.NumberColumn(format="percent")},
)
st.plotly_chart(charts.team_chart([p for p in report.people if p.kpis_owned]), key="team_chart")

st.subheader("Overdue check-ins")
ui.overdue_list(last_week.kpis)

st.subheader("Cost per outcome by channel")
ui.working_table(working.channels)
