"""Import mappings: how to read a file no preset knows (DESIGN "Import mappings").

A mapping names the columns that recognise a file, the day column and its format,
the decimal mark, and per metric either a column's values or a count of the rows
matching ``where``. Rows of one day add up for a flow metric; the last row of the day
counts for a stock metric; a row count is a count (every day the file covers gets
one, zero included, so a day without catering orders says 0 rather than nothing).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.errors import BadInput, PlanError
from tracker.imports.engine import (
    HEADER_SEARCH_ROWS,
    Accumulator,
    cut_short,
    header_index,
    norm,
)
from tracker.imports.generic import TOTAL_LABELS, header_width
from tracker.imports.model import CellsPastTheHeader, Reject
from tracker.imports.read import Sheet
from tracker.imports.values import (
    NotADate,
    NotANumber,
    NumericDays,
    decimal_comma_of,
    is_null,
    parse_number,
    parse_when,
    to_day,
)
from tracker.text import spelled_like

if TYPE_CHECKING:
    from tracker.models import ImportMapping

_TIME_PARTS = re.compile(r"%[HIMSfpzZ]")


def header_row(mapping: ImportMapping, sheet: Sheet) -> int | None:
    """Index of the row holding every column the mapping is recognised by."""
    return header_index(mapping.match.columns, sheet)


def missing_columns(mapping: ImportMapping, sheet: Sheet) -> list[str]:
    """The mapping's columns the file's first row lacks (for the refusal message)."""
    first = {norm(c) for c in (sheet.rows[0] if sheet.rows else [])}
    return [c for c in mapping.match.columns if norm(c) not in first]


def load_mapping_file(path: str | Path) -> list[ImportMapping]:
    """Mappings from a YAML file: one mapping, a list of them, or a plan's ``imports:``."""
    from pydantic import ValidationError

    from tracker.models import ImportMapping
    from tracker.plan.yamlio import read_plan_file

    data, _ = read_plan_file(path)  # PlanError (bad input) names the file and line
    path = Path(path)
    if isinstance(data, dict) and "imports" in data:
        data = data["imports"]
    items = data if isinstance(data, list) else [data]
    fields = set(ImportMapping.model_fields)
    if not all(isinstance(i, dict) and fields & set(i) for i in items):
        # another kind of file (a CSV, a config): its lines are no mapping's fields,
        # and quoting them back as such would only print the file
        raise BadInput(
            f"--map {path.name}: is not an import mapping (a YAML mapping with name, match,"
            " day and values, or a list of them; docs/imports.md)"
        )
    out: list[ImportMapping] = []
    problems: list[str] = []
    for i, item in enumerate(items):
        # every mapping's problems at once, as `plan apply` reports them (the first
        # mapping's alone sent the person back to fix and run again for each)
        try:
            out.append(ImportMapping.model_validate(item))
        except ValidationError as exc:
            # the plan's own words: imports[NAME].field, without pydantic's prefixes
            from tracker.plan.validate import field_problems

            problems += field_problems({"imports": items}, exc, ("imports", i))
    problems += [p for m in out for p in column_problems(m)]
    if problems:
        raise PlanError(problems, str(path))
    if not out:
        raise BadInput(f"--map {path.name}: holds no mapping")
    return out


