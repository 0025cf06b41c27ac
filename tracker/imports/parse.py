"""parse_file: detect the export kind, run its preset, return daily rows and rejects."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.errors import BadInput
from tracker.imports.engine import Accumulator, Preset, find_header, run_preset
from tracker.imports.generic import form_of, parse_generic
from tracker.imports.mapping import fitting, header_row, missing_columns, run_mapping
from tracker.imports.model import CellsPastTheHeader, ParsedFile, Reject, explain_formula
from tracker.imports.presets import ALL
from tracker.imports.read import Sheet, decode, is_workbook, peek_csv, read_sheets
from tracker.text import file_label

if TYPE_CHECKING:
    from tracker.models import ImportMapping

PRESETS: dict[str, Preset] = {p.name: p for p in ALL}
GENERIC = ("long", "wide")


class NotRecognised(BadInput):
    """The file fits no preset or mapping, or not the one asked for. ``fits`` says what
    it does fit (a preset, a saved mapping, a generic form), when anything does."""

    def __init__(
        self, message: str, *, choice: str, fits: str | None, fits_name: str | None = None
    ) -> None:
        super().__init__(message)
        self.choice = choice
        self.fits = fits
        self.fits_name = fits_name  # the preset, mapping:NAME or form (for preset_label)


def preset_names() -> list[str]:
    families = sorted({p.family for p in ALL})
    return ["auto", *GENERIC, *families, *sorted(PRESETS)]


# What people call each platform and form (preset names stay in the CLI and plan files).
FAMILY_LABEL = {
    "facebook": "Facebook",
    "ga": "Google Analytics",
    "google_ads": "Google Ads",
    "gsc": "Search Console",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "x": "X",
    "youtube": "YouTube",
}
_SPECIAL_LABEL = {
    "auto": "Recognise the file",
    "long": "Generic long form (day, metric, value)",
    "wide": "Generic wide form (a day column, one column per metric)",
}
_LANGUAGE = {"de": "German", "es": "Spanish", "fr": "French"}


def platform_names() -> list[str]:
    """The platforms a preset reads, as people call them, in the presets' order."""
    return list(dict.fromkeys(FAMILY_LABEL.get(p.family, p.family) for p in ALL))


def preset_label(name: str) -> str:
    """A preset, family or saved mapping as people read it: ``gsc_dates_fr`` is
    "Search Console: dates (French)", ``mapping:bookings`` "Saved mapping “bookings”"."""
    if name in _SPECIAL_LABEL:
        return _SPECIAL_LABEL[name]
    if "+" in name:
        # a workbook whose sheets several presets read: "LinkedIn: visitors, updates,
        # posts", not "linkedin_visitors+linkedin_updates+linkedin_posts"
        labels = [preset_label(part) for part in name.split("+")]
        families = {label.split(": ", 1)[0] for label in labels if ": " in label}
        if len(families) == 1 and all(": " in label for label in labels):
            return f"{families.pop()}: " + ", ".join(label.split(": ", 1)[1] for label in labels)
        return " + ".join(labels)
    if name.startswith("mapping:"):
        return f"Saved mapping “{name.removeprefix('mapping:')}”"
    if name in FAMILY_LABEL:
        return f"{FAMILY_LABEL[name]} (any of its exports)"
    preset = PRESETS.get(name)
    if preset is None:
        return name
    # a preset's name starts with its family and "_" (gsc_dates); ga4_snapshot does not
    own = name[len(preset.family) + 1 :] if name.startswith(preset.family + "_") else name
    words = own.split("_")
    language = _LANGUAGE.get(words[-1]) if len(words) > 1 else None
    if language:
        words = words[:-1]
    rest = " ".join(w.upper() if w in ("ga4", "ua", "xls") else w for w in words)
    label = f"{FAMILY_LABEL.get(preset.family, preset.family)}: {rest}"
    return f"{label} ({language})" if language else label


def _matches(preset: Preset, sheet: Sheet) -> bool:
    if preset.sheet is not None and sheet.name and not sheet.name.startswith(preset.sheet):
        return False
    if preset.detect is not None:
        return preset.detect(sheet)
    return find_header(preset, sheet) is not None


