"""Many writers on one file: every command succeeds, no lock error, every row stored once."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import SMALL_PLAN
from tests.reliability.helpers import CLI, no_traceback, waypoint
from tracker.observations import daily_values
from tracker.store import Store

pytestmark = pytest.mark.slow

LOGS_PER_WRITER = 12


def writer_script(db: Path, writer: int) -> list[str]:
    """A shell loop of real `waypoint log` commands, as an assistant's script would run."""
    lines = []
    for i in range(LOGS_PER_WRITER):
        day = dt.date(2026, 7, 1) + dt.timedelta(days=i)
        lines.append(
            # --yes: writer 2's 200s can read as outliers after writer 0's first week of
            # single digits, depending on which process the machine runs first; this
            # test is about locks, not the outlier check (test_entries covers that)
            f"{' '.join(CLI)} --db {db} log leads {writer * 100 + i} --day {day}"
            f" --note writer{writer} --yes || echo FAILED {writer} {i}"
        )
    return lines


def test_three_cli_writers_and_a_reader(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    plan = tmp_path / "plan.yaml"
    plan.write_text(SMALL_PLAN)
    assert waypoint(db, "plan", "apply", str(plan)).returncode == 0
    procs = []
    for writer in range(3):
        script = "\n".join(writer_script(db, writer))
        procs.append(
            subprocess.Popen(
                ["bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
            )
        )
    # A reader holding the file in short bursts, like the dashboard does.
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import time
        from tracker.store import Store
        store = Store({str(db)!r})
        end = time.time() + 6
        while time.time() < end:
            with store.read() as con:
                con.execute("SELECT count(*) FROM observations").fetchall()
                time.sleep(0.05)
            time.sleep(0.02)
    """),
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    outputs = [p.communicate(timeout=600) for p in procs]
    reader_err = reader.communicate(timeout=120)[1]
    assert reader.returncode == 0, reader_err
    for out, err in outputs:
        assert "FAILED" not in out, (out, err)
        assert "Traceback" not in err and "Conflicting lock" not in err, err
    store = Store(db)
    with store.read() as con:
        rows = con.execute(
            "SELECT note, count(*), count(DISTINCT day) FROM observations"
            " WHERE source = 'manual' GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert rows == [(f"writer{w}", LOGS_PER_WRITER, LOGS_PER_WRITER) for w in range(3)]
    first_day = daily_values(store, "leads", dt.date(2026, 7, 1), dt.date(2026, 7, 1))
    assert first_day == [(dt.date(2026, 7, 1), 0.0 + 100 + 200)]


def test_busy_database_message_is_friendly(tmp_path: Path) -> None:
    """When the wait runs out the user gets a sentence, not DuckDB's lock error."""
    db = tmp_path / "w.duckdb"
    waypoint(db, "init")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import duckdb, time
        con = duckdb.connect({str(db)!r})
        print("held", flush=True)
        time.sleep(30)
    """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = waypoint(db, "plan", "export", WAYPOINT_LOCK_TIMEOUT="1")
        no_traceback(result)
        assert result.returncode == 1
        assert "Waiting for" in result.stderr and "busy" in result.stderr
    finally:
        holder.kill()
        holder.wait()


def test_server_scheduler_writers_and_a_large_import(tmp_path: Path) -> None:
    """A running `waypoint serve` (dashboard + scheduler), three CLI writers and a 300,000-row
    import on one database: every command succeeds and every row is stored once."""
    import json
    import signal
    import urllib.request

    from benchmarks.generate import Size, long_csv, plan_yaml
    from tests.conftest import free_port, healthy

    size = Size("conc", 100, 300_000)
    db = tmp_path / "w.duckdb"
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        plan_yaml(size).replace(
            "metrics:\n",
            "metrics:\n- {key: leads, name: Leads, class: outcome, behaviour: flow}\n",
            1,
        )
    )
    assert waypoint(db, "plan", "apply", str(plan)).returncode == 0
    csv = long_csv(size, tmp_path / "big.csv")
    port = free_port()
    server = subprocess.Popen(
        [*CLI, "--db", str(db), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(200):
            if healthy(port):
                break
            time.sleep(0.3)
        writers = [
            subprocess.Popen(
                ["bash", "-c", "\n".join(writer_script(db, w))],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for w in range(3)
        ]
        importer = subprocess.run(
            [*CLI, "--db", str(db), "import", str(csv), "--json"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        # The dashboard keeps answering while the import holds the file.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as r:
            assert r.read() == b"ok"
        outputs = [w.communicate(timeout=600) for w in writers]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert importer.returncode == 0, importer.stderr
    no_traceback(importer)
    assert json.loads(importer.stdout)["inserted"] == 300_000
    for out, err in outputs:
        assert "FAILED" not in out and "Traceback" not in err and "Conflicting lock" not in err
    store = Store(db)
    with store.read() as con:
        assert (
            con.execute("SELECT count(*) FROM observations WHERE source LIKE 'csv%'").fetchone()[0]
            == 300_000
        )
        assert (
            con.execute("SELECT count(*) FROM observations WHERE note LIKE 'writer%'").fetchone()[0]
            == 3 * LOGS_PER_WRITER
        )
