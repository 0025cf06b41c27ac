"""Audit log: who changed what, when, old -> new."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from tracker.auditlog import describe, entries, subject

store = state.store()
st.title("Audit log")
limit = st.slider("Rows", 50, 2000, 200, step=50, key="auditlog_rows")
with store.session():
    rows = entries(store, limit=limit, reader=st.session_state["actor"])
    names = state.cached(state.names)
people = {**names["person"], "local": "local manager"}
st.dataframe(
    [
        {
            "when (UTC)": e.at,
            "who": people.get(e.actor, e.actor),
            "action": e.action,
            "what": subject(e.entity, e.key, names),
            "change": describe(e.old_value, e.new_value, names=names),
        }
        for e in rows
    ],
    hide_index=True,
)
