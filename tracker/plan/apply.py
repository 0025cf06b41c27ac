"""Applying a plan: one transaction, one undoable change, nothing lost by accident.

The database is the source of truth and the file a way to edit it (DESIGN.md "Plan
as code"), so an apply refuses, unless confirmed, what would quietly undo work:

- a file exported before later changes (its ``revision``) that would set those items
  back lists them, with who changed them and when (``StalePlan``; CLI ``--yes``);
- a file that leaves out a whole section (people, metrics, objectives, imports) while
  the workspace has such items would archive them all (``--yes``);
- a metric that holds values (e.g. created by an import) is never archived by a file
  that does not name it, unless ``prune``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker import auditlog
from tracker.changes import PLAN_ENTITIES, open_change, set_detail
from tracker.clock import today
from tracker.errors import BadInput, PlanError
from tracker.models import Plan
from tracker.permissions import require_manager
from tracker.plan.items import (
    KEEP,
    SyncResult,
    campaign_row,
    current_rows,
    kpi_row,
    mapping_row,
    metric_row,
    objective_row,
    person_row,
    resolve_kept,
    sync,
)
from tracker.plan.validate import sign_in_clashes, validate_plan
from tracker.plan.yamlio import load_yaml, read_plan_file
from tracker.records import Actor
from tracker.settings import is_private_setting, validate_stored
from tracker.store import Connection, Rollback, Store

SECTIONS = {
    "people": "people",
    "metrics": "metrics",
    "objectives": "objectives",
    "imports": "import_mappings",
}


class NeedsConfirmation(BadInput):
    """The apply would undo or archive work; it runs only when confirmed (``--yes``).
    ``question`` says what it would do, without the command line's advice (a page asks
    in its own words)."""

    def __init__(self, message: str, items: list[str], question: str = "") -> None:
        super().__init__(message)
        self.items = items
        self.question = question or message


@dataclass
class PlanChanges(SyncResult):
    """What an apply did (or would do, on a dry run): the items' sync, plus the
    workspace, settings and what a stale file would set back."""

    workspace_changed: bool = False
    # the workspace's fields it changes: "workspace updated" alone hid a currency that
    # went from EUR to USD because a file left it out
    workspace_fields: list[str] = field(default_factory=list)
    settings_changed: list[str] = field(default_factory=list)
    reverts: list[str] = field(default_factory=list)
    change: int | None = None
    # what the apply changes in how stored values are read (a metric holding values
    # that becomes a stock, or prefers another source): said, never asked
    notes: list[str] = field(default_factory=list)

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
            fields = f" ({', '.join(self.workspace_fields)})" if self.workspace_fields else ""
            parts.append(f"workspace updated{fields}")
        if self.settings_changed:
            parts.append(f"settings: {', '.join(self.settings_changed)}")
        if self.kept:
            parts.append(f"{len(self.kept)} kept (they hold values; --prune archives them)")
        return ", ".join(parts)

    def items_in_words(self, most: int = 3) -> str:
        """The items an apply of a few changed, for its change's line (a Plan-page save
        read "plan apply: 0 created, 1 updated, ..." on the Audit log, and an Undo could
        not be chosen by what it takes back): " — updated kpi orders-h2: target"."""
        touched = [
            *(f"created {i.replace(':', ' ', 1)}" for i in self.created),
            *(
                f"updated {i.replace(':', ' ', 1)}"
                + (f": {', '.join(self.changed_fields[i])}" if self.changed_fields.get(i) else "")
                for i in self.updated
            ),
            *(f"archived {i.replace(':', ' ', 1)}" for i in self.archived),
        ]
        if not touched or len(touched) > most:
            return ""
        return " — " + "; ".join(touched)

    def as_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "created": self.created,
            "updated": self.updated,
            "archived": self.archived,
            "kept": self.kept,
            "unchanged": self.unchanged,
            "workspace_changed": self.workspace_changed,
            "workspace_fields": self.workspace_fields,
            "settings_changed": self.settings_changed,
            "reverts": self.reverts,
            "notes": self.notes,
        }


def plan_revision(con: Connection) -> int:
    """The id of the last audited change of a plan item (0 for none)."""
    row = con.execute(
        "SELECT coalesce(max(id), 0) FROM audit_log"
        " WHERE entity IN ? OR entity IN ('workspace', 'setting')",
        [list(PLAN_ENTITIES)],
    ).fetchall()
    return int(row[0][0])


def _wanted(plan: Plan) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    metrics = {m.key: m for m in plan.metrics}
    return {
        "people": [(p.key, person_row(p, plan.withheld)) for p in plan.people],
        "metrics": [(m.key, metric_row(m)) for m in plan.metrics],
        "objectives": [(o.key, objective_row(o)) for o in plan.objectives],
        "campaigns": [
            (c.key, campaign_row(c, o.key)) for o in plan.objectives for c in o.campaigns
        ],
        "kpis": [(k.key, kpi_row(k, o.key, metrics)) for o in plan.objectives for k in o.kpis],
        "import_mappings": [(i.name, mapping_row(i)) for i in plan.imports],
    }


def _kept_problems(con: Connection, plan: Plan) -> list[str]:
    """The rules validation checks on what a file says, checked again on the rows the
    apply would store, where a field the file leaves to the database (a private field it
    ``withheld``, a metric's ``owner`` it does not give) is the stored value: an
    assistant's export given a new person with Jay's email passed validation, which saw
    no email of Jay's, and stored two people one address signs in as; a file that left
    a metric's owner out kept as owner a person it archived or made a viewer."""
    stored_people = current_rows(con, "people")
    people = []
    for p in plan.people:
        row = person_row(p, plan.withheld)
        kept = {c for c, v in row.items() if v is KEEP}
        row = resolve_kept(row, stored_people.get(p.key))
        people.append((p.key, row["email"], row["issuer"], row["subject"], kept))
    problems = sign_in_clashes(people)
    roles = {p.key: p.role for p in plan.people}
    stored_metrics = current_rows(con, "metrics")
    for m in plan.metrics:
        if "owner" in m.model_fields_set or m.key not in stored_metrics:
            continue  # given: validation checked it
        owner = stored_metrics[m.key]["owner"]
        if owner is None or roles.get(owner) in ("manager", "assistant"):
            continue
        why = "is not among the file's people" if owner not in roles else "is a viewer"
        problems.append(
            f"metrics[{m.key}].owner: the file leaves it as stored, {owner}, who {why};"
            " give the metric an owner who may log values, or owner: null"
        )
    return problems


def _diff(
    con: Connection,
    plan: Plan,
    *,
    dry_run: bool,
    protect: frozenset[str],
    audit: list[tuple[str, str, str, Any, Any]],
    day: dt.date,
    out: SyncResult | None = None,
) -> SyncResult:
    out = out if out is not None else SyncResult()
    for table, rows in _wanted(plan).items():
        sync(
            con,
            table,
            rows,
            out,
            audit,
            dry_run=dry_run,
            protect=protect if table == "metrics" else frozenset(),
            defaults={"since": day},
        )
    return out


def _read_anew(audit: list[tuple[str, str, str, Any, Any]]) -> dict[str, dict[str, Any]]:
    """The metrics whose days the apply reads anew, key -> the fields it sets: a new
    behaviour or ``prefer``. Their daily values are computed again, and said."""
    return {
        key: new
        for action, entity, key, _old, new in audit
        if action == "update" and entity == "metric" and {"behaviour", "prefer"} & set(new or {})
    }


def _reading_notes(con: Connection, changed: dict[str, dict[str, Any]]) -> list[str]:
    """A sentence for each metric holding values whose days the apply reads anew
    (``_read_anew``): a new behaviour (flow days add up their sources and entries, a
    stock day is its latest-recorded value) or a new ``prefer``. The numbers of every
    KPI on it move with no value changed, so the person applying hears it before
    reading them."""
    if not changed:
        return []
    held = {
        key: (name, n)
        for key, name, n in con.execute(
            "SELECT o.metric, any_value(m.name), count(*) FROM observations o"
            " JOIN metrics m ON m.key = o.metric"
            " WHERE o.removed_by IS NULL AND list_contains(?, o.metric) GROUP BY o.metric",
            [list(changed)],
        ).fetchall()
    }
    notes = []
    for key, new in changed.items():
        if key not in held:
            continue
        name, n = held[key]
        said = []
        if "behaviour" in new:
            said.append(
                "each day now counts its latest-recorded value instead of adding up its"
                " sources and entries"
                if new["behaviour"] == "stock"
                else "each day now adds up its sources and entries instead of counting"
                " the latest-recorded one"
            )
        if "prefer" in new and new.get("behaviour") != "stock":
            # (the audit holds the fields that changed only; a stock has no prefer to
            # read: its day is the latest-recorded value whatever the source)
            said.append(
                f"on days two of its sources cover, only {new['prefer']} counts now"
                if new["prefer"]
                else "on days two of its sources cover, both count again"
            )
        notes.append(
            f"{name} ({key}) holds {n:,} value{'s' if n != 1 else ''}: {'; '.join(said)}. The values stay,"
            " but days holding more than one (and the KPIs reading them) may count"
            " differently"
        )
    return notes


def _metrics_with_values(con: Connection, plan: Plan) -> list[str]:
    named = [m.key for m in plan.metrics]
    return [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT o.metric FROM observations o JOIN metrics m ON m.key = o.metric"
            " WHERE o.removed_by IS NULL AND NOT m.archived AND NOT list_contains(?, o.metric)",
            [named],
        ).fetchall()
    ]


