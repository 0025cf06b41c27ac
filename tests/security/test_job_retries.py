"""#15 item 9: failed slots are retried with backoff; a run left "running" by a killed
process is failed after a timeout and retried."""

from __future__ import annotations

import datetime as dt

from tracker.jobruns import MAX_ATTEMPTS, claim, finish, runs
from tracker.store import Store

SLOT = dt.datetime(2026, 11, 23, 8)


def test_a_failed_slot_is_retried_after_its_backoff_then_given_up(store: Store) -> None:
    assert claim(store, "weekly_digest", SLOT, SLOT)
    finish(store, "weekly_digest", SLOT, SLOT, "failed", "SMTP down")
    assert not claim(store, "weekly_digest", SLOT, SLOT + dt.timedelta(minutes=1))
    at = SLOT + dt.timedelta(minutes=6)
    for attempt in range(2, MAX_ATTEMPTS + 1):
        assert claim(store, "weekly_digest", SLOT, at), attempt
        finish(store, "weekly_digest", SLOT, at, "failed", "SMTP down")
        at += dt.timedelta(days=1)
    assert not claim(store, "weekly_digest", SLOT, at + dt.timedelta(days=30))


def test_a_succeeded_slot_never_runs_again(store: Store) -> None:
    assert claim(store, "nightly_backup", SLOT, SLOT)
    finish(store, "nightly_backup", SLOT, SLOT, "ok", "done")
    assert not claim(store, "nightly_backup", SLOT, SLOT + dt.timedelta(days=3))


def test_a_run_left_running_by_a_dead_process_is_failed_and_retried(store: Store) -> None:
    assert claim(store, "inbox_import", SLOT, SLOT)
    assert not claim(store, "inbox_import", SLOT, SLOT + dt.timedelta(minutes=30))
    assert claim(store, "inbox_import", SLOT, SLOT + dt.timedelta(hours=3))
    (run,) = runs(store, "inbox_import")
    assert run.outcome == "running"
