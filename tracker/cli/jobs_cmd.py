"""waypoint jobs list [--json]; waypoint jobs run NAME."""

from __future__ import annotations

import click

from tracker.cli.common import AppContext, as_option, echo, emit_json, json_option, pass_app


@click.group("jobs")
def jobs_group() -> None:
    """Scheduled jobs: inbox import, weekly digest, check-in reminders, nightly backup."""


@jobs_group.command("list")
@json_option
@as_option
@pass_app
def list_cmd(app: AppContext, as_json: bool) -> None:
    """Jobs, their schedules, last and next runs, last outcome."""
    from jobs.runner import job_overview

    jobs = job_overview(app.store, reader=app.actor())
    if as_json:
        emit_json({"jobs": [j.__dict__ for j in jobs]})  # datetimes carry their offset
        return
    from rich.markup import escape
    from rich.table import Table

    from tracker.cli.common import console

    zone = jobs[0].timezone if jobs else "UTC"
    table = Table(title=f"Scheduled jobs (times in {zone})")
    for col in ("job", "schedule", "last run", "outcome", "next run", "message"):
        table.add_column(col)
    for j in jobs:
        table.add_row(
            f"{j.title}\n[dim]{j.name}[/dim]",  # the name is what `jobs run` takes
            f"{j.schedule_words}\n[dim]{j.schedule}[/dim]",
            j.last_run.strftime("%Y-%m-%d %H:%M") if j.last_run else "never",
            j.last_outcome or "",
            j.next_run.strftime("%Y-%m-%d %H:%M") if j.next_run else "",
            escape((j.last_message or "")[:80]),
        )
    console().print(table)
    for j in jobs:
        if j.problem:  # too long for a cell, and the one thing to act on
            echo(f"{j.title} never runs: {j.problem}.", err=True)


@jobs_group.command("run")
@click.argument("name")
@as_option
@pass_app
def run_cmd(app: AppContext, name: str) -> None:
    """Run job NAME now (recorded like a scheduled run)."""
    from jobs.runner import run_job
    from tracker.permissions import require_manager

    # A job mails people, imports files and writes backups: a manager's decision.
    require_manager(app.actor(), f"run job {name}")
    outcome, message = run_job(app.store, name)
    # a failure is a message like every other command's: on stderr, so a script that
    # keeps stdout (cron mails it, a log file) still sees why
    echo(f"{name}: {outcome}: {message}", err=outcome == "failed")
    if outcome == "failed":
        raise SystemExit(1)
