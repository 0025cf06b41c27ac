"""Plan as code: validate a YAML plan whole, apply it in one transaction, export it back.

``validate_plan`` reports every problem at once, each naming the item and field
(``objectives[buyer-leads].kpis[leads-h2].target: ...``). ``apply_plan`` creates and
updates items, archives the ones the file no longer lists (their history stays), and
writes one audit row per changed item, all in one transaction. ``export_plan`` writes
canonical YAML: export -> apply -> export gives the same bytes and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tracker import auditlog
from tracker.errors import PlanError
from tracker.models import KPI, Actor, Campaign, Metric, Objective, Person, Plan, Workspace
from tracker.permissions import require_manager
from tracker.settings import validate_stored
from tracker.store import Connection, Store

MAX_PLAN_BYTES = 5_000_000
MAX_ALIASES = 200
MAX_NODES = 1_000_000


# -- reading YAML safely ---------------------------------------------------------------
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Dates stay text here so that pydantic reports a bad one with its item and field."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def _expanded_size(node: yaml.Node, memo: dict[int, int], aliases: list[int]) -> int:
    """How many values the document holds once every alias is expanded (a DAG walk)."""
    cached = memo.get(id(node))
    if cached is not None:
        aliases[0] += 1  # a node reached twice is an alias
        return cached
    memo[id(node)] = 1  # a recursive alias counts once instead of looping forever
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, memo, aliases) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(
            _expanded_size(k, memo, aliases) + _expanded_size(v, memo, aliases)
            for k, v in node.value
        )
    else:
        size = 1
    memo[id(node)] = min(size, MAX_NODES + 1)
    return memo[id(node)]


def load_yaml(text: str, source: str = "plan") -> Any:
    """Parse YAML with a safe loader; refuse files too large or alias bombs."""
    if len(text.encode("utf-8", "replace")) > MAX_PLAN_BYTES:
        raise PlanError([f"the file is larger than {MAX_PLAN_BYTES // 1_000_000} MB"], source)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        aliases = [0]
        if _expanded_size(node, {}, aliases) > MAX_NODES or aliases[0] > MAX_ALIASES:
            raise yaml.YAMLError(
                f"too many YAML aliases (*name): more than {MAX_ALIASES}, or expanding to more"
                f" than {MAX_NODES:,} values; write the items out in full"
            )
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise PlanError([f"{where}not valid YAML: {problem}"], source) from exc
    except RecursionError as exc:
        raise PlanError(["the YAML nests too deeply"], source) from exc
    finally:
        loader.dispose()


def read_plan_file(path: str | Path) -> tuple[Any, str]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise PlanError([f"no such file: {path}"], str(path)) from exc
    except (UnicodeDecodeError, OSError) as exc:
        raise PlanError([f"cannot read the file as UTF-8 text: {exc}"], str(path)) from exc
    return load_yaml(text, str(path)), str(path)


# -- validation --------------------------------------------------------------------------
def _loc_to_path(data: Any, loc: tuple[Any, ...]) -> str:
    """Turn pydantic's ('objectives', 0, 'kpis', 1, 'target') into objectives[key].kpis[key].target."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = str(item)
            if isinstance(node, list) and 0 <= item < len(node):
                node = node[item]
                if isinstance(node, dict) and node.get("key"):
                    label = str(node["key"])
            else:
                node = None
            if parts:
                parts[-1] += f"[{label}]"
            else:
                parts.append(f"[{label}]")
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def _pydantic_problems(data: Any, exc: ValidationError) -> list[str]:
    problems = []
    for err in exc.errors():
        loc = tuple(x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-")))
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; see docs/plan.md)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        problems.append(f"{_loc_to_path(data, loc)}: {msg}")
    return problems


@dataclass
class ValidPlan:
    plan: Plan
    source: str
    problems: list[str] = field(default_factory=list)


def validate_plan(data: Any, source: str = "plan") -> Plan:
    """Validate a parsed plan; raise PlanError listing every problem found.

    Field errors do not hide reference errors: items that fail on their own are left
    out of the cross-checks, and references to them are not reported twice.
    """
    if not isinstance(data, dict):
        raise PlanError(
            ["the plan must be a mapping with workspace, people, metrics, objectives"], source
        )
    try:
        plan = Plan.model_validate(data)
        problems: list[str] = []
    except ValidationError as exc:
        problems = _pydantic_problems(data, exc)
        plan = _lenient(data)
        if plan is None:
            raise PlanError(problems, source) from exc
    problems += _semantic_problems(plan, raw_keys=_raw_keys(data))
    if problems:
        raise PlanError(problems, source)
    return plan


