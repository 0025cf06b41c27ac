"""Campaign impact: did the campaign move the outcome, and by how much? (DESIGN
"Campaign impact", docs/impact.md).

For a campaign and a metric, a structural time-series model (statsmodels'
UnobservedComponents: a local level with a deterministic trend, a fixed day-of-week
pattern, other objectives' outcomes as controls when they track the metric) is fitted
on up to 16 weeks of daily values before the campaign and forecasts the campaign's days.
The forecast's 90% interval comes from the exact variance of the forecast *sum* (one
backward pass through the fitted state-space model, ``_variance_of_sum``), so it keeps
the day-to-day correlation of the forecast errors.

- flow metric: effect = actual - forecast, summed over the campaign's days with a value;
- stock metric: effect = the level on the last such day - its forecast (a change in level).

Verdict: ``effect`` when the effect's 90% interval excludes 0, ``no_effect`` when it
holds 0, ``not_enough_data`` with fewer than 8 weeks of values before or 7 days during.
A running campaign is judged so far (through the as-of day).
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

from tracker import vocab
from tracker.clock import today
from tracker.formats import day_span, long_day
from tracker.store import Store

MIN_PRE_DAYS = 56  # 8 weeks of daily values before the campaign
MIN_DURING_DAYS = 7
PRE_WEEKS = 16  # history used at most: recent weeks predict the next ones best
MAX_CONTROLS = 3
CONTROL_MIN_R = 0.3  # a control is used only when it tracked the metric before
LEVEL = 0.90


@dataclass(frozen=True)
class DayBand:
    day: dt.date
    actual: float | None
    expected: float | None
    low: float | None
    high: float | None


@dataclass
class Impact:
    """One campaign x one metric."""

    campaign: str
    campaign_name: str
    metric: str
    metric_name: str
    behaviour: str
    start: dt.date | None  # None: neither the campaign nor its objective has a start
    end: dt.date | None  # None: running
    through: dt.date  # the last day judged
    verdict: str
    actual: float | None = None
    expected: float | None = None
    effect: float | None = None
    low: float | None = None
    high: float | None = None
    pre_weeks: float = 0.0
    days: int = 0
    controls: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    reason: str | None = None  # why not_enough_data
    # not_enough_data that time will mend (not started, too few days during it); weeks
    # missing before the start never come by waiting: older values must be imported
    too_early: bool = False
    unit: str | None = None
    currency: str = "USD"
    outcome: bool = False  # an outcome metric (what objectives are judged by)
    series: list[DayBand] = field(default_factory=list)

    @property
    def running(self) -> bool:
        return self.end is None or self.end > self.through

    def sentence(self) -> str:
        """What people read, e.g. "During LinkedIn answers (1 Sep – 31 Oct 2026), qualified
        leads were 38 above what the 12 weeks before predicted (90%: 12 to 64)"."""
        from tracker.formats import value

        def plain_number(amount: float) -> str:
            # Whole units from 10 up, one decimal from 1 ("51 above", "2.5 below"), two
            # significant digits below 1: a rate of 0.012 moved by 0.003, not by "0"
            if abs(amount) >= 10:
                rounded = float(round(amount))
            elif abs(amount) >= 1:
                rounded = round(amount, 1)
            else:
                rounded = float(f"{amount:.2g}")
            return value(rounded + 0.0, self.unit, self.currency)

        # as every page writes a run of days (7 Sep – 4 Oct 2026), not "7 Sep - 4 Oct"
        span = _span(self.start, self.end)
        if self.verdict == "not_enough_data":
            return (
                f"{self.campaign_name} ({span}): {self.metric_name}: not enough data"
                f" ({self.reason})."
            )
        assert self.effect is not None and self.low is not None and self.high is not None
        during = "So far during" if self.running else "During"
        if self.behaviour == "stock":
            subject = f"the level of {self.metric_name} {'is' if self.running else 'ended'}"
        else:
            subject = f"{self.metric_name} were"
        # Judged only with 8 weeks or more before: the count of weeks is always plural.
        before = f"what the {self.pre_weeks:.0f} weeks before predicted"
        opening = f"{during} {self.campaign_name} ({span}), {subject}"
        # "no change" only when there is none to show, at the scale verdict_of judges by
        # (a rounding to one decimal called a rate's real change none, beside "effect")
        tolerance = 1e-9 * max(1.0, abs(self.expected or 0.0))
        if all(abs(x) <= tolerance for x in (self.effect, self.low, self.high)):
            return f"{opening} exactly {before}: no change at all."
        band = f"90%: {plain_number(self.low)} to {plain_number(self.high)}"
        chance = "" if self.verdict == "effect" else "; that is within what chance alone gives"
        if abs(self.effect) <= tolerance:
            # none at all, with a band around it: not "0 above what ... predicted"
            return f"{opening} just {before} ({band}){chance}."
        direction = "above" if self.effect >= 0 else "below"
        return f"{opening} {plain_number(abs(self.effect))} {direction} {before} ({band}){chance}."

    def as_dict(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign,
            "metric": self.metric,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "actual": _round(self.actual),
            "expected": _round(self.expected),
            "effect": _round(self.effect),
            "low": _round(self.low),
            "high": _round(self.high),
            "verdict": self.verdict,
            "campaign_name": self.campaign_name,
            "metric_name": self.metric_name,
            "behaviour": self.behaviour,
            "through": self.through.isoformat(),
            "running": self.running,
            "pre_weeks": round(self.pre_weeks, 1),
            "days": self.days,
            "controls": self.controls,
            "caveats": self.caveats,
            "reason": self.reason,
            "sentence": self.sentence(),
        }


