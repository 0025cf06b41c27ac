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


MAX_ATTEMPTS = 3
STALE_AFTER = dt.timedelta(hours=2)  # a run "running" this long died with its process


def retry_delay(attempts: int) -> dt.timedelta:
    """Backoff before the next attempt of a failed slot: 5 min, 20 min, ..."""
    return dt.timedelta(minutes=5 * 4 ** max(attempts - 1, 0))


def claim(store: Store, job: str, slot: dt.datetime, started: dt.datetime) -> bool:
    """Take a slot; False when it already ran, is running, or waits for its retry.

    A failed slot is taken again (up to MAX_ATTEMPTS, with backoff), so a digest that
    failed while the mail server was down still goes out; a run left ``running`` by a
    killed process is marked failed after STALE_AFTER and retried the same way.
    """
    with store.write() as con:
        taken = con.execute(
            "SELECT outcome, started, finished, coalesce(attempts, 1) FROM job_runs"
            " WHERE job = ? AND scheduled_for = ?",
            [job, slot],
        ).fetchall()
        if not taken:
            con.execute(
                "INSERT INTO job_runs (job, scheduled_for, started, outcome, attempts)"
                " VALUES (?, ?, ?, 'running', 1)",
                [job, slot, started],
            )
            return True
        outcome, began, ended, attempts = taken[0]
        if outcome == "running" and began is not None and started - began > STALE_AFTER:
            outcome, ended = "failed", None  # retried at once: it already waited 2 hours
            con.execute(
                "UPDATE job_runs SET outcome = 'failed', finished = ?, message ="
                " 'stopped: still running after 2 hours (its process died)'"
                " WHERE job = ? AND scheduled_for = ?",
                [started, job, slot],
            )
        if outcome != "failed" or attempts >= MAX_ATTEMPTS:
            return False
        if ended is not None and started < ended + retry_delay(attempts):
            return False
        con.execute(
            "UPDATE job_runs SET started = ?, finished = NULL, outcome = 'running',"
            " attempts = ? WHERE job = ? AND scheduled_for = ?",
            [started, attempts + 1, job, slot],
        )
    return True


def finish(
    store: Store,
    job: str,
    slot: dt.datetime,
    finished: dt.datetime,
    outcome: str,
    message: str,
    *,
    final: bool = False,
) -> None:
    """Record how a run ended; a ``final`` failure uses up the slot's attempts (no retry)."""
    with store.write() as con:
        con.execute(
            "UPDATE job_runs SET finished = ?, outcome = ?, message = ?,"
            " attempts = CASE WHEN ? THEN greatest(coalesce(attempts, 1), ?) ELSE attempts END"
            " WHERE job = ? AND scheduled_for = ?",
            [finished, outcome, message[:4000], final, MAX_ATTEMPTS, job, slot],
        )


def last_runs(store: Store) -> dict[str, JobRun]:
    with store.read() as con:
        rows = con.execute(
            "SELECT job, arg_max_null(scheduled_for, scheduled_for), arg_max_null(started, scheduled_for),"
            " arg_max_null(finished, scheduled_for), arg_max_null(outcome, scheduled_for),"
            " arg_max_null(message, scheduled_for) FROM job_runs GROUP BY job"
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
