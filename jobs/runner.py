"""Running a job for a slot, once, with its outcome recorded; schedules from cron settings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from jobs.registry import JOBS
from tracker.clock import now_utc, workspace_timezone
from tracker.errors import BadInput
from tracker.jobruns import claim, finish, last_runs
from tracker.plan import load_plan
from tracker.records import Actor
from tracker.settings import cron_expr, cron_next, environment_override, get_setting
from tracker.settings import cron_problem as schedule_problem
from tracker.store import Store
from tracker.text import for_non_managers


class StandardCron(BaseTrigger):
    """A schedule as standard (Debian) cron reads it (``tracker.settings.cron_expr``), as
    an APScheduler trigger: APScheduler's own crontab counts 0 as Monday, so "0 8 * * 1",
    worded "only on Monday", ran on Tuesdays, and it wants a day of the month and a
    weekday both at once where cron takes either."""

    def __init__(self, expr: str, timezone: Any = None) -> None:
        self.expr = cron_expr(expr)
        self.timezone = timezone or dt.UTC

    def get_next_fire_time(
        self, previous_fire_time: dt.datetime | None, now: dt.datetime
    ) -> dt.datetime | None:
        """The first time at or after ``now``, or just after ``previous_fire_time`` when
        that is earlier (a run the scheduler missed), as APScheduler's triggers answer."""
        start = now
        if previous_fire_time is not None:
            start = min(now, previous_fire_time + dt.timedelta(microseconds=1))
        return cron_next(self.expr, self.timezone, start)

    def __str__(self) -> str:
        return f"cron[{self.expr}]"


def cron_trigger(expr: str, timezone: Any = None) -> StandardCron:
    """``expr`` (standard five-field cron) as a trigger. Raises ValueError."""
    return StandardCron(expr, timezone)


def schedule_of(store: Store, name: str) -> str:
    stored = {k: str(v) for k, v in load_plan(store).settings.items()}
    return str(get_setting(JOBS[name].setting, stored))


def cron_problem(what: str, expr: str) -> str | None:
    """Why ``expr`` is not a valid schedule for ``what`` (a job's title), or None."""
    why = schedule_problem(expr)
    return f"{what}: {expr!r} {why}" if why else None


def schedule_words(expr: str) -> str:
    """A cron schedule in words: "At 08:00, only on Monday", "Every day at 09:00" (in
    the workspace's zone, which the caller names). Falls back to the expression when it
    cannot be described."""
    from cron_descriptor import ExpressionDescriptor, Options

    options = Options()
    options.use_24hour_time_format = True
    try:
        words = ExpressionDescriptor(expr, options).get_description()
    except Exception:  # cron_descriptor raises its own types for what APScheduler accepts
        return expr
    fields = expr.split()
    if len(fields) == 5 and fields[2:] == ["*", "*", "*"] and words.startswith("At "):
        words = "Every day at " + words[3:]
    return words


def trigger(store: Store, name: str) -> StandardCron:
    """The job's schedule, as standard cron reads it."""
    expr = schedule_of(store, name)
    try:
        return cron_trigger(expr, timezone=ZoneInfo(workspace_timezone(store)))
    except ValueError as exc:
        raise BadInput(f"{JOBS[name].setting}: {expr!r} is not a cron expression ({exc})") from exc


def last_slot(store: Store, name: str, now: dt.datetime) -> dt.datetime | None:
    """The latest scheduled time at or before ``now`` (within the last 8 days)."""
    cron = trigger(store, name)
    slot = None
    t = cron.get_next_fire_time(None, now - dt.timedelta(days=8))
    while t is not None and t <= now:
        slot = t
        t = cron.get_next_fire_time(t, t + dt.timedelta(seconds=1))
    return slot


