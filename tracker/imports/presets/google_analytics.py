"""Google Analytics: GA4 "Reports snapshot" CSV (stacked tables) and UA Pages XLSX."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tracker.imports.engine import Accumulator, Column, Preset
from tracker.imports.model import Reject
from tracker.imports.read import Sheet
from tracker.imports.values import NotANumber, parse_number

C = Column

UA_DAILY = Preset(
    name="ga_ua_pages",
    family="ga",
    source="ga.ua_daily",
    channel="website",
    signature=("day index", "pageviews"),
    date_column="day index",
    sheet="Dataset2",
    columns=(C("pageviews", "ga.pageviews", "Website pageviews", "reach"),),
    note="Universal Analytics Excel export: sheet Dataset2 (one row per day); the unlabeled"
    " totals row is skipped; Dataset1 (per page, no date) is not imported",
)

# GA4 snapshot blocks we import: (first header, second header) -> (column, spec, step days)
GA4_BLOCKS: dict[tuple[str, str], tuple[str, Column, int]] = {
    ("nth day", "1 day"): (
        "1 day",
        C("1 day", "ga.active_users", "Website daily active users", "reach", "stock"),
        1,
    ),
    ("nth week", "new users"): (
        "new users",
        C("new users", "ga.new_users", "Website new users", "reach"),
        7,
    ),
    ("nth week", "total revenue"): (
        "total revenue",
        C("total revenue", "ga.revenue", "Website revenue", "outcome"),
        7,
    ),
    ("nth week", "active users"): (
        "active users",
        C(
            "active users",
            "ga.weekly_active_users",
            "Website weekly active users",
            "reach",
            "stock",
        ),
        7,
    ),
}


def is_snapshot(sheet: Sheet) -> bool:
    head = " ".join(str(r[0]) for r in sheet.rows[:4] if r)
    return head.startswith("#") and "Reports snapshot" in head


def parse_snapshot(sheet: Sheet, acc: Accumulator, *, timezone: str, day: dt.date | None) -> None:
    """Blocks: `# Start date: YYYYMMDD` comments, a header, rows, a blank line."""
    start: dt.date | None = None
    header: list[str] | None = None
    skipped: list[str] = []
    block: tuple[str, Column, int] | None = None
    col_index = 0
    for row, line in zip(sheet.rows, sheet.lines, strict=True):
        first = str(row[0]).strip() if row else ""
        if not row or all(str(c).strip() == "" for c in row):
            header, block = None, None
            continue
        if first.startswith("#"):
            text = first.lstrip("#").strip()
            if text.lower().startswith("start date:"):
                try:
                    start = dt.datetime.strptime(text.split(":", 1)[1].strip(), "%Y%m%d").date()
                except ValueError:
                    start = None
            header, block = None, None
            continue
        if header is None:
            header = [str(c).strip().lower() for c in row]
            key = (header[0], header[-1]) if header else ("", "")
            block = GA4_BLOCKS.get(key) if start is not None else None
            if block is None:
                skipped.append(" / ".join(str(c) for c in row)[:60])
            else:
                col_index = header.index(block[0])
                acc.specs[block[1].metric] = _spec(block[1])
            continue
        if block is None or start is None:
            continue
        column, spec, step = block
        try:
            ordinal = int(str(row[0]).strip())
            value = parse_number(row[col_index] if col_index < len(row) else None)
        except (ValueError, NotANumber) as exc:
            acc.rejects.append(Reject(acc.file, line, column, str(row)[:80], str(exc), spec.metric))
            continue
        if value is not None:
            acc.add(
                spec.metric, start + dt.timedelta(days=ordinal * step), value, line, spec.behaviour
            )
    if skipped:
        acc.notes.append(
            f"skipped {len(skipped)} block(s) without a daily or weekly series: "
            + "; ".join(skipped[:6])
        )


def _spec(col: Column) -> Any:
    from tracker.imports.model import MetricSpec

    return MetricSpec(
        key=col.metric,
        name=col.name,
        klass=col.klass,
        behaviour=col.behaviour,
        channel="website",
        unit=col.unit,
    )


GA4_SNAPSHOT = Preset(
    name="ga4_snapshot",
    family="ga",
    source="ga.ga4_snapshot",
    channel="website",
    signature=(),
    columns=tuple(b[1] for b in GA4_BLOCKS.values()),
    parse=parse_snapshot,
    detect=is_snapshot,
    note="GA4 Reports snapshot: stacked tables; 'Nth day' rows are days from the block's"
    " start date, 'Nth week' rows weeks (dated the week's first day); the other blocks"
    " (countries, pages, events, cohorts) have no time axis and are skipped",
)

PRESETS = [GA4_SNAPSHOT, UA_DAILY]
