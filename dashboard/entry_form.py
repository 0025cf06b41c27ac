"""The one way to log a value on the dashboard (Log values and My week share it).

It shows what is already stored for the metric and day (who, when, the note) before
anything is added, refuses in the input what the CLI refuses, asks before storing a value
far outside the metric's range, and offers to take the entry back right after saving.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from dashboard import ui
from tracker import formats
from tracker.changes import list_changes, may_take_back, undo
from tracker.checks import BelowMinimum, OutlierNeedsConfirmation
from tracker.clock import workspace_timezone
from tracker.entries import day_entries, delete_values, log_entry, may_change
from tracker.errors import WaypointError
from tracker.names import change_summary, names_of
from tracker.periods import FIRST_DAY, LAST_DAY
from tracker.records import Actor
from tracker.vocab import source_label

# values here are what people typed: shown to six significant digits as `log` and
# `values` show them (the page said 4.12 stars for an entry of 4.125)
TYPED = 6


def _who(key: str | None, names: dict[str, str]) -> str:
    if key is None or key == "local":
        return "a manager"
    return names.get(key, key)


def _stored_for_day(
    store: Any, actor: Actor, metric: Any, day: dt.date, names: dict[str, str], key: str
) -> None:
    stored = day_entries(store, metric.key, day)
    if not stored:
        st.caption(
            f"Nothing is stored for {metric.name} on {formats.short_day(day, year=True)} yet."
        )
        return
    total = sum(e.value for e in stored if e.is_entry)
    timezone = workspace_timezone(store)  # times as the workspace's clock shows them
    how = "they add up" if metric.behaviour == "flow" else "the latest counts"
    st.markdown(
        f"**Already stored for {ui.text(metric.name)} on {formats.short_day(day)}** ({how}):"
    )
    for e in stored:
        left, right = st.columns([5, 1], vertical_alignment="center")
        if e.is_entry:
            origin = f"entry by {ui.text(_who(e.recorded_by, names))}"
        else:
            # as the audit names sources: "from Instagram imports", "from timesheets"
            origin = f"from {ui.text(source_label(e.source))}"
            if e.recorded_by:
                origin += f" by {ui.text(_who(e.recorded_by, names))}"
        at = formats.local_time(e.recorded_at, timezone)
        line = f"{ui.text(formats.value(e.value, metric.unit, digits=TYPED))} · {origin} at {at}"
        if e.for_person and e.for_person != e.recorded_by:
            line += f" · for {ui.text(_who(e.for_person, names))}"
        if e.note:
            line += f" · “{ui.text(e.note)}”"
        left.markdown(line)
        pressed = may_change(actor, e) and right.button(
            "Delete", key=f"{key}_del_{e.id}", help=f"Remove value {e.id}; undo brings it back"
        )
        if pressed:
            ui.run_safely(
                lambda e=e: delete_values(store, actor, [e.id]),
                f"Deleted {ui.text(formats.value(e.value, metric.unit, digits=TYPED))} of {ui.text(metric.name)}"
                f" on {formats.short_day(day)}; Undo on the Audit log brings it back.",
                rerun=True,
            )
    if metric.behaviour == "flow" and sum(1 for e in stored if e.is_entry) > 1:
        st.caption(
            ui.text(
                f"The day's hand entries add up to {formats.value(total, metric.unit, digits=TYPED)}."
            )
        )


def mine_first(metrics: list[Any], plan: Any, actor: Actor) -> list[Any]:
    """The metrics of the person's own KPIs first, in plan order, then the rest: the form
    opens on what they are held to, not on the plan's first metric."""
    own: list[str] = []
    for objective in plan.objectives:
        for k in objective.kpis:
            if k.owner != actor.key:
                continue
            sides = (k.ratio.numerator, k.ratio.denominator) if k.ratio else ()
            for key in (k.metric, *sides):
                if key and key not in own:
                    own.append(key)
    return sorted(metrics, key=lambda m: own.index(m.key) if m.key in own else len(own))