def _candidates(choice: str, mappings: Sequence[ImportMapping] = ()) -> list[Preset]:
    if choice == "auto":
        return ALL
    chosen = [p for p in ALL if choice in (p.name, p.family)]
    if not chosen:
        saved = sorted(m.name for m in mappings)
        raise BadInput(
            f"--preset {choice}: unknown preset; choose one of "
            + ", ".join(preset_names())
            + (
                "; or a saved mapping: " + ", ".join(saved)
                if saved
                else "; this workspace has no saved mappings"
            )
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
    mappings: Sequence[ImportMapping] = (),
    behaviours: Mapping[str, str] | None = None,
    map_with: Sequence[ImportMapping] = (),
) -> ParsedFile:
    """Parse one export or generic file. Raises BadInput when it cannot be read at all,
    and when it does not fit the preset or mapping asked for (saying what it looks like).

    ``mappings`` are the workspace's saved import mappings: ``preset`` may name one, and
    ``auto`` tries them after the platform presets. ``map_with`` reads the file through
    whichever of these mappings fits it (``--map FILE``), and nothing else.
    ``behaviours`` (metric -> flow or stock) tells a mapping how rows of one day combine.
    """
    path = Path(path)
    # every message names the file: never with its control characters (tracker.text)
    name = file_label(display_name or path.name)
    try:
        forced = list(map_with) or _named_mapping(preset, mappings)
        if forced:
            parsed = _mapped(
                path, name, forced, timezone, behaviours or {}, mappings, known=known_metrics
            )
        else:
            parsed = _parse(path, name, preset, day, timezone, known_metrics, mappings, behaviours)
        # a formula's text where its value should be says so, in whichever column
        parsed.rejects[:] = [explain_formula(r) for r in parsed.rejects]
        kinds = [PRESETS.get(kind) for kind in parsed.preset.split("+")]
        if day is not None and not any(k is not None and k.needs_day for k in kinds):
            # --day dates a file without a date column; a file dating its own rows keeps
            # its days, and the person who gave one should know it was not used
            parsed.notes.append(
                f"--day {day} was not used: {name} dates its own rows (--day is for files"
                " without a date column)"
            )
        return parsed
    except BadInput:
        raise
    except (OSError, ValueError, IndexError, KeyError, TypeError, UnicodeError) as exc:
        raise BadInput(f"{name}: cannot be read ({type(exc).__name__}: {exc})") from exc


def _named_mapping(choice: str, mappings: Sequence[ImportMapping]) -> list[ImportMapping]:
    """The saved mapping ``--preset`` names: ``mapping:NAME``, or a NAME that is no
    preset's or form's. A mapping saved under such a name (``long``, ``instagram``)
    never takes the preset's place: ``--preset long`` reads the long form, and
    ``mapping:long`` reads the mapping."""
    if choice.startswith("mapping:"):
        wanted = choice.removeprefix("mapping:")
    elif choice in preset_names():
        return []
    else:
        wanted = choice
    return [m for m in mappings if m.name == wanted]


def _parse(
    path: Path,
    name: str,
    choice: str,
    day: dt.date | None,
    timezone: str,
    known: Collection[str] | None,
    mappings: Sequence[ImportMapping],
    behaviours: Mapping[str, str] | None,
) -> ParsedFile:
    if not is_workbook(path) and path.exists():
        # Recognise a CSV from its first rows: a million-row long file goes straight to
        # DuckDB instead of through Python's csv module.
        head = [peek_csv(path, name)]
        is_generic = choice in GENERIC or (
            not any(_matches(p, head[0]) for p in _candidates(choice, mappings))
            and not (choice == "auto" and fitting(mappings, head[0]))
            and _generic_form(head[0], known) is not None
        )
        if (
            is_generic
            and (parsed := _generic(path, name, head, choice, known, timezone)) is not None
        ):
            return parsed
    sheets = read_sheets(path, name)
    if choice in GENERIC:  # a workbook asked to be read in a generic form
        parsed = _generic(path, name, sheets, choice, known, timezone)
        if parsed is not None:
            return parsed
    found: list[tuple[Preset, Sheet]] = []
    for sheet in sheets:
        for candidate in _candidates(choice, mappings):
            if _matches(candidate, sheet):
                found.append((candidate, sheet))
                break  # one export kind per sheet: the first (most specific) wins
    if not found and choice == "auto":
        mapping = next((m for s in sheets if (m := fitting(mappings, s)) is not None), None)
        if mapping is not None:
            return _mapped(path, name, [mapping], timezone, behaviours or {}, mappings, sheets)
        if sheets and _generic_form(sheets[0], known) is not None:
            parsed = _generic(path, name, sheets, choice, known, timezone)
            if parsed is not None:
                return parsed
    if not found:
        fits = looks_like(sheets, known, mappings)
        raise NotRecognised(
            _refusal(name, choice, sheets, fits),
            choice=choice,
            fits=fits,
            fits_name=fitting_name(sheets, known, mappings),
        )
    sources = sorted({p.source for p, _ in found})
    acc = Accumulator(file=name, source=sources[0])
    for preset, sheet in found:
        part = Accumulator(file=name, source=preset.source)
        if preset.parse is not None:
            preset.parse(sheet, part, timezone=timezone, day=day)
        else:
            run_preset(preset, sheet, part, timezone=timezone, day=day)
        _merge(acc, part, preset.source)
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
        currencies=acc.currencies,
    )


