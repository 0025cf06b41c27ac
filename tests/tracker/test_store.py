"""The storage gateway: migrations, transactions, the cross-process lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from tracker.errors import StoreBusy, StoreDamaged
from tracker.migrations import LATEST, MIGRATIONS
from tracker.store import Rollback, Store, resolve_db_path


def test_init_is_idempotent(db_path: Path) -> None:
    store = Store(db_path)
    assert store.init() == LATEST
    assert store.init() == LATEST
    with store.read() as con:
        versions = con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
    assert [v[0] for v in versions] == [m[0] for m in MIGRATIONS]


def test_upgrade_from_previous_version_keeps_data(db_path: Path) -> None:
    """A database at the previous release's schema upgrades in place."""
    import duckdb

    from tracker.migrations import migrate

    con = duckdb.connect(str(db_path))
    migrate(con)  # today's schema stands in for "previous" until migration 2 exists
    con.execute("INSERT INTO settings VALUES ('backup.keep', '3')")
    con.close()
    store = Store(db_path)
    store.init()
    with store.read() as c:
        assert c.execute("SELECT value FROM settings").fetchall() == [("3",)]


def test_write_rolls_back_whole_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError), store.write() as con:
        con.execute("INSERT INTO settings VALUES ('a', '1')")
        raise RuntimeError("midway")
    with store.read() as con:
        assert con.execute("SELECT count(*) FROM settings").fetchone()[0] == 0


def test_revision_grows_with_each_write(store: Store) -> None:
    before = store.revision()
    with store.write() as con:
        con.execute("INSERT INTO settings VALUES ('a', '1')")
    assert store.revision() == before + 1


def test_a_rollback_writes_nothing_and_a_nested_one_leaves_the_outer_write(store: Store) -> None:
    before = store.revision()
    with store.write() as con:
        con.execute("INSERT INTO settings VALUES ('a', '1')")
        raise Rollback
    assert store.revision() == before  # nothing written, the revision kept
    with store.write() as con:
        con.execute("INSERT INTO settings VALUES ('b', '2')")
        with store.write():
            raise Rollback  # ends only the inner block
        con.execute("INSERT INTO settings VALUES ('c', '3')")
    with store.read() as con:
        assert con.execute("SELECT name FROM settings ORDER BY name").fetchall() == [
            ("b",),
            ("c",),
        ]
    assert store.revision() == before + 1


def test_an_import_that_changes_nothing_keeps_the_revision(plan_store: Store) -> None:
    import datetime as dt

    from tests.conftest import values_table
    from tracker.models import LOCAL_MANAGER
    from tracker.observations import write_observations

    batch = values_table({dt.date(2026, 8, 3): 2, dt.date(2026, 8, 4): 5})
    assert write_observations(plan_store, LOCAL_MANAGER, batch).inserted == 2
    revision = plan_store.revision()
    again = write_observations(plan_store, LOCAL_MANAGER, batch)
    assert (again.inserted, again.unchanged, again.change) == (0, 2, None)
    assert plan_store.revision() == revision


def test_file_is_released_when_idle(store: Store) -> None:
    """Another process can open the file as soon as a unit of work ends."""
    with store.read() as con:
        con.execute("SELECT 1").fetchall()
    code = f"import duckdb; duckdb.connect({str(store.path)!r}).close()"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


@pytest.mark.slow  # a second real process holds the file
def test_waits_for_other_process_then_succeeds(store: Store) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, time
            con = duckdb.connect({str(store.path)!r})
            print("held", flush=True)
            time.sleep(1.5)
            con.close()
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    waits: list[str] = []
    waiting = Store(store.path, lock_timeout=20, on_wait=waits.append)
    start = time.monotonic()
    with waiting.write() as con:
        con.execute("INSERT INTO settings VALUES ('x', '1')")
    holder.wait()
    assert time.monotonic() - start >= 0.5
    assert waits and "another Waypoint process" in waits[0]


