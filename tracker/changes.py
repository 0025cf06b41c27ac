"""Changes people can take back: an entry, a set, a deletion, an import, a plan apply.

Every such write opens a change (``open_change``) inside its transaction. A change
never updates a stored value: it marks versions removed (``observations.removed_by``)
and adds new versions (``observations.change_id``); a plan change writes audit rows
(old -> new) tagged with its id. So taking a change back is itself a change:

- ``undo(X)`` removes the versions X added, brings back (as new versions of the same
  entries) the versions X removed, and sets every plan field X changed back to its old
  value. It is refused, naming the later change, when something X wrote was changed
  again since and that change still holds (undo that one first).
- ``redo(X)`` takes back the undo of X, so X is in effect again. Undoing the redo is
  undoing X again.

A version brought back is a copy of the one it restores (its *lineage*): what X wrote
is X's versions and their copies. So after a later change to the same entry was itself
undone, X's value is live again as a copy, and undoing X removes that copy.

Author or manager only; viewers never. Each undo and redo is audited and listed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from tracker import auditlog
from tracker.checks import recheck_outliers
from tracker.errors import BadInput, NotFound, PermissionDenied
from tracker.formats import utc_iso
from tracker.records import Actor
from tracker.store import Connection, Store
from tracker.vocab import listing

KINDS = ("log", "set", "delete", "import", "plan", "undo", "redo")
PLAN_ENTITIES = {
    "person": "people",
    "metric": "metrics",
    "objective": "objectives",
    "campaign": "campaigns",
    "kpi": "kpis",
    "mapping": "import_mappings",
}


@dataclass(frozen=True)
class Change:
    id: int
    at: dt.datetime
    actor: str
    kind: str
    summary: str
    detail: dict[str, Any] | None
    target: int | None
    undone_by: int | None

    @property
    def in_effect(self) -> bool:
        return self.undone_by is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": utc_iso(self.at),
            "actor": self.actor,
            "kind": self.kind,
            "summary": self.summary,
            "detail": self.detail,
            "target": self.target,
            "undone_by": self.undone_by,
        }


_COLUMNS = 'id, "at", actor, kind, summary, detail, target, undone_by'


def _change(row: tuple[Any, ...]) -> Change:
    detail = json.loads(row[5]) if row[5] is not None else None
    return Change(row[0], row[1], row[2], row[3], row[4], detail, row[6], row[7])


# A change's number is never one the audit log already holds: `demo --force` empties the
# changes but keeps the audit log (the record nobody rewrites), and a number given again
# tied the old rows to the new change (its undo was refused for what they said).
_NEXT_CHANGE = """
SELECT greatest((SELECT coalesce(max(id), 0) FROM changes),
                (SELECT coalesce(max(change_id), 0) FROM audit_log)) + 1
"""


def open_change(
    con: Connection,
    actor: Actor,
    kind: str,
    summary: str,
    detail: dict[str, Any] | None = None,
    target: int | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Record a change inside the caller's write transaction; returns its id. ``at``:
    when it was made (naive UTC; default now: the demo dates its story's entries)."""
    change_id = int(con.execute(_NEXT_CHANGE).fetchall()[0][0])
    con.execute(
        f"INSERT INTO changes ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",  # noqa: S608
        [
            change_id,
            at or auditlog.stamp(),
            actor.key,
            kind,
            summary[:500],
            json.dumps(detail, default=str) if detail is not None else None,
            target,
        ],
    )
    return change_id


def set_detail(con: Connection, change_id: int, summary: str, detail: dict[str, Any]) -> None:
    con.execute(
        "UPDATE changes SET summary = ?, detail = ? WHERE id = ?",
        [summary[:500], json.dumps(detail, default=str), change_id],
    )


def get_change(con: Connection, change_id: int) -> Change:
    rows = con.execute(
        f"SELECT {_COLUMNS} FROM changes WHERE id = ?",  # noqa: S608
        [change_id],
    ).fetchall()
    if not rows:
        raise NotFound(f"no change {change_id} (see `waypoint changes`)")
    return _change(rows[0])


def import_in_effect(store: Store, file: str, actor: Actor, since: dt.datetime) -> int | None:
    """The latest import of ``file`` (its name as the change names it) by ``actor``,
    made at or after ``since`` (naive UTC) and still in effect, or None."""
    with store.read() as con:
        rows = con.execute(
            "SELECT id FROM changes WHERE kind = 'import' AND actor = ? AND \"at\" >= ?"
            " AND starts_with(summary, ?) AND undone_by IS NULL ORDER BY id DESC LIMIT 1",
            [actor.key, since, f"import {file} ("],
        ).fetchall()
    return int(rows[0][0]) if rows else None


