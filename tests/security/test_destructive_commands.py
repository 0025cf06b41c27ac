"""#15 items 10, 12: destructive commands (and a backup) need a manager and leave an audit row; a
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
        # a backup holds every email and hourly rate, which only managers read
        copy = waypoint(db, "--as", person, "backup", str(tmp_path / f"by-{person}"))
        assert copy.code == 2 and "manager" in copy.err, copy
        assert not (tmp_path / f"by-{person}").exists()
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


def test_only_managers_read_emails_rates_and_pins_in_the_plan(tmp_path: Path) -> None:
    """docs/security.md: assistants and viewers may not read people's emails and rates;
    `plan export` and the Plan page leave them out for them."""
    import yaml

    db = tmp_path / "w.duckdb"
    waypoint(db, "demo", "--as-of", "2026-11-18")
    manager = yaml.safe_load(waypoint(db, "plan", "export").out)
    assert any(p.get("email") for p in manager["people"])
    assert any(p.get("hourly_rate") for p in manager["people"])
    for person in ("ben", "jay"):  # the demo's viewer and an assistant
        run = waypoint(db, "--as", person, "plan", "export")
        assert run.code == 0 and "@" not in run.out, run
        people = yaml.safe_load(run.out)["people"]
        assert [p["key"] for p in people] == [p["key"] for p in manager["people"]]
        for p in people:
            assert not {"email", "hourly_rate", "issuer", "subject"} & set(p), p


def json_entries(text: str) -> list[dict]:
    import json

    return json.loads(text)["entries"]


def test_an_upload_leaves_no_copy_behind(tmp_path: Path, monkeypatch) -> None:
    """#15 item 11: the Import page imports through import_upload, once per rerun."""
    import tempfile

    from tests.conftest import EXPORTS
    from tracker.importer import import_upload
    from tracker.records import LOCAL_MANAGER

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    store = Store(tmp_path / "w.duckdb")
    store.init()
    data = (EXPORTS / "x_twitter" / "account_overview_analytics.csv").read_bytes()
    for dry_run in (True, True, True, False):
        result = import_upload(
            store, LOCAL_MANAGER, "account_overview_analytics.csv", data, dry_run=dry_run
        )
        assert result.file == "account_overview_analytics.csv"
    assert result.inserted == 650
    assert list((tmp_path / "tmp").iterdir()) == []


def test_serve_as_previews_that_person_and_says_which_mode(tmp_path: Path, monkeypatch) -> None:
    import jobs.service

    seen: dict = {}

    def fake_serve(command, env, db_path, *, jobs=True, say=print) -> int:
        seen.update(env)
        return 0

    monkeypatch.setattr(jobs.service, "serve_with_jobs", fake_serve)
    db = tmp_path / "w.duckdb"
    waypoint(db, "demo", "--as-of", "2026-11-18")
    result = waypoint(db, "--as", "jay", "serve")
    assert result.code == 0 and "Sign-in: off" in result.out, result
    assert seen["WAYPOINT_AS"] == "jay" and seen["WAYPOINT_AUTH"] == "local"
    unknown = waypoint(db, "--as", "nobody", "serve")
    assert unknown.code == 2 and "nobody" in unknown.err
