"""#15 items 10, 12: destructive commands need a manager and leave an audit row; a
restore never moves the database revision backwards."""

from __future__ import annotations

from pathlib import Path

from tests.clirunner import waypoint
from tracker.store import Store


def test_viewer_and_assistant_cannot_wipe_or_run_jobs(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert waypoint(db, "demo", "--as-of", "2026-11-18").code == 0
    before = waypoint(db, "export", "--format", "csv", "--out", str(tmp_path / "a.csv"))
    assert before.code == 0
    for person in ("ben", "jay"):  # the demo's viewer and an assistant
        wipe = waypoint(db, "--as", person, "demo", "--force", "--as-of", "2026-11-18")
        assert wipe.code == 2 and "manager" in wipe.err, wipe
        job = waypoint(db, "--as", person, "jobs", "run", "nightly_backup")
        assert job.code == 2 and "manager" in job.err, job
    waypoint(db, "export", "--format", "csv", "--out", str(tmp_path / "b.csv"))
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    ok = waypoint(db, "--as", "maria", "demo", "--force", "--as-of", "2026-11-18")
    assert ok.code == 0, ok
    log = waypoint(db, "audit-log", "--json").json()["entries"]
    assert any(e["action"] == "replace" and e["entity"] == "database" for e in log)


def test_restore_moves_the_revision_forward(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    waypoint(db, "demo", "--as-of", "2026-11-18")
    waypoint(db, "backup", str(tmp_path / "b"))
    for i in range(5):
        waypoint(db, "log", "catering-inquiries", "1", "--day", f"2026-11-1{i}")
    before = Store(db).revision()
    assert waypoint(db, "restore", str(tmp_path / "b"), "--force").code == 0
    assert Store(db).revision() > before


def test_viewers_do_not_read_emails_or_rates_in_the_audit_log(tmp_path: Path) -> None:
    """#15 item 22."""
    db = tmp_path / "w.duckdb"
    waypoint(db, "demo", "--as-of", "2026-11-18")
    manager = waypoint(db, "audit-log", "--json", "--limit", "2000").out
    viewer = waypoint(db, "--as", "ben", "audit-log", "--json", "--limit", "2000").out
    assert "@" in manager and "hourly_rate" in manager
    people = [e for e in json_entries(viewer) if e["entity"] == "person"]
    assert people and all(
        e["new"] is None or e["new"].get("email") in (None, "(hidden)") for e in people
    )
    assert all(
        e["new"] is None or e["new"].get("hourly_rate") in (None, "(hidden)") for e in people
    )


def json_entries(text: str) -> list[dict]:
    import json

    return json.loads(text)["entries"]