def list_changes(
    store: Store, *, actor: str | None = None, limit: int = 50, metric: str | None = None
) -> list[Change]:
    """Newest first; ``actor`` keeps one person's, ``metric`` those that touched a metric."""
    where = ["1 = 1"]
    params: list[Any] = []
    if actor is not None:
        where.append("actor = ?")
        params.append(actor)
    if metric is not None:
        where.append(
            "id IN (SELECT change_id FROM observations WHERE metric = ?"
            " UNION SELECT removed_by FROM observations WHERE metric = ?)"
        )
        params += [metric, metric]
    params.append(limit)
    with store.read() as con:
        # a mistyped metric is said, not shown as "no changes" (an archived one is known)
        if (
            metric is not None
            and not con.execute("SELECT 1 FROM metrics WHERE key = ?", [metric]).fetchall()
        ):
            raise NotFound(f"--metric {metric}: no such metric (see `waypoint plan export`)")
        rows = con.execute(
            f"SELECT {_COLUMNS} FROM changes WHERE {' AND '.join(where)}"  # noqa: S608
            " ORDER BY id DESC LIMIT ?",
            params,
        ).fetchall()
    return [_change(r) for r in rows]


def _require_assigned(con: Connection, actor: Actor, change: Change, verb: str) -> None:
    """An assistant writes values only of metrics assigned to her now (DESIGN "Roles"):
    bringing back her own entry on a metric taken away from her since writes a value she
    may no longer log, so a manager does it. Only what the reversal writes counts: an
    undo brings back the values the change removed (the undo of her own deletion wrote
    her entry back onto a metric handed over), a redo the change's own values; taking
    one away stays hers after a handover, as deleting it does (docs/entries.md)."""
    from tracker.permissions import assigned_metrics

    allowed = assigned_metrics(con, actor)
    if allowed is None:
        return
    rows = con.execute(
        "SELECT DISTINCT o.metric, m.name FROM observations o JOIN metrics m"
        " ON m.key = o.metric"
        " WHERE CASE WHEN $undo THEN o.removed_by = $c ELSE o.change_id = $c END ORDER BY 1",
        {"c": change.id, "undo": verb == "undo"},
    ).fetchall()
    others = [name for metric, name in rows if metric not in allowed]
    if others:
        raise PermissionDenied(
            f"{actor.name} may not {verb} change {change.id}: it holds values of"
            f" {listing(others)}, no longer a metric of a KPI, campaign or objective they"
            " own. Ask a manager to do it."
        )


def may_take_back(actor: Actor, change: Change) -> bool:
    """Whether ``actor`` may undo ``change`` now (the dashboard's Undo buttons)."""
    if not change.in_effect or change.kind == "undo":
        return False
    try:
        _may_take_back(actor, change, "undo")
    except PermissionDenied:
        return False
    return True


def may_bring_back(actor: Actor, change: Change) -> bool:
    """Whether ``actor`` may redo ``change`` now (the Audit log page's Redo buttons)."""
    if change.in_effect or change.kind in ("undo", "redo"):
        return False
    try:
        _may_take_back(actor, change, "redo")
    except PermissionDenied:
        return False
    return True


def _may_take_back(actor: Actor, change: Change, verb: str) -> None:
    if actor.role == "viewer":
        raise PermissionDenied(f"{actor.name} is a viewer and may not {verb} changes.")
    if actor.role != "manager" and change.actor != actor.key:
        author = "the local manager" if change.actor == "local" else change.actor
        raise PermissionDenied(
            f"{actor.name} may not {verb} change {change.id}: it was made by {author};"
            " only its author or a manager may."
        )
    if change.kind == "plan" and actor.role != "manager":
        raise PermissionDenied(f"{actor.name} may not {verb} a plan change: only a manager may.")


# -- taking back ---------------------------------------------------------------------------
# The versions that carry what change $x wrote: its own, and every copy an undo or redo
# made of one of them since. A copy is the version of the same entry that an undo or
# redo Z wrote while bringing back the one removed by the change Z reversed (an undo's
# target; for a redo, the undo it took back).
_LINEAGE = """
CREATE OR REPLACE TEMP TABLE lineage AS
WITH RECURSIVE
reversed AS (
    SELECT z.id AS by_change,
           CASE WHEN z.kind = 'undo' THEN z.target
                ELSE (SELECT u.id FROM changes u WHERE u.kind = 'undo' AND u.undone_by = z.id)
           END AS reversed
    FROM changes z WHERE z.kind IN ('undo', 'redo')
),
copies AS (
    SELECT r.id, r.entry, z.reversed
    FROM observations r JOIN reversed z ON z.by_change = r.change_id
),
line(id) AS (
    SELECT id FROM observations WHERE change_id = $x
    UNION
    SELECT c.id FROM line l
    JOIN observations p ON p.id = l.id
    JOIN copies c ON c.entry = p.entry AND c.reversed = p.removed_by
)
SELECT o.id, o.entry, o.removed_by FROM observations o SEMI JOIN line l ON l.id = o.id
"""


