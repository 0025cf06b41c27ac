"""Summary: the manager's one page. Are we on track, and is what we count worth counting?"""

from __future__ import annotations

import datetime as dt

import streamlit as st

import charts
from dashboard import state, ui
from tracker import formats

store = state.store()
with store.session():
    day = state.as_of()
    plan = state.cached(state.plan)

# The title first: Streamlit sends each element as it is drawn, so the page shows whose
# it is while the numbers below are computed (a cold server's first visit).
st.title(ui.text(plan.workspace.name))
if plan.workspace.vision:
    st.markdown(f"*{ui.text(plan.workspace.vision)}*")
st.caption(f"As of {day:%A %d %B %Y}")

with store.session():
    report = state.cached(state.progress, day)
    before = state.cached(state.progress, day - dt.timedelta(days=7))
    audit = state.cached(state.audit, day)
    owed = state.cached(state.owed, day)

if not plan.objectives:
    st.info(
        "No objectives yet. Start with what you want to accomplish: write an objective (who"
        " you want to reach, which business outcome, your strategy, the channels), then add"
        " KPIs with a target and a deadline. Managers do this on the Plan page or with"
        " `waypoint plan apply plan.yaml`."
    )
    st.stop()

# One line of counts (not four stacked metrics): on a phone the worst objectives stay on
# the first screen.
st.markdown(
    "#### " + " · ".join(f"{ui.status_label(s)} **{n}**" for s, n in report.counts().items())
)

st.subheader("Objectives")
by_kpi = {k.kpi: k for k in report.kpis}
# Worst first, and a page that stays readable (and fast) for an agency with 100 objectives.
ranked = report.objectives_worst_first()
SHOWN = 12
if len(ranked) > SHOWN:
    st.caption(
        f"The {SHOWN} objectives that need attention most, of {len(ranked)}; the"
        " Objective page has every one."
    )
for obj in ranked[:SHOWN]:
    with st.container(border=True):
        left, right = st.columns([3, 2])
        with left:
            st.markdown(f"**{ui.text(obj.title)}**")
            ui.chip(obj.status)
            why, counts = ui.objective_standing(obj, by_kpi)
            if why:
                st.markdown(why)
            st.page_link(
                "app_pages/objective.py",
                label="Open objective",
                query_params={"objective": obj.objective},
            )
        with right:
            st.markdown("  \n".join(counts))

st.subheader("Progress against the pace")
behind = report.behind_pace(25)
st.caption("The KPIs furthest behind their pace (up to 25).")
st.plotly_chart(charts.progress_bars(behind), key="summary_progress")

left, right = st.columns(2)
with left:
    st.subheader("Open vanity flags")
    # one line per metric (the Vanity audit's cards), untracked numbers left to that page
    cards = [c for c in audit.cards() if c.open]
    if not cards:
        st.write("None open.")
    for card in cards[:6]:
        titles = " · ".join(card.titles(open_only=True))
        st.markdown(f"▲ **{ui.text(card.name)}**: {ui.text(titles)}")
    if len(cards) > 6:
        st.caption(f"and {len(cards) - 6} more")
    st.page_link("app_pages/vanity_audit.py", label="See the numbers behind each flag")
with right:
    st.subheader("Overdue check-ins")
    ui.overdue_list(owed, plan)

# named by its day: the weekly review compares with the end of the week before, and
# "since last week" on both read as one comparison that disagreed
st.subheader(f"What changed since {formats.short_day(day - dt.timedelta(days=7))}")
changes = report.changed_since(before)
if not changes:
    st.write("No KPI changed status.")
for was, k in changes:
    st.markdown(f"{ui.text(k.name or k.kpi)}: {ui.status_label(was)} → {ui.status_label(k.status)}")
