"""YouTube Studio: Table data by video (Total row first) and by date."""

from __future__ import annotations

from tracker.imports.engine import Column, Preset

C = Column
MEASURES = (
    C("views", "youtube.views", "YouTube views", "reach"),
    C("watch time (hours)", "youtube.watch_hours", "YouTube watch time", "engagement", unit="h"),
    C("subscribers", "youtube.subscribers_gained", "YouTube subscribers gained", "reach"),
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

PRESETS = [BY_VIDEO, BY_DATE]
