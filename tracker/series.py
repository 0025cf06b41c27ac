"""A metric's values week by week, as people read them beside each other.

Flow metrics show each week's sum (a week without a value is 0 between the first and the
last week with one); stock metrics show the week's last level. Only complete weeks: a
week still running would look like a drop.
"""

from __future__ import annotations

import datetime as dt

from tracker.store import Store


def last_complete_sunday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def weekly(
    store: Store, metric: str, as_of: dt.date, weeks: int = 26
) -> list[tuple[dt.date, float]]:
    """(Monday, value) for the ``weeks`` complete ISO weeks up to ``as_of``."""
    end = last_complete_sunday(as_of)
    start = end - dt.timedelta(days=7 * weeks - 1)
    with store.read() as con:
        rows = con.execute(
            "SELECT date_trunc('week', d.day)::DATE AS week, any_value(m.behaviour),"
            " CASE WHEN any_value(m.behaviour) = 'flow' THEN sum(d.value)"
            "      ELSE arg_max(d.value, d.day) END"
            " FROM daily_values d JOIN metrics m ON m.key = d.metric"
            " WHERE d.metric = ? AND d.day BETWEEN ? AND ?"
            " GROUP BY week ORDER BY week",
            [metric, start, end],
        ).fetchall()
    if not rows or rows[0][1] != "flow":
        return [(week, value) for week, _, value in rows]
    found = {week: value for week, _, value in rows}
    first, last = rows[0][0], rows[-1][0]
    return [
        (week, found.get(week, 0.0))
        for week in (first + dt.timedelta(weeks=i) for i in range((last - first).days // 7 + 1))
    ]
