"""waypoint impact [CAMPAIGN] [--as-of DAY] [--json]: did the campaign move the outcome?"""

from __future__ import annotations

import click

from tracker.cli.common import AppContext, as_option, emit_json, json_option, parse_day, pass_app


@click.command("impact")
@click.argument("campaign", required=False)
@click.option("--as-of", "as_of", metavar="DAY", help="Judge as of DAY (default: today).")
@json_option
@as_option
@pass_app
def impact_cmd(app: AppContext, campaign: str | None, as_of: str | None, as_json: bool) -> None:
    """Campaign impact: each outcome during a campaign against what the weeks before predicted."""
    from tracker.impact import campaign_impacts, impact_rows

    summaries = campaign_impacts(app.store, parse_day(as_of, "--as-of"), campaign)
    if as_json:
        emit_json(
            {
                "campaigns": impact_rows(summaries),
                "summaries": [s.as_dict() for s in summaries],
            }
        )
        return
    from rich.markup import escape

    from tracker.cli.common import console

    out = console()
    if not summaries:
        out.print("No campaigns in the plan: add them under an objective's campaigns.")
        return
    verdicts = {
        # the Campaigns page's shapes: ▲ means "at risk" (and a warning) everywhere else,
        # and an effect may be a fall as well as a rise
        "effect": "[bold]◆ effect[/]",
        "no_effect": "◇ no effect",
        "not_enough_data": "[dim]? not enough data[/]",
    }
    for s in summaries:
        parts = s.facts()
        out.print(f"\n[bold]{escape(s.name)}[/] ({escape(' · '.join(parts))})")
        unmeasured = s.nothing_to_compare()
        if unmeasured:
            out.print(f"  [dim]? {escape(unmeasured)}[/]")
        for i in s.impacts:
            out.print(f"  {verdicts[i.verdict]}  {escape(i.sentence())}")
            line = s.cost_line(i)
            if line is not None:
                out.print(f"      {escape(line)}")
        judged = any(i.verdict != "not_enough_data" for i in s.impacts)
        for c in s.caveats if judged else []:
            out.print(f"  [dim]caveat: {escape(c)}[/]")