def run_job(
    store: Store, name: str, now: dt.datetime | None = None, *, slot: dt.datetime | None = None
) -> tuple[str, str]:
    """Run ``name`` for ``slot`` (default: a manual run at ``now``) unless that slot already
    ran. Returns (outcome, message); a failure is recorded, never raised."""
    if name not in JOBS:
        raise BadInput(f"unknown job {name!r}; jobs: {', '.join(JOBS)}")
    now = now or now_utc()
    manual = slot is None
    slot = slot or now
    naive = slot.astimezone(dt.UTC).replace(tzinfo=None)
    if not claim(store, name, naive, now.astimezone(dt.UTC).replace(tzinfo=None)):
        # said in the workspace's time, as every schedule is
        tz = workspace_timezone(store)
        local = slot.astimezone(ZoneInfo(tz))
        return "skipped", f"{name} already ran for {local:%Y-%m-%d %H:%M} ({tz})"
    final = False
    try:
        # a job runs at ``now``; the digest reviews the week before its slot, so a slot
        # caught up or retried later still sends its own week (None: a manual run)
        message = JOBS[name].run(store, now, None if manual else slot)
        outcome = "ok"
    except Exception as exc:  # a failing job is recorded and never stops the scheduler
        outcome, message = "failed", f"{type(exc).__name__}: {exc}"
        # a failure a retry would make worse (a mail some already got) is not retried
        final = not getattr(exc, "retry", True)
    ended = now_utc().astimezone(dt.UTC).replace(tzinfo=None)
    finish(store, name, naive, ended, outcome, message, final=final)
    return outcome, message


def catch_up(
    store: Store, now: dt.datetime, stopping: Callable[[], bool] = lambda: False
) -> list[tuple[str, str, str]]:
    """Run once each job whose latest slot was missed while the server was down.
    ``stopping``: asked before each job; once it says yes, no further job starts."""
    done = []
    for name in JOBS:
        if stopping():
            break
        try:
            slot = last_slot(store, name, now)
        except BadInput as exc:
            done.append((name, "failed", str(exc)))
            continue
        if slot is not None:
            outcome, message = run_job(store, name, now, slot=slot)
            if outcome != "skipped":
                done.append((name, outcome, message))
    return done


@dataclass(frozen=True)
class JobInfo:
    """A job as people read it: times are in the workspace's zone (``timezone``)."""

    name: str
    title: str
    schedule: str
    schedule_words: str
    help: str
    last_run: dt.datetime | None
    last_outcome: str | None
    last_message: str | None
    next_run: dt.datetime | None
    timezone: str
    problem: str | None = None  # why it never runs (a schedule the scheduler cannot read)


def job_overview(
    store: Store, now: dt.datetime | None = None, reader: Actor | None = None
) -> list[JobInfo]:
    """Every job with its schedule, last and next run. A ``reader`` other than a manager
    reads the last messages without the email addresses they name (who was mailed, who
    refused) and the mail server: both are a manager's to see."""
    now = now or now_utc()
    private = reader is not None and reader.role != "manager"
    with store.session():
        runs = last_runs(store)
        timezone = workspace_timezone(store)
        stored = {k: str(v) for k, v in load_plan(store).settings.items()}  # read once
    zone = ZoneInfo(timezone)
    out = []
    for name, spec in JOBS.items():
        run = runs.get(name)
        problem = None
        try:
            expr = str(get_setting(spec.setting, stored))
            next_run = cron_trigger(expr, timezone=zone).get_next_fire_time(None, now)
            words = schedule_words(expr)
        except BadInput as exc:  # a schedule from the environment the registry refuses
            env = environment_override(spec.setting)
            expr, next_run, words = (
                env[1] if env else stored.get(spec.setting, ""),
                None,
                "never runs",
            )
            why = schedule_problem(expr) or str(exc)
            problem = (
                f"{env[0]} in the server's environment, {expr!r}, {why}; correct or unset it,"
                " then restart the server"
                if env
                else str(exc)
            )
        message = run.message if run else None
        # runs are stored as naive UTC; people read the workspace's clock everywhere
        started = (
            run.started.replace(tzinfo=dt.UTC).astimezone(zone) if run and run.started else None
        )
        out.append(
            JobInfo(
                name=name,
                title=spec.title,
                schedule=expr,
                schedule_words=words,
                help=spec.help,
                last_run=started,
                last_outcome=run.outcome if run else None,
                last_message=for_non_managers(message) if private and message else message,
                next_run=next_run.astimezone(zone) if next_run else None,
                timezone=timezone,
                problem=problem,
            )
        )
    return out