def _from_header(sheet: Sheet) -> Sheet:
    """The sheet from its first row that holds something: blank lines or a row of empty
    cells above a generic form's header (a tool that starts its file with one) are not
    its header."""
    lead = next((i for i, row in enumerate(sheet.rows) if any(str(c).strip() for c in row)), 0)
    return Sheet(sheet.name, sheet.rows[lead:], sheet.lines[lead:], sheet.meta) if lead else sheet


def _generic_form(sheet: Sheet, known: Collection[str] | None) -> str | None:
    """The generic form of a sheet, if any. A wide header none of whose columns is a
    known metric is some other tool's export that happens to start with a date column:
    reading it as the wide form would only reject every column."""
    sheet = _from_header(sheet)
    if not sheet.rows:
        return None
    header = [str(c) for c in sheet.rows[0]]
    form = form_of(header)
    unknown_columns = known is not None and not any(h.strip() in known for h in header[1:])
    return None if form == "wide" and unknown_columns else form


def looks_like(
    sheets: Sequence[Sheet], known: Collection[str] | None, mappings: Sequence[ImportMapping]
) -> str | None:
    """What a file fits when nothing is forced on it: a preset, a mapping or a form."""
    name = fitting_name(sheets, known, mappings)
    if name is None:
        return None
    if name.startswith("mapping:"):
        return f"the saved mapping {name.removeprefix('mapping:')}"
    return f"the generic {name} form" if name in GENERIC else f"the {name} preset"


def fitting_name(
    sheets: Sequence[Sheet], known: Collection[str] | None, mappings: Sequence[ImportMapping]
) -> str | None:
    """The preset, ``mapping:NAME`` or generic form a file fits (``preset_label`` reads it)."""
    for sheet in sheets:
        for preset in ALL:
            if _matches(preset, sheet):
                return preset.name
        mapping = fitting(mappings, sheet)
        if mapping is not None:
            return f"mapping:{mapping.name}"
    return _generic_form(sheets[0], known) if sheets else None


def _refusal(name: str, choice: str, sheets: Sequence[Sheet], fits: str | None) -> str:
    header = " | ".join(str(c) for c in (sheets[0].rows[0] if sheets and sheets[0].rows else []))
    if choice != "auto":
        hint = (
            f"this looks like {fits}; import it with --preset auto"
            if fits
            else "no preset or mapping fits it"
        )
        return f"{name}: does not fit the {choice} preset; {hint} (first row: {header[:160]!r})"
    # a workbook's name over text: said, or "no preset fits" hid that it is no workbook
    text = bool(sheets) and "delimiter" in sheets[0].meta
    workbook_name = name.lower().endswith((".xlsx", ".xlsm", ".xls"))
    kind = " (named like a workbook, it holds text: read as CSV)" if text and workbook_name else ""
    return (
        f"{name}{kind}: no preset or mapping fits (first row: {header[:160]!r}). Map it once with"
        " --map FILE.yaml or on the dashboard's Import page (docs/imports.md, \"Import"
        ' mappings"), or write it in the long form with the header day,metric,value'
    )