def _reverse(con: Connection, actor: Actor, undoing: Change, kind: str, target: int) -> int:
    """Make a change that reverses ``undoing``; returns the new change's id."""
    # Copies exist only of versions that were removed: when none of its versions ever
    # was (the common case: nothing changed them since), its lineage is its own rows and
    # the recursive walk (0.4 s for a million-row import) is skipped.
    touched_since = con.execute(
        "SELECT count(*) FROM observations WHERE change_id = ? AND removed_by IS NOT NULL",
        [undoing.id],
    ).fetchall()[0][0]
    con.execute(
        _LINEAGE
        if touched_since
        else "CREATE OR REPLACE TEMP TABLE lineage AS SELECT id, entry, removed_by"
        " FROM observations WHERE change_id = $x",
        {"x": undoing.id},
    )
    # An entry none of whose lineage is live was changed again by a change that holds:
    # the one that removed its latest version (a redo's own change for a redo).
    later = con.execute(
        """
        SELECT DISTINCT coalesce(CASE WHEN c.kind = 'redo' THEN c.target END, c.id),
               c.kind = 'undo', c.target
        FROM (SELECT entry, arg_max(removed_by, id) AS removed_by, bool_or(removed_by IS NULL)
                  AS live
              FROM lineage GROUP BY entry) e
        JOIN changes c ON c.id = e.removed_by
        WHERE NOT e.live
        ORDER BY 1
        """
    ).fetchall()
    # a redo brings back the change its undo took back: the refusals name that change
    blocked = (
        f"change {undoing.id} cannot be taken back"
        if kind == "undo"
        else f"change {target} cannot be brought back"
    )
    if later:
        con.execute("DROP TABLE lineage")
        ids = ", ".join(str(r[0]) for r in later)
        last, is_undo, its_target = later[-1]
        # an undo is taken back by redoing what it undid
        raise BadInput(
            f"{blocked}: values it wrote were changed again by change {ids};"
            f" {_first(con, actor, its_target if is_undo else last, is_undo)}"
        )
    # What it removed comes back unless another live version (not its own lineage,
    # which goes) holds the entry, or the (metric, day, source) of an imported value.
    clash = con.execute(
        """
        SELECT o.metric, o.day, o.source, o.entry FROM observations o
        WHERE o.removed_by = ?
          AND (EXISTS (SELECT 1 FROM observations l
                       WHERE l.removed_by IS NULL AND l.entry = o.entry
                         AND l.id NOT IN (SELECT id FROM lineage))
               OR (o.source <> 'manual' AND EXISTS (
                       SELECT 1 FROM observations l
                       WHERE l.removed_by IS NULL AND l.metric = o.metric
                         AND l.day = o.day AND l.source = o.source
                         AND l.id NOT IN (SELECT id FROM lineage))))
        ORDER BY o.id  -- the first clash, the same one every time
        LIMIT 1
        """,
        [undoing.id],
    ).fetchall()
    if clash:
        metric, day, source, entry = clash[0]
        # the change holding that value now (the clash's own condition): the one to take
        # back first; an undo or a redo is taken back through the change it is about
        held_by, held_kind, about = con.execute(
            "SELECT c.id, c.kind, c.target FROM observations l JOIN changes c"
            " ON c.id = l.change_id WHERE l.removed_by IS NULL"
            " AND l.id NOT IN (SELECT id FROM lineage)"
            " AND (l.entry = ? OR (? <> 'manual' AND l.metric = ? AND l.day = ?"
            " AND l.source = ?)) ORDER BY l.id LIMIT 1",
            [entry, source, metric, day, source],
        ).fetchall()[0]
        con.execute("DROP TABLE lineage")
        first = _first(
            con, actor, about if held_kind in ("undo", "redo") else held_by, held_kind == "undo"
        )
        raise BadInput(
            f"{blocked}: {metric} on {day} ({source}) was written again since; change"
            f" {held_by} wrote it; {first}"
        )
    if kind == "redo":
        if get_change(con, target).kind == "set":
            _refuse_logged_since(con, actor, undoing.id, target, is_set=True)
        _refuse_logged_since(con, actor, undoing.id, target, is_set=False)
    verb = "undo" if kind == "undo" else "redo"
    floors = _manual_days_brought_back(con, undoing.id)
    new_id = open_change(con, actor, kind, f"{verb} change {target}", target=target)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE touched AS SELECT DISTINCT metric, day FROM observations"
        " WHERE id IN (SELECT id FROM lineage) OR removed_by = ?",
        [undoing.id],
    )
    try:
        base = con.execute("SELECT coalesce(max(id), 0) FROM observations").fetchall()[0][0]
        # Bring back what the change removed: new versions of the same entries.
        restored = con.execute(
            """
            INSERT INTO observations (id, entry, metric, day, source, value, recorded_by,
                                      for_person, recorded_at, note, change_id, removed_by)
            SELECT ? + row_number() OVER (ORDER BY id), entry, metric, day, source, value,
                   recorded_by, for_person, recorded_at, note, ?, NULL
            FROM observations WHERE removed_by = ?
            """,
            [base, new_id, undoing.id],
        ).fetchall()[0][0]
        removed = con.execute(
            "UPDATE observations SET removed_by = ? WHERE removed_by IS NULL"
            " AND id IN (SELECT id FROM lineage)",
            [new_id],
        ).fetchall()[0][0]
        _audit_values(con, actor, kind, new_id, int(removed) + int(restored))
        from tracker.daily import refresh

        refresh(con, table="touched")
        _refuse_below_minimum(con, floors, kind, target)
        recheck_outliers(con, "touched", new_id)
    finally:
        con.execute("DROP TABLE IF EXISTS touched")
        con.execute("DROP TABLE IF EXISTS lineage")
    plan_fields, kept = _revert_plan(con, actor, undoing.id, new_id, blocked)
    con.execute("UPDATE changes SET undone_by = ? WHERE id = ?", [new_id, undoing.id])
    summary = f"{verb} change {target} ({undoing.summary})" if kind == "undo" else None
    if kind == "redo":
        original = get_change(con, target)
        summary = f"redo change {target} ({original.summary})"
    if kept and summary:
        summary += (
            f"; kept {listing(kept)}: {'it holds' if len(kept) == 1 else 'they hold'} values"
            " logged since (a plan apply with --prune archives them)"
        )
    detail = {"removed": int(removed), "restored": int(restored), "plan_fields": plan_fields}
    set_detail(con, new_id, summary or "", detail)
    auditlog.record(con, actor, kind, "change", str(target), None, detail, change=new_id)
    return new_id


