"""waypoint report weekly [--week YYYY-Www] [--format md|html] [--out FILE]."""

from __future__ import annotations

import click

from tracker.cli.common import AppContext, as_option, echo, parse_week, pass_app, write_output


@click.group("report")
def report_group() -> None:
    """Reports: the weekly review."""


@report_group.command("weekly")
@click.option("--week", metavar="YYYY-Www", help="ISO week (default: the last complete week).")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option("--out", type=click.Path(), metavar="FILE", help="Write to FILE instead of stdout.")
@as_option
@pass_app
def weekly_cmd(app: AppContext, week: str | None, fmt: str, out: str | None) -> None:
    """The weekly review: statuses, changes, check-ins, flags, decisions."""
    from tracker.report import render_html, render_markdown, weekly_review

    week = parse_week(week)
    review = weekly_review(app.store, week).for_reader(app.actor())
    text = render_markdown(review) if fmt == "md" else render_html(review)
    if out:
        write_output(out, text, app.store, f"the {review.week} review")
    else:
        echo(text, nl=False)
