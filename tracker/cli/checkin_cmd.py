"""waypoint checkins [--week YYYY-Www] [--json]; waypoint checkin KPI --confidence C."""

from __future__ import annotations

import click

from tracker.cli.common import (
    AppContext,
    as_option,
    echo,
    emit_json,
    json_option,
    parse_week,
    pass_app,
)
from tracker.errors import BadInput

STATE_LABEL = {"on_time": "✓ on time", "late": "◷ late", "missing": "✕ missing", "due": "… due"}


@click.command("checkins")
@click.option("--week", metavar="YYYY-Www", help="ISO week (default: this week).")
@json_option
@as_option
@pass_app
def checkins_cmd(app: AppContext, week: str | None, as_json: bool) -> None:
    """Who is due a check-in, who checked in on time, late, or not at all."""
    from tracker.checkins import checkin_status, owed, said
    from tracker.clock import today
    from tracker.periods import Period

    week = parse_week(week)
    if week is not None and Period.parse(week).first > today(app.store):
        # DESIGN: a check-in is for the current or a past period, never a future one
        raise BadInput(
            f"--week {week} has not started yet; check-ins are for this week or an earlier one"
        )
    report = checkin_status(app.store, week, upcoming=True, with_archived=True)
    # this week's view also lists the latest ended periods' check-ins still owed (owed)
    still = owed(app.store) if week is None else []
    if as_json:
        emit_json({**report.as_dict(), "owed": [s.as_dict() for s in still]})
        return
    from rich.markup import escape
    from rich.table import Table

    from tracker.checkins import on_time_until
    from tracker.cli.common import console
    from tracker.clock import workspace_timezone
    from tracker.formats import local_stamp, long_day
    from tracker.names import kpi_names, people_names

    kpis, people = kpi_names(app.store), people_names(app.store)
    zone = workspace_timezone(app.store)
    out = console()
    if still:
        # what is owed first: it is the one with a deadline (today, on Monday)
        late = Table(title="Still owed from periods that have ended")
        for col in ("KPI", "owner", "period", "state", "on time until"):
            late.add_column(col, no_wrap=True)
        for s in still:
            last = on_time_until(Period.parse(s.period))
            late.add_row(
                escape(kpis.get(s.kpi, s.kpi)),
                escape(people.get(s.owner, s.owner)),
                s.period,
                STATE_LABEL[s.state],
                f"the end of {last:%a} {long_day(last)}"
                if s.state == "due"
                else "passed: given now, it counts as late",
            )
        out.print(late)
    table = Table(title=f"Check-ins for {report.week}")
    for col in ("KPI", "owner", "period", "state", f"when ({zone})", "confidence", "note"):
        table.add_column(col, no_wrap=col != "note")
    for s in report.kpis:
        table.add_row(
            # archived since: its period ended before, and stays on the owner's record
            escape(kpis.get(s.kpi, s.kpi)) + (" (archived)" if s.archived else ""),
            escape(people.get(s.owner, s.owner)),
            s.period,
            STATE_LABEL[s.state],
            local_stamp(s.checked_in_at, zone) if s.checked_in_at else "",
            (s.confidence or "").replace("_", " ")
            + (
                f" (checked in again {local_stamp(s.updated_at, zone)})"
                if s.updated_at is not None
                else ""
            ),
            escape("; ".join(f"{label}: {text}" for label, text in said(s))),
        )
    out.print(table)
    for u in report.upcoming:
        out.print(
            f"{escape(kpis.get(u.kpi, u.kpi))} ({escape(people.get(u.owner, u.owner))}):"
            f" starts on {u.starts:%Y-%m-%d}, nothing due yet"
        )
    for p in report.people():
        out.print(
            f"{escape(people.get(p['person'], p['person']))}: {p['on_time']} on time,"
            f" {p['late']} late, {p['missing']} missing, {p['due']} due"
        )


@click.command("checkin")
@click.argument("kpi")
@click.option("--confidence", required=True, help="on_track, at_risk or off_track, as you see it.")
@click.option("--note", metavar="TEXT", help="What moved, what is next, what blocks it.")
@click.option("--progress", metavar="TEXT", help="What moved this period.")
@click.option("--plans", metavar="TEXT", help="What is next.")
@click.option("--problems", metavar="TEXT", help="What blocks it.")
@click.option("--period", metavar="PERIOD", help="2026-W05 or 2026-03 (default: the current one).")
@as_option
@pass_app
def checkin_cmd(
    app: AppContext,
    kpi: str,
    confidence: str,
    note: str | None,
    progress: str | None,
    plans: str | None,
    problems: str | None,
    period: str | None,
) -> None:
    """Record a check-in on KPI with your confidence and a short note."""
    from tracker.checkins import record_checkin

    store = app.store
    with store.session():
        c = record_checkin(
            store,
            app.actor(),
            kpi,
            confidence,
            note=note,
            progress=progress,
            plans=plans,
            problems=problems,
            period=period,
        )
    from tracker.clock import today
    from tracker.periods import Period

    # without --period, the check-in of a period that just ended may be the one given
    ended = (
        " (it has ended; still on time today)"
        if period is None and Period.parse(c.period).last < today(store)
        else ""
    )
    echo(f"Checked in on {c.kpi} for {c.period}{ended}: {c.confidence.replace('_', ' ')}.")
