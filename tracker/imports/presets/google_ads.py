"""Google Ads: the Campaigns report (UTF-16, tab-separated, title and date range above)."""

from __future__ import annotations

import datetime as dt
import re

from tracker.imports.engine import Column, Preset
from tracker.imports.read import Sheet
from tracker.imports.values import NotADate, NumericDays

C = Column


def range_end(sheet: Sheet) -> dt.date | None:
    """The last day of the `27 January 2026 - 23 February 2026` line above the header;
    a range written with numbers (`27/01/2026 - 23/02/2026`) is read by the rule for
    every date written with numbers (its two days say which way, else the file's
    delimiter does)."""
    for row in sheet.rows[:5]:
        text = " ".join(str(c) for c in row if c)
        match = re.fullmatch(r"\s*(.+?)\s+[-–]\s+(.+?)\s*", text)
        if match:
            days = NumericDays(match.groups(), sheet.meta.get("delimiter") == ";")
            try:
                return days.read(match.group(2))
            except NotADate:
                continue
    return None


CAMPAIGNS = Preset(
    name="google_ads_campaigns",
    family="google_ads",
    source="google_ads.campaigns",
    channel="google_ads",
    signature=("campaign", "clicks", "impr.", "cost"),
    columns=(
        C("clicks", "google_ads.clicks", "Google Ads clicks", "engagement"),
        C("impr.", "google_ads.impressions", "Google Ads impressions", "reach"),
        C("cost", "google_ads.cost", "Google Ads spend", "spend"),
        C("conversions", "google_ads.conversions", "Google Ads conversions", "outcome"),
        C("conv. value", "google_ads.conversion_value", "Google Ads conversion value", "outcome"),
    ),
    needs_day=True,
    day_from=range_end,
    currency_column="currency code",
    note="no date column: campaigns are summed (the 'Total:' rows skipped) and dated --day,"
    " else the last day of the report's date range",
)

PRESETS = [CAMPAIGNS]
