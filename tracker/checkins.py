"""Check-ins: each KPI's owner reports every cadence period, and Waypoint keeps the score.

A KPI is due a check-in from its owner every period (ISO week for weekly KPIs, calendar
month for monthly ones). An explicit check-in for the period counts, and so does a
value of the KPI's metric for a day of the period logged by the owner. The earliest of
those is the check-in time. Due by the end of the day after the period ends, in the
workspace timezone: on time until then, late after; missing once that day has passed
without one; due while it has not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, astuple, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from tracker import auditlog
from tracker.clock import now_utc, workspace_timezone
from tracker.errors import BadInput, NotFound, PermissionDenied
from tracker.formats import utc_iso
from tracker.periods import Period, midnight_after
from tracker.permissions import require_writer
from tracker.records import Actor
from tracker.store import Store
from tracker.text import clean_note
from tracker.vocab import normalise_confidence

NOTE_LIMIT = 4000


@dataclass(frozen=True)
class Checkin:
    id: int
    kpi: str
    person: str
    period: str
    confidence: str
    comment: str | None
    progress: str | None
    plans: str | None
    problems: str | None
    created_at: dt.datetime
    # who typed it when not the person it counts for (the local manager), else None
    recorded_by: str | None = None

    @property
    def note(self) -> str | None:
        """The comment, under the name a check-in's state gives it (checkins.said)."""
        return self.comment


def on_time_until(period: Period) -> dt.date:
    """The last day a period's check-in is on time: the day after the period ends."""
    return period.last + dt.timedelta(days=1)


def due_by(period: Period, timezone: str) -> dt.datetime:
    """The instant a period's check-in becomes late: the end of the day after it ends."""
    return midnight_after(on_time_until(period), timezone)


# When each KPI was archived and brought back (plan applies, their undo and redo).
# ``erased``: the archive undid the change that created the KPI, which then never was
# (its weeks are owed by no one, as before it was made).
_ARCHIVES = """
    SELECT a.key AS kpi, a."at", json_extract_string(a.new_value, '$.archived') = 'true'
               AS archived,
           coalesce(u.kind = 'undo' AND EXISTS (
               SELECT 1 FROM audit_log c WHERE c.change_id = u.target AND c.entity = 'kpi'
                 AND c.key = a.key AND c.action = 'create'), false) AS erased
    FROM audit_log a LEFT JOIN changes u ON u.id = a.change_id
    WHERE a.entity = 'kpi' AND a.new_value IS NOT NULL
      AND json_exists(a.new_value, '$.archived')
"""

# Who owned each KPI from when: every audit row that set a KPI's owner (the plan apply
# that created it, an edit, an undo). A KPI with no such row predates the audit log.
_OWNERS = """
    SELECT key AS kpi, "at", json_extract_string(new_value, '$.owner') AS owner
    FROM audit_log
    WHERE entity = 'kpi' AND new_value IS NOT NULL AND json_exists(new_value, '$.owner')
"""


def owner_at(con: Any, kpi: str, instant: dt.datetime, current: str | None) -> str | None:
    """Who owned ``kpi`` at ``instant`` (naive UTC): the audit log's last owner then;
    ``current`` for a KPI whose creation predates the audit log."""
    rows = con.execute(
        f'SELECT owner, "at" <= ? FROM ({_OWNERS}) WHERE kpi = ? ORDER BY "at"',  # noqa: S608
        [instant, kpi],
    ).fetchall()
    if not rows:
        return current
    held = [owner for owner, before in rows if before]
    return held[-1] if held else None


