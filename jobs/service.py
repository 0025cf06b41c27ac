"""The scheduler belongs to the server process, not to a page view.

`waypoint serve` calls :func:`serve_with_jobs`: it takes the database's scheduler lease,
starts the scheduler (missed slots run once right away), then runs the Streamlit
server as a child process and waits for it. The jobs run whether or not a browser
ever connects, and stop with the server.

Exactly one scheduler per database: the lease is an exclusive ``flock`` on
``<database>.scheduler.lock``. The kernel drops it when its process ends, even on
``kill -9``, so a crashed server never blocks the next one. A second ``serve`` of the
same database finds the lease taken, says which process holds it, and serves pages
without jobs.

SIGTERM (and SIGINT, Ctrl+C) stop the Streamlit child first, then the scheduler, so no
process keeps the port; a job under way is waited for (up to a minute) so that its run
is recorded with its outcome.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

STOP_GRACE_SECONDS = 10


class LeaseTaken(Exception):
    """Another process runs this database's scheduler; ``holder`` says which."""

    def __init__(self, holder: str) -> None:
        super().__init__(holder)
        self.holder = holder


def lease_path(db_path: str | Path) -> Path:
    db = Path(db_path).resolve()
    return db.with_name(db.name + ".scheduler.lock")


@contextlib.contextmanager
def scheduler_lease(db_path: str | Path) -> Iterator[IO[str]]:
    """Hold the database's scheduler lease for the block; LeaseTaken if another has it."""
    path = lease_path(db_path)
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise LeaseTaken(holder) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"waypoint serve, pid {os.getpid()}\n")
        handle.flush()
        yield handle
    finally:
        handle.close()  # closing the file releases the lock


def serve_with_jobs(
    command: list[str],
    env: dict[str, str],
    db_path: str | Path,
    *,
    jobs: bool = True,
    say: Callable[[str], None] = print,
) -> int:
    """Run ``command`` (the Streamlit server) with this database's scheduler beside it.

    Returns the child's exit code. ``jobs=False`` (``--no-scheduler``) serves pages only.
    """
    left: list[bool] = []  # set by the stop: a run outlasted its wait
    with contextlib.ExitStack() as stack:
        if jobs:
            try:
                stack.enter_context(scheduler_lease(db_path))
            except LeaseTaken as taken:
                say(
                    f"Scheduled jobs of {db_path} already run in {taken.holder}; this server"
                    " shows pages only (no second digest, reminder, import or backup)."
                )
            else:
                from jobs.scheduler import start_scheduler, stop_all

                start_scheduler(db_path)
                # stopped last, after the pages: a run under way ends and is recorded
                stack.callback(lambda: left.append(not _stop_jobs(stop_all, say)))
                say("Scheduled jobs: running in this process (see `waypoint jobs list`).")
        code = _run_child(command, env)
    if any(left):
        # Ended here, not by the interpreter: its shutdown stops the run's thread inside
        # DuckDB, which aborts the process ("terminate called ... FATAL: exception not
        # rethrown", exit -6) and reads as a crash. Nothing is lost: the run's
        # transaction never committed (DuckDB rolls it back on the next open), the kernel
        # releases the scheduler lease, and an inbox file left in processing/ is filed at
        # the next start. The child's own failure still shows in the exit code.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code if 0 < code < 256 else 0)
    return code


def _stop_jobs(stop_all: Callable[..., bool], say: Callable[[str], None] = print) -> bool:
    """Wait for the run under way with signals ignored: a second Ctrl+C during the wait
    (up to a minute) raised out of the cleanup, a traceback instead of a clean stop.
    Returns whether no run was left going.

    A stop that waits says so first: a digest rendering its chart takes seconds, and
    under load far more, and a server that goes quiet for a minute after Ctrl+C reads as
    hung (it is what a service manager's log shows when it asks why a stop took long).
    Words that cannot be written (a log pipe closed with the terminal) never skip the
    wait."""
    from jobs.scheduler import STOP_WAIT_SECONDS

    def tell(words: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            say(words)

    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        if not stop_all(wait=False):
            tell(
                f"Stopping: waiting up to {STOP_WAIT_SECONDS} s for the job run under way,"
                " so that its outcome is recorded."
            )
        if stop_all(wait=True):
            return True
        tell(
            f"A job run was still going after {STOP_WAIT_SECONDS} s: stopped without"
            " it; it reads 'running' until the 2-hour rule marks it failed and retries it."
        )
        return False
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run_child(command: list[str], env: dict[str, str]) -> int:
    child = subprocess.Popen(command, env=env)  # noqa: S603 (our own fixed command)

    def stop(signum: int, _frame: Any) -> None:
        # the first signal stops the server; a second one (Ctrl+C pressed twice) while
        # the child is being stopped changes nothing instead of raising out of cleanup
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, signal.SIG_IGN)
        raise _Stop(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return child.wait()
    except _Stop:
        return _stop_child(child)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if child.poll() is None:
            _stop_child(child)


def _stop_child(child: subprocess.Popen[bytes]) -> int:
    child.terminate()
    try:
        child.wait(STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    return 0


class _Stop(BaseException):
    """Raised by the signal handler to leave the wait (not an error)."""


__all__ = ["LeaseTaken", "lease_path", "scheduler_lease", "serve_with_jobs"]
