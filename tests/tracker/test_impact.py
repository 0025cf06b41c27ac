"""Campaign impact (#20, DESIGN "Campaign impact"): the model's verdicts on synthetic
workspaces, the rules for too little data, running campaigns, stock outcomes, zeros and
gaps, and the command line."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from tests.clirunner import waypoint
from tracker.impact import Impact, _variance_of_sum, campaign_impacts, estimate
from tracker.models import LOCAL_MANAGER
from tracker.observations import write_observations
from tracker.plan import apply_plan_text
from tracker.store import Store

START = dt.date(2026, 9, 7)  # a Monday: the campaign's first day


def _synthetic(rng: np.random.Generator, effect: float, pre: int = 84, during: int = 28):
    """Poisson counts around a level with a trend and a weekday rhythm; ``effect`` lifts
    the campaign's days by that share. Returns pre, during and the true summed effect."""
    t = np.arange(pre + during)
    level = rng.uniform(5, 30)
    slope = rng.uniform(-0.3, 0.6) * level / 100
    rhythm = np.array([1.0, 1.1, 1.2, 1.1, 1.3, 0.6, 0.5])[(t + rng.integers(7)) % 7]
    base = np.maximum(level + slope * t, 0.5) * rhythm
    y = rng.poisson(base * np.where(t >= pre, 1 + effect, 1.0)).astype(float)
    return y[:pre], y[pre:], float((base[pre:] * effect).sum())


@pytest.mark.slow
def test_the_model_finds_real_effects_covers_them_and_rarely_invents_one() -> None:
    rng = np.random.default_rng(20261123)
    found = covered = invented = 0
    for _ in range(200):
        pre, during, true = _synthetic(rng, 0.30)  # +30% for 4 weeks after 12 weeks
        est = estimate(pre, during)
        found += est.low > 0
        covered += est.low <= true <= est.high
        pre, during, _ = _synthetic(rng, 0.0)
        est = estimate(pre, during)
        invented += est.low > 0 or est.high < 0
    assert found >= 160, found  # reported as an effect in at least 80%
    assert covered >= 170, covered  # the 90% interval covers the truth in at least 85%
    assert invented <= 20, invented  # no true effect: "effect" in at most 10%