@dataclass
class CampaignSummary:
    """A campaign as the Campaigns page shows it, with its impacts."""

    key: str
    name: str
    objective: str
    objective_title: str
    channels: list[str]
    owner: str | None
    start: dt.date | None  # None: neither it nor its objective has a start (not judged)
    end: dt.date | None
    budget: float | None
    hours: float
    cost: float
    impacts: list[Impact]
    currency: str = "USD"
    caveats: list[str] = field(default_factory=list)  # shared by its impacts
    spend: float = 0.0  # of ``cost``; the rest is hours at each person's rate
    unpriced_hours: float = 0.0  # of ``hours``: people without a rate, no cost counted

    def nothing_to_compare(self) -> str | None:
        """Why the campaign has no metric to judge, when it has none: its objective has
        no KPI on an outcome metric and no metric is on its channels (a campaign with
        no channel, or on a channel nothing is counted on)."""
        if self.impacts:
            return None
        where = (
            "it names no channel"
            if not self.channels
            # hours and spend on the channel are its cost, never a result to judge
            else "nothing but hours or spend is counted on "
            + ("its channel " if len(self.channels) == 1 else "its channels ")
            + ", ".join(vocab.channel_label(c) for c in self.channels)
        )
        return (
            f"nothing to compare: its objective {self.objective_title} has no KPI on an"
            f" outcome metric, and {where}"
        )

    def not_judged(self) -> tuple[str, list[str]] | None:
        """When none of its metrics could be judged: the sentence's lead and the reasons.
        "Cannot judge it yet" only where time mends it (not started, too few days during
        it); weeks missing before its start never come by waiting."""
        if not self.impacts or any(i.verdict != "not_enough_data" for i in self.impacts):
            return None
        waiting = all(i.too_early for i in self.impacts)
        lead = "Cannot judge it yet" if waiting else "Cannot judge it"
        return lead, sorted({i.reason or "" for i in self.impacts})

    def cost_per_extra(self, impact: Impact) -> float | None:
        """Cost per extra unit of a flow outcome the campaign brought (effect > 0)."""
        if impact.verdict != "effect" or not impact.effect or impact.effect <= 0:
            return None
        if not impact.outcome:
            return None  # an engagement or reach metric is not priced like a result
        # What was logged (hours at each person's rate, spend); the budget when nothing was.
        cost = self.cost or self.budget
        if impact.behaviour != "flow" or not cost:
            return None
        return round(cost / impact.effect, 2)

    def facts(self) -> list[str]:
        """Dates, channels, owner, budget and cost in words (CLI and page alike)."""
        from tracker.formats import hours, money

        end = long_day(self.end) if self.end else "running"
        out = [
            f"{long_day(self.start)} – {end}" if self.start else f"no start date – {end}",
            ", ".join(vocab.channel_label(c) for c in self.channels) or "no channel",
        ]
        if self.owner:
            out.append(f"owner {self.owner}")
        if self.budget is not None:
            out.append(f"budget {money(self.budget, self.currency)}")
        if self.start is None:
            # its hours and spend belong to no days: "none logged" would be a guess
            return [*out, "no cost counted without a start date"]
        if self.hours and not self.cost:
            # hours logged, none priced: not "cost $0.00 at each person's rate"
            out.append(
                f"{hours(self.hours)} logged by people without an hourly rate (no cost"
                " counted: give them a rate in the plan)"
            )
        elif self.cost:
            # what the cost is made of, as the budget is compared with it: only the parts
            # there are ("12 h at each person's rate" said of hours no rate priced misled)
            priced = self.hours - self.unpriced_hours
            parts = [f"{hours(priced)} at each person's rate"] if priced > 0 else []
            if self.spend:
                parts.append(f"{money(self.spend, self.currency)} spend")
            out.append(f"cost so far {money(self.cost, self.currency)} ({' plus '.join(parts)})")
            if self.unpriced_hours > 0:
                out.append(
                    f"{hours(self.unpriced_hours)} more logged by people without an hourly"
                    " rate (no cost counted: give them a rate in the plan)"
                )
            if self.budget is not None and self.cost > self.budget:
                out.append(f"{money(self.cost - self.budget, self.currency)} over budget")
        elif self.channels:  # beside "no channel", there is nothing more to say
            out.append("no hours or spend logged on its channels")
        return out

    def cost_line(self, impact: Impact) -> str | None:
        """The cost per extra outcome in words, for the CLI and the page alike."""
        from tracker.formats import money

        per = self.cost_per_extra(impact)
        if per is None:
            return None
        if self.cost:
            basis = "its cost so far"
        elif self.hours:
            basis = "its budget: the hours logged have no hourly rate"
        else:
            basis = "its budget: no hours or spend logged"
        return (
            f"Each extra unit of {impact.metric_name} cost {money(per, self.currency)} ({basis})."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "campaign": self.key,
            "name": self.name,
            "objective": self.objective,
            "channels": self.channels,
            "owner": self.owner,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "budget": self.budget,
            "hours": round(self.hours, 2),
            "cost": round(self.cost, 2),
            "nothing_to_compare": self.nothing_to_compare(),
        }


