"""Run the benchmarks: ``python -m benchmarks [--sizes S,M,L] [--repeat 3]``.

Builds synthetic workspaces (benchmarks/generate.py) under benchmarks/work/, runs
each measurement in a fresh process several times, and writes the medians, the
ratios against the limits and a log-log chart of time against size to
docs/performance_run.md and docs/performance_chart.png. Tasks whose module is not
available are reported as such, never filled in.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.generate import SIZES, build, long_csv

ROOT = Path(__file__).parents[1]
WORK = ROOT / "benchmarks" / "work"

# (task, needs the long CSV, sizes it runs at)
PLAN = [
    ("import_duckdb_limit", True, ("S", "M", "L", "XL")),
    ("import_waypoint", True, ("S", "M", "L", "XL")),
    ("bare_query_cli", False, ("S", "M", "L", "XL")),
    ("status_cli", False, ("S", "M", "L", "XL")),
    ("status_duckdb_limit", False, ("S", "M", "L", "XL")),
    ("status_inprocess", False, ("S", "M", "L", "XL")),
    ("status_naive_pandas", False, ("S", "M", "L")),
    ("audit_inprocess", False, ("S", "M", "L", "XL")),
    ("summary_cold", False, ("S", "L")),
    ("summary_warm", False, ("S", "L")),
    ("objective_cold", False, ("S", "L")),
    ("objective_warm", False, ("S", "L")),
]


def run_task(name: str, db: Path, csv: Path | None) -> dict | str:
    args = [sys.executable, "-m", "benchmarks.tasks", name, str(db)]
    if csv is not None:
        args.append(str(csv))
    result = subprocess.run(args, capture_output=True, text=True, cwd=ROOT)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["failed"])[-1]
        return f"not measured: {last[:120]}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated: S, M, L, XL")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance_run.md"))
    args = parser.parse_args()
    sizes = [SIZES[s] for s in args.sizes.split(",")]
    WORK.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, dict | str]] = {}
    for size in sizes:
        db = WORK / f"{size.name}.duckdb"
        started = time.perf_counter()
        build(size, db)
        csv = long_csv(size, WORK / f"{size.name}.csv")
        print(
            f"{size.name}: built {size.observations:,} observations in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        for name, needs_csv, at_sizes in PLAN:
            if size.name not in at_sizes:
                continue
            runs = []
            outcome: dict | str = ""
            repeat = 1 if name == "status_naive_pandas" else args.repeat
            for _ in range(repeat):
                target = db
                if name.startswith("import_"):
                    target = WORK / f"{size.name}-{name}.duckdb"
                    for p in (target, target.with_name(target.name + ".wal")):
                        p.unlink(missing_ok=True)
                    if name == "import_waypoint":
                        build_plan_only(size, target)
                outcome = run_task(name, target, csv if needs_csv else None)
                if isinstance(outcome, str):
                    break
                runs.append(outcome)
            if runs:
                outcome = {
                    "seconds": statistics.median(r["seconds"] for r in runs),
                    "rss_mb": max(r["rss_mb"] for r in runs),
                    "runs": len(runs),
                }
            results.setdefault(size.name, {})[name] = outcome
            print(f"  {name}: {outcome}", flush=True)
    (WORK / "results.json").write_text(json.dumps(results, indent=2))
    write_report(results, Path(args.out))


def build_plan_only(size, target: Path) -> None:
    from benchmarks.generate import plan_yaml
    from tracker.plan import apply_plan_text
    from tracker.records import LOCAL_MANAGER
    from tracker.store import Store

    store = Store(target)
    store.init()
    apply_plan_text(store, plan_yaml(size), LOCAL_MANAGER)


def write_report(results: dict, out: Path) -> None:
    names = [n for n, _, _ in PLAN]
    lines = [
        "# Benchmark run",
        "",
        f"`python -m benchmarks` on {time.strftime('%Y-%m-%d')}, medians in seconds"
        " (peak RSS in MB in brackets).",
        "",
        "| task | " + " | ".join(results) + " |",
        "| --- | " + " | ".join("---" for _ in results) + " |",
    ]
    for name in names:
        cells = []
        for size in results:
            r = results[size].get(name)
            if r is None:
                cells.append("")
            elif isinstance(r, str):
                cells.append(r.split(":")[0])
            else:
                cells.append(f"{r['seconds']:.3f} ({r['rss_mb']:.0f})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Ratios", ""]
    for size, rows in results.items():

        def sec(name: str, rows=rows) -> float | None:
            r = rows.get(name)
            return r["seconds"] if isinstance(r, dict) else None

        pairs = [
            ("import / DuckDB limit", sec("import_waypoint"), sec("import_duckdb_limit"), 3),
            ("status --json / bare query CLI", sec("status_cli"), sec("bare_query_cli"), 3),
            (
                "naive pandas / in-process status",
                sec("status_naive_pandas"),
                sec("status_inprocess"),
                None,
            ),
        ]
        for label, a, b, limit in pairs:
            if a is None or b is None or b == 0:
                continue
            verdict = (
                ""
                if limit is None
                else (" (target <= 3x: met)" if a / b <= limit else " (target <= 3x: NOT met)")
            )
            lines.append(f"- {size}: {label} = {a / b:.1f}x{verdict}")
    out.write_text("\n".join(lines) + "\n")
    chart(results, out.with_name("performance_chart.png"))
    print(f"wrote {out}")


def chart(results: dict, target: Path) -> None:
    import plotly.graph_objects as go

    fig = go.Figure()
    xs = [SIZES[s].observations for s in results]
    for name in (
        "import_waypoint",
        "import_duckdb_limit",
        "status_cli",
        "status_inprocess",
        "status_duckdb_limit",
        "status_naive_pandas",
        "audit_inprocess",
    ):
        points = [
            (SIZES[s].observations, results[s][name]["seconds"])
            for s in results
            if isinstance(results[s].get(name), dict)
        ]
        if points:
            fig.add_scatter(
                x=[p[0] for p in points], y=[p[1] for p in points], name=name, mode="lines+markers"
            )
    fig.update_layout(
        title="Time vs observations (log-log)",
        xaxis_type="log",
        yaxis_type="log",
        xaxis_title="observations",
        yaxis_title="seconds (median)",
        width=900,
        height=550,
        template="plotly_white",
    )
    fig.add_annotation(
        text=f"sizes: {', '.join(results)}; x = {xs}",
        showarrow=False,
        xref="paper",
        yref="paper",
        x=0,
        y=-0.2,
    )
    try:
        fig.write_image(str(target))
    except Exception as exc:  # kaleido needs Chromium; the table is still written
        print(f"chart not written ({exc})")


if __name__ == "__main__":
    main()
