"""waypoint audit [--as-of DAY] [--json]; waypoint acknowledge CODE SUBJECT --reason TEXT."""

from __future__ import annotations

import click

from tracker.cli.common import (
    AppContext,
    as_option,
    echo,
    emit_json,
    json_option,
    parse_day,
    pass_app,
)


@click.command("audit")
@click.option("--as-of", "as_of", metavar="DAY", help="Audit as of DAY (default: today).")
@json_option
@as_option
@pass_app
def audit_cmd(app: AppContext, as_of: str | None, as_json: bool) -> None:
    """Vanity and measurement-quality flags, with the numbers behind them."""
    from tracker.vanity import flag_lines, run_audit

    report = run_audit(app.store, parse_day(as_of, "--as-of"))
    if as_json:
        emit_json(report.as_dict())
        return
    from rich.markup import escape

    from tracker.cli.common import console

    out = console()
    if not report.flags:
        out.print(f"As of {report.as_of}: {report.no_flags_sentence()}")
        return
    for severity, title in (("warning", "Warnings"), ("info", "For information")):
        flags = [f for f in report.flags if f.severity == severity]
        if not flags:
            continue
        out.print(f"\n[bold]{title}[/] ({len(flags)})")
        # the lines people read: untracked metrics on one line (DESIGN); the code and
        # key only where they are needed, in the command that acknowledges the flag
        for line in flag_lines(flags):
            open_mark = "▲ " if severity == "warning" else "· "
            mark = "[dim]✓ acknowledged[/] " if line.acknowledged else open_mark
            out.print(f"{mark}[bold]{escape(line.title)}[/] · {escape(line.subject)}")
            out.print(f"    {escape(line.message)}")
            if line.acknowledged:
                out.print(f"    [dim]{escape(line.acknowledged)}[/]")
                continue
            out.print(f"    [dim]next: {escape(line.next_step)}[/]")
            first = line.flags[0]
            keys = ", ".join(f.subject for f in line.flags)
            out.print(
                f"    [dim]accept it: waypoint acknowledge {first.code}"
                f" {escape(first.subject if len(line.flags) == 1 else 'SUBJECT')}"
                f' --reason "..."'
                + (f" (subjects: {escape(keys)})" if len(line.flags) > 1 else "")
                + "[/]"
            )
    open_count = len(report.open_flags())
    out.print(
        f"\nAs of {report.as_of}: {open_count} open flag(s), "
        f"{len(report.flags) - open_count} acknowledged."
    )


@click.command("acknowledge")
@click.argument("code")
@click.argument("subject")
@click.option("--reason", required=True, help="Why this flag is acceptable (shown with it).")
@click.option("--as-of", "as_of", metavar="DAY", help="Audit day the flag is raised on.")
@as_option
@pass_app
def acknowledge_cmd(
    app: AppContext, code: str, subject: str, reason: str, as_of: str | None
) -> None:
    """Acknowledge flag CODE on SUBJECT (e.g. audience_as_goal kpi:ig-audience); managers only."""
    from tracker.vanity import acknowledge

    flag = acknowledge(app.store, app.actor(), code, subject, reason, parse_day(as_of, "--as-of"))
    echo(f"Acknowledged {flag.code} on {flag.subject}: {flag.ack_reason}")
