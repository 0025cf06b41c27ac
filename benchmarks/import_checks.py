"""What the trust checks cost an import: ``python -m benchmarks.import_checks [SIZE]``.

Imports the long CSV of SIZE (default L: 1,000,000 rows) into a database holding only
the plan, in process, and times the whole write and, inside it, the two checks the
trust issue added: row checks (days 1970-2100 and not in the future, a metric's
minimum, |v| <= 1e15) and findings (outliers > 10x the 8-week maximum, overlapping
sources). Prints one JSON line; the target is checks <= 15% of the import.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from benchmarks.generate import SIZES, long_csv, plan_yaml
from tracker import observations
from tracker.imports.parse import parse_file
from tracker.plan import apply_plan_text
from tracker.records import LOCAL_MANAGER
from tracker.store import Store

WORK = Path(__file__).resolve().parent / "work"


def main() -> None:
    size = SIZES[sys.argv[1] if len(sys.argv) > 1 else "L"]
    WORK.mkdir(parents=True, exist_ok=True)
    csv = long_csv(size, WORK / f"{size.name}.csv")
    db = WORK / f"{size.name}-checks.duckdb"
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    store = Store(db)
    store.init()
    apply_plan_text(store, plan_yaml(size), LOCAL_MANAGER)
    spent = {"row_checks": 0.0, "findings": 0.0}

    def timed(name: str, func):  # wrap a private step to time it inside the write
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start

        return wrapper

    observations._check_rows = timed("row_checks", observations._check_rows)
    observations._findings = timed("findings", observations._findings)
    start = time.perf_counter()
    parsed = parse_file(csv)
    parse_s = time.perf_counter() - start
    start = time.perf_counter()
    result = observations.write_observations(store, LOCAL_MANAGER, parsed.rows)
    write_s = time.perf_counter() - start
    total = parse_s + write_s
    print(
        json.dumps(
            {
                "size": size.name,
                "rows": result.inserted,
                "parse_s": round(parse_s, 3),
                "write_s": round(write_s, 3),
                "row_checks_s": round(spent["row_checks"], 3),
                "findings_s": round(spent["findings"], 3),
                "checks_share_of_import": round(
                    (spent["row_checks"] + spent["findings"]) / total, 4
                ),
                "findings_share_of_import": round(spent["findings"] / total, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
