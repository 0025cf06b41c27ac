"""My week: what is due, quick entry for my metrics, my check-ins and streaks."""

from __future__ import annotations

import streamlit as st

from dashboard import state, ui
from dashboard.entry_form import entry_form
from tracker import formats
from tracker.checkins import record_checkin
from tracker.permissions import writable_metrics
from tracker.progress import period_history, streak
from tracker.vocab import CONFIDENCE_LABEL

store = state.store()
actor = st.session_state["actor"]
with store.session():
    day = state.as_of()
    report = state.cached(state.progress, day)
    week = state.cached(state.checkins, None, day)
    plan = state.cached(state.plan)
    mine_metrics = writable_metrics(store, actor)

st.title(f"My week — {ui.text(actor.name)}")
mine = [k for k in report.kpis if k.owner == actor.key]
due = [s for s in week.kpis if s.owner == actor.key]
if not mine:
    st.info("You own no KPI yet. A manager assigns owners on the Plan page.")

st.subheader("Due this week")
names = {k.kpi: k.name or k.kpi for k in report.kpis}
label = {"due": "… due", "on_time": "✓ done", "late": "◷ late", "missing": "✕ missing"}
for s in due:
    st.markdown(
        f"{label[s.state]} — **{ui.text(names.get(s.kpi, s.kpi))}** ({formats.period(s.period)})"
    )
for u in week.upcoming:
    if u.owner == actor.key:
        st.markdown(
            f"◌ starts on {u.starts:%a %d %b} — **{ui.text(names.get(u.kpi, u.kpi))}**"
            " (nothing due yet)"
        )
if not due:
    st.write("Nothing is due this week.")

st.subheader("Quick entry")
metrics = [m for m in plan.metrics if mine_metrics is None or m.key in mine_metrics]
if metrics:
    with store.session():
        entry_form(store, actor, metrics, plan.people, day, key="myweek")
else:
    st.caption("No metric to log yet: you log the metrics of the KPIs you own.")

st.subheader("Check in")
if mine:
    with st.form("myweek_checkin", clear_on_submit=True):
        kpi = st.selectbox("KPI", [k.kpi for k in mine], format_func=names.get)
        confidence = st.radio(
            "How does it look?",
            list(CONFIDENCE_LABEL),
            format_func=CONFIDENCE_LABEL.get,
            horizontal=True,
            index=None,  # no preselected answer: the owner has to say
            key="myweek_confidence",
        )
        progress = st.text_input("Progress: what moved")
        plans = st.text_input("Plans: what is next")
        problems = st.text_input("Problems: what blocks it")
        submitted = st.form_submit_button("Check in")
        if submitted and confidence is None:
            st.error("Say how it looks first: on track, at risk or off track.")
        elif submitted:
            ui.run_safely(
                lambda: record_checkin(
                    store,
                    actor,
                    kpi,
                    confidence,
                    progress=progress or None,
                    plans=plans or None,
                    problems=problems or None,
                ),
                "Checked in.",
                rerun=True,  # the due list above shows it done
            )

st.subheader("My KPIs and streaks")
for k in mine:
    target = f" of {formats.kpi_value(k, k.target)}" if k.target is not None else " (no target yet)"
    line = (
        f"{ui.status_label(k.status)} — **{ui.text(k.name or k.kpi)}**:"
        f" {formats.kpi_value(k, k.current)}{target}"
    )
    if k.per:
        with store.session():
            line += f" · streak {ui.count(streak(period_history(store, k.kpi, day)), k.per)}"
    st.markdown(line)
