"""Imported values: many rows stored as one change; exports of everything stored.

Imported values are keyed by (metric, day, source) among the live versions (see
tracker.changes): a newer export of the same period replaces the older values, the
same file again changes nothing. Hand-logged entries live beside them with source
``manual`` (tracker.entries) and are never replaced by an import. Bulk writes are
set-based SQL over an Arrow table, so a million rows cost about as much as DuckDB
reading them; the checks of tracker.checks run in the same statements.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker import auditlog, formats
from tracker.changes import open_change, set_detail
from tracker.checks import FIRST_DAY, LAST_DAY, MAX_ABS, mark_outliers
from tracker.daily import refresh_stored
from tracker.errors import BadInput, NotFound
from tracker.outfiles import write_atomically
from tracker.permissions import assigned_channels, assigned_metrics, require_writer
from tracker.records import SCHEDULER, Actor
from tracker.store import Connection, Rollback, Store
from tracker.text import ANY_CONTROL_CHARACTER, NOTE_LIMIT, NOTE_STRIPPED, quoted, spelled_like
from tracker.vocab import (
    PERSON_OF_SOURCE,
    PERSON_PART_OF_SOURCE,
    channel_label,
    listing,
    source_label,
)

if TYPE_CHECKING:
    import pyarrow as pa


def incoming_schema() -> pa.Schema:
    """Columns of a batch of rows to write (what the importers produce)."""
    import pyarrow as pa

    return pa.schema(
        [
            ("line", pa.int64()),
            ("day", pa.date32()),
            ("metric", pa.string()),
            ("value", pa.float64()),
            ("source", pa.string()),
            ("recorded_by", pa.string()),
            ("note", pa.string()),
        ]
    )


def __getattr__(name: str) -> object:
    # INCOMING_SCHEMA is built on first use so `waypoint log` never imports pyarrow.
    if name == "INCOMING_SCHEMA":
        return incoming_schema()
    raise AttributeError(name)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
IMPORT_SOURCE = "import"


@dataclass
class RowProblem:
    line: int | None
    metric: str | None
    reason: str
    column: str = "metric"
    value: str | None = None
    day: dt.date | None = None  # the row's day, when it was read
    amount: str | None = None  # the row's value, whatever the column at fault


def _as_read(value: float | None) -> str | None:
    """A row's number as a reject shows it: the digits it was read with (1430.5, 1e+20)."""
    return None if value is None else f"{value:.15g}"


@dataclass(frozen=True)
class Overlap:
    """Two or more sources of one flow metric on the same days."""

    metric: str
    sources: list[str]
    days: int
    first: dt.date
    last: dt.date
    prefer: str | None

    def sentence(self) -> str:
        span = f"{self.days} day{'s' if self.days != 1 else ''} ({self.first} to {self.last})"
        if self.prefer:
            return (
                f"{self.metric}: {_cover(self.sources)} {span};"
                f" only {self.prefer} counts there (prefer)"
            )
        return (
            f"{self.metric}: {_cover(self.sources)} {span}, so those days"
            f" count twice; set `prefer:` on the metric in the plan to count one of them"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "sources": self.sources,
            "days": self.days,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "prefer": self.prefer,
        }


def _cover(sources: list[str]) -> str:
    """ "a and b both cover", "a, b and c: two or more cover the same" (the plan's codes:
    they are what `prefer:` takes)."""
    return listing(sources, most=6) + (
        " both cover" if len(sources) == 2 else ": two or more cover the same"
    )


@dataclass
class WriteResult:
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    rejected: list[RowProblem] = field(default_factory=list)
    per_metric: dict[str, dict[str, int]] = field(default_factory=dict)
    # rows the file's reader rejected before they reached the store (the change's audit
    # row counts every rejected row of the file)
    read_rejected: int = 0
    created_metrics: list[str] = field(default_factory=list)
    revived_metrics: list[str] = field(default_factory=list)
    dry_run: bool = False
    change: int | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    outliers: list[dict[str, Any]] = field(default_factory=list)
    overlaps: list[Overlap] = field(default_factory=list)
    outside_windows: list[dict[str, Any]] = field(default_factory=list)
    repeated: int = 0  # rows whose (metric, day, source) came again later in the batch
    renamed_manual: int = 0  # rows that named the source 'manual' (kept for hand entries)
    entries_kept: int = 0  # such rows on days that hold entries here: left out
    entries_summed: int = 0  # such rows of a flow metric added into their day's value

    def notes(self) -> list[str]:
        """What a person should know about how the batch was read."""
        notes = []
        if self.repeated:
            notes.append(
                f"{self.repeated} row(s) repeat an earlier (metric, day, source): the last one wins"
            )
        if self.renamed_manual > self.entries_kept:
            notes.append(
                f"{self.renamed_manual - self.entries_kept} row(s) name the source 'manual',"
                " which is kept for values logged by hand: stored with the source"
                f" '{IMPORT_SOURCE}'"
            )
        if self.entries_kept:
            notes.append(
                f"{self.entries_kept} row(s) of the source 'manual' fall on days that already"
                " hold entries logged here: those entries stand, the rows were left out"
            )
        if self.entries_summed:
            notes.append(
                f"entries of one day add up: {self.entries_summed} row(s) added into their"
                " day's value"
            )
        return notes

    def as_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "inserted": self.inserted,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected) + self.read_rejected,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "per_metric": self.per_metric,
            "created_metrics": self.created_metrics,
            "revived_metrics": self.revived_metrics,
            "outliers": self.outliers,
            "overlaps": [o.as_dict() for o in self.overlaps],
            "outside_windows": self.outside_windows,
            "repeated": self.repeated,
            "dry_run": self.dry_run,
        }


@dataclass(frozen=True)
class NewMetric:
    """A metric an import may create when it is missing (see tracker.imports.MetricSpec)."""

    key: str
    name: str
    klass: str
    behaviour: str
    channel: str | None = None
    unit: str | None = None
    qualified: bool = False
    minimum: float | None = 0.0  # None: negatives allowed


