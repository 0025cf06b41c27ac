"""Backup and restore: exact round trip, refusal on a used database, one transaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.backup import backup, prune_backups, restore
from tracker.errors import BadInput, PermissionDenied
from tracker.models import LOCAL_MANAGER, Actor
from tracker.plan import export_plan
from tracker.store import Store


def table_fingerprints(store: Store) -> dict[str, tuple]:
    from tracker.backup import _checksum, _tables

    with store.read() as con:
        return {
            t: _checksum(con, t)
            for t in _tables(con)
            if t not in ("meta", "audit_log", "schema_migrations")
        }


def test_round_trip_is_exact(demo_store: Store, tmp_path: Path) -> None:
    info = backup(demo_store, tmp_path / "b1", LOCAL_MANAGER)
    assert info.tables["observations"]["rows"] > 2000
    fresh = Store(tmp_path / "fresh.duckdb")
    fresh.init()
    restore(fresh, tmp_path / "b1", LOCAL_MANAGER)
    assert table_fingerprints(fresh) == table_fingerprints(demo_store)
    assert export_plan(fresh) == export_plan(demo_store)


def test_a_backup_folder_named_like_a_pattern_restores_itself(
    demo_store: Store, tmp_path: Path
) -> None:
    # `restore 'g/nightly[1]'` read g/nightly1's files (DuckDB took the name as a pattern)
    from tracker.entries import log_entry

    backup(demo_store, tmp_path / "nightly[1]", LOCAL_MANAGER)
    before = table_fingerprints(demo_store)
    log_entry(demo_store, LOCAL_MANAGER, "catering-inquiries", 1, confirm_outlier=True)
    backup(demo_store, tmp_path / "nightly1", LOCAL_MANAGER)
    restore(demo_store, tmp_path / "nightly[1]", LOCAL_MANAGER, force=True)
    assert table_fingerprints(demo_store) == before


def test_restore_into_used_database_needs_force(demo_store: Store, tmp_path: Path) -> None:
    backup(demo_store, tmp_path / "b1", LOCAL_MANAGER)
    with pytest.raises(BadInput) as err:
        restore(demo_store, tmp_path / "b1", LOCAL_MANAGER)
    assert "--force" in str(err.value)
    restore(demo_store, tmp_path / "b1", LOCAL_MANAGER, force=True)


def test_damaged_backup_restores_nothing(
    demo_store: Store, plan_store: Store, tmp_path: Path
) -> None:
    backup(demo_store, tmp_path / "b1", LOCAL_MANAGER)
    (tmp_path / "b1" / "observations.parquet").write_bytes(b"garbage")
    before = export_plan(plan_store)
    with pytest.raises(Exception):  # noqa: B017 (DuckDB's parquet error or BadInput)
        restore(plan_store, tmp_path / "b1", LOCAL_MANAGER, force=True)
    assert export_plan(plan_store) == before


def test_only_managers_restore(demo_store: Store, tmp_path: Path) -> None:
    backup(demo_store, tmp_path / "b1", LOCAL_MANAGER)
    with pytest.raises(PermissionDenied):
        restore(demo_store, tmp_path / "b1", Actor("jay", "assistant", "Jay"), force=True)


@pytest.mark.parametrize("role", ["assistant", "viewer"])
def test_only_managers_back_up(demo_store: Store, tmp_path: Path, role: str) -> None:
    with pytest.raises(PermissionDenied):
        backup(demo_store, tmp_path / "b1", Actor("jay", role, "Jay"))
    assert not (tmp_path / "b1").exists() and not (tmp_path / "b1.partial").exists()


def test_not_a_backup_and_non_empty_target(demo_store: Store, tmp_path: Path) -> None:
    with pytest.raises(BadInput):
        restore(demo_store, tmp_path, LOCAL_MANAGER)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(BadInput):
        backup(demo_store, tmp_path / "full", LOCAL_MANAGER)


def test_prune_keeps_newest(demo_store: Store, tmp_path: Path) -> None:
    for day in ("2026-01-01", "2026-01-02", "2026-01-03"):
        backup(demo_store, tmp_path / "backups" / day, LOCAL_MANAGER)
    removed = prune_backups(tmp_path / "backups", keep=2)
    assert [p.name for p in removed] == ["2026-01-01"]


# A real backup made by Waypoint at schema 2 (commit d53f1c3^, the demo as of 18 Nov
# 2026): the workspace table had no currency column yet.
SCHEMA_2_BACKUP = Path(__file__).parents[1] / "fixtures" / "backups" / "schema-2-demo"


def test_a_backup_of_an_older_waypoint_restores_upgraded(tmp_path: Path) -> None:
    from tracker.daily import mismatches
    from tracker.observations import daily_values

    fresh = Store(tmp_path / "fresh.duckdb")
    fresh.init()
    result = restore(fresh, SCHEMA_2_BACKUP, LOCAL_MANAGER)
    assert result["tables"]["observations"] == 2764
    plan = export_plan(fresh)
    assert "Copper Kettle" in plan  # the workspace, given the new currency's default
    with fresh.read() as con:
        assert con.execute("SELECT currency FROM workspace").fetchall() == [("USD",)]
        assert mismatches(con) == (0, [])
    assert daily_values(fresh, "catering-inquiries")
    # the scratch database and the upgraded copy are gone; the backup is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.duckdb", "fresh.duckdb.lock"]
    assert not list(SCHEMA_2_BACKUP.glob("*.duckdb"))


def test_a_damaged_older_backup_restores_nothing(tmp_path: Path) -> None:
    import shutil

    damaged = tmp_path / "old"
    shutil.copytree(SCHEMA_2_BACKUP, damaged)
    shutil.copy(damaged / "outliers.parquet", damaged / "people.parquet")  # people lost
    fresh = Store(tmp_path / "fresh.duckdb")
    fresh.init()
    with pytest.raises(BadInput, match="people"):
        restore(fresh, damaged, LOCAL_MANAGER)
    with fresh.read() as con:
        assert con.execute("SELECT count(*) FROM observations").fetchall() == [(0,)]


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda m: m.pop("schema_version"), "schema_version"),
        (lambda m: m.update(schema_version=0), "schema_version"),
        (lambda m: m.update(schema_version="5"), "schema_version"),
        (lambda m: m["tables"].pop("observations"), "missing tables: observations"),
        (lambda m: m.update(tables={}), "lists no tables"),
        (lambda m: m["tables"].update(secrets={"rows": 0, "checksum": "0"}), "unknown tables"),
        (lambda m: m["tables"]["kpis"].pop("checksum"), "table kpis"),
    ],
)
def test_a_hand_edited_manifest_is_refused_and_the_database_kept(
    demo_store: Store, tmp_path: Path, edit, says: str
) -> None:
    # A restore replaces everything, so a manifest that no longer describes the whole
    # backup (no version: the old code migrated "from 0" and loaded nothing) must never
    # be a way to empty a workspace, even with --force.
    import json

    backup(demo_store, tmp_path / "b1", LOCAL_MANAGER)
    manifest_file = tmp_path / "b1" / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    edit(manifest)
    if "secrets" in manifest["tables"]:
        (tmp_path / "b1" / "secrets.parquet").write_bytes(b"")
    manifest_file.write_text(json.dumps(manifest))
    before = table_fingerprints(demo_store)
    with pytest.raises(BadInput) as err:
        restore(demo_store, tmp_path / "b1", LOCAL_MANAGER, force=True)
    assert says in str(err.value)
    assert "b1" in str(err.value)
    assert table_fingerprints(demo_store) == before


def test_a_refused_restore_of_an_older_backup_is_refused_before_any_upgrade(
    demo_store: Store,
) -> None:
    folder = demo_store.path.parent
    demo_store.revision()  # opened once: its open-lock file is the database's own
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(BadInput, match="--force"):
        restore(demo_store, SCHEMA_2_BACKUP, LOCAL_MANAGER)
    assert sorted(p.name for p in folder.iterdir()) == before


def test_the_nightly_run_that_wrote_a_backup_is_done_once_restored(
    demo_store: Store, tmp_path: Path
) -> None:
    # the nightly job's backup holds its own row while it runs: restored, `jobs list`
    # showed "running" until the next night
    import datetime as dt

    from jobs.runner import run_job
    from tracker.jobruns import last_runs

    night = dt.datetime(2026, 11, 19, 8, 30, tzinfo=dt.UTC)
    outcome, message = run_job(demo_store, "nightly_backup", night, slot=night)
    assert outcome == "ok", message
    (written,) = [p for p in (demo_store.path.parent / "backups").iterdir() if p.is_dir()]
    fresh = Store(tmp_path / "fresh.duckdb")
    fresh.init()
    restore(fresh, written, LOCAL_MANAGER)
    run = last_runs(fresh)["nightly_backup"]
    assert run.outcome == "ok"
    assert run.message == "wrote the backup this database was restored from"


@pytest.mark.parametrize(
    ("crafted", "said"),
    [
        ("UPDATE observations SET day = DATE '2031-01-01' WHERE id = 1", "2031-01-01"),
        ("UPDATE observations SET value = 'nan'::DOUBLE WHERE id = 1", "nan"),
        (
            "UPDATE people SET name = 'Ben ' || chr(27) || ']0;PWNED' WHERE key = 'ben'",
            "its plan does not pass",
        ),
    ],
)
def test_a_crafted_backup_is_refused_whole(
    demo_store: Store, tmp_path: Path, crafted: str, said: str
) -> None:
    # The checksums only prove the files are whole; anyone can write a backup folder.
    # Restored, these stored a day in 2031, a NaN, a name every `plan export` failed on,
    # and a data_dir outside the database's folder.
    import shutil

    evil = tmp_path / "evil.duckdb"
    shutil.copy(demo_store.path, evil)
    evil_store = Store(evil)
    with evil_store.write() as con:
        con.execute(crafted)
    backup(evil_store, tmp_path / "evil", LOCAL_MANAGER)
    before = table_fingerprints(demo_store)
    with pytest.raises(BadInput, match="nothing was restored") as refused:
        restore(demo_store, tmp_path / "evil", LOCAL_MANAGER, force=True)
    assert said in str(refused.value)
    assert table_fingerprints(demo_store) == before


def test_a_restore_sets_back_what_this_folder_does_not_allow_and_recomputes_daily_values(
    demo_store: Store, tmp_path: Path
) -> None:
    # a data_dir of another machine (or /etc) goes back to its default, said, instead
    # of the restore being refused; daily values for no metric (planted in the files)
    # are not kept: every row is computed from the values restored
    import shutil

    from tracker.daily import mismatches

    other = tmp_path / "other.duckdb"
    shutil.copy(demo_store.path, other)
    other_store = Store(other)
    with other_store.write() as con:
        con.execute("INSERT INTO settings VALUES ('data_dir', '/etc')")
        con.execute("INSERT INTO daily_values VALUES ('ghost', DATE '2026-11-01', 3.0)")
        con.execute("UPDATE observations SET note = 'zero\u200bwidth' WHERE id = 1")
    backup(other_store, tmp_path / "other", LOCAL_MANAGER)
    result = restore(demo_store, tmp_path / "other", LOCAL_MANAGER, force=True)
    assert result["settings_set_back"] == ["data_dir"]
    with demo_store.read() as con:
        assert con.execute("SELECT count(*) FROM settings WHERE name = 'data_dir'").fetchall() == [
            (0,)
        ]
        assert con.execute(
            "SELECT count(*) FROM daily_values WHERE metric = 'ghost'"
        ).fetchall() == [(0,)]
        assert mismatches(con) == (0, [])
