"""The storage gateway: the only module that opens DuckDB connections.

DuckDB lets one process hold a database file read-write, and while it does no other
process can open the file at all. Waypoint runs the dashboard, the scheduler and CLI
commands side by side on one file, so:

* No process keeps the file open while idle. A unit of work (``store.read()`` /
  ``store.write()``) opens the file, and the file is closed when the last unit of this
  process ends. Units nest and may run on several threads: they share one open
  database instance through cursors.
* Opening a file another process holds is retried with backoff for up to
  ``lock_timeout`` seconds; ``on_wait`` is told once so a CLI can say "waiting".
  Only when that runs out does the user see ``StoreBusy``: never DuckDB's lock error.
* A process takes the file's open-lock (``<db>.lock``) before DuckDB opens the file and
  lets go of it only once DuckDB has closed it: DuckDB's own lock goes before DuckDB is
  done with the file, and a process opening in that moment lost a write (``_take_turn``).
* Inside a process every write goes through one lock, so DuckDB never sees two
  concurrent writers (its optimistic concurrency would abort one of them).
* Every write unit is one transaction: it commits whole or rolls back whole.
"""

from __future__ import annotations

import os
import random
import shutil
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tracker.errors import BadInput, StoreBusy, StoreDamaged, WaypointError, is_disk_full
from tracker.text import file_label, not_utf8

DEFAULT_DB = Path("data") / "waypoint.duckdb"

Connection = duckdb.DuckDBPyConnection


class Rollback(Exception):  # noqa: N818 (an instruction, not an error)
    """Raised inside ``Store.write()`` to leave it without writing anything."""


def resolve_db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """``--db`` first, then ``$WAYPOINT_DB``, then ``data/waypoint.duckdb``."""
    if path:
        return Path(path)
    env = os.environ.get("WAYPOINT_DB")
    if env:
        return Path(env)
    return DEFAULT_DB


# Which files Stores of this process hold open, and how many Stores each. DuckDB locks
# its file with a POSIX record lock, and such a lock belongs to the whole process:
# closing *any* descriptor of the file drops it. Reading the file's first bytes while
# another Store here has it open (the dashboard's, beside a scheduled job's) let a
# second process open the file and write beside this one. So a file is looked at only
# while no Store here holds it, and opening and looking are one step per process.
@dataclass
class _Held:
    stores: int  # how many Stores of this process hold the file open
    turn: int | None  # its open-lock's descriptor (None where there is no flock)


_HELD: dict[str, _Held] = {}
_HELD_LOCK = threading.Lock()


class _NotYourTurn(Exception):  # noqa: N818 (a state, met by waiting)
    """Another Waypoint process has the file open (its open-lock is taken)."""