def test_the_interval_of_a_sum_matches_the_models_own_simulated_paths() -> None:
    """The forecast variance of a sum, computed from the state space, is what
    statsmodels' simulation of the fitted model gives (errors share the level's walk)."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    rng = np.random.default_rng(3)
    pre = 20 + np.cumsum(rng.normal(0, 0.5, 90)) + rng.normal(0, 1.5, 90)
    fitted = UnobservedComponents(pre, level="lldtrend", seasonal=7, stochastic_seasonal=False).fit(
        disp=False
    )
    weights = np.ones(21)
    weights[[3, 10]] = 0  # two days without a value
    computed = float(_variance_of_sum(fitted, weights)[0])
    paths = np.asarray(
        fitted.simulate(21, anchor="end", repetitions=4000, rng=np.random.default_rng(1))
    ).reshape(21, -1)
    simulated = float(np.var(weights @ paths))
    assert computed == pytest.approx(simulated, rel=0.1)
    # Several sums in one pass (the chart's weekly blocks) are each that sum's variance.
    first_week = np.where(np.arange(21) < 7, weights, 0.0)
    both = _variance_of_sum(fitted, np.vstack([weights, first_week]))
    assert both[0] == pytest.approx(computed)
    assert both[1] == pytest.approx(float(_variance_of_sum(fitted, first_week)[0]))
    assert both[1] < both[0]


PLAN = textwrap.dedent(
    """
    workspace: {name: Impact Cafe, timezone: UTC}
    people:
      - {key: ana, name: Ana, role: manager, hourly_rate: 30}
    metrics:
      - {key: orders, name: Catering orders, class: outcome, behaviour: flow}
      - {key: members, name: Loyalty members, class: outcome, behaviour: stock}
      - {key: followers, name: Instagram followers, channel: instagram, class: reach, behaviour: stock}
      - {key: ig-hours, name: Instagram hours, channel: instagram, class: effort, behaviour: flow, unit: h}
    objectives:
      - key: grow
        title: More catering orders
        outcome: revenue
        owner: ana
        start: 2026-01-01
        deadline: 2026-12-31
        campaigns:
          - {key: launch, name: Autumn launch, channels: [instagram], owner: ana, start: 2026-09-07, end: 2026-10-04, budget: 500}
        kpis:
          - {key: orders-kpi, metric: orders, target: 100, owner: ana}
          - {key: members-kpi, metric: members, target: 900, owner: ana}
    """
)


def _load(
    store: Store,
    metric: str,
    values: dict[dt.date, float],
    source: str = "pos",
    by: str | None = None,
) -> None:
    days = sorted(values)
    table = pa.table(
        {
            "line": pa.array(range(1, len(days) + 1), pa.int64()),
            "day": pa.array(days, pa.date32()),
            "metric": [metric] * len(days),
            "value": pa.array([values[d] for d in days], pa.float64()),
            "source": [source] * len(days),
            "recorded_by": pa.array([by] * len(days), pa.string()),
            "note": pa.array([None] * len(days), pa.string()),
        }
    )
    with store.session():
        write_observations(store, LOCAL_MANAGER, table)


def _days(first: dt.date, n: int) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range(n)]


def _steady_orders(store: Store, seed: int) -> None:
    """About 6 orders a day for 12 weeks before the launch and its 4 weeks."""
    rng = np.random.default_rng(seed)
    days = _days(START - dt.timedelta(days=84), 112)
    _load(store, "orders", {d: float(rng.poisson(6)) for d in days})


@pytest.fixture(scope="module")
def _cafe_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = Store(tmp_path_factory.mktemp("cafe") / "cafe.duckdb", lock_timeout=10)
    store.init()
    apply_plan_text(store, PLAN, LOCAL_MANAGER, source="plan")
    return store.path


@pytest.fixture
def cafe(_cafe_template: Path, tmp_path: Path) -> Store:
    """The café's plan, applied once per module; each test writes to its own copy."""
    shutil.copy(_cafe_template, tmp_path / "cafe.duckdb")
    return Store(tmp_path / "cafe.duckdb", lock_timeout=10)


def _only(store: Store, metric: str, as_of: dt.date):
    (summary,) = campaign_impacts(store, as_of)
    return summary, next(i for i in summary.impacts if i.metric == metric)


def test_fewer_than_eight_weeks_before_or_seven_days_during_is_not_enough(cafe: Store) -> None:
    rng = np.random.default_rng(1)
    history = _days(START - dt.timedelta(days=50), 50 + 28)  # 50 days before: too few
    _load(cafe, "orders", {d: float(rng.poisson(5)) for d in history})
    _, impact = _only(cafe, "orders", dt.date(2026, 10, 20))
    assert impact.verdict == "not_enough_data"
    assert "50 days of values before it" in impact.reason
    row = impact.as_dict()
    assert row["effect"] is None and row["low"] is None and row["verdict"] == "not_enough_data"

    _load(
        cafe, "orders", {d: float(rng.poisson(5)) for d in _days(START - dt.timedelta(days=84), 34)}
    )
    _, impact = _only(cafe, "orders", START + dt.timedelta(days=4))  # 5 days in
    assert impact.verdict == "not_enough_data" and "5 days of values during it" in impact.reason


def test_a_metric_read_weekly_is_told_to_be_read_daily_not_to_import_more_weeks(
    cafe: Store,
) -> None:
    # a level noted each Monday for half a year (the model looks 16 weeks back): the
    # weeks before are all there, so "import the weeks before it" sent the owner after
    # history they already had
    mondays = [START - dt.timedelta(days=7 * i) for i in range(1, 27)]
    mondays += [START + dt.timedelta(days=7 * i) for i in range(4)]
    _load(cafe, "members", {d: 500.0 + 3 * i for i, d in enumerate(sorted(mondays))})
    _, impact = _only(cafe, "members", dt.date(2026, 10, 20))
    assert impact.verdict == "not_enough_data"
    assert impact.reason.startswith("values on only 16 of the 112 days before it"), impact.reason
    assert "log or import it daily" in impact.reason and "import the weeks" not in impact.reason


