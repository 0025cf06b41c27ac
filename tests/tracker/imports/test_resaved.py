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


def _resave(source: Path, target: Path, delimiter: str, comma: bool, encoding: str) -> Path:
    """``source`` as a spreadsheet in another language writes it back: its own
    delimiter, decimal commas or dots, its own encoding."""
    import csv
    import io
    import re

    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"))))
    number = re.compile(r"-?\d+\.\d+")
    out = [
        [cell.replace(".", ",") if comma and number.fullmatch(cell) else cell for cell in row]
        for row in rows
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(out)
    target.write_text(buffer.getvalue(), encoding=encoding)
    return target


@pytest.mark.parametrize(
    ("delimiter", "comma", "encoding"),
    [("\t", True, "utf-16"), (";", False, "utf-8"), (";", True, "utf-8-sig")],
    ids=["unicode-text-decimal-commas", "semicolons-decimal-dots", "semicolons-decimal-commas"],
)
def test_a_re_saved_youtube_export_keeps_its_numbers_whatever_its_decimal_mark(
    tmp_path: Path, delimiter: str, comma: bool, encoding: str
) -> None:
    """One decimal mark per file, the one its numbers show: 10,236 beside 0,009 and
    45,8772 is ten hours, and 10.236 beside 45.8772 is too (never ten thousand)."""
    from tests.conftest import EXPORTS

    original = parse_file(EXPORTS / "youtube/Table data.csv")
    variant = _resave(
        EXPORTS / "youtube/Table data.csv", tmp_path / "Table data.csv", delimiter, comma, encoding
    )
    resaved = parse_file(variant)
    assert resaved.preset == original.preset and resaved.rejects == []
    expected = daily(original)
    got = daily(resaved)
    assert got.keys() == expected.keys()
    assert all(got[k] == pytest.approx(v) for k, v in expected.items())


@pytest.mark.parametrize(
    "rewrite",
    [
        # "2021-11-30 16:00 +0000" as a spreadsheet set to day/month shows it: no offset
        lambda y, mo, d, hm: f"{d}/{mo}/{y} {hm}",
        lambda y, mo, d, hm: f"{d}/{mo}/{y} {hm} +0000",  # the offset kept
    ],
    ids=["offset-dropped", "offset-kept"],
)
def test_re_saved_tweet_times_are_still_utc_in_another_zone(tmp_path: Path, rewrite) -> None:
    import re

    from tests.conftest import EXPORTS

    source = EXPORTS / "x_twitter/tweet_activity_metrics_rOpenSci_20211101_20211201_en.csv"
    stamp = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}:\d{2}) \+0000")
    text = stamp.sub(lambda m: rewrite(*m.groups()), source.read_text(encoding="utf-8"))
    assert "+0000" not in text or "/" in text
    variant = tmp_path / "tweets.csv"
    variant.write_text(text, encoding="utf-8")
    original = parse_file(source, timezone="Australia/Sydney")
    resaved = parse_file(variant, timezone="Australia/Sydney")
    assert resaved.rejects == []
    assert daily(resaved) == daily(original)  # 16:00 UTC is the next morning in Sydney


@pytest.mark.parametrize(
    ("line", "last"),
    [("27/01/2026 - 23/02/2026", D(2026, 2, 23)), ("27.01.2026 - 23.02.2026", D(2026, 2, 23))],
)
def test_a_google_ads_date_range_written_with_numbers_dates_the_report(
    tmp_path: Path, line: str, last: dt.date
) -> None:
    from tests.conftest import EXPORTS

    text = (EXPORTS / "google_ads/Campaign report.csv").read_bytes().decode("utf-16")
    assert "27 January 2026 - 23 February 2026" in text
    variant = tmp_path / "Campaign report.csv"
    variant.write_text(text.replace("27 January 2026 - 23 February 2026", line), "utf-16")
    parsed = parse_file(variant)
    assert parsed.preset == "google_ads_campaigns"
    assert {r["day"] for r in parsed.rows.to_pylist()} == {last}
