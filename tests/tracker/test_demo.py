"""The demo tells the story tracker/demo/story.yaml promises, on whichever day it is loaded."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.clirunner import waypoint
from tracker.demo import load_demo
from tracker.demo.generate import story
from tracker.impact import campaign_impacts
from tracker.store import Store
from tracker.team import team_report
from tracker.vanity import run_audit
from tracker.working import whats_working

AS_OF = dt.date(2026, 11, 18)  # the demo fixture's day


def assert_the_story(store: Store, as_of: dt.date) -> None:
    flags = run_audit(store, as_of).flags
    # Followers grow (the giveaway) while inquiries and orders do not: a vanity flag, and
    # nothing links followers or likes to the outcomes.
    assert any(f.code == "unqualified_growth" and f.subject == "metric:ig-followers" for f in flags)
    unlinked = {f.subject for f in flags if f.code == "no_link_to_outcome"}
    assert {"metric:ig-followers", "metric:ig-likes"} <= unlinked
    # Website sessions and search clicks lead inquiries by a week.
    leaders = {(x.metric, x.outcome): x for x in whats_working(store, as_of).leaders}
    for lead in ("web-sessions", "search-clicks"):
        found = leaders[(lead, "catering-inquiries")]
        assert found.lag_weeks == 1 and found.best_abs_r >= 0.5, found
    # The thank-you cards visibly lift repeat customers; the giveaway moves followers only.
    impacts = {
        s.key: {i.metric: i.verdict for i in s.impacts} for s in campaign_impacts(store, as_of)
    }
    assert impacts["thank-you-cards"]["repeat-customers"] == "effect"
    assert impacts["ig-giveaway"]["ig-followers"] == "effect"
    assert impacts["ig-giveaway"]["catering-inquiries"] != "effect"


def test_the_demo_tells_its_story(demo_store: Store) -> None:
    assert_the_story(demo_store, AS_OF)


@pytest.mark.slow  # seven demo workspaces
def test_the_story_holds_on_every_weekday(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for offset in range(7):
        as_of = dt.date(2026, 12, 3) + dt.timedelta(days=offset)
        monkeypatch.setenv("WAYPOINT_NOW", f"{as_of}T20:00:00")  # the demo ends today
        store = Store(tmp_path / f"demo-{offset}.duckdb")
        load_demo(store, as_of=as_of)
        assert_the_story(store, as_of)


def test_inquiries_vary_as_real_ones_do(demo_store: Store) -> None:
    with demo_store.read() as con:
        weekly = [
            row[0]
            for row in con.execute(
                "SELECT sum(value) FROM daily_values WHERE metric = 'catering-inquiries'"
                " GROUP BY date_trunc('week', day) ORDER BY 1"
            ).fetchall()
        ]
    # not one number repeated every week (nothing could ever correlate with that)
    assert len(set(weekly)) >= len(weekly) // 2 and min(weekly) < 0.8 * max(weekly)


def test_people_keep_different_habits(demo_store: Store) -> None:
    now = dt.datetime(2026, 11, 18, 18, tzinfo=dt.UTC)
    team = {p.person: p for p in team_report(demo_store, now).people}
    jay, lena, maria = team["jay"], team["lena"], team["maria"]
    assert jay.late >= 1 and lena.late >= 2 and lena.missing >= 2 and maria.late == 0
    # and it shows in the on-time rates: Jay is mostly on time, Lena less so
    assert jay.on_time_rate is not None and lena.on_time_rate is not None
    assert jay.on_time_rate > lena.on_time_rate


def test_check_in_notes_fit_their_kpi(demo_store: Store) -> None:
    with demo_store.read() as con:
        notes = con.execute("SELECT DISTINCT kpi, progress FROM checkins").fetchall()
    by_text: dict[str, set[str]] = {}
    for kpi, text in notes:
        by_text.setdefault(text, set()).add(kpi)
    assert all(len(kpis) == 1 for kpis in by_text.values()), by_text
    # every KPI the story checks in on has notes of its own
    assert {kpi for kpi, _ in notes} == set(story()["checkins"]["kpis"])


def test_a_reviewed_week_has_the_same_numbers_whichever_day_the_demo_is_loaded() -> None:
    from tracker.demo.generate import observations, plan

    def week_46(as_of: dt.date) -> dict[str, float]:
        table = observations(as_of, plan(as_of)).to_pylist()
        out: dict[str, float] = {}
        for row in table:
            if dt.date(2026, 11, 9) <= row["day"] <= dt.date(2026, 11, 15):
                out[row["metric"]] = out.get(row["metric"], 0.0) + row["value"]
        return out

    # loaded on each day of the following week, Sunday included
    weeks = [week_46(dt.date(2026, 11, 16) + dt.timedelta(days=i)) for i in range(7)]
    assert all(w == weeks[0] for w in weeks), [w["web-sessions"] for w in weeks]


def test_notes_say_what_the_numbers_show(demo_store: Store) -> None:
    with demo_store.read() as con:
        posts = dict(
            con.execute(
                "SELECT c.period, sum(d.value) FROM checkins c JOIN daily_values d"
                " ON d.metric = 'ig-posts' AND strftime(d.day, '%G-W%V') = c.period"
                " WHERE c.kpi = 'weekly-posts' GROUP BY c.period"
            ).fetchall()
        )
        notes = dict(
            con.execute(
                "SELECT period, progress FROM checkins WHERE kpi = 'weekly-posts'"
            ).fetchall()
        )
        giveaway = con.execute(
            "SELECT min(c.created_at) FROM checkins c WHERE c.progress LIKE '%giveaway%'"
        ).fetchall()[0][0]
    assert posts and all(
        (posts[p] == 2) == note.startswith("Two posts") for p, note in notes.items()
    )
    # giveaway notes only once the giveaway ran (it started on 21 Sep 2026)
    assert giveaway.date() >= dt.date(2026, 9, 21)


def test_a_gap_before_the_drawn_days_is_cut_not_wrapped() -> None:
    from tracker.demo.generate import _Series

    series = _Series(AS_OF, {})
    values = series.draw("x", {"constant": 5, "gaps": [{"from": "today-400", "days": 3}]})
    assert (values == 5).all()  # nothing at the end turned to 0
    values = series.draw("y", {"constant": 5, "gaps": [{"from": "today-2", "days": 2}]})
    zero = [series.days[i] for i in range(series.n) if values[i] == 0]
    assert zero == [AS_OF - dt.timedelta(days=2), AS_OF - dt.timedelta(days=1)]


def test_the_demo_stamps_values_in_its_own_clock_never_after_it_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loaded at 07:00 in Chicago on 23 Nov: the 22nd's numbers, imported "the next
    morning at 09:00", are stamped at the load instead, and the 23rd's just after its
    own midnight in Chicago (06:05 UTC), never the evening before."""
    monkeypatch.setenv("WAYPOINT_NOW", "2026-11-23T13:00:00+00:00")  # 07:00 in Chicago
    store = Store(tmp_path / "demo.duckdb")
    load_demo(store, as_of=dt.date(2026, 11, 23))
    with store.read() as con:
        latest, last_day_at = con.execute(
            "SELECT max(recorded_at), min(recorded_at) FILTER (day = DATE '2026-11-23')"
            " FROM observations"
        ).fetchall()[0]
    assert latest <= dt.datetime(2026, 11, 23, 13, 0)
    assert last_day_at == dt.datetime(2026, 11, 23, 6, 5)