def write_observations(
    store: Store,
    actor: Actor,
    rows: pa.Table,
    *,
    new_metrics: Mapping[str, NewMetric] | None = None,
    label: str = "import",
    dry_run: bool = False,
    read_rejects: Sequence[str | None] = (),
) -> WriteResult:
    """Store many imported rows (schema ``incoming_schema``) as one change.

    Imported values are keyed by (metric, day, source): a key seen again replaces its
    value (an undoable change), the same value again changes nothing. Rows that cannot
    be stored are returned in ``rejected`` with their line and reason; the rest are
    stored. Rows for unknown metrics are rejected unless ``new_metrics`` describes them
    (then the metric is created, owned by an assistant who imports it). On
    ``dry_run`` everything is computed and nothing is kept. ``read_rejects``: the
    metric (or None) of each row the file's reader already rejected; they count in the
    per-metric and audited totals.
    """
    from tracker.clock import today as workspace_today

    require_writer(actor, "import values")
    import pyarrow as pa

    schema = incoming_schema()
    # whose work each value is (the long form's `for`, as `waypoint export` writes it);
    # the platform readers have none: the person who recorded it
    whose = rows.column("for_person") if "for_person" in rows.column_names else None
    rows = rows.select(schema.names)
    if not rows.schema.equals(schema):
        # only when a reader's columns differ: Table.cast loads pyarrow.compute (90 ms)
        rows = rows.cast(schema)
    # (the long form writes it as text; a reader without one gets empty cells)
    rows = rows.append_column("for_person", whose or pa.nulls(rows.num_rows, pa.string()))
    today = workspace_today(store)
    result = WriteResult()
    with store.write() as con:
        # DuckDB 2.0 refuses register() while an earlier fetchone() left a result open.
        con.abort()
        con.register("incoming_rows", rows)
        try:
            result = _write(
                con,
                actor,
                dict(new_metrics or {}),
                today=today,
                label=label,
                read_rejects=read_rejects,
            )
        finally:
            con.unregister("incoming_rows")
            for table in ("inc", "classified", "touched_days"):
                con.execute(f"DROP TABLE IF EXISTS {table}")
        result.dry_run = dry_run
        if not (result.inserted or result.replaced or result.unchanged):
            # Not one value of the file could be stored: the metrics it would have created
            # (or brought back) are not kept either (nor promised by a dry run), so the
            # file is refused whole and a fixed copy imports as if it were the first.
            result.change, result.created_metrics, result.revived_metrics = None, [], []
        if dry_run or result.change is None:
            # a dry run keeps no change: its number is the next real change's, so
            # reporting it would point `undo` at something else
            result.change = None
            raise Rollback  # a dry run, or an import that changes nothing, writes nothing
    return result


_ROW_PROBLEM = f"""
CASE WHEN metric IS NULL OR trim(metric) = '' THEN 'no metric'
     WHEN day IS NULL THEN 'no day'
     WHEN value IS NULL OR NOT isfinite(value) THEN 'the value is missing or not a finite number'
     WHEN day < DATE '{FIRST_DAY}' OR day > DATE '{LAST_DAY}'
         THEN 'the day ' || day::VARCHAR || ' is outside {FIRST_DAY} to {LAST_DAY}'
     WHEN day > $today THEN day::VARCHAR || ' is in the future (today is '
         || $today::VARCHAR || ' in the workspace''s time zone)'
     WHEN abs(value) > {MAX_ABS} THEN 'the value is too large to be real'
END
"""


def _write(
    con: Connection,
    actor: Actor,
    new_metrics: dict[str, NewMetric],
    *,
    today: dt.date,
    label: str,
    read_rejects: Sequence[str | None] = (),
) -> WriteResult:
    """The steps of an import, over the relation ``incoming_rows``."""
    result = WriteResult(read_rejected=len(read_rejects))
    for metric in read_rejects:
        if metric:
            result.per_metric.setdefault(metric, empty_counts())["rejected"] += 1
    author = None if actor.key == "local" else actor.key
    # Opened first so that metrics created on the way belong to it; dropped again when
    # the import turns out to change nothing.
    result.change = open_change(con, actor, "import", f"import {label}", {"label": label})
    _stage(con, result, today=today, author=author, manager=actor.role == "manager")
    _resolve_metrics(con, actor, new_metrics, result)
    _check_rows(con, actor, result)
    _hours_per_person(con)
    _keep_last_of_repeats(con, result)
    _classify(con, actor, result)
    if result.inserted or result.replaced or result.created_metrics or result.revived_metrics:
        _store(con, actor, result, label)
        _findings(con, result)
        summary = (
            f"import {label}: {result.inserted} inserted, {result.replaced} replaced,"
            f" {result.unchanged} unchanged"
        )
        set_detail(con, result.change, summary, {"label": label, **result.as_dict()})
    else:
        con.execute("DELETE FROM changes WHERE id = ?", [result.change])
        result.change = None
    result.rejected.sort(key=lambda p: (p.line or 0, p.metric or ""))
    return result


def _reject(
    con: Connection,
    result: WriteResult,
    where: str,
    reason_sql: str,
    params: list[Any] | None = None,
    column: str = "metric",
    reason_params: list[Any] | None = None,
) -> None:
    """Move the rows of ``inc`` matching ``where`` to the rejects, with their reason.
    ``reason_params`` fill the reason's own ``?`` (a person's name is a parameter, never
    SQL text: "Jay O'Brien")."""
    for line, metric, reason, value, by, whose, day in con.execute(
        f"SELECT line, metric, {reason_sql}, value, recorded_by, for_person, day FROM inc"  # noqa: S608 (fixed fragments)
        f" WHERE {where} ORDER BY line",
        [*(reason_params or []), *(params or [])],
    ).fetchall():
        amount = _as_read(value)
        shown = {"metric": metric, "by": by, "for": whose, "note": None, "source": None}.get(
            column, amount
        )
        result.rejected.append(RowProblem(line, metric, reason, column, shown, day, amount))
        result.per_metric.setdefault(metric, empty_counts())["rejected"] += 1
    con.execute(f"DELETE FROM inc WHERE {where}", params or [])  # noqa: S608


def empty_counts() -> dict[str, int]:
    """A metric's counts in an import summary, before any row."""
    return {"inserted": 0, "replaced": 0, "unchanged": 0, "rejected": 0}


# A person a row names in column {c}, else {otherwise}.
_PERSON = (
    "CASE WHEN trim({c}) = 'local' AND $manager THEN NULL"
    " ELSE coalesce(nullif(trim({c}), ''), {otherwise}) END"
)