def column_problems(mapping: ImportMapping) -> list[str]:
    """The day and every value must come from a column the mapping recognises files by;
    otherwise every row would be refused (or skipped) without a word about why. No value
    may be listed twice (it would count twice)."""
    path = f"imports[{mapping.name}]"
    comma = mapping.decimal == ","
    columns = {c.lower() for c in mapping.match.columns}
    problems = []
    if mapping.day.column.lower() not in columns:
        problems.append(f"{path}.day.column: {mapping.day.column!r} is not one of match.columns")
    for i, spec in enumerate(mapping.values):
        for col in [spec.column, *spec.where]:
            if col is not None and col.lower() not in columns:
                problems.append(f"{path}.values[{i}]: column {col!r} is not one of match.columns")
    for j, spec in enumerate(mapping.values):
        for i, earlier in enumerate(mapping.values[:j]):
            # the same values for the same metric twice count a row twice, unless their
            # filters can never keep the same row (Service: Catering, Service: Room)
            if (earlier.metric, (earlier.column or "").lower(), earlier.count) != (
                spec.metric,
                (spec.column or "").lower(),
                spec.count,
            ) or _exclusive(earlier.where, spec.where, comma):
                continue
            what = f"{spec.metric} from {spec.column or 'a count of rows'}"
            if _filter(earlier.where, comma) == _filter(spec.where, comma):
                twice = "every row would count twice"
                problems.append(f"{path}.values[{j}]: repeats values[{i}] ({what}): {twice}")
            else:
                problems.append(
                    f"{path}.values[{j}]: feeds {what} as values[{i}] does, and a row both"
                    " filters keep would count twice: keep one, or filter both on the same"
                    " column with different values"
                )
            break
    return problems


def _wanted(value: Any, decimal_comma: bool = False, mark_known: bool = True) -> Any:
    """A ``where`` value as rows are compared with it: a number (written as text too: `5`
    and `"5"` keep the same rows; in quotes, read with the mapping's decimal mark, as its
    cells are), else text without regard to case and spacing. Words that read as no value
    ("n/a", "(not set)") stay text: Google Analytics' "(not set)" is a value to filter on."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value.strip():
        with contextlib.suppress(NotANumber):
            number = _number(value, decimal_comma, mark_known)
            if number is not None:
                return number
    return norm(value)


def _filter(where: Mapping[str, Any], decimal_comma: bool = False) -> dict[str, Any]:
    """A ``where`` as it compares: columns without regard to case, values by ``_wanted``."""
    return {norm(k): _wanted(v, decimal_comma) for k, v in where.items()}


def _exclusive(a: Mapping[str, Any], b: Mapping[str, Any], decimal_comma: bool = False) -> bool:
    """No row can match both: they want different values in one column."""
    first, second = _filter(a, decimal_comma), _filter(b, decimal_comma)
    return any(k in second and second[k] != v for k, v in first.items())


def check_metrics(
    mapping: ImportMapping,
    known: Mapping[str, Any],
    origin: str,
    behaviours: Mapping[str, str] | None = None,
) -> None:
    """A mapping may only feed metrics the plan has (DESIGN): name the first unknown; and
    counts of rows only into flow metrics (``behaviours``: key -> flow | stock)."""
    unknown = [v.metric for v in mapping.values if v.metric not in known]
    if unknown:
        named = ", ".join(f"{m}{spelled_like(m, known)}" for m in dict.fromkeys(unknown))
        raise BadInput(
            f"{origin}: mapping {mapping.name} names unknown metric(s) {named};"
            " add them to the plan first (Plan page or `waypoint plan apply`)"
        )
    problems = count_problems(mapping, behaviours or {}, origin)
    if problems:
        raise BadInput("; ".join(problems))


def count_problems(mapping: ImportMapping, behaviours: Mapping[str, str], path: str) -> list[str]:
    """A count of rows is a number of things that happened that day (orders, bookings):
    it adds up, a flow. Counted into a stock metric (a level: followers, a balance) it
    replaced the day's level with the count, and the days without a row with 0."""
    return [
        f"{path}.values[{i}]: counts rows into {spec.metric}, a stock metric (a level,"
        " the last value of the day); a count of rows adds up day by day: count into a"
        " flow metric, or read the level from a column"
        for i, spec in enumerate(mapping.values)
        if spec.count is not None and behaviours.get(spec.metric) == "stock"
    ]


def _day(cell: Any, mapping: ImportMapping, timezone: str, days: NumericDays) -> dt.date | None:
    fmt, zone = mapping.day.format, mapping.day.timezone
    if not isinstance(cell, str):  # a workbook's date cell is its day
        return parse_when(cell, timezone=timezone, source_zone=zone)
    if fmt is None:  # the generic forms' reading, one day/month way for the whole file
        return days.read(cell, timezone=timezone, source_zone=zone)
    text = " ".join(cell.split())
    if not text or is_null(text):
        return None
    try:
        when = dt.datetime.strptime(text, fmt)
    except ValueError as exc:
        raise NotADate(f"not a date in the format {fmt}: {text[:40]!r}") from exc
    if not _TIME_PARTS.search(fmt):
        return when.date()
    return to_day(when, timezone, zone)


