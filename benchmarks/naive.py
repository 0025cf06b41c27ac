"""What most Streamlit dashboards do: load every row into pandas, loop over KPIs.

The same rules as tracker.progress for the common cases (sum and latest KPIs with a
target, ratio as sum/sum or latest/latest), written the obvious way. It exists only to
be compared with the SQL engine; it is not used by Waypoint.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from tracker.store import Store


def naive_status(store: Store, as_of: dt.date) -> list[dict]:
    with store.read() as con:
        obs = con.execute("SELECT metric, day, value, recorded_at FROM observations").df()
        kpis = con.execute(
            "SELECT k.key, k.metric, k.numerator, k.denominator, k.aggregation, k.baseline,"
            " k.target, coalesce(k.start, o.start) AS start, coalesce(k.deadline, o.deadline)"
            " AS deadline FROM kpis k JOIN objectives o ON o.key = k.objective"
            " WHERE NOT k.archived"
        ).df()
        behaviour = dict(con.execute("SELECT key, behaviour FROM metrics").fetchall())
    obs["day"] = pd.to_datetime(obs["day"]).dt.date
    kpis["start"] = pd.to_datetime(kpis["start"]).dt.date
    kpis["deadline"] = pd.to_datetime(kpis["deadline"]).dt.date
    out = []
    for kpi in kpis.itertuples():
        end = min(as_of, kpi.deadline)

        def current(metric: str, kpi=kpi, end=end) -> float | None:
            rows = obs[(obs.metric == metric) & (obs.day >= kpi.start) & (obs.day <= end)]
            if rows.empty:
                return None
            if behaviour[metric] == "flow":
                return float(rows.value.sum())
            last_day = rows.day.max()
            day_rows = rows[rows.day == last_day]
            return float(day_rows.sort_values("recorded_at").value.iloc[-1])

        if kpi.aggregation == "ratio":
            num, den = current(kpi.numerator), current(kpi.denominator)
            value = None if num is None or not den else num / den
        else:
            value = current(kpi.metric)
        baseline = kpi.baseline if pd.notna(kpi.baseline) else 0.0
        progress = None
        if value is not None and kpi.target != baseline:
            progress = (value - baseline) / (kpi.target - baseline)
        span = (kpi.deadline - kpi.start).days
        expected = min(max((as_of - kpi.start).days / span, 0), 1) if span else 1.0
        out.append({"kpi": kpi.key, "current": value, "progress": progress, "expected": expected})
    return out
