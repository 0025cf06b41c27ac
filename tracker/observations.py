"""Observations: one value of one metric on one day from one source.

Keyed by (metric, day, source). Writing a key again replaces the value; the old value
goes to the audit log in the same transaction. Bulk writes (imports) are set-based SQL
over an Arrow table, so a million rows cost about as much as DuckDB reading them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker import auditlog
from tracker.clock import now_utc
from tracker.errors import BadInput, NotFound, PermissionDenied
from tracker.permissions import assigned_channels, assigned_metrics, require_writer
from tracker.records import Actor
from tracker.store import Connection, Store

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


@dataclass
class RowProblem:
    line: int | None
    metric: str | None
    reason: str


@dataclass
class WriteResult:
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    rejected: list[RowProblem] = field(default_factory=list)
    per_metric: dict[str, dict[str, int]] = field(default_factory=dict)
    created_metrics: list[str] = field(default_factory=list)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "inserted": self.inserted,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "rejected": len(self.rejected),
            "per_metric": self.per_metric,
            "created_metrics": self.created_metrics,
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


def _check_person(con: Connection, key: str | None) -> None:
    if key is None:
        return
    if con.execute("SELECT 1 FROM people WHERE key = ? AND NOT archived", [key]).fetchone() is None:
        raise NotFound(f"--by {key}: no such person in the plan")


def log_value(
    store: Store,
    actor: Actor,
    metric: str,
    value: float,
    *,
    day: dt.date,
    by: str | None = None,
    note: str | None = None,
    source: str = "manual",
) -> str:
    """Record one value; returns 'inserted', 'replaced' or 'unchanged'."""
    require_writer(actor, "log values")
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise BadInput(f"value for {metric}: {value!r} is not a finite number")
    if note is not None and len(note) > 2000:
        raise BadInput(f"note for {metric}: {len(note)} characters; keep it under 2,000")
    recorded_by = by if by is not None else (None if actor.key == "local" else actor.key)
    with store.write() as con:
        row = con.execute("SELECT archived FROM metrics WHERE key = ?", [metric]).fetchone()
        if row is None:
            raise NotFound(
                f"unknown metric {metric!r}; add it to the plan (waypoint plan apply) first"
            )
        _check_person(con, by)
        allowed = assigned_metrics(con, actor)
        if allowed is not None and metric not in allowed:
            raise PermissionDenied(
                f"{actor.name} may not log {metric}: it is not one of their KPIs' metrics"
                " or channels."
            )
        if actor.role == "assistant" and by not in (None, actor.key):
            raise PermissionDenied(f"{actor.name} may only log values recorded by themselves.")
        # One row: a temp table, not an Arrow registration (which would import pandas).
        con.execute(
            "CREATE OR REPLACE TEMP TABLE incoming_rows AS SELECT NULL::BIGINT AS line,"
            " ?::DATE AS day, ?::VARCHAR AS metric, ?::DOUBLE AS value, ?::VARCHAR AS source,"
            " ?::VARCHAR AS recorded_by, ?::VARCHAR AS note",
            [day, metric, float(value), source, recorded_by, note],
        )
        try:
            result = _write(con, actor, {}, per_row_audit=True, label=f"log {metric}")
        finally:
            con.execute("DROP TABLE IF EXISTS incoming_rows")
    if result.inserted:
        return "inserted"
    return "replaced" if result.replaced else "unchanged"


def write_observations(
    store: Store,
    actor: Actor,
    rows: pa.Table,
    *,
    new_metrics: Mapping[str, NewMetric] | None = None,
    label: str = "import",
    dry_run: bool = False,
) -> WriteResult:
    """Upsert many rows (schema INCOMING_SCHEMA) in one transaction.

    Rows for unknown metrics are rejected unless ``new_metrics`` describes them (then
    the metric is created). Rows the actor may not write are rejected with the reason.
    On ``dry_run`` the counts are computed and the transaction is rolled back.
    """
    require_writer(actor, "import values")
    schema = incoming_schema()
    rows = rows.select(schema.names).cast(schema)
    try:
        with store.write() as con:
            # DuckDB 2.0 refuses register() while an earlier fetchone() left a result open.
            con.abort()
            con.register("incoming_rows", rows)
            try:
                result = _write(
                    con, actor, dict(new_metrics or {}), per_row_audit=False, label=label
                )
            finally:
                con.unregister("incoming_rows")
            result.dry_run = dry_run
            if dry_run:
                raise _DryRun(result)
    except _DryRun as done:
        return done.result
    return result


class _DryRun(Exception):
    def __init__(self, result: WriteResult) -> None:
        self.result = result


def _write(
    con: Connection,
    actor: Actor,
    new_metrics: dict[str, NewMetric],
    *,
    per_row_audit: bool,
    label: str,
) -> WriteResult:
    """Upsert the rows of the relation ``incoming_rows`` (INCOMING_SCHEMA's columns)."""
    result = WriteResult()
    for line, metric, reason in con.execute(
        """
        SELECT line, metric,
               CASE WHEN metric IS NULL OR metric = '' THEN 'no metric'
                    WHEN day IS NULL THEN 'no day'
                    ELSE 'value is missing or not a finite number' END
        FROM incoming_rows
        WHERE metric IS NULL OR metric = '' OR day IS NULL OR value IS NULL
           OR NOT isfinite(value)
        ORDER BY line
        """
    ).fetchall():
        result.rejected.append(RowProblem(line, metric, reason))
    # Last row wins for a key repeated inside one batch (a later line corrects an earlier).
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE inc AS
        SELECT line, day, metric, value, coalesce(source, 'manual') AS source,
               recorded_by, note
        FROM (SELECT *, row_number() OVER (
                  PARTITION BY metric, day, coalesce(source, 'manual')
                  ORDER BY coalesce(line, 0) DESC) AS rn
              FROM incoming_rows
              WHERE metric IS NOT NULL AND metric <> '' AND day IS NOT NULL
                AND value IS NOT NULL AND isfinite(value))
        WHERE rn = 1
        """
    )

    known = {
        r[0]: r[1]
        for r in con.execute(
            "SELECT key, archived FROM metrics WHERE key IN (SELECT DISTINCT metric FROM inc)"
        ).fetchall()
    }
    incoming_metrics = [r[0] for r in con.execute("SELECT DISTINCT metric FROM inc").fetchall()]
    allowed = assigned_metrics(con, actor)
    channels = assigned_channels(con, actor)
    refused: dict[str, str] = {}
    for metric in incoming_metrics:
        if metric not in known:
            spec = new_metrics.get(metric)
            if spec is None:
                refused[metric] = (
                    f"unknown metric {metric!r}; add it to the plan or check the spelling"
                )
                continue
            if channels is not None and spec.channel not in channels and spec.klass != "effort":
                refused[metric] = (
                    f"{actor.name} may not create metric {metric!r}: channel "
                    f"{spec.channel!r} is not one they work on"
                )
                continue
            _create_metric(con, actor, spec)
            result.created_metrics.append(metric)
            continue
        if allowed is not None and metric not in allowed:
            refused[metric] = f"{actor.name} is not assigned to metric {metric!r}"
            continue
        if known[metric]:
            # Data arriving for an archived metric brings it back: history must stay visible.
            con.execute("UPDATE metrics SET archived = false WHERE key = ?", [metric])
            auditlog.record(
                con, actor, "update", "metric", metric, {"archived": True}, {"archived": False}
            )
    if refused:
        for line, metric in con.execute(
            "SELECT line, metric FROM inc WHERE list_contains(?, metric) ORDER BY line",
            [list(refused)],
        ).fetchall():
            result.rejected.append(RowProblem(line, metric, refused[metric]))
        con.execute("DELETE FROM inc WHERE list_contains(?, metric)", [list(refused)])
    if actor.role == "assistant":
        bad = con.execute(
            "SELECT line, metric FROM inc WHERE recorded_by IS NOT NULL AND recorded_by <> ?",
            [actor.key],
        ).fetchall()
        for line, metric in bad:
            result.rejected.append(
                RowProblem(line, metric, f"{actor.name} may only record values as themselves")
            )
        con.execute(
            "DELETE FROM inc WHERE recorded_by IS NOT NULL AND recorded_by <> ?", [actor.key]
        )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE classified AS
        SELECT i.*, o.value AS old_value, o.recorded_by AS old_by, o.recorded_at AS old_at,
               o.note AS old_note,
               CASE WHEN o.metric IS NULL THEN 'inserted'
                    WHEN o.value = i.value AND o.note IS NOT DISTINCT FROM i.note THEN 'unchanged'
                    ELSE 'replaced' END AS outcome
        FROM inc i LEFT JOIN observations o
          ON o.metric = i.metric AND o.day = i.day AND o.source = i.source
        """
    )
    for metric, outcome, n in con.execute(
        "SELECT metric, outcome, count(*) FROM classified GROUP BY ALL ORDER BY ALL"
    ).fetchall():
        result.per_metric.setdefault(metric, {"inserted": 0, "replaced": 0, "unchanged": 0})
        result.per_metric[metric][outcome] = n
        setattr(result, outcome, getattr(result, outcome) + n)
    if result.replaced:
        con.execute(
            """
            INSERT INTO audit_log (id, "at", actor, action, entity, key, old_value, new_value)
            SELECT (SELECT coalesce(max(id), 0) FROM audit_log) + row_number() OVER (),
                   now()::TIMESTAMP, ?, 'replace', 'observation',
                   metric || '|' || day::VARCHAR || '|' || source,
                   to_json({value: old_value, recorded_by: old_by, recorded_at: old_at,
                            note: old_note}),
                   to_json({value: value, recorded_by: recorded_by, note: note})
            FROM classified WHERE outcome = 'replaced'
            """,
            [actor.key],
        )
    if per_row_audit and result.inserted:
        con.execute(
            """
            INSERT INTO audit_log (id, "at", actor, action, entity, key, old_value, new_value)
            SELECT (SELECT coalesce(max(id), 0) FROM audit_log) + row_number() OVER (),
                   now()::TIMESTAMP, ?, 'create', 'observation',
                   metric || '|' || day::VARCHAR || '|' || source, NULL,
                   to_json({value: value, recorded_by: recorded_by, note: note})
            FROM classified WHERE outcome = 'inserted'
            """,
            [actor.key],
        )
    stamp = now_utc().replace(tzinfo=None)  # UTC; WAYPOINT_NOW pins it in tests
    # New keys are a plain insert; replaced ones update only non-key columns (DuckDB
    # rewrites updates of indexed columns as delete + insert).
    if result.inserted:
        con.execute(
            """
            INSERT INTO observations (metric, day, source, value, recorded_by, recorded_at, note)
            SELECT metric, day, source, value, recorded_by, ?, note
            FROM classified WHERE outcome = 'inserted'
            """,
            [stamp],
        )
    if result.replaced:
        con.execute(
            """
            UPDATE observations SET value = c.value, recorded_by = c.recorded_by,
                   recorded_at = ?, note = c.note
            FROM classified c
            WHERE c.outcome = 'replaced' AND observations.metric = c.metric
              AND observations.day = c.day AND observations.source = c.source
            """,
            [stamp],
        )
    if not per_row_audit and (result.inserted or result.replaced):
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
                "rejected": len(result.rejected),
            },
        )
    con.execute("DROP TABLE IF EXISTS inc")
    con.execute("DROP TABLE IF EXISTS classified")
    return result