def _number(cell: Any, decimal_comma: bool, mark_known: bool) -> float | None:
    # 1.234,5 and 1 234,5: dots and spaces group thousands, the comma is the mark. A
    # lone dot (1.250) groups thousands only where the comma is known to be the mark: a
    # semicolon alone does not prove it, as in the generic forms.
    if decimal_comma and not mark_known and isinstance(cell, str) and "," not in cell:
        return parse_number(cell)
    return parse_number(cell, decimal_comma=decimal_comma)


def _matches(cell: Any, wanted: Any, decimal_comma: bool, mark_known: bool) -> bool:
    """Does ``cell`` hold ``wanted`` (a ``_wanted`` value)? A number against the cell read
    as the mapping reads its values: with decimal commas "1.000" is a thousand here as it
    is in the amount."""
    if isinstance(wanted, float):
        try:
            return _number(cell, decimal_comma, mark_known) == wanted
        except NotANumber:
            return False
    return norm(cell) == wanted


def run_mapping(
    mapping: ImportMapping,
    sheet: Sheet,
    acc: Accumulator,
    *,
    timezone: str,
    behaviours: Mapping[str, str],
) -> None:
    """Read ``sheet`` through ``mapping`` into ``acc`` (rejects keep file and line)."""
    # plan apply refuses these; a mapping stored before it did is refused here, before
    # a count of rows replaces a level (and the days without rows read 0)
    problems = count_problems(mapping, behaviours, f"the mapping {mapping.name}")
    if problems:
        raise BadInput(
            f"{acc.file}: " + "; ".join(problems) + "; correct the mapping in the plan"
            " (Plan page or `waypoint plan apply`)"
        )
    at = header_row(mapping, sheet)
    if at is None:
        return
    header = [str(h) for h in sheet.rows[at]]
    index: dict[str, int] = {}
    read = {norm(c) for c in _columns_read(mapping)}
    for i, h in enumerate(header):
        if norm(h) in index and norm(h) in read:
            # which of the two holds the values is unclear: refused, as the generic
            # forms refuse a column they read named twice
            raise BadInput(
                f"{acc.file}: the header names {h.strip()!r} twice (columns"
                f" {index[norm(h)] + 1} and {i + 1}), a column the mapping {mapping.name}"
                " reads; keep one of them"
            )
        index.setdefault(norm(h), i)

    def cell_of(row: list[Any], column: str) -> Any:
        i = index.get(norm(column))
        return row[i] if i is not None and i < len(row) else None

    body = list(zip(sheet.rows[at + 1 :], sheet.lines[at + 1 :], strict=True))
    # One decimal mark and one day/month way for the whole file, read from its cells as
    # the generic forms and presets do, unless the mapping names them
    value_columns = [
        index[norm(v.column)] for v in mapping.values if v.column and norm(v.column) in index
    ]
    numbers = [row[i] for row, _ in body for i in value_columns if i < len(row)]
    if mapping.decimal is not None:
        decimal_comma, mark_known = mapping.decimal == ",", True
    else:
        comma_shown = decimal_comma_of(numbers, False)
        dot_shown = not decimal_comma_of(numbers, True)
        mark_known = comma_shown or dot_shown
        decimal_comma = comma_shown or (not dot_shown and sheet.meta.get("delimiter") == ";")
    # each filter's values read once, with the file's decimal mark, not once per row
    wheres = [
        {col: _wanted(w, decimal_comma, mark_known) for col, w in value.where.items()}
        for value in mapping.values
    ]
    day_at = index.get(norm(mapping.day.column))
    days = NumericDays(
        (row[day_at] for row, _ in body if day_at is not None and day_at < len(row)),
        decimal_comma,
    )
    # a text file's row that ends before a column the mapping reads was cut short:
    # taking the cells it has would count an order without its amount
    widest = max((index[norm(c)] for c in _columns_read(mapping) if norm(c) in index), default=-1)
    text_file = "delimiter" in sheet.meta
    width = header_width(header)  # a trailing delimiter on the header names no column
    days_seen: dict[dt.date, int] = {}  # day -> its first line
    counts = sorted({v.metric for v in mapping.values if v.count is not None})
    # a flow metric read from a column gets every day the file has rows on: 0 where no
    # row of it matched (no catering that day), so a newer export of those days corrects
    # an older one's value that is gone; not a day whose row of it was rejected
    sums = sorted(
        {
            v.metric
            for v in mapping.values
            if v.count is None and behaviours.get(v.metric, "flow") == "flow"
        }
    )
    # (metric, day) whose amount a row of the file does not say (unreadable, blank, cut)
    unknown: set[tuple[str, dt.date]] = set()
    totals = 0
    undated: list[int] = []  # lines without a day and a blank first cell
    first_dated = last_dated = 0
    for row, line in body:
        if all(is_null(c) for c in row):
            continue
        if text_file and any(not is_null(c) for c in row[width:]):
            raise CellsPastTheHeader(acc.file, line, width)
        raw = cell_of(row, mapping.day.column)
        if is_null(raw):
            first = norm(row[0]) if row else ""
            if first.startswith("total"):
                totals += 1
                continue  # a totals row
            if first == "":
                undated.append(line)  # a description or totals row, unless days follow
                continue
            acc.rejects.append(Reject(acc.file, line, mapping.day.column, None, "no date"))
            continue
        if isinstance(raw, str) and norm(raw).rstrip(":") in TOTAL_LABELS:
            totals += 1  # a spreadsheet's totals row: its sum is not a day's value
            continue
        try:
            day, unread = _day(raw, mapping, timezone, days), None
        except NotADate as exc:
            day, unread = None, exc
        if text_file and len(row) <= widest:
            acc.rejects.append(cut_short(acc.file, line, row, header))
            if day is not None:  # its day keeps what the other rows give, never a 0
                unknown.update((metric, day) for metric in sums)
            continue
        if unread is not None:
            acc.rejects.append(
                Reject(acc.file, line, mapping.day.column, str(raw)[:80], str(unread))
            )
            continue
        if day is None:
            continue
        acc.day_texts[line] = str(raw).strip()
        days_seen.setdefault(day, line)
        first_dated = first_dated or line
        last_dated = line
        for value, where in zip(mapping.values, wheres, strict=True):
            if where and not all(
                _matches(cell_of(row, col), want, decimal_comma, mark_known)
                for col, want in where.items()
            ):
                continue
            if value.count is not None:
                acc.add(value.metric, day, 1.0, line, "flow")
                continue
            cell = cell_of(row, value.column or "")
            try:
                number = _number(cell, decimal_comma, mark_known)
            except NotANumber as exc:
                acc.rejects.append(
                    Reject(acc.file, line, value.column, str(cell)[:80], str(exc), value.metric)
                )
                unknown.add((value.metric, day))
                continue
            if number is not None:
                acc.add(value.metric, day, number, line, behaviours.get(value.metric, "flow"))
            else:
                # a blank amount is no amount: the row adds nothing, and its day is not
                # said to be 0 on its account
                unknown.add((value.metric, day))
    # every day the file covers gets a count: a day inside its span without a single row
    # (no bookings on Wednesday) counted no rows, 0, not missing. Only gaps of at most
    # FILLED_GAP days between two days with rows, up to today: a year mistyped on one row
    # (2016 among 2026) must not fill ten years with zeros, nor a future day's rows any.
    span: dict[dt.date, int] = dict(days_seen)
    if days_seen:
        from tracker.clock import today

        now = today(timezone=timezone)
        seen = sorted(d for d in days_seen if d <= now)
        for before, after in zip(seen, seen[1:], strict=False):
            if (after - before).days <= FILLED_GAP:
                for n in range(1, (after - before).days):
                    span[before + dt.timedelta(days=n)] = days_seen[before]
    for metric in counts:
        for day, line in span.items():
            acc.add(metric, day, 0.0, line, "flow")
    for metric in sums:
        for day, line in days_seen.items():
            if (metric, day) not in unknown:
                acc.add(metric, day, 0.0, line, "flow")
    for line in undated:
        if first_dated < line < last_dated:
            # among the days: a row that lost its day (its amount would go uncounted),
            # rejected as the generic forms reject it; below them, a totals row
            acc.rejects.append(
                Reject(
                    acc.file,
                    line,
                    mapping.day.column,
                    None,
                    "the day is empty, on a row among the dated ones (a totals row"
                    " stands below them): write its day",
                )
            )
        else:
            totals += 1
    acc.notes += days.notes()
    if totals:
        acc.notes.append(f"{mapping.name}: skipped {totals} totals or description row(s)")


