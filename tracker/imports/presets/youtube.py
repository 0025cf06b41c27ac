"""YouTube Studio: Table data by video (Total row first) and by date, in English, German,
Spanish and French (Studio writes the export in the language of its interface)."""

from __future__ import annotations

from tracker.imports.engine import Column, Preset, localized

C = Column
MEASURES = (
    C("views", "youtube.views", "YouTube views", "reach"),
    C("watch time (hours)", "youtube.watch_hours", "YouTube watch time", "engagement", unit="h"),
    # net: subscribers gained minus lost, negative on a day that lost more (min: null)
    C(
        "subscribers",
        "youtube.subscribers_gained",
        "YouTube subscribers gained",
        "reach",
        minimum=None,
    ),
    C("impressions", "youtube.impressions", "YouTube impressions", "reach"),
    C(
        "estimated revenue (usd)",
        "youtube.revenue",
        "YouTube estimated revenue",
        "outcome",
        unit="USD",
    ),
)

BY_VIDEO = Preset(
    name="youtube_videos",
    family="youtube",
    source="youtube.by_video",
    channel="youtube",
    signature=("content", "video publish time", "views"),
    date_column="video publish time",
    columns=MEASURES,
    post_count=C("(count)", "youtube.videos", "YouTube videos published", "activity"),
    note="one row per video with lifetime counts, attributed to the day the video was"
    " published; the Total row is skipped; CTR is not imported",
)

BY_DATE = Preset(
    name="youtube_dates",
    family="youtube",
    source="youtube.by_date",
    channel="youtube",
    signature=("date", "views", "watch time (hours)"),
    date_column="date",
    columns=MEASURES,
    note="one row per day (Advanced mode grouped by date); the Total row is skipped",
)

# The column names of the localized exports, as Studio writes them ("Tabellendaten.csv",
# "Datos de la tabla.csv", "Données du tableau.csv"); the metrics are the English ones.
GERMAN = {
    "content": "Videos",
    "video publish time": "Veröffentlichungszeitpunkt des Videos",
    "date": "Datum",
    "views": "Aufrufe",
    "watch time (hours)": "Wiedergabezeit (Stunden)",
    "subscribers": "Abonnenten",
    "impressions": "Impressionen",
    "estimated revenue (usd)": "Geschätzter Umsatz (USD)",
}
SPANISH = {  # the video id column's name is not documented: the publish time tells
    "video publish time": "Hora de publicación del vídeo",
    "date": "Fecha",
    "views": "Visualizaciones",
    "watch time (hours)": "Tiempo de visualización (horas)",
    "subscribers": "Suscriptores",
    "impressions": "Impresiones",
    "estimated revenue (usd)": "Ingresos estimados (USD)",
}
FRENCH = {
    "content": "Contenu",
    "video publish time": "Heure de publication de la vidéo",
    "date": "Date",
    "views": "Vues",
    "watch time (hours)": "Durée de visionnage (heures)",
    "subscribers": "Abonnés",
    "impressions": "Impressions",
    "estimated revenue (usd)": "Revenus estimés (USD)",
}

PRESETS = [
    BY_VIDEO,
    BY_DATE,
    localized(BY_VIDEO, "de", GERMAN, totals=("gesamt",)),
    localized(BY_DATE, "de", GERMAN, totals=("gesamt",)),
    localized(BY_VIDEO, "es", SPANISH),
    localized(BY_DATE, "es", SPANISH),
    localized(BY_VIDEO, "fr", FRENCH),
    localized(BY_DATE, "fr", FRENCH),
]