def _stage(
    con: Connection, result: WriteResult, *, today: dt.date, author: str | None, manager: bool
) -> None:
    """Rows that can be read at all (``_keep_last_of_repeats`` then settles repeats)."""
    # One pass over the batch: each row is staged with its problem (NULL for most), and
    # the few with one are listed and taken out again (a second pass to list them was
    # 40 ms of a million-row import). 'manual' is kept for hand-logged entries: an
    # imported row never replaces one.
    # `local` (an export's name for the command line's local manager) is stored as the
    # local manager's values are, without a person; only a manager may name a manager
    by = _PERSON.format(c="recorded_by", otherwise="$author")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE inc AS
        SELECT line, day, trim(metric) AS metric,
               -- -0 (a file's "-0", an accounting "(0)") is stored as 0, as a typed one is
               CASE WHEN value = 0 THEN 0.0 ELSE value END AS value,
               coalesce(nullif(nullif(trim(source), ''), 'manual'), '{IMPORT_SOURCE}') AS source,
               {by} AS recorded_by,
               -- whose work it is: `for`, else whoever recorded it (as `log --for`)
               {_PERSON.format(c="for_person", otherwise=f"nullif({by}, '{SCHEDULER.key}')")} AS for_person,
               nullif(trim(for_person), '') IS NOT NULL AS for_given,
               nullif(trim(recorded_by), '') IS NOT NULL AS by_given,
               -- the stored source an hours row replaces, when not its own (see
               -- _hours_per_person)
               NULL::VARCHAR AS match_source,
               nullif(trim(note), '') AS note, {_ROW_PROBLEM} AS problem,
               -- counted below, with the repeated keys (a scan of its own was 12-16 ms)
               trim(source) = 'manual' AS named_manual
        FROM incoming_rows
        """,  # noqa: S608 (constants only)
        {"today": today, "author": author, "manager": manager},
    )
    problems = con.execute(
        "SELECT line, metric, problem, day, value FROM inc WHERE problem IS NOT NULL ORDER BY line"
    ).fetchall()
    for line, metric, reason, day, value in problems:
        column = "metric" if reason == "no metric" else ("day" if "day" in reason else "value")
        # the cell as it was read: the day of a day's problem, the number of a value's
        amount = _as_read(value)
        shown = {"day": None if day is None else str(day), "value": amount}.get(column)
        result.rejected.append(RowProblem(line, metric, reason, column, shown, day, amount))
        if metric:
            result.per_metric.setdefault(metric, empty_counts())["rejected"] += 1
    if problems:
        con.execute("DELETE FROM inc WHERE problem IS NOT NULL")


_NAMED_HOURS = (
    "(for_given OR by_given) AND for_person IS NOT NULL"
    " AND metric IN (SELECT key FROM metrics WHERE class = 'effort')"
)


def _hours_per_person(con: Connection) -> None:
    """Hours are each person's: a file that names whose they are (`by` or `for`) keeps
    each person's hours of a day under a source of their own (`import.long.for-jay`), so
    a timesheet of two people's hours on one day stores both, never the last row alone.
    A value stored before under the plain source for that person (an older import) is
    the one such a row replaces, so importing a timesheet again never counts it twice."""
    if not con.execute(f"SELECT count(*) FROM inc WHERE {_NAMED_HOURS}").fetchall()[0][0]:  # noqa: S608 (a constant)
        return
    con.execute(
        f"""
        UPDATE inc SET
            source = source || '.for-' || for_person,
            match_source = CASE
                WHEN NOT EXISTS (SELECT 1 FROM observations o WHERE o.removed_by IS NULL
                                 AND o.metric = inc.metric AND o.day = inc.day
                                 AND o.source = inc.source || '.for-' || inc.for_person)
                 AND EXISTS (SELECT 1 FROM observations o WHERE o.removed_by IS NULL
                             AND o.metric = inc.metric AND o.day = inc.day
                             AND o.source = inc.source
                             AND o.for_person IS NOT DISTINCT FROM inc.for_person)
                THEN source END
        WHERE {_NAMED_HOURS}
        """  # noqa: S608 (a constant)
    )


def _keep_last_of_repeats(con: Connection, result: WriteResult) -> None:
    """A key repeated in the batch keeps its last line, among the rows that passed every
    check (a refused row is rejected with its reason, never dropped as a repeat)."""
    # A key repeated in the batch keeps its last line. Counting first is cheaper than
    # always ranking: most files repeat nothing, and the ranking is then skipped.
    # (a DISTINCT subquery hashes the three columns; count(DISTINCT (a, b, c)) builds a
    # struct per row first and was 20 ms slower at a million rows)
    result.repeated, result.renamed_manual = con.execute(
        "SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT metric, day, source FROM inc)),"
        " count(*) FILTER (named_manual) FROM inc"
    ).fetchall()[0]
    if result.renamed_manual:
        _settle_entries(con, result)
        # entries left out or added up are repeats no longer
        result.repeated = con.execute(
            "SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT metric, day, source"
            " FROM inc)) FROM inc"
        ).fetchall()[0][0]
    if result.repeated:
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE inc AS
            SELECT * EXCLUDE (rn) FROM (
                SELECT *, row_number() OVER (PARTITION BY metric, day, source
                                             ORDER BY coalesce(line, 0) DESC) AS rn
                FROM inc)
            WHERE rn = 1
            """
        )


