"""Synthetic workspaces for benchmarks: an agency with many clients' KPIs and years of data.

A workspace of size (kpis, observations): kpis / 10 objectives, one metric per KPI
(half flow, half stock, a tenth of the KPIs ratios), 2 people, and observations spread
evenly over the metrics and over ``days`` days ending at ``as_of``. Observations are
written with one SQL statement (DuckDB's range()), so 10,000,000 rows take seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from tracker.observations import seed_values
from tracker.plan import apply_plan_text
from tracker.records import LOCAL_MANAGER
from tracker.store import Store

AS_OF = dt.date(2026, 11, 18)


@dataclass(frozen=True)
class Size:
    name: str
    kpis: int
    observations: int

    @property
    def metrics(self) -> int:
        return self.kpis

    @property
    def days(self) -> int:
        # Enough days that every metric has a value most days (capped at ~3 years).
        return max(28, min(1100, self.observations // self.metrics))


SIZES = {
    "S": Size("S", 12, 2_800),
    "M": Size("M", 100, 100_000),
    "L": Size("L", 1_000, 1_000_000),
    "XL": Size("XL", 1_000, 10_000_000),
}


def plan_yaml(size: Size) -> str:
    start = AS_OF - dt.timedelta(days=size.days - 1)
    metrics = []
    for i in range(size.metrics):
        stock = i % 2 == 1
        metrics.append(
            {
                "key": f"m{i}",
                "name": f"Metric {i}",
                "channel": f"ch{i % 7}",
                "class": "reach" if stock else ("outcome" if i % 4 == 0 else "engagement"),
                "behaviour": "stock" if stock else "flow",
            }
        )
    objectives = []
    per_objective = 10
    for o in range(max(1, size.kpis // per_objective)):
        kpis = []
        for j in range(per_objective):
            i = o * per_objective + j
            if i >= size.kpis:
                break
            kpi: dict = {"key": f"k{i}", "owner": "ann" if i % 2 else "bob"}
            if i % 10 == 9 and i >= 2:
                kpi["ratio"] = {"numerator": f"m{i - 1}", "denominator": f"m{i - 2}"}
                kpi["target"] = 2.0
                kpi["baseline"] = 0.5
            else:
                kpi["metric"] = f"m{i}"
                kpi["target"] = 1_000_000 if i % 2 == 0 else 5_000
            kpis.append(kpi)
        objectives.append(
            {
                "key": f"o{o}",
                "title": f"Objective {o}",
                "outcome": "leads",
                "channels": [f"ch{o % 7}"],
                "owner": "ann",
                "start": str(start),
                "deadline": str(AS_OF + dt.timedelta(days=60)),
                "kpis": kpis,
            }
        )
    plan = {
        "workspace": {"name": f"Benchmark {size.name}", "timezone": "UTC"},
        "people": [
            {"key": "ann", "name": "Ann", "role": "manager"},
            {"key": "bob", "name": "Bob", "role": "assistant", "hourly_rate": 30},
        ],
        "metrics": metrics,
        "objectives": objectives,
    }
    return yaml.safe_dump(plan, sort_keys=False)


def build(size: Size, path: Path) -> Store:
    """A database at ``path`` with the plan and observations of ``size``."""
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
    store = Store(path)
    store.init()
    apply_plan_text(store, plan_yaml(size), LOCAL_MANAGER, source=f"benchmark-{size.name}")
    with store.write() as con:
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE seed AS
            SELECT 'm' || (i % ?)::VARCHAR AS metric,
                   ?::DATE - ((i // ?) % ?)::INTEGER AS day,
                   'bench' || (i // (? * ?))::VARCHAR AS source,
                   (CASE WHEN (i % ?) % 2 = 1 THEN 1000 + (i // ?) % ? * 3 + hash(i) % 50
                        ELSE hash(i) % 100 END)::DOUBLE AS value,
                   NULL::VARCHAR AS recorded_by, TIMESTAMP '2026-11-18 12:00:00' AS recorded_at
            FROM range(?) t(i)
            """,
            [
                size.metrics,
                AS_OF,
                size.metrics,
                size.days,
                size.metrics,
                size.days,
                size.metrics,
                size.metrics,
                size.days,
                size.observations,
            ],
        )
        seed_values(con, "seed")
        con.execute("DROP TABLE seed")
    return store


def long_csv(size: Size, path: Path, metrics: int | None = None) -> Path:
    """The same shape as a long-form import file: day,metric,value."""
    import duckdb

    metrics = metrics or size.metrics
    con = duckdb.connect()
    con.execute(
        f"""
        COPY (
            SELECT (DATE '{AS_OF}' - ((i // {metrics}) % {size.days})::INTEGER) AS day,
                   'm' || (i % {metrics})::VARCHAR AS metric,
                   (hash(i) % 1000)::DOUBLE AS value,
                   'csv' || (i // ({metrics} * {size.days}))::VARCHAR AS source
            FROM range({size.observations}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')
        """
    )
    con.close()
    return path