def test_a_daily_metric_with_one_early_value_is_told_to_import_the_weeks_before(
    cafe: Store,
) -> None:
    # one value typed 100 days before the start, then a month of daily imports: the
    # metric is read daily, what it lacks is earlier weeks, not a daily habit
    days = [START - dt.timedelta(days=100)] + _days(START - dt.timedelta(days=30), 30 + 28)
    _load(cafe, "orders", {d: 5.0 for d in days})
    _, impact = _only(cafe, "orders", dt.date(2026, 10, 20))
    assert impact.verdict == "not_enough_data"
    assert "import the weeks before it" in impact.reason, impact.reason


def test_a_running_campaign_is_judged_so_far(cafe: Store) -> None:
    rng = np.random.default_rng(2)
    values = {d: float(rng.poisson(6)) for d in _days(START - dt.timedelta(days=84), 84)}
    values.update({d: float(rng.poisson(12)) for d in _days(START, 14)})  # doubled, 2 weeks in
    _load(cafe, "orders", values)
    summary, impact = _only(cafe, "orders", START + dt.timedelta(days=13))
    assert impact.running and impact.days == 14
    assert impact.verdict == "effect" and impact.low > 0
    assert impact.actual == sum(values[d] for d in _days(START, 14))
    assert impact.sentence().startswith(
        "So far during Autumn launch (7 Sep – 4 Oct 2026), Catering"
    )
    # Cost: nothing logged, so the budget is what each extra order cost.
    assert summary.cost_per_extra(impact) == round(500 / impact.effect, 2)
    assert summary.cost_line(impact).endswith("(its budget: no hours or spend logged).")
    # more likes or reach are not a result to price: only an outcome gets a cost per extra
    from dataclasses import replace

    hours_only = replace(summary, hours=12.0)
    assert hours_only.cost_line(impact).endswith(
        "(its budget: the hours logged have no hourly rate)."
    )

    reach = replace(impact, outcome=False)
    assert summary.cost_per_extra(reach) is None and summary.cost_line(reach) is None


def test_a_stock_outcome_is_judged_by_its_change_in_level(cafe: Store) -> None:
    rng = np.random.default_rng(4)
    before = _days(START - dt.timedelta(days=84), 84)
    values = {d: 500 + 2 * i + float(rng.normal(0, 3)) for i, d in enumerate(before)}
    values.update(
        {d: 668 + 12 * i + float(rng.normal(0, 3)) for i, d in enumerate(_days(START, 28))}
    )
    _load(cafe, "members", values)
    _, impact = _only(cafe, "members", dt.date(2026, 10, 20))
    assert not impact.running
    # The level on the last day (about 668 + 12 * 27 = 992) against the trend's ~724.
    assert impact.actual == values[dt.date(2026, 10, 4)]
    assert impact.verdict == "effect" and 220 < impact.effect < 310
    assert "the level of Loyalty members ended" in impact.sentence()


def test_zeros_and_gaps_count_only_the_days_with_a_value(cafe: Store) -> None:
    rng = np.random.default_rng(5)
    values: dict[dt.date, float] = {}
    for i, d in enumerate(_days(START - dt.timedelta(days=98), 98 + 28)):
        if i % 9 == 4:
            continue  # a day nobody logged: a gap, not a zero
        values[d] = float(rng.poisson(0.8))  # mostly zeros and ones
    _load(cafe, "orders", values)
    _, impact = _only(cafe, "orders", dt.date(2026, 10, 20))
    during = [d for d in _days(START, 28) if d in values]
    assert impact.days == len(during) < 28
    assert impact.actual == sum(values[d] for d in during)
    assert impact.verdict == "no_effect"
    assert impact.low < 0 < impact.high


def test_channel_metrics_are_judged_and_effort_is_cost_not_an_outcome(cafe: Store) -> None:
    rng = np.random.default_rng(6)
    days = _days(START - dt.timedelta(days=84), 84 + 28)
    _load(cafe, "followers", {d: 1000 + i + float(rng.normal(0, 2)) for i, d in enumerate(days)})
    _load(cafe, "ig-hours", {d: 2.0 for d in _days(START, 28)}, source="timesheet", by="ana")
    summary, _ = _only(cafe, "followers", dt.date(2026, 10, 20))
    assert [i.metric for i in summary.impacts] == ["orders", "members", "followers"]
    assert summary.hours == 56 and summary.cost == 56 * 30


