"""What's working: per channel, what it cost and what it brought; and which reach or
engagement metrics lead the outcomes.

Cost per outcome follows DESIGN "Accountability", over the last ``weeks`` weeks:

- A channel's cost is its effort hours (``effort`` metrics of that channel) times the
  hourly rate of the person each hour is for (``--for``, default its author), plus its
  ``spend`` metrics.
- An outcome metric is credited to a channel only when the metric belongs to that
  channel (its ``channel`` field).
- An objective's outcome metric that belongs to no channel is set against the total
  cost of the objective's channels, once, on a row of the objective's own.
- So no outcome is ever counted for two channels. Effort and spend with no channel are
  shown on their own row and set against no outcome.

Outcomes are read from the daily values (flow metrics add up over the period).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from tracker.clock import today
from tracker.daily import COUNTED_HOURS
from tracker.settings import workspace_currency
from tracker.store import Store

UNASSIGNED = "unassigned"  # the SQL's name for effort and spend with no channel
NO_CHANNEL = "(no channel)"  # what people read for it

# Hours are read per entry (each is priced at the rate of the person it is for: the
# author unless --for said otherwise); spend is read from the daily values, so a
# metric's `prefer` rule holds and two sources of one day's spend are not both paid.
_COSTS = f"""
WITH hours AS (
    SELECT coalesce(m.channel, 'unassigned') AS channel, sum(o.value) AS hours,
           sum(o.value * coalesce(p.hourly_rate, 0)) AS labour, 0.0 AS spend,
           -- hours of people without a rate (a rate of 0 is a rate): no cost counted
           sum(CASE WHEN p.hourly_rate IS NULL THEN o.value ELSE 0 END) AS unpriced
    FROM ({COUNTED_HOURS}) o  -- the hours the day's value counts (prefer applied)
    JOIN metrics m ON m.key = o.metric
    LEFT JOIN people p ON p.key = o.hours_of
    GROUP BY ALL
),
spend AS (
    SELECT coalesce(m.channel, 'unassigned') AS channel, 0.0 AS hours, 0.0 AS labour,
           sum(d.value) AS spend, 0.0 AS unpriced
    FROM daily_values d
    JOIN metrics m ON m.key = d.metric AND m.class = 'spend' AND m.behaviour = 'flow'
    WHERE d.day >= $first AND d.day <= $last
    GROUP BY ALL
)
SELECT channel, sum(hours), sum(labour), sum(spend), sum(unpriced)
FROM (SELECT * FROM hours UNION ALL SELECT * FROM spend)
GROUP BY channel
"""  # noqa: S608 (tracker.daily's fragment, no user text)

_OUTCOMES = """
SELECT m.key, m.name, m.channel, coalesce(sum(d.value), 0) AS units
FROM metrics m
LEFT JOIN daily_values d ON d.metric = m.key AND d.day >= $first AND d.day <= $last
WHERE m.class = 'outcome' AND m.behaviour = 'flow' AND NOT m.archived
GROUP BY ALL
ORDER BY m.key
"""

# Each objective with the outcome metrics its KPIs measure (a ratio's numerator).
_OBJECTIVES = """
SELECT o.key, o.title, o.channels,
       list(DISTINCT coalesce(k.metric, k.numerator) ORDER BY coalesce(k.metric, k.numerator))
           FILTER (m.class = 'outcome') AS outcomes
