"""Log values: one entry at a time (seeing the day's entries first), a week in a grid, and
the latest changes with an undo button each."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import state, ui
from dashboard.entry_form import entry_form, mine_first, recent_changes
from tracker import formats
from tracker.checks import BelowMinimum, OutlierNeedsConfirmation
from tracker.entries import hand_logged, log_week
from tracker.errors import WaypointError
from tracker.observations import daily_values
from tracker.periods import Period
from tracker.permissions import writable_metrics

store = state.store()
actor = st.session_state["actor"]
with store.session():
    day = state.as_of()
    plan = state.cached(state.plan)
    allowed = writable_metrics(store, actor)
metrics = mine_first([m for m in plan.metrics if allowed is None or m.key in allowed], plan, actor)
names = {m.key: m.name for m in metrics}

st.title("Log values")
if not metrics:
    st.info("There is no metric you may log. Metrics come from the plan (Plan page).")
    st.stop()

st.subheader("One value")
with store.session():
    entry_form(store, actor, metrics, plan.people, day, key="log")

st.subheader("A week of values")
st.caption("Each number is added as an entry of its day; empty cells are left alone.")
monday = Period.week_of(day).first
start = st.date_input(
    "Week starting", value=monday, max_value=day, key="log_week_start", format="YYYY-MM-DD"
)
days = [start + dt.timedelta(days=i) for i in range(7) if start + dt.timedelta(days=i) <= day]
# opens on what the person types in by hand (the last four weeks' entries), then on the
# metrics of their own KPIs: it opened on the plan's first three, imported ones among them
with store.session():
    typed = [m for m in hand_logged(store, actor, day - dt.timedelta(days=28)) if m in names]
default = list(dict.fromkeys([*typed, *names]))[:3]
chosen = st.multiselect(
    "Metrics", list(names), default=default, format_func=names.get, key="log_grid_metrics"
)
if chosen and days:
    # What each day counts now, above the grid that adds to it: typing a week's totals
    # into an empty grid beside days that hold values would count them twice
    with store.session():
        counted = {m: dict(daily_values(store, m, days[0], days[-1])) for m in chosen}
    st.caption(
        "Counted so far, each day as it stands. A number typed below adds to the day of a"
        " metric that adds up (posts, leads) and is the new level of one read as a level"
        " (followers)."
    )
    st.dataframe(
        [
            {
                "metric": names[m],
                **{
                    d.strftime("%a %d"): formats.number(counted[m][d]) if d in counted[m] else ""
                    for d in days
                },
            }
            for m in chosen
        ],
        hide_index=True,
        key="week_counted",
    )
grid = [{"metric": names[m], **{d.strftime("%a %d"): None for d in days}} for m in chosen]
# Empty cells wait for a number: shown blank, not as "None". Each save starts a new grid
# (a new key): numbers left in it would be added again by the next press.
saved_grids = st.session_state.get("log_grid_saves", 0)
edited = st.data_editor(
    grid,
    hide_index=True,
    disabled=["metric"],
    key=f"log_grid_{saved_grids}",
    placeholder="",
    # text cells read as the one-value field reads them: a number cell dropped a decimal
    # comma (2,5 was stored as 25)
    column_config={d.strftime("%a %d"): st.column_config.TextColumn() for d in days},
)


def grid_rows() -> list[tuple[str, dt.date, float]]:
    """The grid's numbers as (metric, day, value); ValueError naming the first bad cell."""
    keys = {names[m]: m for m in chosen}
    out = []
    for r in edited:
        for d in days:
            where = f"{r['metric']}, {formats.short_day(d)}"
            number = ui.typed_number(where, r.get(d.strftime("%a %d")))
            if number is not None:
                out.append((keys[r["metric"]], d, number))
    return out


def save_week(
    rows: list[tuple[str, dt.date, float]], *, confirmed: list[tuple[str, dt.date]]
) -> None:
    """Store the week's numbers; far-out values ask first, as the one-value form does, in
    the page's words and all of them at once: the answer stores only the values it named
    (it said "store it with --yes", and nothing could store it)."""
    entries = "1 entry" if len(rows) == 1 else f"{len(rows)} entries"
    try:
        with store.session():
            log_week(store, actor, rows, confirmed=confirmed)
    except OutlierNeedsConfirmation as exc:
        sentences = [
            ui.text(o.sentence(names.get(o.metric, o.metric), formats.short_day(o.day), typed))
            for o, typed in exc.found
        ]
        it = "it is" if len(sentences) == 1 else "they are"
        st.session_state["log_grid_pending"] = {
            "rows": rows,
            "asked": [(o.metric, o.day) for o, _ in exc.found],
            "message": (
                f"{sentences[0]}."
                if len(sentences) == 1
                else "\n".join(f"- {line}." for line in sentences) + "\n\n"
            )
            + f" If {it} right, press **Store the week anyway**; if not, correct the grid.",
        }
        st.rerun()
    except BelowMinimum as exc:
        st.error(
            # the refusal's own first sentence, without the command line's advice
            ui.text(str(exc).split(" To correct")[0].rstrip("."))
            + ". Correct that cell; to lower a day's value, delete an entry in the list above"
            " the grid or replace the day's value in the one-value form."
        )
        return
    except WaypointError as exc:
        st.error(ui.text(ui.refusal_words(exc)))
        return
    st.session_state["log_grid_saves"] = saved_grids + 1
    st.session_state.pop("log_grid_pending", None)
    st.session_state[ui.FLASH] = (
        "log_grid",
        f"Saved {entries} of the week; the grid is empty again.",
    )
    st.rerun()


try:
    rows = grid_rows()
    problem = None
except ValueError as exc:
    rows, problem = [], ui.text(str(exc))
pending = st.session_state.get("log_grid_pending")
if pending is not None and pending["rows"] != rows:
    st.session_state.pop("log_grid_pending")  # the grid changed: a new question
    pending = None
if pending is not None:
    st.warning(pending["message"])
    if st.button("Store the week anyway", key="log_grid_confirm", type="primary"):
        save_week(pending["rows"], confirmed=pending["asked"])
if st.button("Save the week", key="log_grid_save"):
    st.session_state.pop("log_grid_pending", None)
    if problem is not None:
        st.error(problem)
    elif not rows:
        st.info("Type at least one number in the grid first.")
    else:
        save_week(rows, confirmed=[])
ui.show_flash("log_grid")

st.subheader("Recent changes")
with store.session():
    recent_changes(store, actor, plan.people, key="log_recent")