@pytest.mark.slow  # a second real process holds the file
def test_busy_error_is_friendly(store: Store) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, time
            con = duckdb.connect({str(store.path)!r})
            print("held", flush=True)
            time.sleep(5)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusy) as err, Store(store.path, lock_timeout=0.3).read():
            pass
        assert "busy" in str(err.value) and "Conflicting lock" not in str(err.value)
    finally:
        holder.kill()
        holder.wait()


def test_damaged_file_points_to_restore(tmp_path: Path) -> None:
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"this is not a database" * 1000)
    with pytest.raises(StoreDamaged) as err:
        Store(bad).init()
    assert "waypoint restore" in str(err.value)
    assert bad.exists()


def test_db_path_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOINT_DB", "/tmp/env.duckdb")
    assert resolve_db_path("x.duckdb") == Path("x.duckdb")
    assert resolve_db_path(None) == Path("/tmp/env.duckdb")
    monkeypatch.delenv("WAYPOINT_DB")
    assert resolve_db_path(None) == Path("data/waypoint.duckdb")


def test_nested_units_share_one_connection(store: Store) -> None:
    with store.session(), store.read() as a, store.read() as b:
        assert a is b


@pytest.mark.parametrize("while_copied", ["closed", "written"])
def test_a_log_that_moves_while_copied_is_not_called_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, while_copied: str
) -> None:
    """Ten writers started at once: one copied the WAL of another that was still
    running, which then closed cleanly; the first then told the user the file "was not
    closed cleanly last time" and kept a copy of a log nothing needed."""
    import shutil

    db = tmp_path / "w.duckdb"
    Store(db).init()
    wal = db.with_name(db.name + ".wal")
    wal.write_bytes(b"a running process's log")
    copy = shutil.copyfile

    def copied_as_the_other_process_moves_on(src: Path, dst: Path) -> object:
        done = copy(src, dst)
        if while_copied == "closed":
            wal.unlink()  # its checkpoint: the WAL is gone
        else:
            wal.write_bytes(b"")  # emptied after its checkpoint: nothing to replay
        return done

    monkeypatch.setattr("tracker.store.shutil.copyfile", copied_as_the_other_process_moves_on)
    told: list[str] = []
    store = Store(db, on_recover=told.append)
    assert store.revision() >= 0
    assert told == []
    assert list(tmp_path.glob("w.duckdb.wal.recovered-*")) == []


@pytest.mark.slow  # a second real process holds the file
def test_the_log_of_a_process_still_holding_the_file_is_not_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `waypoint log` loops side by side: one copied the log of the other while it
    still held the file; that one then closed cleanly before the first opened, and the
    first told the user the file "was not closed cleanly last time" and left a copy.
    A log is a leftover only while no process holds the file."""
    db = tmp_path / "w.duckdb"
    Store(db).init()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, select, sys
            con = duckdb.connect({str(db)!r})
            con.execute("INSERT INTO settings VALUES ('held', '1')")  # a WAL to replay
            print("held", flush=True)
            select.select([sys.stdin], [], [], 1.0)  # told to close, or 1 s
            con.close()
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline().strip() == "held"
    connect = duckdb.connect

    def the_holder_closes_first(*args: object, **kwargs: object) -> object:
        # the moment between looking at the WAL and opening the file
        if holder.poll() is None:
            holder.stdin.write("close\n")  # type: ignore[union-attr]
            holder.stdin.flush()  # type: ignore[union-attr]
            holder.wait()
        return connect(*args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", the_holder_closes_first)
    told: list[str] = []
    with Store(db, lock_timeout=20, on_recover=told.append).read() as con:
        assert con.execute("SELECT value FROM settings WHERE name = 'held'").fetchall() == [("1",)]
    holder.wait()
    assert told == []
    assert list(tmp_path.glob("w.duckdb.wal.recovered-*")) == []


@pytest.mark.slow  # a second real process tries the file
def test_a_second_store_of_the_process_keeps_the_file_locked(tmp_path: Path) -> None:
    """The dashboard and a scheduled job hold two Stores of one file in one process.
    DuckDB's lock on the file belongs to the process, and closing any descriptor of the
    file drops it: the second Store's look at the file's first bytes let another process
    open it, and write, beside the dashboard."""
    db = tmp_path / "w.duckdb"
    Store(db).init()
    code = f"import duckdb; duckdb.connect({str(db)!r}).close()"
    dashboard, job = Store(db), Store(db)
    with dashboard.read():
        with job.read():
            pass
        assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode != 0
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0  # released at the end


_TURN_TAKER = """
import sys, time
import duckdb
from tracker.store import _NotYourTurn, _end_turn, _take_turn
from pathlib import Path

