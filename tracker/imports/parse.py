"""parse_file: detect the export kind, run its preset, return daily rows and rejects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path
from typing import Any

from tracker.errors import BadInput
from tracker.imports.engine import Accumulator, Preset, find_header, run_preset
from tracker.imports.generic import form_of, parse_generic
from tracker.imports.model import ParsedFile
from tracker.imports.presets import ALL
from tracker.imports.read import Sheet, is_workbook, peek_csv, read_sheets

PRESETS: dict[str, Preset] = {p.name: p for p in ALL}
GENERIC = ("long", "wide")


def preset_names() -> list[str]:
    families = sorted({p.family for p in ALL})
    return ["auto", *GENERIC, *families, *sorted(PRESETS)]


def _matches(preset: Preset, sheet: Sheet) -> bool:
    if preset.sheet is not None and sheet.name and not sheet.name.startswith(preset.sheet):
        return False
    if preset.detect is not None:
        return preset.detect(sheet)
    return find_header(preset, sheet) is not None


def _candidates(choice: str) -> list[Preset]:
    if choice == "auto":
        return ALL
    chosen = [p for p in ALL if choice in (p.name, p.family)]
    if not chosen:
        raise BadInput(
            f"--preset {choice}: unknown preset; choose one of " + ", ".join(preset_names())
        )
    return chosen


def parse_file(
    path: str | Path,
    *,
    preset: str = "auto",
    day: dt.date | None = None,
    timezone: str = "UTC",
    display_name: str | None = None,
    known_metrics: Collection[str] | None = None,
) -> ParsedFile:
    """Parse one export or generic file. Raises BadInput when it cannot be read at all."""
    path = Path(path)
    name = display_name or path.name
    try:
        return _parse(path, name, preset, day, timezone, known_metrics)
    except BadInput:
        raise
    except (OSError, ValueError, IndexError, KeyError, TypeError, UnicodeError) as exc:
        raise BadInput(f"{name}: cannot be read ({type(exc).__name__}: {exc})") from exc


def _parse(
    path: Path,
    name: str,
    choice: str,
    day: dt.date | None,
    timezone: str,
    known: Collection[str] | None,
) -> ParsedFile:
    if not is_workbook(path) and path.exists():
        # Recognise a CSV from its first rows: a million-row long file goes straight to
        # DuckDB instead of through Python's csv module.
        head = [peek_csv(path, name)]
        generic = choice in GENERIC or (
            not any(_matches(p, head[0]) for p in _candidates(choice))
            and form_of([str(c) for c in head[0].rows[0]]) is not None
        )
        if generic:
            return _generic(path, name, head, choice, known)  # type: ignore[return-value]
    sheets = read_sheets(path, name)
    found: list[tuple[Preset, Sheet]] = []
    for sheet in sheets:
        for candidate in _candidates(choice):
            if _matches(candidate, sheet):
                found.append((candidate, sheet))
                break  # one export kind per sheet: the first (most specific) wins
    if not found and choice == "auto":
        generic = _generic(path, name, sheets, choice, known)
        if generic is not None:
            return generic
    if not found:
        header = " | ".join(
            str(c) for c in (sheets[0].rows[0] if sheets and sheets[0].rows else [])
        )[:160]
        raise BadInput(
            f"{name}: not a known export (first row: {header!r}). Use --preset with one of"
            f" {', '.join(preset_names())}, or the long form with the header day,metric,value"
        )
    sources = sorted({p.source for p, _ in found})
    acc = Accumulator(file=name, source=sources[0])
    for preset, sheet in found:
        part = Accumulator(file=name, source=preset.source)
        if preset.parse is not None:
            preset.parse(sheet, part, timezone=timezone, day=day)
        else:
            run_preset(preset, sheet, part, timezone=timezone, day=day)
        _merge(acc, part, preset)
    if not acc.values and not acc.rejects:
        acc.notes.append("the export holds no values")
    return ParsedFile(
        file=name,
        preset="+".join(p.name for p, _ in found),
        source=",".join(sources),
        rows=_to_arrow(acc),
        rejects=acc.rejects,
        metrics=acc.specs,
        notes=acc.notes,
    )


def _merge(acc: Accumulator, part: Accumulator, preset: Preset) -> None:
    for (metric, day), value in part.values.items():
        acc.values[(metric, day, preset.source)] = value  # type: ignore[index]
        acc.first_line[(metric, day, preset.source)] = part.first_line[(metric, day)]  # type: ignore[index]
    acc.rejects.extend(part.rejects)
    acc.notes.extend(part.notes)
    acc.specs.update(part.specs)


def _to_arrow(acc: Accumulator) -> Any:
    import pyarrow as pa

    from tracker.observations import incoming_schema

    keys = sorted(acc.values, key=lambda k: (acc.first_line[k], k[0]))
    return pa.table(
        {
            "line": [acc.first_line[k] for k in keys],
            "day": [k[1] for k in keys],
            "metric": [k[0] for k in keys],
            "value": [acc.values[k] for k in keys],
            "source": [k[2] for k in keys],  # type: ignore[misc]
            "recorded_by": [None] * len(keys),
            "note": [None] * len(keys),
        },
        schema=incoming_schema(),
    )


def _generic(
    path: Path, name: str, sheets: list[Sheet], choice: str, known: Collection[str] | None
) -> ParsedFile | None:
    sheet = sheets[0]
    if not sheet.rows or sheet.name:  # generic forms are CSV files
        if choice in GENERIC:
            raise BadInput(f"{name}: the {choice} form is a CSV file with a header row")
        return None
    form = form_of([str(c) for c in sheet.rows[0]])
    if choice in GENERIC and form != choice:
        expected = "day,metric,value" if choice == "long" else "day,<metric>,<metric>..."
        raise BadInput(f"{name}: the header is not the {choice} form (expected {expected})")
    if form is None:
        return None
    rows, rejects, notes = parse_generic(
        path,
        name,
        form,
        delimiter=sheet.meta["delimiter"],
        encoding=sheet.meta.get("encoding", "utf-8"),
        known_metrics=known,
    )
    return ParsedFile(
        file=name,
        preset=form,
        source=f"import.{form}",
        rows=rows,
        rejects=rejects,
        metrics={},
        notes=notes,
    )
