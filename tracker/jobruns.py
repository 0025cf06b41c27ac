"""Job runs: one row per (job, scheduled slot), so a slot runs once however often the
server restarts, and every outcome is visible (`waypoint jobs list`, Settings page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker.store import Store


@dataclass(frozen=True)
class JobRun:
    job: str
    scheduled_for: dt.datetime
    started: dt.datetime | None
    finished: dt.datetime | None
    outcome: str | None
    message: str | None


def claim(store: Store, job: str, slot: dt.datetime, started: dt.datetime) -> bool:
    """Take a slot; False when it already ran (or is running)."""
    with store.write() as con:
        taken = con.execute(
            "SELECT 1 FROM job_runs WHERE job = ? AND scheduled_for = ?", [job, slot]
        ).fetchall()
        if taken:
            return False
        con.execute(
            "INSERT INTO job_runs (job, scheduled_for, started, outcome)"
            " VALUES (?, ?, ?, 'running')",
            [job, slot, started],
        )
    return True


def finish(
    store: Store, job: str, slot: dt.datetime, finished: dt.datetime, outcome: str, message: str
) -> None:
    with store.write() as con:
        con.execute(
            "UPDATE job_runs SET finished = ?, outcome = ?, message = ?"
            " WHERE job = ? AND scheduled_for = ?",
            [finished, outcome, message[:4000], job, slot],
        )


def last_runs(store: Store) -> dict[str, JobRun]:
    with store.read() as con:
        rows = con.execute(
            "SELECT job, arg_max(scheduled_for, scheduled_for), arg_max(started, scheduled_for),"
            " arg_max(finished, scheduled_for), arg_max(outcome, scheduled_for),"
            " arg_max(message, scheduled_for) FROM job_runs GROUP BY job"
        ).fetchall()
    return {r[0]: JobRun(*r) for r in rows}


def runs(store: Store, job: str | None = None, limit: int = 50) -> list[JobRun]:
    with store.read() as con:
        rows = con.execute(
            "SELECT job, scheduled_for, started, finished, outcome, message FROM job_runs"
            " WHERE (? IS NULL OR job = ?) ORDER BY scheduled_for DESC LIMIT ?",
            [job, job, limit],
        ).fetchall()
    return [JobRun(*r) for r in rows]


def reminded(store: Store, person: str, kpi: str, period: str, kind: str) -> bool:
    with store.read() as con:
        return bool(
            con.execute(
                "SELECT 1 FROM reminders WHERE person = ? AND kpi = ? AND period = ? AND kind = ?",
                [person, kpi, period, kind],
            ).fetchall()
        )


def record_reminder(
    store: Store, person: str, kpi: str, period: str, kind: str, at: dt.datetime
) -> None:
    with store.write() as con:
        con.execute(
            "INSERT INTO reminders VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            [person, kpi, period, kind, at],
        )


def reminder_history(store: Store, person: str, kpi: str) -> list[tuple[str, str]]:
    """(period, kind) of every reminder and escalation sent for one person's KPI."""
    with store.read() as con:
        return [
            (r[0], r[1])
            for r in con.execute(
                "SELECT period, kind FROM reminders WHERE person = ? AND kpi = ? ORDER BY period",
                [person, kpi],
            ).fetchall()
        ]
