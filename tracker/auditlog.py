"""The audit log: who changed what, when, old value -> new value.

Rows are written by the same transaction as the change they record (callers pass the
connection of their ``store.write()`` block), so a change without its audit row, or an
audit row without its change, cannot exist.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

from tracker import formats, vocab
from tracker.clock import now_utc
from tracker.names import FIELD_KIND
from tracker.records import Actor, AuditEntry
from tracker.settings import is_private_setting
from tracker.store import Connection, Store


def stamp() -> dt.datetime:
    """Now, as stored: naive UTC (``WAYPOINT_NOW`` pins it in tests and demos)."""
    return now_utc().replace(tzinfo=None)


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, default=str, sort_keys=True, ensure_ascii=False)


def record(
    con: Connection,
    actor: Actor,
    action: str,
    entity: str,
    key: str,
    old: Any = None,
    new: Any = None,
    *,
    change: int | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Append one audit row inside the caller's transaction (``change``: its change id;
    ``at``: when, default now)."""
    con.execute(
        'INSERT INTO audit_log (id, "at", actor, action, entity, key, old_value, new_value,'
        " change_id) SELECT coalesce(max(id), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? FROM audit_log",
        [at or stamp(), actor.key, action, entity, key, _json(old), _json(new), change],
    )


def record_many(
    con: Connection,
    actor: Actor,
    rows: list[tuple[str, str, str, Any, Any]],
    *,
    change: int | None = None,
) -> None:
    """Append many (action, entity, key, old, new) rows in one statement."""
    import pyarrow as pa

    table = pa.table(
        {
            "action": [r[0] for r in rows],
            "entity": [r[1] for r in rows],
            "key": [r[2] for r in rows],
            "old_value": [_json(r[3]) for r in rows],
            "new_value": [_json(r[4]) for r in rows],
            "n": list(range(1, len(rows) + 1)),
        }
    )
    con.abort()
    con.register("audit_rows", table)
    try:
        con.execute(
            'INSERT INTO audit_log (id, "at", actor, action, entity, key, old_value, new_value,'
            " change_id) SELECT (SELECT coalesce(max(id), 0) FROM audit_log) + n,"
            " ?, ?, action, entity, key, old_value::JSON, new_value::JSON, ?"
            " FROM audit_rows ORDER BY n",
            [stamp(), actor.key, change],
        )
    finally:
        con.unregister("audit_rows")


def entries(
    store: Store,
    *,
    since: dt.date | None = None,
    entity: str | None = None,
    key: str | None = None,
    limit: int | None = 1000,
    reader: Actor | None = None,
) -> list[AuditEntry]:
    """Newest first. ``since`` is a day on the workspace's clock (the day the tables
    show: from its midnight there); ``limit`` None for all. For a ``reader`` who is not a
    manager, people's emails, hourly rates and sign-in pins are hidden."""
    where = ["1 = 1"]
    params: list[Any] = []
    if since is not None:
        from tracker.clock import workspace_timezone
        from tracker.periods import midnight_after

        where.append('"at" >= ?')
        params.append(midnight_after(since - dt.timedelta(days=1), workspace_timezone(store)))
    if entity is not None:
        where.append("entity = ?")
        params.append(entity)
    if key is not None:
        where.append("key = ?")
        params.append(key)
    # Only fixed fragments are joined here; every value is a parameter.
    condition = " AND ".join(where)
    sql = f'SELECT id, "at", actor, action, entity, key, old_value, new_value FROM audit_log WHERE {condition} ORDER BY id DESC'  # noqa: S608, E501
    if limit is not None:
        sql += " LIMIT ?"
        params.append(int(limit))
    with store.read() as con:
        rows = con.execute(sql, params).fetchall()
    return [
        AuditEntry(
            id=r[0],
            at=r[1],
            actor=r[2],
            action=r[3],
            entity=r[4],
            key=r[5],
            old_value=_shown(r[4], r[5], r[6], reader),
            new_value=_shown(r[4], r[5], r[7], reader),
        )
        for r in rows
    ]


# Personal fields of a person a viewer or assistant has no need to read.
PRIVATE_PERSON_FIELDS = ("email", "hourly_rate", "issuer", "subject")


def _shown(entity: str, key: str, raw: str | None, reader: Actor | None) -> Any:
    value = json.loads(raw) if raw is not None else None
    if reader is None or reader.role == "manager":
        return value
    if entity == "setting" and is_private_setting(key) and value is not None:
        return "(hidden)"
    if not isinstance(value, dict):
        return value
    if entity in ("person", "people"):
        return {k: ("(hidden)" if k in PRIVATE_PERSON_FIELDS else v) for k, v in value.items()}
    return value


Names = dict[str, dict[str, str]]  # kind -> key -> name (tracker.names.names_by_kind)


