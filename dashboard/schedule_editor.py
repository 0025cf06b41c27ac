"""A schedule editor people can use: "every day at 09:00", "every Monday at 08:00",
"every 5 minutes", or a cron expression for anything else; each shown in words.

Only the three plain shapes are recognised here; APScheduler's own parser validates
whatever is saved (jobs.runner.cron_problem), and cron-descriptor says it in words.
"""

from __future__ import annotations

import datetime as dt
import re

import streamlit as st

from jobs.runner import schedule_words

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAY_NAMES = dict(
    zip(
        DAYS,
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        strict=True,
    )
)
KINDS = ["Every day", "Every week", "Every few minutes", "Custom (cron)"]
_DAILY = re.compile(r"^(\d{1,2}) (\d{1,2}) \* \* \*$")
_WEEKLY = re.compile(r"^(\d{1,2}) (\d{1,2}) \* \* (mon|tue|wed|thu|fri|sat|sun)$", re.I)
_MINUTES = re.compile(r"^\*/(\d{1,2}) \* \* \* \*$")


def shape(expr: str) -> tuple[str, dict]:
    """Which of the editor's kinds ``expr`` is, with its parts. Anything else, out of
    range values included, stays a custom expression as stored (never "corrected")."""
    expr = " ".join(expr.split())
    daily, weekly, minutes = _DAILY.match(expr), _WEEKLY.match(expr), _MINUTES.match(expr)
    clock = daily or weekly
    if clock and int(clock[2]) < 24 and int(clock[1]) < 60:
        at = dt.time(int(clock[2]), int(clock[1]))
        return (
            ("Every day", {"at": at})
            if daily
            else ("Every week", {"at": at, "day": clock[3].lower()})
        )
    if minutes and 1 <= int(minutes[1]) <= 59:
        return "Every few minutes", {"every": int(minutes[1])}
    return "Custom (cron)", {}


def schedule_input(label: str, current: str, timezone: str, key: str) -> str:
    """Widgets for one schedule; returns the cron expression they describe."""
    kind, parts = shape(current)
    st.markdown(f"**{label}**")
    cols = st.columns([2, 2, 3])
    chosen = cols[0].selectbox("How often", KINDS, index=KINDS.index(kind), key=f"{key}_kind")
    at = parts.get("at", dt.time(9, 0))
    if chosen == "Every day":
        t = cols[1].time_input("At", value=at, key=f"{key}_at", step=300)
        expr = f"{t.minute} {t.hour} * * *"
    elif chosen == "Every week":
        day = cols[1].selectbox(
            "On",
            DAYS,
            index=DAYS.index(parts.get("day", "mon")),
            format_func=DAY_NAMES.get,
            key=f"{key}_day",
        )
        t = cols[2].time_input("At", value=at, key=f"{key}_at", step=300)
        expr = f"{t.minute} {t.hour} * * {day}"
    elif chosen == "Every few minutes":
        n = cols[1].number_input(
            "Minutes", min_value=1, max_value=59, value=parts.get("every", 5), key=f"{key}_every"
        )
        expr = f"*/{int(n)} * * * *"
    else:
        expr = cols[1].text_input(
            "Cron (minute hour day month weekday)", value=current, key=f"{key}_cron"
        )
    st.caption(f"{schedule_words(expr)} ({timezone})")
    return expr