def _manual_days_brought_back(
    con: Connection, undoing: int
) -> dict[tuple[str, dt.date], tuple[float, float, str]]:
    """The days whose hand entries reversing ``undoing`` brings back, on metrics with a
    ``min``: (metric, day) -> (the day's entries' sum now, the min, the metric's name)."""
    from tracker.daily import source_day_value

    rows = con.execute(
        "SELECT DISTINCT o.metric, o.day, m.min_value, m.name FROM observations o"
        " JOIN metrics m ON m.key = o.metric"
        " WHERE o.removed_by = ? AND o.source = 'manual' AND m.min_value IS NOT NULL",
        [undoing],
    ).fetchall()
    return {
        (metric, day): (source_day_value(con, metric, day, "manual") or 0.0, floor, name)
        for metric, day, floor, name in rows
    }


def _refuse_below_minimum(
    con: Connection,
    floors: dict[tuple[str, dt.date], tuple[float, float, str]],
    kind: str,
    target: int,
) -> None:
    """A reversal that brings entries back writes values, and the day they add up to
    must not fall below the metric's ``min``, as a logged entry's may not (a redo of -2
    beside a -5 logged since made -7 where `log` refuses it). Taking entries away is
    never refused (docs/entries.md): only a day the reversal lowered below ``min`` is."""
    from tracker.daily import source_day_value
    from tracker.formats import number

    for (metric, day), (was, floor, name) in floors.items():
        now = source_day_value(con, metric, day, "manual") or 0.0
        if now < floor and now < was:
            raise BadInput(
                f"change {target} cannot be {'taken back' if kind == 'undo' else 'brought back'}:"
                f" it brings back entries of {name} on {day}, and the day's entries would add"
                f" up to {number(now, 6)}, below the smallest allowed value {number(floor, 6)} (the"
                f" metric's min in the plan); delete or correct an entry of that day first"
            )


def _first(con: Connection, actor: Actor, change_id: int, redo_it: bool) -> str:
    """What to do first, said to ``actor``: take back change ``change_id`` (or, for an
    undo standing in the way, redo what it undid), or ask who may when they may not."""
    command = f"waypoint {'redo' if redo_it else 'undo'} {change_id}"
    verb = "bring that back" if redo_it else "take that back"
    # both ways to do it: the page's button and the command (the message reaches both)
    how = f"`{command}`, or {'Redo' if redo_it else 'Undo'} on the Audit log"
    change = get_change(con, change_id)
    try:
        _may_take_back(actor, change, "redo" if redo_it else "undo")
    except PermissionDenied:
        who = "a manager" if change.actor == "local" else f"{change.actor} or a manager"
        return f"ask {who} to {verb} first ({how})"
    return f"{verb} first ({how})"


# an entry first written by a set (a redo or undo that brought it back wrote a copy)
_SET_ENTRY = (
    "JOIN observations f ON f.id = l.entry JOIN changes c ON c.id = f.change_id AND c.kind = 'set'"
)


def _logged_since(con: Connection, undo_id: int, sets_only: bool) -> tuple[Any, ...] | None:
    """The first live entry logged (by a set only, with ``sets_only``) after the undo
    ``undo_id`` on a day whose manual values that undo took away: (metric, day, its
    change). Another person's hours do not count: hours are set per person."""
    found = con.execute(
        f"""
        SELECT o.metric, o.day, l.change_id FROM observations o
        JOIN metrics m ON m.key = o.metric
        JOIN observations l
          ON l.removed_by IS NULL AND l.metric = o.metric AND l.day = o.day
         AND l.source = 'manual' AND l.id NOT IN (SELECT id FROM lineage)
         -- logged after the undo: an entry that stood beside it before it was undone
         -- stands beside it again (ids of changes only grow)
         AND l.change_id > ?
         AND (m.class <> 'effort' OR l.for_person IS NOT DISTINCT FROM o.for_person)
        {_SET_ENTRY if sets_only else ""}
        WHERE o.removed_by = ? AND o.source = 'manual'
        ORDER BY l.id
        LIMIT 1
        """,  # noqa: S608 (a fixed fragment or none)
        [undo_id, undo_id],
    ).fetchall()
    return found[0] if found else None