def record_checkin(
    store: Store,
    actor: Actor,
    kpi: str,
    confidence: str,
    *,
    note: str | None = None,
    progress: str | None = None,
    plans: str | None = None,
    problems: str | None = None,
    period: str | None = None,
    at: dt.datetime | None = None,
) -> Checkin:
    """Record the owner's check-in (owners and managers only; viewers never)."""
    try:
        confidence = normalise_confidence(confidence)
    except ValueError:
        raise BadInput(
            f"--confidence {confidence!r}: use on_track, at_risk or off_track"
            ' ("on track" works too)'
        ) from None
    # Control characters (terminal escape sequences) never reach the database.
    note = clean_note(note, "--note", NOTE_LIMIT)
    progress = clean_note(progress, "--progress", NOTE_LIMIT)
    plans = clean_note(plans, "--plans", NOTE_LIMIT)
    problems = clean_note(problems, "--problems", NOTE_LIMIT)
    timezone = workspace_timezone(store)
    created = at or now_utc().replace(tzinfo=None)
    # The day after a period ends its check-in is still on time: without --period that
    # one is meant, until it is given (then the current one). What is owed is what
    # `waypoint checkins` and My week list, by the same rules (owed).
    still_due = (
        [
            Period.parse(s.period)
            for s in owed(store, created.replace(tzinfo=dt.UTC))
            if s.kpi == kpi
            and s.state == "due"
            and (actor.role == "manager" or actor.key == s.owner)
        ]
        if period is None
        else []
    )
    with store.write() as con:
        row = con.execute(
            "SELECT k.cadence, k.owner, coalesce(k.start, o.start),"
            " coalesce(k.deadline, o.deadline)"
            " FROM kpis k JOIN objectives o ON o.key = k.objective"
            " WHERE k.key = ? AND NOT k.archived",
            [kpi],
        ).fetchall()
        if not row:
            archived = con.execute(
                "SELECT 1 FROM kpis k JOIN objectives o ON o.key = k.objective"
                " WHERE k.key = ? AND (k.archived OR o.archived)",
                [kpi],
            ).fetchall()
            if archived:  # not unknown: the plan no longer runs it, so nothing is owed
                raise NotFound(
                    f"KPI {kpi!r} is archived (or its objective is): no check-in is owed or"
                    " taken for it; list it in the plan again to check in on it"
                )
            raise NotFound(f"no KPI {kpi!r} (see `waypoint status`)")
        require_writer(actor, "check in")
        cadence, owner, kpi_start, kpi_deadline = row[0]
        local_day = created.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(timezone)).date()
        current = chosen = Period.of(cadence, local_day)
        if period is None:
            chosen = still_due[0] if still_due else current
        else:
            chosen = Period.parse(period)
            if chosen.cadence != cadence:
                raise BadInput(
                    f"--period {period}: {kpi} is checked in {cadence}; use {current.label}"
                    " or an earlier period of that form"
                )
            if chosen.first > local_day:
                raise BadInput(
                    f"--period {period}: that period has not started yet; a check-in is for"
                    f" the current period ({current.label}) or a past one"
                )
        period = chosen.label  # canonical label (2026-w05 -> 2026-W05)
        # A past period is owed by whoever owned the KPI when it ended (the status rule),
        # so that person checks in for it, even after a handover.
        ended = chosen.ends_at(timezone)
        responsible = owner if ended > created else owner_at(con, kpi, ended, owner)
        if responsible is None:
            # nobody owned it then: say why nothing was due (the KPI had not started, or
            # was not in the plan yet) before saying whose it was not
            _refuse_unowed(con, kpi, chosen, responsible, kpi_start, kpi_deadline, timezone)
        if actor.role != "manager" and actor.key != responsible:
            raise PermissionDenied(
                f"{actor.name} may not check in on {kpi} for {period}: it was"
                f" {responsible or 'nobody'}'s KPI then."
            )
        _refuse_unowed(con, kpi, chosen, responsible, kpi_start, kpi_deadline, timezone)
        # A manager checking in on someone's KPI does it for them: it counts for the
        # person who owes the period, and keeps who typed it (entered_by).
        person = responsible or actor.key
        entered_by = actor.key if actor.key != person else None
        new_id = con.execute("SELECT coalesce(max(id), 0) + 1 FROM checkins").fetchall()[0][0]
        comment = note if note is not None else parts_as_note(progress, plans, problems)
        checkin = Checkin(
            new_id,
            kpi,
            person,
            period,
            confidence,
            comment,
            progress,
            plans,
            problems,
            created,
            entered_by,
        )
        # the columns in the dataclass's order
        con.execute(
            "INSERT INTO checkins (id, kpi, person, period, confidence, comment, progress,"
            " plans, problems, created_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            list(astuple(checkin)),
        )
        auditlog.record(
            con,
            actor,
            "create",
            "checkin",
            f"{kpi} {period}",
            None,
            {"confidence": confidence, "comment": comment, "person": person},
        )
    return checkin