FROM objectives o
LEFT JOIN kpis k ON k.objective = o.key AND NOT k.archived
LEFT JOIN metrics m ON m.key = coalesce(k.metric, k.numerator)
WHERE NOT o.archived
GROUP BY o.key, o.title, o.channels, o.position
ORDER BY o.position, o.key
"""


@dataclass(frozen=True)
class ChannelRow:
    """One line of the cost table: a channel and an outcome of its own, or an objective
    (``scope == "objective"``) whose outcome belongs to no single channel."""

    scope: str  # "channel" | "objective"
    channel: str  # the channel, or the objective's channels joined with " + "
    objective: str | None
    objective_title: str | None
    outcome: str | None
    outcome_name: str | None
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
    # the correlation with its sign at that lag: below 0 the metric moved against the
    # outcome (more of it, fewer outcomes), which is no reason to put hours into it
    r: float


@dataclass(frozen=True)
class WorkingReport:
    as_of: dt.date
    weeks: int
    first_day: dt.date
    currency: str
    channels: list[ChannelRow]
    leaders: list[Leader]
    last_day: dt.date  # the cost window's end (the as-of day, or the Team page's Sunday)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "weeks": self.weeks,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "currency": self.currency,
            "channels": [asdict(r) for r in self.channels],
            "leaders": [asdict(x) for x in self.leaders],
        }


def _row(
    scope: str,
    channel: str,
    outcome: tuple[str, str, float] | None,
    hours: float,
    cost: float,
    objective: tuple[str, str] | None = None,
) -> ChannelRow:
    key, name, units = outcome if outcome else (None, None, 0.0)
    return ChannelRow(
        scope=scope,
        channel=channel,
        objective=objective[0] if objective else None,
        objective_title=objective[1] if objective else None,
        outcome=key,
        outcome_name=name,
        units=units,
        hours=round(hours, 2),
        cost=round(cost, 2),
        units_per_hour=round(units / hours, 4) if outcome and hours else None,
        cost_per_unit=round(cost / units, 2) if outcome and units and cost else None,
    )


def cost_rows(
    costs: dict[str, dict[str, float]],
    outcomes: list[tuple[str, str, str | None, float]],
    objectives: list[tuple[str, str, list[str] | None, list[str] | None]],
) -> list[ChannelRow]:
    """The cost table from channel costs, outcome totals and objectives (DESIGN rules)."""
    rows: list[ChannelRow] = []
    by_channel: dict[str, list[tuple[str, str, float]]] = {}
    for key, name, channel, units in outcomes:
        if channel:
            by_channel.setdefault(channel, []).append((key, name, units))
    for channel in sorted(set(costs) | set(by_channel)):
        if channel == UNASSIGNED:
            continue
        c = costs.get(channel, {"hours": 0.0, "cost": 0.0})
        own: list[tuple[str, str, float] | None] = [*by_channel.get(channel, [])] or [None]
        for outcome in own:
            rows.append(_row("channel", channel, outcome, c["hours"], c["cost"]))
    units_of = {key: (key, name, units) for key, name, channel, units in outcomes if not channel}
    credited: set[str] = set()
    for key, title, channels, metrics in objectives:
        used = sorted(channels or [])
        hours = sum(costs.get(ch, {}).get("hours", 0.0) for ch in used)
        cost = sum(costs.get(ch, {}).get("cost", 0.0) for ch in used)
        for metric in metrics or []:
            # an outcome of a channel is credited there; one of no channel, to the first
            # objective that measures it (never twice)
            if metric not in units_of or metric in credited:
                continue
            credited.add(metric)
            channel = " + ".join(used) or NO_CHANNEL
            rows.append(_row("objective", channel, units_of[metric], hours, cost, (key, title)))
    if UNASSIGNED in costs:
        c = costs[UNASSIGNED]
        rows.append(_row("channel", NO_CHANNEL, None, c["hours"], c["cost"]))
    # a period with nothing logged is an empty table, not a row of zeros per outcome
    return [r for r in rows if r.units or r.hours or r.cost]


def channel_costs(con: Any, first: dt.date, last: dt.date) -> dict[str, dict[str, float]]:
    """Channel -> hours and cost (labour at each person's rate, plus spend) over the days
    ``first`` to ``last``, with the spend and the hours of people without a rate
    (``unpriced``) apart; effort and spend with no channel are under UNASSIGNED."""
    return {
        ch: {
            "hours": float(h),
            "cost": float(labour) + float(spend),
            "spend": float(spend),
            "unpriced": float(unpriced),
        }
        for ch, h, labour, spend, unpriced in con.execute(
            _COSTS, {"first": first, "last": last}
        ).fetchall()
    }


def whats_working(
    store: Store, as_of: dt.date | None = None, weeks: int = 8, *, through: dt.date | None = None
) -> WorkingReport:
    """Cost per outcome per channel and objective over the ``weeks`` weeks ending on
    ``through`` (default: the as-of day; the Team page gives the last complete week's
    Sunday, so costs cover the same weeks as its check-ins and hours); the metrics that
    lead outcomes."""
    from tracker.vanity import LINK_R, lead_correlations

    with store.session(), store.read() as con:
        as_of = as_of or today(store)
        last = min(through or as_of, as_of)
        first = last - dt.timedelta(days=7 * weeks - 1)
        params = {"first": first, "last": last}
        costs = channel_costs(con, first, last)
        outcomes = [
            (key, name, channel, float(units))
            for key, name, channel, units in con.execute(_OUTCOMES, params).fetchall()
        ]
        objectives = con.execute(_OBJECTIVES).fetchall()
        currency = workspace_currency(con)
        _weeks, correlations = lead_correlations(con, as_of)
    rows = cost_rows(costs, outcomes, objectives)
    leaders = []
    for (lead, outcome), stats in correlations.items():
        usable = [(abs(r), lag, r) for lag, r, n in stats if r is not None and r == r and n >= 3]
        if usable:
            size, lag, signed = max(usable)
            # a metric the audit calls unlinked (|r| < 0.3 at every lag) leads nothing
            if size >= LINK_R:
                leaders.append(Leader(lead, outcome, round(size, 4), lag, round(signed, 4)))
    leaders.sort(key=lambda x: -x.best_abs_r)
    return WorkingReport(as_of, weeks, first, currency, rows, leaders, last)
