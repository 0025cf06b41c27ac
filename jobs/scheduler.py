"""One APScheduler per server process, however many Streamlit sessions or reruns.

``start_scheduler`` is guarded by a module-level lock: the first call starts a
BackgroundScheduler with one cron job per registry entry, after running missed slots
once (coalesce); later calls return the same scheduler.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
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


def _fire(db_path: str, name: str) -> None:
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
        threading.Thread(
            target=_catch_up, args=(key,), daemon=True, name="waypoint-catch-up"
        ).start()
    return scheduler


def _catch_up(db_path: str) -> None:
    try:
        for name, outcome, message in catch_up(Store(db_path), now_utc()):
            log.info("caught up %s: %s: %s", name, outcome, message)
    except Exception:
        log.exception("catch-up failed")


def running_schedulers() -> int:
    return len(_schedulers)


def stop_all(wait: bool = False) -> None:
    with _lock:
        for scheduler in _schedulers.values():
            scheduler.shutdown(wait=wait)
        _schedulers.clear()


__all__ = ["start_scheduler", "stop_all", "running_schedulers", "dt"]
