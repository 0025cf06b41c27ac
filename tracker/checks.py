"""Checks a value passes before it is stored (DESIGN.md, "Entries, corrections and trust").

- Days: from 1970-01-01 to 2100-12-31, never after today in the workspace's zone.
- Values: finite, at most 1e15 in size, and not below the metric's ``min`` (0 unless
  the plan says otherwise; ``min: null`` allows negatives).
- Outliers: a day's value more than 10 times the largest absolute daily value of the
  8 weeks before that day, when the metric has at least 7 days of values before that
  day, whenever they are (DESIGN: "a metric with fewer than 7 days of values is not
  checked"; a metric read twice a month has a few of them in the 8 weeks, and is
  checked against those; a metric's first days are not judged against fewer) and the
  8 weeks hold a value other than 0. The CLI and the dashboard ask before storing one; an import stores it
  and says so; the audit raises ``outlier_value`` until it is acknowledged or fixed.
- KPI windows: a day before the start of every KPI window of its metric is stored
  with a warning naming the windows.

Entries check one value in Python; imports check a whole batch in SQL with the same
rules (``ROW_PROBLEMS_SQL`` and ``OUTLIERS_SQL``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from tracker.errors import BadInput
from tracker.periods import FIRST_DAY, LAST_DAY
from tracker.store import Connection

MAX_ABS = 1e15
OUTLIER_FACTOR = 10
OUTLIER_WEEKS = 8
OUTLIER_MIN_DAYS = 7


class OutlierNeedsConfirmation(BadInput):
    """The value is far outside the metric's recent range; store it only if confirmed.
    ``found``: every such value of the write with the entry typed for it (a week's grid
    may hold several, and a confirmation may cover only those the person was shown)."""

    def __init__(
        self,
        message: str,
        outlier: Outlier,
        typed: float | None = None,
        found: list[tuple[Outlier, float | None]] | None = None,
    ) -> None:
        super().__init__(message)
        self.outlier = outlier
        self.typed = typed  # the entry that made the day's value (for the page's words)
        self.found = found or [(outlier, typed)]


class BelowMinimum(BadInput):
    """The value (or the day's entries added up) is below the metric's ``minimum``; the
    message speaks to the command line, ``minimum`` lets a page say it in its own words."""

    def __init__(self, message: str, minimum: float) -> None:
        super().__init__(message)
        self.minimum = minimum


@dataclass(frozen=True)
class Outlier:
    metric: str
    day: dt.date
    value: float
    reference: float  # the largest absolute daily value of the 8 weeks before
    days: int  # how many of those 8 weeks' days have a value

    def sentence(
        self, name: str | None = None, day: str | None = None, typed: float | None = None
    ) -> str:
        """What is unusual, in words; ``day`` as the caller writes days (ISO otherwise).
        ``typed``: the entry just typed, when it adds to others: the day's value is what
        is judged, so the sentence says how one made the other ("80 for Leads" read as a
        typo of the 40 just typed)."""
        name, day = name or self.metric, day or str(self.day)
        total = (
            f"With this {amount_text(typed)}, {name} on {day} comes to {amount_text(self.value)}: "
            if typed is not None and abs(self.value - typed) > 1e-9 * max(1.0, abs(typed))
            else ""
        )
        return (
            f"{total}{amount_text(self.value)} for {name} on {day} is more than"
            f" {OUTLIER_FACTOR} times its largest daily value of the {OUTLIER_WEEKS} weeks"
            f" before ({amount_text(self.reference)})"
        )


def amount_text(value: float) -> str:
    """A typed or stored amount in a message: whole numbers with separators, else six
    significant digits (1,234; 0.015; 1.23457e+20)."""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{value:,.0f}"
    return f"{value:,.6g}"


def check_day(day: dt.date, today: dt.date, what: str) -> None:
    """Refuse impossible and future days (BadInput naming ``what``)."""
    if day < FIRST_DAY or day > LAST_DAY:
        raise BadInput(
            f"{what}: the day {day} is outside {FIRST_DAY} to {LAST_DAY}; check the date"
        )
    if day > today:
        raise BadInput(
            f"{what}: {day} is in the future (today is {today} in the workspace's time zone);"
            " log values for today or earlier"
        )


def check_value(value: float, minimum: float | None, what: str, unit_name: str) -> None:
    """Refuse non-finite, absurdly large and below-minimum values."""
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise BadInput(f"{what}: {value!r} is not a number")
    if abs(value) > MAX_ABS:
        raise BadInput(f"{what}: {value:g} is too large to be a real {unit_name} value")
    if minimum is not None and value < minimum:
        if minimum == 0:
            raise BelowMinimum(
                f"{what}: {amount_text(value)} is negative, and {unit_name} cannot go below 0."
                " To correct an earlier value, delete it (`waypoint values`, `waypoint delete`)"
                " or use --set; if this metric can be negative, set `min: null` in the plan",
                minimum,
            )
        raise BelowMinimum(
            f"{what}: {amount_text(value)} is below the smallest allowed value {amount_text(minimum)}"
            " (the metric's min in the plan)",
            minimum,
        )


def find_outlier(con: Connection, metric: str, day: dt.date, value: float) -> Outlier | None:
    """Is ``value`` (the day's value once stored) far outside the 8 weeks before ``day``?"""
    since = day - dt.timedelta(days=7 * OUTLIER_WEEKS)
    reference, days, history = con.execute(
        "SELECT max(abs(value)) FILTER (day >= ?), count(*) FILTER (day >= ?), count(*)"
        " FROM daily_values WHERE metric = ? AND day < ?",
        [since, since, metric, day],
    ).fetchall()[0]
    if history < OUTLIER_MIN_DAYS or not reference:
        return None
    if abs(value) > OUTLIER_FACTOR * reference:
        return Outlier(metric, day, float(value), float(reference), int(days))
    return None


# For a batch: every touched (metric, day) of the temp table ``touched_days`` whose new
# daily value is an outlier against the 8 weeks before it. Reads daily_values after the
# write.
#
# The 8 weeks are a window of days (RANGE). A window of rows is twice as fast, and the 56
# rows before a day are exactly its 56 days when the oldest of them is no older than 56
# days: true on every day of a metric with a value every day, which is what daily exports
# carry. Metrics with gaps anywhere in the scope get the window of days. Either way each
# day is judged against exactly the days of the rule (tests/tracker/test_checks_outliers.py
# compares the batch with the one-value check, gaps included).
#
# No window is computed for a metric none of whose days can be an outlier, which two
# cheap tests over 7-day blocks (days since 1970-01-01 // 7) tell:
# - its values in the scope never differ tenfold (its largest magnitude at most ten times
#   its smallest non-zero one): a day's reference is either zero (never an outlier) or
#   one of those values, so no day can be ten times it. Steady metrics (followers,
#   subscribers) are about half of a daily export.
# - no block's largest magnitude exceeds ten times the largest of the 7 blocks before it.
#   Those 7 blocks lie inside the 56 days before any day of the block, so their largest
#   value is at most the day's reference. Without any of them, the day's 56 days hold
#   only its own block's earlier days and the tail of the 8th block before (up to 7
#   days): such a block is judged in full when that 8th block has a value, or when its
#   own values differ tenfold and it is not the metric's first block (whose days have
#   fewer than 7 before them). Daily clicks of 0 to 50 pass the first test and fail
#   this one.
# A day is judged only when its metric has 7 days of values before it, whenever they
# are (``seen`` in the scope plus ``earlier``): a metric read twice a month is checked
# against its few days of the 8 weeks.
_SPAN = 7 * OUTLIER_WEEKS
OUTLIERS_SQL = f"""
WITH firsts AS (SELECT metric, min(day) AS first FROM touched_days GROUP BY metric),
span AS (
    SELECT d.metric, d.day, d.value
    FROM daily_values d
    JOIN firsts a ON a.metric = d.metric AND d.day >= a.first - {_SPAN}
),
-- A day is judged once its metric has 7 days of values before it: ``seen`` in the span,
-- plus, for a metric with fewer than 7 in the 8 weeks before its first touched day
-- (only then can a touched day have fewer than 7 in the span), its days before the span
-- (a metric read every day needs no count of its whole history: 24 ms at L)
thin AS (
    SELECT a.metric, a.first FROM firsts a
    LEFT JOIN span s ON s.metric = a.metric AND s.day < a.first
    GROUP BY ALL HAVING count(s.day) < {OUTLIER_MIN_DAYS}
),
earlier AS (
    SELECT d.metric, count(*) AS n
    FROM daily_values d
    JOIN thin a ON a.metric = d.metric AND d.day < a.first - {_SPAN}
    GROUP BY d.metric
),
blocks AS (
    SELECT metric, (day - DATE '1970-01-01') // 7 AS block, max(abs(value)) AS top,
           min(abs(value)) FILTER (value <> 0) AS least_nonzero
    FROM span GROUP BY ALL
),
before AS (
    SELECT b.metric, top, least_nonzero,
           max(top) OVER (PARTITION BY b.metric ORDER BY block
                          RANGE BETWEEN 7 PRECEDING AND 1 PRECEDING) AS floor,
           max(top) OVER (PARTITION BY b.metric ORDER BY block
                          RANGE BETWEEN 8 PRECEDING AND 8 PRECEDING) AS gap_edge,
           -- the span's first block with no day before the span: no day of it has 7
           -- before it (a metric not thin has 7 before its first touched day, so its
           -- span's first block holds no touched day)
           block = min(block) OVER (PARTITION BY b.metric) AND e.n IS NULL AS first_block
    FROM blocks b LEFT JOIN earlier e ON e.metric = b.metric
),
varied AS (
    SELECT metric FROM before GROUP BY metric
    HAVING max(top) > {OUTLIER_FACTOR} * min(least_nonzero)
       AND bool_or(top > {OUTLIER_FACTOR} * floor
                   OR (floor IS NULL AND gap_edge IS NOT NULL)
                   OR (floor IS NULL AND NOT first_block
                       AND top > {OUTLIER_FACTOR} * least_nonzero))
),
scope AS (SELECT * FROM span SEMI JOIN varied USING (metric)),
by_rows AS (
    -- a frame of the 56 rows before: it holds min(row - 1, 56) of them, which needs no
    -- second window aggregate (214 ms instead of 271 at a million rows, in an import)
    SELECT metric, day, value,
           max(abs(value)) OVER w AS reference, least(row_number() OVER w - 1, {_SPAN}) AS days,
           row_number() OVER w - 1 AS seen
    FROM scope
    WINDOW w AS (PARTITION BY metric ORDER BY day
                 ROWS BETWEEN {_SPAN} PRECEDING AND 1 PRECEDING)
),
-- fewer rows than days between its first and last: a day is missing somewhere
gappy AS (
    SELECT metric FROM scope GROUP BY metric HAVING count(*) < max(day) - min(day) + 1
),
by_days AS (
    SELECT metric, day, value,
           max(abs(value)) OVER w AS reference, count(*) OVER w AS days,
           row_number() OVER (PARTITION BY metric ORDER BY day) - 1 AS seen
    FROM scope SEMI JOIN gappy USING (metric)
    WINDOW w AS (PARTITION BY metric ORDER BY day
                 RANGE BETWEEN INTERVAL {_SPAN} DAY PRECEDING
                           AND INTERVAL 1 DAY PRECEDING)
),
ref AS (
    SELECT metric, day, value, reference, days, seen
    FROM by_rows ANTI JOIN gappy USING (metric)
    UNION ALL
    SELECT metric, day, value, reference, days, seen FROM by_days
)
SELECT r.metric, r.day, r.value, r.reference, r.days
FROM ref r SEMI JOIN touched_days a ON a.metric = r.metric AND a.day = r.day
LEFT JOIN earlier e ON e.metric = r.metric
WHERE r.seen + coalesce(e.n, 0) >= {OUTLIER_MIN_DAYS} AND r.reference > 0
  AND abs(r.value) > {OUTLIER_FACTOR} * r.reference
ORDER BY r.metric, r.day
"""  # noqa: S608 (constants of this module only)


def mark_outliers(con: Connection, change: int | None) -> list[tuple]:
    """Judge every (metric, day) of the temp table ``touched_days`` by OUTLIERS_SQL and
    keep the ``outliers`` rows as it finds them (an outlier stays flagged until
    acknowledged or corrected; a day whose outlier went is cleared). Returns the found
    rows (metric, day, value, reference, days). ``change`` is the change that did it."""
    found = con.execute(OUTLIERS_SQL).fetchall()
    con.execute(
        "DELETE FROM outliers o USING touched_days t WHERE o.metric = t.metric AND o.day = t.day"
    )
    if found:
        con.executemany(
            "INSERT INTO outliers VALUES (?, ?, ?, ?, ?)",
            [[metric, day, value, reference, change] for metric, day, value, reference, _ in found],
        )
    return found


def recheck_outliers(con: Connection, pairs: str, change: int | None) -> None:
    """``mark_outliers`` for the (metric, day) pairs of the temp table ``pairs``, once
    values came back or went (an undo, a redo, a deletion)."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE touched_days AS SELECT DISTINCT metric, day FROM {pairs}"  # noqa: S608 (a temp table's name from the caller's code)
    )
    try:
        mark_outliers(con, change)
    finally:
        con.execute("DROP TABLE IF EXISTS touched_days")


def kpi_windows(con: Connection, metric: str) -> list[tuple[str, dt.date | None, bool]]:
    """(KPI key, window start, looks back) of every active KPI that reads ``metric``.

    A KPI looks back before its start when it reads the metric's level on or before a
    day (docs/progress.md): a ``latest`` KPI (its current value and derived baseline), a
    ``mean`` KPI's derived baseline, a ratio's stock side."""
    return [
        (r[0], r[1], r[2])
        for r in con.execute(
            "SELECT k.key, coalesce(k.start, o.start),"
            " k.aggregation = 'latest'"
            " OR (k.aggregation = 'mean' AND k.baseline IS NULL AND k.stay IS NULL)"
            " OR (k.aggregation = 'ratio' AND m.behaviour = 'stock')"
            " FROM kpis k JOIN objectives o ON o.key = k.objective"
            " JOIN metrics m ON m.key = ?"
            " WHERE NOT k.archived AND NOT o.archived AND ? IN (k.metric, k.numerator,"
            " k.denominator) ORDER BY o.position, k.position",
            [metric, metric],
        ).fetchall()
    ]


def before_every_window(con: Connection, metric: str, day: dt.date) -> str | None:
    """A warning when ``day`` is before the start of every KPI window of ``metric``.

    Run after the write. A KPI that looks back reads the last value on or before its
    start: the day counts for it while no later day up to the start has a value."""
    windows = kpi_windows(con, metric)
    if not windows or any(start is None or day >= start for _, start, _ in windows):
        return None
    names = ", ".join(f"{key} from {start}" for key, start, _ in windows)
    reading = [
        key
        for key, start, looks_back in windows
        if looks_back
        and not con.execute(
            "SELECT count(*) FROM daily_values WHERE metric = ? AND day > ? AND day <= ?",
            [metric, day, start],
        ).fetchall()[0][0]
    ]
    if reading:
        return (
            f"{day} is before every KPI window of {metric} ({names}): it is the last value"
            f" before the start, so {', '.join(reading)} read it as the level there (a"
            " derived baseline, and a `latest` value until the window has one)"
        )
    return (
        f"{day} is before every KPI window of {metric} ({names}): it is stored, but no KPI"
        " counts it"
    )
