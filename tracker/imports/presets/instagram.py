"""Instagram: the per-post content export of Meta Business Suite (Insights > Content >
Export), in its current layout (Views) and the older one (Impressions, before Meta
replaced them with views)."""

from __future__ import annotations

from tracker.imports.engine import Column, Preset

C = Column

POSTS = Preset(
    name="instagram_posts",
    family="instagram",
    source="instagram.posts",
    channel="instagram",
    signature=("post id", "account username", "publish time", "reach"),
    date_column="publish time",
    # Meta writes publish times in Pacific time, as it does for Facebook's post exports.
    source_zone="America/Los_Angeles",
    columns=(
        C("views", "instagram.post_views", "Instagram post views", "reach"),
        C("impressions", "instagram.post_impressions", "Instagram post impressions", "reach"),
        C("reach", "instagram.post_reach", "Instagram post reach", "reach"),
        C("likes", "instagram.likes", "Instagram likes", "engagement"),
        C("comments", "instagram.comments", "Instagram comments", "engagement"),
        C("shares", "instagram.shares", "Instagram shares", "engagement"),
        C("saves", "instagram.saves", "Instagram saves", "engagement"),
        C("follows", "instagram.post_follows", "Instagram follows from posts", "reach"),
    ),
    post_count=C("(count)", "instagram.posts", "Instagram posts published", "activity"),
    note="one row per post (lifetime counts): summed per day the post was published (Pacific"
    " time, converted to the workspace timezone); the older layout's Impressions and the"
    " newer one's Views are kept apart (Meta counts them differently)",
)

PRESETS = [POSTS]
