"""Changing workspace settings (and the timezone) from a form: the stored plan with
those values, applied like a plan file, so it is validated by the same registry, audited
and undoable as one change. The Settings page's three forms call this one service."""

from __future__ import annotations

from typing import Any

from tracker.errors import BadInput
from tracker.plan.apply import PlanChanges, apply_plan
from tracker.plan.export import load_plan, plan_to_dict
from tracker.plan.validate import validate_plan
from tracker.records import Actor
from tracker.settings import SETTINGS, stored_setting
from tracker.store import Store


def update_settings(
    store: Store, actor: Actor, values: dict[str, Any], *, timezone: str | None = None
) -> PlanChanges:
    """Set ``values`` (setting name -> value) and, if given, the workspace timezone.

    A form sends every field it shows; only those that differ from what is in effect
    (the stored value, else the default) are written: saving one pace stored the other
    and the backup count too, each an audit line that changed nothing."""
    data = plan_to_dict(load_plan(store))
    stored = {k: str(v) for k, v in data.get("settings", {}).items()}
    values = {k: v for k, v in values.items() if not _unchanged(k, v, stored)}
    data["settings"] = {**data.get("settings", {}), **values}
    if timezone is not None:
        data["workspace"]["timezone"] = timezone
    return apply_plan(store, validate_plan(data, "settings"), actor)


def _unchanged(name: str, value: Any, stored: dict[str, str]) -> bool:
    """Is ``value`` what setting ``name`` already is? (A value the registry refuses is
    not: validation names it.)"""
    try:
        return bool(SETTINGS[name].parse(value) == stored_setting(name, stored))
    except (BadInput, KeyError):
        return False