def _create_metric(con: Connection, actor: Actor, spec: NewMetric) -> None:
    position = con.execute("SELECT coalesce(max(position), -1) + 1 FROM metrics").fetchone()[0]
    con.execute(
        "INSERT INTO metrics (key, name, unit, channel, class, behaviour, qualified, archived,"
        " position) VALUES (?, ?, ?, ?, ?, ?, ?, false, ?)",
        [
            spec.key,
            spec.name,
            spec.unit,
            spec.channel,
            spec.klass,
            spec.behaviour,
            spec.qualified,
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
            "class": spec.klass,
            "behaviour": spec.behaviour,
            "qualified": spec.qualified,
            "created_by": "import",
        },
    )


# -- reading and exporting -------------------------------------------------------------
EXPORT_COLUMNS = ["day", "metric", "value", "source", "recorded_by", "recorded_at", "note"]


def neutralise(text: str | None) -> str | None:
    """Make a text cell safe to open in a spreadsheet (no formula can run)."""
    if text and text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


_SAFE_SQL = "CASE WHEN regexp_matches({c}, '^[=+\\-@\\t\\r]') THEN '''' || {c} ELSE {c} END AS {c}"


def _export_select(neutral: bool) -> str:
    cols = []
    for c in EXPORT_COLUMNS:
        if neutral and c in ("metric", "source", "recorded_by", "note"):
            cols.append(_SAFE_SQL.format(c=c))
        else:
            cols.append(c)
    return f"SELECT {', '.join(cols)} FROM observations ORDER BY day, metric, source"  # noqa: S608


