"""Import mappings as workspace items: draft one from a file, preview it, save it.

The Import page builds a mapping over a file nothing recognises; these services do the
work so the page only displays. A mapping is saved in the plan's ``imports:`` list (with
any new metrics it feeds) through ``apply_plan``: validated like a plan file, one
undoable change, managers only.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tracker.clock import workspace_timezone
from tracker.errors import BadInput, PlanError
from tracker.imports.mapping import Draft, draft
from tracker.imports.model import ParsedFile
from tracker.models import ImportMapping, Metric
from tracker.permissions import require_manager
from tracker.records import Actor
from tracker.store import Store


def _with_file(name: str, data: bytes, work: Any) -> Any:
    with tempfile.TemporaryDirectory(prefix="waypoint-mapping-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        return work(path)


def draft_upload(name: str, data: bytes) -> Draft:
    """The mapping form's starting point for an uploaded file."""
    from tracker.imports.read import read_sheets

    return _with_file(name, data, lambda path: draft(read_sheets(path, name)))


def preview_mapping(
    store: Store, name: str, data: bytes, mapping: ImportMapping, new_metrics: Sequence[Metric] = ()
) -> ParsedFile:
    """The daily values ``mapping`` reads from a file (nothing written). Metrics the
    mapping would create count as the behaviour chosen for them."""
    from tracker.imports import parse_file

    with store.session(), store.read() as con:
        behaviours = dict(con.execute("SELECT key, behaviour FROM metrics").fetchall())
        timezone = workspace_timezone(store)
    behaviours.update({m.key: m.behaviour for m in new_metrics})
    return _with_file(
        name,
        data,
        lambda path: parse_file(
            path,
            preset=mapping.name,
            timezone=timezone,
            display_name=name,
            mappings=[mapping],
            behaviours=behaviours,
        ),
    )


def save_mapping(
    store: Store, actor: Actor, mapping: ImportMapping, new_metrics: Sequence[Metric] = ()
) -> int | None:
    """Add (or replace, by name) ``mapping`` in the plan with the metrics it creates, as
    one undoable plan change. Returns the change id. Managers only; problems are named
    like a plan file's (``imports[NAME].field``)."""
    from tracker.plan import apply_plan, load_plan, plan_to_dict, validate_plan

    require_manager(actor, "save an import mapping")
    with store.session():
        data = plan_to_dict(load_plan(store))
        known = {m["key"] for m in data.get("metrics", [])}
        clash = [m.key for m in new_metrics if m.key in known]
        if clash:
            raise BadInput(f"a metric with the key {clash[0]!r} already exists; pick it instead")
        data["metrics"] = [
            *data.get("metrics", []),
            *(m.model_dump(mode="json", by_alias=True, exclude_none=True) for m in new_metrics),
        ]
        spec = mapping.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        spec["name"] = mapping.name
        others = [i for i in data.get("imports", []) if i.get("name") != mapping.name]
        data["imports"] = [*others, spec]
        data.pop("revision", None)  # saved over the current plan, never a stale one
        try:
            plan = validate_plan(data, "import mapping")
        except PlanError as exc:
            raise PlanError(exc.problems, f"mapping {mapping.name}") from exc
        changes = apply_plan(store, plan, actor)
    return changes.change


def saved_mapping_names(store: Store) -> list[str]:
    from tracker.importer import saved_mappings

    with store.session():
        return [m.name for m in saved_mappings(store)]


def key_for(text: str, taken: Sequence[str] = ()) -> str:
    """A key from a name people typed ("Gäste" -> "gaste"), unique among ``taken``."""
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "metric"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key