def _take_turn(path: Path) -> int | None:
    """Take the file's open-lock (``<db>.lock``, flock) for this process and return its
    descriptor, or raise ``_NotYourTurn``.

    DuckDB's own lock is not enough between processes that open and close one file in
    turn: DuckDB 2.0 lets go of it before it is done with the file on close, and the next
    process then reads a file still being written ("Could not read enough bytes", or a
    state without the last commit, whose write it then overwrites). Measured with bare
    DuckDB, four processes inserting 60 rows each through open, insert, close: 11 of 15
    runs lost rows; with this lock taken before opening and let go after closing, 0 of
    15. A flock belongs to its open file description, so no other descriptor of any file
    this process opens or closes can drop it."""
    if sys.platform == "win32" or str(path) == ":memory:":  # no flock; no file
        return None
    import fcntl

    fd = os.open(_lock_path(path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise _NotYourTurn(str(path)) from None
    except BaseException:
        os.close(fd)
        raise
    return fd


def _lock_path(path: Path) -> Path:
    """The file's open-lock, beside the file itself: two names of one file (a symlink)
    share one open-lock."""
    return Path(os.path.realpath(path) + ".lock")


def _end_turn(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # lets go of the flock


def _locked_elsewhere(path: Path) -> bool:
    """Whether another process holds DuckDB's lock on ``path`` right now (``F_GETLK``
    asks without taking anything). The open-lock keeps other Waypoint processes out
    already; this also covers any other program holding the file with DuckDB. Linux
    only: the record's layout differs elsewhere, where the answer is "not known" (False)
    and the WAL copy's own checks stand."""
    if not sys.platform.startswith("linux"):
        return False
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False  # no file yet: no one holds it
    try:
        # struct flock: l_type, l_whence, l_start, l_len, l_pid (+ padding); the whole file
        asked = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0) + bytes(8)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, asked)
    except OSError:
        return False
    finally:
        os.close(fd)
    return struct.unpack_from("h", answer)[0] != fcntl.F_UNLCK


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def _is_damage_error(exc: Exception) -> bool:
    text = str(exc).lower()
    markers = (
        "wal",
        "write-ahead",
        "corrupt",
        "checksum",
        "not a valid duckdb",
        "invalid",
        "could not read enough bytes",  # a truncated file
    )
    return isinstance(exc, duckdb.Error) and any(m in text for m in markers)


class Store:
    """One DuckDB file. Thread-safe; cheap to create; holds no connection while idle."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        lock_timeout: float | None = None,
        on_wait: Callable[[str], None] | None = None,
        on_recover: Callable[[str], None] | None = None,
        migrate: bool = True,
    ) -> None:
        self.path = resolve_db_path(path)
        if lock_timeout is None:
            lock_timeout = float(os.environ.get("WAYPOINT_LOCK_TIMEOUT", "120"))
        self.lock_timeout = lock_timeout
        self.on_wait = on_wait
        self.on_recover = on_recover
        self._db: duckdb.DuckDBPyConnection | None = None
        self._users = 0
        self._state = threading.Lock()
        self._write_lock = threading.RLock()
        self._migrated = not migrate
        self._local = threading.local()
        self._key = ""  # the file's real path while this Store holds it open (_HELD)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # -- opening and closing -------------------------------------------------------
    def _keep_wal(self) -> Path | None:
        """Keep the write-ahead log before DuckDB replays it, so none of it is ever lost.

        A WAL left by a process that did not close cleanly is replayed (and then emptied)
        by DuckDB on open; a truncated one loses its unfinished tail. Only called while
        no process holds the file (``_open``): a running one's WAL is its own, and one
        that closes cleanly empties its WAL before it lets go of the file. The copy is
        dropped again when the WAL turns out to belong to a process that took the file
        since (the open then fails on its lock), or one that closed while it was copied.
        """
        wal = self.path.with_name(self.path.name + ".wal")
        try:
            seen = wal.stat()
        except OSError:
            return None
        if seen.st_size == 0:
            return None  # nothing to replay, nothing to lose
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        kept = wal.with_name(f"{wal.name}.recovered-{stamp}-{os.getpid()}")
        try:
            shutil.copyfile(wal, kept)
            now = wal.stat()
        except OSError:
            kept.unlink(missing_ok=True)
            return None
        if (now.st_ino, now.st_size, now.st_mtime_ns) != (
            seen.st_ino,
            seen.st_size,
            seen.st_mtime_ns,
        ):
            # Written while it was copied: a running process's log, not a leftover.
            kept.unlink(missing_ok=True)
            return None
        return kept

    def own_files(self) -> list[Path]:
        """The database file, its write-ahead log, its open-lock and the scheduler's and
        the inbox's lock files (replacing one would let a second process in): never
        written over by an --out (``tracker.outfiles.write_atomically``'s ``keep_off``)."""
        return [
            self.path,
            Path(str(self.path) + ".wal"),
            _lock_path(self.path),
            Path(str(self.path) + ".scheduler.lock"),
            self.inbox_lock_path(),
        ]

    def inbox_lock_path(self) -> Path:
        """The file whose lock makes the inbox one job run's at a time (jobs.tasks)."""
        return Path(str(self.path) + ".inbox.lock")

    def _connect(self, keep_wal: bool) -> duckdb.DuckDBPyConnection:
        kept = self._keep_wal() if keep_wal else None
        try:
            con = duckdb.connect(
                str(self.path),
                config={
                    "autoinstall_known_extensions": False,
                    "autoload_known_extensions": False,
                    # Bounded memory: big aggregations spill to disk instead of growing
                    # the dashboard's process (DuckDB's default is 80% of the machine).
                    "memory_limit": os.environ.get("WAYPOINT_MEMORY_LIMIT", "700MB"),
                },
            )
        except BaseException:
            if kept is not None:
                kept.unlink(missing_ok=True)
            raise
        if kept is not None:
            if self.on_recover is not None:
                self.on_recover(
                    f"{self.path} was not closed cleanly last time; DuckDB replayed its"
                    f" write-ahead log. A copy of that log is kept at {kept}."
                )
            self._prune_kept_wals()
        return con

    def _prune_kept_wals(self, keep: int = 3) -> None:
        pattern = self.path.name + ".wal.recovered-*"
        kept = sorted(self.path.parent.glob(pattern), key=lambda p: p.stat().st_mtime)
        for old in kept[:-keep]:
            old.unlink(missing_ok=True)

    def _refuse_another_kind_of_file(self) -> None:
        """DuckDB opens a CSV or Parquet file given as a database as a catalog of its
        own: `waypoint --db export.csv init` said ready, `plan apply` said applied, and
        nothing was kept. A DuckDB database file says DUCK at byte 8; an empty file is a
        new one."""
        try:
            with self.path.open("rb") as fh:
                head = fh.read(12)
        except OSError:
            return  # no file yet (created on open), or one DuckDB will name the problem of
        if head and head[8:12] != b"DUCK":
            shown = "".join(chr(b) if 32 <= b < 127 else "?" for b in head)
            raise StoreDamaged(
                f"{file_label(str(self.path))} is not a DuckDB database file (it begins"
                f" {shown!r}): check --db or $WAYPOINT_DB. Waypoint changed nothing. If it"
                " was a Waypoint database, restore the last good copy with"
                " `waypoint restore DIR` (backups live in data/backups/)."
            )

    def _open(self) -> duckdb.DuckDBPyConnection:
        if not_utf8(str(self.path)):
            # DuckDB takes no path whose bytes are not UTF-8 ("std::bad_cast", exit 1)
            raise BadInput(
                f"{file_label(str(self.path))}: the database's path must be UTF-8 text"
                " (DuckDB cannot open the others); check --db or $WAYPOINT_DB"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        key = os.path.realpath(self.path)
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.02
        told = False
        looked = False
        while True:
            try:
                with _HELD_LOCK:
                    held = _HELD.get(key)
                    if held is None:
                        if not looked:
                            self._refuse_another_kind_of_file()
                            looked = True
                        turn = _take_turn(self.path)
                    try:
                        # A WAL is a leftover only while no process holds the file: not
                        # this one (a Store here shares its instance), not another.
                        leftover = held is None and not _locked_elsewhere(self.path)
                        con = self._connect(keep_wal=leftover)
                    except BaseException:
                        if held is None:
                            _end_turn(turn)
                        raise
                    if held is None:
                        _HELD[key] = _Held(1, turn)
                    else:
                        held.stores += 1
                    self._key = key
                    return con
            except (duckdb.Error, _NotYourTurn) as exc:
                if isinstance(exc, duckdb.Error) and not _is_lock_error(exc):
                    if _is_damage_error(exc):
                        raise StoreDamaged(
                            f"The database {self.path} cannot be opened: {exc}\n"
                            "Waypoint deleted nothing: the .wal file next to it is kept as is. "
                            "Restore the last good copy with `waypoint restore DIR` "
                            "(backups live in data/backups/)."
                        ) from exc
                    raise WaypointError(f"Cannot open database {self.path}: {exc}") from exc
                if time.monotonic() >= deadline:
                    raise StoreBusy(
                        f"The database {self.path} stayed busy for {self.lock_timeout:.0f} s "
                        "(another Waypoint command is still writing). Try again in a moment, "
                        "or raise WAYPOINT_LOCK_TIMEOUT."
                    ) from exc
                if not told and self.on_wait is not None:
                    self.on_wait(
                        f"Waiting for {self.path}: another Waypoint process is using it..."
                    )
                    told = True
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 1.6, 0.5)

    def _acquire(self) -> duckdb.DuckDBPyConnection:
        with self._state:
            if self._db is None:
                self._db = self._open()
            self._users += 1
            db = self._db
        try:
            cursor = db.cursor()
        except BaseException:
            self._release(None)
            raise
        return cursor

    def _release(self, cursor: duckdb.DuckDBPyConnection | None) -> None:
        if cursor is not None:
            with suppress(duckdb.Error):
                cursor.close()
        with self._state:
            self._users -= 1
            if self._users == 0 and self._db is not None:
                db, self._db = self._db, None
                try:
                    db.close()
                finally:
                    # counted as held until closed: no Store here looks at it meanwhile;
                    # the open-lock goes once DuckDB is done with the file
                    with _HELD_LOCK:
                        held = _HELD[self._key]
                        held.stores -= 1
                        if not held.stores:
                            del _HELD[self._key]
                            _end_turn(held.turn)

    @contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        # Reuse this thread's open cursor when units nest (a write calling a read).
        current = getattr(self._local, "cursor", None)
        if current is not None:
            yield current
            return
        cursor = self._acquire()
        self._local.cursor = cursor
        try:
            if not self._migrated:
                self._migrate(cursor)
            yield cursor
        finally:
            self._local.cursor = None
            self._release(cursor)

    def _migrate(self, con: duckdb.DuckDBPyConnection) -> None:
        from tracker.migrations import migrate

        with self._write_lock:
            try:
                migrate(con)  # each migration is one transaction of its own
            except duckdb.Error as exc:
                if is_disk_full(exc):
                    raise WaypointError(
                        f"The disk holding {self.path} is full: upgrading the database needs"
                        " room for a copy of its largest table; nothing was changed. Free"
                        " some space and try again."
                    ) from exc
                raise
            self._migrated = True

    # -- units of work -------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[None]:
        """Keep the file open across several units (one page run, one job)."""
        with self._connection():
            yield

    @contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for reading. Values always go in as parameters."""
        with self._connection() as con:
            yield con

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction: commits when the block ends, rolls back on any exception.

        ``raise Rollback`` inside the block ends it writing nothing (a dry run, or a
        change that turned out to change nothing): rolled back, the revision kept, and
        the block's caller carries on after it."""
        with self._write_lock, self._connection() as con:
            if self.in_transaction():
                # nested: the outer transaction decides; a Rollback ends only this block
                with suppress(Rollback):
                    yield con
                return
            con.execute("BEGIN TRANSACTION")
            self._local.in_tx = True
            try:
                yield con
                con.execute("UPDATE meta SET revision = revision + 1")
                con.execute("COMMIT")
            except BaseException as exc:
                with suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                if isinstance(exc, Rollback):
                    return
                if is_disk_full(exc):
                    raise WaypointError(
                        f"The disk holding {self.path} is full: nothing was written (the"
                        " change was rolled back). Free some space and try again."
                    ) from exc
                raise
            finally:
                self._local.in_tx = False

    def in_transaction(self) -> bool:
        """Is this thread inside ``write()``? (Another thread's cursor would not see its
        uncommitted rows.)"""
        return bool(getattr(self._local, "in_tx", False))

    def revision(self) -> int:
        """A number that grows with every committed write (cache key for the dashboard)."""
        with self.read() as con:
            row = con.execute("SELECT revision FROM meta").fetchone()
        return int(row[0]) if row else 0

    def init(self) -> int:
        """Create or upgrade the database; returns the schema version."""
        from tracker.migrations import migrate

        with self._write_lock, self._connection() as con:
            version = migrate(con)
            self._migrated = True
            return version
