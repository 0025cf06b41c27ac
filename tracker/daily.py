"""The day's value of each metric, defined once and kept in the ``daily_values`` table.

DESIGN.md's rule, in one SQL statement (``DAY_VALUE``): for a (metric, day), only the
live versions of its values count; when the metric has ``prefer: SOURCE`` and that
source has a value on the day, only that source counts; a flow metric then adds every
value up (the day's entries, and every source), a stock metric takes the value
recorded last (ties: the greater source name, then the later write).

Every write (an entry, a set, a deletion, an import, an undo, a plan change of
``prefer`` or ``behaviour``) calls ``refresh`` for the days it touched, inside its own
transaction, so progress, the audit, charts and the digest read a table that always
agrees with a full recomputation. ``mismatches`` proves it (``waypoint check``).
"""

from __future__ import annotations

from typing import Any

from tracker.store import Connection
from tracker.vocab import PERSON_OF_SOURCE, PERSON_PART_OF_SOURCE

# Hours are each person's: a row of hours is for the person its source names
# (`timesheet.for-jay`, `timesheet:jay`: a file's hours of one person), else for
# `for_person` (else its author). So on an effort metric `prefer` is applied to each person's hours
# apart (their hand entries among them: `prefer: manual` keeps Jay's typed hours over
# his timesheet's), and names a source with or without its person: `prefer: timesheet`
# keeps Jay's timesheet over Jay's tracker, and Ana's over Ana's, never Jay's over
# Ana's. Every other metric's day is one group.
_GROUPED = f"""
SELECT o.*, m.behaviour,
       -- whose hours a row holds: the person its source names (as the "Counted twice"
       -- flag reads it), else the one it is for, else its author
       coalesce(nullif(regexp_extract(o.source, '{PERSON_OF_SOURCE}', 1), ''),
                o.for_person, o.recorded_by) AS hours_of,
       CASE WHEN m.class = 'effort' AND m.behaviour = 'flow' THEN coalesce(hours_of, '')
            ELSE '' END AS person,
       m.prefer IS NOT NULL AND (
           o.source = m.prefer
           OR (m.class = 'effort'
               AND regexp_replace(o.source, '{PERSON_PART_OF_SOURCE}', '\\1') = m.prefer)
       ) AS preferred
FROM observations o
JOIN metrics m ON m.key = o.metric
{{scope}}
WHERE o.removed_by IS NULL {{where}}
"""  # noqa: S608 (this module's fragments and pattern, no user text)

# {scope} is one of the fixed fragments below, never user text. Each person's part of
# a day (one part for all but hours), then the day: a flow metric adds the parts up, a
# stock metric has one.
_DAY_VALUE = f"""
SELECT metric, day, CASE WHEN any_value(behaviour) = 'flow' THEN fsum(value)
                         ELSE any_value(value) END AS value
FROM (
    SELECT o.metric, o.day, o.behaviour,
           CASE WHEN o.behaviour = 'flow' THEN
                    CASE WHEN count(*) FILTER (o.preferred) > 0
                         THEN fsum(o.value) FILTER (o.preferred)
                         ELSE fsum(o.value) END
                ELSE
                    CASE WHEN count(*) FILTER (o.preferred) > 0
                         THEN arg_max(o.value, (o.recorded_at, o.source, o.id))
                                  FILTER (o.preferred)
                         ELSE arg_max(o.value, (o.recorded_at, o.source, o.id)) END
           END AS value
    FROM ({_GROUPED}) o
    GROUP BY o.metric, o.day, o.behaviour, o.person
)
GROUP BY metric, day
"""  # noqa: S608 (this module's fragments)

# The hours that count (an effort metric's values the day-value rule adds up) from day
# $first to $last, each with ``hours_of``, the person whose hours they are: cost per
# outcome and the Team page's hours read these, so a day `prefer` settled at 4 hours is
# paid for 4, not for both sources' 8, and to the person the day counts them for.
COUNTED_HOURS = f"""
SELECT * FROM (
    SELECT g.*, count(*) FILTER (g.preferred) OVER (PARTITION BY g.metric, g.day, g.person)
                    AS preferred_here
    FROM ({
    _GROUPED.format(scope="", where="AND m.class = 'effort' AND o.day >= $first AND o.day <= $last")
}) g
)
WHERE preferred OR preferred_here = 0
"""  # noqa: S608 (this module's fragments)

