"""Objective: the POST card, each KPI's chart against its pace, streaks and check-ins."""

from __future__ import annotations

import streamlit as st

import charts
from dashboard import state, ui
from tracker import formats, vocab
from tracker.annotations import list_annotations
from tracker.checkins import history, said
from tracker.vanity import days_behind
from tracker.vocab import CONFIDENCE_LABEL, outcome_label

store = state.store()
with store.session():
    day = state.as_of()
    plan = state.cached(state.plan)
    report = state.cached(state.progress, day)
    people = state.cached(state.names)["person"]  # the local manager included


def who(key: str | None) -> str:
    return people.get(key or "", key or "nobody")


if not plan.objectives:
    st.info("No objectives yet: a manager writes them on the Plan page.")
    st.stop()

keys = [o.key for o in plan.objectives]
wanted = st.query_params.get("objective")
choice = st.selectbox(
    "Objective",
    keys,
    index=keys.index(wanted) if wanted in keys else 0,
    format_func=lambda k: next(o.title for o in plan.objectives if o.key == k),
    key="objective_choice",
)
st.query_params["objective"] = choice
obj = next(o for o in plan.objectives if o.key == choice)
standing = next(o for o in report.objectives if o.objective == choice)

st.title(ui.text(obj.title))
ui.chip(standing.status)
why, counts = ui.objective_standing(standing, {k.kpi: k for k in report.kpis})
# one line of counts under the status: the page's KPIs follow with their own chips
st.markdown((why + "  \n" if why else "") + " · ".join(counts))
with st.container(border=True):
    st.markdown("**People** — who we want to reach, and where they spend time")
    st.markdown(ui.text(obj.people) or "not written yet")
    st.markdown(f"**Objective** — business outcome: {outcome_label(obj.outcome)}")
    st.markdown("**Strategy**")
    st.markdown(ui.text(obj.strategy) or "not written yet")
    st.markdown(
        "**Technology** — channels: "
        + (ui.text(", ".join(vocab.channel_label(c) for c in obj.channels)) or "none yet")
    )
    owner = ui.people(plan).get(obj.owner, obj.owner) if obj.owner else "nobody"
    dates = f"{formats.long_day(obj.start)} → {formats.long_day(obj.deadline)}"
    st.caption(f"Owner: {ui.text(owner)} · {dates}")

kpis = [k for k in report.kpis if k.objective == choice]
if not kpis:
    st.info("This objective has no KPI yet: add one with a target and a deadline.")
cadences = {x.key: x.cadence for o in plan.objectives for x in o.kpis}
with store.session():
    notes = list_annotations(store)
    for k in kpis:
        st.subheader(ui.text(k.name or k.kpi))
        ui.chip(k.status)
        if k.status == "not_started" and k.start is not None:
            # when it starts, as My week says it: nothing is judged before then
            st.caption(
                f"Starts on {k.start:%a} {formats.long_day(k.start)}: nothing is due before."
            )
        elif k.status == "missed":
            # said where a phone shows it (a help icon has no hover there), not "100%
            # expected by now"
            when = formats.kpi_when(k)
            st.caption(f"{when[:1].upper()}{when[1:]}: the deadline passed before the target.")
        # a current value read weeks ago is shown as today's number otherwise
        behind = days_behind(k, cadences.get(k.kpi), day)
        if behind is not None and k.last_day is not None:
            st.caption(
                f"Last value on {formats.short_day(k.last_day)}, {behind}"
                " days before the numbers below: log or import what came since."
            )
        weekless = k.aggregation in formats.NO_WEEKLY_AMOUNT
        tiles = [
            ("current", formats.kpi_value(k, k.current), None),
            ("target", formats.kpi_value(k, k.target), None),
            ("progress", formats.percent(k.progress), formats.kpi_when(k) or None),
            ("forecast", formats.kpi_value(k, k.forecast), formats.forecast_word(k)),
            (
                "needed per week",
                formats.weekly_need(k),
                "a rate or an average has no weekly amount" if weekless else None,
            ),
        ]
        # five abreast hold about nine characters each at 1400 px: a longer number
        # ("$723,000.00") was cut with "…", so such a KPI's tiles go three and two
        rows = [tiles] if max(len(v) for _, v, _ in tiles) <= 9 else [tiles[:3], tiles[3:]]
        for row in rows:
            # the second of two rows fills two of three columns
            cols = st.columns(3 if len(rows) > 1 else 5)
            for col, (label, value, why) in zip(cols, row, strict=False):
                col.metric(label, value, help=why)
        series = state.cached(state.series, k.kpi, day)
        metrics = set((k.metric or "").split("/"))
        mine = [n for n in notes if n.metric in metrics or n.metric is None]
        # only the notes in the chart's own span: one outside it stretched the axis (a
        # week's KPI drawn as a sliver beside a note from October) and had a ✎ on the
        # chart with no words under it
        span = [d for line in (series.actual, series.expected, series.forecast) for d, _ in line]
        shown = [n for n in mine if span and min(span) <= n.day <= max(span)]
        st.plotly_chart(charts.kpi_chart(series, shown, kpi=k), key=f"objective_chart_{k.kpi}")
        # the chart marks a note with ✎ and shows its words on hover, which a phone has
        # not: they are written under it
        if shown:
            st.caption(
                "✎ "
                + " · ".join(
                    f"{formats.short_day(n.day)}: {ui.text(n.text)}"
                    for n in sorted(shown, key=lambda n: n.day)
                )
            )
        if k.per:
            from tracker.progress import period_history, streak

            past = period_history(store, k.kpi, day)
            st.caption(f"Streak: {ui.count(streak(past), k.per)} in a row on target")
            if past:
                st.plotly_chart(
                    charts.streak_chart(past[-12:], kpi=k), key=f"objective_streak_{k.kpi}"
                )
        with st.expander("Check-in history"):
            rows = history(store, k.kpi, 12)
            if not rows:
                st.write("No check-ins yet.")
            for c in rows:
                # names, not keys; a check-in typed for its owner says who typed it
                by = f" (entered by {ui.text(who(c.recorded_by))})" if c.recorded_by else ""
                st.markdown(
                    f"**{formats.period(c.period)}** — {ui.text(who(c.person))}{by} says"
                    f" {CONFIDENCE_LABEL.get(c.confidence, c.confidence)}"
                    # what was written, labelled as the weekly review shows it
                    + "".join(f"\n- {label}: {ui.text(text)}" for label, text in said(c))
                )