def _mapped(
    path: Path,
    name: str,
    candidates: Sequence[ImportMapping],
    timezone: str,
    behaviours: Mapping[str, str],
    mappings: Sequence[ImportMapping],
    sheets: list[Sheet] | None = None,
    known: Collection[str] | None = None,
) -> ParsedFile:
    """Read the file through the first of ``candidates`` that fits one of its sheets;
    refuse it, saying what it looks like instead, when none does (``known``: the
    workspace's metrics, so a file of other columns is not said to be the wide form)."""
    sheets = sheets if sheets is not None else read_sheets(path, name)
    found = next(((m, s) for s in sheets for m in candidates if header_row(m, s) is not None), None)
    if found is None:
        first = candidates[0]
        others = [m for m in mappings if m not in candidates]
        fits = looks_like(sheets, known, others)
        missing = ", ".join(missing_columns(first, sheets[0])) if sheets else ""
        raise NotRecognised(
            f"{name}: does not fit the mapping {first.name} (no header row has the"
            f" column(s) {missing})" + (f"; this looks like {fits}" if fits else ""),
            choice=first.name,
            fits=fits,
            fits_name=fitting_name(sheets, None, others),
        )
    mapping, sheet = found
    part = Accumulator(file=name, source=mapping.source_name)
    run_mapping(mapping, sheet, part, timezone=timezone, behaviours=behaviours)
    acc = Accumulator(file=name, source=mapping.source_name)
    _merge(acc, part, mapping.source_name)
    if not acc.values and not acc.rejects:
        acc.notes.append("the file holds no values")
    return ParsedFile(
        file=name,
        preset=f"mapping:{mapping.name}",
        source=mapping.source_name,
        rows=_to_arrow(acc),
        rejects=acc.rejects,
        metrics={},
        notes=acc.notes,
        day_column=mapping.day.column,
        value_columns={v.metric: v.column for v in mapping.values if v.column},
        day_texts=part.day_texts,
    )


def _merge(acc: Accumulator, part: Accumulator, source: str) -> None:
    """Add one export kind's (metric, day) values to ``acc`` under its source."""
    for (metric, day), value in part.values.items():
        acc.values[(metric, day, source)] = value  # type: ignore[index]
        acc.first_line[(metric, day, source)] = part.first_line[(metric, day)]  # type: ignore[index]
    acc.rejects.extend(part.rejects)
    acc.notes.extend(part.notes)
    acc.specs.update(part.specs)
    acc.currencies |= part.currencies


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
    path: Path,
    name: str,
    sheets: list[Sheet],
    choice: str,
    known: Collection[str] | None,
    timezone: str,
) -> ParsedFile | None:
    sheet = sheets[0]
    if not sheet.rows:
        if choice in GENERIC:
            raise BadInput(f"{name}: the {choice} form needs a header row")
        return None
    sheet = _from_header(sheet)
    form = form_of([str(c) for c in sheet.rows[0]])
    if choice in GENERIC and form != choice:
        expected = "day,metric,value" if choice == "long" else "day,<metric>,<metric>..."
        raise BadInput(f"{name}: the header is not the {choice} form (expected {expected})")
    if form is None:
        return None
    _refuse_repeated_columns(name, [str(c) for c in sheet.rows[0]], form)
    if sheet.name:  # a workbook's first sheet
        rows, rejects, notes = _generic_sheet(sheet, name, form, known, timezone)
    else:

        def records() -> list[int] | None:
            """The file's rows from the header when DuckDB's numbering is not theirs."""
            if sheet.lines[0] > 1 or _has_blank_lines(path, sheet.meta.get("encoding", "utf-8")):
                # DuckDB skips blank lines, and numbers from the header; a reject (now, or
                # when the rows are written) names the row a spreadsheet shows
                return [n for n in _record_rows(path, name, sheet) if n >= sheet.lines[0]]
            return None

        try:
            rows, rejects, notes = parse_generic(
                path,
                name,
                form,
                delimiter=sheet.meta["delimiter"],
                encoding=sheet.meta.get("encoding", "utf-8"),
                known_metrics=known,
                timezone=timezone,
                header=[str(c) for c in sheet.rows[0]],
                skip=sheet.lines[0] - 1,  # the lines above the header
            )
        except CellsPastTheHeader as refused:
            lines = records()
            raise (refused.renumbered(lines) if lines else refused) from None
        if (lines := records()) is not None:
            rows, rejects = _renumber(rows, rejects, lines)
    return ParsedFile(
        file=name,
        preset=form,
        source=f"import.{form}",
        rows=rows,
        rejects=rejects,
        metrics={},
        notes=notes,
    )


