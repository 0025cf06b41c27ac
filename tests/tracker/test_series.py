"""Weekly series as the Vanity audit charts them: complete weeks, as the audit counts them."""

from __future__ import annotations

import datetime as dt

from tracker.series import weekly
from tracker.store import Store


def test_weekly_sums_and_levels_over_complete_weeks(demo_store: Store) -> None:
    wednesday = dt.date(2026, 11, 18)
    sessions = weekly(demo_store, "web-sessions", wednesday)
    # the week of 16 Nov is still running on the Wednesday: the series ends the week before
    assert sessions[-1][0] == dt.date(2026, 11, 9)
    # the demo starts on a Thursday: that short first week is left out, as the audit does
    assert sessions[0][0].weekday() == 0 and sessions[0][0] >= dt.date(2026, 5, 25)
    with demo_store.read() as con:
        by_hand = con.execute(
            "SELECT sum(value) FROM daily_values WHERE metric = 'web-sessions'"
            " AND day BETWEEN DATE '2026-11-09' AND DATE '2026-11-15'"
        ).fetchall()[0][0]
    assert sessions[-1][1] == by_hand
    # a stock shows the week's last level; on a Sunday that week counts as complete
    followers = weekly(demo_store, "ig-followers", dt.date(2026, 11, 15))
    with demo_store.read() as con:
        level = con.execute(
            "SELECT value FROM daily_values WHERE metric = 'ig-followers'"
            " AND day = DATE '2026-11-15'"
        ).fetchall()[0][0]
    assert followers[-1] == (dt.date(2026, 11, 9), level)
