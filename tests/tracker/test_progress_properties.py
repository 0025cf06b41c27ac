"""Property tests and a cross-check of the SQL engine against a plain-Python reading of the rules."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tracker.test_progress import DEADLINE, START, log, make
from tracker.progress import compute_progress
from tracker.store import Store

SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

series = st.dictionaries(
    st.integers(min_value=-10, max_value=45).map(lambda n: START + dt.timedelta(days=n)),
    st.floats(min_value=-1000, max_value=1000, allow_nan=False).map(lambda v: round(v, 3)),
    min_size=1,
    max_size=15,
)


@contextlib.contextmanager
def fresh_store() -> Iterator[Store]:
    # A folder per example, removed after it: a few MB each, and a run makes dozens.
    with tempfile.TemporaryDirectory(prefix="wp-prop-", ignore_cleanup_errors=True) as folder:
        store = Store(Path(folder) / "p.duckdb")
        store.init()
        yield store


@pytest.mark.slow  # a property test that builds a database per example
@SETTINGS
@given(values=series, as_of=st.integers(min_value=-5, max_value=45), seed=st.integers(0, 99))
def test_progress_does_not_depend_on_logging_order(values, as_of, seed) -> None:
    day = START + dt.timedelta(days=as_of)
    with fresh_store() as first, fresh_store() as second:
        a = make(first, {"key": "k", "metric": "leads", "target": 100})
        log(a, "leads", values)
        b = make(second, {"key": "k", "metric": "leads", "target": 100})
        items = list(values.items())
        random.Random(seed).shuffle(items)
        for i in range(0, len(items), 4):  # in another order, a few at a time
            log(b, "leads", dict(items[i : i + 4]))
        assert compute_progress(a, day).as_dict() == compute_progress(b, day).as_dict()


@pytest.mark.slow  # a property test that builds a database per example
@SETTINGS
@given(
    values=series,
    as_of=st.integers(min_value=-5, max_value=45),
    target=st.floats(min_value=-500, max_value=500)
    .map(lambda t: round(t, 2))
    .filter(lambda t: abs(t) >= 0.01),
)
def test_sum_current_is_sum_in_window_and_never_achieved_below_one(values, as_of, target) -> None:
    day = START + dt.timedelta(days=as_of)
    with fresh_store() as empty:
        store = make(empty, {"key": "k", "metric": "leads", "target": target})
        log(store, "leads", values)
        k = compute_progress(store, day).kpi("k")
    end = min(day, DEADLINE)
    inside = [v for d, v in values.items() if START <= d <= end]
    if day < START:
        assert k.status == "not_started"
    elif inside:
        assert k.current == pytest.approx(sum(inside), abs=1e-6)
    else:
        assert k.current is None and k.status == "no_data"
    if k.progress is not None and k.progress < 1:
        assert k.status != "achieved"


# -- a reference implementation straight from DESIGN.md's words ---------------------------
def reference(
    kind: str, values: dict[dt.date, float], as_of: dt.date, target: float, baseline: float | None
) -> dict:
    end = min(as_of, DEADLINE)
    window = {d: v for d, v in values.items() if START <= d <= end}
    current = None
    if kind == "latest":
        # the value on the last day with a value on or before end (it may precede start)
        upto = [d for d in values if d <= end]
        current = values[max(upto)] if upto else None
    elif window:
        current = sum(window.values()) if kind == "sum" else sum(window.values()) / len(window)
    if baseline is None:
        if kind == "sum":
            baseline = 0.0
        else:
            before = [d for d in values if d <= START]
            baseline = values[max(before)] if before else (window[min(window)] if window else None)
    expected = min(max((as_of - START).days / (DEADLINE - START).days, 0), 1)
    out = {"current": current, "baseline": baseline, "expected": expected}
    if as_of < START:
        out["status"] = "not_started"
        return out
    if not window:
        out["status"] = "no_data"
        return out
    progress = (current - baseline) / (target - baseline)
    pace = progress / expected if expected > 0 else None
    # compared as reports show them (docs/progress.md): fractions at 9 decimals
    if round(progress, 9) >= 1:
        status = "achieved"
    elif as_of > DEADLINE:
        status = "missed"
    elif expected == 0 or round(pace, 9) >= 0.9:
        status = "on_track"
    elif round(pace, 9) >= 0.7:
        status = "at_risk"
    else:
        status = "off_track"
    days_left = max((DEADLINE - as_of).days, 0)
    if days_left == 0 or kind == "mean":
        forecast = current
    elif kind == "sum":
        n = (end - START).days + 1
        m = min(28, n)
        recent = sum(v for d, v in window.items() if d > end - dt.timedelta(days=m))
        forecast = current + recent / m * days_left
    else:
        pts = [(d.toordinal(), v) for d, v in window.items() if d > end - dt.timedelta(days=56)]
        if len(pts) < 2 or len({x for x, _ in pts}) < 2:
            forecast = current
        else:
            mx = sum(x for x, _ in pts) / len(pts)
            my = sum(y for _, y in pts) / len(pts)
            slope = sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)
            forecast = my + slope * (DEADLINE.toordinal() - mx)
    out.update(progress=progress, pace=pace, status=status, forecast=forecast)
    return out


@pytest.mark.parametrize("seed", range(8))
def test_sql_engine_matches_reference(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    kind = ["sum", "latest", "mean"][seed % 3]
    metric = {"sum": "leads", "latest": "fans", "mean": "reply"}[kind]
    values = {
        START + dt.timedelta(days=rng.randint(-8, 40)): round(rng.uniform(0, 50), 2)
        for _ in range(rng.randint(3, 20))
    }
    as_of = START + dt.timedelta(days=rng.randint(1, 38))
    target = round(rng.uniform(60, 900), 1)
    baseline = None if kind != "mean" else round(rng.uniform(0, 5), 1)
    kpi = {"key": "k", "metric": metric, "target": target, "aggregation": kind}
    if baseline is not None:
        kpi["baseline"] = baseline
    store = Store(tmp_path / "x.duckdb")
    store.init()
    make(store, kpi)
    log(store, metric, values)
    got = compute_progress(store, as_of).kpi("k")
    want = reference(kind, values, as_of, target, baseline)
    for name, value in want.items():
        actual = getattr(got, name)
        if isinstance(value, float):
            assert actual == pytest.approx(value, rel=1e-9, abs=1e-9), (name, kind)
        else:
            assert actual == value, (name, kind)
