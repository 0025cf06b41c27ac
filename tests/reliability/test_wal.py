"""A damaged or truncated write-ahead log: clear message, WAL never deleted by Waypoint."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.reliability.helpers import no_traceback, waypoint

pytestmark = pytest.mark.slow  # damaged files opened by real processes, as a user meets them


def crash_leaving_wal(db: Path) -> Path:
    """Commit values in a process that dies without closing: the WAL stays behind."""
    waypoint(db, "demo", "--as-of", "2026-11-18")
    code = textwrap.dedent(f"""
        import os, datetime as dt
        from tracker.store import Store
        from tracker.models import LOCAL_MANAGER
        from tracker.entries import log_entry as log_value
        store = Store({str(db)!r})
        with store.session():
            store.init()
            with store.read() as con:
                con.execute("CHECKPOINT")
            for i in range(40):
                log_value(store, LOCAL_MANAGER, "catering-inquiries", i,
                          day=dt.date(2026, 1, 1) + dt.timedelta(days=i), confirm_outlier=True)
            os._exit(0)
    """)
    subprocess.run([sys.executable, "-c", code], check=True)
    wal = db.with_name(db.name + ".wal")
    assert wal.exists() and wal.stat().st_size > 0
    return wal


def test_damaged_wal_stops_with_clear_message_and_keeps_it(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    wal = crash_leaving_wal(db)
    data = bytearray(wal.read_bytes())
    # Damage a third of the way in: a committed entry, not the header (DuckDB may skip a
    # damaged first entry of its own and replay the rest, which is not this test's case).
    middle = len(data) // 3
    for i in range(middle, middle + 200):
        data[i] ^= 0xFF
    wal.write_bytes(bytes(data))
    result = waypoint(db, "plan", "export")
    assert result.returncode == 1
    no_traceback(result)
    assert "waypoint restore" in result.stderr
    assert wal.exists() and wal.read_bytes() == bytes(data)


def test_truncated_wal_recovers_and_keeps_a_copy(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    wal = crash_leaving_wal(db)
    original = wal.read_bytes()
    wal.write_bytes(original[: len(original) // 2])
    result = waypoint(db, "export", "--out", str(tmp_path / "o.csv"))
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "not closed cleanly" in result.stderr
    kept = list(tmp_path.glob("w.duckdb.wal.recovered-*"))
    assert kept and kept[0].read_bytes() == original[: len(original) // 2]


@pytest.mark.parametrize("content", [b"", b"\x00" * 10_000, b"junk" * 5000])
def test_not_a_database(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "w.duckdb"
    db.write_bytes(content)
    result = waypoint(db, "plan", "export")
    no_traceback(result)
    if content:
        assert result.returncode == 1 and "waypoint restore" in result.stderr
        assert db.read_bytes() == content