def test_the_cost_says_what_it_is_made_of_and_which_hours_no_rate_priced(cafe: Store) -> None:
    # spend made the cost and the only hours were unpriced: the page read "cost so far
    # $280.00 (42 h at each person's rate, plus spend)", as if the hours had been priced
    plan = PLAN.replace(
        "role: manager, hourly_rate: 30}",
        "role: manager, hourly_rate: 30}\n  - {key: bo, name: Bo, role: assistant}",
    ).replace(
        "  - {key: ig-hours,",
        "  - {key: ig-ads, name: Instagram ads, channel: instagram, class: spend,"
        " behaviour: flow}\n  - {key: ig-hours,",
    )
    apply_plan_text(cafe, plan, LOCAL_MANAGER, source="plan")
    _load(cafe, "ig-ads", {d: 10.0 for d in _days(START, 28)}, source="ads")
    _load(cafe, "ig-hours", {d: 0.5 for d in _days(START, 28)}, source="bo-sheet", by="bo")
    (summary,) = campaign_impacts(cafe, dt.date(2026, 10, 20))
    assert (summary.hours, summary.unpriced_hours, summary.spend) == (14, 14, 280)
    assert "cost so far $280.00 ($280.00 spend)" in summary.facts()
    assert "14 h more logged by people without an hourly rate" in " ".join(summary.facts())
    # then Ana, at $30 an hour, logs 28 h: both parts, and Bo's hours still named
    _load(cafe, "ig-hours", {d: 1.0 for d in _days(START, 28)}, source="timesheet", by="ana")
    (summary,) = campaign_impacts(cafe, dt.date(2026, 10, 20))
    facts = summary.facts()
    assert "cost so far $1,120.00 (28 h at each person's rate plus $280.00 spend)" in facts
    assert "14 h more logged by people without an hourly rate" in " ".join(facts)


def test_cli_json_follows_design_and_an_unknown_campaign_exits_2(cafe: Store) -> None:
    _steady_orders(cafe, seed=7)
    run = waypoint(cafe.path, "impact", "launch", "--as-of", "2026-10-20", "--json")
    assert run.code == 0, run.err
    rows = run.json()["campaigns"]
    keys = {
        "campaign",
        "metric",
        "start",
        "end",
        "actual",
        "expected",
        "effect",
        "low",
        "high",
        "verdict",
    }
    assert all(keys <= set(r) for r in rows)
    orders = next(r for r in rows if r["metric"] == "orders")
    assert orders["start"] == "2026-09-07" and orders["end"] == "2026-10-04"
    assert orders["verdict"] in ("effect", "no_effect")
    assert orders["low"] <= orders["effect"] <= orders["high"]
    text = waypoint(cafe.path, "impact", "--as-of", "2026-10-20")
    assert "Autumn launch" in text.out and "During Autumn launch (7 Sep – 4 Oct 2026)" in text.out
    # the Campaigns page's marks, not the warning triangle of statuses and flags
    assert "▲" not in text.out and ("◆ effect" in text.out or "◇ no effect" in text.out)
    bad = waypoint(cafe.path, "impact", "nope")
    assert bad.code == 2 and "unknown campaign 'nope'" in bad.err
    # an archived campaign is not unknown: the plan no longer runs it
    without = "\n".join(
        line for line in PLAN.splitlines() if "campaigns:" not in line and "launch" not in line
    )
    assert "launch" not in without
    apply_plan_text(cafe, without, LOCAL_MANAGER, source="plan")
    gone = waypoint(cafe.path, "impact", "launch")
    assert gone.code == 2 and "campaign 'launch' is archived;" in gone.err, gone.err


def test_the_weekly_review_tells_of_a_campaign_that_ended_that_week(cafe: Store) -> None:
    from tracker.report import render_html, render_markdown, weekly_review

    _steady_orders(cafe, seed=8)
    review = weekly_review(cafe, "2026-W40")  # 28 Sep - 4 Oct: the launch ended on the 4th
    ((name, findings),) = review.campaigns_ended
    assert name == "Autumn launch"
    assert findings[0].startswith("During Autumn launch (7 Sep – 4 Oct 2026), Catering orders were")
    assert "## Campaigns that ended" in render_markdown(review)
    assert "<b>Autumn launch</b>" in render_html(review)
    assert weekly_review(cafe, "2026-W41").campaigns_ended == []


