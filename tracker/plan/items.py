"""Plan items as rows: the one place that knows each item's columns.

``plan apply`` and the dashboard's Plan page both change items through ``sync``: it
diffs wanted rows against stored ones, writes the differences in bulk and records one
audit row per changed item (old -> new, tagged with the change), so saving an
unchanged item changes nothing and every change can be taken back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tracker.models import KPI, Campaign, ImportMapping, Metric, Objective, Person
from tracker.store import Connection

# A field an item leaves out that keeps its stored value (or the default when new).
KEEP: Any = object()


@dataclass(frozen=True)
class ItemTable:
    table: str
    entity: str
    key_column: str
    columns: tuple[str, ...]


TABLES: dict[str, ItemTable] = {
    t.table: t
    for t in (
        ItemTable(
            "people",
            "person",
            "key",
            ("name", "email", "role", "hourly_rate", "manager", "since", "issuer", "subject"),
        ),
        ItemTable(
            "metrics",
            "metric",
            "key",
            (
                "name",
                "unit",
                "channel",
                "class",
                "behaviour",
                "qualified",
                "min_value",
                "prefer",
                "owner",
            ),
        ),
        ItemTable(
            "objectives",
            "objective",
            "key",
            ("title", "outcome", "people", "strategy", "channels", "owner", "start", "deadline"),
        ),
        ItemTable(
            "campaigns",
            "campaign",
            "key",
            ("name", "objective", "channels", "owner", "start", "end", "budget"),
        ),
        ItemTable(
            "kpis",
            "kpi",
            "key",
            (
                "objective",
                "campaign",
                "name",
                "metric",
                "numerator",
                "denominator",
                "aggregation",
                "baseline",
                "target",
                "start",
                "deadline",
                "owner",
                "cadence",
                "per",
                "stay",
            ),
        ),
        ItemTable("import_mappings", "mapping", "name", ("spec",)),
    )
}
ENTITY_TABLE = {t.entity: t for t in TABLES.values()}


def resolved_aggregation(k: KPI, metrics: dict[str, Metric]) -> str:
    """The KPI's aggregation: as given, else ratio / latest (stock) / sum (flow)."""
    if k.aggregation is not None:
        return k.aggregation
    if k.ratio is not None:
        return "ratio"
    metric = metrics.get(k.metric or "")
    return "latest" if metric is not None and metric.behaviour == "stock" else "sum"


