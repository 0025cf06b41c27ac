"""The stored plan as a model and as canonical YAML (export -> apply changes nothing)."""

from __future__ import annotations

import json
from typing import Any

from tracker.auditlog import PRIVATE_PERSON_FIELDS
from tracker.errors import BadInput
from tracker.models import KPI, Metric, Plan, Workspace
from tracker.plan.apply import plan_revision
from tracker.plan.items import TABLES, current_rows, resolved_aggregation
from tracker.plan.yamlio import dump_yaml
from tracker.records import Actor
from tracker.settings import is_private_setting
from tracker.store import Store
from tracker.vocab import DEFAULT_WORKSPACE_NAME


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


def _typed_setting(name: str, stored: str) -> Any:
    from tracker.settings import SETTINGS

    setting = SETTINGS.get(name)
    if setting is None or setting.type is str:
        return stored
    try:
        return setting.parse(stored)
    except BadInput:
        return stored  # as stored: the next apply names the problem


def load_plan(store: Store) -> Plan:
    """The active plan as stored (archived items left out), with its revision."""
    with store.read() as con:
        ws = con.execute("SELECT name, vision, timezone, currency FROM workspace").fetchall()
        settings = dict(con.execute("SELECT name, value FROM settings ORDER BY name").fetchall())
        tables = {t: current_rows(con, t) for t in TABLES}
        revision = plan_revision(con)

    def active(table: str) -> list[tuple[str, dict[str, Any]]]:
        items = [(k, v) for k, v in tables[table].items() if not v["archived"]]
        return sorted(items, key=lambda kv: (kv[1]["position"], kv[0]))

    def columns(table: str, skip: tuple[str, ...] = ()) -> list[str]:
        return [c for c in TABLES[table].columns if c not in skip]

    data: dict[str, Any] = {
        "workspace": _clean(
            {"name": ws[0][0], "vision": ws[0][1], "timezone": ws[0][2], "currency": ws[0][3]},
            # a field at the model's default is left out, as a plan file leaves it out
            {f: Workspace.model_fields[f].default for f in ("timezone", "currency")},
        )
        if ws
        else {"name": DEFAULT_WORKSPACE_NAME},
        "revision": revision,
    }
    if settings:
        # typed as the registry reads them (0.85, not '0.85'): what a person would write
        data["settings"] = {k: _typed_setting(k, v) for k, v in settings.items()}
    data["people"] = [
        {"key": k, **_clean({c: v[c] for c in columns("people")})} for k, v in active("people")
    ]
    metric_models = {}
    metrics_out = []
    for k, v in active("metrics"):
        rec = {c: v[c] for c in columns("metrics", ("min_value",))}
        rec = {"key": k, **_clean(rec, {"qualified": False})}
        rec["min"] = v["min_value"]  # None (negatives allowed) is kept: it is not the default
        metrics_out.append(rec)
        metric_models[k] = Metric.model_validate(rec)
    data["metrics"] = metrics_out
    campaigns = active("campaigns")
    kpis = active("kpis")
    objectives = []
    for k, v in active("objectives"):
        obj = {"key": k, **_clean({c: v[c] for c in columns("objectives")}, {"channels": []})}
        obj_campaigns = [
            {
                "key": ck,
                **_clean(
                    {c: cv[c] for c in columns("campaigns", ("objective",))}, {"channels": []}
                ),
            }
            for ck, cv in campaigns
            if cv["objective"] == k
        ]
        obj_kpis = []
        for kk, kv in kpis:
            if kv["objective"] != k:
                continue
            rec = {c: kv[c] for c in columns("kpis", ("objective",))}
            ratio = None
            if rec["numerator"] is not None:
                ratio = {"numerator": rec["numerator"], "denominator": rec["denominator"]}
            rec.pop("numerator")
            rec.pop("denominator")
            default_agg = resolved_aggregation(
                KPI.model_validate({"key": kk, "metric": rec["metric"], "ratio": ratio}),
                metric_models,
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
    data["imports"] = [json.loads(v["spec"]) for _, v in active("import_mappings")]
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
    """Plain data for YAML: dates stay dates, 60.0 is written 60, defaults left out."""
    data = plan.model_dump(mode="python", by_alias=True, exclude_none=True, exclude_defaults=True)
    data = _tidy(data)
    # Required fields that equal their default are dropped by exclude_defaults: keep them.
    data["workspace"] = {"name": plan.workspace.name, **data.get("workspace", {})}
    for metric, out in zip(plan.metrics, data.get("metrics", []), strict=True):
        if metric.min is None:
            out["min"] = None  # negatives allowed: written as `min: null`
    ordered: dict[str, Any] = {}
    for key in (
        "workspace",
        "revision",
        "withheld",
        "settings",
        "people",
        "metrics",
        "objectives",
        "imports",
    ):
        if key in data:
            ordered[key] = data[key]
    return ordered


def dump_plan(plan: Plan) -> str:
    return dump_yaml(plan_to_dict(plan))


def readable_plan(plan: Plan, reader: Actor | None) -> Plan:
    """The plan as ``reader`` may read it: for anyone but a manager, people's emails,
    hourly rates and sign-in pins and the mail server's settings (smtp.*: its name, user
    and sender) are left out (docs/security.md; the audit log hides the same fields).
    ``None`` reads everything (the tracker's own callers)."""
    if reader is None or reader.role == "manager":
        return plan
    hidden = dict.fromkeys(PRIVATE_PERSON_FIELDS)
    return plan.model_copy(
        update={
            "people": [p.model_copy(update=hidden) for p in plan.people],
            "settings": {k: v for k, v in plan.settings.items() if not is_private_setting(k)},
            # said in the file, so that applying it keeps them (a manager's apply of an
            # assistant's export wiped every email)
            "withheld": [*PRIVATE_PERSON_FIELDS, "smtp"],
        }
    )


def export_plan(store: Store, reader: Actor | None = None) -> str:
    """The stored plan as canonical YAML, stamped with its revision (as ``reader`` may
    read it: see ``readable_plan``)."""
    return dump_plan(readable_plan(load_plan(store), reader))


def stored_workspace(store: Store) -> Workspace | None:
    with store.read() as con:
        row = con.execute("SELECT name, vision, timezone, currency FROM workspace").fetchall()
    if not row:
        return None
    name, vision, timezone, currency = row[0]
    return Workspace(name=name, vision=vision, timezone=timezone, currency=currency or "USD")
