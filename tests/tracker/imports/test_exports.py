"""Every real export in tests/fixtures/exports through auto-detection, with hand-checked totals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import EXPORTS
from tracker.errors import BadInput
from tracker.imports import parse_file

D = dt.date


def values(parsed, metric: str) -> dict[dt.date, float]:
    rows = parsed.rows.to_pylist()
    return {r["day"]: r["value"] for r in rows if r["metric"] == metric}


ALL_FILES = sorted(p for p in EXPORTS.rglob("*") if p.is_file() and p.suffix != ".md")


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name[:40])
def test_every_fixture_is_recognised(path: Path) -> None:
    day = D(2021, 6, 30) if path.name == "Queries.csv" else None
    parsed = parse_file(path, day=day)
    assert parsed.preset not in ("long", "wide")
    assert parsed.rows.num_rows > 0
    assert parsed.rejects == []
    assert all("." in m for m in parsed.rows.column("metric").to_pylist())


def test_x_tweet_activity_sums_tweets_per_day() -> None:
    parsed = parse_file(
        EXPORTS / "x_twitter/tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"
    )
    # 2021-11-30 has two tweets: 16:00 (1777 impressions, 0 url clicks) and 08:01 (2289, 10).
    assert values(parsed, "x.impressions")[D(2021, 11, 30)] == 1777 + 2289
    assert values(parsed, "x.url_clicks")[D(2021, 11, 30)] == 10
    assert values(parsed, "x.posts")[D(2021, 11, 30)] == 2
    assert parsed.source == "x.tweet_activity"


def test_x_tweet_times_move_to_the_workspace_day() -> None:
    path = EXPORTS / "x_twitter/tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"
    chicago = parse_file(path, timezone="America/Chicago")
    # 08:01 UTC is 02:01 in Chicago (same day); 16:00 UTC is 10:00: both stay on the 30th.
    assert values(chicago, "x.posts")[D(2021, 11, 30)] == 2
    tokyo = parse_file(path, timezone="Asia/Tokyo")
    # 16:00 UTC is 01:00 next day in Tokyo.
    assert values(tokyo, "x.impressions")[D(2021, 12, 1)] >= 1777


def test_x_account_overview_daily() -> None:
    parsed = parse_file(EXPORTS / "x_twitter/account_overview_analytics.csv")
    # "Mon, Feb 17, 2025",426,18,49,1,0,2,0,1,2,4,2,0,0
    assert values(parsed, "x.impressions")[D(2025, 2, 17)] == 426
    assert values(parsed, "x.posts")[D(2025, 2, 17)] == 2
    assert values(parsed, "x.new_follows")[D(2025, 2, 17)] == 2
    assert len(values(parsed, "x.impressions")) == 50


def test_x_content_per_post() -> None:
    parsed = parse_file(EXPORTS / "x_twitter/account_analytics_content_2024-11-21_2025-02-19.csv")
    # Mon Feb 17 2025: the first three posts in the file have 70, 197 and 91 impressions.
    assert values(parsed, "x.impressions")[D(2025, 2, 17)] >= 70 + 197 + 91
    assert sum(values(parsed, "x.posts").values()) == 141


def test_youtube_skips_total_row_and_counts_videos() -> None:
    parsed = parse_file(EXPORTS / "youtube/Table data.csv")
    # UWQNrpakgcA, published "Aug 28, 2025", 30331 views: the only video that day.
    assert values(parsed, "youtube.views")[D(2025, 8, 28)] == 30331
    assert sum(values(parsed, "youtube.videos").values()) == 442
    # The rows add up to 153,235 (by hand); the Total row says 181,588 (it also counts
    # videos outside the table), which is why it must not be imported as a video.
    assert sum(values(parsed, "youtube.views").values()) == 153235


def test_search_console_queries_need_a_day() -> None:
    path = EXPORTS / "google_search_console/Queries.csv"
    with pytest.raises(BadInput) as err:
        parse_file(path)
    assert "--day" in str(err.value)
    parsed = parse_file(path, day=D(2021, 6, 30))
    assert values(parsed, "gsc.clicks") == {D(2021, 6, 30): 346}
    assert values(parsed, "gsc.impressions") == {D(2021, 6, 30): 32433}


def test_facebook_page_level_latin1_with_description_row() -> None:
    parsed = parse_file(
        EXPORTS
        / "facebook/Facebook Insights Data Export - Visualization Studio VIC - 2014-01-01 - 2014-02-27.csv"
    )
    # 2/26/2014,128,... : Lifetime Total Likes 128, Daily Total Impressions 26
    assert values(parsed, "facebook.page_likes")[D(2014, 2, 26)] == 128
    assert values(parsed, "facebook.impressions")[D(2014, 2, 26)] == 26
    assert len(values(parsed, "facebook.page_likes")) == 58
    assert parsed.metrics["facebook.page_likes"].behaviour == "stock"


def test_facebook_post_level_csv_and_xml() -> None:
    csv_posts = parse_file(
        EXPORTS
        / "facebook/Facebook Insights Data Export (Post Level) - Visualization Studio VIC - 2014-08-24 - 2015-02-19.csv"
    )
    assert sum(values(csv_posts, "facebook.posts").values()) == 98
    # 02/19/2015 11:45:22 PM Pacific is 2015-02-20 in UTC: 371 reach lands there.
    assert values(csv_posts, "facebook.post_reach")[D(2015, 2, 20)] >= 371
    xml_posts = parse_file(
        EXPORTS / "facebook/Facebook Insights Data Export (Post Level) - LOK - 2017-07-27.xls"
    )
    assert sum(values(xml_posts, "facebook.posts").values()) == 7
    assert values(xml_posts, "facebook.post_reach")[D(2017, 7, 22)] == 221231


def test_linkedin_workbook_sheets() -> None:
    parsed = parse_file(EXPORTS / "linkedin/NPLF LinkedIn Q1.xls")
    # last row of Update metrics (aggregated): 06/30/2020 | 32 | 0 | 32 | 13 | 3 | 0 | 3 ...
    assert values(parsed, "linkedin.impressions")[D(2020, 6, 30)] == 32
    assert values(parsed, "linkedin.clicks")[D(2020, 6, 30)] == 3
    assert len(values(parsed, "linkedin.page_views")) == 91
    # Update Engagement: created date 44008 = 2020-06-26
    assert values(parsed, "linkedin.posts")[D(2020, 6, 26)] >= 1
    assert sum(values(parsed, "linkedin.posts").values()) == 10
    # read by three presets, named as people read them (the Import page and the Audit
    # log said "linkedin_visitors+linkedin_updates+linkedin_posts")
    from tracker.imports.parse import preset_label

    assert "+" in parsed.preset
    assert preset_label(parsed.preset) == "LinkedIn: visitors, updates, posts"


def test_google_analytics_exports() -> None:
    ua = parse_file(
        EXPORTS / "google_analytics/Analytics All Web Site Data Pages 20220701-20220731.xlsx"
    )
    pageviews = values(ua, "ga.pageviews")
    assert len(pageviews) == 31 and pageviews[D(2022, 7, 1)] == 1022
    assert sum(pageviews.values()) == 93480  # the unlabeled totals row, not imported
    ga4 = parse_file(EXPORTS / "google_analytics/Reports_snapshot.csv")
    # "Nth week,New users" block starts 20250101; week 0000 is dated 2025-01-01.
    assert D(2025, 1, 1) in values(ga4, "ga.new_users")
    assert any("skipped" in n for n in ga4.notes)


def test_google_ads_utf16_tabs_totals() -> None:
    parsed = parse_file(EXPORTS / "google_ads/Campaign report.csv")
    # one campaign: 264 clicks, "9,380" impressions, 365.22 cost, 25.00 conversions;
    # dated the last day of "27 January 2026 - 23 February 2026".
    assert values(parsed, "google_ads.clicks") == {D(2026, 2, 23): 264}
    assert values(parsed, "google_ads.impressions") == {D(2026, 2, 23): 9380}
    assert values(parsed, "google_ads.cost") == {D(2026, 2, 23): 365.22}
    assert values(parsed, "google_ads.conversions") == {D(2026, 2, 23): 25}
    forced = parse_file(EXPORTS / "google_ads/Campaign report.csv", day=D(2026, 2, 1))
    assert list(values(forced, "google_ads.clicks")) == [D(2026, 2, 1)]


def test_forced_unknown_preset_lists_names() -> None:
    with pytest.raises(BadInput) as err:
        parse_file(EXPORTS / "youtube/Table data.csv", preset="tiktok")
    assert "youtube" in str(err.value)


def test_forced_wrong_preset_says_not_recognised() -> None:
    with pytest.raises(BadInput):
        parse_file(EXPORTS / "youtube/Table data.csv", preset="x")


def test_every_preset_is_documented_and_the_reference_is_current() -> None:
    from cogapp import Cog

    from tracker.imports.presets import ALL

    docs = Path(__file__).parents[3] / "docs" / "imports.md"
    # The presets section is generated from the presets (cog): it cannot drift.
    assert Cog().main(["cog", "--check", "--diff", str(docs)]) == 0, "run: cog -r docs/imports.md"
    text = docs.read_text()
    for preset in ALL:
        assert f"`{preset.name}`" in text


def test_synthetic_youtube_by_date_and_search_console_dates(tmp_path: Path) -> None:
    """Small files in the documented layouts of YouTube's by-date table and Search Console's
    Dates export (synthetic: no such real file is in the fixtures)."""
    yt = tmp_path / "Table data.csv"
    yt.write_text(
        "Date,Views,Watch time (hours),Subscribers,Impressions\n"
        "Total,300,12.5,4,9000\n2025-06-12,100,4.5,-1,3000\n2025-06-13,200,8,5,6000\n"
    )
    parsed = parse_file(yt)
    assert parsed.preset == "youtube_dates"
    assert values(parsed, "youtube.views") == {D(2025, 6, 12): 100, D(2025, 6, 13): 200}
    assert values(parsed, "youtube.subscribers_gained")[D(2025, 6, 12)] == -1
    gsc = tmp_path / "Dates.csv"
    gsc.write_text(
        "Date,Clicks,Impressions,CTR,Position\n2021-06-01,12,340,3.53%,8.2\n"
        "2021-06-02,9,310,2.9%,8.9"
    )
    parsed = parse_file(gsc)
    assert parsed.preset == "gsc_dates"
    assert values(parsed, "gsc.clicks") == {D(2021, 6, 1): 12, D(2021, 6, 2): 9}
    assert values(parsed, "gsc.position")[D(2021, 6, 2)] == 8.9


def test_posts_timed_in_another_zone_say_which_days_hold_only_part_of_their_posts() -> None:
    """X times posts in UTC: in Tokyo the file's first and last days straddle a UTC
    midnight, and the next month's export holds the rest of its last day. The import
    says so (the one imported last sets such a day); in UTC nothing is said."""
    tweets = EXPORTS / "x_twitter/tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"
    tokyo = parse_file(tweets, timezone="Asia/Tokyo")
    (note,) = [n for n in tokyo.notes if "part of their posts" in n]
    assert "first day (2021-11-02)" in note and "last day (2021-12-01)" in note
    assert "Asia/Tokyo" in note
    assert not [n for n in parse_file(tweets).notes if "part of their posts" in n]
