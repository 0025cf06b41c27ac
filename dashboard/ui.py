"""Words, colours and icons used everywhere, and text that is always shown as typed."""

from __future__ import annotations

from typing import Any

import streamlit as st

from tracker.errors import WaypointError
from tracker.report import md_escape
from tracker.vocab import STATUS_STYLE

# Colour-blind safe: every status has an icon and a word beside its colour.
STATUS = {k: (v.icon, v.label, v.colour) for k, v in STATUS_STYLE.items()}


def status_label(status: str) -> str:
    icon, word, _ = STATUS[status]
    return f"{icon} {word}"


def chip(status: str) -> None:
    icon, word, colour = STATUS[status]
    st.badge(f"{icon} {word}", color=colour)  # type: ignore[arg-type]


def text(value: str | None) -> str:
    """User text for st.markdown: Markdown and HTML characters escaped."""
    return md_escape(value or "")


def fmt(value: float | None, pct: bool = False) -> str:
    if value is None:
        return "–"
    if pct:
        return f"{value:.0%}"
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.3g}"


def run_safely(action: Any, success: str) -> bool:
    """Run a write; show the service's refusal or error as st.error, never a traceback."""
    try:
        action()
    except WaypointError as exc:
        st.error(text(str(exc)))
        return False
    st.success(success)
    return True


def overdue_list(states: list[Any]) -> None:
    """Missing check-ins, one line each (Summary and Team)."""
    missing = [s for s in states if s.state == "missing"]
    if not missing:
        st.write("Nobody is overdue.")
    for s in missing:
        st.markdown(f"✕ {text(s.kpi)} — {text(s.owner)} ({s.period})")


def working_table(rows: list[Any]) -> None:
    """Cost per outcome by channel (Team and Vanity audit)."""
    st.dataframe(
        [
            {
                "channel": r.channel,
                "outcome": r.outcome_name,
                "units": r.units,
                "hours": r.hours,
                "cost": r.cost,
                "units per hour": r.units_per_hour,
                "cost per unit": r.cost_per_unit,
            }
            for r in rows
        ],
        hide_index=True,
    )