FILLED_GAP = 31  # days: a month without a booking is still a month of the file


def _columns_read(mapping: ImportMapping) -> list[str]:
    """The file's columns the mapping takes values from: the day's and the values'."""
    return [mapping.day.column] + [v.column for v in mapping.values if v.column]


def fitting(mappings: Sequence[ImportMapping], sheet: Sheet) -> ImportMapping | None:
    """The first saved mapping whose columns the sheet holds."""
    return next((m for m in mappings if header_row(m, sheet) is not None), None)


# Formats tried on a date column's first values, most specific first. Day-first and
# month-first both parse 01/02/2026: the one that reads *every* sample wins, and the page
# lets the person correct it.
DAY_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%b %d, %Y %I:%M %p",
    "%b %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
)


def detect_day_format(samples: Sequence[Any]) -> str | None:
    """The first format that reads every sample (None: none does, or no samples)."""
    texts = [" ".join(str(s).split()) for s in samples if not is_null(s)]
    if not texts:
        return None
    for fmt in DAY_FORMATS:
        try:
            for text in texts:
                dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return fmt
    return None


def detect_decimal(rows: Sequence[Sequence[Any]]) -> str:
    """ "," when numbers are written 1.250,50 or 180,00; else "."."""
    comma = dot = 0
    for row in rows:
        for cell in row:
            text = str(cell).strip() if cell is not None else ""
            if re.fullmatch(r"-?[\d.]*\d,\d{1,2}", text):
                comma += 1
            elif re.fullmatch(r"-?[\d,]*\d\.\d{1,2}", text):
                dot += 1
    return "," if comma > dot else "."


