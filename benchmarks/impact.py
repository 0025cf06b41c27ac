"""Campaign impact at scale: ``python -m benchmarks.impact [SIZE] [CAMPAIGNS]``.

Takes the workspace of SIZE (default L: 1,000 KPIs, 1,000,000 observations), adds
CAMPAIGNS campaigns (default 50), one per objective, that started 60 days before the
as-of day, and times ``campaign_impacts`` for all of them in process (each judges the
objective's outcome metrics: about 3 per campaign). The statsmodels import is timed
apart (once per process). Prints one JSON line; the target is < 5 s.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import statistics
import sys
import time
from pathlib import Path

import yaml

from benchmarks.generate import AS_OF, SIZES, build
from tracker.plan import apply_plan_text, export_plan
from tracker.records import LOCAL_MANAGER
from tracker.store import Store

WORK = Path(__file__).resolve().parent / "work"


def main() -> None:
    size = SIZES[sys.argv[1] if len(sys.argv) > 1 else "L"]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    WORK.mkdir(parents=True, exist_ok=True)
    base = WORK / f"{size.name}.duckdb"
    if not base.exists():
        build(size, base)
    path = WORK / f"{size.name}-impact.duckdb"
    shutil.copy(base, path)
    store = Store(path)
    plan = yaml.safe_load(export_plan(store))
    start = AS_OF - dt.timedelta(days=60)
    for objective in plan["objectives"][:count]:
        objective["campaigns"] = [
            {
                "key": f"c-{objective['key']}",
                "name": f"Campaign {objective['key']}",
                "owner": "ann",
                "start": start.isoformat(),
                "end": (AS_OF - dt.timedelta(days=3)).isoformat(),
            }
        ]
    plan.pop("revision", None)
    apply_plan_text(store, yaml.safe_dump(plan), LOCAL_MANAGER, source="benchmark")

    started = time.perf_counter()
    from statsmodels.tsa.statespace.structural import UnobservedComponents  # noqa: F401

    from tracker.impact import campaign_impacts

    import_s = time.perf_counter() - started
    runs, judged = [], 0
    for _ in range(3):
        t0 = time.perf_counter()
        summaries = campaign_impacts(store, AS_OF)
        runs.append(time.perf_counter() - t0)
        judged = sum(1 for s in summaries for i in s.impacts if i.verdict != "not_enough_data")
    print(
        json.dumps(
            {
                "size": size.name,
                "campaigns": len(summaries),
                "metrics_judged": judged,
                "impact_s_median": round(statistics.median(runs), 3),
                "statsmodels_import_s": round(import_s, 3),
                "target_s": 5.0,
                "met": statistics.median(runs) < 5.0,
            }
        )
    )


if __name__ == "__main__":
    main()