def _settle_entries(con: Connection, result: WriteResult) -> None:
    """Rows naming the source 'manual' are entries written out by `waypoint export` (or
    typed as such). On a day that already holds entries logged here (for hours: for the
    same person) they are those entries coming back: the day's entries stand and the
    rows count as unchanged (an export imported into its own workspace changes nothing).
    On other days a flow metric's entries add up, as entries do, into one value of the
    import's source, hours per person they are for (`import.for-PERSON`, so whose hours
    they are survives); a stock's latest stands, as a repeat's last line does."""
    here = (
        "named_manual AND EXISTS (SELECT 1 FROM observations o JOIN metrics m"
        " ON m.key = o.metric WHERE o.removed_by IS NULL AND o.source = 'manual'"
        " AND o.metric = inc.metric AND o.day = inc.day"
        " AND (m.class <> 'effort' OR o.for_person IS NOT DISTINCT FROM inc.for_person))"
    )
    for metric, n in con.execute(
        f"SELECT metric, count(*) FROM inc WHERE {here} GROUP BY metric ORDER BY metric"  # noqa: S608 (a constant)
    ).fetchall():
        result.entries_kept += n
        result.unchanged += n
        result.per_metric.setdefault(metric, empty_counts())["unchanged"] += n
    if result.entries_kept:
        con.execute(f"DELETE FROM inc WHERE {here}")  # noqa: S608 (a constant)
    summed = con.execute(
        "SELECT count(*) - count(DISTINCT (metric, day, source)) FROM inc JOIN metrics m"
        " ON m.key = inc.metric WHERE named_manual AND m.behaviour = 'flow'"
    ).fetchall()[0][0]
    if not summed:
        return
    result.entries_summed = summed
    columns = [r[0] for r in con.execute("DESCRIBE inc").fetchall()]
    # one row per day (and source): the entries' sum, the rest from the last of them
    merged = ", ".join(
        "sum(value) AS value"
        if c == "value"
        else f"{c}"
        if c in ("metric", "day", "source")
        else f"arg_max({c}, coalesce(line, 0)) AS {c}"
        for c in columns
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE inc AS
        SELECT * FROM inc
        WHERE NOT (named_manual AND metric IN (SELECT key FROM metrics WHERE behaviour = 'flow'))
        UNION ALL BY NAME
        SELECT {merged} FROM inc
        WHERE named_manual AND metric IN (SELECT key FROM metrics WHERE behaviour = 'flow')
        GROUP BY metric, day, source
        """  # noqa: S608 (the table's own column names)
    )


def _resolve_metrics(
    con: Connection, actor: Actor, new_metrics: dict[str, NewMetric], result: WriteResult
) -> None:
    # one pass over the batch for its metrics, then a lookup of those few in the plan
    incoming = [r[0] for r in con.execute("SELECT DISTINCT metric FROM inc ORDER BY 1").fetchall()]
    known = {
        r[0]: (r[1], r[2])
        for r in con.execute(
            "SELECT key, archived, class FROM metrics WHERE list_contains(?, key)", [incoming]
        ).fetchall()
    }
    allowed = assigned_metrics(con, actor)
    channels = assigned_channels(con, actor)
    refused: dict[str, str] = {}
    stored: list[str] | None = None
    for metric in incoming:
        if metric not in known:
            spec = new_metrics.get(metric)
            if spec is None:
                if stored is None:  # read once, for the first unknown metric only
                    stored = [r[0] for r in con.execute("SELECT key FROM metrics").fetchall()]
                refused[metric] = (
                    f"unknown metric {quoted(metric)}{spelled_like(metric, stored)}; add it to"
                    " the plan or check the spelling"
                )
                continue
            if channels is not None and spec.channel not in channels and spec.klass != "effort":
                # by its name and channel as people read them (not facebook.page_likes)
                where = f"is on {channel_label(spec.channel)}" if spec.channel else "has no channel"
                refused[metric] = (
                    f"{actor.name} may not add the metric {spec.name}: it {where}, not a"
                    " channel they work on (ask a manager to add it to the plan or assign the"
                    " channel)"
                )
                continue
            _create_metric(con, actor, spec, result.change)
            result.created_metrics.append(metric)
            continue
        archived, _klass = known[metric]
        if allowed is not None and metric not in allowed:
            named = con.execute("SELECT name FROM metrics WHERE key = ?", [metric]).fetchall()
            refused[metric] = (
                f"{actor.name} may not import {named[0][0] if named else metric}: it is not"
                " a metric of a KPI, campaign or objective they own (ask a manager to assign"
                " it)"
            )
            continue
        if archived:
            if actor.role != "manager":
                refused[metric] = f"{metric} is archived; only a manager may bring it back"
                continue
            # Data arriving for an archived metric brings it back: history must stay visible.
            con.execute("UPDATE metrics SET archived = false WHERE key = ?", [metric])
            auditlog.record(
                con,
                actor,
                "update",
                "metric",
                metric,
                {"archived": True},
                {"archived": False},
                change=result.change,
            )
            result.revived_metrics.append(metric)
    if refused:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE refused AS SELECT unnest(?::VARCHAR[]) AS metric,"
            " unnest(?::VARCHAR[]) AS reason",
            [list(refused), list(refused.values())],
        )
        _reject(
            con,
            result,
            "metric IN (SELECT metric FROM refused)",
            "(SELECT reason FROM refused r WHERE r.metric = inc.metric)",
        )
        con.execute("DROP TABLE refused")


SOURCE_LIMIT = 200  # characters, as a name (tracker.models.Name)


def _check_rows(con: Connection, actor: Actor, result: WriteResult) -> None:
    # A file's notes are cleaned as a typed note is (tracker.text.clean_note): no control
    # characters (an escape sequence would reach a terminal through `values`), tabs and
    # line breaks kept, and no longer than a typed note may be
    con.execute(
        "UPDATE inc SET note = nullif(regexp_replace(regexp_replace(note, ?, '', 'g'),"
        " '^\\s+|\\s+$', '', 'g'), '') WHERE note IS NOT NULL",  # trim() takes spaces only
        [NOTE_STRIPPED],
    )
    # a source is a label people read in summaries, flags and `prefer:` advice: one
    # line, printable (an escape sequence in it would reach every terminal that shows it)
    _reject(
        con,
        result,
        "regexp_matches(source, ?)",
        "'the source holds control characters (a line break, an escape sequence); write it"
        " as plain text'",
        [ANY_CONTROL_CHARACTER],
        column="source",
    )
    # as long as a name may be: a 50,000-character source was stored, cut by the XLSX
    # export (Excel holds 32,767 in a cell) and took `audit` 38 s to lay out
    _reject(
        con,
        result,
        "length(source) > ?",
        "'the source is ' || format('{:,}', length(source)) || ' characters long; keep it"
        " under ' || format('{:,}', ?::INTEGER)",
        [SOURCE_LIMIT],
        column="source",
        reason_params=[SOURCE_LIMIT],
    )
    _reject(
        con,
        result,
        "length(note) > ?",
        "'the note is ' || format('{:,}', length(note)) || ' characters long; keep it"
        " under ' || format('{:,}', ?::INTEGER)",
        [NOTE_LIMIT],
        column="note",
        reason_params=[NOTE_LIMIT],
    )
    _reject(
        con,
        result,
        "value < (SELECT min_value FROM metrics m WHERE m.key = inc.metric)",
        # the metric by name and numbers as written (-2, not -2.0); the fix for whoever
        # reads it, assistant or manager
        "'the value ' || printf('%.15g', value) || ' is below the smallest allowed for '"
        " || (SELECT name FROM metrics m WHERE m.key = inc.metric) || ' ('"
        " || printf('%.15g', (SELECT min_value FROM metrics m WHERE m.key = inc.metric))"
        " || '): correct the file, or, if it can be negative, a manager sets min: null on"
        " the metric in the plan'",
        column="value",
    )
    # `by` names who recorded a value and `for` whose work it is (as `log --for`): each
    # someone of the workspace who may record values, never a stranger or a viewer
    # (viewers record nothing); an assistant names only herself. Rows without `by` are
    # recorded by whoever imports (the scheduler's inbox job included).
    # (the column names below are this module's constants, never the file's)
    people = (("by", "recorded_by", "TRUE"), ("for", "for_person", "for_given"))
    for column, named, given in people:
        # an export names the scheduler as the author of what the inbox imported: a
        # manager's import reads it back (a round trip keeps who recorded what)
        system = [SCHEDULER.key] if column == "by" and actor.is_manager else []
        _reject(
            con,
            result,
            f"{given} AND {named} IS NOT NULL AND {named} <> ? AND {named} NOT IN (SELECT key"  # noqa: S608
            " FROM people WHERE role IN ('manager', 'assistant') AND NOT archived)"
            f" AND NOT list_contains(?::VARCHAR[], {named})",
            # a viewer is in the workspace: the reason says why they cannot be named
            f"CASE WHEN {named} IN (SELECT key FROM people WHERE role = 'viewer')"  # noqa: S608
            f" THEN '{column} ' || {named} || ' is a viewer of this workspace; viewers record"
            " nothing (name a manager or assistant)'"
            f" ELSE '{column} ' || {named} || ' is not a manager or assistant of this workspace"
            " (a person''s key from the plan)' END",
            [actor.key, system],
            column=column,
        )
        if actor.role == "assistant":
            _reject(
                con,
                result,
                f"{given} AND {named} IS DISTINCT FROM ?",
                f"? || ' may only record values as themselves ({column} ' ||"
                f" coalesce({named}, 'local') || ')'",
                [actor.key],
                column=column,
                reason_params=[actor.name],
            )


def _classify(con: Connection, actor: Actor, result: WriteResult) -> None:
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE classified AS
        SELECT i.* EXCLUDE (problem, named_manual), o.id AS old_id, o.entry AS old_entry, o.value AS old_value,
               o.recorded_by AS old_by, o.recorded_at AS old_at, o.note AS old_note,
               CASE WHEN o.id IS NULL THEN 'inserted'
                    WHEN o.value = i.value AND o.note IS NOT DISTINCT FROM i.note
                     -- whose work it is counts only where the file says (`for`)
                     AND (NOT (i.for_given OR i.by_given)
                          OR o.for_person IS NOT DISTINCT FROM i.for_person)
                    THEN 'unchanged'
                    ELSE 'replaced' END AS outcome
        FROM inc i LEFT JOIN observations o
          ON o.removed_by IS NULL AND o.metric = i.metric AND o.day = i.day
         AND o.source = coalesce(i.match_source, i.source)
        """
    )
    if actor.role == "assistant":
        # Nobody's values are replaced by someone else, except by a manager.
        for line, metric, old_by, day, value in con.execute(
            "SELECT line, metric, old_by, day, value FROM classified WHERE outcome = 'replaced'"
            " AND old_by IS DISTINCT FROM ? ORDER BY line",
            [actor.key],
        ).fetchall():
            amount = _as_read(value)
            result.rejected.append(
                RowProblem(
                    line,
                    metric,
                    f"the stored value was recorded by {old_by or 'a manager'}; only they or a"
                    " manager may replace it",
                    "value",
                    amount,
                    day,
                    amount,
                )
            )
            result.per_metric.setdefault(metric, empty_counts())["rejected"] += 1
        con.execute(
            "DELETE FROM classified WHERE outcome = 'replaced' AND old_by IS DISTINCT FROM ?",
            [actor.key],
        )
    for metric, outcome, n in con.execute(
        "SELECT metric, outcome, count(*) FROM classified GROUP BY ALL ORDER BY ALL"
    ).fetchall():
        result.per_metric.setdefault(metric, empty_counts())[outcome] += n
        setattr(result, outcome, getattr(result, outcome) + n)
    first, last = con.execute("SELECT min(day), max(day) FROM classified").fetchall()[0]
    result.first_day, result.last_day = first, last


