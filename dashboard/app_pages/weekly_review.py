"""Weekly review: one ISO week, deltas, statuses that changed, check-ins, flags, decisions."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import state, ui
from tracker.annotations import add_annotation
from tracker.clock import iso_week
from tracker.report import render_html, render_markdown, weekly_review

store = state.store()
actor = st.session_state["actor"]
day = state.as_of()
weeks = [iso_week(day - dt.timedelta(days=7 * i)) for i in range(1, 27)]
week = st.selectbox("Week", weeks, key="weekly_week")
with store.session():
    review = weekly_review(store, week)

st.title(f"Weekly review {review.week}")
st.caption(f"{review.start:%d %b} – {review.end:%d %b %Y}")
rows = [
    {
        "KPI": k.now.name or k.now.kpi,
        "status": ui.status_label(k.now.status),
        "last week": ui.status_label(k.before.status) if k.before else "–",
        "current": k.now.current,
        "change this week": k.delta,
        "progress": k.now.progress,
        "expected": k.now.expected,
    }
    for k in review.kpis
]
st.dataframe(
    rows,
    hide_index=True,
    column_config={
        "progress": st.column_config.NumberColumn(format="percent"),
        "expected": st.column_config.NumberColumn(format="percent"),
    },
)

st.subheader("Statuses that changed")
if not review.changed:
    st.write("None.")
for k in review.changed:
    st.markdown(
        f"{ui.text(k.now.name or k.now.kpi)}: {ui.status_label(k.before.status)} →"
        f" {ui.status_label(k.now.status)}"
    )

st.subheader("Check-ins")
for c in review.checkins:
    line = f"**{ui.text(c.kpi)}** ({ui.text(c.owner)}) — {c.state.replace('_', ' ')}"
    if c.confidence:
        line += f", says {c.confidence.replace('_', ' ')}"
    st.markdown(line)
    for label, value in (("progress", c.progress), ("plans", c.plans), ("problems", c.problems)):
        if value:
            st.markdown(f"  - {label}: {ui.text(value)}")

st.subheader("Flags")
for f in review.flags:
    st.markdown(f"▲ **{ui.text(f.code)}** {ui.text(f.subject)}: {ui.text(f.message)}")

st.subheader("Decisions")
for d in review.decisions:
    st.markdown(f"- {d.day}: {ui.text(d.text)}")
if actor.role == "manager":
    with st.form("weekly_decision", clear_on_submit=True):
        text = st.text_area("Decision", placeholder="What we decided at this review")
        if st.form_submit_button("Save decision"):
            ui.run_safely(
                lambda: add_annotation(store, actor, review.end, text, kind="decision"),
                "Decision saved.",
            )

left, right = st.columns(2)
left.download_button(
    "Download Markdown",
    render_markdown(review),
    f"weekly-{week}.md",
    mime="text/markdown",
    key="weekly_md",
)
right.download_button(
    "Download HTML", render_html(review), f"weekly-{week}.html", mime="text/html", key="weekly_html"
)