def _refuse_unowed(
    con: Any,
    kpi: str,
    period: Period,
    responsible: str | None,
    start: dt.date | None,
    deadline: dt.date | None,
    timezone: str,
) -> None:
    """A check-in for a period nobody owed is refused (exit 2), never stored unseen: the
    period's rules are checkin_status's (docs/accountability.md)."""
    if start is not None and start > period.last:
        raise BadInput(
            f"{kpi} starts on {start}; nothing is due for {period.label} (check in for a"
            " period from its start on)"
        )
    if deadline is not None and deadline < period.first:
        raise BadInput(
            f"{kpi} ended on {deadline}; nothing is due for {period.label}, which began after"
            " its deadline"
        )
    if responsible is None:
        added = con.execute(
            f'SELECT min("at") FROM ({_OWNERS}) WHERE kpi = ?',  # noqa: S608 (a constant)
            [kpi],
        ).fetchall()[0][0]
        if added is not None and added > period.ends_at(timezone):
            raise BadInput(
                f"{kpi} was added to the plan on {added:%Y-%m-%d}, after {period.label} ended;"
                " nothing was due for it"
            )
        raise BadInput(
            f"{kpi} has no owner for {period.label}, so no check-in is due; give it an"
            " owner in the plan (owner:) first"
        )
    since = con.execute("SELECT since, name FROM people WHERE key = ?", [responsible]).fetchall()
    if since and since[0][0] is not None and since[0][0] > period.last:
        raise BadInput(
            f"{since[0][1] or responsible} joined on {since[0][0]}; nothing was due from them"
            f" for {period.label}"
        )


@dataclass(frozen=True)
class CheckinState:
    kpi: str
    owner: str
    period: str
    state: str  # due | on_time | late | missing
    checked_in_at: dt.datetime | None
    confidence: str | None
    note: str | None
    progress: str | None
    plans: str | None
    problems: str | None
    due_by: dt.datetime
    entered_by: str | None = None  # who typed it for the owner (the local manager)
    # A period checked in more than once: when the latest was given (its confidence and
    # words are the ones shown; checked_in_at, the first, decides on time), else None.
    updated_at: dt.datetime | None = None
    # the workspace's: the day a check-in came is said on its clock (23:30 in Chicago on
    # a Monday is Tuesday in UTC, and reads as late beside "on time")
    timezone: str = field(default="UTC", compare=False, repr=False)
    # the KPI is archived now (listed for a period that ended before: its record stays)
    archived: bool = False

    def day_of(self, stamp: dt.datetime) -> str:
        """``stamp`` (naive UTC, as stored) as the workspace's day: "Mon 9 Mar 2026"."""
        from tracker.formats import short_day, to_local

        return short_day(to_local(stamp, self.timezone), year=True)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["timezone"]
        for k in ("checked_in_at", "due_by", "updated_at"):
            data[k] = utc_iso(data[k]) if data[k] else None
        return data


@dataclass(frozen=True)
class Upcoming:
    """A KPI that starts after the period: its owner owes nothing for it yet."""

    kpi: str
    owner: str
    starts: dt.date

    def as_dict(self) -> dict[str, Any]:
        return {"kpi": self.kpi, "owner": self.owner, "starts": self.starts.isoformat()}


@dataclass(frozen=True)
class CheckinReport:
    week: str
    kpis: list[CheckinState]
    upcoming: list[Upcoming] = field(default_factory=list)

    def people(self) -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for s in self.kpis:
            p = out.setdefault(
                s.owner, {"person": s.owner, "due": 0, "on_time": 0, "late": 0, "missing": 0}
            )
            p[s.state] += 1
        return sorted(out.values(), key=lambda p: p["person"])

    def as_dict(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "kpis": [s.as_dict() for s in self.kpis],
            "people": self.people(),
            "upcoming": [u.as_dict() for u in self.upcoming],
        }


