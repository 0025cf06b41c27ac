"""A metric's values week by week, as people read them beside each other.

Flow metrics show each week's sum (a week without a value is 0 between the first and the
last week with one); stock metrics show the week's last level. Only complete weeks, as
the audit counts them: a week still running, or a flow's first week when its values
start mid-week, would look like a drop.
"""

from __future__ import annotations

import datetime as dt

from tracker.periods import SQL_LAST_SUNDAY, sql_monday
from tracker.store import Store

_WEEK = sql_monday("d.day")


def weekly(
    store: Store, metric: str, as_of: dt.date, weeks: int = 26
) -> list[tuple[dt.date, float]]:
    """(Monday, value) for the ``weeks`` complete ISO weeks up to ``as_of``, the weeks the
    audit's own weekly series use (``periods.SQL_LAST_SUNDAY``)."""
    with store.read() as con:
        rows = con.execute(
            f"SELECT {_WEEK} AS week, any_value(m.behaviour),"  # noqa: S608 (fixed fragment)
            " CASE WHEN any_value(m.behaviour) = 'flow' THEN sum(d.value)"
            "      ELSE arg_max(d.value, d.day) END, min(d.day)"
            " FROM daily_values d JOIN metrics m ON m.key = d.metric"
            f" WHERE d.metric = $metric AND d.day <= {SQL_LAST_SUNDAY}"
            f"   AND d.day > {SQL_LAST_SUNDAY} - 7 * $weeks"
            " GROUP BY week ORDER BY week",
            {"metric": metric, "d": as_of, "weeks": weeks},
        ).fetchall()
    if not rows or rows[0][1] != "flow":
        return [(week, value) for week, _, value, _ in rows]
    if rows[0][3] != rows[0][0]:
        # values that start mid-week make a short first week, not a week of fewer sales
        # (the audit leaves it out too)
        rows = rows[1:]
        if not rows:
            return []
    found = {week: value for week, _, value, _ in rows}
    first, last = rows[0][0], rows[-1][0]
    return [
        (week, found.get(week, 0.0))
        for week in (first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1))
    ]