def _round(value: float | None) -> float | None:
    """Two decimals, or three significant digits below 1 (a rate of 0.0149 is not 0.01,
    its effect of 0.0029 not 0.0)."""
    if value is None:
        return None
    value = float(value)
    if abs(value) < 1:
        return float(f"{value:.3g}") + 0.0
    return round(value, 2)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b}"


# ---------------------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class Estimate:
    actual: float
    expected: float
    effect: float
    low: float
    high: float
    # Chart points during the campaign: mean, low, high per day (stock) or per 7-day
    # block from the start (flow).
    band: list[tuple[float, float, float]]


def estimate(
    pre: np.ndarray,
    during: np.ndarray,
    *,
    behaviour: str = "flow",
    controls_pre: np.ndarray | None = None,
    controls_during: np.ndarray | None = None,
) -> Estimate:
    """Fit on ``pre`` (daily values, NaN for a day without one), forecast ``during``.

    The effect sums the days of ``during`` that have a value (flow), or compares the
    last of them (stock); its interval is the forecast's, for that sum (normal errors).
    """
    # The structural model alone: `statsmodels.api` would import everything (3.5 s).
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    observed = ~np.isnan(during)
    if not observed.any():
        raise ValueError("no values during the campaign")
    # Fitted on a standardised copy: the optimiser converges in a few steps whether the
    # metric counts 3 leads or 2,500 followers; results are scaled back (the model is linear).
    centre = float(np.nanmean(pre))
    scale = float(np.nanstd(pre)) or 1.0
    exog = controls_pre if controls_pre is not None and controls_pre.size else None
    future_exog = controls_during if exog is not None else None
    model = UnobservedComponents(
        (pre - centre) / scale, level="lldtrend", seasonal=7, stochastic_seasonal=False, exog=exog
    )
    with warnings.catch_warnings():
        # Convergence chatter on short or flat series: the interval says how sure we are.
        warnings.simplefilter("ignore")
        # The variances are wanted to about four digits (they move the interval by far
        # less than its own rounding), so the optimiser stops earlier than its default
        # (factr 1e7); and the forecast needs the filter only, not the smoother `fit`
        # would run. Together a third of the time per metric (docs/performance.md).
        params = model.fit(disp=False, return_params=True, factr=1e10)
        fitted = model.filter(params, cov_type="none")
        forecast = fitted.get_forecast(len(during), exog=future_exog)
    mean = centre + scale * np.asarray(forecast.predicted_mean)
    day_sd = scale * np.sqrt(np.maximum(np.asarray(forecast.var_pred_mean), 0.0))
    if behaviour == "stock":
        weights = np.zeros(len(during))
        weights[int(np.flatnonzero(observed)[-1])] = 1.0
        blocks = np.zeros((0, len(during)))
    else:
        weights = observed.astype(float)
        # A flow metric is drawn as 7-day averages (daily counts of 0, 1, 2 are
        # unreadable; an average keeps a short last week comparable): each block's
        # predicted average and its own band, over the days that have a value.
        blocks = np.zeros((math.ceil(len(during) / 7), len(during)))
        for b in range(len(blocks)):
            blocks[b, b * 7 : b * 7 + 7] = observed[b * 7 : b * 7 + 7]
    variances = np.maximum(_variance_of_sum(fitted, np.vstack([weights, blocks])), 0.0)
    sum_sd = scale * math.sqrt(variances[0])
    if not np.isfinite(mean).all() or not math.isfinite(sum_sd):
        raise ValueError("the model could not be fitted")
    z = NormalDist().inv_cdf(1 - (1 - LEVEL) / 2)
    actual = float(np.dot(weights, np.nan_to_num(during)))
    expected = float(np.dot(weights, mean))
    effect = actual - expected
    if behaviour == "stock":
        band = [
            (float(m), float(m - z * sd), float(m + z * sd))
            for m, sd in zip(mean, day_sd, strict=True)
        ]
    else:
        band = []
        for w, variance in zip(blocks, variances[1:], strict=True):
            n = w.sum() or 1.0
            sd = scale * math.sqrt(variance) / n
            m = float(np.dot(w, mean)) / n
            band.append((m, m - z * sd, m + z * sd))
    return Estimate(
        actual=actual,
        expected=expected,
        effect=effect,
        low=effect - z * sum_sd,
        high=effect + z * sum_sd,
        band=band,
    )