def _refuse_logged_since(
    con: Connection, actor: Actor, undo_id: int, target: int, *, is_set: bool
) -> None:
    """A set is the day's whole manual value, so a redo may not put one beside another:
    a set's redo is refused while an entry logged on its day after the undo holds (5 set,
    undone, 7 logged: a redo would make 12, neither the set nor the day as it is), and,
    the mirror, an entry's redo while a day set after its undo holds (log 2, undone, set
    10: the redo would make 12)."""
    newer = _logged_since(con, undo_id, sets_only=not is_set)
    if not newer:
        return
    con.execute("DROP TABLE lineage")
    metric, day, by = newer
    first = _first(con, actor, by, False)
    if is_set:
        raise BadInput(
            f"change {target} set {metric} on {day}, and change {by} logged it again since;"
            f" brought back, the set would no longer be the day's value: {first}, or set the"
            " day again."
        )
    raise BadInput(
        f"change {by} set {metric} on {day} after change {target} was undone; brought back,"
        f" its entry would add to the day's set value: {first}, or log the day again."
    )


# An undo or redo writes what it did to each value, old -> new, as every other change
# does: a value brought back in place of another version of its entry (always, as an
# import lists each value it replaces), and, when it moved at most this many values in
# all, each value brought back or taken away with nothing in its place. A whole large
# import taken back or brought back is counted in the change's own audit row (as an
# import counts the rows it inserts); its rows stay in `observations`, marked.
_LISTED_VALUES = 10_000

_AUDIT_VALUES = """
INSERT INTO audit_log (id, "at", actor, action, entity, key, old_value, new_value, change_id)
SELECT (SELECT coalesce(max(id), 0) FROM audit_log) + row_number() OVER (ORDER BY v.id),
       $at, $actor, $kind, 'observation', v.metric || '|' || v.day::VARCHAR || '|' || v.source,
       v.old, v.new, $change
FROM (
    SELECT r.id, r.metric, r.day, r.source,
           CASE WHEN g.id IS NOT NULL THEN to_json({value: g.value, recorded_by: g.recorded_by,
                                                     note: g.note}) END AS old,
           to_json({value: r.value, recorded_by: r.recorded_by, note: r.note}) AS new
    FROM observations r
    LEFT JOIN observations g ON g.removed_by = $change AND g.entry = r.entry
    WHERE r.change_id = $change AND (g.id IS NOT NULL OR $list_all)
    UNION ALL
    SELECT g.id, g.metric, g.day, g.source,
           to_json({value: g.value, recorded_by: g.recorded_by, note: g.note}), NULL
    FROM observations g
    WHERE g.removed_by = $change AND $list_all
      AND NOT EXISTS (SELECT 1 FROM observations r WHERE r.change_id = $change
                      AND r.entry = g.entry)
) v
"""


def _audit_values(con: Connection, actor: Actor, kind: str, change: int, moved: int) -> None:
    con.execute(
        _AUDIT_VALUES,
        {
            "at": auditlog.stamp(),
            "actor": actor.key,
            "kind": kind,
            "change": change,
            "list_all": moved <= _LISTED_VALUES,
        },
    )


def _last_in_effect(con: Connection, actor: Actor) -> int | None:
    """The actor's change in effect that was made, or last redone, most recently."""
    rows = con.execute(
        "SELECT c.id FROM changes c WHERE c.actor = ? AND c.undone_by IS NULL"
        " AND c.kind NOT IN ('undo', 'redo')"
        " ORDER BY coalesce((SELECT max(r.id) FROM changes r WHERE r.kind = 'redo'"
        " AND r.target = c.id), c.id) DESC LIMIT 1",
        [actor.key],
    ).fetchall()
    return int(rows[0][0]) if rows else None


def default_undo(store: Store, actor: Actor) -> Change | None:
    """The change `waypoint undo` without an id would take back (so the command line can
    ask before a whole plan apply goes)."""
    with store.read() as con:
        found = _last_in_effect(con, actor)
        return get_change(con, found) if found is not None else None


def undo(store: Store, actor: Actor, change_id: int | None = None) -> Change:
    """Take back ``change_id`` (default: the actor's last change still in effect)."""
    with store.write() as con:
        if change_id is None:
            change_id = _last_in_effect(con, actor)
            if change_id is None:
                raise BadInput(f"{actor.name} has no change to undo")
        change = get_change(con, change_id)
        if change.kind == "redo":
            # a redo put its change back in effect: undoing it is undoing that change
            change = get_change(con, int(change.target or 0))
        _may_take_back(actor, change, "undo")
        if change.kind == "undo":
            raise BadInput(
                f"change {change.id} is an undo; bring back what it took back with"
                f" `waypoint redo {change.target}`"
            )
        if change.undone_by is not None:
            raise BadInput(
                f"change {change.id} was already taken back by change {change.undone_by};"
                f" bring it back with `waypoint redo {change.id}`"
            )
        _require_assigned(con, actor, change, "undo")
        new_id = _reverse(con, actor, change, "undo", change.id)
        # a redo that had put it back in effect no longer holds either
        con.execute(
            "UPDATE changes SET undone_by = ? WHERE kind = 'redo' AND target = ?"
            " AND undone_by IS NULL",
            [new_id, change.id],
        )
        return get_change(con, new_id)


