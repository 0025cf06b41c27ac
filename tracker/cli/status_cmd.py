"""waypoint status [--as-of DAY] [--objective KEY] [--json]."""

from __future__ import annotations

import click

from tracker.cli.common import AppContext, emit_json, json_option, parse_day, pass_app

# Words and icons beside colours, so the table reads without colour too.
STATUS_STYLE = {
    "achieved": ("✓ achieved", "bold green"),
    "on_track": ("● on track", "green"),
    "at_risk": ("▲ at risk", "yellow"),
    "off_track": ("✕ off track", "red"),
    "missed": ("✕ missed", "bold red"),
    "no_data": ("○ no data", "dim"),
    "no_target": ("… no target", "dim"),
}


def _num(value: float | None, pct: bool = False) -> str:
    if value is None:
        return "–"
    if pct:
        return f"{value:.0%}"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.3g}"


@click.command("status")
@click.option("--as-of", "as_of", metavar="DAY", help="Judge progress as of DAY (default: today).")
@click.option("--objective", metavar="KEY", help="Only this objective's KPIs.")
@json_option
@pass_app
def status_cmd(app: AppContext, as_of: str | None, objective: str | None, as_json: bool) -> None:
    """Progress of every KPI and objective: current, target, pace, status, forecast."""
    from tracker.progress import compute_progress

    report = compute_progress(app.store, parse_day(as_of, "--as-of"), objective=objective)
    if as_json:
        emit_json(report.as_dict())
        return
    from rich.markup import escape
    from rich.table import Table

    from tracker.cli.common import console

    out = console()
    by_objective = {o.objective: o for o in report.objectives}
    for obj in report.objectives:
        label, style = STATUS_STYLE[obj.status]
        table = Table(
            title=f"{escape(obj.title)}  [{style}]{label}[/]",
            title_justify="left",
            expand=False,
        )
        for col in (
            "KPI",
            "current",
            "target",
            "progress",
            "expected",
            "status",
            "forecast",
            "needed/week",
            "owner",
        ):
            table.add_column(
                col,
                justify="left" if col in ("KPI", "status", "owner") else "right",
                no_wrap=True,
            )
        for k in report.kpis:
            if k.objective != obj.objective:
                continue
            label, style = STATUS_STYLE[k.status]
            forecast = _num(k.forecast)
            if k.forecast_status == "will_miss":
                forecast += " (miss)"
            table.add_row(
                escape(k.kpi),
                _num(k.current),
                _num(k.target),
                _num(k.progress, pct=True),
                _num(k.expected, pct=True),
                f"[{style}]{label}[/]",
                forecast,
                _num(k.needed_per_week),
                escape(k.owner or "–"),
            )
        out.print(table)
    counts: dict[str, int] = {}
    for k in report.kpis:
        counts[k.status] = counts.get(k.status, 0) + 1
    summary = ", ".join(f"{n} {STATUS_STYLE[s][0]}" for s, n in counts.items())
    out.print(f"As of {report.as_of}: {summary or 'no KPIs yet'}")
    if not by_objective:
        out.print("No objectives yet: write one in a plan file and `waypoint plan apply` it.")