def _valid_items(model: type[Any], items: Any) -> list[Any]:
    out = []
    for item in items if isinstance(items, list) else []:
        try:
            out.append(model.model_validate(item))
        except ValidationError:
            continue
    return out


def _lenient(data: dict[str, Any]) -> Plan | None:
    """The parts of a broken plan that are valid on their own (for cross-checks)."""
    try:
        workspace = Workspace.model_validate(data.get("workspace"))
    except ValidationError:
        workspace = Workspace(name="(invalid)")
    objectives = []
    raw_objectives = data.get("objectives")
    for raw in raw_objectives if isinstance(raw_objectives, list) else []:
        if not isinstance(raw, dict):
            continue
        body = {k: v for k, v in raw.items() if k not in ("campaigns", "kpis")}
        try:
            objective = Objective.model_validate(body)
        except ValidationError:
            continue
        objectives.append(
            objective.model_copy(
                update={
                    "campaigns": _valid_items(Campaign, raw.get("campaigns")),
                    "kpis": _valid_items(KPI, raw.get("kpis")),
                }
            )
        )
    try:
        return Plan(
            workspace=workspace,
            people=_valid_items(Person, data.get("people")),
            metrics=_valid_items(Metric, data.get("metrics")),
            objectives=objectives,
        )
    except ValidationError:
        return None


def _raw_keys(data: dict[str, Any]) -> dict[str, set[str]]:
    def keys(items: Any) -> set[str]:
        items = items if isinstance(items, list) else []
        return {str(i["key"]) for i in items if isinstance(i, dict) and "key" in i}

    raw_objectives = data.get("objectives")
    raw_objectives = raw_objectives if isinstance(raw_objectives, list) else []
    objectives = [o for o in raw_objectives if isinstance(o, dict)]
    return {
        "people": keys(data.get("people")),
        "metrics": keys(data.get("metrics")),
        "campaigns": set().union(*(keys(o.get("campaigns")) for o in objectives)),
    }