def _variance_of_sum(fitted: Any, weights: np.ndarray) -> np.ndarray:
    """Variance of sum_t w_t y_t over the forecast days, from the fitted state space,
    for each row of ``weights`` (one row: a 1-element array).

    The days' forecast errors share the level's random walk, so their variances do not
    simply add: with S_h = sum_{i>=h} w_i Z T^(i-h), the variance is
    S_0 P S_0' + sum_{h>=1} S_h RQR' S_h' + sum_i w_i^2 H, where P is the state's
    uncertainty at the first forecast day (statsmodels' predicted state covariance).
    All rows go through one backward pass (a chart's weekly blocks and the total).
    """
    ssm = fitted.filter_results
    Z = np.asarray(ssm.design[:, :, -1])  # (1, k)
    T = np.asarray(ssm.transition[:, :, -1])
    R = np.asarray(ssm.selection[:, :, -1])
    RQR = R @ np.asarray(ssm.state_cov[:, :, -1]) @ R.T
    H = float(np.asarray(ssm.obs_cov[:, :, -1])[0, 0])
    P = np.asarray(ssm.predicted_state_cov[:, :, -1])
    W = np.atleast_2d(weights)  # (rows, days)
    total = np.sum(W**2, axis=1) * H
    S = np.zeros((len(W), Z.shape[1]))
    nonzero = np.flatnonzero(W.any(axis=0))
    last = int(nonzero[-1]) if len(nonzero) else -1  # S_h is zero after the last weight
    for h in range(last, -1, -1):
        S = W[:, h, None] * Z + S @ T
        if h >= 1:
            total += np.einsum("ik,kl,il->i", S, RQR, S)
    return total + np.einsum("ik,kl,il->i", S, P, S)


def verdict_of(low: float, high: float, scale: float) -> str:
    """``effect`` when the interval excludes 0 (by more than rounding noise)."""
    tolerance = 1e-9 * max(1.0, abs(scale))
    return "effect" if low > tolerance or high < -tolerance else "no_effect"


# ---------------------------------------------------------------------------------------
# Reading the workspace