def test_controls_move_with_the_metric_day_to_day_not_merely_on_the_same_weekdays() -> None:
    from tracker.impact import _controls

    rng = np.random.default_rng(9)
    rhythm = np.array([1.0, 1.0, 1.0, 1.0, 3.0, 0.2, 0.2])[np.arange(112) % 7]
    target = 10 * rhythm + rng.normal(0, 2, 112)
    busy_fridays = 5 * rhythm + rng.normal(0, 1, 112)  # same weekdays, unrelated days
    co_mover = target * 0.5 + rng.normal(0, 0.5, 112)  # moves with it every day
    gappy = co_mover.copy()
    gappy[30] = np.nan  # a control must have every day of the window
    chosen = _controls(target, {"busy": busy_fridays, "mover": co_mover, "gappy": gappy}, n_pre=84)
    assert chosen == ["mover"]


def test_a_campaign_without_its_own_end_ends_with_its_objective_in_the_review(
    store: Store,
) -> None:
    """The review uses the campaign's end as the Campaigns page does: its own, else its
    objective's deadline (the demo's thank-you cards have none of their own)."""
    from tracker.report import weekly_review

    plan = PLAN.replace(", end: 2026-10-04", "").replace(
        "deadline: 2026-12-31", "deadline: 2026-10-04"
    )
    apply_plan_text(store, plan, LOCAL_MANAGER, source="plan")
    _steady_orders(store, seed=8)
    ((name, findings),) = weekly_review(store, "2026-W40").campaigns_ended
    assert name == "Autumn launch"
    assert findings[0].startswith("During Autumn launch (7 Sep – 4 Oct 2026)")
    assert weekly_review(store, "2026-W39").campaigns_ended == []


def test_a_campaign_over_its_budget_says_by_how_much_and_what_its_cost_is() -> None:
    """The page read "budget $2,400.00 · cost so far $8,034.00" with no word that the
    cost (staff hours at their rates, plus spend) is over the budget."""
    from tracker.impact import CampaignSummary

    summary = CampaignSummary(
        key="fb",
        name="Facebook lunch-hour ads",
        objective="o",
        objective_title="O",
        channels=["facebook"],
        owner=None,
        start=dt.date(2026, 9, 1),
        end=None,
        budget=2400.0,
        hours=180.0,
        cost=8034.0,
        impacts=[],
    )
    facts = summary.facts()
    assert "cost so far $8,034.00 (180 h at each person's rate)" in facts
    assert "$5,634.00 over budget" in facts
    spent = CampaignSummary(**{**summary.__dict__, "spend": 2634.0})
    assert "cost so far $8,034.00 (180 h at each person's rate plus $2,634.00 spend)" in (
        spent.facts()
    )
    within = CampaignSummary(**{**summary.__dict__, "cost": 900.0})
    assert not [f for f in within.facts() if "over budget" in f]
    # 12 hours logged by someone without a rate: no "$0.00 at each person's rate", and
    # the cost per extra result says why it is the budget
    unpriced = CampaignSummary(**{**summary.__dict__, "cost": 0.0, "hours": 12.0})
    facts = unpriced.facts()
    assert not [f for f in facts if "cost so far" in f]
    assert "12 h logged by people without an hourly rate" in " ".join(facts)
    assert "`" not in " ".join(facts)  # words on the page, not a plan field in code marks