def _store(con: Connection, actor: Actor, result: WriteResult, label: str) -> None:
    change = result.change
    if result.replaced:
        con.execute(
            """
            UPDATE observations SET removed_by = ?
            FROM classified c
            WHERE c.outcome = 'replaced' AND observations.id = c.old_id
            """,
            [change],
        )
    base = con.execute("SELECT coalesce(max(id), 0) FROM observations").fetchall()[0][0]
    # Ids in file order (by line, then metric and source), one after another: the entry
    # numbers people see follow their file, and the same import numbers its entries the
    # same way every time (unordered ids were tried: they numbered entries differently
    # from run to run). When the stored rows are one per line on consecutive lines (a
    # fresh long file, most exports), that order is the line's offset and needs no sort;
    # the window's sort was a fifth of a million-row import. Any other batch is sorted.
    # Either way rows are stored in id order (a plain sort of one integer on the fast
    # path), so DuckDB's zone maps find an id without an index.
    first_line, last_line, n, n_lines = con.execute(
        "SELECT min(line), max(line), count(*), count(line) FROM classified"
        " WHERE outcome <> 'unchanged'"
    ).fetchall()[0]
    consecutive = n_lines == n > 0 and last_line - first_line + 1 == n
    if consecutive:
        # As many rows as lines in the span: one per line exactly when no line repeats.
        # A bit per line counts the distinct ones without hashing (count(DISTINCT line)
        # was 48 ms of a million-row import, this is 6).
        consecutive = (
            con.execute(
                "SELECT bit_count(bitstring_agg(line, $first, $last)) FROM classified"
                " WHERE outcome <> 'unchanged'",
                {"first": first_line, "last": last_line},
            ).fetchall()[0][0]
            == n
        )
    place = (
        "line - $first + 1" if consecutive else "row_number() OVER (ORDER BY line, metric, source)"
    )
    con.execute(
        f"""
        INSERT INTO observations (id, entry, metric, day, source, value, recorded_by,
                                  for_person, recorded_at, note, change_id, removed_by)
        SELECT $base + n, coalesce(old_entry, $base + n), metric, day, source, value,
               recorded_by, for_person, $at, note, $change, NULL
        FROM (SELECT *, {place} AS n FROM classified WHERE outcome <> 'unchanged')
        ORDER BY n
        """,  # noqa: S608 (one of two fixed fragments)
        {"base": base, "at": auditlog.stamp(), "change": change}
        | ({"first": first_line} if consecutive else {}),
    )
    # (metric, day) once per source that changed it: every reader below joins or counts
    # distinct days, and a DISTINCT over a million rows is 70 ms
    con.execute(
        "CREATE OR REPLACE TEMP TABLE touched_days AS"
        " SELECT metric, day FROM classified WHERE outcome <> 'unchanged'"
    )
    refresh_stored(con, "classified")
    if result.replaced:
        con.execute(
            """
            INSERT INTO audit_log (id, "at", actor, action, entity, key, old_value, new_value,
                                   change_id)
            SELECT (SELECT coalesce(max(id), 0) FROM audit_log) + row_number() OVER (ORDER BY line),
                   $at, $actor, 'replace', 'observation',
                   metric || '|' || day::VARCHAR || '|' || source,
                   to_json({value: old_value, recorded_by: old_by, recorded_at: old_at,
                            note: old_note}),
                   to_json({value: value, recorded_by: recorded_by, note: note}), $change
            FROM classified WHERE outcome = 'replaced'
            """,
            {"at": auditlog.stamp(), "actor": actor.key, "change": change},
        )
    auditlog.record(
        con,
        actor,
        "import",
        "observations",
        label,
        None,
        {
            "inserted": result.inserted,
            "replaced": result.replaced,
            "unchanged": result.unchanged,
            "rejected": len(result.rejected) + result.read_rejected,
        },
        change=change,
    )