_STATUS_SQL = f"""
WITH archives AS ({_ARCHIVES}),
k AS (
    SELECT k.key, k.owner, k.cadence, k.metric, k.numerator, k.denominator,
           coalesce(k.start, o.start) AS kstart, coalesce(k.deadline, o.deadline) AS kdeadline,
           o.position AS opos, k.position AS kpos, k.archived OR o.archived AS archived
    FROM kpis k JOIN objectives o ON o.key = k.objective
    -- an archived KPI keeps the periods that ended before it was archived (the audit
    -- log says when): archiving must not wipe its owner's record
    WHERE (NOT k.archived AND NOT o.archived)
       OR ($with_archived AND k.archived AND k.key IN (SELECT kpi FROM archives)
           AND NOT (SELECT arg_max(erased, "at") FROM archives x WHERE x.kpi = k.key))
),
p AS (
    SELECT k.*,
           CASE WHEN cadence = 'monthly' THEN $m_label ELSE $w_label END AS period,
           CASE WHEN cadence = 'monthly' THEN $m_first ELSE $w_first END AS pfirst,
           CASE WHEN cadence = 'monthly' THEN $m_last ELSE $w_last END AS plast,
           CASE WHEN cadence = 'monthly' THEN $m_end ELSE $w_end END AS pend,
           CASE WHEN cadence = 'monthly' THEN $m_due ELSE $w_due END AS due
    FROM k
),
-- who owned each KPI from when (see _OWNERS)
owners AS ({_OWNERS}),
held AS (
    SELECT p.*, h.owner AS held_by, h."at" IS NOT NULL AS has_history
    FROM p ASOF LEFT JOIN owners h ON h.kpi = p.key AND h."at" <= p.pend
),
responsible AS (
    SELECT held.* EXCLUDE (owner, held_by, has_history),
           CASE WHEN has_history THEN held_by  -- the owner when the period ended
                WHEN key IN (SELECT kpi FROM owners) THEN NULL  -- created after it ended
                ELSE owner END AS owner
    FROM held
),
-- Due only if, when the period ended, the KPI had started, had not ended, was not
-- archived, and its owner was in the workspace (people.since) and owned it.
unarchived AS (
    SELECT r.*,
           -- archived after the period ended but before its check-in was late (its
           -- grace day): nobody could check in any more, so unanswered it is owed by no
           -- one (a check-in already given stays on the record)
           EXISTS (SELECT 1 FROM archives x WHERE x.kpi = r.key AND x.archived
                   AND x."at" > r.pend AND x."at" < r.due) AS gone_in_grace
    FROM responsible r
    ASOF LEFT JOIN archives a ON a.kpi = r.key AND a."at" <= r.pend
    WHERE coalesce(NOT a.archived, true)  -- no event yet: as it was made, live
),
live AS (
    SELECT r.* FROM unarchived r JOIN people pe ON pe.key = r.owner
    WHERE (kstart IS NULL OR kstart <= plast) AND (kdeadline IS NULL OR kdeadline >= pfirst)
      AND (pe.since IS NULL OR pe.since <= plast)
),
explicit AS (
    SELECT l.key, min(c.created_at) AS at,
           -- the latest one's words (two given in one instant: the one entered last)
           arg_max_null(c.confidence, (c.created_at, c.id)) AS confidence,
           arg_max_null(c.comment, (c.created_at, c.id)) AS note,
           arg_max_null(c.progress, (c.created_at, c.id)) AS progress,
           arg_max_null(c.plans, (c.created_at, c.id)) AS plans,
           arg_max_null(c.problems, (c.created_at, c.id)) AS problems,
           arg_max_null(c.recorded_by, (c.created_at, c.id)) AS entered_by,
           max(c.created_at) AS last_at
    FROM live l JOIN checkins c ON c.kpi = l.key AND c.period = l.period AND c.person = l.owner
    GROUP BY l.key
),
logged AS (
    SELECT l.key, min(ob.recorded_at) AS at
    FROM live l JOIN observations ob
      ON ob.metric IN (l.metric, l.numerator, l.denominator) AND ob.removed_by IS NULL
     AND ob.recorded_by = l.owner AND ob.day BETWEEN l.pfirst AND l.plast
    GROUP BY l.key
)
SELECT l.key, l.owner, l.period, l.due,
       least(e.at, g.at) AS at, e.confidence, e.note, e.progress, e.plans, e.problems,
       e.entered_by,
       -- the confidence shown came after the check-in that decided on time (a second
       -- one, or the first explicit one after a value the owner logged): when it came
       CASE WHEN e.last_at > least(e.at, g.at) THEN e.last_at END AS updated_at,
       l.archived, l.kstart
FROM live l LEFT JOIN explicit e ON e.key = l.key LEFT JOIN logged g ON g.key = l.key
WHERE NOT (l.gone_in_grace AND e.at IS NULL AND g.at IS NULL)
ORDER BY l.opos, l.kpos, l.key
"""  # noqa: S608 (built from this module's constants only)

