"""waypoint status [--as-of DAY] [--objective KEY] [--json]."""

from __future__ import annotations

import click

from tracker.cli.common import AppContext, as_option, emit_json, json_option, parse_day, pass_app

# Words and icons beside colours, so the table reads without colour too.
RICH_COLOUR = {
    "blue": "bold blue",
    "green": "green",
    "orange": "yellow",
    "red": "red",
    "gray": "dim",
}


def _style(status: str) -> tuple[str, str]:
    from tracker.vocab import STATUS_STYLE

    s = STATUS_STYLE[status]
    return s.text, RICH_COLOUR[s.colour]


def _num(value: float | None, pct: bool = False) -> str:
    from tracker.formats import number, percent

    return percent(value) if pct else number(value)


def _in_unit(kpi: object, value: float | None) -> str:
    from tracker.formats import kpi_value

    return kpi_value(kpi, value)


@click.command("status")
@click.option("--as-of", "as_of", metavar="DAY", help="Judge progress as of DAY (default: today).")
@click.option("--objective", metavar="KEY", help="Only this objective's KPIs.")
@json_option
@as_option
@pass_app
def status_cmd(app: AppContext, as_of: str | None, objective: str | None, as_json: bool) -> None:
    """Progress of every KPI and objective: current, target, pace, status, forecast; each
    objective with the KPI that holds it there and how many KPIs are in each status."""
    from tracker.progress import compute_progress

    report = compute_progress(app.store, parse_day(as_of, "--as-of"), objective=objective)
    if as_json:
        emit_json(report.as_dict())
        return
    from rich.markup import escape
    from rich.table import Table

    from tracker.cli.common import console
    from tracker.names import people_names

    names = people_names(app.store)
    out = console()
    by_objective = {o.objective: o for o in report.objectives}
    by_kpi = {k.kpi: k for k in report.kpis}
    from tracker.formats import objective_reason

    for obj in report.objectives:
        label, style = _style(obj.status)
        # the status with what agrees with it: the KPI holding it there, the counts
        reason = objective_reason(obj, by_kpi)
        table = Table(
            title=f"{escape(obj.title)}  [{style}]{label}[/]"
            + (f"\n[dim]{escape(reason)}[/]" if reason else ""),
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
        from tracker.formats import weekly_need

        for k in report.kpis:
            if k.objective != obj.objective:
                continue
            label, style = _style(k.status)
            forecast = _in_unit(k, k.forecast)
            if k.forecast_status == "will_miss":
                forecast += " (miss)"
            table.add_row(
                # names and units people read; keys stay in --json and the plan
                escape(k.name or k.kpi),
                _in_unit(k, k.current),
                _in_unit(k, k.target),
                _num(k.progress, pct=True),
                _num(k.expected, pct=True),
                f"[{style}]{label}[/]",
                forecast,
                weekly_need(k),  # as the dashboard shows it: none for a rate
                escape(names.get(k.owner or "", k.owner or "–")),
            )
        out.print(table)
    counts: dict[str, int] = {}
    for k in report.kpis:
        counts[k.status] = counts.get(k.status, 0) + 1
    summary = ", ".join(f"{n} {_style(s)[0]}" for s, n in counts.items())
    out.print(f"As of {report.as_of}: {summary or 'no KPIs yet'}")
    if not by_objective:
        out.print("No objectives yet: write one in a plan file and `waypoint plan apply` it.")