_SCOPES = {
    "all": "",
    "affected": "SEMI JOIN affected_days a ON a.metric = o.metric AND a.day = o.day",
    "metrics": "SEMI JOIN affected_metrics a ON a.metric = o.metric",
}


def day_value_sql(scope: str = "all") -> str:
    """The rule as a SELECT of (metric, day, value) over all days or a scope's days."""
    return _DAY_VALUE.format(scope=_SCOPES[scope], where="")


# What the kept table is written with: the same rule, skipped where it cannot matter. A
# day with one live value has that value under every branch of the rule (a sum of one,
# the latest of one, and prefer either picks it or finds nothing else), so only days
# with several values go through the rule's aggregates: on a fresh import of a million
# values that is a third of the time. ``mismatches`` checks the result against the plain
# rule, so the shortcut is proven on every database `waypoint check` looks at.
_KEPT = """
WITH counted AS (
    SELECT o.metric, o.day, count(*) AS n, any_value(o.value) AS value
    FROM observations o {scope}
    WHERE o.removed_by IS NULL
    GROUP BY o.metric, o.day
),
several AS (SELECT metric, day FROM counted WHERE n > 1)
SELECT metric, day, value FROM counted WHERE n = 1
UNION ALL
({rule})
"""


def _kept_sql(scope: str) -> str:
    rule = _DAY_VALUE.format(
        scope="SEMI JOIN several s ON s.metric = o.metric AND s.day = o.day", where=""
    )
    return _KEPT.format(scope=_SCOPES[scope], rule=rule)


# One source's part of one day, by the same rule ($metric, $day, $source are parameters).
_ONE_SOURCE = _DAY_VALUE.format(
    scope="", where="AND o.metric = $metric AND o.day = $day AND o.source = $source"
)


# Whether a preferred source other than hand entries holds a value of ``$person``'s part
# of the day (the whole day but for hours): then an entry there counts for nothing.
_PREFERRED_HERE = f"""
SELECT any_value(g.source) FROM ({_GROUPED.format(scope="", where="AND o.metric = $metric AND o.day = $day")}) g
WHERE g.preferred AND g.source <> 'manual' AND g.person = $person
"""  # noqa: S608 (this module's fragments)


def preferred_source_here(con: Connection, metric: str, day: Any, person: str | None) -> str | None:
    """The preferred source, other than hand entries, that settles ``metric`` on ``day``
    for ``person``'s hours (any person's value for other metrics), if one holds a value."""
    rows = con.execute(
        _PREFERRED_HERE, {"metric": metric, "day": day, "person": person or ""}
    ).fetchall()
    return rows[0][0] if rows and rows[0][0] is not None else None


def source_day_value(con: Connection, metric: str, day: Any, source: str) -> float | None:
    """What ``source`` alone gives ``metric`` on ``day`` (the manual part of a day a
    person has just logged to), by the day-value rule; None when it has nothing."""
    rows = con.execute(_ONE_SOURCE, {"metric": metric, "day": day, "source": source}).fetchall()
    return float(rows[0][2]) if rows else None


def refresh(con: Connection, keys: Any = None, *, table: str | None = None) -> int:
    """Recompute the daily values of the (metric, day) pairs a write touched.

    ``table`` names a relation with columns metric, day (e.g. a temp table of the
    write); or ``keys`` is a list of (metric, day) pairs. Returns how many pairs were
    given (a pair given twice counts twice).
    """
    if table is None:
        pairs = list(dict.fromkeys(keys or []))
        if not pairs:
            return 0
        con.execute(
            "CREATE OR REPLACE TEMP TABLE affected_days AS"
            " SELECT unnest(?::VARCHAR[]) AS metric, unnest(?::DATE[]) AS day",
            [[p[0] for p in pairs], [p[1] for p in pairs]],
        )
    else:
        # the pairs as they are: the SEMI JOIN and DELETE USING below do not need them
        # distinct (a DISTINCT here cost 60 ms on a million-row import)
        con.execute(
            "CREATE OR REPLACE TEMP TABLE affected_days AS"  # noqa: S608 (a fixed temp table name)
            f" SELECT metric, day FROM {table}"
        )
    try:
        n = con.execute("SELECT count(*) FROM affected_days").fetchall()[0][0]
        if n:
            con.execute(
                "DELETE FROM daily_values d USING affected_days a"
                " WHERE d.metric = a.metric AND d.day = a.day"
            )
            con.execute(f"INSERT INTO daily_values {_kept_sql('affected')}")  # noqa: S608
    finally:
        con.execute("DROP TABLE IF EXISTS affected_days")
    return int(n)


