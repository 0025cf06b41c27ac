"""Hand-logged entries: add, set, delete, and list what is stored.

A hand-logged value is an *entry* with its own author, time and note (DESIGN.md,
"Entries, corrections and trust in the numbers"). For a flow metric the day's manual
value is the sum of that day's entries (2 leads in the morning and 1 in the afternoon
make 3); for a stock metric it is the latest entry. ``mode="set"`` replaces the day's
manual value instead (for hours: the entries for the same person). Every entry, set
and deletion is a change that ``tracker.changes.undo`` can take back.

Errors: ``BadInput`` (exit 2) names the value, metric, day and fix; ``NotFound`` for an
unknown metric, person or id; ``PermissionDenied`` for a role that may not write it;
``OutlierNeedsConfirmation`` (a BadInput) when the value needs ``confirm_outlier``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from tracker import auditlog
from tracker.changes import open_change
from tracker.checks import (
    Outlier,
    OutlierNeedsConfirmation,
    amount_text,
    before_every_window,
    check_day,
    check_value,
    find_outlier,
    recheck_outliers,
)
from tracker.clock import today as workspace_today
from tracker.daily import preferred_source_here, refresh, source_day_value
from tracker.errors import BadInput, NotFound, PermissionDenied
from tracker.formats import utc_iso
from tracker.permissions import assigned_metrics, require_metric_writer, require_writer
from tracker.records import Actor
from tracker.store import Connection, Store
from tracker.text import clean_note, spelled_like

MANUAL = "manual"


@dataclass(frozen=True)
class Entry:
    """One stored value: an entry (source ``manual``) or an imported value."""

    id: int
    metric: str
    day: dt.date
    value: float
    source: str
    recorded_by: str | None
    for_person: str | None
    recorded_at: dt.datetime
    note: str | None
    change: int

    @property
    def is_entry(self) -> bool:
        return self.source == MANUAL

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "day": self.day.isoformat(),
            "value": self.value,
            "source": self.source,
            "kind": "entry" if self.is_entry else "import",
            # the command line's local manager stores no author: named by its key
            "recorded_by": self.recorded_by or "local",
            "for": self.for_person or self.recorded_by or "local",
            "recorded_at": utc_iso(self.recorded_at),
            "note": self.note,
            "change": self.change,
        }


@dataclass
class LogResult:
    change: int
    entry: int
    metric: str
    name: str
    unit: str | None
    day: dt.date
    value: float
    mode: str
    day_manual: float  # the day's manual value after this entry
    day_value: float | None  # the day's value as counted (all sources)
    replaced: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    outlier: bool = False
    behaviour: str = "flow"  # a stock entry is a level, not an amount added

    def as_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "id": self.entry,
            "metric": self.metric,
            "day": self.day.isoformat(),
            "value": self.value,
            "mode": self.mode,
            "day_manual": self.day_manual,
            "day_value": self.day_value,
            "replaced": [e.as_dict() for e in self.replaced],
            "warnings": self.warnings,
            "outlier": self.outlier,
        }


_ENTRY_COLUMNS = (
    "entry, metric, day, value, source, recorded_by, for_person, recorded_at, note, change_id"
)


def _entries(con: Connection, where: str, params: list[Any]) -> list[Entry]:
    rows = con.execute(
        f"SELECT {_ENTRY_COLUMNS} FROM observations WHERE removed_by IS NULL AND {where}"  # noqa: S608 (fixed fragments)
        " ORDER BY day, recorded_at, id",
        params,
    ).fetchall()
    return [Entry(*r) for r in rows]


@dataclass(frozen=True)
class MetricInfo:
    key: str
    name: str
    unit: str | None
    klass: str
    behaviour: str
    minimum: float | None
    archived: bool


def metric_info(con: Connection, metric: str) -> MetricInfo:
    rows = con.execute(
        "SELECT key, name, unit, class, behaviour, min_value, archived FROM metrics WHERE key = ?",
        [metric],
    ).fetchall()
    if not rows:
        known = [
            r[0]
            for r in con.execute(
                "SELECT key FROM metrics WHERE NOT archived ORDER BY position"
            ).fetchall()
        ]
        more = ", …" if len(known) > 12 else ""  # the first twelve, and a sign of more
        hint = spelled_like(metric, known) or (
            f" (metrics: {', '.join(known[:12])}{more})" if known else ""
        )
        raise NotFound(
            f"unknown metric {metric!r}; add it to the plan (waypoint plan apply) first{hint}"
        )
    return MetricInfo(*rows[0])


def _person(con: Connection, key: str, option: str) -> None:
    """``key`` names someone who records values: a manager or assistant (as an import's
    ``by`` must; viewers record nothing, so nothing is credited to them)."""
    row = con.execute("SELECT role FROM people WHERE key = ? AND NOT archived", [key]).fetchall()
    if not row:
        raise NotFound(f"{option} {key}: no such person in the plan")
    if row[0][0] not in ("manager", "assistant"):
        raise BadInput(
            f"{option} {key}: {key} is a {row[0][0]}, who records nothing; hours and values"
            " are credited to a manager or assistant"
        )


def _unarchive(con: Connection, actor: Actor, info: MetricInfo, change: int | None) -> None:
    if actor.role != "manager":
        raise PermissionDenied(
            f"{info.name} ({info.key}) is archived; only a manager may bring it back"
            " (log a value as a manager, or add it to the plan again)."
        )
    con.execute("UPDATE metrics SET archived = false WHERE key = ?", [info.key])
    auditlog.record(
        con,
        actor,
        "update",
        "metric",
        info.key,
        {"archived": True},
        {"archived": False},
        change=change,
    )


def log_entry(
    store: Store,
    actor: Actor,
    metric: str,
    value: float,
    *,
    day: dt.date | None = None,
    mode: str = "add",
    for_person: str | None = None,
    note: str | None = None,
    confirm_outlier: bool = False,
) -> LogResult:
    """Store one entry (``mode`` add) or replace the day's manual value (``mode`` set)."""
    require_writer(actor, "log values")
    if mode not in ("add", "set"):
        raise BadInput(f"mode {mode!r}: use add or set")
    note = clean_note(note, f"note for {metric}")
    today = workspace_today(store)
    with store.write() as con:
        return _log_one(
            con,
            actor,
            metric,
            value,
            day or today,
            today,
            mode,
            for_person,
            note,
            confirm_outlier,
            None,
        )


