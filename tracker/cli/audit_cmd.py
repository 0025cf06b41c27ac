"""waypoint audit [--as-of DAY] [--json]; waypoint acknowledge CODE SUBJECT --reason TEXT."""

from __future__ import annotations

import click

from tracker.cli.common import AppContext, as_option, emit_json, json_option, parse_day, pass_app


@click.command("audit")
@click.option("--as-of", "as_of", metavar="DAY", help="Audit as of DAY (default: today).")
@json_option
@pass_app
def audit_cmd(app: AppContext, as_of: str | None, as_json: bool) -> None:
    """Vanity and measurement-quality flags, with the numbers behind them."""
    from tracker.vanity import run_audit

    report = run_audit(app.store, parse_day(as_of, "--as-of"))
    if as_json:
        emit_json(report.as_dict())
        return
    from rich.markup import escape

    from tracker.cli.common import console

    out = console()
    if not report.flags:
        out.print(f"As of {report.as_of}: no flags. Every KPI measures an outcome and has data.")
        return
    for severity, title in (("warning", "Warnings"), ("info", "For information")):
        flags = [f for f in report.flags if f.severity == severity]
        if not flags:
            continue
        out.print(f"\n[bold]{title}[/] ({len(flags)})")
        # untracked metrics: one line listing them (DESIGN), open and accepted apart
        untracked = [f for f in flags if f.code == "orphan_metric"]
        flags = [f for f in flags if f.code != "orphan_metric"]
        for accepted in (False, True):
            group = [f for f in untracked if f.acknowledged == accepted]
            if not group:
                continue
            mark = "[dim]✓ acknowledged[/] " if accepted else "· "
            names = ", ".join(escape(f.subject_name) for f in group)
            out.print(f"{mark}[bold]{escape(group[0].title)}[/] · {names}")
            out.print("    tracked, but no KPI uses them, so they are not tied to an outcome")
            if accepted:
                reasons = "; ".join(
                    f"{escape(f.subject_name)}: {escape(f.ack_reason or '')}" for f in group
                )
                out.print(f"    [dim]acknowledged: {reasons}[/]")
            else:
                out.print(
                    "    [dim]next: tie them to KPIs, or stop spending time collecting them[/]"
                )
                out.print(
                    "    [dim]accept one: waypoint acknowledge orphan_metric metric:KEY"
                    f' --reason "..." (keys: {escape(", ".join(f.subject[7:] for f in group))})[/]'
                )
        for f in flags:
            mark = (
                "[dim]✓ acknowledged[/] "
                if f.acknowledged
                else ("▲ " if severity == "warning" else "· ")
            )
            # the plain title and the subject's name first; the code and key only where
            # they are needed, in the command that acknowledges the flag
            out.print(f"{mark}[bold]{escape(f.title)}[/] · {escape(f.subject_name)}")
            out.print(f"    {escape(f.message)}")
            if f.acknowledged:
                out.print(
                    f"    [dim]acknowledged by {escape(f.acked_by_name)}:"
                    f" {escape(f.ack_reason or '')}[/]"
                )
            else:
                out.print(f"    [dim]next: {escape(f.next_step)}[/]")
                out.print(
                    f"    [dim]accept it: waypoint acknowledge {f.code} {escape(f.subject)}"
                    ' --reason "..."[/]'
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
    app: AppContext, code: str, subject: str, reason: str, as_of: str | None, as_person: str | None
) -> None:
    """Acknowledge flag CODE on SUBJECT (e.g. audience_as_goal kpi:ig-audience); managers only."""
    from tracker.vanity import acknowledge

    flag = acknowledge(
        app.store, app.actor(as_person), code, subject, reason, parse_day(as_of, "--as-of")
    )
    click.echo(f"Acknowledged {flag.code} on {flag.subject}: {flag.ack_reason}")