def refresh_stored(con: Connection, stored: str) -> None:
    """``refresh`` after an import stored the rows of ``stored`` (a relation with columns
    metric, day, source, value and outcome: 'inserted', 'replaced' or 'unchanged').

    A day that had no value before (no row in the kept table) and gets one new value
    has that value: the rule over a single live value gives it back, whatever the
    behaviour and ``prefer``. When the batch holds one source, each of its (metric, day)
    pairs has at most one row, so every such day is written as it is; only the other
    days go through the rule. A first import of a million rows then groups nothing
    (the rule's pass over all observations was a seventh of the import). ``mismatches``
    proves this path against the plain rule like the others.
    """
    one_source = con.execute(
        f"SELECT count(DISTINCT source) = 1 FROM {stored} WHERE outcome <> 'unchanged'"  # noqa: S608 (a fixed temp table name)
    ).fetchall()[0][0]
    if not one_source:
        refresh(
            con,
            table=f"(SELECT metric, day FROM {stored} WHERE outcome <> 'unchanged')",  # noqa: S608
        )
        return
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE stored_days AS
        SELECT s.metric, s.day, s.value, s.outcome = 'inserted' AND d.metric IS NULL AS fresh
        FROM {stored} s LEFT JOIN daily_values d ON d.metric = s.metric AND d.day = s.day
        WHERE s.outcome <> 'unchanged'
        """  # noqa: S608 (a fixed temp table name)
    )
    try:
        con.execute(
            "INSERT INTO daily_values SELECT metric, day, value FROM stored_days WHERE fresh"
        )
        refresh(con, table="(SELECT metric, day FROM stored_days WHERE NOT fresh)")
    finally:
        con.execute("DROP TABLE IF EXISTS stored_days")


def refresh_metrics(con: Connection, metrics: list[str]) -> None:
    """Recompute every day of ``metrics`` (after their prefer or behaviour changed)."""
    if not metrics:
        return
    con.execute(
        "CREATE OR REPLACE TEMP TABLE affected_metrics AS SELECT unnest(?::VARCHAR[]) AS metric",
        [list(metrics)],
    )
    try:
        con.execute(
            "DELETE FROM daily_values WHERE metric IN (SELECT metric FROM affected_metrics)"
        )
        con.execute(f"INSERT INTO daily_values {_kept_sql('metrics')}")  # noqa: S608
    finally:
        con.execute("DROP TABLE IF EXISTS affected_metrics")


def rebuild_daily(con: Connection) -> None:
    """Recompute the whole table (the migration that introduced it, and repairs)."""
    con.execute("DELETE FROM daily_values")
    con.execute(f"INSERT INTO daily_values {_kept_sql('all')}")  # noqa: S608


def mismatches(con: Connection, limit: int = 20) -> tuple[int, list[tuple[Any, ...]]]:
    """Pairs where the kept table and a full recomputation disagree: (count, examples).

    Examples are (metric, day, kept value, recomputed value); a missing side is None.
    """
    sql = f"""
        WITH fresh AS ({day_value_sql("all")}),
        kept AS (  -- a pair kept twice is a mismatch too (the table has no key index)
            SELECT metric, day, any_value(value) AS value, count(*) AS n
            FROM daily_values GROUP BY metric, day
        )
        SELECT coalesce(k.metric, f.metric), coalesce(k.day, f.day), k.value, f.value
        FROM kept k FULL OUTER JOIN fresh f ON f.metric = k.metric AND f.day = k.day
        WHERE k.value IS NULL OR f.value IS NULL OR k.n > 1
           OR abs(k.value - f.value) > 1e-9 * greatest(1, abs(f.value))
        ORDER BY 1, 2
    """  # noqa: S608
    rows = con.execute(sql).fetchall()
    return len(rows), rows[:limit]


def duplicate_ids(con: Connection) -> int:
    """Observation ids held by more than one row (ids are handed out under the write lock;
    the table has no key index since migration 4, so `waypoint check` looks)."""
    rows = con.execute(
        "SELECT count(*) FROM (SELECT id FROM observations GROUP BY id HAVING count(*) > 1)"
    ).fetchall()
    return int(rows[0][0])