def _findings(con: Connection, result: WriteResult) -> None:
    """Outliers, overlapping sources and days before every KPI window, for the summary."""
    if not (result.inserted or result.replaced):
        return
    for metric, day, value, reference, days in mark_outliers(con, result.change):
        result.outliers.append(
            {
                "metric": metric,
                "day": day.isoformat(),
                "value": value,
                "reference": reference,
                "days": days,
            }
        )
    result.overlaps = overlaps(con, scope="touched_days")
    for metric, start, keys, n, first, last in con.execute(
        """
        WITH w AS (
            SELECT m.key AS metric, min(coalesce(k.start, o.start)) AS start,
                   list(k.key ORDER BY k.key) AS kpis,
                   bool_or(coalesce(k.start, o.start) IS NULL) AS open_start
            FROM metrics m
            JOIN kpis k ON m.key IN (k.metric, k.numerator, k.denominator) AND NOT k.archived
            JOIN objectives o ON o.key = k.objective AND NOT o.archived
            WHERE m.key IN (SELECT metric FROM touched_days)
            GROUP BY m.key
        )
        SELECT t.metric, any_value(w.start), any_value(w.kpis), count(DISTINCT t.day), min(t.day),
               max(t.day)
        FROM touched_days t JOIN w ON w.metric = t.metric
        WHERE NOT w.open_start AND t.day < w.start
        GROUP BY t.metric ORDER BY t.metric
        """
    ).fetchall():
        result.outside_windows.append(
            {
                "metric": metric,
                "days": n,
                "first": first.isoformat(),
                "last": last.isoformat(),
                "windows_start": start.isoformat(),
                "kpis": list(keys),
            }
        )


def counted_twice(name: str, sources: list[str], days: int, first: dt.date, last: dt.date) -> str:
    """The overlap as people read it, by names (the audit's flag, the Import page):
    "Leads comes from Instagram imports and hand entries, which both cover 2 days
    (16–17 Nov 2026): those days are counted twice." """
    which = "which both cover" if len(sources) == 2 else "two or more of which cover the same"
    return (
        f"{name} comes from {listing([source_label(x) for x in sources])},"
        f" {which} {days} day{'s' if days != 1 else ''}"
        f" ({formats.day_span(first, last)}): those days are counted twice."
    )


def overlap_sentences(found: list[Overlap]) -> list[str]:
    """One sentence per pair of sources and span, naming its metrics: two exports of one
    platform overlap on a dozen metrics at once, and a dozen lines say nothing more."""
    groups: dict[tuple[Any, ...], list[str]] = {}
    for o in found:
        groups.setdefault((tuple(o.sources), o.days, o.first, o.last, o.prefer), []).append(
            o.metric
        )
    sentences = []
    for (sources, days, first, last, prefer), metrics in groups.items():
        counted = (
            f"only {prefer} counts there (prefer)"
            if prefer
            else "those days count twice; set `prefer:` on the metrics in the plan"
        )
        if not prefer and all(hours_person(x) for x in sources):
            counted = f"those days count twice; {ONE_PERSONS_HOURS}"
        sentences.append(
            f"{_cover(list(sources))} {days} day(s) ({first} to {last}) of"
            f" {listing(metrics, most=12)}: {counted}"
        )
    return sentences


_PERSON_OF_SOURCE = re.compile(PERSON_OF_SOURCE)
ONE_PERSONS_HOURS = (
    "the same person's hours came twice: take one back (`waypoint undo` the import),"
    " delete the doubled values (`waypoint values METRIC`, then `waypoint delete`), or"
    " set `prefer:` on the metric to the source that is right (each person's hours apart)"
)


def hours_person(source: str) -> str | None:
    """The person a source of hours is for (``timesheet:jay``, ``import.long.for-jay``)."""
    found = _PERSON_OF_SOURCE.search(source)
    return found.group(1) if found else None


# Live rows of flow metrics, optionally limited to a temp table's days. Hand entries are
# left out: people log what the imports do not hold (two inquiries by phone beside the
# website's), several times a day, and the flag's advice, `prefer` an import, would stop
# their entries counting. Two files that count the same things are what it is for.
# Hours are per person: Jay's timesheet and Ana's add up, but Jay's timesheet and a file
# of Jay's hours (`import.long.for-jay`) count his day twice. So each row carries the
# person a source of hours is for ('' for any other source), and only one person's
# sources meet; hours of a source that names no person (whose, then?) are left out.
_OVERLAP_ROWS = f"""
    SELECT metric, day, source, person FROM (
        SELECT o.metric, o.day, o.source,
               CASE WHEN o.metric IN (SELECT key FROM metrics WHERE class = 'effort')
                    THEN regexp_extract(o.source, '{PERSON_OF_SOURCE}', 1)
                    ELSE '' END AS person,
               o.metric IN (SELECT key FROM metrics WHERE class = 'effort') AS hours
        FROM observations o
        {{where}}
        WHERE o.removed_by IS NULL AND ($through IS NULL OR o.day <= $through)
          AND o.source <> 'manual'
          AND o.metric IN (SELECT key FROM metrics WHERE behaviour = 'flow')
    ) WHERE NOT hours OR person <> ''
"""  # noqa: S608 (this module's own pattern, no user text)

