"""The command line's tables read like the dashboard: names and units, keys only in --json."""

from __future__ import annotations

import re

from tests.clirunner import waypoint
from tracker.store import Store
from tracker.vocab import STATUS_STYLE

KEYS = ("inquiries-h2", "inquiry-rate", "ig-audience", "orders-h2", "maria", "lena")


def test_status_shows_names_units_and_people(demo_store: Store) -> None:
    run = waypoint(demo_store.path, "status", "--as-of", "2026-11-18")
    assert run.code == 0, run.err
    text = run.out
    assert "Inquiries per website session" in text and "Lena Kim" in text
    assert re.search(r"│\s+0\.9\d%\s+│\s+1\.5%\s+│", text), text  # the ratio as a share
    for key in KEYS:
        assert not re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", text), key
    # --json keeps the keys, for scripts
    data = waypoint(demo_store.path, "status", "--as-of", "2026-11-18", "--json").json()
    assert {k["kpi"] for k in data["kpis"]} >= {"inquiries-h2", "inquiry-rate"}


def test_checkins_table_names_kpis_and_people(demo_store: Store) -> None:
    run = waypoint(demo_store.path, "checkins", "--week", "2026-W46")
    assert run.code == 0, run.err
    assert "Catering inquiries this half" in run.out and "Maria Lopez" in run.out
    for key in KEYS:
        assert not re.search(rf"(?<![\w-]){re.escape(key)}(?![\w-])", run.out), key


def test_audit_leads_with_titles_and_names(demo_store: Store) -> None:
    run = waypoint(demo_store.path, "audit", "--as-of", "2026-11-18")
    assert run.code == 0, run.err
    assert "▲ Followers set as a goal · Instagram followers" in run.out
    # the code and key appear only in the command that accepts the flag
    for line in run.out.splitlines():
        if "audience_as_goal" in line:
            assert "waypoint acknowledge audience_as_goal kpi:ig-audience" in line


def test_an_acknowledged_flag_names_who_accepted_it(demo_store: Store) -> None:
    db = demo_store.path
    ok = waypoint(
        db, "acknowledge", "audience_as_goal", "kpi:ig-audience", "--reason", "context only",
        "--as-of", "2026-11-18", "--as", "maria",
    )  # fmt: skip
    assert ok.code == 0, ok.err
    run = waypoint(db, "audit", "--as-of", "2026-11-18")
    assert "acknowledged by Maria Lopez: context only" in run.out


def test_a_stock_entry_is_logged_as_a_level_a_flow_entry_as_an_amount(
    demo_store: Store,
) -> None:
    db = demo_store.path
    stock = waypoint(db, "log", "ig-followers", "2500", "--day", "2026-11-17", "--yes")
    assert re.search(r"^Logged Instagram followers 2,?500 on 2026-11-17", stock.out), stock
    flow = waypoint(db, "log", "catering-inquiries", "2", "--day", "2026-11-17")
    assert re.search(r"^Logged Catering inquiries \+2 on 2026-11-17", flow.out), flow


def test_status_says_what_holds_each_objective_and_its_counts(demo_store: Store) -> None:
    # DESIGN "Objectives": wherever an objective is shown, its status comes with the KPI
    # that holds it there and how many KPIs are in each status
    data = waypoint(demo_store.path, "status", "--as-of", "2026-11-18", "--json").json()
    names = {k["kpi"]: k["name"] for k in data["kpis"]}
    text = " ".join(waypoint(demo_store.path, "status", "--as-of", "2026-11-18").out.split())
    held = [o for o in data["objectives"] if o["status"] in ("off_track", "at_risk", "missed")]
    assert held
    for o in held:
        assert f"held back by {names[o['held_by']]}:" in text, o
    for o in data["objectives"]:
        counts = ", ".join(f"{n} {STATUS_STYLE[s].text}" for s, n in o["counts"].items() if n)
        assert f"KPIs: {counts}" in text, o
