"""One measurement per process: ``python -m benchmarks.tasks NAME DB [FILE]``.

Prints one JSON line {"seconds": ..., "rss_mb": ...}: the time of the measured work
(not the interpreter start, unless the task is an end-to-end command) and the peak
resident memory of the process. Each task runs in a fresh process so that caches,
memory and imports of one do not flatter the next.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

AS_OF = dt.date(2026, 11, 18)
# A task returns its seconds, or a dict of them ("seconds" is the result, others extra).
Measure = Callable[[Path, Path | None], Any]
TASKS: dict[str, Measure] = {}


def task(func: Measure) -> Measure:
    TASKS[func.__name__] = func
    return func


@task
def import_duckdb_limit(db: Path, csv: Path | None) -> float:
    """DuckDB alone: read the long CSV into a table with a primary key."""
    import duckdb

    con = duckdb.connect(str(db))
    start = time.perf_counter()
    con.execute(
        "CREATE TABLE t (metric VARCHAR, day DATE, source VARCHAR, value DOUBLE,"
        " PRIMARY KEY (metric, day, source))"
    )
    con.execute("INSERT INTO t SELECT metric, day, source, value FROM read_csv(?)", [str(csv)])
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


@task
def import_waypoint(db: Path, csv: Path | None) -> float:
    """`waypoint import FILE` end to end, as a user runs it (process start included)."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tracker.cli", "--db", str(db), "import", str(csv)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


@task
def import_inprocess(db: Path, csv: Path | None) -> float:
    """tracker.importer.import_file inside a started process, as DuckDB's own read is
    measured (modules imported before the clock starts)."""
    import tracker.imports  # noqa: F401  (import_file loads the parsers on first use)
    from tracker.importer import import_file
    from tracker.records import LOCAL_MANAGER
    from tracker.store import Store

    store = Store(db)
    start = time.perf_counter()
    import_file(store, LOCAL_MANAGER, str(csv))
    return time.perf_counter() - start


@task
def status_cli(db: Path, _: Path | None) -> float:
    """`waypoint status --json` end to end."""
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tracker.cli",
            "--db",
            str(db),
            "status",
            "--json",
            "--as-of",
            str(AS_OF),
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


BARE_QUERY = """
SELECT k.key, sum(o.value)
FROM kpis k JOIN objectives j ON j.key = k.objective
JOIN observations o ON o.metric = k.metric
 AND o.day BETWEEN coalesce(k.start, j.start) AND least(?, coalesce(k.deadline, j.deadline))
GROUP BY k.key
"""


@task
def bare_query_cli(db: Path, _: Path | None) -> float:
    """Python start + import duckdb + the one hand-written aggregation (the CLI limit)."""
    code = (
        f"import duckdb, datetime as dt; con = duckdb.connect({str(db)!r});"
        f" con.execute({BARE_QUERY!r}, [dt.date(2026, 11, 18)]).fetchall()"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


@task
def status_duckdb_limit(db: Path, _: Path | None) -> float:
    """The one hand-written DuckDB aggregation, in process (warm)."""
    import duckdb

    con = duckdb.connect(str(db))
    con.execute(BARE_QUERY, [AS_OF]).fetchall()
    start = time.perf_counter()
    con.execute(BARE_QUERY, [AS_OF]).fetchall()
    return time.perf_counter() - start


@task
def status_inprocess(db: Path, _: Path | None) -> float:
    """tracker.progress.compute_progress for every KPI (warm: second call)."""
    from tracker.progress import compute_progress
    from tracker.store import Store

    store = Store(db)
    with store.session():
        compute_progress(store, AS_OF)
        start = time.perf_counter()
        compute_progress(store, AS_OF)
        return time.perf_counter() - start


@task
def status_naive_pandas(db: Path, _: Path | None) -> float:
    """Load everything into pandas, loop over KPIs (what many dashboards do)."""
    from benchmarks.naive import naive_status
    from tracker.store import Store

    store = Store(db)
    start = time.perf_counter()
    naive_status(store, AS_OF)
    return time.perf_counter() - start


@task
def audit_inprocess(db: Path, _: Path | None) -> float:
    from tracker.store import Store
    from tracker.vanity import run_audit

    store = Store(db)
    with store.session():
        start = time.perf_counter()
        run_audit(store, AS_OF)
        return time.perf_counter() - start


def _page(db: Path, page: str, warm: bool) -> float:
    import os

    os.environ["WAYPOINT_DB"] = str(db)
    os.environ["WAYPOINT_NOW"] = f"{AS_OF}T12:00:00"
    from streamlit.testing.v1 import AppTest

    root = Path(__file__).parents[1]
    at = AppTest.from_file(str(root / "dashboard" / "app.py"), default_timeout=600)
    if page != "summary":
        at.run()
        at.switch_page(str(root / "dashboard" / "app_pages" / f"{page}.py"))
    if warm:
        at.run()
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    assert not at.exception, at.exception
    return elapsed


@task
def summary_cold(db: Path, _: Path | None) -> float:
    return _page(db, "summary", warm=False)


@task
def summary_warm(db: Path, _: Path | None) -> float:
    return _page(db, "summary", warm=True)


@task
def objective_cold(db: Path, _: Path | None) -> float:
    return _page(db, "objective", warm=False)


@task
def objective_warm(db: Path, _: Path | None) -> float:
    return _page(db, "objective", warm=True)


@task
def audit_given_progress(db: Path, _: Path | None) -> float:
    """The audit as the pages, the weekly review and the digest run it: handed the progress
    report they already computed for the same day."""
    from tracker.progress import compute_progress
    from tracker.store import Store
    from tracker.vanity import run_audit

    store = Store(db)
    with store.session():
        progress = compute_progress(store, AS_OF)
        start = time.perf_counter()
        run_audit(store, AS_OF, progress=progress)
        return time.perf_counter() - start


@task
def first_page_chromium(db: Path, _: Path | None) -> dict[str, float]:
    """The demo's first page in Chromium against a freshly started `waypoint serve`: seconds
    until its title shows, and until its charts are drawn and the script run has ended."""
    from playwright.sync_api import sync_playwright

    from dashboard.shots import CHROMIUM, FLAGS, start_server

    if not db.exists():
        subprocess.run(
            [sys.executable, "-m", "tracker.cli", "--db", str(db), "demo", "--as-of", str(AS_OF)],
            check=True,
            capture_output=True,
        )
    server = start_server(db)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            start = time.perf_counter()
            page.goto(server.url)
            page.wait_for_selector("h1", timeout=120_000)
            title = time.perf_counter() - start
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
            page.wait_for_function(
                "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                timeout=120_000,
            )
            settled = time.perf_counter() - start
            browser.close()
        return {"seconds": title, "settled": settled}
    finally:
        server.stop()


def main() -> None:
    name, db = sys.argv[1], Path(sys.argv[2])
    extra = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    measured = TASKS[name](db, extra)
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = measured if isinstance(measured, dict) else {"seconds": measured}
    print(json.dumps({**out, "rss_mb": max(usage, children) / 1024}))


if __name__ == "__main__":
    main()