db, me, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
done = 0
while done < n:
    try:
        turn = _take_turn(Path(db))  # as Store._open does, before DuckDB opens it
    except _NotYourTurn:
        time.sleep(0.005)
        continue
    try:
        con = duckdb.connect(db)
        con.execute("BEGIN")
        nid = con.execute("SELECT coalesce(max(id), 0) + 1 FROM turns").fetchall()[0][0]
        con.execute("INSERT INTO turns VALUES (?, ?)", [nid, me])
        con.execute("COMMIT")
        con.close()
        done += 1
    finally:
        _end_turn(turn)  # as Store._release does, once DuckDB has closed the file
"""


@pytest.mark.slow  # four real processes take turns on one file
def test_processes_taking_turns_through_the_open_lock_lose_no_write(tmp_path: Path) -> None:
    """DuckDB 2.0 lets go of its lock on the file before it is done with it on close: a
    process opening right after read a file still being written ("Could not read enough
    bytes", or a state without the last commit, whose write it then overwrote). Four
    processes each opening, inserting one row and closing, 60 times: bare DuckDB lost
    rows in 11 of 15 runs; taking Waypoint's open-lock (`<db>.lock`) before opening and
    letting go after closing, as the store does, keeps every row."""
    import duckdb

    db = tmp_path / "w.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE turns (id BIGINT PRIMARY KEY, w INTEGER)")
    con.close()
    script = tmp_path / "turns.py"
    script.write_text(_TURN_TAKER)
    procs = [
        subprocess.Popen([sys.executable, str(script), str(db), str(w), "60"]) for w in range(4)
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0, 0]
    con = duckdb.connect(str(db))
    assert con.execute("SELECT count(*), max(id) FROM turns").fetchall()[0] == (240, 240)
    con.close()


@pytest.mark.slow  # a second real process holds the open-lock
def test_a_store_waits_for_the_open_lock_of_another_process(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    Store(db).init()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _flock(db) + "fcntl.flock(fd, fcntl.LOCK_EX)\nimport time\n"
            "print('held', flush=True)\ntime.sleep(1)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    waits: list[str] = []
    start = time.monotonic()
    with Store(db, lock_timeout=20, on_wait=waits.append).read() as con:
        assert con.execute("SELECT 1").fetchall() == [(1,)]
    assert time.monotonic() - start >= 0.5 and waits  # it waited for its turn
    holder.wait()


def _flock(db: Path) -> str:
    """Code another process runs to take the open-lock of ``db``."""
    return f"import fcntl, os\nfd = os.open({str(db) + '.lock'!r}, os.O_RDWR | os.O_CREAT)\n"


def test_the_open_lock_is_held_while_the_file_is_open(tmp_path: Path) -> None:
    import fcntl

    db = tmp_path / "w.duckdb"
    store = Store(db)
    store.init()
    probe = _flock(db) + (
        "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB); print('free')\n"
        "except BlockingIOError:\n    print('taken')\n"
    )
    with store.session():
        taken = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
        assert taken.stdout.strip() == "taken"
    free = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert free.stdout.strip() == "free"
    assert fcntl  # the platform has flock (Linux, macOS)


def test_two_names_of_one_file_share_its_open_lock(tmp_path: Path) -> None:
    # `--db link.duckdb` beside `--db real.duckdb`: one file, so one turn at a time
    real = tmp_path / "real.duckdb"
    Store(real).init()
    link = tmp_path / "link.duckdb"
    link.symlink_to(real)
    probe = _flock(real) + (
        "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB); print('free')\n"
        "except BlockingIOError:\n    print('taken')\n"
    )
    with Store(link).session():
        taken = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
        assert taken.stdout.strip() == "taken"
    assert not (tmp_path / "link.duckdb.lock").exists()
