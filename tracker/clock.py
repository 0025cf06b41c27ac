"""Today and now in the workspace's timezone (calendar periods: tracker/periods.py)."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

from tracker.errors import BadInput
from tracker.store import Connection, Store


def workspace_timezone(store: Store) -> str:
    with store.read() as con:
        return timezone_of(con)


def timezone_of(con: Connection) -> str:
    """The workspace's timezone, read on a connection already open (UTC before a plan)."""
    row = con.execute("SELECT timezone FROM workspace").fetchone()
    return row[0] if row else "UTC"


def now_utc() -> dt.datetime:
    """The current instant; ``WAYPOINT_NOW`` (ISO timestamp) pins it for tests and demos."""
    pinned = os.environ.get("WAYPOINT_NOW")
    if pinned:
        try:
            value = dt.datetime.fromisoformat(pinned)
        except ValueError:
            raise BadInput(
                f"WAYPOINT_NOW={pinned!r} is not a time: write it as 2026-11-23T09:00:00"
                " (an offset such as -06:00 may follow), or unset it"
            ) from None
        # an offset (T03:00-06:00) is that instant: held in UTC like every other stamp
        return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC)


def today(store: Store | None = None, timezone: str | None = None) -> dt.date:
    """Today in the workspace timezone (UTC without a workspace)."""
    if timezone is None:
        timezone = workspace_timezone(store) if store is not None else "UTC"
    return now_utc().astimezone(ZoneInfo(timezone)).date()
