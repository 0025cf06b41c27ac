"""Google Search Console: the Dates (chart) export, and tables without a date (Queries, Pages),
in English, Spanish and French (Search Console keeps dot decimals in every language)."""

from __future__ import annotations

from tracker.imports.engine import Column, Preset, localized

C = Column
CLICKS = C("clicks", "gsc.clicks", "Search clicks", "engagement")
IMPRESSIONS = C("impressions", "gsc.impressions", "Search impressions", "reach")

DATES = Preset(
    name="gsc_dates",
    family="gsc",
    source="gsc.dates",
    channel="search",
    signature=("date", "clicks", "impressions", "position"),
    date_column="date",
    columns=(
        CLICKS,
        IMPRESSIONS,
        C("position", "gsc.position", "Average search position", "reach", "stock"),
    ),
    note="one row per day; CTR is not imported (it is clicks / impressions, a ratio KPI)",
)


def _table(first: str, kind: str) -> Preset:
    return Preset(
        name=f"gsc_{kind}",
        family="gsc",
        source=f"gsc.{kind}",
        channel="search",
        signature=(first, "clicks", "impressions", "ctr"),
        columns=(CLICKS, IMPRESSIONS),
        needs_day=True,
        note=f"no date column: clicks and impressions summed over all {kind}, dated --day;"
        " CTR and position are not summed",
    )


QUERIES = _table("top queries", "queries")
SPANISH = {
    "date": "Fecha",
    "clicks": "Clics",
    "impressions": "Impresiones",
    "ctr": "CTR",
    "position": "Posición",
}
FRENCH = {
    "date": "Date",
    "clicks": "Clics",
    "impressions": "Impressions",
    "ctr": "CTR",
    "position": "Position",
    "top queries": "Requêtes les plus fréquentes",
}

PRESETS = [
    DATES,
    QUERIES,
    _table("top pages", "pages"),
    _table("country", "countries"),
    _table("device", "devices"),
    localized(DATES, "es", SPANISH, decimal_comma=False),
    localized(DATES, "fr", FRENCH, decimal_comma=False),
    localized(QUERIES, "fr", FRENCH, decimal_comma=False),
]
