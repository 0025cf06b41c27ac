"""LinkedIn Page analytics: visitor metrics, aggregated update metrics, update engagement."""

from __future__ import annotations

from tracker.imports.engine import Column, Preset

C = Column

UPDATES = Preset(
    name="linkedin_updates",
    family="linkedin",
    source="linkedin.updates",
    channel="linkedin",
    signature=("date", "impressions (total)", "clicks (total)", "reactions (total)"),
    date_column="date",
    columns=(
        C("impressions (total)", "linkedin.impressions", "LinkedIn impressions", "reach"),
        C(
            "unique impressions (organic)",
            "linkedin.unique_impressions",
            "LinkedIn unique impressions",
            "reach",
        ),
        C("clicks (total)", "linkedin.clicks", "LinkedIn clicks", "engagement"),
        C("reactions (total)", "linkedin.reactions", "LinkedIn reactions", "engagement"),
        C("comments (total)", "linkedin.comments", "LinkedIn comments", "engagement"),
        C("shares (total)", "linkedin.shares", "LinkedIn shares", "engagement"),
    ),
    note="sheet 'Update metrics (aggregated)': one row per day; the preamble sentence is"
    " skipped; organic/sponsored splits and engagement rates are not imported",
)

VISITORS = Preset(
    name="linkedin_visitors",
    family="linkedin",
    source="linkedin.visitors",
    channel="linkedin",
    signature=("date", "total page views (total)", "total unique visitors (total)"),
    date_column="date",
    columns=(
        C("total page views (total)", "linkedin.page_views", "LinkedIn page views", "reach"),
        C(
            "total unique visitors (total)",
            "linkedin.unique_visitors",
            "LinkedIn unique visitors",
            "reach",
        ),
    ),
    note="sheet 'Visitor metrics': one row per day",
)

ENGAGEMENT = Preset(
    name="linkedin_posts",
    family="linkedin",
    source="linkedin.posts",
    channel="linkedin",
    signature=("update title", "created date", "impressions", "follows"),
    date_column="created date",
    columns=(C("follows", "linkedin.post_follows", "LinkedIn follows from posts", "reach"),),
    post_count=C("(count)", "linkedin.posts", "LinkedIn posts published", "activity"),
    note="sheet 'Update Engagement': one row per post, counted per created date (an Excel"
    " serial day); its impressions and clicks are already in the aggregated sheet",
)

PRESETS = [UPDATES, VISITORS, ENGAGEMENT]
