"""The progress engine: is each KPI on track, and what does it take to get there?

``compute_progress`` returns every KPI's progress as of a day, plus the objectives'
roll-up: one DuckDB statement gives every KPI's window and aggregates
(tracker/progress_sql.py), and the rules turn each into its numbers and status
(tracker/progress_rules.py).
``kpi_series`` gives a chart its lines; ``period_history`` (one KPI) and
``period_histories`` (all) give recurring targets their record of hit and missed
periods, and ``streak`` the run of hits. docs/progress.md states the rules in words.

Errors: ``NotFound`` (a BadInput, exit 2 on the CLI) for an unknown objective or KPI.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any

from tracker.clock import today
from tracker.errors import BadInput, NotFound
from tracker.periods import Period
from tracker.progress_rules import judge, kpi_rows
from tracker.progress_sql import HISTORY_QUERY, OBJECTIVES_QUERY, PROGRESS_QUERY, SERIES_QUERY
from tracker.settings import get_setting, pace_order_problem, workspace_currency
from tracker.store import Store

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

from tracker.vocab import ROLLUP_ORDER, SEVERITY_ORDER, STATUSES, count_statuses

__all__ = ["ROLLUP_ORDER", "STATUSES"]

# DESIGN.md's status JSON names first, in its order; the extras after them.
_JSON_ORDER = (
    "kpi", "objective", "current", "baseline", "target", "progress", "expected", "pace",
    "status", "forecast", "forecast_status", "needed_per_week", "owner", "last_day",
    "days_left", "name", "metric", "aggregation", "per", "stay", "unit", "start", "deadline",
)  # fmt: skip


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@dataclass(frozen=True)
class KpiProgress:
    """One KPI as of a day; field names follow DESIGN.md's status JSON.

    ``metric`` is the metric key, or ``"numerator/denominator"`` for a ratio. ``start``
    and ``deadline`` are the effective window bounds (the objective's when the KPI has
    none; the current period's for a recurring target). ``last_day`` is the last day
    with a value on or before the window's end.
    """

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
        """JSON-ready: DESIGN.md's fields first, dates as ISO strings."""
        return {name: _jsonable(getattr(self, name)) for name in _JSON_ORDER}


@dataclass(frozen=True)
class ObjectiveStatus:
    """An objective's status (DESIGN "Objectives"), the KPI that holds it there
    (``held_by``) and how many of its KPIs are in each status (``counts``)."""

    objective: str
    title: str
    status: str
    kpis: list[str] = field(default_factory=list)
    held_by: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    starts: dt.date | None = None  # not started: the first of its KPIs' starts

    def as_dict(self) -> dict[str, Any]:
        return {k: _jsonable(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class ProgressReport:
    as_of: dt.date
    kpis: list[KpiProgress]
    objectives: list[ObjectiveStatus]

    def as_dict(self) -> dict[str, Any]:
        """``{"as_of": "YYYY-MM-DD", "kpis": [...], "objectives": [...]}``."""
        return {
            "as_of": self.as_of.isoformat(),
            "kpis": [k.as_dict() for k in self.kpis],
            "objectives": [o.as_dict() for o in self.objectives],
        }

    def kpi(self, key: str) -> KpiProgress:
        """The KPI ``key``; raises NotFound."""
        for k in self.kpis:
            if k.kpi == key:
                return k
        raise NotFound(f"no KPI {key!r} (archived KPIs are not reported)")

    def counts(self) -> dict[str, int]:
        """KPIs per status, worst first (vocab.SEVERITY_ORDER); statuses with none left out."""
        return count_statuses([k.status for k in self.kpis])

    def objectives_worst_first(self) -> list[ObjectiveStatus]:
        """The objectives by status, worst first; plan order among equals."""
        return sorted(self.objectives, key=lambda o: SEVERITY_ORDER.index(o.status))

    def behind_pace(self, limit: int = 25) -> list[KpiProgress]:
        """The KPIs furthest behind their pace, worst first (the Summary's pace chart):
        those with a pace that are not achieved."""
        paced = [k for k in self.kpis if k.pace is not None and k.status != "achieved"]
        return sorted(paced, key=lambda k: k.pace if k.pace is not None else 0.0)[:limit]

    def changed_since(self, before: ProgressReport) -> list[tuple[str, KpiProgress]]:
        """(status then, the KPI now) for each KPI whose status differs from ``before``'s
        (the Summary's "what changed since last week"); KPIs new since are left out."""
        then = {k.kpi: k.status for k in before.kpis}
        return [(then[k.kpi], k) for k in self.kpis if k.kpi in then and then[k.kpi] != k.status]


_FLOAT_FIELDS = [i for i, f in enumerate(fields(KpiProgress)) if "float" in str(f.type)]
_KPI_FIELDS = tuple(f.name for f in fields(KpiProgress))


def _kpi_progress(values: list[Any]) -> KpiProgress:
    """A KpiProgress of ``values`` in field order, built without the frozen __init__.

    That __init__ sets each of the 23 fields through ``object.__setattr__``: 5 ms for
    1,000 KPIs, a tenth of `waypoint status` at L. Filling the new instance's
    ``__dict__`` at once gives the same object (equal, hashed and printed alike, still
    frozen to every later assignment) in 2 ms; a test holds the two equal.
    """
    made = object.__new__(KpiProgress)
    made.__dict__.update(zip(_KPI_FIELDS, values, strict=True))
    return made


def _thresholds(con: duckdb.DuckDBPyConnection) -> tuple[float, float]:
    stored = dict(con.execute("SELECT name, value FROM settings").fetchall())
    on, risk = (
        float(get_setting("on_track_pace", stored)),
        float(get_setting("at_risk_pace", stored)),
    )
    # The plan cannot store a wrong pair, but the environment overrides either one: a
    # status computed from a crossed pair would call a KPI at risk while it is on track.
    order = pace_order_problem(on, risk)
    if order:
        raise BadInput(
            f"{order} (WAYPOINT_ON_TRACK_PACE / WAYPOINT_AT_RISK_PACE in the environment"
            " override the workspace's settings; unset or correct them)"
        )
    return on, risk


def _clean(value: Any) -> Any:
    """NaN becomes None; floats keep 12 significant digits, so the last bits of a sum
    (which depend on the order DuckDB adds in) never show up as a different answer."""
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer() and -1e12 < value < 1e12:
            # already exact at 12 digits (a fifth of the cost: counts, targets); + 0.0
            # turns a -0.0 (no progress towards a lower target) into 0.0
            return value + 0.0
        return float(f"{value:.12g}")
    return value


def rollup(statuses: list[str]) -> str:
    """DESIGN "Objectives": the worst status among KPIs with data and a target; when none
    has one, ``not_started`` if every KPI is not started, else ``no_data``."""
    judged = [s for s in statuses if s in ROLLUP_ORDER]
    if judged:
        return min(judged, key=ROLLUP_ORDER.index)
    if statuses and all(s == "not_started" for s in statuses):
        return "not_started"
    return "no_data"


def _objective(key: str, title: str, kpis: list[KpiProgress]) -> ObjectiveStatus:
    status = rollup([k.status for k in kpis])
    holding = [k for k in kpis if k.status == status] if status in ROLLUP_ORDER else []
    # The KPI that holds it there: of those in that status, the one furthest behind.
    held_by = (
        min(holding, key=lambda k: k.pace if k.pace is not None else 9e9).kpi if holding else None
    )
    starts = [k.start for k in kpis if k.status == "not_started" and k.start is not None]
    return ObjectiveStatus(
        objective=key,
        title=title,
        status=status,
        kpis=[k.kpi for k in kpis],
        held_by=held_by,
        counts=count_statuses([k.status for k in kpis]),  # worst first
        starts=min(starts) if status == "not_started" and starts else None,
    )


def _kpi_rows(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    objective: str | None = None,
    kpi: str | None = None,
    day_over: bool = False,
) -> list[KpiProgress]:
    on, risk = _thresholds(con)
    sides = con.execute(PROGRESS_QUERY, {"d": as_of, "only": objective, "kpi": kpi}).fetchall()
    out = []
    for row in kpi_rows(sides, workspace_currency(con)):
        values = list(judge(row, as_of, on, risk, day_over))
        for i in _FLOAT_FIELDS:  # only the numbers need cleaning: a third of the columns
            values[i] = _clean(values[i])
        out.append(_kpi_progress(values))
    return out


def compute_progress(
    store: Store,
    as_of: dt.date | None = None,
    *,
    objective: str | None = None,
    day_over: bool = False,
) -> ProgressReport:
    """Every active KPI's progress as of ``as_of`` (default: today in the workspace zone).

    KPIs come in plan order (objective, then KPI position); archived KPIs and objectives
    are left out. ``objective`` keeps one objective. Raises NotFound for an unknown
    ``objective``. ``day_over``: ``as_of`` has ended (the review of a finished week, as
    of its Sunday), so a deadline or a recurring period ending that day has passed: it
    is achieved or missed, never paced or forecast.
    """
    with store.read() as con:
        if as_of is None:
            as_of = today(store)
        objectives = con.execute(OBJECTIVES_QUERY, {"only": objective}).fetchall()
        if objective is not None and not objectives:
            known = [r[0] for r in con.execute(OBJECTIVES_QUERY, {"only": None}).fetchall()]
            raise NotFound(
                f"--objective {objective}: no such objective"
                + (f" (known: {', '.join(known)})" if known else " (the plan has none yet)")
            )
        kpis = _kpi_rows(con, as_of, objective, day_over=day_over)
    by_objective: dict[str, list[KpiProgress]] = {}
    for k in kpis:
        by_objective.setdefault(k.objective, []).append(k)
    rolled = [_objective(key, title, by_objective.get(key, [])) for key, title in objectives]
    return ProgressReport(as_of=as_of, kpis=kpis, objectives=rolled)


def kpi_progress(store: Store, kpi: str, as_of: dt.date | None = None) -> KpiProgress:
    """One KPI's progress (the same statement, filtered to it). Raises NotFound."""
    with store.read() as con:
        return _one_kpi(con, as_of or today(store), kpi)


def _one_kpi(con: Any, as_of: dt.date, kpi: str) -> KpiProgress:
    rows = _kpi_rows(con, as_of, kpi=kpi)
    if not rows:
        raise NotFound(f"no KPI {kpi!r} (archived KPIs are not reported)")
    return rows[0]


# -- charts ----------------------------------------------------------------------------
Point = tuple[dt.date, float]


@dataclass(frozen=True)
class KpiSeries:
    """The lines of one KPI's chart, each a list of ``(day, value)`` sorted by day.

    - ``actual``: one point per day in the window (``progress.start`` to the window's
      end) that has a value: the running sum for ``sum``, the level for ``latest``, the
      running mean of the daily values for ``mean``, the running ratio for ``ratio``
      (each side by its behaviour, as ``current`` is). Its last point is ``current``
      (for ``latest``, when the window has a value).
    - ``expected``: the pace line, ``[(start, baseline), (deadline, target)]``; empty
      without a start, deadline, baseline or target (drafts, health KPIs).
    - ``forecast``: ``[(last actual day, its value), (deadline, forecast)]``; empty
      when there is no forecast or no day left after the last actual point.
    - ``target``: the target (a horizontal line), or None.

    ``frame()`` gives the same as a pandas DataFrame with columns ``line``
    (actual/expected/forecast), ``day``, ``value``.
    """

    progress: KpiProgress
    actual: list[Point]
    expected: list[Point]
    forecast: list[Point]
    target: float | None

    def frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = [
            (line, day, value)
            for line, points in (
                ("actual", self.actual),
                ("expected", self.expected),
                ("forecast", self.forecast),
            )
            for day, value in points
        ]
        return pd.DataFrame(rows, columns=["line", "day", "value"])


def kpi_series(store: Store, kpi: str, as_of: dt.date | None = None) -> KpiSeries:
    """The lines a chart of ``kpi`` needs as of ``as_of`` (see KpiSeries). Raises NotFound."""
    with store.read() as con:
        if as_of is None:
            as_of = today(store)
        p = _one_kpi(con, as_of, kpi)
        sides = con.execute(
            "SELECT coalesce(k.metric, k.numerator), k.denominator, ma.behaviour, mb.behaviour"
            " FROM kpis k LEFT JOIN metrics ma ON ma.key = coalesce(k.metric, k.numerator)"
            " LEFT JOIN metrics mb ON mb.key = k.denominator WHERE k.key = ?",
            [kpi],
        ).fetchall()[0]
        end = min(as_of, p.deadline) if p.deadline else as_of
        params = {
            "a": sides[0],
            "b": sides[1],
            "abeh": sides[2],
            "bbeh": sides[3],
            "agg": p.aggregation,
            "start": p.start,
            "end": end,
            "d": as_of,
        }
        actual = [(day, _clean(v)) for day, v in con.execute(SERIES_QUERY, params).fetchall()]
    expected: list[Point] = []
    if p.start and p.deadline and p.baseline is not None and p.target is not None:
        expected = [(p.start, p.baseline), (p.deadline, p.target)]
    forecast: list[Point] = []
    if actual and p.forecast is not None and p.deadline and p.deadline > actual[-1][0]:
        forecast = [actual[-1], (p.deadline, p.forecast)]
    return KpiSeries(
        progress=p, actual=actual, expected=expected, forecast=forecast, target=p.target
    )


# -- recurring targets -----------------------------------------------------------------
@dataclass(frozen=True)
class PeriodResult:
    """One complete period of a recurring target.

    ``period`` is the ISO week (``2026-W05``) or month (``2026-03``); ``start`` and
    ``end`` are its days inside the KPI's span (a period straddling the KPI's start
    begins at the start); ``value`` is the sum of the daily values in them.
    """

    period: str
    start: dt.date
    end: dt.date
    value: float
    target: float | None
    hit: bool

    def as_dict(self) -> dict[str, Any]:
        return {k: _jsonable(v) for k, v in asdict(self).items()}


def _histories(store: Store, kpi: str | None, as_of: dt.date | None) -> dict[str, list]:
    with store.read() as con:
        if as_of is None:
            as_of = today(store)
        rows = con.execute(HISTORY_QUERY, {"kpi": kpi, "d": as_of}).fetchall()
        pers = dict(con.execute("SELECT key, per FROM kpis WHERE per IS NOT NULL").fetchall())
    out: dict[str, list[PeriodResult]] = {}
    for key, pstart, bstart, bend, value, target, hit in rows:
        label = Period(pers[key], pstart).label
        out.setdefault(key, []).append(
            PeriodResult(label, bstart, bend, _clean(float(value)), target, bool(hit))
        )
    return out


def period_history(store: Store, kpi: str, as_of: dt.date | None = None) -> list[PeriodResult]:
    """Every complete period of a recurring (per) KPI from its start up to ``as_of``.

    Oldest first. A period is complete once its last day (inside the KPI's span) is
    before ``as_of``. A KPI without ``per`` has no periods: ``[]``. Raises NotFound.
    """
    with store.read() as con:
        if not con.execute("SELECT 1 FROM kpis WHERE key = ?", [kpi]).fetchall():
            raise NotFound(f"no KPI {kpi!r}")
    return _histories(store, kpi, as_of).get(kpi, [])


def period_histories(store: Store, as_of: dt.date | None = None) -> dict[str, list[PeriodResult]]:
    """``period_history`` of every active recurring KPI at once, keyed by KPI."""
    return _histories(store, None, as_of)


def streak(history: list[PeriodResult]) -> int:
    """Consecutive hit periods ending with the last complete one (0 if it was missed)."""
    count = 0
    for period in reversed(history):
        if not period.hit:
            break
        count += 1
    return count
