"""Annotations: dated notes shown on charts, and the weekly review's decisions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker import auditlog
from tracker.clock import now_utc
from tracker.errors import BadInput
from tracker.permissions import require_manager, require_writer
from tracker.records import Actor
from tracker.store import Store
from tracker.text import clean_note

KINDS = ("note", "decision")


@dataclass(frozen=True)
class Annotation:
    id: int
    day: dt.date
    text: str
    campaign: str | None
    metric: str | None
    kind: str
    created_by: str | None
    created_at: dt.datetime


def add_annotation(
    store: Store,
    actor: Actor,
    day: dt.date,
    text: str,
    *,
    kind: str = "note",
    campaign: str | None = None,
    metric: str | None = None,
) -> Annotation:
    """A note on a day (writers), or a decision of the weekly review (managers)."""
    if kind not in KINDS:
        raise BadInput(f"annotation kind {kind!r}: use note or decision")
    if kind == "decision":
        require_manager(actor, "record decisions")
    else:
        require_writer(actor, "add notes")
    # cleaned as every note is (control characters and the characters that hide or
    # reorder text): a decision typed with an escape sequence reached every reader's
    # terminal through `waypoint audit-log`
    cleaned = clean_note(text, f"the {kind}", limit=2000)
    if not cleaned:
        raise BadInput("the note is empty")
    text = cleaned
    created = now_utc().replace(tzinfo=None)
    with store.write() as con:
        new_id = con.execute("SELECT coalesce(max(id), 0) + 1 FROM annotations").fetchall()[0][0]
        con.execute(
            "INSERT INTO annotations (id, day, text, campaign, metric, kind, created_by,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [new_id, day, text, campaign, metric, kind, actor.key, created],
        )
        auditlog.record(
            con,
            actor,
            "create",
            "annotation",
            str(new_id),
            None,
            {"day": day.isoformat(), "text": text, "kind": kind},
        )
    return Annotation(new_id, day, text, campaign, metric, kind, actor.key, created)


def list_annotations(
    store: Store, start: dt.date | None = None, end: dt.date | None = None, kind: str | None = None
) -> list[Annotation]:
    with store.read() as con:
        rows = con.execute(
            "SELECT id, day, text, campaign, metric, kind, created_by, created_at"
            " FROM annotations WHERE (? IS NULL OR day >= ?) AND (? IS NULL OR day <= ?)"
            " AND (? IS NULL OR kind = ?) ORDER BY day, id",
            [start, start, end, end, kind, kind],
        ).fetchall()
    return [Annotation(*r) for r in rows]
