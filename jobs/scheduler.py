"""One APScheduler per server process, however many Streamlit sessions or reruns.

``start_scheduler`` is guarded by a module-level lock: the first call starts a
BackgroundScheduler with one cron job per registry entry, after running missed slots
once (coalesce); later calls return the same scheduler.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from jobs.registry import JOBS
from jobs.runner import catch_up, last_slot, run_job, trigger
from tracker.clock import now_utc
from tracker.errors import BadInput
from tracker.store import Store

log = logging.getLogger("waypoint.jobs")
_lock = threading.Lock()
_schedulers: dict[str, BackgroundScheduler] = {}
# Jobs running now (scheduled or caught up): a stopping server waits for them, so a run
# ends with its outcome recorded instead of "running" until the 2-hour stale rule (and an
# inbox file imported but never moved, or a digest failing with the interpreter's own
# "cannot schedule new futures after interpreter shutdown").
_active = threading.Condition()
_running = 0
# set by stop_all: a job queued behind the one running, or the catch-up's next job, does
# not start once the server is stopping
_stopping = threading.Event()
STOP_WAIT_SECONDS = 60  # a run still going after this is left to the stale rule


def _count(step: int) -> None:
    global _running
    with _active:
        _running += step
        _active.notify_all()


@contextlib.contextmanager
def _counted(already: bool = False) -> Iterator[None]:
    """Count a run for the stop's wait (``already``: counted before its thread started,
    so a stop in between cannot miss it)."""
    if not already:
        _count(1)
    try:
        yield
    finally:
        _count(-1)


def _fire(db_path: str, name: str) -> None:
    if _stopping.is_set():
        return
    with _counted():
        _fire_now(db_path, name)


def _fire_now(db_path: str, name: str) -> None:
    store = Store(db_path)
    now = now_utc()
    try:
        slot = last_slot(store, name, now) or now
        outcome, message = run_job(store, name, now, slot=slot)
        log.info("job %s: %s: %s", name, outcome, message)
    except Exception:  # never let a job take the scheduler down
        log.exception("job %s could not run", name)


def start_scheduler(db_path: str | Path, *, catch_up_missed: bool = True) -> BackgroundScheduler:
    key = str(Path(db_path).resolve())
    with _lock:
        _stopping.clear()
        running = _schedulers.get(key)
        if running is not None:
            return running
        store = Store(db_path)
        # One worker thread: jobs run one after another, never two writers of the same
        # database at once (a backup and an inbox import in the same minute conflicted).
        scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        )
        for name in JOBS:
            try:
                scheduler.add_job(
                    _fire,
                    trigger(store, name),
                    args=[key, name],
                    id=name,
                    name=name,
                    replace_existing=True,
                )
            except BadInput as exc:
                log.error("job %s not scheduled: %s", name, exc)
        # Every 15 minutes: retry failed slots whose backoff has passed (jobruns.claim).
        scheduler.add_job(
            _catch_up, "interval", minutes=15, args=[key], id="catch_up", name="catch_up"
        )
        scheduler.start()
        _schedulers[key] = scheduler
    if catch_up_missed:
        _count(1)  # before the thread starts: a stop right after must wait for it
        threading.Thread(
            target=_catch_up, args=(key, True), daemon=True, name="waypoint-catch-up"
        ).start()
    return scheduler


def _catch_up(db_path: str, counted: bool = False) -> None:
    with _counted(already=counted):
        if _stopping.is_set():
            return
        try:
            for name, outcome, message in catch_up(
                Store(db_path), now_utc(), stopping=_stopping.is_set
            ):
                log.info("caught up %s: %s: %s", name, outcome, message)
        except Exception:
            log.exception("catch-up failed")


def running_schedulers() -> int:
    return len(_schedulers)


def stop_all(wait: bool = False, timeout: float = STOP_WAIT_SECONDS) -> bool:
    """Stop every scheduler: no run starts after this. ``wait``: then wait (up to
    ``timeout`` seconds) for the runs under way to end and record their outcome. Returns
    whether none was still running."""
    _stopping.set()
    with _lock:
        for scheduler in _schedulers.values():
            scheduler.shutdown(wait=False)
        _schedulers.clear()
    if not wait:
        return _running == 0
    with _active:
        return _active.wait_for(lambda: _running == 0, timeout=timeout)


__all__ = ["start_scheduler", "stop_all", "running_schedulers", "dt"]
