"""Audit log: who changed what, when, old -> new."""

from __future__ import annotations

import json

import streamlit as st

from dashboard import state
from tracker.auditlog import entries

store = state.store()
st.title("Audit log")
limit = st.slider("Rows", 50, 2000, 200, step=50, key="auditlog_rows")
with store.session():
    rows = entries(store, limit=limit, reader=st.session_state["actor"])
st.dataframe(
    [
        {
            "when (UTC)": e.at,
            "who": e.actor,
            "action": e.action,
            "what": f"{e.entity} {e.key}",
            "old": json.dumps(e.old_value, ensure_ascii=False) if e.old_value else "",
            "new": json.dumps(e.new_value, ensure_ascii=False) if e.new_value else "",
        }
        for e in rows
    ],
    hide_index=True,
)
