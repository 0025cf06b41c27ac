"""A platform's export opened and saved again by a spreadsheet set to another language:
dates written day/month, semicolons between cells, decimal commas. The preset must read
the days and numbers as they were written, by the rule the generic forms follow
(docs/imports.md, "Dates written with numbers")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tracker.imports import parse_file

D = dt.date
X_HEADER = (
    "Date,Impressions,Likes,Engagements,Bookmarks,Shares,New follows,Unfollows,Replies,"
    "Reposts,Profile visits,Create Post,Video views,Media views\n"
)


def daily(parsed) -> dict[tuple[str, dt.date], float]:
    return {(r["metric"], r["day"]): r["value"] for r in parsed.rows.to_pylist()}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_x_overview_saved_day_month_reads_every_day_as_day_month(tmp_path: Path) -> None:
    # 18/02/2025 can only be day/month, so 03/02/2025 is 3 February, not 2 March.
    text = (
        X_HEADER
        + "18/02/2025,62,0,3,0,0,1,0,0,0,1,0,0,0\n03/02/2025,426,18,49,1,0,2,0,1,2,4,2,0,0\n"
    )
    parsed = parse_file(write(tmp_path, "account_overview_analytics.csv", text))
    assert parsed.preset == "x_account_overview"
    assert parsed.rejects == []
    values = daily(parsed)
    assert values[("x.impressions", D(2025, 2, 18))] == 62
    assert values[("x.impressions", D(2025, 2, 3))] == 426
    assert ("x.impressions", D(2025, 3, 2)) not in values


def test_x_overview_in_month_day_still_reads_month_day(tmp_path: Path) -> None:
    text = (
        X_HEADER
        + "02/18/2025,62,0,3,0,0,1,0,0,0,1,0,0,0\n02/03/2025,426,18,49,1,0,2,0,1,2,4,2,0,0\n"
    )
    values = daily(parse_file(write(tmp_path, "account_overview_analytics.csv", text)))
    assert values[("x.impressions", D(2025, 2, 3))] == 426


@pytest.mark.parametrize("sep", [".", "-"])
def test_dotted_and_dashed_days_are_read_day_first(tmp_path: Path, sep: str) -> None:
    rows = [
        f"18{sep}02{sep}2025,62,0,3,0,0,1,0,0,0,1,0,0,0",
        f"03{sep}02{sep}2025,5,0,0,0,0,0,0,0,0,0,0,0,0",
    ]
    parsed = parse_file(
        write(tmp_path, "account_overview_analytics.csv", X_HEADER + "\n".join(rows) + "\n")
    )
    assert parsed.rejects == []
    assert daily(parsed)[("x.impressions", D(2025, 2, 3))] == 5


def test_youtube_by_date_with_semicolons_reads_decimal_commas(tmp_path: Path) -> None:
    # Re-saved by a spreadsheet set to German: `;` between cells, the comma as decimal mark.
    text = (
        "Date;Views;Watch time (hours);Subscribers;Impressions\n"
        "Total;1.234;0,0260;3;5.000\n"
        "05.10.2024;1.200;0,009;2;4.000\n"
        "06.10.2024;34;0,0170;1;1.000\n"
    )
    parsed = parse_file(write(tmp_path, "Table data.csv", text))
    assert parsed.preset.startswith("youtube_")
    assert parsed.rejects == []
    values = daily(parsed)
    assert values[("youtube.watch_hours", D(2024, 10, 5))] == pytest.approx(0.009)
    assert values[("youtube.watch_hours", D(2024, 10, 6))] == pytest.approx(0.017)
    assert values[("youtube.views", D(2024, 10, 5))] == 1200


def test_facebook_time_written_day_month_keeps_its_zone(tmp_path: Path) -> None:
    """A naive time is the platform's own zone (Facebook: Pacific) whichever way the day
    is written: 11:45 PM Pacific on 19 February is 20 February in UTC."""
    header = "Post ID,Permalink,Post Message,Type,Countries,Languages,Posted,Audience Targeting,Lifetime Post Total Reach\n"
    us = header + "1,,,Photo,,,02/19/2015 11:45:22 PM,,100\n2,,,Photo,,,02/13/2015 10:00:00 AM,,5\n"
    uk = header + "1,,,Photo,,,19/02/2015 11:45:22 PM,,100\n2,,,Photo,,,13/02/2015 10:00:00 AM,,5\n"
    a = parse_file(write(tmp_path, "us.csv", us))
    b = parse_file(write(tmp_path, "uk.csv", uk))
    assert a.preset is not None and a.preset.startswith("facebook")
    assert daily(a) == daily(b)