# Each day's set of sources as a bit mask (bit i: the i-th source of $sources): one
# integer aggregate per day instead of a sorted list of names, then one row per metric
# and set. 0.4 s instead of 2.1 s on 10 million observations with ten sources a day.
_OVERLAPS_BY_MASK = """
WITH src AS (
    SELECT unnest($sources) AS source, (generate_subscripts($sources, 1) - 1)::INTEGER AS bit
),
days AS (
    SELECT l.metric, l.day, bit_or(1::UBIGINT << s.bit) AS mask
    FROM ({rows}) l JOIN src s ON s.source = l.source
    GROUP BY l.metric, l.day, l.person
    HAVING bit_count(bit_or(1::UBIGINT << s.bit)) > 1
),
spans AS (
    SELECT metric, mask, count(*) AS n, min(day) AS first, max(day) AS last
    FROM days GROUP BY metric, mask
)
SELECT p.metric,
       (SELECT list(s.source ORDER BY s.source) FROM src s WHERE (p.mask >> s.bit) & 1 = 1),
       p.n, p.first, p.last, m.prefer
FROM spans p JOIN metrics m ON m.key = p.metric
ORDER BY 1, 2
"""

# The same with the names themselves, for a workspace with more sources than a mask holds.
_OVERLAPS_BY_LIST = """
WITH multi AS (  -- cheap first pass: days with more than one source
    SELECT metric, day, person FROM ({rows}) l
    GROUP BY metric, day, person HAVING min(source) <> max(source)
),
days AS (
    SELECT l.metric, l.day, list(DISTINCT l.source ORDER BY l.source) AS sources
    FROM ({rows}) l
    SEMI JOIN multi m ON m.metric = l.metric AND m.day = l.day AND m.person = l.person
    GROUP BY l.metric, l.day, l.person
)
SELECT d.metric, d.sources, count(*), min(d.day), max(d.day), any_value(m.prefer)
FROM days d JOIN metrics m ON m.key = d.metric
GROUP BY d.metric, d.sources
ORDER BY 1, 2
"""


def overlaps(
    con: Connection, scope: str | None = None, through: dt.date | None = None
) -> list[Overlap]:
    """Flow metrics whose live sources cover the same days (hours: one person's sources,
    as others' hours add up to theirs). ``scope`` limits it to the (metric, day) pairs of a temp table; ``through`` to
    the days up to it (an audit as of a past day sees no overlap that came later)."""
    where = f"SEMI JOIN {scope} t ON t.metric = o.metric AND t.day = o.day" if scope else ""
    rows = _OVERLAP_ROWS.format(where=where)
    # The workspace's sources of flow values, not the scope's: a scan without the scope's
    # join (5 ms instead of 52 at a million rows), and a mask may hold more than it needs.
    sources = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT source FROM ({_OVERLAP_ROWS.format(where='')}) ORDER BY 1",  # noqa: S608
            {"through": through},
        ).fetchall()
    ]
    if len(sources) < 2:
        return []
    if len(sources) <= 64:
        found = con.execute(
            _OVERLAPS_BY_MASK.format(rows=rows),  # noqa: S608 (fixed fragments)
            {"sources": sources, "through": through},
        ).fetchall()
    else:
        found = con.execute(
            _OVERLAPS_BY_LIST.format(rows=rows),  # noqa: S608
            {"through": through},
        ).fetchall()
    # `prefer` settles only the days its source is among: two other sources meeting on
    # a day it has no value still count twice, an overlap like any other
    return [
        Overlap(r[0], list(r[1]), int(r[2]), r[3], r[4], r[5] if _settles(r[5], r[1]) else None)
        for r in found
    ]


def source_without_person(source: str) -> str:
    """A source of one person's hours without its person (``timesheet:jay`` ->
    ``timesheet``, ``import.long.for-jay`` -> ``import.long``): what ``prefer`` may name
    for everyone's hours (tracker.daily)."""
    return re.sub(PERSON_PART_OF_SOURCE, r"\1", source)


def _settles(prefer: str | None, sources: Sequence[str]) -> bool:
    return prefer is not None and any(prefer in (x, source_without_person(x)) for x in sources)


def _create_metric(con: Connection, actor: Actor, spec: NewMetric, change: int | None) -> None:
    position = con.execute("SELECT coalesce(max(position), -1) + 1 FROM metrics").fetchall()[0][0]
    # A metric an assistant's import creates becomes theirs: their next import may write it.
    owner = actor.key if actor.role == "assistant" else None
    klass = spec.klass
    con.execute(
        "INSERT INTO metrics (key, name, unit, channel, class, behaviour, qualified, min_value,"
        " prefer, owner, archived, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, false, ?)",
        [
            spec.key,
            spec.name,
            spec.unit,
            spec.channel,
            klass,
            spec.behaviour,
            spec.qualified,
            spec.minimum,
            owner,
            position,
        ],
    )
    auditlog.record(
        con,
        actor,
        "create",
        "metric",
        spec.key,
        None,
        {
            "name": spec.name,
            "unit": spec.unit,
            "channel": spec.channel,
            "class": klass,
            "behaviour": spec.behaviour,
            "qualified": spec.qualified,
            "owner": owner,
            "created_by": "import",
        },
        change=change,
    )