def resolve_kept(
    rec: dict[str, Any], old: dict[str, Any] | None, defaults: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``rec`` with each KEEP field (one the file leaves to the database) as stored in
    ``old``, or for a new item its default."""
    return {
        c: (old[c] if old is not None else (defaults or {}).get(c)) if v is KEEP else v
        for c, v in rec.items()
    }


def _given(item: Any, name: str, value: Any) -> Any:
    return value if name in item.model_fields_set else KEEP


def person_row(p: Person, withheld: Iterable[str] = ()) -> dict[str, Any]:
    """A person's row; the fields a file says it ``withheld`` (an assistant's export
    leaves out emails, rates and sign-in pins) keep what is stored unless given."""

    def field(name: str, value: Any) -> Any:
        return _given(p, name, value) if name in withheld else value

    return {
        "name": p.name,
        "email": field("email", p.email),
        "role": p.role,
        "hourly_rate": field("hourly_rate", p.hourly_rate),
        "manager": p.manager,
        "since": _given(p, "since", p.since),
        "issuer": field("issuer", p.issuer),
        "subject": field("subject", p.subject),
    }


def metric_row(m: Metric) -> dict[str, Any]:
    return {
        "name": m.name,
        "unit": m.unit,
        "channel": m.channel,
        "class": m.class_,
        "behaviour": m.behaviour,
        "qualified": m.qualified,
        "min_value": m.min,
        "prefer": m.prefer,
        "owner": _given(m, "owner", m.owner),
    }


def objective_row(o: Objective) -> dict[str, Any]:
    return {
        "title": o.title,
        "outcome": o.outcome,
        "people": o.people,
        "strategy": o.strategy,
        "channels": list(o.channels),
        "owner": o.owner,
        "start": o.start,
        "deadline": o.deadline,
    }


def campaign_row(c: Campaign, objective: str) -> dict[str, Any]:
    return {
        "name": c.name,
        "objective": objective,
        "channels": list(c.channels),
        "owner": c.owner,
        "start": c.start,
        "end": c.end,
        "budget": c.budget,
    }


def kpi_row(k: KPI, objective: str, metrics: dict[str, Metric]) -> dict[str, Any]:
    return {
        "objective": objective,
        "campaign": k.campaign,
        "name": k.name,
        "metric": k.metric,
        "numerator": k.ratio.numerator if k.ratio else None,
        "denominator": k.ratio.denominator if k.ratio else None,
        "aggregation": resolved_aggregation(k, metrics),
        "baseline": k.baseline,
        "target": k.target,
        "start": k.start,
        "deadline": k.deadline,
        "owner": k.owner,
        "cadence": k.cadence,
        "per": k.per,
        "stay": k.stay,
    }


def mapping_spec(m: ImportMapping) -> dict[str, Any]:
    """A mapping as the plan file writes it: what differs from the defaults, and its name."""
    spec = m.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    spec["name"] = m.name
    return spec


def mapping_row(m: ImportMapping) -> dict[str, Any]:
    return {"spec": json.dumps(mapping_spec(m), sort_keys=True, ensure_ascii=False)}


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def current_rows(con: Connection, table: str) -> dict[str, dict[str, Any]]:
    """Every stored item of ``table`` (archived ones too), keyed by item key."""
    spec = TABLES[table]
    cols = spec.columns
    sql = (
        f"SELECT {_quote(spec.key_column)}, archived, position,"  # noqa: S608 (fixed names)
        f" {', '.join(_quote(c) for c in cols)} FROM {table}"
    )
    out: dict[str, dict[str, Any]] = {}
    for row in con.execute(sql).fetchall():
        out[row[0]] = dict(zip(["archived", "position", *cols], row[1:], strict=True))
    return out


def plain(value: Any) -> Any:
    """A value as JSON keeps it (dates as ISO text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@dataclass
class SyncResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    unchanged: int = 0
    changed_fields: dict[str, list[str]] = field(default_factory=dict)


def sync(
    con: Connection,
    table: str,
    wanted: list[tuple[str, dict[str, Any]]],
    out: SyncResult,
    audit: list[tuple[str, str, str, Any, Any]],
    *,
    dry_run: bool,
    archive_missing: bool = True,
    protect: frozenset[str] = frozenset(),
    defaults: dict[str, Any] | None = None,
    positions: bool = True,
) -> None:
    """Make ``table`` hold ``wanted`` (key, row): create, update, archive the rest.

    ``protect`` keys are never archived (reported in ``out.kept``); ``defaults`` give
    the value of a KEEP field for a new item; with ``positions`` False an item keeps
    its stored position (a single item saved from the dashboard).
    """
    spec = TABLES[table]
    current = current_rows(con, table)
    cols = spec.columns
    wanted_keys: set[str] = set()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for position, (key, rec) in enumerate(wanted):
        wanted_keys.add(key)
        old = current.get(key)
        rec = resolve_kept(rec, old, defaults)
        pos = position if positions or old is None else old["position"]
        if old is None and not positions:
            pos = max((r["position"] for r in current.values()), default=-1) + 1
        row = {spec.key_column: key, **rec, "archived": False, "position": pos}
        if old is None:
            out.created.append(f"{spec.entity}:{key}")
            inserts.append(row)
            audit.append(("create", spec.entity, key, None, plain(rec)))
            continue
        old_cmp = {c: old[c] for c in cols}
        if old_cmp == rec and not old["archived"] and old["position"] == pos:
            out.unchanged += 1
            continue
        updates.append(row)  # a new position alone is not a change worth auditing
        if old_cmp != rec or old["archived"]:
            out.updated.append(f"{spec.entity}:{key}")
            changed_old = {c: old[c] for c in cols if old[c] != rec[c]}
            changed_new = {c: rec[c] for c in cols if old[c] != rec[c]}
            out.changed_fields[f"{spec.entity}:{key}"] = sorted(changed_new)
            if old["archived"]:
                changed_old["archived"], changed_new["archived"] = True, False
            audit.append(("update", spec.entity, key, plain(changed_old), plain(changed_new)))
        else:
            out.unchanged += 1
    archive: list[str] = []
    if archive_missing:
        for key, old in current.items():
            if key in wanted_keys or old["archived"]:
                continue
            if key in protect:
                out.kept.append(f"{spec.entity}:{key}")
                continue
            archive.append(key)
            out.archived.append(f"{spec.entity}:{key}")
            audit.append(("archive", spec.entity, key, {"archived": False}, {"archived": True}))
    if dry_run:
        return
    names = [spec.key_column, *cols, "archived", "position"]
    if inserts:
        _bulk(con, spec, names, inserts, update=False)
    if updates:
        _bulk(con, spec, names, updates, update=True)
    if archive:
        con.execute(
            f"UPDATE {table} SET archived = true WHERE list_contains(?, {_quote(spec.key_column)})",  # noqa: S608
            [archive],
        )


_ARROW_TYPES = {
    "VARCHAR": "string",
    "DOUBLE": "float64",
    "DATE": "date32",
    "BOOLEAN": "bool_",
    "INTEGER": "int32",
    "JSON": "string",
}


def _bulk(
    con: Connection, spec: ItemTable, names: list[str], rows: list[dict[str, Any]], *, update: bool
) -> None:
    """Insert or update many rows through one Arrow relation (one statement, not N)."""
    import pyarrow as pa

    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?",
            [spec.table],
        ).fetchall()
    )

    def arrow(sql_type: str) -> pa.DataType:
        if sql_type == "VARCHAR[]":
            return pa.list_(pa.string())
        return getattr(pa, _ARROW_TYPES[sql_type])()

    schema = pa.schema([(n, arrow(types[n])) for n in names])
    data = pa.Table.from_pylist(rows, schema=schema)
    quoted = ", ".join(_quote(n) for n in names)
    key = _quote(spec.key_column)
    con.abort()
    con.register("plan_rows", data)
    try:
        if update:
            sets = ", ".join(f"{_quote(n)} = u.{_quote(n)}" for n in names if n != spec.key_column)
            con.execute(
                f"UPDATE {spec.table} SET {sets} FROM plan_rows u WHERE {spec.table}.{key} = u.{key}"  # noqa: S608
            )
        else:
            con.execute(f"INSERT INTO {spec.table} ({quoted}) SELECT {quoted} FROM plan_rows")  # noqa: S608
    finally:
        con.unregister("plan_rows")