def test_the_last_weeks_hand_entries_are_their_authors_changes(demo_store: Store) -> None:
    # Jay's My week said "a value you logged counts" while his Audit log and Log values
    # pages said he had made no change: the demo's entries were history no one could undo
    from tracker.changes import list_changes, undo
    from tracker.observations import daily_values
    from tracker.records import Actor

    jay = Actor("jay", "assistant", "Jay Patel")
    his = list_changes(demo_store, actor="jay", limit=500)
    assert his and {c.kind for c in his} == {"log"}
    first_day = min(dt.date.fromisoformat(c.summary.rsplit(" ", 1)[1]) for c in his)
    assert first_day >= AS_OF - dt.timedelta(days=28)
    # his own entry is his to take back, and the day drops by it (one that added
    # something: undoing a +0 would show nothing)
    newest = next(c for c in his if c.summary.split()[2] not in ("+0", "0"))
    metric, day = newest.summary.split()[1], dt.date.fromisoformat(newest.summary.split()[-1])
    amount = float(newest.summary.split()[2].lstrip("+").replace(",", ""))
    assert amount != 0
    before = dict(daily_values(demo_store, metric))[day]
    undo(demo_store, jay, newest.id)
    assert dict(daily_values(demo_store, metric)).get(day, 0.0) == pytest.approx(before - amount)


def test_a_replaced_demos_changes_never_reuse_a_number_the_audit_log_holds(
    tmp_path: Path,
) -> None:
    # `demo --force` empties the changes and keeps the audit log: numbered from 1 again,
    # the new plan apply's undo was refused for what the old rows of "its" number said
    from tracker.changes import list_changes, undo
    from tracker.records import LOCAL_MANAGER

    store = Store(tmp_path / "d.duckdb")
    load_demo(store, as_of=AS_OF)
    load_demo(store, as_of=AS_OF, force=True)
    with store.read() as con:
        old_rows = con.execute("SELECT max(change_id) FROM audit_log").fetchall()[0][0]
    changes = list_changes(store, limit=500)
    (applied,) = [c for c in changes if c.kind == "plan"]
    assert applied.id > 36 and old_rows >= applied.id  # past the first demo's numbers
    undo(store, LOCAL_MANAGER, applied.id)  # refused before: "changed again since"


def test_a_demo_ending_after_today_is_refused(tmp_path: Path) -> None:
    # its last weeks of values would be dated after today, which `log` and imports refuse
    db = tmp_path / "w.duckdb"
    run = waypoint(db, "demo", "--as-of", "2099-01-01")
    assert run.code == 2 and "--as-of 2099-01-01" in run.err and "after today" in run.err
    assert list(tmp_path.glob("w.duckdb*")) == []  # refused before anything was created