def log_week(
    store: Store,
    actor: Actor,
    rows: list[tuple[str, dt.date, float]],
    *,
    confirmed: Collection[tuple[str, dt.date]] = (),
) -> int:
    """Add one entry per (metric, day, value) in one change (the dashboard's week grid);
    all or nothing. Returns the change id. Values far outside their metric's range raise
    OutlierNeedsConfirmation naming every one of them, as `log_entry` does for one, unless
    each one's (metric, day) is in ``confirmed`` (the page asks about all of them, and
    stores the week once the person says they are right: a confirmation of one value
    never lets another through)."""
    require_writer(actor, "log values")
    if not rows:
        raise BadInput("no values to log")
    today = workspace_today(store)
    asked: list[tuple[Outlier, float | None]] = []
    with store.write() as con:
        many = "1 entry" if len(rows) == 1 else f"{len(rows)} entries"
        change = open_change(con, actor, "log", f"log {many} (week grid)")
        for metric, day, value in rows:
            _log_one(
                con,
                actor,
                metric,
                value,
                day,
                today,
                "add",
                None,
                None,
                (metric, day) in confirmed,
                change,
                asked=asked,
            )
        if asked:  # raised inside the transaction: nothing of the week is stored
            sentences = "; ".join(
                o.sentence(metric_info(con, o.metric).name, typed=t) for o, t in asked
            )
            raise OutlierNeedsConfirmation(
                f"{sentences}. If {'it is' if len(asked) == 1 else 'they are'} right, confirm;"
                " if not, check the numbers.",
                asked[0][0],
                typed=asked[0][1],
                found=asked,
            )
    return change