def _stale(con: Connection, plan: Plan, preview: list[tuple[str, str, str, Any, Any]]) -> list[str]:
    """Later changes this file would set back: a field it sets to the value a change
    made after the file's revision replaced, or an item created since that it archives."""
    if plan.revision is None:
        return []
    later: dict[str, list[tuple[str, Any, Any, str, dt.datetime]]] = {}
    for action, entity, key, old, new_raw, actor, at in con.execute(
        'SELECT action, entity, key, old_value, new_value, actor, "at" FROM audit_log'
        " WHERE id > ? AND entity IN ? ORDER BY id",
        [plan.revision, [*PLAN_ENTITIES, "workspace"]],
    ).fetchall():
        later.setdefault(f"{entity}:{key}", []).append(
            (action, json.loads(old) if old else None, json.loads(new_raw or "{}"), actor, at)
        )
    out = []
    for action, entity, key, _old, new in preview:
        for l_action, l_old, l_new, actor, at in later.get(f"{entity}:{key}", []):
            when = f"{actor} on {at:%Y-%m-%d %H:%M} UTC"
            if action == "archive" and l_action == "create":
                out.append(f"{entity} {key}: would be archived (created by {when})")
            elif action == "update" and isinstance(l_old, dict) and isinstance(new, dict):
                # a field that change set (the workspace's rows hold every field) and
                # this file would put back to what it was before
                back = [
                    f for f, v in new.items() if f in l_old and l_old[f] == v and l_new.get(f) != v
                ]
                for f in back:
                    out.append(f"{entity} {key}: {f} back to {new[f]!r} (changed by {when})")
    return list(dict.fromkeys(out))


