"""What's working: per channel, outcomes per hour of effort and cost per outcome, and which
reach or engagement metrics lead the outcomes.

Effort is read from effort metrics over the last ``weeks`` weeks: a metric whose unit
is hours (`h`, `hours`) counts hours, priced at the hourly rate of the person in
``recorded_by``; any other effort metric is money spent (ad spend). Effort belongs to
the effort metric's channel, and a channel's effort is set against the outcome KPIs of
the objectives that use that channel (the same link the vanity audit uses: Instagram
work serves the objectives that list Instagram). Effort without a channel is set
against every objective's outcomes, on a row of its own ("unassigned").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from tracker.clock import today
from tracker.store import Store

HOUR_UNITS = ("h", "hr", "hrs", "hour", "hours")

_EFFORT = """
SELECT coalesce(m.channel, 'unassigned') AS channel,
       sum(o.value) FILTER (lower(coalesce(m.unit, '')) IN $hours) AS hours,
       sum(o.value * coalesce(p.hourly_rate, 0))
           FILTER (lower(coalesce(m.unit, '')) IN $hours) AS labour_cost,
       sum(o.value) FILTER (lower(coalesce(m.unit, '')) NOT IN $hours) AS spend
FROM observations o
JOIN metrics m ON m.key = o.metric AND m.class IN ('effort', 'spend')
LEFT JOIN people p ON p.key = o.for_person
WHERE o.removed_by IS NULL AND o.day > $start AND o.day <= $d
GROUP BY ALL
"""

_OUTCOMES = """
SELECT coalesce(m.channel, 'unassigned') AS channel, m.key, m.name, sum(o.value) AS units
FROM observations o JOIN metrics m ON m.key = o.metric
WHERE m.class = 'outcome' AND m.behaviour = 'flow' AND NOT m.archived
  AND o.removed_by IS NULL AND o.day > $start AND o.day <= $d
GROUP BY ALL
ORDER BY channel, m.key
"""


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    outcome: str
    outcome_name: str
    units: float
    hours: float
    cost: float
    units_per_hour: float | None
    cost_per_unit: float | None


@dataclass(frozen=True)
class Leader:
    metric: str
    outcome: str
    best_abs_r: float
    lag_weeks: int


@dataclass(frozen=True)
class WorkingReport:
    as_of: dt.date
    weeks: int
    channels: list[ChannelRow]
    effort: list[dict[str, Any]]
    leaders: list[Leader]

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "weeks": self.weeks,
            "channels": [asdict(r) for r in self.channels],
            "effort": self.effort,
            "leaders": [asdict(x) for x in self.leaders],
        }


def whats_working(store: Store, as_of: dt.date | None = None, weeks: int = 8) -> WorkingReport:
    """Outcome per hour and per unit of cost, per channel; the metrics that lead outcomes."""
    from tracker.vanity import Context, _load

    with store.session(), store.read() as con:
        as_of = as_of or today(store)
        params = {
            "d": as_of,
            "start": as_of - dt.timedelta(days=7 * weeks),
            "hours": list(HOUR_UNITS),
        }
        effort_rows = con.execute(_EFFORT, params).fetchall()
        outcome_rows = con.execute(
            _OUTCOMES, {k: v for k, v in params.items() if k != "hours"}
        ).fetchall()
        ctx: Context = _load(store, con, as_of)
    effort = {
        ch: {"channel": ch, "hours": hours or 0.0, "cost": (labour or 0.0) + (spend or 0.0)}
        for ch, hours, labour, spend in effort_rows
    }
    units = {key: (name, float(total)) for _channel, key, name, total in outcome_rows}
    rows = []
    for channel, e in sorted(effort.items()):
        for key in ctx.outcome_metrics_for(None if channel == "unassigned" else channel):
            name, total = units.get(key, (ctx.name(key), 0.0))
            rows.append(
                ChannelRow(
                    channel=channel,
                    outcome=key,
                    outcome_name=name,
                    units=total,
                    hours=float(e["hours"]),
                    cost=float(e["cost"]),
                    units_per_hour=(total / e["hours"]) if e["hours"] else None,
                    cost_per_unit=(e["cost"] / total) if total and e["cost"] else None,
                )
            )
    leaders = []
    for (lead, outcome), stats in ctx.correlations.items():
        usable = [(abs(r), lag) for lag, r, n in stats if r is not None and r == r and n >= 3]
        if usable:
            r, lag = max(usable)
            leaders.append(Leader(lead, outcome, round(r, 4), lag))
    leaders.sort(key=lambda x: -x.best_abs_r)
    return WorkingReport(
        as_of, weeks, rows, sorted(effort.values(), key=lambda e: e["channel"]), leaders
    )
