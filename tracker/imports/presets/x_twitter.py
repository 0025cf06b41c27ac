"""X / Twitter: the old per-tweet activity export, the account overview, the content export."""

from __future__ import annotations

from tracker.imports.engine import Column, Preset

C = Column
POSTS = C("(count)", "x.posts", "X posts published", "activity")

TWEET_ACTIVITY = Preset(
    name="x_tweet_activity",
    family="x",
    source="x.tweet_activity",
    channel="x",
    signature=("tweet id", "time", "impressions", "engagements"),
    date_column="time",
    # its times are UTC (written "+0000"); a spreadsheet re-saving the file drops that
    source_zone="UTC",
    columns=(
        C("impressions", "x.impressions", "X impressions", "reach"),
        C("engagements", "x.engagements", "X engagements", "engagement"),
        C("retweets", "x.reposts", "X reposts", "engagement"),
        C("replies", "x.replies", "X replies", "engagement"),
        C("likes", "x.likes", "X likes", "engagement"),
        C("user profile clicks", "x.profile_visits", "X profile visits", "engagement"),
        C("url clicks", "x.url_clicks", "X link clicks", "engagement"),
        C("hashtag clicks", "x.hashtag_clicks", "X hashtag clicks", "engagement"),
        C("detail expands", "x.detail_expands", "X detail expands", "engagement"),
        C("follows", "x.new_follows", "X new follows", "reach"),
        C("media views", "x.media_views", "X media views", "reach"),
    ),
    post_count=POSTS,
    note="one row per tweet: summed per day of the tweet's time (converted to the workspace"
    " timezone); promoted columns and the engagement rate are not imported",
)

ACCOUNT_OVERVIEW = Preset(
    name="x_account_overview",
    family="x",
    source="x.account_overview",
    channel="x",
    signature=("date", "impressions", "new follows", "create post"),
    date_column="date",
    columns=(
        C("impressions", "x.impressions", "X impressions", "reach"),
        C("likes", "x.likes", "X likes", "engagement"),
        C("engagements", "x.engagements", "X engagements", "engagement"),
        C("bookmarks", "x.bookmarks", "X bookmarks", "engagement"),
        C("shares", "x.shares", "X shares", "engagement"),
        C("new follows", "x.new_follows", "X new follows", "reach"),
        C("unfollows", "x.unfollows", "X unfollows", "reach"),
        C("replies", "x.replies", "X replies", "engagement"),
        C("reposts", "x.reposts", "X reposts", "engagement"),
        C("profile visits", "x.profile_visits", "X profile visits", "engagement"),
        C("create post", "x.posts", "X posts published", "activity"),
        C("video views", "x.video_views", "X video views", "reach"),
        C("media views", "x.media_views", "X media views", "reach"),
    ),
    note="one row per day (account totals)",
)

CONTENT = Preset(
    name="x_content",
    family="x",
    source="x.content",
    channel="x",
    signature=("post id", "date", "impressions", "permalink clicks"),
    date_column="date",
    columns=(
        C("impressions", "x.impressions", "X impressions", "reach"),
        C("likes", "x.likes", "X likes", "engagement"),
        C("engagements", "x.engagements", "X engagements", "engagement"),
        C("bookmarks", "x.bookmarks", "X bookmarks", "engagement"),
        C("share", "x.shares", "X shares", "engagement"),
        C("new follows", "x.new_follows", "X new follows", "reach"),
        C("replies", "x.replies", "X replies", "engagement"),
        C("reposts", "x.reposts", "X reposts", "engagement"),
        C("profile visits", "x.profile_visits", "X profile visits", "engagement"),
        C("detail expands", "x.detail_expands", "X detail expands", "engagement"),
        C("url clicks", "x.url_clicks", "X link clicks", "engagement"),
        C("hashtag clicks", "x.hashtag_clicks", "X hashtag clicks", "engagement"),
    ),
    post_count=POSTS,
    note="one row per post (lifetime counts): summed per day the post was published",
)

PRESETS = [TWEET_ACTIVITY, ACCOUNT_OVERVIEW, CONTENT]