def export_observations(store: Store, out: str | Path, fmt: str = "csv") -> int:
    """Write every observation to ``out``; returns the row count.

    Text cells that a spreadsheet would run as a formula get a leading apostrophe
    (CSV and XLSX); numbers are written as numbers.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with store.read() as con:
        count = con.execute("SELECT count(*) FROM observations").fetchall()[0][0]
        if fmt == "csv":
            con.execute(f"COPY ({_export_select(True)}) TO ? (HEADER, DELIMITER ',')", [str(out)])
        elif fmt == "parquet":
            con.execute(f"COPY ({_export_select(False)}) TO ? (FORMAT parquet)", [str(out)])
        elif fmt == "xlsx":
            if count >= 1_048_575:
                raise BadInput(
                    f"{count:,} observations do not fit in one Excel sheet (1,048,575 rows);"
                    " use --format csv or parquet"
                )
            table = con.sql(_export_select(True)).to_arrow_table()
            _write_xlsx(table, out)
        else:
            raise BadInput(f"--format {fmt}: use csv, parquet or xlsx")
    return int(count)


def _write_xlsx(table: pa.Table, out: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(out), {"strings_to_formulas": False, "strings_to_urls": False, "constant_memory": True}
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
    book.close()


def daily_values(
    store: Store, metric: str, start: dt.date | None = None, end: dt.date | None = None
) -> list[tuple[dt.date, float]]:
    """One value per day: the sum over sources for flow, the latest-recorded for stock."""
    with store.read() as con:
        row = con.execute("SELECT behaviour FROM metrics WHERE key = ?", [metric]).fetchone()
        if row is None:
            raise NotFound(f"unknown metric {metric!r}")
        rows = con.execute(
            """
            SELECT day, CASE WHEN ? = 'flow' THEN sum(value)
                             ELSE arg_max(value, recorded_at) END
            FROM observations
            WHERE metric = ? AND (? IS NULL OR day >= ?) AND (? IS NULL OR day <= ?)
            GROUP BY day ORDER BY day
            """,
            [row[0], metric, start, start, end, end],
        ).fetchall()
    return [(r[0], float(r[1])) for r in rows]