def _absent_sections(
    con: Connection, sections: set[str] | None, protect: frozenset[str]
) -> list[str]:
    """The sections a partial file leaves out whose items the apply would archive. The
    metrics that hold values (``protect``) stay all the same, so they are not counted:
    a file of the workspace alone asked to "archive" 52 imported metrics it never would."""
    if sections is None:
        return []
    out = []
    for section, table in SECTIONS.items():
        if section in sections:
            continue
        n = con.execute(f"SELECT count(*) FROM {table} WHERE NOT archived").fetchall()[0][0]  # noqa: S608 (fixed names)
        if table == "metrics":
            n -= len(protect)  # active metrics holding values, none named by this file
        if n:
            out.append(f"{section} ({n} in the workspace)")
    return out


def _absent_settings(con: Connection, sections: set[str] | None, plan: Plan) -> list[str]:
    """The settings a file without a ``settings:`` section would put back to their
    defaults (the pace thresholds, the backups kept): asked about, as a missing section
    of items is, never reset silently. The mail server's, when the file withheld them,
    are kept (``_settings``), so not asked about."""
    if sections is None or "settings" in sections:
        return []
    names = [r[0] for r in con.execute("SELECT name FROM settings ORDER BY name").fetchall()]
    kept = "smtp" in plan.withheld
    return [n for n in names if not (kept and is_private_setting(n))]


