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
missing = [s for s in last_week.kpis if s.state == "missing"]
if not missing:
    st.write("Nobody is overdue.")
for s in missing:
    st.markdown(f"✕ {ui.text(s.kpi)} — {ui.text(s.owner)} ({s.period})")

st.subheader("Cost per outcome by channel")
st.dataframe(
    [
        {
            "channel": r.channel,
            "outcome": r.outcome_name,
            "units": r.units,
            "hours": r.hours,
            "cost": r.cost,
            "units per hour": r.units_per_hour,
            "cost per unit": r.cost_per_unit,
        }
        for r in working.channels
    ],
    hide_index=True,
)