def redo(store: Store, actor: Actor, change_id: int | None = None) -> Change:
    """Bring back a change that was undone (``change_id``: the change or its undo;
    default: the actor's last undo still in effect)."""
    with store.write() as con:
        if change_id is None:
            rows = con.execute(
                "SELECT target FROM changes WHERE actor = ? AND kind = 'undo'"
                " AND undone_by IS NULL ORDER BY id DESC LIMIT 1",
                [actor.key],
            ).fetchall()
            if not rows:
                raise BadInput(f"{actor.name} has nothing to redo")
            change_id = int(rows[0][0])
        change = get_change(con, change_id)
        if change.kind in ("undo", "redo"):
            # an undo or a redo names the change it is about
            change = get_change(con, int(change.target or 0))
        _may_take_back(actor, change, "redo")
        _require_assigned(con, actor, change, "redo")
        if change.undone_by is None:
            raise BadInput(f"change {change.id} is in effect; there is nothing to redo")
        undo_change = get_change(con, change.undone_by)
        new_id = _reverse(con, actor, undo_change, "redo", change.id)
        con.execute("UPDATE changes SET undone_by = NULL WHERE id = ?", [change.id])
        return get_change(con, new_id)


# -- plan fields -----------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _said(value: Any) -> str:
    """A plan field's value in a refusal: yes/no, not Python's True/False (the Audit log
    says "no → yes"); nothing for an empty field; text quoted."""
    value = _plain(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "nothing" if value is None else repr(value)


def _column(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _revert_plan(
    con: Connection, actor: Actor, undoing: int, new_id: int, blocked: str
) -> tuple[int, list[str]]:
    """Set every plan field ``undoing`` changed back; returns how many items changed, and
    the names of the metrics it created that are kept: they hold values logged since,
    and an apply never archives a metric that holds values (DESIGN), so its undo does
    not either."""
    rows = con.execute(
        "SELECT action, entity, key, old_value, new_value FROM audit_log"
        " WHERE change_id = ? AND (entity IN ? OR entity IN ('workspace', 'setting'))"
        " ORDER BY id DESC",
        [undoing, list(PLAN_ENTITIES)],
    ).fetchall()
    created = [(e, k) for a, e, k, _, _ in rows if a == "create"]
    holding = _holding_values(con, [k for e, k in created if e == "metric"])
    _refuse_items_changed_since(con, undoing, created)
    # a created metric holding values is kept, so no reference to it breaks
    archived = [(e, k) for e, k in created if not (e == "metric" and k in holding)]
    _refuse_items_still_used(con, undoing, archived)
    reverted = 0
    kept: list[str] = []
    metrics_to_refresh: list[str] = []
    for action, entity, key, old_raw, new_raw in rows:
        old = json.loads(old_raw) if old_raw is not None else None
        new = json.loads(new_raw) if new_raw is not None else None
        if entity == "setting":
            _revert_setting(con, actor, key, old, new, new_id, undoing)
        elif entity == "workspace":
            _revert_workspace(con, actor, old, new, new_id, undoing)
        else:
            if action == "create" and entity == "metric" and key in holding:
                kept.append(holding[key])
                continue
            if action == "create":
                old, new = {"archived": True}, {"archived": False}
            if not isinstance(old, dict) or not isinstance(new, dict):
                continue
            _revert_item(con, actor, entity, key, old, new, new_id, undoing)
            if entity == "metric" and {"prefer", "behaviour", "archived"} & set(old):
                metrics_to_refresh.append(key)
        reverted += 1
    _refuse_references_to_archived(
        con,
        blocked,
        [
            (e, k, json.loads(old_raw), json.loads(new_raw))
            for _, e, k, old_raw, new_raw in rows
            if e in PLAN_ENTITIES and old_raw and new_raw
        ],
    )
    if metrics_to_refresh:
        from tracker.daily import refresh_metrics

        refresh_metrics(con, metrics_to_refresh)
    return reverted, kept


def _refuse_items_changed_since(
    con: Connection, undoing: int, created: list[tuple[str, str]]
) -> None:
    """Taking back the creation of an item archives it whole, so it is refused while a
    later change that still holds changed that item (the target set again by a newer
    apply): that change is taken back first, as for values. Undos are not such changes:
    an undone later change left the item as this one made it; nor is a redo of this very
    change (it brought the item back as this one made it: undo, redo, undo again)."""
    if not created:
        return
    later = con.execute(
        """
        SELECT a.entity, a.key, a.change_id FROM audit_log a
        JOIN changes c ON c.id = a.change_id
        JOIN (SELECT unnest($e::VARCHAR[]) AS entity, unnest($k::VARCHAR[]) AS key) i
          ON i.entity = a.entity AND i.key = a.key
        WHERE a.change_id > $undoing AND c.undone_by IS NULL AND c.kind <> 'undo'
          AND NOT (c.kind = 'redo' AND c.target = $undoing)
        ORDER BY a.change_id DESC
        LIMIT 1
        """,
        {"e": [e for e, _ in created], "k": [k for _, k in created], "undoing": undoing},
    ).fetchall()
    if later:
        entity, key, by = later[0]
        raise BadInput(
            f"change {undoing} cannot be taken back: it created {entity} {key}, which change"
            f" {by} changed again since; take that change back first (`waypoint undo {by}`,"
            " or Undo on the Audit log)"
        )


def _holding_values(con: Connection, metrics: list[str]) -> dict[str, str]:
    """Of ``metrics``, those holding live values, key -> name: an undo of their creation
    keeps them, as an apply keeps one (DESIGN)."""
    if not metrics:
        return {}
    return dict(
        con.execute(
            "SELECT m.key, m.name FROM metrics m WHERE list_contains(?, m.key) AND EXISTS"
            " (SELECT 1 FROM observations o WHERE o.metric = m.key AND o.removed_by IS NULL)",
            [metrics],
        ).fetchall()
    )


# What refers to an item of each kind: (the referring kind, its table, the column).
_USED_BY = {
    "metric": [
        ("kpi", "kpis", "metric"),
        ("kpi", "kpis", "numerator"),
        ("kpi", "kpis", "denominator"),
    ],
    "person": [
        ("kpi", "kpis", "owner"),
        ("objective", "objectives", "owner"),
        ("campaign", "campaigns", "owner"),
        ("metric", "metrics", "owner"),
        ("person", "people", "manager"),
    ],
    "objective": [("kpi", "kpis", "objective"), ("campaign", "campaigns", "objective")],
    "campaign": [("kpi", "kpis", "campaign")],
}
# The same, from the other side: what an item of each kind refers to, (column, kind).
_REFERS_TO: dict[str, list[tuple[str, str]]] = {}
for _referred, _referrers in _USED_BY.items():
    for _referrer, _, _field in _referrers:
        _REFERS_TO.setdefault(_referrer, []).append((_field, _referred))


def _refuse_items_still_used(con: Connection, undoing: int, created: list[tuple[str, str]]) -> None:
    """Taking back the creation of a metric, person or objective archives it; refused
    while a live item this change did not create refers to it (a KPI added since on the
    metric): the plan would name an archived item, and no later apply or export of it
    would pass its own checks. (``created``: the items it would archive.) One query per
    kind of reference."""
    made = set(created)
    for entity, refs in _USED_BY.items():
        keys = [k for e, k in created if e == entity]
        if not keys:
            continue
        for kind, table, column in refs:
            users = con.execute(
                f"SELECT {column}, key FROM {table} WHERE NOT archived"  # noqa: S608 (fixed names)
                f" AND list_contains(?, {column}) ORDER BY key",
                [keys],
            ).fetchall()
            for used, user in users:
                if (kind, user) not in made:
                    raise BadInput(
                        f"change {undoing} cannot be taken back: it created {entity} {used},"
                        f" which {kind} {user} (made since) uses as its {column}; change or"
                        f" archive {kind} {user} first"
                    )


def _refuse_references_to_archived(
    con: Connection, blocked: str, reverted: list[tuple[str, str, Any, Any]]
) -> None:
    """A reversal may not leave a live item referring to an archived one: an item it
    brings back out of the archive (redoing the apply that made KPI k2 after undoing the
    one that made its metric), or a reference it sets back (a KPI's owner set back to a
    person archived since). Hidden from every page, the item made the next export fail
    to apply. ``reverted``: (entity, key, the values set back, the values they replace)
    of each plan item; run after the reversal's own updates, so what it restores along
    with the item is live by then."""
    for kind, key, back, replaced in reverted:
        if not isinstance(back, dict) or not isinstance(replaced, dict):
            continue
        restored = back.get("archived") is False and replaced.get("archived") is True
        if back.get("archived") is True:
            continue  # archived by the reversal: nothing of it is live
        for column, entity in _REFERS_TO.get(kind, []):
            if not (restored or column in back):
                continue
            gone = con.execute(
                f"SELECT r.key FROM {PLAN_ENTITIES[kind]} t JOIN {PLAN_ENTITIES[entity]} r"  # noqa: S608 (fixed names)
                f" ON r.key = t.{column} WHERE t.key = ? AND NOT t.archived AND r.archived",
                [key],
            ).fetchall()
            if gone:
                whose = (
                    f"{column} {gone[0][0]}"
                    if column == entity
                    else f"{column} ({entity} {gone[0][0]})"
                )
                did = "bring back" if restored else "set back"
                raise BadInput(
                    f"{blocked}: it would {did} {kind} {key}, whose {whose} is archived (an"
                    " undone change made it, or a plan apply left it out); bring that"
                    f" {entity} back first (redo the change that made it, or list it in the"
                    " plan)"
                )


def _changed_by(
    con: Connection, actor: Actor, undoing: int, entity: str, key: str, column: str | None
) -> str:
    """The later change in effect that wrote ``column`` of the item, and what to do
    first, as a refusal's end ("; change 4 set it; take that back first (...)"); an undo
    or a redo in the way is taken back through the change it is about, as for values."""
    rows = con.execute(
        "SELECT c.id, c.kind, c.target, a.old_value, a.new_value FROM audit_log a"
        " JOIN changes c ON c.id = a.change_id"
        " WHERE a.entity = ? AND a.key = ? AND a.change_id > ? AND c.undone_by IS NULL"
        " ORDER BY a.id DESC",
        [entity, key, undoing],
    ).fetchall()
    for by, kind, about, old_raw, new_raw in rows:
        wrote = json.loads(new_raw) if new_raw is not None else None
        was = json.loads(old_raw) if old_raw is not None else None
        # a setting's row is its value; the workspace's rows hold every field, so the
        # change that set this one is the one whose row changed it
        if column is None or (
            isinstance(wrote, dict)
            and column in wrote
            and not (isinstance(was, dict) and _plain(was.get(column)) == _plain(wrote[column]))
        ):
            first = _first(con, actor, about if kind in ("undo", "redo") else by, kind == "undo")
            return f"; change {by} set it; {first}"
    if entity in ("setting", "workspace"):
        # set outside any change: a restore checks settings and sets refused ones back
        # to their default without one, so there is no change to take back
        return (
            "; no change since set it (a restore may have), so set what you want with a plan apply"
        )
    return "; take that change back first"


def _revert_item(
    con: Connection,
    actor: Actor,
    entity: str,
    key: str,
    old: dict[str, Any],
    new: dict[str, Any],
    new_id: int,
    undoing: int,
) -> None:
    table = PLAN_ENTITIES[entity]
    key_col = "name" if table == "import_mappings" else "key"
    columns = [c for c in old if c in new]
    if not columns:
        return
    select = ", ".join(_column(c) for c in columns)
    current = con.execute(
        f"SELECT {select} FROM {table} WHERE {key_col} = ?",  # noqa: S608 (columns from the audit row, quoted)
        [key],
    ).fetchall()
    if not current:
        raise BadInput(f"{entity} {key} no longer exists; this change cannot be taken back")
    now = dict(zip(columns, current[0], strict=True))
    for c in columns:
        if _plain(now[c]) != _plain(new[c]):
            raise BadInput(
                f"{entity} {key}: {c} was changed again since ({_said(now[c])}, not"
                f" {_said(new[c])}){_changed_by(con, actor, undoing, entity, key, c)}"
            )
    sets = ", ".join(f"{_column(c)} = ?" for c in columns)
    values = [old[c] for c in columns]
    con.execute(
        f"UPDATE {table} SET {sets} WHERE {key_col} = ?",  # noqa: S608 (quoted column names)
        [*values, key],
    )
    action = "archive" if old.get("archived") is True else "update"
    auditlog.record(con, actor, action, entity, key, new, old, change=new_id)


def _revert_workspace(
    con: Connection, actor: Actor, old: Any, new: Any, new_id: int, undoing: int
) -> None:
    """Put back the workspace fields ``undoing`` changed, as ``old`` had them; fields it
    left alone keep what they hold now (a vision written since stays). Refused, as an
    item's field is, when one of them was changed again since (a time zone set back
    from Tokyo to UTC by the undo of the Berlin apply, silently). ``old`` None: the apply
    wrote the first workspace row over the defaults `init` leaves (name Waypoint, UTC),
    so taking it back puts those defaults back; a redo writes the apply's values again."""
    from tracker.models import Workspace

    if old is None:
        # init's defaults, written as a row: a database without one reads as never used,
        # and `demo` or `restore` would then replace it without --force
        from tracker.vocab import DEFAULT_WORKSPACE_NAME

        old = Workspace(name=DEFAULT_WORKSPACE_NAME).model_dump()
    fields = ("name", "vision", "timezone", "currency")
    defaults = Workspace(name="-").model_dump()
    old = {f: old.get(f, defaults[f]) for f in fields}
    new = {f: (new or {}).get(f, defaults[f]) for f in fields}
    row = con.execute("SELECT name, vision, timezone, currency FROM workspace").fetchall()
    current = dict(zip(fields, row[0], strict=True)) if row else dict(new)
    changed = [f for f in fields if _plain(old[f]) != _plain(new[f])]
    for f in changed:
        if _plain(current[f]) != _plain(new[f]):
            raise BadInput(
                f"workspace: {f} was changed again since ({_said(current[f])}, not"
                f" {_said(new[f])}){_changed_by(con, actor, undoing, 'workspace', 'workspace', f)}"
            )
    result = {**current, **{f: old[f] for f in changed}}
    con.execute("DELETE FROM workspace")
    con.execute(
        "INSERT INTO workspace (id, name, vision, timezone, currency) VALUES (1, ?, ?, ?, ?)",
        [result[f] for f in fields],
    )
    auditlog.record(con, actor, "update", "workspace", "workspace", current, result, change=new_id)


def _revert_setting(
    con: Connection, actor: Actor, name: str, old: Any, new: Any, new_id: int, undoing: int
) -> None:
    """Set a setting back to ``old`` (None: not stored, its default), refused while a
    later change set it to something else (undoing the 0.8 apply after a 0.85 one put
    the default back and lost the 0.85 without a word)."""
    from tracker.settings import SETTINGS

    row = con.execute("SELECT value FROM settings WHERE name = ?", [name]).fetchall()
    current = row[0][0] if row else None
    if current != (None if new is None else str(new)):
        setting = SETTINGS.get(name)

        def shown(value: Any) -> str:
            if value is None:
                return "the default"
            return "a hidden value" if setting is not None and setting.secret else _said(value)

        raise BadInput(
            f"setting {name} was changed again since ({shown(current)}, not {shown(new)})"
            f"{_changed_by(con, actor, undoing, 'setting', name, None)}"
        )
    con.execute("DELETE FROM settings WHERE name = ?", [name])
    if old is not None:
        con.execute("INSERT INTO settings VALUES (?, ?)", [name, str(old)])
    auditlog.record(con, actor, "update", "setting", name, new, old, change=new_id)