def apply_plan(
    store: Store,
    plan: Plan,
    actor: Actor,
    *,
    dry_run: bool = False,
    sections: set[str] | None = None,
    prune: bool = False,
    confirm: bool = False,
    source: str = "plan",
) -> PlanChanges:
    """Apply a validated plan in one transaction as one undoable change.

    ``sections``: the top-level keys the file had (None: a whole plan). Raises
    ``NeedsConfirmation`` (a BadInput) for a stale file or missing sections unless
    ``confirm``; nothing is written on a dry run.
    """
    changes = PlanChanges()
    audit: list[tuple[str, str, str, Any, Any]] = []
    day = today(timezone=plan.workspace.timezone)
    with store.write() as con:
        require_manager(actor, "change the plan")
        kept = _kept_problems(con, plan)
        if kept:
            raise PlanError(kept, source)
        protect = frozenset() if prune else frozenset(_metrics_with_values(con, plan))
        preview_audit: list[tuple[str, str, str, Any, Any]] = []
        _diff(con, plan, dry_run=True, protect=protect, audit=preview_audit, day=day)
        preview_audit += _workspace_preview(con, plan)
        if not confirm:
            absent = _absent_sections(con, sections, protect)
            unset = _absent_settings(con, sections, plan)
            stale = _stale(con, plan, preview_audit)
            # one question for all the apply would undo: a yes to one part must not apply
            # another unseen (an old export lacks the settings set since, too)
            said = []
            if absent:
                said.append(
                    f"the file leaves out {', '.join(absent)}; applying it would archive them all"
                )
            if unset:
                said.append(
                    "the file has no settings: section, and the workspace sets"
                    f" {', '.join(unset)}; applying it would put them back to their defaults"
                )
            if stale:
                changes.reverts = stale
                said.append(
                    f"the file was exported at plan revision {plan.revision}, before later"
                    " changes; applying it would set these back:\n    " + "\n    ".join(stale)
                )
            if said:
                advice = (
                    "\nExport the plan again and redo your edits, or apply with --yes."
                    if stale
                    else ". Add them to the file (start from `waypoint plan export`), or apply"
                    f" with --yes to {'go ahead' if unset else 'archive them'}."
                )
                question = "; ".join(said)
                raise NeedsConfirmation(question + advice, absent + unset + stale, question)
        change = None if dry_run else open_change(con, actor, "plan", "plan apply")
        _workspace(con, actor, plan, changes, dry_run, change)
        _settings(con, actor, plan, changes, dry_run, change, store.path.parent)
        _diff(con, plan, dry_run=dry_run, protect=protect, audit=audit, day=day, out=changes)
        read_anew = _read_anew(audit)
        changes.notes = _reading_notes(con, read_anew)
        if dry_run:
            raise Rollback  # nothing written, not even the revision
        if audit:
            auditlog.record_many(con, actor, audit, change=change)
        if read_anew:
            from tracker.daily import refresh_metrics

            refresh_metrics(con, list(read_anew))
        if changes.changed:
            changes.change = change
            set_detail(
                con,
                int(change or 0),
                f"plan apply: {changes.summary()}{changes.items_in_words()}",
                changes.as_dict(),
            )
        else:
            # Saving an unchanged plan (or a Plan-page item as it was) writes nothing;
            # inside another transaction, only the change row would be left: drop it.
            con.execute("DELETE FROM changes WHERE id = ?", [change])
            raise Rollback
    return changes


_WORKSPACE_FIELDS = ("name", "vision", "timezone", "currency")


def _stored_workspace(con: Connection) -> tuple[Any, ...] | None:
    rows = con.execute("SELECT name, vision, timezone, currency FROM workspace").fetchall()
    return tuple(rows[0]) if rows else None