def test_a_small_rate_keeps_its_digits_in_words_and_json() -> None:
    # A conversion rate of 0.012 that rose to 0.0149: rounded to 2 decimals it read
    # "0 to 0" and "no change at all" beside the verdict "effect"
    impact = Impact(
        campaign="c", campaign_name="Spring push", metric="rate", metric_name="conversion",
        behaviour="stock", start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31),
        through=dt.date(2026, 10, 31), verdict="effect", actual=0.01488, expected=0.01203,
        effect=0.00285, low=0.0021, high=0.0036, pre_weeks=16, days=31,
    )  # fmt: skip
    text = impact.sentence()
    assert "no change" not in text
    assert "0.0029 above" in text and "(90%: 0.0021 to 0.0036)" in text
    data = impact.as_dict()
    assert (data["actual"], data["expected"], data["effect"]) == (0.0149, 0.012, 0.00285)
    assert (data["low"], data["high"]) == (0.0021, 0.0036)
    # amounts from 1 up keep two decimals, as before
    impact.effect, impact.low, impact.high, impact.actual = 38.456, 12.0, 64.2, 250.123
    assert impact.as_dict()["effect"] == 38.46 and impact.as_dict()["actual"] == 250.12
    assert "38 above" in impact.sentence()
    # nothing at all to show: still said in words
    impact.effect = impact.low = impact.high = 0.0
    assert "no change at all" in impact.sentence()
    # none, with a band around it: "just what ... predicted", not "0 above"
    impact.low, impact.high, impact.verdict = -0.00293, 0.00293, "no_effect"
    assert impact.sentence() == (
        "During Spring push (1–31 Oct 2026), the level of conversion ended just what the 16"
        " weeks before predicted (90%: -0.0029 to 0.0029); that is within what chance alone"
        " gives."
    )


def test_a_campaign_with_nothing_to_compare_says_why_everywhere(tmp_path: Path) -> None:
    # an objective judged by likes alone (no outcome metric), a campaign on no channel and
    # one on a channel nothing is counted on: the command printed only the header and the
    # weekly review said "not enough data", with 26 weeks of data stored
    from tracker.report import weekly_review

    plan = PLAN + textwrap.indent(
        textwrap.dedent(
            """
            - key: brand
              title: A warmer brand
              outcome: reputation
              owner: ana
              start: 2026-01-01
              deadline: 2026-12-31
              campaigns:
                - {key: quiet, name: Quiet month, owner: ana, start: 2026-10-01, end: 2026-10-31}
                - {key: li, name: LinkedIn month, channels: [linkedin], owner: ana, start: 2026-10-01, end: 2026-10-31}
              kpis:
                - {key: likes-kpi, metric: likes, target: 500, owner: ana}
            """
        ).strip("\n"),
        "  ",
    )
    plan = plan.replace(
        "metrics:\n",
        "metrics:\n  - {key: likes, name: Likes, class: engagement, behaviour: flow}\n",
    )
    db = tmp_path / "w.duckdb"
    store = Store(db)
    apply_plan_text(store, plan, LOCAL_MANAGER)
    _load(store, "likes", {d: 5.0 for d in _days(dt.date(2026, 5, 1), 190)})
    quiet, li = (s for s in campaign_impacts(store, dt.date(2026, 11, 6)) if s.key != "launch")
    assert quiet.impacts == [] and li.impacts == []
    assert quiet.nothing_to_compare() == (
        "nothing to compare: its objective A warmer brand has no KPI on an outcome metric,"
        " and it names no channel"
    )
    # "no channel" says it: not "no hours or spend logged on its channels" beside it
    assert quiet.facts()[1:] == ["no channel", "owner Ana"]
    assert li.nothing_to_compare() is not None
    assert li.nothing_to_compare().endswith(
        "nothing but hours or spend is counted on its channel LinkedIn"
    )
    run = waypoint(db, "impact", "quiet", "--as-of", "2026-11-06")
    assert run.code == 0 and "? nothing to compare: its objective A warmer brand" in run.out
    data = waypoint(db, "impact", "quiet", "--as-of", "2026-11-06", "--json").json()
    assert data["summaries"][0]["nothing_to_compare"].startswith("nothing to compare")
    review = weekly_review(store, "2026-W44", now=dt.datetime(2026, 11, 6, 12, tzinfo=dt.UTC))
    ended = dict(review.campaigns_ended)
    assert ended["Quiet month"] == [quiet.nothing_to_compare()]