def _log_one(
    con: Connection,
    actor: Actor,
    metric: str,
    value: float,
    day: dt.date,
    today: dt.date,
    mode: str,
    for_person: str | None,
    note: str | None,
    confirm_outlier: bool,
    change: int | None,
    asked: list[tuple[Outlier, float | None]] | None = None,
) -> LogResult:
    """One entry. An outlier not confirmed raises, or with ``asked`` (a batch that asks
    about all its outliers at once) is added there and the entry goes on as confirmed;
    the batch raises after its last row."""
    info = metric_info(con, metric)
    what = f"{info.name} on {day}"  # by name: the page says it too ("ig-posts on ...")
    check_day(day, today, what)
    check_value(value, info.minimum, f"{amount_text(value)} for {what}", info.name)
    require_metric_writer(con, actor, info.key, info.klass)
    author = None if actor.key == "local" else actor.key
    if for_person is not None:
        _person(con, for_person, "--for")
        if actor.role != "manager" and for_person != actor.key:
            raise PermissionDenied(
                f"{actor.name} may only log their own hours and values (--for {for_person})."
            )
    credited = for_person or author
    replaced: list[Entry] = []
    if mode == "set":
        scope = "metric = ? AND day = ? AND source = ?"
        params: list[Any] = [metric, day, MANUAL]
        if info.klass == "effort":
            scope += " AND for_person IS NOT DISTINCT FROM ?"
            params.append(credited)
        replaced = _entries(con, scope, params)
        others = sorted({e.recorded_by or "local" for e in replaced} - {actor.key})
        if others and actor.role != "manager":
            # people by name, the metric by its name and the day as people write it
            known = dict(
                con.execute(
                    "SELECT key, name FROM people WHERE list_contains(?, key)", [others]
                ).fetchall()
            )
            named = ", ".join(
                "the local manager" if o == "local" else known.get(o, o) for o in others
            )
            raise PermissionDenied(
                f"{actor.name} may not replace entries of {named} for {info.name} on"
                f" {day:%a} {day.day} {day:%b %Y}; add an entry instead, or ask them or a"
                " manager."
            )
    kind = "set" if mode == "set" else "log"
    if change is None:
        change = open_change(
            con, actor, kind, entry_summary(kind, metric, value, day, info.behaviour)
        )
    if info.archived:
        _unarchive(con, actor, info, change)
    if replaced:
        con.execute(
            "UPDATE observations SET removed_by = ? WHERE removed_by IS NULL AND entry IN ?",
            [change, [e.id for e in replaced]],
        )
    new_id = int(con.execute("SELECT coalesce(max(id), 0) + 1 FROM observations").fetchall()[0][0])
    con.execute(
        "INSERT INTO observations (id, entry, metric, day, source, value, recorded_by,"
        " for_person, recorded_at, note, change_id, removed_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        [
            new_id,
            new_id,
            metric,
            day,
            MANUAL,
            float(value) + 0.0,  # -0 is 0 (a spreadsheet, an export and a reader agree)
            author,
            credited,
            auditlog.stamp(),
            note,
            change,
        ],
    )
    refresh(con, [(metric, day)])
    day_value = _day_value(con, metric, day)
    outlier = find_outlier(con, metric, day, day_value) if day_value is not None else None
    if outlier is not None and not confirm_outlier:
        if asked is None:
            raise OutlierNeedsConfirmation(
                f"{outlier.sentence(info.name, typed=value)}. If it is right, store it with"
                " --yes; if not, check the number.",
                outlier,
                typed=value,
            )
        asked.append((outlier, value))
    con.execute("DELETE FROM outliers WHERE metric = ? AND day = ?", [metric, day])
    if outlier is not None:
        con.execute(
            "INSERT INTO outliers VALUES (?, ?, ?, ?, ?)",
            [metric, day, outlier.value, outlier.reference, change],
        )
    day_manual = source_day_value(con, metric, day, MANUAL) or 0.0
    if info.minimum is not None and day_manual < info.minimum:
        # each entry passed on its own; the day they add up to must pass as well
        check_value(
            day_manual, info.minimum, f"{what}: the day's entries would add up to", info.name
        )
    auditlog.record(
        con,
        actor,
        "set" if mode == "set" else "create",
        "observation",
        f"{metric}|{day}|{MANUAL}",
        [{"id": e.id, "value": e.value, "by": e.recorded_by} for e in replaced] or None,
        {"id": new_id, "value": float(value), "by": author, "for": credited, "note": note},
        change=change,
    )
    warnings = []
    if info.archived:
        warnings.append(
            f"{info.name} was archived; this value brought it back (the plan lists it again,"
            " and `waypoint undo` archives it once more)"
        )
    window = before_every_window(con, metric, day)
    if window:
        warnings.append(window)
    # hours: the preferred source of the same person's hours (Ana's timesheet does not
    # settle Jay's typed hours); the whole day for any other metric
    preferred = preferred_source_here(
        con, metric, day, credited if info.klass == "effort" and info.behaviour == "flow" else ""
    )
    if preferred:
        warnings.append(
            f"{info.name} prefers the source {preferred} (the plan's `prefer`), which has a"
            f" value on {day}: this entry is kept but does not count that day. Change"
            " `prefer` in the plan if hand entries should count."
        )
    return LogResult(
        change=change,
        entry=new_id,
        metric=metric,
        name=info.name,
        unit=info.unit,
        day=day,
        value=float(value),
        mode=mode,
        day_manual=day_manual,
        day_value=day_value,
        replaced=replaced,
        warnings=warnings,
        outlier=outlier is not None,
        behaviour=info.behaviour,
    )