def _generic_sheet(
    sheet: Sheet, name: str, form: str, known: Collection[str] | None, timezone: str
) -> tuple[Any, list[Reject], list[str]]:
    """A workbook sheet in a generic form: written out as CSV text and read by the same
    rules as a CSV file (second chances, rejects), its rows and rejects then numbered by
    the sheet's own row numbers. Rows (Arrow), rejects and notes, as parse_generic."""
    import csv
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="waypoint-sheet-"))
    try:
        # blank rows of a sheet are left out (people leave them between blocks)
        kept = [
            (line, cells)
            for line, row in zip(sheet.lines, sheet.rows, strict=True)
            if any(cells := [_cell_text(c) for c in row])
        ]
        text = folder / "sheet.csv"
        with text.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(cells for _, cells in kept)
        rows, rejects, notes = parse_generic(
            text,
            name,
            form,
            delimiter=",",
            encoding="utf-8",
            known_metrics=known,
            timezone=timezone,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # CSV line k is the k-th row kept
    rows, rejects = _renumber(rows, rejects, [line for line, _ in kept])
    return rows, rejects, notes


def _renumber(rows: Any, rejects: list[Reject], lines: list[int]) -> tuple[Any, list[Reject]]:
    """Rows and rejects numbered by ``lines``: line k of what was read is ``lines[k-1]``."""
    from dataclasses import replace

    import pyarrow as pa

    renumbered = pa.array([lines[n - 1] for n in rows.column("line").to_pylist()], pa.int64())
    rows = rows.set_column(rows.schema.get_field_index("line"), "line", renumbered)
    rejects = [replace(r, line=lines[r.line - 1]) if r.line else r for r in rejects]
    return rows, rejects


def _has_blank_lines(path: Path, encoding: str) -> bool:
    """Does the file hold an empty line before its last row (a common way to separate
    blocks by hand; empty lines at the end shift no row)? A UTF-8 file is read in 1 MB
    chunks, a million rows in a few milliseconds; a file in another encoding (UTF-16
    "Unicode text") is decoded first, as its reader does anyway."""
    if encoding not in ("utf-8", "utf-8-sig"):
        text, _ = decode(path.read_bytes(), path.name)
        return re.search(r"\r?\n\r?\n+\S", text.replace("\r\n", "\n")) is not None
    carry = b""
    blank = False  # an empty line seen; it counts once a row follows it
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            block = (carry + chunk).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            if blank and block.strip():
                return True
            at = block.find(b"\n\n")
            if at >= 0:
                if block[at:].strip():
                    return True
                blank = True
            carry = block[-1:]
    return False


def _record_rows(path: Path, name: str, sheet: Sheet) -> list[int]:
    """The spreadsheet row (1 = header) of each non-empty record of a CSV file, in order:
    a blank line is a row of its own, a quoted line break is not."""
    import csv
    import io

    text, _ = decode(path.read_bytes(), name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sheet.meta["delimiter"])
    try:
        return [n for n, record in enumerate(reader, start=1) if record]
    except csv.Error:
        # a stray quote the csv module reads as a field without end, where DuckDB read
        # the file without quotes: its lines, then, as they are written
        return [n for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV file would hold: a date cell as its day."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _refuse_repeated_columns(name: str, header: list[str], form: str) -> None:
    """A column the form reads, named twice in the header, leaves it unclear which one
    holds the values: refused, naming both places, rather than reading one of them."""
    from tracker.imports.generic import LONG_COLUMNS

    seen: dict[str, tuple[int, str]] = {}
    for place, column in enumerate(header, start=1):
        text = column.strip()
        if not text:  # an empty header cell (a spreadsheet's trailing columns)
            continue
        if form == "long":
            key = LONG_COLUMNS.get(text.lower())
            if key is None:
                continue
        else:
            # the first column holds the days; a later `day` or `date` is a second one
            key = "day" if place == 1 or text.lower() in ("day", "date") else text.lower()
        if key in seen:
            first, was = seen[key]
            what = (
                f"names {text!r} twice"
                if was.lower() == text.lower()
                else (f"has both {was!r} and {text!r}")
            )
            raise BadInput(
                f"{name}: the header {what} (columns {first} and {place}); keep one of them"
            )
        seen[key] = (place, text)