def test_a_campaign_with_no_start_anywhere_is_not_judged_and_says_why(tmp_path: Path) -> None:
    # neither the campaign nor its objective has a start: the as-of day was taken for
    # it, so it always read "only 0 days of values during it" and moved on each day
    plan = TWO_OBJECTIVES.replace("    start: 2026-06-01\n", "", 1).replace(
        "start: UP_START, end: UP_END", "end: 2026-11-30"
    )
    db = tmp_path / "w.duckdb"
    store = Store(db)
    apply_plan_text(store, plan, LOCAL_MANAGER)
    _load(store, "leads", {d: 5.0 for d in _days(dt.date(2026, 5, 1), 190)})
    for as_of in (dt.date(2026, 11, 6), dt.date(2026, 11, 20)):
        (undated,) = (s for s in campaign_impacts(store, as_of) if s.key == "c-up")
        assert undated.start is None and undated.facts()[0] == "no start date – 30 Nov 2026"
        assert undated.facts()[-1] == "no cost counted without a start date"
        (leads,) = undated.impacts
        assert leads.verdict == "not_enough_data" and not leads.too_early
        assert leads.reason.startswith("neither it nor its objective has a start date")
        assert undated.not_judged() == ("Cannot judge it", [leads.reason])  # not "yet"
    data = waypoint(db, "impact", "c-up", "--as-of", "2026-11-06", "--json").json()
    (row,) = data["campaigns"]
    assert row["start"] is None and row["verdict"] == "not_enough_data"
    assert data["summaries"][0]["start"] is None
    run = waypoint(db, "impact", "c-up", "--as-of", "2026-11-06")
    assert run.code == 0 and "no start date" in run.out


TWO_OBJECTIVES = textwrap.dedent(
    """
    workspace: {name: Two aims, timezone: UTC}
    people:
      - {key: mia, name: Mia, role: manager}
    metrics:
      - {key: leads, name: Qualified leads, channel: website, class: outcome, behaviour: flow}
      - {key: sales, name: Sales, channel: shop, class: outcome, behaviour: flow}
    objectives:
      - key: o-a
        title: More leads
        outcome: leads
        owner: mia
        start: 2026-06-01
        deadline: 2026-12-31
        campaigns:
          - {key: c-up, name: LinkedIn answers, channels: [facebook], owner: mia, start: UP_START, end: UP_END}
        kpis:
          - {key: k-a, metric: leads, target: 2000, owner: mia}
      - key: o-b
        title: More sales
        outcome: revenue
        owner: mia
        start: 2026-06-01
        deadline: 2026-12-31
        campaigns:
          - {key: c-flat, name: Flat promo, channels: [instagram], owner: mia, start: 2026-10-05, end: 2026-11-01}
        kpis:
          - {key: k-b, metric: sales, target: 2000, owner: mia}
    """
)


@pytest.mark.parametrize(
    ("up", "control"),
    [(("2026-10-05", "2026-11-01"), []), (("2026-07-06", "2026-07-20"), ["leads"])],
)
def test_an_outcome_another_campaign_moved_meanwhile_is_no_control(
    tmp_path: Path, up: tuple[str, str], control: list[str]
) -> None:
    # Leads and sales share their daily ups and downs; a leads campaign lifts leads by 6
    # a day while a sales campaign changes nothing. Leads, as the sales campaign's
    # control, carried the other campaign's lift: sales read as 174 below the forecast,
    # "effect", with no caveat. An outcome whose objective ran a campaign in the same
    # days is no control; at another time it is one.
    store = Store(tmp_path / "w.duckdb", lock_timeout=10)
    store.init()
    plan = TWO_OBJECTIVES.replace("UP_START", up[0]).replace("UP_END", up[1])
    apply_plan_text(store, plan, LOCAL_MANAGER, source="plan")
    rng = np.random.default_rng(9)
    lift = (dt.date.fromisoformat(up[0]), dt.date.fromisoformat(up[1]))
    leads, sales = {}, {}
    for day in _days(dt.date(2026, 6, 1), 182):
        shared = rng.normal(0, 4)
        up_by = 6 if lift[0] <= day <= lift[1] else 0
        leads[day] = max(0, round(20 + shared + rng.normal(0, 1))) + up_by
        sales[day] = max(0, round(20 + shared + rng.normal(0, 1)))
    _load(store, "leads", leads)
    _load(store, "sales", sales)
    (flat,) = campaign_impacts(store, dt.date(2026, 11, 29), campaign="c-flat")
    (impact,) = [i for i in flat.impacts if i.metric == "sales"]
    assert impact.controls == control
    assert impact.verdict != "effect", impact  # sales did not change