def entry_form(
    store: Any,
    actor: Actor,
    metrics: list[Any],
    people: list[Any],
    day: dt.date,
    key: str,
) -> None:
    """Pick a metric and day, see what is stored, then add an entry or set the day's value."""
    names = {p.key: p.name for p in people}
    by_key = {m.key: m for m in metrics}
    c1, c2 = st.columns([2, 1])
    chosen = c1.selectbox(
        "Metric", list(by_key), format_func=lambda k: by_key[k].name, key=f"{key}_metric"
    )
    # No max_value: a typed day outside the widget's range kept the last valid one in
    # the field's place, and Save stored the value on that other day. The tracker
    # refuses a future day with a sentence that names it instead.
    when = c2.date_input(
        "Day",
        value=day,
        min_value=FIRST_DAY,
        max_value=LAST_DAY,
        key=f"{key}_day",
        format="YYYY-MM-DD",
    )
    metric = by_key[chosen]
    _stored_for_day(store, actor, metric, when, names, key)

    # The question about an unusual value stands above the form but is drawn after it:
    # a new Save replaces it, so "Store it anyway" can never store a number the person
    # has since typed over (or one of another metric or day they have since picked).
    question = st.container()

    with st.form(f"{key}_form", clear_on_submit=True):
        # A text field read as files and the plan page read numbers: a browser's number
        # field dropped a decimal comma (1,5 was stored as 15, no question asked). The
        # metric's own floor and the largest value are checked on Save, in words.
        typed = st.text_input(
            f"Value{f' ({ui.text(metric.unit)})' if metric.unit else ''}",  # labels are Markdown
            placeholder="type the number (2.5 or 2,5)",
            max_chars=64,
            key=f"{key}_value",
        )
        mode = st.radio(
            "How",
            ["add", "set"],
            format_func=lambda m: {
                "add": "Add an entry" + (" (entries add up)" if metric.behaviour == "flow" else ""),
                "set": "Replace the day's value",
            }[m],
            horizontal=True,
            key=f"{key}_mode",
        )
        credited: str | None = None
        if metric.class_ == "effort" and actor.role == "manager" and people:
            # whose hours: people who record values (a viewer records nothing)
            keys = [p.key for p in people if p.role in ("manager", "assistant")]
            credited = st.selectbox(
                "For (whose hours)",
                keys,
                index=keys.index(actor.key) if actor.key in keys else 0,
                format_func=lambda k: names.get(k, k),
                key=f"{key}_for",
            )
        note = st.text_input("Note (optional)", max_chars=4000, key=f"{key}_note")
        if st.form_submit_button("Save", type="primary"):
            st.session_state.pop(f"{key}_pending", None)  # a new value: a new question
            try:
                value = ui.typed_number("Value", typed)
                problem = None if value is not None else "Type a value first."
            except ValueError as exc:
                value, problem = None, ui.text(str(exc))
            if problem is not None:
                st.error(problem)
            else:
                args = {
                    "metric": metric.key,
                    "value": float(value),
                    "day": when,
                    "mode": mode,
                    "for_person": credited,
                    "note": note or None,
                }
                _save(store, actor, key, metric, confirm=False, **args)

    pending = st.session_state.get(f"{key}_pending")
    if pending is not None and (pending["args"]["metric"], pending["args"]["day"]) != (
        metric.key,
        when,
    ):
        st.session_state.pop(f"{key}_pending")  # asked about another metric or day
        pending = None
    if pending is not None:
        with question:
            st.warning(pending["message"])
            yes, no = st.columns(2)
            if yes.button("Store it anyway", key=f"{key}_confirm", type="primary"):
                st.session_state.pop(f"{key}_pending")
                _save(store, actor, key, metric, confirm=True, **pending["args"])
            if no.button("Cancel", key=f"{key}_cancel"):
                st.session_state.pop(f"{key}_pending")
                st.rerun()

    last = st.session_state.get(f"{key}_last")
    if last is not None:
        st.success(last["message"])
        if st.button("Undo this", key=f"{key}_undo_last"):
            st.session_state.pop(f"{key}_last")
            ui.run_safely(
                lambda: _taken_back(store, actor, last),
                lambda said: said,
                rerun=True,
                place=key,  # where the save's message stood
            )
    ui.show_flash(key)


