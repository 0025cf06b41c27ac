"""The demo workspace: Copper Kettle Bakery & Catering, 26 weeks of believable data.

The workspace lives in data files beside this module: plan.yaml (a plan file whose dates
are relative to the load day) and story.yaml (what happens in the 26 weeks, drawn by
generate.py with a seeded generator, so a given ``as_of`` always gives the same
workspace). This module loads them into a store in one transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracker import auditlog
from tracker.clock import today
from tracker.demo import generate
from tracker.errors import BadInput
from tracker.models import LOCAL_MANAGER
from tracker.observations import seed_values
from tracker.permissions import require_manager
from tracker.plan import apply_plan, validate_plan
from tracker.records import Actor
from tracker.store import Store

WEEKS = generate.story()["weeks"]


def demo_plan(as_of: dt.date) -> dict[str, Any]:
    """The plan (tracker/demo/plan.yaml), with every date placed relative to ``as_of``."""
    return generate.plan(as_of)


def load_demo(
    store: Store,
    as_of: dt.date | None = None,
    *,
    force: bool = False,
    actor: Actor = LOCAL_MANAGER,
) -> dict:
    """Load the demo into ``store`` in one transaction; returns a summary. Replacing a
    workspace (``force``) wipes every value and check-in: a manager only, audited."""
    now = today(timezone="America/Chicago")  # the demo workspace's zone
    if as_of is None:
        as_of = now
    if as_of > now:
        # its values end on that day, and no value is stored dated after today (DESIGN);
        # a future demo's entries could be undone and redone though `log` refuses them
        raise BadInput(
            f"--as-of {as_of}: the demo's 26 weeks end on that day, which is after today"
            f" ({now} in the demo's time zone, America/Chicago); give today or an earlier day"
        )
    store.init()  # after the checks: a refused demo leaves no database file behind
    raw = demo_plan(as_of)
    plan = validate_plan(raw, "demo plan")
    observations = generate.observations(as_of, raw)
    checkins = generate.checkins(as_of, raw)
    n = WEEKS * 7
    with store.write() as con:
        existing = con.execute(
            "SELECT (SELECT count(*) FROM workspace) + (SELECT count(*) FROM observations)"
        ).fetchall()[0][0]
        if existing and not force:
            raise BadInput(
                f"{store.path} already holds a workspace; use `waypoint demo --force` to replace"
                " it, or --db another file"
            )
        if existing:
            require_manager(actor, "replace the workspace with the demo (demo --force)")
        for table in (
            "observations",
            "daily_values",
            "outliers",
            "changes",
            "import_mappings",
            "checkins",
            "annotations",
            "flag_acks",
            "reminders",
            "kpis",
            "campaigns",
            "objectives",
            "metrics",
            "people",
            "settings",
        ):
            con.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)
        before = con.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchall()[0][0]
        apply_plan(store, plan, LOCAL_MANAGER)
        # The story's workspace was set up when it starts, so KPI ownership (read from the
        # audit log by the check-in rules) dates from then, not from loading the demo.
        set_up = dt.datetime.combine(as_of - dt.timedelta(days=n), dt.time(15))
        con.execute('UPDATE audit_log SET "at" = ? WHERE id > ?', [set_up, before])
        con.execute(
            'UPDATE changes SET "at" = ? WHERE id = (SELECT max(id) FROM changes)', [set_up]
        )
        con.abort()
        con.register("demo_obs", observations)
        seed_values(con, "demo_obs")
        con.unregister("demo_obs")
        _entries_as_changes(con, as_of - dt.timedelta(days=RECENT_ENTRY_DAYS))
        con.executemany(
            "INSERT INTO checkins (id, kpi, person, period, confidence, comment, progress, plans,"
            " problems, created_at) SELECT (SELECT coalesce(max(id), 0) + 1 FROM checkins),"
            " ?, ?, ?, ?, ?, ?, ?, ?, ?",
            checkins,
        )
        for note in generate.chart_notes(as_of):
            day = note["day"]
            con.execute(
                "INSERT INTO annotations (id, day, text, campaign, metric, kind, created_by,"
                " created_at) SELECT coalesce(max(id), 0) + 1, ?, ?, ?, ?, 'note', 'maria',"
                " ?::TIMESTAMP FROM annotations",
                [
                    day,
                    note["text"],
                    note.get("campaign"),
                    note.get("metric"),
                    dt.datetime.combine(day, dt.time(17)),
                ],
            )
        if existing:
            auditlog.record(
                con,
                actor,
                "replace",
                "database",
                str(store.path),
                None,
                {"demo": as_of.isoformat()},
            )
    return {
        "workspace": plan.workspace.name,
        "as_of": as_of.isoformat(),
        "kpis": sum(len(o.kpis) for o in plan.objectives),
        "observations": observations.num_rows,
        "checkins": len(checkins),
    }


RECENT_ENTRY_DAYS = 28


def _entries_as_changes(con: Any, since: dt.date) -> None:
    """The story's hand entries of its last four weeks, each one change of its author
    with its audit row, as `waypoint log` records them (dated when they were logged): the
    demo's assistant read "No changes yet" beside "a value you logged counts", and could
    undo none of his entries. Older entries stay part of the seeded history."""
    from tracker.changes import open_change
    from tracker.entries import entry_summary

    rows = con.execute(
        "SELECT o.id, o.metric, o.day, o.value, o.recorded_by, o.for_person, o.recorded_at,"
        " m.behaviour FROM observations o JOIN metrics m ON m.key = o.metric"
        " WHERE o.source = 'manual' AND o.recorded_by IS NOT NULL AND o.day >= ?"
        " ORDER BY o.recorded_at, o.id",
        [since],
    ).fetchall()
    for entry, metric, day, value, by, for_person, at, behaviour in rows:
        author = Actor(by, "assistant", by)  # only its key is written
        change = open_change(
            con, author, "log", entry_summary("log", metric, value, day, behaviour), at=at
        )
        con.execute("UPDATE observations SET change_id = ? WHERE id = ?", [change, entry])
        new = {"id": entry, "value": value, "by": by, "for": for_person, "note": None}
        auditlog.record(
            con, author, "create", "observation", f"{metric}|{day}|manual", None, new,
            change=change, at=at,
        )  # fmt: skip
