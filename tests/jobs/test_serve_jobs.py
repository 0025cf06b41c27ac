"""The scheduler belongs to `waypoint serve` (real processes, no browser): a dropped file is
imported with nobody on the page; a second server of the same database runs no jobs;
SIGTERM leaves nothing on the port."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from jobs.scheduler import STOP_WAIT_SECONDS
from jobs.service import STOP_GRACE_SECONDS
from tests.conftest import free_port, healthy
from tests.reliability.helpers import CLI, waypoint

pytestmark = pytest.mark.slow


def until(check, timeout: float = 90, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def serve(db: Path, port: int, log: Path) -> subprocess.Popen:
    # a group of its own, so a failing test can stop the Streamlit child with it
    return subprocess.Popen(
        [*CLI, "--db", str(db), "serve", "--port", str(port)],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def cli_json(db: Path, *args: str) -> dict:
    """A command's JSON; a refusal (the server's jobs hold the database?) fails with its
    own words rather than a JSONDecodeError."""
    done = waypoint(db, *args)
    assert done.returncode == 0, (args, done.returncode, done.stdout, done.stderr)
    return json.loads(done.stdout)


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_serve_runs_the_jobs_once_per_database_and_stops_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert waypoint(db, "demo", "--as-of", "2026-11-18").returncode == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    dropped = inbox / "orders.csv"
    dropped.write_text("day,metric,value\n2026-11-17,catering-orders,7\n")
    # dropped a while ago (a file changed in the last minute is left as still being written)
    an_hour_ago = time.time() - 3600
    os.utime(dropped, (an_hour_ago, an_hour_ago))
    first_port, second_port = free_port(), free_port()
    while second_port == first_port:  # the first socket is closed: its port may come back
        second_port = free_port()
    first = serve(db, first_port, tmp_path / "first.log")
    second = None
    try:
        # no browser ever connects: the catch-up at start imports the dropped file
        until(lambda: (inbox / "done").exists() and any((inbox / "done").iterdir()), 120, "inbox")

        def inbox_job() -> dict:
            jobs = cli_json(db, "jobs", "list", "--json")["jobs"]
            return next(j for j in jobs if j["name"] == "inbox_import")

        # the job moves the file first and records its outcome after: under load the
        # file can be in done/ while the run still reads "running"
        until(lambda: inbox_job()["last_outcome"] not in (None, "running"), 60, "the outcome")
        assert inbox_job()["last_outcome"] == "ok", inbox_job()
        values = cli_json(db, "values", "catering-orders", "--json")["values"]
        assert any(v["day"] == "2026-11-17" and v["value"] == 7 for v in values)
        until(lambda: healthy(first_port), 60, "first server")
        # a second server of the same database serves pages without jobs, and says so
        second = serve(db, second_port, tmp_path / "second.log")
        until(lambda: healthy(second_port), 60, "second server")
        said = (tmp_path / "second.log").read_text()
        assert "already run in waypoint serve, pid" in said and "pages only" in said
        assert f"pid {first.pid}" in said
        assert "Scheduled jobs: running in this process" not in said
        lease = db.with_name(db.name + ".scheduler.lock").read_text()
        assert f"pid {first.pid}" in lease  # the lease stays with the first server
        # Streamlit's child writes unbuffered: a killed child's last lines reach the log
        # (the start-up digest's Chromium may be a child too)
        children = Path(f"/proc/{first.pid}/task/{first.pid}/children").read_text().split()
        (child,) = [
            c for c in children if b"dashboard.server" in Path(f"/proc/{c}/cmdline").read_bytes()
        ]
        assert b"PYTHONUNBUFFERED=1" in Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
        # SIGTERM to each `waypoint serve` stops its Streamlit child too. The first may
        # be running the start-up catch-up's digest (its chart is rendered by a
        # Chromium: 7 s on an idle machine, far more in a loaded full run), and a run
        # under way is waited for, up to a minute: the failure of 2026-12-07 was this
        # test giving it 30 s
        patience = STOP_GRACE_SECONDS + STOP_WAIT_SECONDS + 30
        for proc, port in ((second, second_port), (first, first_port)):
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=patience)
            until(lambda port=port: not port_open(port), 20, f"port {port} closed")
        for name in ("first.log", "second.log"):
            # the Streamlit child's own last words reach the log (unbuffered)
            assert "Stopping..." in (tmp_path / name).read_text(), name
    except Exception as failed:  # a timeout, a refused command or a failed check
        # this test failed twice in eleven full-suite runs and never alone: a failure
        # carries both servers' own words, so the next one says why
        logs = {
            name: (tmp_path / name).read_text()
            for name in ("first.log", "second.log")
            if (tmp_path / name).exists()
        }
        ports = f"first port {first_port}, second port {second_port}"
        raise AssertionError(f"{failed}\n{ports}\n{json.dumps(logs, indent=1)}") from failed
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    started = (tmp_path / "first.log").read_text()
    assert "Scheduled jobs: running in this process" in started
    # nothing in the start-up output reads like a fault (Streamlit's "No runtime found,
    # using MemoryCacheStorageManager" did, for the preloaded pages' caches)
    assert "No runtime found" not in started and "WARNING" not in started, started
    # no Streamlit child is left behind
    leftover = subprocess.run(
        ["pgrep", "-f", f"server.port {first_port}|server.port {second_port}"],
        capture_output=True,
        text=True,
    )
    assert leftover.stdout.strip() == "", leftover.stdout
    assert not os.path.exists(str(db) + ".wal.recovered-1")


def test_two_jobs_colliding_on_purpose_both_finish_or_one_says_why(tmp_path: Path) -> None:
    """The backup and the inbox import started in the same instant from two processes
    (the first release printed `TransactionException: Conflict on update!` and recorded
    nothing): each ends ok, or failed with its message recorded; never silently."""
    db = tmp_path / "w.duckdb"
    assert waypoint(db, "demo", "--as-of", "2026-11-18").returncode == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rows = "\n".join(
        f"2026-{m:02d}-{d:02d},catering-orders,1" for m in (9, 10) for d in range(1, 29)
    )
    dropped = inbox / "orders.csv"
    dropped.write_text("day,metric,value\n" + rows + "\n")
    os.utime(dropped, (time.time() - 3600, time.time() - 3600))
    procs = [
        subprocess.Popen(
            [*CLI, "--db", str(db), "jobs", "run", job],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for job in ("nightly_backup", "inbox_import")
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    for (out, err), proc, job in zip(outs, procs, ("nightly_backup", "inbox_import"), strict=True):
        # a failed run says so on stderr, as one recorded message, never a raw exception
        assert "Traceback" not in err, err
        assert "Conflict" not in err or err.startswith(f"{job}: failed:"), err
        assert proc.returncode in (0, 1), (proc.returncode, out, err)
    jobs = {j["name"]: j for j in json.loads(waypoint(db, "jobs", "list", "--json").stdout)["jobs"]}
    for name in ("nightly_backup", "inbox_import"):
        run = jobs[name]
        assert run["last_outcome"] in ("ok", "failed"), run
        if run["last_outcome"] == "failed":
            assert run["last_message"], run  # failed with its reason, not silently
    if jobs["inbox_import"]["last_outcome"] == "ok":
        assert list((inbox / "done").iterdir())


def test_two_inbox_runs_at_once_import_a_file_once_and_file_it_once(tmp_path: Path) -> None:
    """Two `jobs run inbox_import` started together (a manager's beside the scheduler's):
    the second took the first's file in processing/ for one a stopped server left, filed
    it under failed/ as "interrupted" (once after the first had imported it) and the
    first failed with a FileNotFoundError. Now the inbox is one run's at a time."""
    db, inbox = _demo_with_a_big_dropped_file(tmp_path, rows=200_000)
    procs = [
        subprocess.Popen(
            [*CLI, "--db", str(db), "jobs", "run", "inbox_import"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=240) for p in procs]
    said = " | ".join(out + err for out, err in outs)
    assert all(p.returncode == 0 for p in procs), said
    assert "imported 1: big.csv" in said, said
    assert "interrupted" not in said and "Error" not in said, said
    # the other run found the inbox taken, or nothing left once the first was done
    assert "another inbox run is under way" in said or "nothing new" in said, said
    assert not (inbox / "failed").exists() and not list((inbox / "processing").iterdir())
    assert len(list((inbox / "done").glob("*-big.csv"))) == 1
    changes = json.loads(waypoint(db, "changes", "--json").stdout)["changes"]
    imports = [c for c in changes if c["kind"] == "import" and "big.csv" in c["summary"]]
    assert len(imports) == 1, imports


def _demo_with_a_big_dropped_file(tmp_path: Path, rows: int = 1_200_000) -> tuple[Path, Path]:
    """The demo workspace and its inbox holding ``rows`` rows (1.2 million: seconds of
    import for the start-up catch-up) dropped an hour ago."""
    db = tmp_path / "w.duckdb"
    assert waypoint(db, "demo", "--as-of", "2026-11-18").returncode == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    big = inbox / "big.csv"
    with big.open("w") as f:
        f.write("day,metric,value,source\n")
        for i in range(rows):
            f.write(f"2025-{1 + i % 12:02d}-{1 + i % 28:02d},catering-inquiries,1,src{i // 1000}\n")
    an_hour_ago = time.time() - 3600
    os.utime(big, (an_hour_ago, an_hour_ago))
    return db, inbox


def test_sigterm_during_a_job_waits_for_it_and_starts_no_other(tmp_path: Path) -> None:
    """SIGTERM while the start-up catch-up imports a big dropped file: the import ends
    and is recorded (it was left "running", or its file filed as not imported), and no
    further job of the catch-up starts."""
    db, inbox = _demo_with_a_big_dropped_file(tmp_path)
    port = free_port()
    proc = serve(db, port, tmp_path / "serve.log")
    try:
        processing = inbox / "processing"
        until(lambda: processing.exists() and any(processing.iterdir()), 120, "the import")
        proc.send_signal(signal.SIGTERM)
        # the documented stop: the child's grace, then the run waited for up to a
        # minute (10 s alone; a loaded full run once took more than the 90 s given)
        proc.wait(timeout=STOP_GRACE_SECONDS + STOP_WAIT_SECONDS + 30)
    except subprocess.TimeoutExpired as failed:
        raise AssertionError((tmp_path / "serve.log").read_text()) from failed
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    jobs = {j["name"]: j for j in cli_json(db, "jobs", "list", "--json")["jobs"]}
    assert jobs["inbox_import"]["last_outcome"] == "ok", jobs["inbox_import"]
    assert [p.name for p in (inbox / "done").iterdir() if p.suffix == ".csv"]
    assert not any(processing.iterdir())
    assert jobs["nightly_backup"]["last_outcome"] is None  # never started after the signal


def test_a_run_longer_than_the_stop_waits_for_ends_the_server_cleanly(tmp_path: Path) -> None:
    """When the run under way outlasts the stop's wait (a minute; 1 s here), the server
    still ends with exit 0 and says so: the interpreter's own shutdown stopped the run's
    thread inside DuckDB and aborted ("FATAL: exception not rethrown", exit -6). Nothing
    is lost: the import never committed, the database checks, the file waits in
    processing/ for the next start."""
    db, inbox = _demo_with_a_big_dropped_file(tmp_path)
    # the same `waypoint serve`, with the stop's wait cut to a second
    short_wait = (
        "import sys, jobs.scheduler as s; s.stop_all.__defaults__ = (False, 1.0);"
        " from tracker.cli import main; sys.argv[0] = 'waypoint'; main()"
    )
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [CLI[0], "-c", short_wait, "--db", str(db), "serve", "--port", str(free_port())],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        processing = inbox / "processing"
        until(lambda: processing.exists() and any(processing.iterdir()), 120, "the import")
        proc.send_signal(signal.SIGTERM)
        # the child's grace, the 1 s wait and a loaded full run's slack (60 s in all was
        # passed once, with no log to say where it went: the log is shown now)
        try:
            code = proc.wait(timeout=STOP_GRACE_SECONDS + 1 + 60)
        except subprocess.TimeoutExpired as slow:
            raise AssertionError(f"no exit after SIGTERM:\n{log.read_text()}") from slow
        assert code == 0, log.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    said = log.read_text()
    assert "A job run was still going after" in said and "FATAL" not in said, said
    assert [p.name for p in processing.iterdir()]  # kept for the next start
    assert subprocess.run([*CLI, "--db", str(db), "check"], capture_output=True).returncode == 0
    values = cli_json(db, "values", "catering-inquiries", "--json")["values"]
    assert not [v for v in values if v["day"].startswith("2025")]  # nothing half-written