def seed_values(con: Connection, relation: str, change: int = 0) -> int:
    """Insert the rows of ``relation`` (metric, day, source, value, recorded_by,
    recorded_at) as live values and rebuild the daily table: the demo and benchmarks,
    which write many values at once without checks. Returns the row count."""
    base = con.execute("SELECT coalesce(max(id), 0) FROM observations").fetchall()[0][0]
    n = con.execute(
        f"""
        INSERT INTO observations (id, entry, metric, day, source, value, recorded_by,
                                  for_person, recorded_at, note, change_id, removed_by)
        SELECT ? + n, ? + n, metric, day, source, value, recorded_by, recorded_by,
               recorded_at, NULL, ?, NULL
        FROM (SELECT *, row_number() OVER () AS n FROM {relation})
        """,  # noqa: S608 (a relation name of the caller's, never user text)
        [base, base, change],
    ).fetchall()[0][0]
    from tracker.daily import rebuild_daily

    rebuild_daily(con)
    return int(n)


# -- reading and exporting -------------------------------------------------------------
EXPORT_COLUMNS = ["day", "metric", "value", "source", "recorded_by", "for", "recorded_at", "note"]
# what each column is made of: the local manager's values carry no author, and are
# written as `local` (the key an import reads back as the local manager)
_EXPORT_SQL = {
    "recorded_by": "coalesce(recorded_by, 'local')",
    # the scheduler is no one whose work it is (rows stored before it was so, too)
    "for": f"CASE WHEN recorded_by = '{SCHEDULER.key}' THEN nullif(for_person, '{SCHEDULER.key}')"
    " ELSE coalesce(for_person, recorded_by, 'local') END",
}


_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def neutralise(text: str | None) -> str | None:
    """Make a text cell safe to open in a spreadsheet (no formula can run). A plain
    negative number (-4) is left as it is: a spreadsheet reads it as the number it is,
    and the apostrophe would only stand in the way of fixing and importing it again
    (-2-3 is a formula and gets one)."""
    if text and text.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


# neutralise() in SQL: the same prefixes, a plain negative number left as it is
_SAFE_SQL = (
    "CASE WHEN regexp_matches({c}, '^[=+\\-@\\t\\r]')"
    " AND NOT regexp_full_match({c}, '-?[0-9]+(\\.[0-9]+)?') THEN '''' || {c} ELSE {c} END"
)


def _export_select(neutral: bool) -> str:
    cols = []
    for c in EXPORT_COLUMNS:
        made_of = _EXPORT_SQL.get(c, c)
        if neutral and c in ("metric", "source", "recorded_by", "for", "note"):
            made_of = _SAFE_SQL.format(c=made_of)
        cols.append(f'{made_of} AS "{c}"')
    return (
        f"SELECT {', '.join(cols)} FROM observations WHERE removed_by IS NULL"  # noqa: S608
        " ORDER BY day, metric, source, recorded_at, id"
    )


def export_observations(store: Store, out: str | Path, fmt: str = "csv") -> int:
    """Write every observation to ``out``; returns the row count.

    Text cells that a spreadsheet would run as a formula get a leading apostrophe
    (CSV and XLSX); numbers are written as numbers. The file is written whole or not at
    all, never through a link (``tracker.outfiles``).
    """
    if fmt not in ("csv", "parquet", "xlsx"):
        raise BadInput(f"--format {fmt}: use csv, parquet or xlsx")
    return write_atomically(
        out,
        lambda part: _export_to(store, part, fmt),
        make_folders=True,
        keep_off=store.own_files(),
    )


def _export_to(store: Store, out: Path, fmt: str) -> int:
    with store.read() as con:
        count = con.execute(
            "SELECT count(*) FROM observations WHERE removed_by IS NULL"
        ).fetchall()[0][0]
        if fmt == "csv":
            # FORMAT named: DuckDB would otherwise go by the file's ending (x.parquet)
            con.execute(
                f"COPY ({_export_select(True)}) TO ? (FORMAT csv, HEADER, DELIMITER ',')",
                [str(out)],
            )
        elif fmt == "parquet":
            con.execute(f"COPY ({_export_select(False)}) TO ? (FORMAT parquet)", [str(out)])
        else:
            if count >= 1_048_575:
                raise BadInput(
                    f"{count:,} observations do not fit in one Excel sheet (1,048,575 rows);"
                    " use --format csv or parquet"
                )
            table = con.sql(_export_select(True)).to_arrow_table()
            _write_xlsx(table, out)
    return int(count)


def _write_xlsx(table: pa.Table, out: Path) -> None:
    import tempfile

    # xlsxwriter writes each part of the workbook to a temporary file before zipping
    # them, and leaves them behind when the zip fails (a full disk: eight files a time):
    # in a folder of their own, removed whatever happens
    with tempfile.TemporaryDirectory(prefix="waypoint-xlsx-", ignore_cleanup_errors=True) as parts:
        _write_xlsx_parts(table, out, parts)


def _write_xlsx_parts(table: pa.Table, out: Path, parts: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(out),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "constant_memory": True,
            "tmpdir": parts,
        },
    )
    sheet = book.add_worksheet("observations")
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    ts_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write_row(0, 0, EXPORT_COLUMNS)
    columns = [table.column(c).to_pylist() for c in EXPORT_COLUMNS]
    for r, values in enumerate(zip(*columns, strict=True), start=1):
        for c, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, ts_fmt)
            elif isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
            elif isinstance(value, float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    try:
        book.close()
    except Exception as exc:
        _drop_open_files(exc)
        raise


def _drop_open_files(exc: BaseException) -> None:
    """xlsxwriter leaves its zip file open when writing it fails (a full disk), and
    Python closing it at exit printed a traceback after the message: the failed call's
    frames are cleared now, with Python's report of a failing close silenced."""
    import sys
    import traceback

    hook = sys.unraisablehook
    sys.unraisablehook = lambda _report: None
    try:
        seen: BaseException | None = exc
        while seen is not None:
            traceback.clear_frames(seen.__traceback__)
            seen = seen.__cause__ or seen.__context__
    finally:
        sys.unraisablehook = hook


def daily_values(
    store: Store, metric: str, start: dt.date | None = None, end: dt.date | None = None
) -> list[tuple[dt.date, float]]:
    """The metric's value per day as counted (tracker.daily's rule), oldest first."""
    with store.read() as con:
        if not con.execute("SELECT 1 FROM metrics WHERE key = ?", [metric]).fetchall():
            raise NotFound(f"unknown metric {metric!r}")
        rows = con.execute(
            "SELECT day, value FROM daily_values WHERE metric = ?"
            " AND (?::DATE IS NULL OR day >= ?) AND (?::DATE IS NULL OR day <= ?) ORDER BY day",
            [metric, start, start, end, end],
        ).fetchall()
    return [(r[0], float(r[1])) for r in rows]
