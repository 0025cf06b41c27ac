"""The progress engine: is each KPI on track, and what does it take to get there?

``compute_progress`` returns every KPI's progress as of a day, computed in one DuckDB
statement over all KPIs (tracker/progress_sql.py), plus the objectives' roll-up.
``kpi_series`` gives a chart its daily lines; ``period_history`` and ``streak`` give a
recurring target its record of hit and missed periods. docs/progress.md states the
rules in words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from tracker.clock import iso_week, today
from tracker.errors import NotFound
from tracker.progress_sql import HISTORY_QUERY, OBJECTIVES_QUERY, PROGRESS_QUERY
from tracker.settings import get_setting
from tracker.store import Store

# Worst first: an objective takes the worst status among its KPIs with data and a target.
ROLLUP_ORDER = ("missed", "off_track", "at_risk", "on_track", "achieved")


@dataclass(frozen=True)
class KpiProgress:
    """One KPI as of a day; field names follow DESIGN.md's status JSON."""

    kpi: str
    objective: str
    name: str | None
    metric: str | None
    aggregation: str
    per: str | None
    stay: str | None
    unit: str | None
    start: dt.date | None
    deadline: dt.date | None
    current: float | None
    baseline: float | None
    target: float | None
    progress: float | None
    expected: float | None
    pace: float | None
    status: str
    forecast: float | None
    forecast_status: str | None
    needed_per_week: float | None
    owner: str | None
    last_day: dt.date | None
    days_left: int | None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        ordered = {
            name: data[name]
            for name in (
                "kpi", "objective", "current", "baseline", "target", "progress", "expected",
                "pace", "status", "forecast", "forecast_status", "needed_per_week", "owner",
                "last_day", "days_left", "name", "metric", "aggregation", "per", "stay", "unit",
                "start", "deadline",
            )
        }  # fmt: skip
        return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in ordered.items()}


@dataclass(frozen=True)
class ObjectiveStatus:
    objective: str
    title: str
    status: str
    kpis: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ProgressReport:
    as_of: dt.date
    kpis: list[KpiProgress]
    objectives: list[ObjectiveStatus]

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "kpis": [k.as_dict() for k in self.kpis],
            "objectives": [o.as_dict() for o in self.objectives],
        }

    def kpi(self, key: str) -> KpiProgress:
        for k in self.kpis:
            if k.kpi == key:
                return k
        raise NotFound(f"no KPI {key!r}")


def _thresholds(con: Any) -> tuple[float, float]:
    stored = dict(con.execute("SELECT name, value FROM settings").fetchall())
    return float(get_setting("on_track_pace", stored)), float(get_setting("at_risk_pace", stored))


def _clean(value: Any) -> Any:
    """NaN becomes None; floats keep 12 significant digits, so the last bits of a sum
    (which depend on the order DuckDB adds in) never show up as a different answer."""
    if isinstance(value, float):
        if value != value:
            return None
        return float(f"{value:.12g}")
    return value


def rollup(statuses: list[str]) -> str:
    """Worst status among those with data and a target; no_data when none has."""
    judged = [s for s in statuses if s in ROLLUP_ORDER]
    if not judged:
        return "no_data"
    return min(judged, key=ROLLUP_ORDER.index)


def compute_progress(
    store: Store, as_of: dt.date | None = None, *, objective: str | None = None
) -> ProgressReport:
    """Every active KPI's progress as of ``as_of`` (default: today in the workspace zone).

    Raises NotFound for an unknown ``objective``.
    """
    with store.read() as con:
        if as_of is None:
            as_of = today(store)
        objectives = con.execute(OBJECTIVES_QUERY, {"only": objective}).fetchall()
        if objective is not None and not objectives:
            raise NotFound(f"--objective {objective}: no such objective")
        on, risk = _thresholds(con)
        rows = con.execute(
            PROGRESS_QUERY, {"d": as_of, "on": on, "risk": risk, "only": objective}
        ).fetchall()
    kpis = [KpiProgress(*[_clean(v) for v in row]) for row in rows]
    by_objective: dict[str, list[KpiProgress]] = {}
    for k in kpis:
        by_objective.setdefault(k.objective, []).append(k)
    rolled = [
        ObjectiveStatus(
            objective=key,
            title=title,
            status=rollup([k.status for k in by_objective.get(key, [])]),
            kpis=[k.kpi for k in by_objective.get(key, [])],
        )
        for key, title in objectives
    ]
    return ProgressReport(as_of=as_of, kpis=kpis, objectives=rolled)


# -- charts ----------------------------------------------------------------------------
@dataclass(frozen=True)
class KpiSeries:
    """Lines for one KPI's chart.

    ``actual``: (day, value) for each day with data in the window: the running sum for
    ``sum``, the level for ``latest``, the running mean for ``mean``, the running ratio
    for ``ratio``. ``expected``: the straight pace line from (start, baseline) to
    (deadline, target). ``forecast``: from the last actual point to (deadline,
    forecast). ``target``: the target value (a horizontal line).
    """

    progress: KpiProgress
    actual: list[tuple[dt.date, float]]
    expected: list[tuple[dt.date, float]]
    forecast: list[tuple[dt.date, float]]
    target: float | None


