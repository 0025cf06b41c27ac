"""What a parsed import file is: daily rows, rejects people can fix, metric specs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from tracker.errors import BadInput

if TYPE_CHECKING:
    import pyarrow as pa


class CellsPastTheHeader(BadInput):
    """A text file's row with a cell past the header's last: most often a comma inside a
    value that is not in quotes (`1,234` read as 1 and 234), which changes the number, so
    the file is refused naming the line (the generic forms and mappings alike). ``line``
    is the row as read (1 = the header) until ``renumbered`` by the file's own rows."""

    def __init__(self, file: str, line: int | None, width: int, *, counted: bool = False) -> None:
        self.file, self.line, self.width, self.counted = file, line, width, counted
        where = f"line {line} has" if line is not None else "a row has"
        super().__init__(
            f"{file}: {where} more cells than the header's {width} (a comma inside a value"
            " that is not in quotes?); nothing was imported: put the value in quotes, or"
            " remove the extra cell"
        )

    def renumbered(self, lines: list[int]) -> CellsPastTheHeader:
        """The same refusal, its line k read as ``lines[k - 1]`` (blank lines counted)."""
        if self.counted or self.line is None or not 0 < self.line <= len(lines):
            return self
        return CellsPastTheHeader(self.file, lines[self.line - 1], self.width, counted=True)


def explain_formula(reject: Reject) -> Reject:
    """A rejected cell holding a formula (a workbook's that no spreadsheet computed, which
    the reader shows as its text, or one typed into a CSV file) is rejected for that,
    whatever its column: its value is nowhere in the file."""
    text = (reject.value or "").strip()
    if len(text) > 1 and text.startswith("="):
        reason = (
            f"a formula never computed: {text[:40]!r}; open the file in a spreadsheet and"
            " save it, so the file holds its value"
        )
        return replace(reject, reason=reason)
    return reject


@dataclass(frozen=True)
class Reject:
    """A value that could not be used, and why, in words a shop assistant understands."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    reason: str
    metric: str | None = None  # the row's metric, when known: counted per metric
    # the day the value was for, when the store refused it: a mapped file's day adds up
    # several rows, and a day with no row at all is counted 0 on its neighbour's line
    day: dt.date | None = None

    def where(self) -> str:
        """Where in the file, as people look for it: "line 4, day 2026-12-03, column
        Amount (catering-revenue)" (the metric when the line holds several)."""
        from tracker.text import clip

        where = f"line {self.line}" if self.line else "file"
        if self.day is not None:
            where += f", day {self.day.isoformat()}"
        if self.column:
            where += f", column {clip(self.column)}"
        if self.metric and self.metric != self.column and self.metric not in self.reason:
            where += f" ({clip(self.metric)})"
        return where


@dataclass(frozen=True)
class MetricSpec:
    """A metric a preset produces; created when the workspace does not have it yet."""

    key: str
    name: str
    klass: str  # outcome | engagement | reach | activity | effort | spend
    behaviour: str  # flow | stock
    channel: str | None = None
    unit: str | None = None
    qualified: bool = False
    minimum: float | None = 0.0  # None: negatives allowed (a net change)


@dataclass
class ParsedFile:
    """One file, parsed: one row per (metric, day, source), per-post rows already summed.

    ``rows`` has the columns line (int64), day (date32), metric, value (float64),
    source, recorded_by, note (see tracker.observations.incoming_schema).
    """

    file: str
    preset: str
    source: str
    rows: pa.Table
    rejects: list[Reject] = field(default_factory=list)
    metrics: dict[str, MetricSpec] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # The file's own column names, for rejects the store finds (which know only "day"
    # and "value"): a mapped file's date column and, per metric, its value column.
    day_column: str | None = None
    value_columns: dict[str, str] = field(default_factory=dict)
    # The currencies its money columns say they are in (an export naming one), to be
    # checked against the workspace's: pounds are not stored as dollars.
    currencies: set[str] = field(default_factory=set)
    # a mapped file's date cells as written, by line (see Accumulator.day_texts)
    day_texts: dict[int, str] = field(default_factory=dict)
