"""My week: what is due, quick entry for my metrics, my check-ins and streaks."""

from __future__ import annotations

import streamlit as st

from dashboard import state, ui
from dashboard.entry_form import entry_form, mine_first
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
    # last week's (or month's) check-ins still owed (on Monday, still on time): given here too
    still_owed = [s for s in state.cached(state.owed, day) if s.owner == actor.key]

st.title(f"My week — {ui.text(actor.name)}")
mine = [k for k in report.kpis if k.owner == actor.key]
due = [s for s in week.kpis if s.owner == actor.key]
if not mine:
    st.info("You own no KPI yet. A manager assigns owners on the Plan page.")

st.subheader("Due")
names = {k.kpi: k.name or k.kpi for k in report.kpis}
label = {"due": "… due", "on_time": "✓ done", "late": "◷ late", "missing": "✕ missing"}
for s in still_owed + due:
    # a period that has ended and is still due is on time only until the end of today
    said = "… due today" if s in still_owed and s.state == "due" else label[s.state]
    # what made it done: a value logged counts as the check-in (DESIGN), which turned a KPI
    # "done" without a word; a check-in shows the word given
    how = ""
    if s.state in ("on_time", "late"):
        how = (
            f" · you said {CONFIDENCE_LABEL[s.confidence]}"
            if s.confidence
            else " · a value you logged counts; check in to add how it is going"
        )
    st.markdown(
        f"{said} — **{ui.text(names.get(s.kpi, s.kpi))}** ({formats.period(s.period)}){how}"
    )
for u in week.upcoming:
    if u.owner == actor.key:
        st.markdown(
            f"◌ starts on {formats.short_day(u.starts)} — **{ui.text(names.get(u.kpi, u.kpi))}**"
            " (nothing due yet)"
        )
if not (still_owed or due):
    st.write("Nothing is due this week.")

st.subheader("Quick entry")
metrics = mine_first(
    [m for m in plan.metrics if mine_metrics is None or m.key in mine_metrics], plan, actor
)
if metrics:
    with store.session():
        entry_form(store, actor, metrics, plan.people, day, key="myweek")
else:
    st.caption("No metric to log yet: you log the metrics of the KPIs you own.")

st.subheader("Check in")
# What can be checked in: what is owed from last week first, then this week's, those
# still due before those done (the first choice is the one to do next). Only what a
# check-in can be given for: a KPI not started, or ended before this period, was offered
# and refused on submit ("nothing is due for 2026-W45").
order = {"missing": 0, "due": 1, "late": 2, "on_time": 2}
choices = [(s.kpi, s.period, s.state) for s in still_owed]
choices += sorted(((s.kpi, s.period, s.state) for s in due), key=lambda c: order[c[2]])
after = {"missing": " (missing)", "on_time": " (done)", "late": " (done, late)"}


def choice_label(choice: tuple) -> str:
    # the period and its state first: a phone's box shows the start of the label only,
    # and two choices of one KPI differ by their period ("... this half · week of 9 Nov"
    # hid which week, and that it was missing)
    kpi, period, state = choice
    when = f"{formats.period(period)}{after.get(state, '')} · " if period else ""
    return f"{when}{names.get(kpi, kpi)}"


if not choices:
    st.caption(
        "Nothing to check in on: none of your KPIs runs this week."
        if mine
        else "Nothing to check in on: you own no KPI."
    )
else:
    with st.form("myweek_checkin", clear_on_submit=True):
        chosen = st.selectbox("KPI", choices, format_func=choice_label, key="myweek_kpi")
        kpi, period = chosen[0], chosen[1]
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
                    period=period,
                    progress=progress or None,
                    plans=plans or None,
                    problems=problems or None,
                ),
                f"Checked in: {ui.text(names.get(kpi, kpi))}"
                + (f" ({formats.period(period)})" if period else "")
                + f", {CONFIDENCE_LABEL[confidence].lower()}.",
                rerun=True,  # the due list above shows it done
            )

st.subheader("My KPIs and streaks")
if not mine:
    st.caption("No KPI of yours yet.")
for k in mine:
    # as every face states a KPI: "456 of 600, from 364", a health KPI "2.6 h, to stay
    # below 4 h" ("of 4 h" read as short of it; "456 of 600" alone as three-quarters done)
    numbers = (
        formats.kpi_numbers(k, detail=False)
        if k.target is not None
        else f"{formats.kpi_value(k, k.current)} (no target yet)"
    )
    line = f"{ui.status_label(k.status)} — **{ui.text(k.name or k.kpi)}**: {ui.text(numbers)}"
    if k.per:
        with store.session():
            line += f" · streak {ui.count(streak(period_history(store, k.kpi, day)), k.per)}"
    st.markdown(line)
