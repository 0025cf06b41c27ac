"""Changing workspace settings (and the timezone) from a form: the stored plan with
those values, applied like a plan file, so it is validated by the same registry, audited
and undoable as one change. The Settings page's three forms call this one service."""

from __future__ import annotations

from typing import Any

from tracker.plan.apply import PlanChanges, apply_plan
from tracker.plan.export import load_plan, plan_to_dict
from tracker.plan.validate import validate_plan
from tracker.records import Actor
from tracker.store import Store


def update_settings(
    store: Store, actor: Actor, values: dict[str, Any], *, timezone: str | None = None
) -> PlanChanges:
    """Set ``values`` (setting name -> value) and, if given, the workspace timezone."""
    data = plan_to_dict(load_plan(store))
    data["settings"] = {**data.get("settings", {}), **values}
    if timezone is not None:
        data["workspace"]["timezone"] = timezone
    return apply_plan(store, validate_plan(data, "settings"), actor)
