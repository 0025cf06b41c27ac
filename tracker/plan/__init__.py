"""Plan as code: validate a YAML plan whole, apply it in one transaction, export it back.

- ``tracker.plan.yamlio``: reading plan files safely, writing canonical YAML.
- ``tracker.plan.validate``: every problem at once, each naming its item and field.
- ``tracker.plan.items``: each item's columns, and ``sync``, the one way items change.
- ``tracker.plan.apply``: ``apply_plan`` (one transaction, one undoable change).
- ``tracker.plan.export``: the stored plan as a model and as YAML.
"""

from __future__ import annotations

from tracker.plan.apply import (
    NeedsConfirmation,
    PlanChanges,
    apply_plan,
    apply_plan_file,
    apply_plan_text,
    plan_revision,
)
from tracker.plan.export import (
    dump_plan,
    export_plan,
    load_plan,
    plan_to_dict,
    readable_plan,
    stored_workspace,
)
from tracker.plan.items import TABLES, resolved_aggregation
from tracker.plan.settings_edit import update_settings
from tracker.plan.validate import validate_plan
from tracker.plan.yamlio import load_yaml, read_plan_file

__all__ = [
    "TABLES",
    "NeedsConfirmation",
    "PlanChanges",
    "apply_plan",
    "apply_plan_file",
    "apply_plan_text",
    "dump_plan",
    "export_plan",
    "readable_plan",
    "load_plan",
    "load_yaml",
    "plan_revision",
    "plan_to_dict",
    "read_plan_file",
    "resolved_aggregation",
    "stored_workspace",
    "update_settings",
    "validate_plan",
]