_CAMPAIGNS = """
SELECT c.key, c.name, c.objective, o.title, c.channels, c.owner,
       coalesce(c.start, o.start) AS start, coalesce(c."end", o.deadline) AS "end", c.budget
FROM campaigns c JOIN objectives o ON o.key = c.objective
WHERE NOT c.archived AND NOT o.archived
ORDER BY o.position, c.position, c.key
"""

# The outcome metrics each objective's KPIs measure (a ratio's numerator and denominator).
_OUTCOMES = """
SELECT DISTINCT k.objective, m.key, m.position
FROM kpis k JOIN metrics m ON m.key IN (k.metric, k.numerator, k.denominator)
WHERE NOT k.archived AND NOT m.archived AND m.class = 'outcome'
ORDER BY k.objective, m.position, m.key
"""

_METRICS = """
SELECT key, name, behaviour, channel, class, unit FROM metrics WHERE NOT archived
ORDER BY position, key
"""


def _series(con: Any, metrics: list[str], first: dt.date, last: dt.date) -> dict[str, np.ndarray]:
    """metric -> daily values from ``first`` to ``last`` (NaN: no value that day)."""
    n = (last - first).days + 1
    if n <= 0 or not metrics:
        return {m: np.full(max(n, 0), np.nan) for m in metrics}
    # One query, placed with numpy: a campaign may read hundreds of control series.
    found = con.execute(
        "SELECT list_position(?, metric) - 1 AS m, date_diff('day', ?::DATE, day) AS i, value"
        " FROM daily_values WHERE list_contains(?, metric) AND day BETWEEN ? AND ?",
        [metrics, first, metrics, first, last],
    ).fetchnumpy()
    grid = np.full((len(metrics), n), np.nan)
    grid[np.asarray(found["m"], dtype=int), np.asarray(found["i"], dtype=int)] = np.asarray(
        found["value"], dtype=float
    )
    return {m: grid[k] for k, m in enumerate(metrics)}


class _CampaignsData:
    """Every series the campaigns need, read in one query and sliced per campaign
    (50 campaigns read the same control series 50 times otherwise)."""

    def __init__(
        self,
        con: Any,
        metrics: dict[str, Any],
        campaigns: list[tuple[Any, ...]],
        as_of: dt.date,
    ) -> None:
        starts = [c[6] or as_of for c in campaigns]
        self.first = min(starts, default=as_of) - dt.timedelta(weeks=PRE_WEEKS)
        last = max(
            [
                max(min(c[7], as_of) if c[7] else as_of, s)
                for c, s in zip(campaigns, starts, strict=True)
            ],
            default=as_of,
        )
        self.series = _series(con, sorted(metrics), self.first, last)

    def window(self, keys: list[str], first: dt.date, last: dt.date) -> dict[str, np.ndarray]:
        a, b = (first - self.first).days, (last - self.first).days + 1
        return {k: self.series[k][a:b] for k in keys}


def _caveats(
    con: Any,
    campaigns: list[tuple[Any, ...]],
    key: str,
    channels: list[str],
    start: dt.date,
    through: dt.date,
) -> list[str]:
    """What else may have moved the numbers: campaigns on the same channels at the same
    time, and notes from two weeks before the start to the last day judged."""
    overlapping = [
        c[1]
        for c in campaigns
        if c[0] != key and _runs_within(c, start, through) and set(c[4] or []) & set(channels)
    ]
    alongside = (
        [f"runs alongside {', '.join(overlapping)} on the same channel(s)"] if overlapping else []
    )
    return alongside + _annotations(con, key, start - dt.timedelta(days=14), through)


def _runs_within(campaign: tuple[Any, ...], first: dt.date, last: dt.date) -> bool:
    """Does a campaign (a row of ``_CAMPAIGNS``) run on some day from ``first`` to ``last``?"""
    start, end = campaign[6], campaign[7]
    return start is not None and start <= last and (end is None or end >= first)


def _annotations(con: Any, campaign: str, first: dt.date, last: dt.date) -> list[str]:
    """Notes near the campaign that are not its own (a holiday, a tracking change)."""
    rows = con.execute(
        "SELECT day, text FROM annotations WHERE day BETWEEN ? AND ?"
        " AND campaign IS DISTINCT FROM ? ORDER BY day",
        [first, last, campaign],
    ).fetchall()
    return [f"{_day(day)}: {text}" for day, text in rows]


