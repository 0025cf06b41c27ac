"""Days and weeks in the workspace's timezone (DESIGN.md: weeks start Monday, ISO weeks)."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

from tracker.store import Store


def workspace_timezone(store: Store) -> str:
    with store.read() as con:
        row = con.execute("SELECT timezone FROM workspace").fetchone()
    return row[0] if row else "UTC"


def now_utc() -> dt.datetime:
    """The current instant; ``WAYPOINT_NOW`` (ISO timestamp) pins it for tests and demos."""
    pinned = os.environ.get("WAYPOINT_NOW")
    if pinned:
        value = dt.datetime.fromisoformat(pinned)
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC)


def today(store: Store | None = None, timezone: str | None = None) -> dt.date:
    """Today in the workspace timezone (UTC without a workspace)."""
    if timezone is None:
        timezone = workspace_timezone(store) if store is not None else "UTC"
    return now_utc().astimezone(ZoneInfo(timezone)).date()


def iso_week(day: dt.date) -> str:
    """``2026-W05`` for a day."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(week: str) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of an ISO week ``YYYY-Www``."""
    year, number = week.upper().split("-W")
    monday = dt.date.fromisocalendar(int(year), int(number), 1)
    return monday, monday + dt.timedelta(days=6)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    next_first = (first + dt.timedelta(days=32)).replace(day=1)
    return first, next_first - dt.timedelta(days=1)
