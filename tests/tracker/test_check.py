"""`waypoint check`: the kept daily values agree with a full recomputation and every value
id is held by one row; anything else exits 1 and says what."""

from __future__ import annotations

import duckdb

from tests.clirunner import waypoint
from tracker.store import Store


def test_check_passes_on_the_demo_and_names_what_is_wrong(demo_store: Store) -> None:
    db = demo_store.path
    ok = waypoint(db, "check", "--json")
    assert ok.code == 0 and ok.json()["ok"] and ok.json()["duplicate_ids"] == 0
    con = duckdb.connect(str(db))
    # a pair kept twice in the daily table, and a value id handed out twice
    con.execute("INSERT INTO daily_values SELECT * FROM daily_values LIMIT 1")
    con.execute(
        "INSERT INTO observations SELECT * FROM observations WHERE id = (SELECT min(id)"
        " FROM observations)"
    )
    con.close()
    bad = waypoint(db, "check")
    assert bad.code == 1
    assert "disagree with a full recomputation" in bad.err
    assert "1 value id(s) are held by more than one row" in bad.err