def entry_summary(kind: str, metric: str, value: float, day: dt.date, behaviour: str) -> str:
    """An entry's change as listed: "log leads +2 on 2026-11-17", "set leads =5 on ..." (a
    stock entry is a level, followers 150, not an amount added to the day)."""
    sign = "=" if kind == "set" else ("+" if value >= 0 and behaviour != "stock" else "")
    return f"{kind} {metric} {sign}{amount_text(value)} on {day}"


def _day_value(con: Connection, metric: str, day: dt.date) -> float | None:
    rows = con.execute(
        "SELECT value FROM daily_values WHERE metric = ? AND day = ?", [metric, day]
    ).fetchall()
    return float(rows[0][0]) if rows else None


def hand_logged(store: Store, actor: Actor, since: dt.date) -> list[str]:
    """The metrics ``actor`` has logged by hand (entries, not imports) on a day since
    ``since``, the most recently logged first: what the person types in, week after week."""
    with store.read() as con:
        rows = con.execute(
            # the command line's local manager writes no author (NULL): 'local' is theirs
            "SELECT metric FROM observations WHERE source = 'manual' AND removed_by IS NULL"
            " AND coalesce(recorded_by, 'local') = ? AND day >= ? GROUP BY metric"
            " ORDER BY max(recorded_at) DESC, metric",
            [actor.key, since],
        ).fetchall()
    return [r[0] for r in rows]


def day_entries(store: Store, metric: str, day: dt.date) -> list[Entry]:
    """What is stored for ``metric`` on ``day`` (entries and imported values)."""
    with store.read() as con:
        metric_info(con, metric)
        return _entries(con, "metric = ? AND day = ?", [metric, day])


@dataclass
class MetricValues:
    metric: str
    name: str
    unit: str | None
    behaviour: str
    entries: list[Entry]
    days: list[tuple[dt.date, float]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "name": self.name,
            "unit": self.unit,
            "behaviour": self.behaviour,
            "values": [e.as_dict() for e in self.entries],
            "days": [{"day": d.isoformat(), "value": v} for d, v in self.days],
        }


def metric_values(
    store: Store, metric: str, start: dt.date | None = None, end: dt.date | None = None
) -> MetricValues:
    """Every stored value and entry of ``metric`` (with ids), and the days as counted."""
    if start is not None and end is not None and start > end:
        raise BadInput(f"--from {start} is after --to {end}; give the earlier day first")
    with store.read() as con:
        info = metric_info(con, metric)
        entries = _entries(
            con,
            "metric = ? AND (?::DATE IS NULL OR day >= ?) AND (?::DATE IS NULL OR day <= ?)",
            [metric, start, start, end, end],
        )
        days = con.execute(
            "SELECT day, value FROM daily_values WHERE metric = ?"
            " AND (?::DATE IS NULL OR day >= ?) AND (?::DATE IS NULL OR day <= ?) ORDER BY day",
            [metric, start, start, end, end],
        ).fetchall()
    return MetricValues(
        info.key, info.name, info.unit, info.behaviour, entries, [(d, float(v)) for d, v in days]
    )


def may_change(actor: Actor, entry: Entry) -> bool:
    """Whether ``actor`` may delete or replace ``entry``: its author or a manager."""
    if actor.role == "viewer":
        return False
    return actor.role == "manager" or entry.recorded_by == actor.key