_SERIES_QUERY = """
WITH daily AS (
    SELECT o.metric, o.day,
           CASE WHEN any_value(m.behaviour) = 'flow' THEN sum(o.value)
                ELSE arg_max(o.value, o.recorded_at) END AS value
    FROM observations o JOIN metrics m ON m.key = o.metric
    WHERE o.metric IN ($a, $b) AND ($start IS NULL OR o.day >= $start) AND o.day <= $end
    GROUP BY o.metric, o.day
)
SELECT day, metric, value FROM daily ORDER BY day
"""


def kpi_series(store: Store, kpi: str, as_of: dt.date | None = None) -> KpiSeries:
    """The daily lines a chart of ``kpi`` needs (see KpiSeries). Raises NotFound."""
    with store.read() as con:
        report = compute_progress(store, as_of)
        p = report.kpi(kpi)
        row = con.execute(
            "SELECT k.metric, k.numerator, k.denominator, mn.behaviour, md.behaviour"
            " FROM kpis k LEFT JOIN metrics mn ON mn.key = k.numerator"
            " LEFT JOIN metrics md ON md.key = k.denominator WHERE k.key = ?",
            [kpi],
        ).fetchall()[0]
        end = min(report.as_of, p.deadline) if p.deadline else report.as_of
        a, b = (row[0], row[0]) if row[0] else (row[1], row[2])
        points = con.execute(
            _SERIES_QUERY, {"a": a, "b": b, "start": p.start, "end": end}
        ).fetchall()
    actual = _running(points, p.aggregation, a, b, row[3], row[4])
    expected: list[tuple[dt.date, float]] = []
    if p.start and p.deadline and p.baseline is not None and p.target is not None:
        expected = [(p.start, p.baseline), (p.deadline, p.target)]
    forecast: list[tuple[dt.date, float]] = []
    if actual and p.forecast is not None and p.deadline and p.deadline > actual[-1][0]:
        forecast = [actual[-1], (p.deadline, p.forecast)]
    return KpiSeries(
        progress=p, actual=actual, expected=expected, forecast=forecast, target=p.target
    )


def _running(
    points: list[tuple],
    aggregation: str,
    a: str,
    b: str,
    num_behaviour: str | None,
    den_behaviour: str | None,
) -> list[tuple[dt.date, float]]:
    out: list[tuple[dt.date, float]] = []
    if aggregation == "ratio":
        num = den = 0.0
        last_num = last_den = None
        for day, metric, value in points:
            if metric == a:
                num += value
                last_num = value
            if metric == b:
                den += value
                last_den = value
            n = num if num_behaviour == "flow" else last_num
            d = den if den_behaviour == "flow" else last_den
            if n is not None and d:
                if out and out[-1][0] == day:
                    out.pop()
                out.append((day, n / d))
        return out
    total = 0.0
    for count, (day, _metric, value) in enumerate(points, start=1):
        total += value
        if aggregation == "sum":
            out.append((day, total))
        elif aggregation == "mean":
            out.append((day, total / count))
        else:
            out.append((day, value))
    return out


# -- recurring targets -----------------------------------------------------------------
@dataclass(frozen=True)
class PeriodResult:
    period: str  # ISO week "2026-W05" or month "2026-03"
    start: dt.date
    end: dt.date
    value: float
    target: float | None
    hit: bool

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return data


def period_history(store: Store, kpi: str, as_of: dt.date | None = None) -> list[PeriodResult]:
    """Every complete period of a recurring (per) KPI up to ``as_of``: hit or missed."""
    with store.read() as con:
        row = con.execute("SELECT per, metric FROM kpis WHERE key = ?", [kpi]).fetchall()
        if not row:
            raise NotFound(f"no KPI {kpi!r}")
        per, metric = row[0]
        if per is None:
            return []
        if as_of is None:
            as_of = today(store)
        first = con.execute(
            "SELECT coalesce(min(day), ?) FROM observations WHERE metric = ?", [as_of, metric]
        ).fetchall()[0][0]
        rows = con.execute(HISTORY_QUERY, {"kpi": kpi, "d": as_of, "first": first}).fetchall()
    out = []
    for pstart, bstart, bend, value, target in rows:
        label = iso_week(pstart) if per == "week" else pstart.strftime("%Y-%m")
        hit = target is not None and value >= target
        out.append(PeriodResult(label, bstart, bend, float(value), target, hit))
    return out


def streak(history: list[PeriodResult]) -> int:
    """Consecutive hit periods ending with the last complete one."""
    count = 0
    for period in reversed(history):
        if not period.hit:
            break
        count += 1
    return count