# KPIs whose owner owes nothing yet because the KPI starts after this period.
_UPCOMING_SQL = """
SELECT k.key, k.owner, coalesce(k.start, o.start) AS kstart
FROM kpis k JOIN objectives o ON o.key = k.objective
WHERE NOT k.archived AND NOT o.archived AND k.owner IS NOT NULL
  AND coalesce(k.start, o.start) > CASE WHEN k.cadence = 'monthly' THEN $m_last ELSE $w_last END
ORDER BY o.position, k.position, k.key
"""


def checkin_status(
    store: Store,
    week: str | None = None,
    now: dt.datetime | None = None,
    *,
    upcoming: bool = False,
    with_archived: bool = False,
    month: Period | None = None,
) -> CheckinReport:
    """Due / on time / late / missing for every owned KPI in ISO ``week`` (default: this
    one); with ``upcoming``, also the KPIs that start after it (what people read; the
    Team page's and the reminders' loops over weeks do not need them); with
    ``with_archived``, also archived KPIs for the periods that ended before they were
    archived (the record: `checkins`, the Team page), never what is still to be done.
    ``month``: the month monthly KPIs are read for (default: the one the week shows)."""
    timezone = workspace_timezone(store)
    now_naive = (
        (now or now_utc()).astimezone(dt.UTC).replace(tzinfo=None)
        if (now is None or now.tzinfo)
        else now
    )
    local_today = now_naive.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(timezone)).date()
    wk = Period.parse(week) if week else Period.week_of(local_today)
    week = wk.label
    # the month a week shows: its Sunday's, except in the week running, where it is
    # today's (on 31 March, March is owed and April cannot be checked in yet)
    if month is None:
        month = Period.of("month", local_today if wk.first <= local_today <= wk.last else wk.last)
    params = {
        "w_label": week,
        "w_first": wk.first,
        "w_last": wk.last,
        "w_due": due_by(wk, timezone),
        "m_label": month.label,
        "m_first": month.first,
        "m_last": month.last,
        "m_due": due_by(month, timezone),
        "w_end": wk.ends_at(timezone),
        "m_end": month.ends_at(timezone),
        "with_archived": with_archived,
    }
    with store.read() as con:
        rows = con.execute(_STATUS_SQL, params).fetchall()
        later: list[Upcoming] = []
        if upcoming:
            later = [
                Upcoming(key, owner, start)
                for key, owner, start in con.execute(
                    _UPCOMING_SQL,
                    {k: params[k] for k in ("w_last", "m_last")},
                ).fetchall()
            ]
    states = []
    starting: list[Upcoming] = []  # later in the running period, before later periods
    for (
        key, owner, period, due, at, confidence, note, progress, plans, problems, by, upd,
        archived, kstart,
    ) in rows:  # fmt: skip
        if at is not None:
            state = "on_time" if at < due else "late"  # due: the first instant late
        else:
            state = "missing" if now_naive >= due else "due"
        if state == "due" and kstart is not None and kstart > local_today:
            # starts later in the running period: owed once it has started (its status
            # reads not_started until then, "no check-in is due yet")
            if upcoming:
                starting.append(Upcoming(key, owner, kstart))
            continue
        states.append(
            CheckinState(
                key,
                owner,
                period,
                state,
                at,
                confidence,
                note,
                progress,
                plans,
                problems,
                due,
                by,
                upd,
                timezone,
                archived,
            )
        )
    return CheckinReport(week, states, starting + later)


