"""Log values: one value, or a week of values in a grid; with the recent audit trail."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import streamlit as st

from dashboard import state, ui
from tracker.auditlog import entries
from tracker.observations import incoming_schema, log_value, write_observations
from tracker.permissions import assigned_metrics

store = state.store()
actor = st.session_state["actor"]
with store.session():
    day = state.as_of()
    plan = state.cached(state.plan)
    with store.read() as con:
        allowed = assigned_metrics(con, actor)
metrics = [m for m in plan.metrics if allowed is None or m.key in allowed]
names = {m.key: m.name for m in metrics}

st.title("Log values")
if not metrics:
    st.info("There is no metric you may log. Metrics come from the plan (Plan page).")
    st.stop()

with st.form("log_one", clear_on_submit=True):
    st.subheader("One value")
    metric = st.selectbox("Metric", list(names), format_func=names.get, key="log_metric")
    value = st.number_input("Value", value=0.0, step=1.0, key="log_value")
    when = st.date_input("Day", value=day, key="log_day")
    note = st.text_input("Note (optional)", key="log_note")
    if st.form_submit_button("Save", type="primary"):
        ui.run_safely(
            lambda: log_value(store, actor, metric, value, day=when, note=note or None),
            f"Saved {names[metric]} = {value:g}.",
        )

st.subheader("A week of values")
monday = day - dt.timedelta(days=day.weekday())
start = st.date_input("Week starting", value=monday, key="log_week_start")
days = [start + dt.timedelta(days=i) for i in range(7)]
chosen = st.multiselect(
    "Metrics", list(names), default=list(names)[:3], format_func=names.get, key="log_grid_metrics"
)
grid = [{"metric": names[m], **{d.strftime("%a %d"): None for d in days}} for m in chosen]
edited = st.data_editor(grid, hide_index=True, disabled=["metric"], key="log_grid")
if st.button("Save the week", key="log_grid_save"):
    keys = {names[m]: m for m in chosen}
    rows = [
        (keys[r["metric"]], d, float(r[d.strftime("%a %d")]))
        for r in edited
        for d in days
        if r.get(d.strftime("%a %d")) is not None
    ]
    table = pa.table(
        {
            "line": list(range(1, len(rows) + 1)),
            "day": [r[1] for r in rows],
            "metric": [r[0] for r in rows],
            "value": [r[2] for r in rows],
            "source": ["manual"] * len(rows),
            "recorded_by": [None if actor.key == "local" else actor.key] * len(rows),
            "note": [None] * len(rows),
        },
        schema=incoming_schema(),
    )
    ui.run_safely(
        lambda: write_observations(store, actor, table, label="dashboard grid"),
        f"Saved {len(rows)} value(s).",
    )

st.subheader("Recent changes")
with store.session():
    recent = [e for e in entries(store, limit=200) if e.entity in ("observation", "observations")]
st.dataframe(
    [
        {
            "when (UTC)": e.at,
            "who": e.actor,
            "what": e.key,
            "old": str(e.old_value or ""),
            "new": str(e.new_value or ""),
        }
        for e in recent[:30]
    ],
    hide_index=True,
)