def _dupes(kind: str, keys: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for k in keys:
        if k in seen:
            out.append(f"{kind}[{k}].key: the key {k!r} is used twice")
        seen.add(k)
    return out


def _semantic_problems(plan: Plan, raw_keys: dict[str, set[str]] | None = None) -> list[str]:
    problems: list[str] = []
    people = {p.key: p for p in plan.people}
    metrics = {m.key: m for m in plan.metrics}
    raw = raw_keys or {}
    # Keys of items that exist but failed on their own: already reported, not "unknown".
    broken_people = raw.get("people", set()) - set(people)
    broken_metrics = raw.get("metrics", set()) - set(metrics)
    campaigns = [c for o in plan.objectives for c in o.campaigns]
    kpis = [k for o in plan.objectives for k in o.kpis]
    problems += _dupes("people", [p.key for p in plan.people])
    problems += _dupes("metrics", [m.key for m in plan.metrics])
    problems += _dupes("objectives", [o.key for o in plan.objectives])
    problems += _dupes("campaigns", [c.key for c in campaigns])
    problems += _dupes("kpis", [k.key for k in kpis])

    for name, value in plan.settings.items():
        try:
            validate_stored(name, value)
        except Exception as exc:  # BadInput: report alongside the others
            problems.append(f"settings.{name}: {exc}")

    for p in plan.people:
        if p.manager is not None and p.manager not in people | dict.fromkeys(broken_people):
            problems.append(f"people[{p.key}].manager: unknown person {p.manager!r}")

    def check_owner(path: str, owner: str | None) -> None:
        if owner is not None and owner not in people and owner not in broken_people:
            problems.append(f"{path}.owner: unknown person {owner!r}; add them under people")

    def check_span(path: str, start: dt.date | None, end: dt.date | None, end_name: str) -> None:
        if start is not None and end is not None and end < start:
            problems.append(f"{path}.{end_name}: {end} is before start {start}")

    for o in plan.objectives:
        op = f"objectives[{o.key}]"
        check_owner(op, o.owner)
        check_span(op, o.start, o.deadline, "deadline")
        local_campaigns = {c.key for c in o.campaigns}
        for c in o.campaigns:
            cp = f"{op}.campaigns[{c.key}]"
            check_owner(cp, c.owner)
            check_span(cp, c.start, c.end, "end")
        for k in o.kpis:
            kp = f"{op}.kpis[{k.key}]"
            check_owner(kp, k.owner)
            problems += _kpi_problems(kp, k, o, metrics, local_campaigns, broken_metrics)
    return problems


def _kpi_problems(
    kp: str,
    k: KPI,
    o: Objective,
    metrics: dict[str, Metric],
    campaigns: set[str],
    broken_metrics: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[str]:
    problems: list[str] = []
    if k.campaign is not None and k.campaign not in campaigns:
        problems.append(f"{kp}.campaign: unknown campaign {k.campaign!r} in objective {o.key}")
    if (k.metric is None) == (k.ratio is None):
        problems.append(f"{kp}.metric: give either metric or ratio (numerator / denominator)")
        return problems
    refs = [("metric", k.metric)] if k.metric else []
    if k.ratio is not None:
        refs = [("ratio.numerator", k.ratio.numerator), ("ratio.denominator", k.ratio.denominator)]
    for fname, ref in refs:
        if ref not in metrics and ref not in broken_metrics:
            problems.append(f"{kp}.{fname}: unknown metric {ref!r}; add it under metrics")
    if any(ref not in metrics for _, ref in refs):
        return problems
    aggregation = resolved_aggregation(k, metrics)
    if k.ratio is not None and aggregation != "ratio":
        problems.append(f"{kp}.aggregation: a ratio KPI uses aggregation ratio, not {aggregation}")
    if k.ratio is None and aggregation == "ratio":
        problems.append(f"{kp}.aggregation: ratio needs ratio: {{numerator, denominator}}")
    start = k.start or o.start
    deadline = k.deadline or o.deadline
    if start is not None and deadline is not None and deadline < start:
        problems.append(f"{kp}.deadline: {deadline} is before start {start}")
    if k.per is not None:
        if aggregation != "sum":
            problems.append(
                f"{kp}.per: a recurring target needs aggregation sum, not {aggregation}"
            )
        if k.stay is not None:
            problems.append(f"{kp}.per: a KPI has either per or stay, not both")
        if k.baseline is not None:
            problems.append(f"{kp}.baseline: a recurring (per) target starts at 0 each period")
    if k.stay is not None and k.target is None:
        problems.append(f"{kp}.target: a health KPI (stay: {k.stay}) needs a target")
    if (
        k.stay is None
        and k.target is not None
        and k.baseline is not None
        and k.target == k.baseline
    ):
        problems.append(
            f"{kp}.target: target equals baseline ({k.target:g}); progress cannot be measured"
        )
    if (
        k.stay is None
        and k.per is None
        and k.target == 0
        and k.baseline is None
        and aggregation in ("sum", "ratio")
    ):
        problems.append(
            f"{kp}.target: target 0 equals the default baseline 0 for {aggregation};"
            " give a baseline or another target"
        )
    return problems


def resolved_aggregation(k: KPI, metrics: dict[str, Metric]) -> str:
    if k.aggregation is not None:
        return k.aggregation
    if k.ratio is not None:
        return "ratio"
    metric = metrics.get(k.metric or "")
    return "latest" if metric is not None and metric.behaviour == "stock" else "sum"


# -- rows <-> models -------------------------------------------------------------------
def _person_row(p: Person) -> dict[str, Any]:
    return {
        "name": p.name,
        "email": p.email,
        "role": p.role,
        "hourly_rate": p.hourly_rate,
        "manager": p.manager,
    }


def _metric_row(m: Metric) -> dict[str, Any]:
    return {
        "name": m.name,
        "unit": m.unit,
        "channel": m.channel,
        "class": m.class_,
        "behaviour": m.behaviour,
        "qualified": m.qualified,
    }


def _objective_row(o: Objective) -> dict[str, Any]:
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


def _campaign_row(c: Campaign, objective: str) -> dict[str, Any]:
    return {
        "name": c.name,
        "objective": objective,
        "channels": list(c.channels),
        "owner": c.owner,
        "start": c.start,
        "end": c.end,
        "budget": c.budget,
    }


def _kpi_row(k: KPI, objective: str, metrics: dict[str, Metric]) -> dict[str, Any]:
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


TABLES = {
    "people": ["name", "email", "role", "hourly_rate", "manager"],
    "metrics": ["name", "unit", "channel", "class", "behaviour", "qualified"],
    "objectives": [
        "title",
        "outcome",
        "people",
        "strategy",
        "channels",
        "owner",
        "start",
        "deadline",
    ],
    "campaigns": ["name", "objective", "channels", "owner", "start", "end", "budget"],
    "kpis": [
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
    ],
}
ENTITY = {
    "people": "person",
    "metrics": "metric",
    "objectives": "objective",
    "campaigns": "campaign",
    "kpis": "kpi",
}


def _quote(column: str) -> str:
    return f'"{column}"'


def _current(con: Connection, table: str) -> dict[str, dict[str, Any]]:
    cols = TABLES[table]
    sql = (
        f"SELECT key, archived, position, {', '.join(_quote(c) for c in cols)}"  # noqa: S608
        f" FROM {table}"
    )
    out: dict[str, dict[str, Any]] = {}
    for row in con.execute(sql).fetchall():
        rec = dict(zip(["archived", "position", *cols], row[1:], strict=True))
        out[row[0]] = rec
    return out


@dataclass
class PlanChanges:
    """What an apply did (or would do, on a dry run)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    archived: list[str] = field(default_factory=list)
    unchanged: int = 0
    workspace_changed: bool = False
    settings_changed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.archived
            or self.workspace_changed
            or self.settings_changed
        )

    def summary(self) -> str:
        parts = [
            f"{len(self.created)} created",
            f"{len(self.updated)} updated",
            f"{len(self.archived)} archived",
            f"{self.unchanged} unchanged",
        ]
        if self.workspace_changed:
            parts.append("workspace updated")
        if self.settings_changed:
            parts.append(f"settings: {', '.join(self.settings_changed)}")
        return ", ".join(parts)


def _plain(rec: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in rec.items()}


def _sync_table(
    con: Connection,
    actor: Actor,
    table: str,
    wanted: list[tuple[str, dict[str, Any]]],
    changes: PlanChanges,
    dry_run: bool,
    audit: list[tuple[str, str, str, Any, Any]],
) -> None:
    """Diff one table against the plan in Python, then write the changes in bulk."""
    current = _current(con, table)
    cols = TABLES[table]
    entity = ENTITY[table]
    wanted_keys = set()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for position, (key, rec) in enumerate(wanted):
        wanted_keys.add(key)
        old = current.get(key)
        row = {"key": key, **rec, "archived": False, "position": position}
        if old is None:
            changes.created.append(f"{entity}:{key}")
            inserts.append(row)
            audit.append(("create", entity, key, None, _plain(rec)))
            continue
        old_cmp = {c: old[c] for c in cols}
        if old_cmp == rec and not old["archived"] and old["position"] == position:
            changes.unchanged += 1
            continue
        updates.append(row)  # a new position alone is not a change worth auditing
        if old_cmp != rec or old["archived"]:
            changes.updated.append(f"{entity}:{key}")
            changed_old = {c: old[c] for c in cols if old[c] != rec[c]}
            changed_new = {c: rec[c] for c in cols if old[c] != rec[c]}
            if old["archived"]:
                changed_old["archived"], changed_new["archived"] = True, False
            audit.append(("update", entity, key, _plain(changed_old), _plain(changed_new)))
    archive = [k for k, old in current.items() if k not in wanted_keys and not old["archived"]]
    for key in archive:
        changes.archived.append(f"{entity}:{key}")
        audit.append(("archive", entity, key, {"archived": False}, {"archived": True}))
    if dry_run:
        return
    names = ["key", *cols, "archived", "position"]
    if inserts:
        _bulk(con, table, names, inserts, update=False)
    if updates:
        _bulk(con, table, names, updates, update=True)
    if archive:
        con.execute(
            f"UPDATE {table} SET archived = true WHERE list_contains(?, key)",  # noqa: S608
            [archive],
        )


def _bulk(
    con: Connection, table: str, names: list[str], rows: list[dict[str, Any]], *, update: bool
) -> None:
    """Insert or update many rows through one Arrow relation (one statement, not N)."""
    import pyarrow as pa

    arrow_types = {
        "VARCHAR": pa.string(),
        "DOUBLE": pa.float64(),
        "DATE": pa.date32(),
        "BOOLEAN": pa.bool_(),
        "INTEGER": pa.int32(),
        "VARCHAR[]": pa.list_(pa.string()),
    }
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?",
            [table],
        ).fetchall()
    )
    schema = pa.schema([(n, arrow_types[types[n]]) for n in names])
    data = pa.Table.from_pylist(rows, schema=schema)
    quoted = ", ".join(_quote(n) for n in names)
    con.abort()
    con.register("plan_rows", data)
    try:
        if update:
            sets = ", ".join(f"{_quote(n)} = u.{_quote(n)}" for n in names if n != "key")
            con.execute(
                f"UPDATE {table} SET {sets} FROM plan_rows u WHERE {table}.key = u.key"  # noqa: S608
            )
        else:
            con.execute(f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM plan_rows")  # noqa: S608
    finally:
        con.unregister("plan_rows")


def apply_plan(store: Store, plan: Plan, actor: Actor, *, dry_run: bool = False) -> PlanChanges:
    """Apply a validated plan in one transaction (nothing is written on a dry run)."""
    metrics = {m.key: m for m in plan.metrics}
    changes = PlanChanges()
    audit: list[tuple[str, str, str, Any, Any]] = []
    with store.write() as con:
        require_manager(actor, "change the plan")
        ws = plan.workspace
        old = con.execute("SELECT name, vision, timezone FROM workspace").fetchone()
        new = (ws.name, ws.vision, ws.timezone)
        if old != new:
            changes.workspace_changed = True
            if not dry_run:
                con.execute("DELETE FROM workspace")
                con.execute("INSERT INTO workspace VALUES (1, ?, ?, ?)", list(new))
                auditlog.record(
                    con,
                    actor,
                    "update" if old else "create",
                    "workspace",
                    "workspace",
                    dict(zip(("name", "vision", "timezone"), old, strict=True)) if old else None,
                    dict(zip(("name", "vision", "timezone"), new, strict=True)),
                )
        stored = dict(con.execute("SELECT name, value FROM settings").fetchall())
        wanted_settings = {k: validate_stored(k, v) for k, v in plan.settings.items()}
        for name in sorted(set(stored) | set(wanted_settings)):
            if stored.get(name) == wanted_settings.get(name):
                continue
            changes.settings_changed.append(name)
            if dry_run:
                continue
            con.execute("DELETE FROM settings WHERE name = ?", [name])
            if name in wanted_settings:
                con.execute("INSERT INTO settings VALUES (?, ?)", [name, wanted_settings[name]])
            auditlog.record(
                con, actor, "update", "setting", name, stored.get(name), wanted_settings.get(name)
            )
        _sync_table(
            con,
            actor,
            "people",
            [(p.key, _person_row(p)) for p in plan.people],
            changes,
            dry_run,
            audit,
        )
        _sync_table(
            con,
            actor,
            "metrics",
            [(m.key, _metric_row(m)) for m in plan.metrics],
            changes,
            dry_run,
            audit,
        )
        _sync_table(
            con,
            actor,
            "objectives",
            [(o.key, _objective_row(o)) for o in plan.objectives],
            changes,
            dry_run,
            audit,
        )
        _sync_table(
            con,
            actor,
            "campaigns",
            [(c.key, _campaign_row(c, o.key)) for o in plan.objectives for c in o.campaigns],
            changes,
            dry_run,
            audit,
        )
        _sync_table(
            con,
            actor,
            "kpis",
            [(k.key, _kpi_row(k, o.key, metrics)) for o in plan.objectives for k in o.kpis],
            changes,
            dry_run,
            audit,
        )
        if audit and not dry_run:
            auditlog.record_many(con, actor, audit)
    return changes


def apply_plan_file(
    store: Store, path: str | Path, actor: Actor, *, dry_run: bool = False
) -> PlanChanges:
    data, source = read_plan_file(path)
    plan = validate_plan(data, source)
    return apply_plan(store, plan, actor, dry_run=dry_run)


def apply_plan_text(
    store: Store, text: str, actor: Actor, *, source: str = "plan", dry_run: bool = False
) -> PlanChanges:
    plan = validate_plan(load_yaml(text, source), source)
    return apply_plan(store, plan, actor, dry_run=dry_run)


# -- export ----------------------------------------------------------------------------
def _clean(d: dict[str, Any], defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    defaults = defaults or {}
    out = {}
    for k, v in d.items():
        if v is None or (k in defaults and v == defaults[k]):
            continue
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        out[k] = v
    return out


def load_plan(store: Store) -> Plan:
    """The active plan as stored (archived items left out)."""
    with store.read() as con:
        ws = con.execute("SELECT name, vision, timezone FROM workspace").fetchone()
        settings = dict(con.execute("SELECT name, value FROM settings ORDER BY name").fetchall())
        tables = {t: _current(con, t) for t in TABLES}

    def active(table: str) -> list[tuple[str, dict[str, Any]]]:
        items = [(k, v) for k, v in tables[table].items() if not v["archived"]]
        return sorted(items, key=lambda kv: (kv[1]["position"], kv[0]))

    data: dict[str, Any] = {
        "workspace": _clean(
            {"name": ws[0], "vision": ws[1], "timezone": ws[2]}, {"timezone": "UTC"}
        )
        if ws
        else {"name": "Waypoint"},
    }
    if settings:
        data["settings"] = settings
    data["people"] = [
        {"key": k, **_clean({c: v[c] for c in TABLES["people"]})} for k, v in active("people")
    ]
    metric_models = {}
    metrics_out = []
    for k, v in active("metrics"):
        rec = {"key": k, **_clean({c: v[c] for c in TABLES["metrics"]}, {"qualified": False})}
        metrics_out.append(rec)
        metric_models[k] = Metric.model_validate(rec)
    data["metrics"] = metrics_out
    campaigns = active("campaigns")
    kpis = active("kpis")
    objectives = []
    for k, v in active("objectives"):
        obj = {"key": k, **_clean({c: v[c] for c in TABLES["objectives"]}, {"channels": []})}
        obj_campaigns = [
            {
                "key": ck,
                **_clean(
                    {c: cv[c] for c in TABLES["campaigns"] if c != "objective"}, {"channels": []}
                ),
            }
            for ck, cv in campaigns
            if cv["objective"] == k
        ]
        obj_kpis = []
        for kk, kv in kpis:
            if kv["objective"] != k:
                continue
            rec = {c: kv[c] for c in TABLES["kpis"] if c != "objective"}
            ratio = None
            if rec["numerator"] is not None:
                ratio = {"numerator": rec["numerator"], "denominator": rec["denominator"]}
            rec.pop("numerator")
            rec.pop("denominator")
            default_agg = resolved_aggregation(
                KPI(key=kk, metric=rec["metric"], ratio=ratio), metric_models
            )
            cleaned = _clean(rec, {"aggregation": default_agg, "cadence": "weekly"})
            if ratio:
                cleaned["ratio"] = ratio
            obj_kpis.append({"key": kk, **cleaned})
        if obj_campaigns:
            obj["campaigns"] = obj_campaigns
        if obj_kpis:
            obj["kpis"] = obj_kpis
        objectives.append(obj)
    data["objectives"] = objectives
    return Plan.model_validate(data)


def _tidy(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _tidy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    return value


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """Plain data for YAML: dates stay dates, 60.0 is written 60."""
    data = plan.model_dump(mode="python", by_alias=True, exclude_none=True, exclude_defaults=True)
    return _tidy(data)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _list_presenter(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    # Short lists of plain values (channels) read best inline: [linkedin, facebook]
    flow = all(isinstance(v, str | int | float) for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(str, _str_presenter)
_Dumper.add_representer(list, _list_presenter)


def dump_plan(plan: Plan) -> str:
    data = plan_to_dict(plan)
    # Required fields that equal their default are dropped by exclude_defaults: keep them.
    data["workspace"] = {"name": plan.workspace.name, **data.get("workspace", {})}
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def export_plan(store: Store) -> str:
    """The stored plan as canonical YAML."""
    return dump_plan(load_plan(store))


def stored_workspace(store: Store) -> Workspace | None:
    with store.read() as con:
        row = con.execute("SELECT name, vision, timezone FROM workspace").fetchone()
    if row is None:
        return None
    return Workspace(name=row[0], vision=row[1], timezone=row[2])
