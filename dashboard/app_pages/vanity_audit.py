"""Vanity audit: each flag with its evidence, acknowledgements, and what's working."""

from __future__ import annotations

import datetime as dt

import streamlit as st

import charts
from dashboard import state, ui
from tracker.observations import daily_values
from tracker.vanity import acknowledge, evidence_table

store = state.store()
actor = st.session_state["actor"]
with store.session():
    day = state.as_of()
    report = state.cached(state.audit, day)
    working = state.cached(state.working, day)
    plan = state.cached(state.plan)
names = ui.names(plan)

st.title("Vanity audit")
st.caption(
    "What would you do differently if this number moved? If nothing, it is a vanity"
    " metric. Each flag shows the numbers behind it."
)
if not report.flags:
    st.success("No flags: every objective has an outcome KPI and every KPI has fresh data.")

for i, flag in enumerate(report.flags):
    icon = "✓" if flag.acknowledged else ("▲" if flag.severity == "warning" else "·")
    with st.expander(
        f"{icon} {ui.text(flag.title)} — {ui.text(flag.subject_name)}",
        expanded=not flag.acknowledged and flag.severity == "warning" and i < 4,
    ):
        st.markdown(ui.text(flag.message))
        st.caption("Next step: " + flag.next_step)
        if flag.acknowledged:
            st.info(f"Acknowledged by {ui.text(flag.acked_by)}: {ui.text(flag.ack_reason)}")
        ev = flag.evidence
        if flag.code in ("unqualified_growth", "no_link_to_outcome"):
            outcome = ev.get("best_outcome") or next(iter(ev.get("outcomes") or []), None)
            if outcome:
                start = day - dt.timedelta(days=182)
                with store.session():
                    lead = daily_values(store, ev["metric"], start, day)
                    out = daily_values(store, outcome, start, day)
                st.plotly_chart(
                    charts.evidence_chart(
                        lead, out, names.get(ev["metric"], ""), names.get(outcome, outcome)
                    ),
                    key=f"vanity_evidence_{i}",
                )
        st.dataframe(evidence_table(ev, names), hide_index=True)
        if actor.role == "manager" and not flag.acknowledged:
            with st.form(f"vanity_ack_{i}"):
                reason = st.text_input("Why is this acceptable?", key=f"vanity_reason_{i}")
                if st.form_submit_button("Acknowledge"):
                    ui.run_safely(
                        lambda f=flag, r=reason: acknowledge(
                            store, actor, f.code, f.subject, r, day
                        ),
                        "Acknowledged.",
                    )

st.subheader("What's working")
ui.working_table(working)
if working.leaders:
    st.markdown("**Metrics that lead outcomes** (strongest weekly correlation)")
    st.dataframe(
        [
            {
                "metric": names.get(x.metric, x.metric),
                "outcome": names.get(x.outcome, x.outcome),
                "|r|": x.best_abs_r,
                "weeks later": x.lag_weeks,
            }
            for x in working.leaders[:10]
        ],
        hide_index=True,
    )
