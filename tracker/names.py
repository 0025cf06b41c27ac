"""The names people read for the keys the plan uses (keys stay in --json and the plan)."""

from __future__ import annotations

from tracker.store import Store


def people_names(store: Store) -> dict[str, str]:
    """Person key -> name (every person, archived or not: old rows still name them)."""
    with store.read() as con:
        return dict(con.execute("SELECT key, name FROM people").fetchall())


def kpi_names(store: Store) -> dict[str, str]:
    """KPI key -> its name, or the key for a KPI that has none."""
    with store.read() as con:
        return dict(con.execute("SELECT key, coalesce(name, key) FROM kpis").fetchall())