@dataclass(frozen=True)
class Draft:
    """What the mapping form starts from: the header, the first rows, guesses."""

    header: list[str]
    rows: list[list[str]]
    day_column: str | None
    day_format: str | None
    decimal: str

    def samples(self, column: str) -> list[str]:
        i = self.header.index(column)
        return [r[i] for r in self.rows if i < len(r) and r[i] != ""]


def draft(sheets: Sequence[Sheet], preview_rows: int = 8) -> Draft:
    """Guess the header row (the first with as many filled cells as the widest of the
    first rows), the date column (the first whose values read as dates) and the decimal
    mark, from a file's first sheet."""
    sheet = sheets[0] if sheets else Sheet(name="", rows=[], lines=[])
    top = sheet.rows[:HEADER_SEARCH_ROWS]
    widest = max((sum(not is_null(c) for c in r) for r in top), default=0)
    at = next((i for i, r in enumerate(top) if sum(not is_null(c) for c in r) == widest), 0)
    raw_header = sheet.rows[at] if sheet.rows else []
    header = [" ".join(str(c).split()) for c in raw_header if not is_null(c)]
    body = [
        ["" if is_null(c) else " ".join(str(c).split()) for c in r[: len(header)]]
        for r in sheet.rows[at + 1 :]
        if not all(is_null(c) for c in r)
    ][:preview_rows]
    day_column = day_format = None
    for i, name in enumerate(header):
        fmt = detect_day_format([r[i] for r in body if i < len(r)])
        if fmt is not None:
            day_column, day_format = name, fmt
            break
    return Draft(header, body, day_column, day_format, detect_decimal(body))