def _workspace_preview(con: Connection, plan: Plan) -> list[tuple[str, str, str, Any, Any]]:
    """What the apply would change in the workspace, as an audit row of the fields it
    changes (for the stale-file question, like the items' rows)."""
    ws = plan.workspace
    old, new = _stored_workspace(con), (ws.name, ws.vision, ws.timezone, ws.currency)
    if old is None or old == new:
        return []
    changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    return [
        (
            "update",
            "workspace",
            "workspace",
            {_WORKSPACE_FIELDS[i]: old[i] for i in changed},
            {_WORKSPACE_FIELDS[i]: new[i] for i in changed},
        )
    ]


def _workspace(
    con: Connection,
    actor: Actor,
    plan: Plan,
    changes: PlanChanges,
    dry_run: bool,
    change: int | None,
) -> None:
    ws = plan.workspace
    old = _stored_workspace(con)
    new = (ws.name, ws.vision, ws.timezone, ws.currency)
    if old == new:
        return
    changes.workspace_changed = True
    changes.workspace_fields = [
        f for f, a, b in zip(_WORKSPACE_FIELDS, old or (None,) * 4, new, strict=True) if a != b
    ]
    if dry_run:
        return
    con.execute("DELETE FROM workspace")
    con.execute(
        "INSERT INTO workspace (id, name, vision, timezone, currency) VALUES (1, ?, ?, ?, ?)",
        list(new),
    )
    auditlog.record(
        con,
        actor,
        "update" if old else "create",
        "workspace",
        "workspace",
        dict(zip(_WORKSPACE_FIELDS, old, strict=True)) if old else None,
        dict(zip(_WORKSPACE_FIELDS, new, strict=True)),
        change=change,
    )


def _settings(
    con: Connection,
    actor: Actor,
    plan: Plan,
    changes: PlanChanges,
    dry_run: bool,
    change: int | None,
    folder: Path,
) -> None:
    stored = dict(con.execute("SELECT name, value FROM settings").fetchall())
    wanted = {
        k: validate_stored(k, v, folder=folder) for k, v in plan.settings.items() if v is not None
    }
    if "smtp" in plan.withheld:
        # an assistant's or viewer's export leaves the mail server's settings out: kept
        # as stored, as its people's private fields are (not put back to their defaults)
        wanted |= {
            k: v for k, v in stored.items() if is_private_setting(k) and k not in plan.settings
        }
    for name in sorted(set(stored) | set(wanted)):
        if stored.get(name) == wanted.get(name):
            continue
        changes.settings_changed.append(name)
        if dry_run:
            continue
        con.execute("DELETE FROM settings WHERE name = ?", [name])
        if name in wanted:
            con.execute("INSERT INTO settings VALUES (?, ?)", [name, wanted[name]])
        auditlog.record(
            con,
            actor,
            "update",
            "setting",
            name,
            stored.get(name),
            wanted.get(name),
            change=change,
        )


def _sections(data: Any) -> set[str] | None:
    return set(data) if isinstance(data, dict) else None


def apply_plan_file(
    store: Store,
    path: str | Path,
    actor: Actor,
    *,
    dry_run: bool = False,
    prune: bool = False,
    confirm: bool = False,
) -> PlanChanges:
    data, source = read_plan_file(path)
    return _apply_data(store, data, source, actor, dry_run=dry_run, prune=prune, confirm=confirm)


def apply_plan_text(
    store: Store,
    text: str,
    actor: Actor,
    *,
    source: str = "plan",
    dry_run: bool = False,
    prune: bool = False,
    confirm: bool = False,
) -> PlanChanges:
    data = load_yaml(text, source)
    return _apply_data(store, data, source, actor, dry_run=dry_run, prune=prune, confirm=confirm)


def _apply_data(store: Store, data: Any, source: str, actor: Actor, **options: bool) -> PlanChanges:
    """Validate a parsed plan file whole, then apply it; the sections it names are the
    ones it manages (an absent section is asked about, never emptied silently)."""
    plan = validate_plan(data, source)
    return apply_plan(store, plan, actor, sections=_sections(data), source=source, **options)


__all__ = ["KEEP", "NeedsConfirmation", "PlanChanges", "apply_plan", "plan_revision"]