def _plain_value(
    value: Any, names: Names | None = None, kind: str = "", zone: str | None = None
) -> str:
    """A stored value as people read it; a key of ``kind`` (person, metric...) by name;
    a stored instant (naive UTC) on the clock of ``zone`` (the workspace's), as the
    table's "when" column is."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    if isinstance(value, list):
        return ", ".join(_plain_value(v, names, kind, zone) for v in value) or "–"
    if isinstance(value, dict):
        # a value first, as people say an entry ("value 1; by Jay Patel"), and its person
        # once where the author logged for themselves ("by Jay; for Jay" said it twice)
        items = sorted(value.items(), key=lambda kv: kv[0] != "value")
        return "; ".join(
            f"{_plain_value(v)} {_COUNTS[k]}"
            if k in _COUNTS
            else f"{_label(k)} {_field_value(k, v, names, zone)}"
            for k, v in items
            # counts of nothing say nothing ("plan fields 0; removed 1; restored 0")
            if v is not None
            and not (k in _COUNTS and v == 0)
            and not (k == "for" and v == value.get("by"))
        )
    text = str(value)
    if kind == "word":  # a code people read as words: on_track is "on track"
        return text.replace("_", " ")
    if _ISO_DAY.fullmatch(text):  # a start, a deadline, a since: 6 Nov 2026
        return formats.long_day(dt.date.fromisoformat(text))
    if kind == "instant" and _ISO_STAMP.fullmatch(text):  # when recorded: 18 Nov 2026, 09:00
        at = dt.datetime.fromisoformat(text.replace(" ", "T"))
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        if zone is None:
            return f"{formats.long_day(at.astimezone(dt.UTC).date())}, {at.astimezone(dt.UTC):%H:%M} UTC"
        local = at.astimezone(ZoneInfo(zone))
        return f"{formats.long_day(local.date())}, {local:%H:%M}"
    return (names or {}).get(kind, {}).get(text, text)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# a stored instant: "2026-11-18 15:00:00.123456" or "2026-11-18T15:00:00+00:00"
_ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")

# Fields that count what a change did (an undo, an import): left out when 0, and said
# as a count of what ("13 plan fields changed", not "plan fields 13").
_COUNTS = {
    "removed": "removed",
    "restored": "restored",
    "plan_fields": "plan fields changed",
    "inserted": "inserted",
    "replaced": "replaced",
    "unchanged": "unchanged",
    "rejected": "rejected",
}


def _label(field: str) -> str:
    return field.replace("_", " ")


# Fields holding a stored instant (naive UTC), shown on the workspace's clock; a note that
# looks like a time is text, and stays as typed.
_INSTANTS = ("recorded_at", "created_at", "acked_at", "at")


def _field_value(field: str, value: Any, names: Names | None, zone: str | None = None) -> str:
    if field in _INSTANTS:
        return _plain_value(value, names, "instant", zone)
    kind = "word" if field in ("confidence", "status", "aggregation") else FIELD_KIND.get(field, "")
    return _plain_value(value, names, kind, zone)


def old_in_effect(entity: str, key: str | None, old: Any) -> Any:
    """The old value people read: a setting never stored was its default (stored, the
    audit keeps None, which an undo turns back into "not stored")."""
    if entity == "setting" and old is None and key:
        from tracker.settings import SETTINGS

        setting = SETTINGS.get(key)
        if setting is not None and setting.default not in (None, "") and not setting.secret:
            return f"{setting.default} (default)"
    return old


def describe(
    old: Any, new: Any, limit: int = 300, names: Names | None = None, zone: str | None = None
) -> str:
    """What a change did, in words people read (the Audit log page): the fields that
    changed as ``field: old → new``; a created item by its set fields. ``names`` shows
    owners, authors, metrics, objectives and campaigns by name; ``zone`` (the workspace's)
    the times a row holds on its clock. A field the new side does not record is not a
    change to nothing (a replaced value keeps when the old one was recorded; the new one
    is recorded at the row's own time): it is left out."""
    if isinstance(old, dict) and isinstance(new, dict):
        parts = [
            f"{_label(k)}: {_field_value(k, old.get(k), names, zone)} →"
            f" {_field_value(k, new.get(k), names, zone)}"
            for k in sorted(set(old) | set(new))
            if k in new and old.get(k) != new.get(k)
        ]
    elif new is not None and old is None:
        parts = [_plain_value(new, names, zone=zone)]
    elif old is not None and new is None:
        parts = [f"was {_plain_value(old, names, zone=zone)}"]
    else:
        parts = [f"{_plain_value(old, names, zone=zone)} → {_plain_value(new, names, zone=zone)}"]
    text = "; ".join(p for p in parts if p)
    return text if len(text) <= limit else text[: limit - 1] + "…"


ENTITY_LABEL = {"kpi": "KPI", "person": "person", "people": "person", "database": "database"}


def subject(entity: str, key: str | None, names: Names | None = None) -> str:
    """ "KPI Catering inquiries this half": what an entry is about, by name. A value is
    its metric, day and source ("Instagram posts on 4 Dec 2026, hand entries"), a
    check-in its KPI and period, a flag its title and subject."""
    names = names or {}
    if entity == "observation" and key and key.count("|") == 2:
        metric, day, source = key.split("|")
        try:
            when = formats.long_day(dt.date.fromisoformat(day))
        except ValueError:
            when = day
        name = names.get("metric", {}).get(metric, metric)
        return f"{name} on {when}, {vocab.source_label(source)}"
    if entity == "checkin" and key and " " in key:
        kpi, period = key.rsplit(" ", 1)
        return f"check-in on {names.get('kpi', {}).get(kpi, kpi)}, {formats.period(period)}"
    if entity == "flag" and key and " " in key:
        code, about = key.split(" ", 1)
        kind, _, item = about.partition(":")
        named = names.get(kind, {}).get(item, item)
        return f"flag “{vocab.FLAG_TITLES.get(code, code)}” on {named}"
    kind = "person" if entity == "people" else entity
    name = names.get(kind, {}).get(key or "", key or "")
    label = ENTITY_LABEL.get(entity, entity.replace("_", " "))
    return f"{label} {name}".strip() if name != label else label
