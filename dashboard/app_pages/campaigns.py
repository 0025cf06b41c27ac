"""Campaigns: did each campaign move the outcome? Actual against what the weeks before
predicted, with the campaign's cost (tracker.impact does the work; docs/impact.md)."""

from __future__ import annotations

import streamlit as st

import charts
from dashboard import state, ui

VERDICT = {
    # shapes of their own: ▲ and ● mean statuses (at risk, on track) everywhere else
    "effect": ("◆ moved it", "green"),
    "no_effect": ("◇ no clear change", "gray"),
}

with state.store().session():
    summaries = state.cached(state.impacts, state.as_of())

st.title("Campaigns")
st.caption(
    "For each campaign, each outcome of its objective and each metric of its channels:"
    " what happened during the campaign against what the 8 to 16 weeks before it"
    " predicted (trend and weekday rhythm), with a 90% band. An effect is claimed only when"
    " the whole band is above (or below) zero. How it works: docs/impact.md."
)
if not summaries:
    st.info("No campaigns yet: add them under an objective on the Plan page.")
    st.stop()

for s in summaries:
    with st.container(border=True):
        st.subheader(ui.text(s.name))
        first, *rest = s.facts()
        facts = [first, f"for *{ui.text(s.objective_title)}*", *(ui.text(f) for f in rest)]
        st.markdown(" · ".join(facts))
        judged = [i for i in s.impacts if i.verdict != "not_enough_data"]
        missing = [i for i in s.impacts if i.verdict == "not_enough_data"]
        unmeasured = s.nothing_to_compare()
        if unmeasured:
            st.info(ui.text(unmeasured[0].upper() + unmeasured[1:]) + ".")
            continue
        not_judged = s.not_judged()
        if not_judged:
            lead, reasons = not_judged
            st.info(f"{lead}: " + "; ".join(ui.text(r) for r in reasons) + ".")
            continue
        for i in judged:
            word, colour = VERDICT[i.verdict]
            st.badge(f"{word}: {ui.badge_text(i.metric_name)}", color=colour)  # type: ignore[arg-type]
            st.markdown(ui.text(i.sentence()))
            line = s.cost_line(i)
            if line is not None:
                st.caption(ui.text(line))
            st.plotly_chart(charts.impact_chart(i), key=f"impact_{s.key}_{i.metric}")
        by_reason: dict[str, list[str]] = {}
        for i in missing:  # each metric with its own reason, not the first one's for all
            by_reason.setdefault(i.reason or "", []).append(ui.text(i.metric_name))
        for reason, names in by_reason.items():
            st.caption(f"Not enough data to judge {', '.join(names)}: {ui.text(reason)}.")
        if s.caveats:
            st.caption("Read with care: " + "; ".join(ui.text(c) for c in s.caveats) + ".")
