"""Facebook Page Insights: page-level daily export and post-level exports (CSV and XML .xls)."""

from __future__ import annotations

from tracker.imports.engine import Column, Preset

C = Column
POSTS = C("(count)", "facebook.posts", "Facebook posts published", "activity")

PAGE = Preset(
    name="facebook_page",
    family="facebook",
    source="facebook.page",
    channel="facebook",
    signature=("date", "lifetime total likes", "daily new likes"),
    date_column="date",
    columns=(
        C("lifetime total likes", "facebook.page_likes", "Facebook page likes", "reach", "stock"),
        C("daily new likes", "facebook.new_likes", "Facebook new page likes", "reach"),
        C("daily unlikes", "facebook.unlikes", "Facebook page unlikes", "reach"),
        C(
            "daily page engaged users",
            "facebook.engaged_users",
            "Facebook engaged users",
            "engagement",
        ),
        C("daily total reach", "facebook.reach", "Facebook reach", "reach"),
        C("daily organic reach", "facebook.organic_reach", "Facebook organic reach", "reach"),
        C("daily paid reach", "facebook.paid_reach", "Facebook paid reach", "reach"),
        C("daily total impressions", "facebook.impressions", "Facebook impressions", "reach"),
        C("daily total consumers", "facebook.consumers", "Facebook page consumers", "engagement"),
    ),
    note="one row per day; the description row under the header is skipped; weekly and"
    " 28-day columns and breakdowns are not imported (they repeat the daily values)",
)

POSTS_CSV = Preset(
    name="facebook_posts",
    family="facebook",
    source="facebook.posts",
    channel="facebook",
    signature=("post id", "posted", "lifetime post total reach"),
    date_column="posted",
    source_zone="America/Los_Angeles",
    columns=(
        C("lifetime post total reach", "facebook.post_reach", "Facebook post reach", "reach"),
        C(
            "lifetime post total impressions",
            "facebook.post_impressions",
            "Facebook post impressions",
            "reach",
        ),
        C(
            "lifetime engaged users",
            "facebook.post_engaged_users",
            "Facebook post engaged users",
            "engagement",
        ),
        C(
            "lifetime post consumers",
            "facebook.post_consumers",
            "Facebook post consumers",
            "engagement",
        ),
        C(
            "lifetime post consumptions",
            "facebook.post_clicks",
            "Facebook post clicks",
            "engagement",
        ),
    ),
    post_count=POSTS,
    note="one row per post (lifetime counts): summed per day the post was published;"
    " Facebook writes post times in Pacific time, converted to the workspace timezone",
)

POSTS_XML = Preset(
    name="facebook_posts_xls",
    family="facebook",
    source="facebook.posts",
    channel="facebook",
    signature=("post id", "posted", "post_impressions_unique:lifetime"),
    date_column="posted",
    sheet="Key Metrics",
    source_zone="America/Los_Angeles",
    columns=(
        C(
            "post_impressions_unique:lifetime",
            "facebook.post_reach",
            "Facebook post reach",
            "reach",
        ),
        C(
            "post_impressions:lifetime",
            "facebook.post_impressions",
            "Facebook post impressions",
            "reach",
        ),
        C(
            "post_engaged_users:lifetime",
            "facebook.post_engaged_users",
            "Facebook post engaged users",
            "engagement",
        ),
        C(
            "post_consumptions_unique:lifetime",
            "facebook.post_consumers",
            "Facebook post consumers",
            "engagement",
        ),
        C(
            "post_consumptions:lifetime",
            "facebook.post_clicks",
            "Facebook post clicks",
            "engagement",
        ),
    ),
    post_count=POSTS,
    note="the 'Excel' post export (SpreadsheetML XML), sheet Key Metrics; same metrics as"
    " the CSV post export",
)

PRESETS = [PAGE, POSTS_CSV, POSTS_XML]
