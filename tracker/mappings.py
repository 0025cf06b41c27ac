"""Import mappings as workspace items: draft one from a file, preview it, save it.

The Import page builds a mapping over a file nothing recognises; these services do the
work so the page only displays. A mapping is saved in the plan's ``imports:`` list (with
any new metrics it feeds) through ``apply_plan``: validated like a plan file, one
undoable change, managers only.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from tracker.clock import workspace_timezone
from tracker.errors import BadInput, PlanError
from tracker.importer import known_metrics, upload_copy
from tracker.imports.mapping import Draft, draft
from tracker.imports.model import ParsedFile
from tracker.models import ImportMapping, Metric
from tracker.permissions import require_manager
from tracker.records import Actor
from tracker.store import Store


def draft_upload(name: str, data: bytes) -> Draft:
    """The mapping form's starting point for an uploaded file."""
    from tracker.imports.read import read_sheets

    with upload_copy(name, data) as path:
        return draft(read_sheets(path, name))


def preview_mapping(
    store: Store, name: str, data: bytes, mapping: ImportMapping, new_metrics: Sequence[Metric] = ()
) -> ParsedFile:
    """The daily values ``mapping`` reads from a file (nothing written). Metrics the
    mapping would create count as the behaviour chosen for them."""
    from tracker.imports import parse_file

    with store.session():
        _, behaviours = known_metrics(store)
        timezone = workspace_timezone(store)
    behaviours.update({m.key: m.behaviour for m in new_metrics})
    with upload_copy(name, data) as path:
        return parse_file(
            path, timezone=timezone, display_name=name, map_with=[mapping], behaviours=behaviours
        )


def save_mapping(
    store: Store, actor: Actor, mapping: ImportMapping, new_metrics: Sequence[Metric] = ()
) -> int | None:
    """Add (or replace, by name) ``mapping`` in the plan with the metrics it creates, as
    one undoable plan change. Returns the change id. Managers only; problems are named
    like a plan file's (``imports[NAME].field``)."""
    from tracker.plan import apply_plan, load_plan, plan_to_dict, validate_plan
    from tracker.plan.items import mapping_spec

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
        spec = mapping_spec(mapping)
        imports = data.get("imports", [])
        # Saved again under its name, it keeps its place: files are tried against the
        # mappings in plan order, so moving it to the end could change which one wins.
        if any(i.get("name") == mapping.name for i in imports):
            data["imports"] = [spec if i.get("name") == mapping.name else i for i in imports]
        else:
            data["imports"] = [*imports, spec]
        data.pop("revision", None)  # saved over the current plan, never a stale one
        try:
            plan = validate_plan(data, "import mapping")
        except PlanError as exc:
            raise PlanError(exc.problems, f"mapping {mapping.name}") from exc
        changes = apply_plan(store, plan, actor)
    return changes.change


def _invalid(what: str, exc: ValidationError) -> BadInput:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return BadInput(f"{what}: {where + ': ' if where else ''}{first['msg']}")


def new_metric(name: str, klass: str, behaviour: str, taken: Sequence[str]) -> Metric:
    """A metric the mapping form creates, keyed from its name (unique among ``taken``)."""
    try:
        return Metric.model_validate(
            {"key": key_for(name, taken), "name": name, "class": klass, "behaviour": behaviour}
        )
    except ValidationError as exc:
        raise _invalid("New metric", exc) from exc


def build_mapping(
    name: str,
    day_column: str,
    columns: dict[str, str],
    *,
    day_format: str = "",
    zone: str = "",
    decimal: str = ".",
    count_metric: str | None = None,
    where: tuple[str, str] | None = None,
) -> ImportMapping:
    """The mapping the form describes: ``columns`` maps a column to a metric key; an
    optional row count goes to ``count_metric``, only rows whose ``where`` column holds
    that value. A file is recognised by the day column and every column it reads."""
    values: list[dict[str, object]] = [{"column": c, "metric": m} for c, m in columns.items()]
    condition = {where[0]: where[1].strip()} if where and where[1].strip() else {}
    if count_metric is not None:
        values.append({"count": "rows", "metric": count_metric, "where": condition})
    used = [day_column, *columns, *(condition if count_metric is not None else [])]
    day: dict[str, str] = {"column": day_column}
    if day_format.strip():
        day["format"] = day_format.strip()
    if zone.strip():
        day["timezone"] = zone.strip()
    try:
        return ImportMapping.model_validate(
            {
                "name": name,
                "match": {"columns": list(dict.fromkeys(used))},
                "day": day,
                "decimal": decimal,
                "values": values,
            }
        )
    except ValidationError as exc:
        raise _invalid("The mapping is not complete", exc) from exc


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