def delete_values(store: Store, actor: Actor, ids: list[int]) -> int:
    """Remove stored values by id in one change; returns the change id."""
    require_writer(actor, "delete values")
    ids = list(dict.fromkeys(int(i) for i in ids))
    if not ids:
        raise BadInput("give the id of at least one value (see `waypoint values METRIC`)")
    with store.write() as con:
        found = _entries(con, "entry IN ?", [ids])
        missing = sorted(set(ids) - {e.id for e in found})
        if missing:
            # a value that was stored once says what took it away: a set that replaced
            # it, a deletion, an undo (ids are never reused)
            gone = con.execute(
                "SELECT o.entry, c.id, c.summary FROM observations o JOIN changes c"
                " ON c.id = o.removed_by WHERE o.entry IN ? QUALIFY row_number() OVER"
                " (PARTITION BY o.entry ORDER BY o.id DESC) = 1 ORDER BY o.entry",
                [missing],
            ).fetchall()
            if gone:
                entry, change_id, summary = gone[0]
                raise NotFound(
                    f"value {entry} is no longer stored: change {change_id} ({summary}) took it"
                    " away (see `waypoint values METRIC` for what is stored now)"
                )
            raise NotFound(
                f"no stored value with id {', '.join(map(str, missing))}"
                " (see `waypoint values METRIC`)"
            )
        if actor.role != "manager":
            foreign = [e for e in found if not may_change(actor, e)]
            if foreign:
                e = foreign[0]
                raise PermissionDenied(
                    f"{actor.name} may not delete value {e.id} ({e.metric} on {e.day}): it was"
                    f" recorded by {e.recorded_by or 'a manager'}; only its author or a manager may."
                )
            # their own values, of metrics they own or are assigned (a manager's import
            # may have named them as the author of another metric's value), or that they
            # wrote themselves: what they may undo they may delete, even after the
            # metric's KPI moved to someone else
            allowed = assigned_metrics(con, actor) or set()
            # the version that stands now is hers (a later import by a manager naming
            # her is not: she could not undo that either)
            hers = {
                r[0]
                for r in con.execute(
                    "SELECT id FROM changes WHERE id IN ? AND actor = ?",
                    [[e.change for e in found], actor.key],
                ).fetchall()
            }
            unassigned = [e for e in found if e.metric not in allowed and e.change not in hers]
            if unassigned:
                e = unassigned[0]
                raise PermissionDenied(
                    f"{actor.name} may not delete value {e.id} ({e.metric} on {e.day}): it is"
                    " not a metric of a KPI, campaign or objective they own (ask a manager)"
                )
        listed = ", ".join(str(e.id) for e in found[:10]) + ("…" if len(found) > 10 else "")
        # what was deleted, as the other changes say it (a metric and a day; the page
        # shows the metric by name), the ids for `waypoint values`
        metrics = sorted({e.metric for e in found})
        days = sorted({e.day for e in found})
        what = metrics[0] if len(metrics) == 1 else f"{len(found)} values of {', '.join(metrics)}"
        when = f"on {days[0]}" if len(days) == 1 else f"from {days[0]} to {days[-1]}"
        # the ids as ids: "(value 2947)" read as the number deleted
        label = f"delete {what} {when} (id{'s' if len(found) > 1 else ''} {listed})"
        change = open_change(con, actor, "delete", label, {"ids": [e.id for e in found]})
        con.execute(
            "UPDATE observations SET removed_by = ? WHERE removed_by IS NULL AND entry IN ?",
            [change, [e.id for e in found]],
        )
        refresh(con, [(e.metric, e.day) for e in found])
        con.execute(
            "CREATE OR REPLACE TEMP TABLE deleted_days AS"
            " SELECT unnest(?::VARCHAR[]) AS metric, unnest(?::DATE[]) AS day",
            [[e.metric for e in found], [e.day for e in found]],
        )
        recheck_outliers(con, "deleted_days", change)
        con.execute("DROP TABLE deleted_days")
        auditlog.record_many(
            con,
            actor,
            [
                (
                    "delete",
                    "observation",
                    f"{e.metric}|{e.day}|{e.source}",
                    {"id": e.id, "value": e.value, "by": e.recorded_by, "note": e.note},
                    None,
                )
                for e in found
            ],
            change=change,
        )
    return change
