"""A backup taken while another process writes is a consistent snapshot that restores exactly."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.reliability.helpers import waypoint
from tracker.backup import read_manifest
from tracker.store import Store

pytestmark = pytest.mark.slow


def test_backup_during_writes_is_consistent(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert waypoint(db, "demo", "--as-of", "2026-11-18").returncode == 0
    # A writer that logs in a loop, each value together with its audit row.
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import datetime as dt
        from tracker.store import Store
        from tracker.records import LOCAL_MANAGER
        from tracker.entries import log_entry as log_value
        store = Store({str(db)!r})
        for i in range(60):
            log_value(store, LOCAL_MANAGER, "catering-inquiries", i,
                      day=dt.date(2025, 1, 1) + dt.timedelta(days=i), note="live", confirm_outlier=True)
    """),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    backups = []
    for n in range(3):
        result = waypoint(db, "backup", str(tmp_path / f"b{n}"))
        assert result.returncode == 0, result.stderr
        backups.append(tmp_path / f"b{n}")
    writer.communicate(timeout=300)
    assert writer.returncode == 0
    for folder in backups:
        manifest = read_manifest(folder)
        restored = Store(tmp_path / f"{folder.name}.duckdb")
        restored.init()
        from tracker.backup import restore
        from tracker.records import LOCAL_MANAGER

        restore(restored, folder, LOCAL_MANAGER)
        with restored.read() as con:
            live = con.execute("SELECT count(*) FROM observations WHERE note = 'live'").fetchone()[
                0
            ]
            logged = con.execute(
                "SELECT count(*) FROM audit_log WHERE entity = 'observation'"
                " AND new_value->>'note' = 'live'"
            ).fetchone()[0]
        # Snapshot: each value arrives with its audit row, so the counts always agree.
        assert live == logged
        assert manifest["tables"]["observations"]["rows"] >= 2764