def _save(store: Any, actor: Actor, key: str, info: Any, *, confirm: bool, **args: Any) -> None:
    """Log ``args`` for the metric ``info`` (its name and unit word the page's messages)."""
    name, unit = info.name, info.unit
    try:
        result = log_entry(store, actor, confirm_outlier=confirm, **args)
    except OutlierNeedsConfirmation as exc:
        # the page's words, not the command line's (--yes): the buttons below it decide
        found = exc.outlier
        message = (
            f"{ui.text(found.sentence(name, formats.short_day(found.day), exc.typed))}. If it is"
            " right, press"
            " **Store it anyway**; if not, **Cancel** and check the number."
        )
        st.session_state[f"{key}_pending"] = {"message": message, "args": args}
        st.rerun()
    except BelowMinimum as exc:
        # the page's words: the command line's names `waypoint delete` and --set
        st.error(
            f"{ui.text(name)} cannot go below {ui.text(formats.value(exc.minimum, unit))}. To correct"
            " an earlier value, delete it in the list above, or replace the day's value"
            " with the right number."
        )
        return
    except WaypointError as exc:
        st.error(ui.text(str(exc)))
        return
    verb = "Set" if args["mode"] == "set" else "Logged"
    what = (
        f"{verb} {name} {formats.value(result.value, result.unit, digits=TYPED)}"
        f" on {formats.short_day(result.day)}"
    )
    # the metric's name and unit, and warnings naming them, are plan text: escaped whole
    message = ui.text(
        f"{what}; the day's value is now"
        f" {formats.value(result.day_value, result.unit, digits=TYPED)}."
        # the warnings' `code` marks would show as backticks once escaped
        + "".join(f" Note: {warning.replace('`', '')}" for warning in result.warnings)
    )
    st.session_state[f"{key}_last"] = {
        "message": message,
        "change": result.change,
        # what its undo says, with the day's value then (it repeated the value before it)
        "what": what,
        "metric": args["metric"],
        "day": result.day,
        "unit": result.unit,
    }
    st.rerun()


def _taken_back(store: Any, actor: Actor, last: dict[str, Any]) -> str:
    """Undo the form's last save; says what it took back and the day's value after."""
    undo(store, actor, last["change"])
    from tracker.observations import daily_values

    day = last["day"]
    now = dict(daily_values(store, last["metric"], day, day)).get(day)
    after = (
        f"the day's value is back to {formats.value(now, last['unit'], digits=TYPED)}"
        if now is not None
        else "nothing is stored for that day now"
    )
    said = ui.text(f"{last['what']}; {after}.")
    return f"Taken back: {said}"


def recent_changes(store: Any, actor: Actor, people: list[Any], key: str, limit: int = 10) -> None:
    """The latest changes to values, each with an undo button for its author or a manager."""
    ui.show_flash(key)  # what the last Undo here did, above the list it changed
    names = {p.key: p.name for p in people}
    mine = None if actor.role == "manager" else actor.key
    changes = [c for c in list_changes(store, actor=mine, limit=limit * 3) if c.kind != "plan"]
    if not changes:
        st.caption("No changes yet.")
        return
    timezone = workspace_timezone(store)
    metrics = names_of(store, "metric")  # a summary names metrics by key: show names
    for c in changes[:limit]:
        left, right = st.columns([5, 1], vertical_alignment="center")
        state = "" if c.in_effect else f" · taken back by change {c.undone_by}"
        left.markdown(
            f"{formats.local_time(c.at, timezone)} · {ui.text(_who(c.actor, names))}"
            f" · {ui.text(change_summary(c.kind, c.summary, metrics))}{state}"
        )
        pressed = may_take_back(actor, c) and right.button(
            "Undo", key=f"{key}_undo_{c.id}", help=f"Take back change {c.id}"
        )
        if pressed:
            ui.run_safely(
                lambda c=c: undo(store, actor, c.id),
                f"Change {c.id} taken back.",
                rerun=True,
                place=key,
            )
