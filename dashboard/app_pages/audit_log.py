"""Audit log: the changes people made, each with Undo or Redo where the reader may, then
who changed what, when, old -> new."""

from __future__ import annotations

import streamlit as st

from dashboard import state, ui
from tracker import formats
from tracker.auditlog import describe, entries, old_in_effect, subject
from tracker.changes import list_changes, may_bring_back, may_take_back, redo, undo
from tracker.clock import workspace_timezone
from tracker.names import change_summary

store = state.store()
actor = st.session_state["actor"]
st.title("Audit log")
with store.session():
    names = state.cached(state.names)
    timezone = workspace_timezone(store)  # times as the workspace's clock shows them
people = names["person"]  # the command line's local manager and the scheduler included

if actor.role != "viewer":
    st.subheader("Changes")
    st.caption(
        "Every entry, deletion, import and plan apply is one change. Undo takes one back;"
        " Redo brings back what an undo took back. "
        + (
            "As a manager you may take back anyone's."
            if actor.role == "manager"
            else "You may take back your own."
        )
    )
    with store.session():
        # an assistant's own changes; a manager's view is everyone's
        recent = list_changes(store, actor=None if actor.role == "manager" else actor.key, limit=15)
    if not recent:
        st.write("No change yet." if actor.role == "manager" else "You have made no change yet.")
    for c in recent:
        words, button = st.columns([5, 1], vertical_alignment="center")
        state_words = f" · taken back by change {c.undone_by}" if c.undone_by is not None else ""
        what = ui.text(change_summary(c.kind, c.summary, names["metric"], names))
        words.markdown(
            f"Change **{c.id}** · {formats.local_time(c.at, timezone)}"
            f" · {ui.text(people.get(c.actor, c.actor))} · {what}{state_words}"
        )
        if may_take_back(actor, c):
            verb, action, done = "Undo", undo, "taken back"
        elif may_bring_back(actor, c):
            verb, action, done = "Redo", redo, "brought back"
        else:
            continue
        pressed = button.button(verb, key=f"changes_{verb.lower()}_{c.id}")
        if pressed and c.kind == "plan" and verb == "Undo":
            # a plan apply can have created the whole workspace: taking it back archives
            # all it created, so it is asked once more (Redo would still bring it back)
            st.session_state["changes_confirm"] = c.id
        elif pressed:
            st.session_state.pop("changes_confirm", None)  # another change was chosen
            ui.run_safely(
                lambda c=c, action=action: action(store, actor, c.id),
                f"Change {c.id} {done}: {what}.",
                rerun=True,
            )
        if st.session_state.get("changes_confirm") == c.id and verb == "Undo":
            st.warning(
                f"Change {c.id} is a plan apply: undoing it archives what it created and"
                " puts back what it changed, for everyone. Redo brings it back."
            )
            if st.button(f"Yes, undo change {c.id}", key=f"changes_confirm_{c.id}"):
                st.session_state.pop("changes_confirm")
                ui.run_safely(
                    lambda c=c: undo(store, actor, c.id),
                    f"Change {c.id} taken back: {what}.",
                    rerun=True,
                )
    st.subheader("Every field, old -> new")

limit = st.slider("Rows", 50, 2000, 200, step=50, key="auditlog_rows")
with store.session():
    rows = entries(store, limit=limit, reader=actor)
st.dataframe(
    [
        {
            "when": formats.to_local(e.at, timezone),
            "who": people.get(e.actor, e.actor),
            "action": e.action,
            "what": subject(e.entity, e.key, names),
            "change": describe(
                old_in_effect(e.entity, e.key, e.old_value),
                e.new_value,
                names=names,
                zone=timezone,
            ),
        }
        for e in rows
    ],
    hide_index=True,
    # the workspace's clock, as people write a time (not 2026-06-07 10:00:00)
    column_config={"when": st.column_config.DatetimeColumn("when", format="D MMM YYYY, HH:mm")},
)
