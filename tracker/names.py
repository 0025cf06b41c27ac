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


# the kind of item a plan field names, so its key can be shown by name
FIELD_KIND = {
    "owner": "person",
    "manager": "person",
    "person": "person",
    "created_by": "person",
    "metric": "metric",
    "numerator": "metric",
    "denominator": "metric",
    "objective": "objective",
    "campaign": "campaign",
    "kpi": "kpi",
}


def names_by_kind(store: Store) -> dict[str, dict[str, str]]:
    """Kind (person, kpi, metric, objective, campaign) -> key -> name; keys of one kind
    may repeat another's (a metric and a KPI both called leads)."""
    with store.read() as con:
        return {
            "person": dict(con.execute("SELECT key, name FROM people").fetchall()),
            "kpi": dict(con.execute("SELECT key, coalesce(name, key) FROM kpis").fetchall()),
            "metric": dict(con.execute("SELECT key, name FROM metrics").fetchall()),
            "objective": dict(con.execute("SELECT key, title FROM objectives").fetchall()),
            "campaign": dict(con.execute("SELECT key, name FROM campaigns").fetchall()),
        }
