"""Who may do what (DESIGN.md, Roles), checked where data changes.

| may                                     | manager | assistant                 | viewer |
| read every page                         | yes     | yes                       | yes    |
| log values, import, check in            | yes     | what they own or are on   | no     |
| change plan, targets, people, settings  | yes     | no                        | no     |
| acknowledge flags                       | yes     | no                        | no     |

An assistant is *assigned* to a metric when they own a KPI that uses it (as metric,
numerator or denominator), own a campaign or objective whose channels include the
metric's channel, or own the metric itself (an import of theirs created it). Effort
metrics (hours) are open to every assistant, for their own hours only. An assistant
checks in on the KPIs they own, and may replace or delete only values they recorded.
"""

from __future__ import annotations

from tracker.errors import NotFound, PermissionDenied
from tracker.records import LOCAL_MANAGER, Actor
from tracker.store import Connection, Store


def require_manager(actor: Actor, action: str) -> None:
    if actor.role != "manager":
        raise PermissionDenied(f"{actor.name} ({actor.role}) may not {action}: only a manager may.")


def require_writer(actor: Actor, action: str) -> None:
    if actor.role == "viewer":
        raise PermissionDenied(f"{actor.name} is a viewer and may not {action}.")


def resolve_actor(store: Store, key: str | None) -> Actor:
    """The person a command acts as; the local manager when ``key`` is None."""
    if key is None:
        return LOCAL_MANAGER
    with store.read() as con:
        row = con.execute(
            "SELECT key, role, name FROM people WHERE key = ? AND NOT archived", [key]
        ).fetchone()
    if row is None:
        raise NotFound(f"--as {key}: no such person in the plan (see `waypoint plan export`)")
    return Actor(key=row[0], role=row[1], name=row[2])


def assigned_metrics(con: Connection, actor: Actor) -> set[str] | None:
    """Metric keys ``actor`` may write; None means every metric (managers)."""
    if actor.role == "manager":
        return None
    if actor.role == "viewer":
        return set()
    rows = con.execute(
        """
        WITH mine_kpi AS (
            SELECT unnest([metric, numerator, denominator]) AS metric
            FROM kpis WHERE owner = ? AND NOT archived
        ),
        my_channels AS (
            SELECT unnest(channels) AS channel FROM campaigns WHERE owner = ? AND NOT archived
            UNION SELECT unnest(channels) FROM objectives WHERE owner = ? AND NOT archived
        )
        SELECT key FROM metrics WHERE key IN (SELECT metric FROM mine_kpi WHERE metric IS NOT NULL)
        UNION SELECT key FROM metrics WHERE channel IN (SELECT channel FROM my_channels)
        UNION SELECT key FROM metrics WHERE class = 'effort'
        UNION SELECT key FROM metrics WHERE owner = ?
        """,
        [actor.key, actor.key, actor.key, actor.key],
    ).fetchall()
    return {r[0] for r in rows}


def assigned_channels(con: Connection, actor: Actor) -> set[str] | None:
    """Channels an assistant works on (for metrics an import creates); None = all."""
    if actor.role == "manager":
        return None
    if actor.role == "viewer":
        return set()
    rows = con.execute(
        """
        SELECT unnest(channels) FROM campaigns WHERE owner = ? AND NOT archived
        UNION SELECT unnest(channels) FROM objectives WHERE owner = ? AND NOT archived
        UNION SELECT m.channel FROM kpis k JOIN metrics m
            ON m.key IN (k.metric, k.numerator, k.denominator)
            WHERE k.owner = ? AND NOT k.archived AND m.channel IS NOT NULL
        """,
        [actor.key, actor.key, actor.key],
    ).fetchall()
    return {r[0] for r in rows}


def require_metric_writer(con: Connection, actor: Actor, metric: str, klass: str) -> None:
    """Refuse an actor who may not write values of ``metric`` (names why)."""
    require_writer(actor, "log values")
    allowed = assigned_metrics(con, actor)
    if allowed is not None and metric not in allowed:
        raise PermissionDenied(
            f"{actor.name} may not log {metric}: it is not a metric of a KPI, campaign or"
            " objective they own. Ask a manager to assign it."
        )


def require_kpi_owner(con: Connection, actor: Actor, kpi: str, action: str) -> None:
    require_writer(actor, action)
    if actor.role == "manager":
        return
    row = con.execute("SELECT owner FROM kpis WHERE key = ? AND NOT archived", [kpi]).fetchone()
    if row is None:
        raise NotFound(f"no KPI {kpi!r}")
    if row[0] != actor.key:
        raise PermissionDenied(
            f"{actor.name} may not {action} for KPI {kpi}: it is owned by {row[0] or 'nobody'}."
        )


def writable_metrics(store: Store, actor: Actor) -> set[str] | None:
    """:func:`assigned_metrics` in its own read (for pages that hold no connection)."""
    with store.read() as con:
        return assigned_metrics(con, actor)