def _controls(target: np.ndarray, candidates: dict[str, np.ndarray], n_pre: int) -> list[str]:
    """Other objectives' outcomes complete over the window that tracked the metric before.

    Correlated day to day once each series' weekday rhythm is taken out (two metrics busy
    on Fridays are not for that a control of each other); all candidates at once.
    """
    pre = _deseasoned(target[:n_pre])
    mask = ~np.isnan(pre)
    if mask.sum() < MIN_PRE_DAYS or np.std(pre[mask]) == 0:
        return []
    keys = [k for k, v in candidates.items() if not np.isnan(v).any()]
    if not keys:
        return []
    rows = np.vstack([candidates[k][:n_pre] for k in keys]).astype(float)
    for d in range(7):
        rows[:, d::7] -= rows[:, d::7].mean(axis=1, keepdims=True)
    x = rows[:, mask] - rows[:, mask].mean(axis=1, keepdims=True)
    y = pre[mask] - pre[mask].mean()
    denominator = np.sqrt((x**2).sum(axis=1) * (y**2).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(denominator > 0, (x @ y) / denominator, 0.0)
    order = np.argsort(-np.abs(r))
    return [keys[i] for i in order[:MAX_CONTROLS] if abs(r[i]) >= CONTROL_MIN_R]


def _deseasoned(values: np.ndarray) -> np.ndarray:
    """Values minus their weekday's mean (position modulo 7)."""
    out = values.astype(float).copy()
    for d in range(7):
        part = out[d::7]
        if np.isfinite(part).any():
            out[d::7] = part - np.nanmean(part)
    return out


def campaign_impacts(
    store: Store,
    as_of: dt.date | None = None,
    campaign: str | None = None,
    *,
    ending: tuple[dt.date, dt.date] | None = None,
) -> list[CampaignSummary]:
    """Every campaign (or one) with the impact on each outcome of its objective and each
    metric of its channels (effort and spend aside: those are its cost). ``ending``
    (first, last day) keeps the campaigns whose last day, their own or their objective's
    deadline, falls in that span (the weekly review's "campaigns that ended")."""
    from tracker.errors import NotFound
    from tracker.settings import workspace_currency
    from tracker.working import UNASSIGNED, channel_costs

    with store.session(), store.read() as con:
        as_of = as_of or today(store)
        every_campaign = con.execute(_CAMPAIGNS).fetchall()
        campaigns = every_campaign
        if campaign is not None:
            campaigns = [c for c in every_campaign if c[0] == campaign]
            if not campaigns:
                archived = con.execute(
                    "SELECT c.archived FROM campaigns c JOIN objectives o ON o.key = c.objective"
                    " WHERE c.key = ?",
                    [campaign],
                ).fetchall()
                if archived:  # not unknown: the plan no longer runs it (or its objective)
                    raise NotFound(
                        f"campaign {campaign!r} is archived"
                        + ("" if archived[0][0] else " with its objective")
                        + "; only campaigns in the plan are judged (list it again to see it)"
                    )
                raise NotFound(f"unknown campaign {campaign!r}; see `waypoint plan export`")
        if ending is not None:
            campaigns = [
                c for c in campaigns if c[7] is not None and ending[0] <= c[7] <= ending[1]
            ]
        if not campaigns:
            return []
        outcomes: dict[str, list[str]] = {}
        for objective, metric, _ in con.execute(_OUTCOMES).fetchall():
            outcomes.setdefault(objective, []).append(metric)
        metrics = {r[0]: r for r in con.execute(_METRICS).fetchall()}
        people = dict(con.execute("SELECT key, name FROM people").fetchall())
        currency = workspace_currency(con)
        every = _CampaignsData(con, metrics, campaigns, as_of)
        out: list[CampaignSummary] = []
        for key, name, objective, title, channels, owner, start, end, budget in campaigns:
            channels = list(channels or [])
            through = min(end, as_of) if end else as_of
            wanted = list(outcomes.get(objective, []))
            for m, (_, _, _, channel, klass, _) in metrics.items():
                if channel in channels and klass not in ("effort", "spend") and m not in wanted:
                    wanted.append(m)
            if start is None:
                # No day to compare before and after: it was taken as the as-of day, so
                # "only 0 days during it" said to wait, and every day moved it on again.
                impacts = [
                    _unjudged(
                        metrics[m], (key, name), (None, end, through), currency, reason=NO_START
                    )
                    for m in wanted
                ]
                totals = dict.fromkeys(("hours", "cost", "spend", "unpriced"), 0.0)
                caveats: list[str] = []
            else:
                # Controls: other objectives' outcomes, but none an objective's own campaign
                # moved meanwhile (a control pushed up by it read as this campaign's loss)
                busy = {
                    c[2]
                    for c in every_campaign
                    if c[0] != key and c[2] != objective and _runs_within(c, start, through)
                }
                moved = {m for o in busy for m in outcomes.get(o, [])}
                others = sorted(
                    {m for o, ms in outcomes.items() if o != objective for m in ms}
                    - set(wanted)
                    - moved
                )
                first = start - dt.timedelta(weeks=PRE_WEEKS)
                series = every.window(wanted + others, first, max(through, start))
                costs = channel_costs(con, start, through) if through >= start else {}
                # the campaign's channels' hours, cost, spend and unpriced hours, added up
                totals = {
                    part: sum(
                        costs.get(ch, {}).get(part, 0.0) for ch in channels if ch != UNASSIGNED
                    )
                    for part in ("hours", "cost", "spend", "unpriced")
                }
                window = _Window(
                    campaign=key,
                    name=name,
                    start=start,
                    end=end,
                    through=through,
                    first=first,
                    series=series,
                    others=others,
                    caveats=_caveats(con, every_campaign, key, channels, start, through),
                    currency=currency,
                )
                impacts = [_impact(window, metrics[m]) for m in wanted]
                caveats = window.caveats
            out.append(
                CampaignSummary(
                    key=key,
                    name=name,
                    objective=objective,
                    objective_title=title,
                    channels=channels,
                    owner=people.get(owner, owner) if owner else None,
                    start=start,
                    end=end,
                    budget=budget,
                    hours=totals["hours"],
                    cost=totals["cost"],
                    spend=totals["spend"],
                    unpriced_hours=totals["unpriced"],
                    impacts=impacts,
                    currency=currency,
                    caveats=caveats,
                )
            )
    return out


NO_START = (
    "neither it nor its objective has a start date: set the campaign's start in the plan"
    " to compare the weeks before it with its days"
)


def _unjudged(
    metric_row: tuple[Any, ...],
    campaign: tuple[str, str],
    span: tuple[dt.date | None, dt.date | None, dt.date],
    currency: str,
    **more: Any,
) -> Impact:
    """A metric of a campaign (key, name) over its span (start, end, through), before any
    judgement: ``not_enough_data`` until the model says otherwise. A campaign with no
    start stays so (``reason=NO_START``): waiting will not mend it."""
    metric, metric_name, behaviour, _, klass, unit = metric_row
    return Impact(
        campaign=campaign[0],
        campaign_name=campaign[1],
        metric=metric,
        metric_name=metric_name,
        behaviour=behaviour,
        start=span[0],
        end=span[1],
        through=span[2],
        verdict="not_enough_data",
        unit=unit,
        currency=currency,
        outcome=klass == "outcome",
        **more,
    )


def _span(start: dt.date | None, end: dt.date | None) -> str:
    """A campaign's days as every page writes a run of days (7 Sep – 4 Oct 2026)."""
    if start is None:
        return f"no start date – {long_day(end)}" if end else "no start date"
    return day_span(start, end) if end else f"{long_day(start)} – now"


@dataclass(frozen=True)
class _Window:
    """One campaign's days and everything its metrics are judged with."""

    campaign: str
    name: str
    start: dt.date
    end: dt.date | None
    through: dt.date
    first: dt.date  # the first day of ``series``
    series: dict[str, np.ndarray]
    others: Sequence[str]  # other objectives' outcomes: candidate controls
    caveats: list[str]
    currency: str


def _impact(w: _Window, metric_row: tuple[Any, ...]) -> Impact:
    metric, behaviour = metric_row[0], metric_row[2]
    start, through, series, others = w.start, w.through, w.series, w.others
    values = series[metric]
    n_pre = (start - w.first).days
    pre, during = values[:n_pre], values[n_pre : n_pre + max((through - start).days + 1, 0)]
    with_value = np.flatnonzero(~np.isnan(pre))
    pre_days = int(len(pre) - with_value[0]) if len(with_value) else 0
    impact = _unjudged(
        metric_row,
        (w.campaign, w.name),
        (start, w.end, through),
        w.currency,
        pre_weeks=pre_days / 7,
        days=int((~np.isnan(during)).sum()),
        caveats=w.caveats,
    )
    if start > through:
        impact.reason = "the campaign has not started"
        impact.too_early = True
        return impact
    gaps = np.diff(with_value)
    if len(with_value) < MIN_PRE_DAYS <= pre_days and len(gaps) and np.median(gaps) >= 2:
        # the weeks are there but read now and then (a level noted each Monday): no
        # import of earlier weeks helps, only values on most days (one value typed long
        # before a month of daily imports is no such metric: it lacks earlier weeks)
        impact.reason = (
            f"values on only {len(with_value)} of the {pre_days} days before it, and the"
            f" model needs {MIN_PRE_DAYS} days with values: a metric read weekly or now and"
            " then cannot be judged day by day; log or import it daily"
        )
        return impact
    if len(with_value) < MIN_PRE_DAYS:
        impact.reason = (
            (
                "no values before it started"
                if not len(with_value)
                else f"only {len(with_value)} days of values before it"
            )
            + ", and 8 weeks (56 days) are needed: import the weeks before it (waiting will not add them)"
        )
        return impact
    if impact.days < MIN_DURING_DAYS:
        impact.reason = f"only {impact.days} days of values during it; 7 are needed"
        impact.too_early = True
        return impact
    # Fit on the history that has values (leading days without any are not "zero").
    pre = pre[-pre_days:]
    window = np.concatenate([pre, during])
    chosen = _controls(
        window, {o: series[o][n_pre - pre_days : n_pre + len(during)] for o in others}, pre_days
    )
    ctrl = (
        np.column_stack([series[o][n_pre - pre_days : n_pre + len(during)] for o in chosen])
        if chosen
        else None
    )
    try:
        est = estimate(
            pre,
            during,
            behaviour=behaviour,
            controls_pre=ctrl[:pre_days] if ctrl is not None else None,
            controls_during=ctrl[pre_days:] if ctrl is not None else None,
        )
    except (ValueError, np.linalg.LinAlgError) as exc:
        impact.reason = f"the model could not be fitted ({exc})"
        return impact
    impact.actual, impact.expected, impact.effect = est.actual, est.expected, est.effect
    impact.low, impact.high = est.low, est.high
    impact.verdict = verdict_of(est.low, est.high, est.expected)
    impact.controls = chosen
    impact.series = _chart_points(start, pre, during, est.band, behaviour)
    return impact


def _chart_points(
    start: dt.date,
    pre: np.ndarray,
    during: np.ndarray,
    band: list[tuple[float, float, float]],
    behaviour: str,
) -> list[DayBand]:
    """What the chart draws: daily levels (stock), or 7-day averages per day in blocks
    counted from the campaign's start, back through the pre-period and on (flow)."""

    def value(v: float) -> float | None:
        return None if math.isnan(v) else float(v)

    if behaviour == "stock":
        points = [
            DayBand(start - dt.timedelta(days=len(pre) - i), value(v), None, None, None)
            for i, v in enumerate(pre)
        ]
        return points + [
            DayBand(start + dt.timedelta(days=i), value(v), *b)
            for i, (v, b) in enumerate(zip(during, band, strict=True))
        ]

    def block_mean(values: np.ndarray) -> float | None:
        return float(np.nanmean(values)) if np.isfinite(values).any() else None

    points = []
    for end in range(len(pre), 6, -7):  # whole weeks before the start only
        points.append(
            DayBand(
                start - dt.timedelta(days=len(pre) - end + 7),
                block_mean(pre[end - 7 : end]),
                None,
                None,
                None,
            )
        )
    points.reverse()
    for k, b in enumerate(band):
        if 7 * k + 7 > len(during) and k > 0:
            break  # a short last week mixes weekdays unlike the others: left to the sentence
        points.append(
            DayBand(start + dt.timedelta(days=7 * k), block_mean(during[7 * k : 7 * k + 7]), *b)
        )
    return points


def impact_rows(summaries: list[CampaignSummary]) -> list[dict[str, Any]]:
    """The CLI's JSON rows (DESIGN): one per campaign x metric."""
    return [i.as_dict() for s in summaries for i in s.impacts]


__all__ = ["CampaignSummary", "Impact", "campaign_impacts", "estimate", "impact_rows"]
