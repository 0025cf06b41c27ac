"""Numbers as people read them: shares keep the digits that tell them apart."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from tracker import formats


def test_a_share_under_ten_percent_keeps_two_significant_digits() -> None:
    # The demo's 1.5% inquiry-rate target read "2%" beside a chart line at 1.5%.
    assert formats.percent(0.015) == "1.5%"
    assert formats.percent(0.0095) == "0.95%"
    assert formats.percent(0.07) == "7%"
    assert formats.percent(0.21) == "21%"
    assert formats.percent(1.39) == "139%"
    assert formats.percent(None) == "–"
    rate = SimpleNamespace(aggregation="ratio", unit=None)
    assert formats.kpi_value(rate, 0.015) == "1.5%"


def test_periods_read_as_days_and_months() -> None:
    from tracker.formats import day_span, period

    assert period("2026-W46") == "week of 9 Nov 2026"
    assert period("2026-11") == "November 2026"
    assert day_span(dt.date(2026, 11, 9), dt.date(2026, 11, 15)) == "9–15 Nov 2026"
    assert day_span(dt.date(2026, 12, 1), dt.date(2026, 12, 1)) == "1 Dec 2026"  # not 1–1
    assert day_span(dt.date(2026, 11, 30), dt.date(2026, 12, 6)) == "30 Nov – 6 Dec 2026"
    assert day_span(dt.date(2025, 12, 29), dt.date(2026, 1, 4)) == "29 Dec 2025 – 4 Jan 2026"


def test_kpi_numbers_say_when_a_missed_kpi_ended_and_when_one_starts() -> None:
    # "100% expected by now" a month after the deadline told the owner nothing
    import datetime as dt
    from types import SimpleNamespace

    from tracker.formats import kpi_numbers

    def kpi(**fields):
        base = dict(
            aggregation="sum", unit=None, current=33.0, target=45.0, progress=0.73,
            expected=1.0, status="missed", start=dt.date(2026, 9, 1),
            deadline=dt.date(2026, 10, 19),
        )  # fmt: skip
        return SimpleNamespace(**{**base, **fields})

    assert kpi_numbers(kpi()) == "33 of 45 (73% done, missed on 19 Oct 2026)"
    waiting = kpi(status="not_started", current=None, progress=None, expected=0.0)
    assert kpi_numbers(waiting) == "– of 45 (starts on 1 Sep 2026)"
    running = kpi(status="at_risk", expected=0.8)
    assert kpi_numbers(running) == "33 of 45 (73% done, 80% expected by now)"
    # progress measured from a value, not from zero: "456 of 600" read as 76% beside
    # "39% done" until the start was said
    grown = kpi(status="off_track", current=456.0, target=600.0, baseline=364.0, progress=0.39)
    assert kpi_numbers(grown) == "456 of 600, from 364 (39% done, 100% expected by now)"
    # a health KPI holds a line: "5 of 4" read as ahead of it while it is off track
    health = kpi(
        aggregation="latest", unit="h", current=5.0, target=4.0, progress=None,
        expected=None, status="off_track", stay="below",
    )  # fmt: skip
    assert kpi_numbers(health) == "5 h, to stay below 4 h"


def test_the_weekly_need_reads_the_same_on_every_face() -> None:
    """The CLI's status showed 0.1% a week for a conversion rate where the Objective page
    shows none (a rate does not add up week by week), and 0.0367 stars where it shows
    0.037: one function for both."""
    from types import SimpleNamespace

    from tracker.formats import weekly_need

    rate = SimpleNamespace(aggregation="ratio", needed_per_week=0.001, unit=None, target=0.015)
    assert weekly_need(rate) == "–"
    stars = SimpleNamespace(aggregation="sum", needed_per_week=0.0367, unit="stars", target=5)
    assert weekly_need(stars) == "0.037 stars"
    big = SimpleNamespace(aggregation="sum", needed_per_week=1234.5, unit=None, target=9000)
    assert weekly_need(big) == "1,234"


def test_sources_read_as_words_wherever_a_value_is_listed() -> None:
    """The log form listed "imported from timesheet:jay"; the audit already said "hand
    entries" and "Instagram imports": one function for both."""
    from tracker.vocab import source_label

    assert source_label("manual") == "hand entries"
    assert source_label("import.instagram") == "Instagram imports"
    assert source_label("x.account_overview") == "X account overview"
    assert source_label("timesheet:jay") == "timesheets"
    assert source_label("import.long.for-lena") == "long-form files"
    assert source_label("booking-system") == "booking-system"  # a mapping's own name


def test_channels_read_as_the_platforms_write_them() -> None:
    from tracker.vocab import channel_label

    assert channel_label("linkedin") == "LinkedIn"
    assert channel_label("facebook + instagram + website") == "Facebook + Instagram + Website"
    assert channel_label("in-store") == "In-store"
    assert channel_label("YouTube") == "YouTube"


def test_a_day_with_its_weekday_has_no_leading_zero(monkeypatch) -> None:
    import datetime as dt

    from tracker.formats import short_day

    monkeypatch.setenv("WAYPOINT_NOW", "2026-12-07T15:00:00+00:00")
    assert short_day(dt.date(2026, 11, 2)) == "Mon 2 Nov"
    assert short_day(dt.date(2026, 11, 18), year=True) == "Wed 18 Nov 2026"
    # a day of another year says which: an import's outlier "on Wed 24 Apr" was 2024's
    assert short_day(dt.date(2024, 4, 24)) == "Wed 24 Apr 2024"
    assert short_day(dt.date(2027, 1, 4)) == "Mon 4 Jan 2027"
    # around New Year two years run somewhere: every day says its year (31 Dec 23:00 UTC
    # is 1 Jan in Tokyo; the UTC year alone dropped 2026 from "Thu 31 Dec" there)
    monkeypatch.setenv("WAYPOINT_NOW", "2026-12-31T23:00:00+00:00")
    assert short_day(dt.date(2026, 12, 31)) == "Thu 31 Dec 2026"
    assert short_day(dt.date(2027, 1, 1)) == "Fri 1 Jan 2027"


def test_a_shares_weekly_change_is_in_points() -> None:
    # "+0.017%" read as the rate changing by that share of itself
    rate = SimpleNamespace(aggregation="ratio", unit=None, target=0.05)
    assert formats.kpi_change(rate, 0.00017) == "+0.017 points"
    assert formats.kpi_change(rate, -0.01) == "-1 point"
    assert formats.kpi_change(rate, -0.02) == "-2 points"
    # a draft ratio (no target) goes by its own value: 2.5 likes per post moved by 0.3
    draft = SimpleNamespace(aggregation="ratio", unit=None, target=None, current=2.5)
    assert formats.kpi_change(draft, 0.3) == "+0.3"
    count = SimpleNamespace(aggregation="sum", unit=None, target=60)
    assert formats.kpi_change(count, 3.0) == "+3"


def test_a_kpi_with_nothing_counted_yet_says_when_it_starts_in_the_short_form() -> None:
    # My week listed "Holiday platter pre-orders: – of 25"
    waiting = SimpleNamespace(
        aggregation="sum", unit=None, target=25.0, current=None, baseline=0.0, stay=None,
        status="not_started", start=dt.date(2026, 12, 1), deadline=dt.date(2026, 12, 24),
        expected=None, progress=None,
    )  # fmt: skip
    assert formats.kpi_numbers(waiting, detail=False) == "starts on 1 Dec 2026 (target 25)"
