"""The preset engine: find the header, map columns to metrics, sum per day.

A preset is data (which headers identify the export, which column is the date, which
columns become which metrics); this engine does the rest the same way for every
platform: skip preamble and description rows, skip totals rows, parse dates in the
platform's zone, parse numbers, add per-post rows up per day (flow) or keep the last
value of the day (stock), count posts, and reject what cannot be read with its line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from tracker.errors import BadInput
from tracker.imports.model import MetricSpec, Reject
from tracker.imports.read import Sheet
from tracker.imports.values import (
    NotADate,
    NotANumber,
    NumericDays,
    decimal_comma_of,
    is_null,
    parse_localized_day,
    parse_number,
    parse_when,
)

HEADER_SEARCH_ROWS = 15


@dataclass(frozen=True)
class Column:
    header: str
    metric: str
    name: str
    klass: str
    behaviour: str = "flow"
    unit: str | None = None
    # the smallest value allowed (DESIGN's min); None: negatives are real (net changes)
    minimum: float | None = 0.0


@dataclass(frozen=True)
class Preset:
    """One export kind of one platform."""

    name: str
    family: str
    source: str
    channel: str
    signature: tuple[str, ...]  # headers that must all be present (case-insensitive)
    columns: tuple[Column, ...]
    date_column: str | None = None
    sheet: str | None = None  # workbook sheet name this export lives in (prefix)
    post_count: Column | None = None  # a metric counting rows (posts) per day
    source_zone: str | None = None  # zone of naive timestamps (Facebook: Pacific)
    needs_day: bool = False  # no date column: --day, else day_from
    day_from: Callable[[Sheet], dt.date | None] | None = None
    parse: Callable[..., Any] | None = None  # a custom reader (stacked tables)
    detect: Callable[[Sheet], bool] | None = None  # for custom readers: is this the export?
    note: str = ""
    # A localized variant: the language of its month names ("28 sept. 2026"), the
    # label of its totals row ("Gesamt"), and whether the comma is its decimal mark.
    languages: tuple[str, ...] = ()
    totals: tuple[str, ...] = ("total",)
    decimal_comma: bool = False
    # the column naming the currency the money columns are in (Google Ads: GBP, EUR)
    currency_column: str | None = None

    def specs(self) -> dict[str, MetricSpec]:
        cols = list(self.columns) + ([self.post_count] if self.post_count else [])
        return {
            c.metric: MetricSpec(
                key=c.metric,
                name=c.name,
                klass=c.klass,
                behaviour=c.behaviour,
                channel=self.channel,
                unit=c.unit,
                minimum=c.minimum,
            )
            for c in cols
        }


def norm(cell: Any) -> str:
    """A header cell as compared: spacing collapsed, case ignored, and the invisible
    soft hyphens and byte-order marks some localized exports put in headers removed."""
    if cell is None:
        return ""
    return " ".join(str(cell).replace("\xad", "").replace("\ufeff", "").split()).lower()


def localized(
    preset: Preset,
    language: str,
    headers: dict[str, str],
    *,
    totals: tuple[str, ...] = ("total",),
    decimal_comma: bool = True,
) -> Preset:
    """The same export in another language of the platform's interface: its headers
    translated (``headers`` maps each English header to the localized one), the same
    metrics, source and channel, so a German and an English file of one account feed
    the same metrics (and replace each other's days, never add up)."""

    def tr(header: str) -> str:
        return norm(headers.get(header, header))

    return replace(
        preset,
        name=f"{preset.name}_{language}",
        # A header whose translation is not known is left out of the signature rather
        # than looked for in English.
        signature=tuple(tr(h) for h in preset.signature if h in headers),
        date_column=tr(preset.date_column) if preset.date_column else None,
        columns=tuple(
            replace(c, header=tr(c.header)) for c in preset.columns if c.header in headers
        ),
        languages=(language, "en"),
        totals=tuple(norm(t) for t in totals),
        decimal_comma=decimal_comma,
        note=f"{preset.note} ({LANGUAGES[language]} column names)",
    )


LANGUAGES = {"de": "German", "es": "Spanish", "fr": "French"}


def header_index(wanted: Iterable[str], sheet: Sheet) -> int | None:
    """Index of the first row, within the first rows, holding every ``wanted`` name."""
    names = {norm(w) for w in wanted}
    for i, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        if names <= {norm(c) for c in row}:
            return i
    return None


def find_header(preset: Preset, sheet: Sheet) -> int | None:
    """Index of the row holding every signature header of ``preset``."""
    return header_index(preset.signature, sheet)


@dataclass
class Accumulator:
    """Daily values per metric; flow adds up, stock keeps the last row of the day."""

    file: str
    source: str
    values: dict[tuple[str, dt.date], float] = field(default_factory=dict)
    first_line: dict[tuple[str, dt.date], int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    specs: dict[str, MetricSpec] = field(default_factory=dict)
    currencies: set[str] = field(default_factory=set)  # codes the money columns are in
    # a line's date cell as written, where it is read another way (a mapping's 07.12.2026):
    # a reject of that line's day shows what the person can find in the file
    day_texts: dict[int, str] = field(default_factory=dict)

    def add(self, metric: str, day: dt.date, value: float, line: int, behaviour: str) -> None:
        key = (metric, day)
        if behaviour == "flow":
            self.values[key] = self.values.get(key, 0.0) + value
        else:
            self.values[key] = value
        self.first_line.setdefault(key, line)


class DayNeeded(BadInput):
    """A file with no date column and no day given: each surface says where to give it
    (``--day`` on the command line; the Import page names its own field)."""

    def __init__(self, file: str) -> None:
        self.file = file
        super().__init__(
            f"{file} has no date column; give the last day of the period it covers"
            " (`--day YYYY-MM-DD` on the command line, “Day for files without dates” on"
            " the Import page)"
        )


def cut_short(file: str, line: int, row: list[Any], header: list[str]) -> Reject:
    """A text file's row that ends before a column that is read: taking the cells it
    has would count an order without its amount, so none of it is imported."""
    return Reject(
        file,
        line,
        header[len(row)] if len(row) < len(header) else None,
        None,
        f"the row ends after {len(row)} of the header's {len(header)} cells"
        " (cut short?): nothing of it is imported",
    )


def run_preset(
    preset: Preset, sheet: Sheet, acc: Accumulator, *, timezone: str, day: dt.date | None
) -> None:
    header_at = find_header(preset, sheet)
    if header_at is None:
        return
    header = [norm(c) for c in sheet.rows[header_at]]
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        index.setdefault(h, i)  # duplicate names: the first one counts
    date_idx = index.get(preset.date_column.lower()) if preset.date_column else None
    fixed_day = None
    if preset.needs_day:
        fixed_day = day or (preset.day_from(sheet) if preset.day_from else None)
        if fixed_day is None:
            raise DayNeeded(acc.file)
        if day is None:
            acc.notes.append(f"values dated {fixed_day} (the last day of the file's date range)")
    columns = [(c, index[c.header.lower()]) for c in preset.columns if c.header.lower() in index]
    currency_idx = index.get(preset.currency_column) if preset.currency_column else None
    acc.specs.update(preset.specs())
    body = sheet.rows[header_at + 1 :]
    # One decimal mark for the whole file, the one its numbers show (a spreadsheet set
    # to another language may have re-saved the export); when they do not show it, the
    # preset's own, or the comma in a file separated by semicolons.
    decimal_comma = decimal_comma_of(
        (row[i] for row in body for _, i in columns if i < len(row)),
        preset.decimal_comma or sheet.meta.get("delimiter") == ";",
    )
    days = NumericDays(
        (row[date_idx] for row in body if date_idx is not None and date_idx < len(row)),
        decimal_comma,
    )
    skipped_totals = 0
    # A row repeated cell for cell is one row listed twice (a copy-paste, two exports
    # glued together): no export has two identical rows (posts differ in their id,
    # campaigns in their name, days in their date), so it counts once.
    seen: set[tuple[str, ...]] = set()
    repeated: list[int] = []
    # A text file's row with fewer cells than its value columns need was cut short:
    # taking the cells it has would count the post without its numbers.
    text = "delimiter" in sheet.meta
    # Posts timed in the platform's zone and dated in another: the file's first and last
    # days in the workspace may hold only part of their posts (see _part_days).
    shifted = preset.post_count is not None and preset.source_zone not in (None, timezone)
    platform_zone = preset.source_zone if shifted else None
    platform_days: list[dt.date] = []
    local_days: list[dt.date] = []
    widest = max((i for _, i in columns), default=-1)
    for row, line in zip(body, sheet.lines[header_at + 1 :], strict=True):
        if not any(not is_null(c) for c in row):
            continue
        first = str(row[0]).strip() if row else ""
        if first.lower().startswith(preset.totals):
            skipped_totals += 1
            continue
        when: dt.date | None
        if fixed_day is not None:
            when = fixed_day
            if first == "" and all(
                not isinstance(c, str) or is_null(c) or _numeric(c) for c in row[1:]
            ):
                skipped_totals += 1  # an unlabeled totals row
                continue
        else:
            cell = row[date_idx] if date_idx is not None and date_idx < len(row) else None
            if is_null(cell):
                # A description row under the header, or an unlabeled totals row.
                skipped_totals += 1
                continue
            try:
                when = _when(preset, cell, timezone, days)
            except NotADate as exc:
                acc.rejects.append(
                    Reject(acc.file, line, preset.date_column, str(cell)[:80], str(exc))
                )
                continue
            if when is None:
                continue
        whole = tuple(str(c) for c in row)
        if whole in seen:
            repeated.append(line)
            continue
        seen.add(whole)
        if text and len(row) <= widest:
            acc.rejects.append(cut_short(acc.file, line, row, header))
            continue
        if platform_zone and date_idx is not None:
            platform = _when(preset, row[date_idx], platform_zone, days)
            if platform is not None:
                platform_days.append(platform)
                local_days.append(when)
        if currency_idx is not None and currency_idx < len(row):
            code = str(row[currency_idx]).strip().upper()
            if len(code) == 3 and code.isalpha():
                acc.currencies.add(code)
        for col, idx in columns:
            cell = row[idx] if idx < len(row) else None
            try:
                value = parse_number(cell, decimal_comma=decimal_comma)
            except NotANumber as exc:
                acc.rejects.append(
                    Reject(acc.file, line, col.header, str(cell)[:80], str(exc), col.metric)
                )
                continue
            if value is not None:
                acc.add(col.metric, when, value, line, col.behaviour)
        if preset.post_count is not None:
            acc.add(preset.post_count.metric, when, 1.0, line, "flow")
    acc.notes.extend(days.notes())
    if platform_zone and platform_days:
        note = _part_days(preset.name, platform_zone, platform_days, local_days, timezone)
        if note:
            acc.notes.append(note)
    if repeated:
        shown = ", ".join(str(n) for n in repeated[:5]) + (", ..." if len(repeated) > 5 else "")
        acc.notes.append(
            f"{preset.name}: {len(repeated)} row(s) repeat an earlier row cell for cell (line"
            f" {shown}): each counted once"
        )
    if skipped_totals:
        acc.notes.append(f"skipped {skipped_totals} totals or description row(s)")


def _part_days(
    name: str, zone: str, platform: list[dt.date], local: list[dt.date], timezone: str
) -> str | None:
    """A note when the file's first or last day in the workspace holds only part of its
    posts: the file covers whole days in the platform's zone, and one of its midnights
    falls inside a workspace day. Another export of the next period holds the rest of
    that day, and the one imported last replaces the day's value with its part."""
    from zoneinfo import ZoneInfo

    src, here = ZoneInfo(zone), ZoneInfo(timezone)
    begins = dt.datetime.combine(min(platform), dt.time(), src).astimezone(here)
    ends = dt.datetime.combine(max(platform) + dt.timedelta(days=1), dt.time(), src)
    ends = ends.astimezone(here)
    first, last = min(local), max(local)
    part = [
        f"its {which} day ({day})"
        for which, day, cut in (("first", first, begins), ("last", last, ends))
        if cut.date() == day and cut.time() != dt.time()
    ]
    if not part:
        return None
    return (
        f"{name}: the file's posts run from {min(platform)} to {max(platform)} in"
        f" {zone}, so in {timezone} {' and '.join(part)} may hold only part"
        " of their posts: an export of the neighbouring period holds the rest, and the"
        " one imported last sets the day's value (import one export covering both"
        " periods to count the whole day)"
    )


def _when(preset: Preset, cell: Any, timezone: str, days: NumericDays) -> dt.date | None:
    try:
        if isinstance(cell, str):
            return days.read(cell, timezone=timezone, source_zone=preset.source_zone)
        return parse_when(cell, timezone=timezone, source_zone=preset.source_zone)
    except NotADate:
        if not preset.languages:
            raise
        return parse_localized_day(cell, preset.languages)


def _numeric(cell: Any) -> bool:
    try:
        return parse_number(cell) is not None
    except NotANumber:
        return False