def overdue(store: Store, now: dt.datetime | None = None) -> list[CheckinState]:
    """Check-ins missing for the latest periods that can be overdue (``owed``): last
    week's, or on its grace day the week before's; last month's, or the month before's."""
    return [s for s in owed(store, now) if s.state == "missing"]


def owed(store: Store, now: dt.datetime | None = None) -> list[CheckinState]:
    """Check-ins of the latest periods that are over and not given: for each cadence the
    last period that ended, missing or still on time (on its grace day, the day after it
    ends, its check-in is due by the end of the day), and while it is still on time the
    period before it, if missing (the most recent that can be overdue: on a Monday,
    last week is not overdue yet and the week before's misses are; a month that ended
    on a Saturday is read as itself, though the week after it shows the next month).
    Those still on time first (giving one today keeps it on time), then the missing
    ones, oldest first. What My week, `waypoint checkins` and the overdue lists show
    beside this week's. A naive ``now`` is UTC, as stored instants are."""
    now = now or now_utc()
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    timezone = workspace_timezone(store)
    local = now.astimezone(ZoneInfo(timezone)).date()
    now_naive = now.astimezone(dt.UTC).replace(tzinfo=None)
    week, month = Period.week_of(local).previous(), Period.of("month", local).previous()
    # one read for last week and last month; a second, on a grace day only, for the
    # periods before them
    wanted: list[tuple[Period, Period, tuple[str, ...], tuple[str, ...]]] = [
        (week, month, ("missing", "due"), ("missing", "due"))
    ]
    in_grace = [now_naive < due_by(p, timezone) for p in (week, month)]
    if any(in_grace):
        wanted.insert(
            0,
            (
                week.previous(),
                month.previous(),
                ("missing",) if in_grace[0] else (),
                ("missing",) if in_grace[1] else (),
            ),
        )
    out = []
    for w, m, weekly, monthly in wanted:
        report = checkin_status(store, w.label, now, month=m)
        keep = {w.label: weekly, m.label: monthly}
        out += [s for s in report.kpis if s.state in keep.get(s.period, ())]
    out.sort(key=lambda s: Period.parse(s.period).last)  # oldest first
    return sorted(out, key=lambda s: s.state != "due")  # stable: oldest first within


def parts_as_note(progress: str | None, plans: str | None, problems: str | None) -> str | None:
    """A check-in without a note keeps its parts as one, labelled ("progress: ... ·
    plans: ..."): joined by a space, "follows slowed Two reels" read as one sentence in
    the audit log and `checkins --json`."""
    parts = [
        f"{label}: {text}"
        for label, text in (("progress", progress), ("plans", plans), ("problems", problems))
        if text
    ]
    return " · ".join(parts) or None


def said(c: CheckinState | Checkin) -> list[tuple[str, str]]:
    """What the owner wrote, labelled: progress, plans and problems, then the note when
    it says something they do not (a check-in with only --note is its note). The weekly
    review, the Objective page's history and `waypoint checkins` show it the same way."""
    parts = [
        (label, text)
        for label, text in (("progress", c.progress), ("plans", c.plans), ("problems", c.problems))
        if text
    ]
    # a check-in without a note keeps the parts joined as its comment: not said twice
    # (joined by a space before 2026-12-06, labelled since)
    joined = {" ".join(text for _, text in parts), parts_as_note(c.progress, c.plans, c.problems)}
    if c.note and c.note not in joined:
        parts.append(("note", c.note))
    return parts


def history(store: Store, kpi: str, limit: int = 20) -> list[Checkin]:
    """A KPI's check-ins, newest first (for the Objective page)."""
    with store.read() as con:
        rows = con.execute(
            "SELECT id, kpi, person, period, confidence, comment, progress, plans, problems,"
            " created_at, recorded_by FROM checkins WHERE kpi = ?"
            " ORDER BY created_at DESC, id DESC LIMIT ?",  # one instant: entered last first
            [kpi, limit],
        ).fetchall()
    return [Checkin(*r) for r in rows]
