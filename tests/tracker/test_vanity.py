"""Each vanity flag: data that must raise it, and a near miss that must not."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
import yaml

from tests.tracker.test_progress import log
from tracker.errors import BadInput, PermissionDenied
from tracker.plan import apply_plan_text
from tracker.records import LOCAL_MANAGER, Actor
from tracker.store import Store
from tracker.vanity import acknowledge, run_audit

AS_OF = dt.date(2026, 6, 28)  # a Sunday: the week ending today is complete


def plan(
    store: Store,
    *,
    kpis: list[dict[str, Any]],
    metrics: list[dict[str, Any]] | None = None,
    channels: tuple[str, ...] = ("ig",),
) -> Store:
    base_metrics = [
        {
            "key": "followers",
            "name": "Followers",
            "class": "reach",
            "behaviour": "stock",
            "channel": "ig",
        },
        {
            "key": "likes",
            "name": "Likes",
            "class": "engagement",
            "behaviour": "flow",
            "channel": "ig",
        },
        {
            "key": "leads",
            "name": "Leads",
            "class": "outcome",
            "behaviour": "flow",
            "channel": "web",
        },
    ]
    data = {
        "workspace": {"name": "T"},
        "people": [
            {"key": "ann", "name": "Ann", "role": "manager"},
            {"key": "bo", "name": "Bo", "role": "assistant"},
        ],
        "metrics": metrics or base_metrics,
        "objectives": [
            {
                "key": "obj",
                "title": "Grow",
                "outcome": "leads",
                "channels": list(channels),
                "owner": "ann",
                "start": dt.date(2026, 1, 1),
                "deadline": dt.date(2026, 12, 31),
                "kpis": kpis,
            }
        ],
    }
    apply_plan_text(store, yaml.safe_dump(data), LOCAL_MANAGER)
    return store


LEADS_KPI = {"key": "leads-kpi", "metric": "leads", "target": 100, "owner": "ann"}


def codes(store: Store, as_of: dt.date = AS_OF) -> set[tuple[str, str]]:
    return {(f.code, f.subject) for f in run_audit(store, as_of).flags}


def daily(start: dt.date, end: dt.date, value: float = 1.0) -> dict[dt.date, float]:
    return {start + dt.timedelta(days=i): value for i in range((end - start).days + 1)}


@pytest.mark.parametrize(("qualified", "raised"), [(False, True), (True, False)])
def test_audience_as_goal(store: Store, qualified: bool, raised: bool) -> None:
    metrics = [
        {
            "key": "followers",
            "name": "Followers",
            "class": "reach",
            "behaviour": "stock",
            "qualified": qualified,
        },
        {"key": "leads", "name": "Leads", "class": "outcome", "behaviour": "flow"},
    ]
    plan(
        store,
        metrics=metrics,
        kpis=[LEADS_KPI, {"key": "f", "metric": "followers", "target": 500, "owner": "ann"}],
    )
    assert (("audience_as_goal", "kpi:f") in codes(store)) is raised


@pytest.mark.parametrize("with_outcome", [True, False])
def test_audience_advice_fits_the_objective(store: Store, with_outcome: bool) -> None:
    # DESIGN: "an objective that already has an outcome KPI is not told to add one"
    followers = {"key": "f", "name": "Fans", "metric": "followers", "target": 500, "owner": "ann"}
    plan(store, kpis=[LEADS_KPI, followers] if with_outcome else [followers])
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "audience_as_goal")
    if with_outcome:
        assert flag.next_step.startswith("“Grow” is already judged by “leads-kpi”")
        assert "by an outcome it should bring" not in flag.next_step
    else:
        assert flag.next_step.startswith("Judge “Grow” by an outcome it should bring")


def test_no_link_says_when_the_metric_itself_never_changed(store: Store) -> None:
    # followers up by exactly 3 a day: the weekly change (what a stock is correlated on)
    # is the same every week, so it is the metric that cannot explain anything
    plan(store, kpis=[LEADS_KPI], channels=("ig", "web"))
    start = AS_OF - dt.timedelta(days=7 * 10 - 1)
    log(store, "followers", {start + dt.timedelta(days=i): 100.0 + 3 * i for i in range(70)})
    log(store, "leads", weekly_to_daily([3.0, 5, 2, 8, 6, 1, 9, 4, 7, 3], AS_OF))
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "no_link_to_outcome")
    assert flag.subject == "metric:followers"
    assert "it changed by the same amount every week" in flag.message
    assert "the outcomes stayed the same" not in flag.message


def test_ratio_on_reach_is_not_audience_as_goal(store: Store) -> None:
    plan(
        store,
        kpis=[
            LEADS_KPI,
            {
                "key": "r",
                "ratio": {"numerator": "leads", "denominator": "followers"},
                "target": 0.1,
                "owner": "ann",
            },
        ],
    )
    assert not any(c == "audience_as_goal" for c, _ in codes(store))


@pytest.mark.parametrize(("with_outcome", "raised"), [(False, True), (True, False)])
def test_no_outcome_kpi(store: Store, with_outcome: bool, raised: bool) -> None:
    kpis = [{"key": "f", "metric": "followers", "target": 500, "owner": "ann"}]
    if with_outcome:
        kpis.append(LEADS_KPI)
    plan(store, kpis=kpis)
    assert (("no_outcome_kpi", "objective:obj") in codes(store)) is raised


@pytest.mark.parametrize(("end_level", "raised"), [(120, True), (119, False)])
def test_unqualified_growth_threshold(store: Store, end_level: float, raised: bool) -> None:
    plan(store, kpis=[LEADS_KPI], channels=("ig", "web"))
    log(store, "followers", {AS_OF - dt.timedelta(days=56): 100, AS_OF: end_level})
    log(store, "leads", daily(AS_OF - dt.timedelta(days=60), AS_OF))  # flat: 0% growth
    assert (("unqualified_growth", "metric:followers") in codes(store)) is raised


def test_stock_growth_runs_56_days_back_from_its_last_value(store: Store) -> None:
    # followers read daily up to yesterday: the 8 weeks end on yesterday's level, so the
    # level they are compared with is the one 56 days before yesterday (DESIGN: "last
    # value vs the value 56 days earlier"), not 56 days before the audit day
    plan(store, kpis=[LEADS_KPI], channels=("ig", "web"))
    yesterday = AS_OF - dt.timedelta(days=1)
    levels = {yesterday - dt.timedelta(days=n): 1500.0 - 10 * n for n in range(100)}
    log(store, "followers", levels)
    log(store, "leads", daily(AS_OF - dt.timedelta(days=60), AS_OF))  # flat
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "unqualified_growth")
    assert flag.evidence["growth"] == pytest.approx(1500 / (1500 - 560) - 1, abs=1e-4)


def test_a_stale_stock_has_no_growth_in_the_last_8_weeks(store: Store) -> None:
    # followers last read 70 days ago after a rise: that rise is not growth in the last
    # 8 weeks (the metric is stale), so no growth flag compares it with recent outcomes
    plan(store, kpis=[LEADS_KPI], channels=("ig", "web"))
    last = AS_OF - dt.timedelta(days=70)
    log(store, "followers", {last - dt.timedelta(days=56): 100, last: 300})
    log(store, "leads", daily(AS_OF - dt.timedelta(days=60), AS_OF))  # flat
    assert ("unqualified_growth", "metric:followers") not in codes(store)


def test_unqualified_growth_not_raised_when_outcomes_grow(store: Store) -> None:
    plan(store, kpis=[LEADS_KPI], channels=("ig", "web"))
    log(store, "followers", {AS_OF - dt.timedelta(days=56): 100, AS_OF: 150})
    leads = daily(AS_OF - dt.timedelta(days=55), AS_OF - dt.timedelta(days=28))
    leads |= daily(AS_OF - dt.timedelta(days=27), AS_OF, 1.05)  # +5%
    log(store, "leads", leads)
    assert ("unqualified_growth", "metric:followers") not in codes(store)


def test_flow_growth_compares_28_day_sums(store: Store) -> None:
    metrics = [
        {"key": "views", "name": "Views", "class": "reach", "behaviour": "flow", "channel": "ig"},
        {
            "key": "leads",
            "name": "Leads",
            "class": "outcome",
            "behaviour": "flow",
            "channel": "web",
        },
    ]
    plan(store, metrics=metrics, kpis=[LEADS_KPI], channels=("ig", "web"))
    views = daily(AS_OF - dt.timedelta(days=55), AS_OF - dt.timedelta(days=28), 10)
    views |= daily(AS_OF - dt.timedelta(days=27), AS_OF, 12)  # +20%
    log(store, "views", views)
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "unqualified_growth")
    assert flag.evidence["growth"] == pytest.approx(0.2)
    assert "grew 20% in 8 weeks" in flag.message


def test_flow_growth_from_a_gap_is_growth_from_zero_and_new_figures_say_so(store: Store) -> None:
    # leads logged before the earlier 28 days and in the last 28, none between: that is
    # growth from 0 (+100%), not "no data" -- days without a value between a flow
    # metric's first and latest are 0, as in the weekly series
    plan(store, kpis=[LEADS_KPI], channels=("ig", "web"))
    log(store, "followers", {AS_OF - dt.timedelta(days=56): 100, AS_OF: 150})
    log(store, "leads", {AS_OF - dt.timedelta(days=70): 2, AS_OF - dt.timedelta(days=3): 3})
    assert ("unqualified_growth", "metric:followers") not in codes(store)  # leads grew


def test_an_outcome_with_figures_only_lately_is_not_called_without_data(store: Store) -> None:
    plan(store, kpis=[LEADS_KPI], channels=("ig", "web"))
    log(store, "followers", {AS_OF - dt.timedelta(days=56): 100, AS_OF: 150})
    log(store, "leads", {AS_OF - dt.timedelta(days=3): 3})  # the first leads ever
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "unqualified_growth")
    assert "had no data" not in flag.message
    assert "has no figures from before the last 4 weeks (3 in them)" in flag.message


def test_an_outcome_that_stopped_coming_in_is_not_called_without_data(store: Store) -> None:
    plan(store, kpis=[LEADS_KPI], channels=("ig", "web"))
    log(store, "followers", {AS_OF - dt.timedelta(days=56): 100, AS_OF: 150})
    log(store, "leads", {AS_OF - dt.timedelta(days=40): 4})  # none in the last 4 weeks
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "unqualified_growth")
    assert "had no data" not in flag.message
    assert "has no figures in the last 4 weeks (4 in the 4 weeks before)" in flag.message


def test_a_kpi_without_an_owner_is_not_titled_no_target(store: Store) -> None:
    plan(store, kpis=[LEADS_KPI, {"key": "nobody", "metric": "leads", "target": 9}])
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "unmeasurable_kpi")
    assert flag.title == "No owner"


def weekly_to_daily(values: list[float], last_sunday: dt.date) -> dict[dt.date, float]:
    """One value on each Monday of the weeks ending at ``last_sunday``."""
    first_monday = last_sunday - dt.timedelta(days=7 * len(values) - 1)
    return {first_monday + dt.timedelta(days=7 * i): v for i, v in enumerate(values)}


def max_lagged_r(x: list[float], y: list[float]) -> float:
    best = 0.0
    for lag in (0, 1, 2):
        a, b = np.array(x[: len(x) - lag]), np.array(y[lag:])
        if a.std() == 0 or b.std() == 0:
            continue
        best = max(best, abs(float(np.corrcoef(a, b)[0, 1])))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_no_link_to_outcome_matches_lagged_correlation(store: Store, seed: int) -> None:
    rng = np.random.default_rng(seed)
    weeks = 10
    leads = [float(v) for v in rng.integers(0, 20, weeks)]
    likes = [float(v) for v in (np.array(leads) * rng.uniform(-1, 1) + rng.normal(0, 8, weeks))]
    plan(store, kpis=[LEADS_KPI], channels=("ig", "web"))
    log(store, "likes", weekly_to_daily(likes, AS_OF))
    log(store, "leads", weekly_to_daily(leads, AS_OF))
    expected = max_lagged_r(likes, leads) < 0.3
    assert (("no_link_to_outcome", "metric:likes") in codes(store)) is expected


def test_no_link_says_the_correlation_with_its_sign(store: Store) -> None:
    # likes moved against leads (r = -0.26 at lag 0): the sentence said "r = 0.26"
    likes = [1.0, 5, 6, 4, 1, 1, 2, 1]
    leads = [8.0, 7, 3, 7, 7, 2, 7, 8]
    signed = float(np.corrcoef(likes, leads)[0, 1])
    assert -0.3 < signed < -0.2 and max_lagged_r(likes, leads) == pytest.approx(-signed)
    plan(store, kpis=[LEADS_KPI], channels=("ig", "web"))
    log(store, "likes", weekly_to_daily(likes, AS_OF))
    log(store, "leads", weekly_to_daily(leads, AS_OF))
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "no_link_to_outcome")
    assert f"r = {signed:.2f} (Leads, the same week)" in flag.message
    assert flag.evidence["best_r"] == round(signed, 4)
    assert flag.evidence["best_abs_r"] == round(-signed, 4)


def test_a_metric_that_moves_against_outcomes_is_listed_as_against(store: Store) -> None:
    # What's working listed likes that fell as leads rose (r = -0.9) as "leading" leads,
    # the same as one that rose with them: an owner would put hours into it
    from tracker.working import whats_working

    leads = [8.0, 7, 3, 7, 9, 2, 7, 8, 4, 6]
    likes = [20 - v + (i % 2) for i, v in enumerate(leads)]
    signed = float(np.corrcoef(likes, leads)[0, 1])
    assert signed < -0.9
    plan(store, kpis=[LEADS_KPI], channels=("ig", "web"))
    log(store, "likes", weekly_to_daily(likes, AS_OF))
    log(store, "leads", weekly_to_daily(leads, AS_OF))
    (leader,) = [x for x in whats_working(store, AS_OF).leaders if x.metric == "likes"]
    assert leader.lag_weeks == 0 and leader.r == round(signed, 4) < 0
    assert leader.best_abs_r == round(-signed, 4)


def test_no_link_needs_eight_complete_weeks(store: Store) -> None:
    plan(store, kpis=[LEADS_KPI], channels=("ig", "web"))
    likes = [9.0, 6, 9, 8, 1, 4, 8]
    leads = [9.0, 8, 9, 1, 7, 3, 7]
    assert max_lagged_r(likes, leads) < 0.3
    log(store, "likes", weekly_to_daily(likes, AS_OF))
    log(store, "leads", weekly_to_daily(leads, AS_OF))
    assert ("no_link_to_outcome", "metric:likes") not in codes(store)  # 7 weeks only
    assert max_lagged_r([3.0, *likes], [8.0, *leads]) < 0.3
    log(store, "likes", weekly_to_daily([3.0, *likes], AS_OF))
    log(store, "leads", weekly_to_daily([8.0, *leads], AS_OF))
    assert ("no_link_to_outcome", "metric:likes") in codes(store)


def test_strong_link_is_not_flagged(store: Store) -> None:
    plan(store, kpis=[LEADS_KPI], channels=("ig", "web"))
    leads = [3.0, 5, 2, 8, 6, 1, 9, 4, 7, 3]
    likes = [v * 10 + 1 for v in leads[1:]] + [20.0]  # likes lead leads by one week
    log(store, "likes", weekly_to_daily(likes, AS_OF))
    log(store, "leads", weekly_to_daily(leads, AS_OF))
    assert ("no_link_to_outcome", "metric:likes") not in codes(store)


def test_orphan_metric_is_info(store: Store) -> None:
    plan(store, kpis=[LEADS_KPI])
    flags = {f.subject: f for f in run_audit(store, AS_OF).flags if f.code == "orphan_metric"}
    assert set(flags) == {"metric:followers", "metric:likes"}
    assert flags["metric:likes"].severity == "info"


@pytest.mark.parametrize(
    ("kpi", "missing"),
    [
        ({"key": "k", "metric": "leads", "owner": "ann"}, ["target"]),
        ({"key": "k", "metric": "leads", "target": 5}, ["owner"]),
        ({"key": "k", "metric": "leads", "target": 5, "owner": "ann"}, None),
    ],
)
def test_unmeasurable_kpi(store: Store, kpi: dict, missing: list | None) -> None:
    plan(store, kpis=[kpi])
    flags = [f for f in run_audit(store, AS_OF).flags if f.code == "unmeasurable_kpi"]
    if missing is None:
        assert not flags
    else:
        assert flags[0].evidence["missing"] == missing
        # the advice names only what is missing
        wanted = {"target": "a target", "owner": "an owner"}[missing[0]]
        assert flags[0].next_step == f"Give it {wanted} in the plan."


@pytest.mark.parametrize(("days_ago", "raised"), [(15, True), (14, False)])
def test_stale_metric(store: Store, days_ago: int, raised: bool) -> None:
    plan(store, kpis=[LEADS_KPI])
    log(store, "leads", {AS_OF - dt.timedelta(days=days_ago): 1})
    assert (("stale_metric", "metric:leads") in codes(store)) is raised


def test_a_kpi_with_no_value_at_all_is_not_said_to_be_judged_on_old_numbers(
    store: Store,
) -> None:
    plan(store, kpis=[LEADS_KPI])
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "stale_metric")
    assert "since the KPI started" in flag.message
    assert flag.message.endswith("has nothing to be judged on.")
    log(store, "leads", {AS_OF - dt.timedelta(days=20): 1})
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "stale_metric")
    assert flag.message.endswith("is judged on old numbers.")


def test_stale_numbers_of_a_kpi_without_an_owner_ask_for_one(store: Store) -> None:
    # "ask its owner what is blocking it" of a KPI nobody owns
    plan(store, kpis=[{k: v for k, v in LEADS_KPI.items() if k != "owner"}])
    log(store, "leads", {AS_OF - dt.timedelta(days=20): 1})
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "stale_metric")
    assert "ask its owner" not in flag.next_step
    assert flag.next_step.endswith("give KPI “leads-kpi” an owner who keeps it up to date.")


def test_a_kpi_that_ended_is_not_judged_on_stale_numbers(store: Store) -> None:
    # its window's numbers are final: the flag would blame a KPI nothing is due for, and
    # among several KPIs on the metric it names one still running
    ended = {**LEADS_KPI, "key": "spring", "deadline": dt.date(2026, 3, 31)}
    plan(store, kpis=[ended])
    log(store, "leads", {dt.date(2026, 3, 31): 1})
    assert ("stale_metric", "metric:leads") not in codes(store)
    plan(store, kpis=[ended, LEADS_KPI])
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "stale_metric")
    assert flag.evidence["kpi"] == "leads-kpi"


def checkin(
    store: Store,
    confidence: str,
    person: str = "ann",
    by: str | None = None,
    hour: int = 12,
    period: str = "2026-W26",
) -> None:
    with store.write() as con:
        con.execute(
            "INSERT INTO checkins (id, kpi, person, period, confidence, created_at, recorded_by)"
            " SELECT coalesce(max(id), 0) + 1, 'leads-kpi', ?, ?, ?, ?, ? FROM checkins",
            [person, period, confidence, dt.datetime(2026, 6, 26, hour), by],
        )


def test_a_week_filled_in_late_does_not_speak_for_now(store: Store) -> None:
    """Ann says off track for this week; later the same day a past week is filled in as
    on track. The latest period speaks, not the latest typing: no conflict."""
    plan(store, kpis=[LEADS_KPI])
    log(store, "leads", {AS_OF - dt.timedelta(days=3): 1})  # far behind: off_track
    checkin(store, "off_track", period="2026-W26", hour=10)
    checkin(store, "on_track", period="2026-W22", hour=11)
    assert ("confidence_conflict", "kpi:leads-kpi") not in codes(store)
    checkin(store, "on_track", period="2026-W26", hour=12)  # now she says so for this week
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "confidence_conflict")
    assert "(week of 22 Jun 2026, on Fri 26 Jun 2026)" in flag.message


@pytest.mark.parametrize(
    ("confidence", "raised"), [("on_track", True), ("at_risk", False), ("off_track", False)]
)
def test_confidence_conflict(store: Store, confidence: str, raised: bool) -> None:
    plan(store, kpis=[LEADS_KPI])
    log(store, "leads", {AS_OF - dt.timedelta(days=3): 1})  # far behind: off_track
    checkin(store, confidence)
    assert (("confidence_conflict", "kpi:leads-kpi") in codes(store)) is raised


def test_a_conflict_says_the_check_ins_day_on_the_workspaces_clock(store: Store) -> None:
    # 03:00 UTC on Friday is Thursday evening in Chicago: the day people read, and the
    # evidence carries its offset (it read Friday, and a naive time with no zone)
    plan(store, kpis=[LEADS_KPI])
    with store.write() as con:
        con.execute("UPDATE workspace SET timezone = 'America/Chicago'")
    log(store, "leads", {AS_OF - dt.timedelta(days=3): 1})  # far behind: off_track
    checkin(store, "on_track", hour=3)
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "confidence_conflict")
    assert "(week of 22 Jun 2026, on Thu 25 Jun 2026)" in flag.message
    assert flag.evidence["checkin_at"] == "2026-06-25T22:00:00-05:00"


def test_a_conflict_entered_for_the_owner_quotes_who_typed_it(store: Store) -> None:
    from tracker.vanity import run_audit

    plan(store, kpis=[LEADS_KPI])
    log(store, "leads", {AS_OF - dt.timedelta(days=3): 1})  # far behind: off_track
    checkin(store, "on_track", by="local")  # the command line's manager, for Ann
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "confidence_conflict")
    assert flag.message.startswith("Local manager, checking in for ")
    assert " said “on track”" in flag.message
    checkin(store, "on_track", hour=15)  # then Ann herself, later: her own words
    flag = next(f for f in run_audit(store, AS_OF).flags if f.code == "confidence_conflict")
    assert not flag.message.startswith("Local manager")


def test_someone_elses_later_check_in_does_not_hide_the_owners_conflict(store: Store) -> None:
    # DESIGN: "the owner's latest check-in says on_track while the status is off_track".
    # Another person's later check-in on the KPI (a manager under her own name) says what
    # she sees; the owner still claims on track, and the flag stays.
    plan(store, kpis=[LEADS_KPI])
    log(store, "leads", {AS_OF - dt.timedelta(days=3): 1})  # far behind: off_track
    checkin(store, "on_track")  # Ann, the owner
    checkin(store, "off_track", person="bo", hour=15)
    assert ("confidence_conflict", "kpi:leads-kpi") in codes(store)


def test_acknowledge_keeps_flag_listed_and_is_manager_only(store: Store) -> None:
    plan(store, kpis=[LEADS_KPI])
    for actor in (Actor("bo", "assistant", "Bo"), Actor("vi", "viewer", "Vi")):
        with pytest.raises(PermissionDenied):
            acknowledge(store, actor, "orphan_metric", "metric:likes", "fine", AS_OF)
    with pytest.raises(BadInput):
        acknowledge(store, LOCAL_MANAGER, "orphan_metric", "metric:likes", "  ", AS_OF)
    with pytest.raises(BadInput):
        acknowledge(store, LOCAL_MANAGER, "orphan_metric", "metric:nope", "x", AS_OF)
    acknowledge(
        store, LOCAL_MANAGER, "orphan_metric", "metric:likes", "kept for the sponsor", AS_OF
    )
    flag = next(f for f in run_audit(store, AS_OF).flags if f.subject == "metric:likes")
    assert flag.acknowledged and flag.ack_reason == "kept for the sponsor"


def test_material_change_brings_an_acknowledged_flag_back(store: Store) -> None:
    plan(store, kpis=[LEADS_KPI], channels=("ig", "web"))
    log(store, "followers", {AS_OF - dt.timedelta(days=56): 100, AS_OF: 125})
    acknowledge(store, LOCAL_MANAGER, "unqualified_growth", "metric:followers", "giveaway", AS_OF)
    log(store, "followers", {AS_OF: 130})  # 30%: +5 points, not material
    assert next(
        f for f in run_audit(store, AS_OF).flags if f.code == "unqualified_growth"
    ).acknowledged
    log(store, "followers", {AS_OF: 140})  # 40%: +15 points, material
    assert not next(
        f for f in run_audit(store, AS_OF).flags if f.code == "unqualified_growth"
    ).acknowledged


def test_demo_raises_the_headline_flags(demo_store: Store) -> None:
    report = run_audit(demo_store, dt.date(2026, 11, 18))
    found = {f.code for f in report.flags}
    assert {
        "audience_as_goal",
        "unqualified_growth",
        "no_link_to_outcome",
        "confidence_conflict",
        "stale_metric",
        "no_outcome_kpi",
        "unmeasurable_kpi",
    } <= found
    growth = next(f for f in report.flags if f.code == "unqualified_growth")
    # by hand: the latest follower count against the one 56 days before
    with demo_store.read() as con:
        now, then = (
            con.execute(
                "SELECT value FROM daily_values WHERE metric = 'ig-followers' AND day <= ?"
                " ORDER BY day DESC LIMIT 1",
                [day],
            ).fetchall()[0][0]
            for day in (dt.date(2026, 11, 18), dt.date(2026, 11, 18) - dt.timedelta(days=56))
        )
    assert growth.message.startswith(
        f"Instagram followers grew {now / then - 1:.0%} in 8 weeks while Catering inquiries fell "
    )


def test_evidence_names_each_key_by_its_kind() -> None:
    from tracker.vanity import evidence_table

    names = {
        "metric": {"leads": "Qualified leads", "li-followers": "LinkedIn followers"},
        "kpi": {"leads": "Leads this quarter"},
        "person": {"amy": "Amy Chen"},
    }
    rows = evidence_table(
        {
            "kpi": "leads",
            "metric": "leads",
            "owner": "amy",
            "outcomes": {"leads": -0.05},
            "qualified": False,
            "growth": 0.344,
            "best_abs_r": 0.2991,
            "last_day": "2026-11-03",
        },
        names,
    )
    shown = {r["what"]: r["value"] for r in rows}
    assert shown["last day"] == "Tue 3 Nov 2026"  # a day as the sentences write it
    # a metric and a KPI that share the key "leads" each read by their own name
    assert shown["KPI"] == "Leads this quarter" and shown["metric"] == "Qualified leads"
    assert shown["owner"] == "Amy Chen" and shown["qualified"] == "no"
    # changes over 8 weeks read as the sentence writes them, not as raw fractions
    assert shown["outcomes"] == "Qualified leads: -5%"
    assert shown["growth"] == "+34%"
    assert shown["strongest correlation (|r|)"] == "0.299"
    assert not any("{" in v for v in shown.values())


def test_acknowledging_the_same_flag_twice_in_one_go_records_it_once(demo_store: Store) -> None:
    from tracker.auditlog import entries
    from tracker.vanity import acknowledge_many

    day = dt.date(2026, 11, 18)
    flag = ("audience_as_goal", "kpi:ig-audience")
    done = acknowledge_many(demo_store, LOCAL_MANAGER, [flag, flag], "context only", day)
    assert len(done) == 1 and done[0].acked_by_name == LOCAL_MANAGER.name
    acks = [e for e in entries(demo_store, entity="flag") if e.action == "acknowledge"]
    assert len(acks) == 1


def test_an_audit_inside_a_transaction_judges_the_rows_written_in_it(store: Store) -> None:
    """Outside a transaction the audit computes progress on a second cursor (in parallel);
    inside one that cursor would miss the uncommitted rows and judge the KPI without them."""
    plan(store, kpis=[LEADS_KPI])
    with store.write():
        log(store, "leads", {AS_OF - dt.timedelta(days=3): 1})  # far behind: off_track
        checkin(store, "on_track")
        assert ("confidence_conflict", "kpi:leads-kpi") in codes(store)
        assert store.in_transaction()
    assert not store.in_transaction()
    assert ("confidence_conflict", "kpi:leads-kpi") in codes(store)


def test_an_acknowledgement_is_stamped_by_the_workspace_clock(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # naive UTC like every stamp, and WAYPOINT_NOW pins it (demos, tests)
    monkeypatch.setenv("WAYPOINT_NOW", "2026-06-28T18:30:00+00:00")
    plan(store, kpis=[LEADS_KPI])
    acknowledge(store, LOCAL_MANAGER, "orphan_metric", "metric:likes", "kept", AS_OF)
    flag = next(f for f in run_audit(store, AS_OF).flags if f.subject == "metric:likes")
    assert flag.acked_at == dt.datetime(2026, 6, 28, 18, 30)


def test_after_a_cadence_change_old_weekly_check_ins_do_not_speak(store: Store) -> None:
    plan(store, kpis=[{**LEADS_KPI, "cadence": "monthly"}])
    log(store, "leads", {AS_OF - dt.timedelta(days=3): 1})  # far behind: off_track
    checkin(store, "on_track", period="2026-W26", hour=9)  # from when it was weekly
    checkin(store, "off_track", period="2026-06", hour=10)
    assert ("confidence_conflict", "kpi:leads-kpi") not in codes(store)


def test_evidence_says_days_statuses_periods_and_times_in_words() -> None:
    # an unusual value's days read as a day and its numbers (they read "+10003600%"),
    # a check-in's confidence, status, period and time as people say them
    from tracker.vanity import evidence_table

    rows = evidence_table(
        {
            "days": [{"day": "2026-12-03", "value": 100036.0, "reference": 146.0}],
            "confidence": "on_track",
            "status": "off_track",
            "period": "2026-W48",
            "checkin_at": "2026-11-27T16:30:00",
            "sources": ["import.instagram", "manual"],
        },
        {},
    )
    shown = {r["what"]: r["value"] for r in rows}
    assert shown["days"] == "Thu 3 Dec 2026: 100,036 (the 8 weeks before at most 146)"
    assert shown["confidence"] == "on track" and shown["status"] == "off track"
    assert shown["period"] == "week of 23 Nov 2026"
    assert shown["checked in"] == "Fri 27 Nov 2026"
    assert shown["sources"] == "Instagram imports, hand entries"
    assert not any("%" in v or "_" in v or "-W" in v for v in shown.values())


def test_a_change_is_never_rounded_across_a_rules_line() -> None:
    from tracker.vanity import _moved

    # the outcomes' line is 5%: 4.95% must not read "rose 5%"; whole percents from 10%
    assert _moved(0.0495) == "rose 4.95%"
    assert _moved(0.196) == "rose 20%"
    assert _moved(-0.36) == "fell 36%"
    assert _moved(1.5) == "rose 150%"


def test_days_behind_waits_as_long_as_the_stale_flag() -> None:
    # the Objective page's "Last value on ..." note: two cadence periods, as the flag,
    # counted to the deadline once it has passed; nothing for a KPI not started
    from types import SimpleNamespace

    from tracker.vanity import days_behind

    def kpi(last: int, status: str = "off_track", deadline: dt.date | None = None):
        return SimpleNamespace(
            last_day=AS_OF - dt.timedelta(days=last), status=status, deadline=deadline
        )

    assert days_behind(kpi(14), "weekly", AS_OF) is None
    assert days_behind(kpi(15), "weekly", AS_OF) == 15
    assert days_behind(kpi(20), "monthly", AS_OF) is None
    assert days_behind(kpi(63), "monthly", AS_OF) == 63
    assert days_behind(kpi(30, "not_started"), "weekly", AS_OF) is None
    ended = AS_OF - dt.timedelta(days=20)
    assert days_behind(kpi(30, "missed", ended), "weekly", AS_OF) is None  # 10 days before it


def test_flags_about_one_kpi_share_one_card_under_one_name(store: Store) -> None:
    # "Followers set as a goal" went to the metric's card ("Followers") and the owner's
    # contradicting check-in on the same KPI to a second card under the KPI's own name
    # ("Follower count"): one KPI counted as two things that need a look
    goal = {"key": "leads-kpi", "name": "Follower count", "metric": "followers", "target": 900,
            "owner": "ann"}  # fmt: skip
    plan(store, kpis=[goal])
    log(store, "followers", {AS_OF - dt.timedelta(days=3): 1})  # far behind: off_track
    checkin(store, "on_track")
    report = run_audit(store, AS_OF)
    assert {("audience_as_goal", "kpi:leads-kpi"), ("confidence_conflict", "kpi:leads-kpi")} <= {
        (f.code, f.subject) for f in report.flags
    }
    (card,) = [c for c in report.cards() if any(f.subject == "kpi:leads-kpi" for f in c.flags)]
    assert card.name == "Followers"
    assert {f.code for f in card.flags} >= {"audience_as_goal", "confidence_conflict"}
