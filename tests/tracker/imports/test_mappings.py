"""Import mappings (#19, DESIGN "Import mappings"): files no preset knows, read through a
mapping given with --map or saved in the plan, with exact daily values worked out by
hand from the fixture files; wrong files refused with what they look like."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.clirunner import waypoint
from tests.conftest import EXPORTS, FIXTURES, SMALL_PLAN
from tracker.store import Store

MAPPED = FIXTURES / "mapped"

METRICS = """
  - {key: revenue, name: Restaurant revenue, class: outcome, behaviour: flow, unit: EUR}
  - {key: catering-revenue, name: Catering revenue, class: outcome, behaviour: flow}
  - {key: catering-orders, name: Catering orders, class: outcome, behaviour: flow}
  - {key: newsletter-clicks, name: Newsletter clicks, channel: email, class: engagement, behaviour: flow}
  - {key: email-list, name: Newsletter recipients, channel: email, class: reach, behaviour: stock}
  - {key: new-deals, owner: amy, name: New catering deals, class: outcome, behaviour: flow}
  - {key: won-deals, owner: amy, name: Won catering deals, class: outcome, behaviour: flow}
  - {key: deal-revenue, owner: amy, name: Won deal value, class: outcome, behaviour: flow}
"""

# A booking system's export: semicolons, decimal commas, day-first dates, German headers.
BOOKING = """
name: booking-system
match: {columns: [Buchungsdatum, Leistung, Betrag]}
day: {column: Buchungsdatum, format: "%d.%m.%Y"}
decimal: ","
values:
  - {column: Betrag, metric: revenue}
  - {column: Betrag, metric: catering-revenue, where: {Leistung: Catering}}
  - {count: rows, metric: catering-orders, where: {Leistung: Catering}}
"""

# A newsletter tool's campaign report: send times in the tool's zone (Berlin).
NEWSLETTER = """
name: newsletter
match: {columns: [Campaign Name, Send Time, Unique Clicks, Emails Sent]}
day: {column: Send Time, format: "%b %d, %Y %I:%M %p", timezone: Europe/Berlin}
values:
  - {column: Unique Clicks, metric: newsletter-clicks}
  - {column: Emails Sent, metric: email-list}
"""

# A CRM's deals: UTC timestamps; the workspace lives in Chicago (UTC-6 in November).
CRM = """
name: crm-deals
match: {columns: [Deal Name, Create Date, Deal Stage, Amount]}
day: {column: Create Date, format: "%Y-%m-%dT%H:%M:%S%z"}
values:
  - {count: rows, metric: new-deals}
  - {count: rows, metric: won-deals, where: {Deal Stage: Closed Won}}
  - {column: Amount, metric: deal-revenue, where: {Deal Stage: Closed Won}}
"""


def _plan() -> str:
    return SMALL_PLAN.replace("metrics:\n", "metrics:\n" + METRICS.strip("\n") + "\n", 1)


def _imports(*mappings: str) -> str:
    """A plan's imports: list of the mappings above."""
    items = []
    for m in mappings:
        lines = m.strip().splitlines()
        items.append("\n".join(["  - " + lines[0], *("    " + line for line in lines[1:])]))
    return "imports:\n" + "\n".join(items) + "\n"


@pytest.fixture(scope="module")
def _shop_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shop's plan applied once per module (through the CLI, as a user would);
    each test starts from a copy."""
    folder = tmp_path_factory.mktemp("shop")
    db, plan = folder / "shop.duckdb", folder / "plan.yaml"
    plan.write_text(_plan())
    assert waypoint(db, "plan", "apply", str(plan)).code == 0
    return db


@pytest.fixture
def shop(_shop_template: Path, tmp_path: Path) -> Path:
    db = tmp_path / "shop.duckdb"
    (tmp_path / "plan.yaml").write_text(_plan())
    shutil.copy(_shop_template, db)
    return db


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def daily(db: Path, metric: str) -> dict[str, float]:
    run = waypoint(db, "values", metric, "--json")
    assert run.code == 0, run.err
    out: dict[str, float] = {}
    for row in run.json()["values"]:
        out[row["day"]] = row["value"]
    return out


def test_booking_export_with_semicolons_decimal_commas_and_day_first_dates(
    shop: Path, tmp_path: Path
) -> None:
    mapping = _write(tmp_path, "booking.yaml", BOOKING)
    run = waypoint(shop, "import", str(MAPPED / "booking-week45.csv"), "--map", str(mapping))
    assert run.code == 0, run.err
    assert "recognised as mapping:booking-system" in run.out
    assert daily(shop, "revenue") == {
        "2026-11-02": 1430.50,  # 1.250,50 + 180,00
        "2026-11-03": 95.25,
        "2026-11-04": 1190.75,  # 780,00 + 410,75
        "2026-11-05": 240.00,
    }
    # A filtered sum is 0 on a day the file has rows on and none of catering: a newer
    # export of a day whose catering was cancelled corrects the older value.
    assert daily(shop, "catering-revenue") == {
        "2026-11-02": 1250.50,
        "2026-11-03": 0.0,
        "2026-11-04": 1190.75,
        "2026-11-05": 0.0,
    }
    # A count is a count on every day the file covers: no catering on the 3rd is 0.
    assert daily(shop, "catering-orders") == {
        "2026-11-02": 1.0,
        "2026-11-03": 0.0,
        "2026-11-04": 2.0,
        "2026-11-05": 0.0,
    }
    again = waypoint(
        shop, "import", str(MAPPED / "booking-week45.csv"), "--map", str(mapping), "--json"
    )
    assert again.code == 0
    assert again.json()["inserted"] == again.json()["replaced"] == 0
    row = waypoint(shop, "values", "revenue", "--json").json()["values"][0]
    assert row["source"] == "booking-system"


def test_each_rejected_row_of_a_mapped_file_counts_once_under_its_file_column(
    shop: Path, tmp_path: Path
) -> None:
    mapping = _write(tmp_path, "booking.yaml", BOOKING)
    rows = (
        "Buchungsdatum;Leistung;Betrag\n"
        "02.11.2026;Catering;10,00\n"
        "32.11.2026;Catering;5,00\n"  # line 3: no such day, for every metric of the line
        "03.11.2026;Catering;abc\n"  # line 4: the amount of both revenue metrics
        "31.12.2099;Tisch;4,00\n"  # line 5: a future day (revenue, the day's count and sum 0)
    )
    book = _write(tmp_path, "book.csv", rows)
    run = waypoint(shop, "import", str(book), "--map", str(mapping), "--dry-run", "--json")
    data = run.json()["files"][0]
    per_metric = {m: c.get("rejected", 0) for m, c in data["per_metric"].items()}
    # the per-metric counts and the rows of no one metric add up to the total
    unassigned = sum(1 for r in data["rejected"] if not r["metric"])
    assert sum(per_metric.values()) + unassigned == len(data["rejected"]) == 6
    assert per_metric == {"revenue": 2, "catering-revenue": 2, "catering-orders": 1}
    assert unassigned == 1
    # the file's own column names, never the store's "day" or "value"
    columns = {(r["line"], r["metric"]): r["column"] for r in data["rejected"]}
    assert columns == {
        (3, None): "Buchungsdatum",
        (4, "revenue"): "Betrag",
        (4, "catering-revenue"): "Betrag",
        (5, "revenue"): "Buchungsdatum",
        (5, "catering-revenue"): "Buchungsdatum",
        (5, "catering-orders"): "Buchungsdatum",
    }
    # the cell as read: a future day's row shows its day, never an empty "None"
    values = {(r["line"], r["metric"]): r["value"] for r in data["rejected"]}
    # the cell as written (31.12.2099), not the day it was read as: the person finds it
    assert values[(5, "revenue")] == "31.12.2099" and values[(4, "revenue")] == "abc"
    text = waypoint(shop, "import", str(book), "--map", str(mapping), "--dry-run")
    assert "rows of no one metric: 1 rejected" in text.out
    assert "line 4, column Betrag (catering-revenue): not a number" in text.err


def test_newsletter_report_in_the_tools_zone_and_a_stock_metric(shop: Path, tmp_path: Path) -> None:
    mapping = _write(tmp_path, "newsletter.yaml", NEWSLETTER)
    run = waypoint(shop, "import", str(MAPPED / "newsletter-report.csv"), "--map", str(mapping))
    assert run.code == 0, run.err
    # Nov 5, 04:00 in Berlin is Nov 4, 21:00 in Chicago: that send belongs to the 4th.
    assert daily(shop, "newsletter-clicks") == {"2026-11-02": 64.0, "2026-11-04": 128.0}
    # A stock metric keeps the day's last row (1,175 sent on the later send).
    assert daily(shop, "email-list") == {"2026-11-02": 1200.0, "2026-11-04": 1175.0}


def test_a_saved_mapping_recognises_crm_deals_with_utc_timestamps(
    tmp_path: Path,
) -> None:
    db = tmp_path / "crm.duckdb"
    plan = _write(tmp_path, "plan.yaml", _plan() + _imports(CRM, BOOKING))
    assert waypoint(db, "plan", "apply", str(plan)).code == 0
    run = waypoint(db, "import", str(MAPPED / "crm-deals.csv"), "--json")
    assert run.code == 0, run.err
    assert run.json()["files"][0]["preset"] == "mapping:crm-deals"
    # 03:30Z on the 3rd is 21:30 on the 2nd in Chicago; 05:59Z on the 4th is the 3rd.
    assert daily(db, "new-deals") == {"2026-11-02": 2.0, "2026-11-03": 2.0, "2026-11-04": 1.0}
    assert daily(db, "won-deals") == {"2026-11-02": 2.0, "2026-11-03": 1.0, "2026-11-04": 0.0}
    assert daily(db, "deal-revenue") == {
        "2026-11-02": 4200.0,
        "2026-11-03": 5200.0,
        "2026-11-04": 0.0,  # deals that day, none won
    }
    # The other saved mapping is picked for the other shape, and by name too.
    auto = waypoint(db, "import", str(MAPPED / "booking-week45.csv"), "--json")
    assert auto.json()["files"][0]["preset"] == "mapping:booking-system"
    named = waypoint(db, "import", str(MAPPED / "booking-week45.csv"), "--preset", "booking-system")
    assert named.code == 0, named.err
    # A misspelt name is refused with the presets, the families and the saved mappings.
    typo = waypoint(db, "import", str(MAPPED / "booking-week45.csv"), "--preset", "bookings")
    assert typo.code == 2
    assert "unknown preset" in typo.err and "instagram" in typo.err
    assert "saved mapping: booking-system, crm-deals" in typo.err
    # Export -> apply keeps the mappings: the plan round-trips.
    exported = waypoint(db, "plan", "export").out
    assert "crm-deals" in exported and "Closed Won" in exported
    again = waypoint(db, "plan", "apply", str(_write(tmp_path, "again.yaml", exported)))
    assert again.code == 0, again.err
    assert "0 created, 0 updated, 0 archived" in again.out


def test_plan_validation_names_the_mapping_and_the_field(tmp_path: Path) -> None:
    bad = CRM.replace("metric: won-deals", "metric: wins").replace(
        "column: Amount", "column: Value"
    )
    plan = _write(tmp_path, "plan.yaml", _plan() + _imports(bad))
    run = waypoint(tmp_path / "v.duckdb", "plan", "apply", str(plan))
    assert run.code == 2
    assert "imports[crm-deals].values[1].metric: unknown metric 'wins'" in run.err
    assert "imports[crm-deals].values[2]: column 'Value' is not one of match.columns" in run.err
    fmt = CRM.replace('format: "%Y-%m-%dT%H:%M:%S%z"', "format: yyyy-mm-dd")
    plan = _write(tmp_path, "plan.yaml", _plan() + _imports(fmt))
    run = waypoint(tmp_path / "v.duckdb", "plan", "apply", str(plan))
    assert run.code == 2
    assert "imports[crm-deals].day.format" in run.err and "not a date format" in run.err
    # a directive strptime does not know, and formats that name no whole day, are
    # refused too: each would land every row on 1 January 1900 or fail on every row
    for bad_format, says in (
        ("%Q.%m.%Y", "'Q' is a bad directive"),
        ("%H:%M", "does not name a whole day"),
        ("%d/%m", "does not name a whole day"),
    ):
        fmt = CRM.replace("%Y-%m-%dT%H:%M:%S%z", bad_format)
        plan = _write(tmp_path, "plan.yaml", _plan() + _imports(fmt))
        run = waypoint(tmp_path / "v.duckdb", "plan", "apply", str(plan))
        assert run.code == 2 and "imports[crm-deals].day.format" in run.err and says in run.err, (
            run.err
        )
    assert waypoint(tmp_path / "v.duckdb", "values", "won-deals").code == 2  # nothing applied


def test_a_mapping_with_a_bad_field_does_not_hide_another_mappings_problems(
    tmp_path: Path,
) -> None:
    # "%Q" in one mapping hid the other's unknown metric and its count into a level
    # until the first was fixed: every problem is reported at once (docs/plan.md)
    broken = CRM.replace("%Y-%m-%dT%H:%M:%S%z", "%Q")
    other = NEWSLETTER.replace("metric: newsletter-clicks", "metric: clickz") + (
        "  - {count: rows, metric: email-list}\n"
    )
    plan = _write(tmp_path, "plan.yaml", _plan() + _imports(broken, other))
    run = waypoint(tmp_path / "v.duckdb", "plan", "apply", str(plan))
    assert run.code == 2
    assert "imports[crm-deals].day.format" in run.err
    assert "imports[newsletter].values[0].metric: unknown metric 'clickz'" in run.err
    assert "imports[newsletter].values[2]: counts rows into email-list" in run.err


def test_map_naming_an_unknown_metric_is_refused_and_nothing_is_written(
    shop: Path, tmp_path: Path
) -> None:
    mapping = _write(tmp_path, "m.yaml", BOOKING.replace("metric: revenue", "metric: takings"))
    run = waypoint(shop, "import", str(MAPPED / "booking-week45.csv"), "--map", str(mapping))
    assert run.code == 2
    assert "takings" in run.err and "add them to the plan" in run.err
    assert daily(shop, "catering-orders") == {}
    # a key in other case names the one it means
    mapping = _write(tmp_path, "m.yaml", BOOKING.replace("metric: revenue", "metric: Revenue"))
    run = waypoint(shop, "import", str(MAPPED / "booking-week45.csv"), "--map", str(mapping))
    assert run.code == 2 and "Revenue (did you mean 'revenue'?)" in run.err


def test_a_count_of_rows_into_a_stock_metric_is_refused_by_the_plan_and_by_map(
    shop: Path, tmp_path: Path
) -> None:
    # counted into a level (email-list is stock), the day's level became the count and
    # every day without a row became 0: 1,552 followers read 2, 0, 1
    counting = BOOKING.replace(
        "metric: catering-orders, where: {Leistung: Catering}", "metric: email-list"
    )
    before = daily(shop, "email-list")
    mapping = _write(tmp_path, "m.yaml", counting)
    run = waypoint(shop, "import", str(MAPPED / "booking-week45.csv"), "--map", str(mapping))
    assert run.code == 2
    assert "--map booking-system.values[2]: counts rows into email-list, a stock metric" in (
        run.err
    )
    assert daily(shop, "email-list") == before and daily(shop, "catering-orders") == {}
    plan = _write(tmp_path, "plan.yaml", _plan() + _imports(counting))
    run = waypoint(tmp_path / "v.duckdb", "plan", "apply", str(plan))
    assert run.code == 2
    assert "imports[booking-system].values[2]: counts rows into email-list" in run.err
    # the same count into a flow metric is what a count is for
    plan = _write(tmp_path, "plan.yaml", _plan() + _imports(BOOKING))
    assert waypoint(tmp_path / "v.duckdb", "plan", "apply", str(plan)).code == 0


def test_a_stored_mapping_counting_into_a_stock_metric_is_refused_at_import(
    shop: Path, tmp_path: Path
) -> None:
    # a mapping saved before plan apply refused counts into a level (here: written into
    # the store by hand) still fed it at import, replacing the day's level by a count
    plan = _write(tmp_path, "plan.yaml", _plan() + _imports(BOOKING))
    assert waypoint(shop, "plan", "apply", str(plan)).code == 0
    with Store(shop).write() as con:
        (spec,) = con.execute(
            "SELECT spec FROM import_mappings WHERE name = 'booking-system'"
        ).fetchall()[0]
        con.execute(
            "UPDATE import_mappings SET spec = ? WHERE name = 'booking-system'",
            [spec.replace('"catering-orders"', '"email-list"')],
        )
    before = daily(shop, "email-list")
    run = waypoint(shop, "import", str(MAPPED / "booking-week45.csv"))
    assert run.code == 2
    assert "booking-week45.csv: the mapping booking-system.values[2]: counts rows into" in (
        run.err
    ), run.err
    assert "correct the mapping in the plan" in run.err
    assert daily(shop, "email-list") == before and daily(shop, "revenue") == {}


def test_a_mapped_days_refused_value_names_its_day_and_value(shop: Path, tmp_path: Path) -> None:
    # Amy owns none of the booking metrics. Each refused value is a day's (rows added
    # up, or none: a day without a catering row counts 0 on the line before), and the
    # rejects said the metric's key as the value, with two "line 2"s for two days
    csv_path = tmp_path / "book.csv"
    shutil.copy(MAPPED / "booking-week45.csv", csv_path)
    mapping = _write(tmp_path, "m.yaml", BOOKING)
    run = waypoint(shop, "--as", "amy", "import", str(csv_path), "--map", str(mapping))
    assert run.code == 2
    import csv

    with (shop.parent / "rejects" / "book.csv.rejects.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by = {(r["metric"], r["day"]): r for r in rows}
    # 2 Nov: 1.250,50 + 180,00 from lines 2 and 3, on the line of the first
    revenue = by[("revenue", "2026-11-02")]
    assert (revenue["line"], revenue["column"], revenue["value"]) == ("2", "Betrag", "1430.5")
    assert by[("catering-orders", "2026-11-03")]["value"] == "0"  # no catering row: 0
    assert "rejected book.csv line 2, day 2026-11-02, column Betrag" in run.err


def test_a_mapped_value_an_assistant_may_not_replace_names_its_day(
    shop: Path, tmp_path: Path
) -> None:
    # Amy owns the deal metrics; the manager's imported days are not hers to replace.
    # The refusals had no day and no value: two alike "line 2"s for two days
    mapping = _write(tmp_path, "crm.yaml", CRM)
    run = waypoint(shop, "import", str(MAPPED / "crm-deals.csv"), "--map", str(mapping))
    assert run.code == 0, run.err
    mine = _write(
        tmp_path,
        "mine.csv",
        "Deal Name,Create Date,Deal Stage,Amount,Pipeline\n"
        "Delta,2026-11-02T15:10:00Z,Closed Won,2400,Catering\n"
        "Echo,2026-11-02T16:10:00Z,Closed Won,100,Catering\n"
        "Foxtrot,2026-11-05T16:10:00Z,Closed Lost,100,Catering\n",
    )
    run = waypoint(shop, "--as", "amy", "import", str(mine), "--map", str(mapping), "--json")
    refused = [r for r in run.json()["files"][0]["rejected"] if "may replace it" in r["reason"]]
    assert refused, run.out
    assert all(r["day"] for r in refused)
    days = [(r["metric"], r["day"]) for r in refused]
    assert len(days) == len(set(days))  # each names its own day


def test_a_broken_mapping_file_names_the_field(shop: Path, tmp_path: Path) -> None:
    mapping = _write(tmp_path, "m.yaml", BOOKING.replace('decimal: ","', 'decimal: ";"'))
    run = waypoint(shop, "import", str(MAPPED / "booking-week45.csv"), "--map", str(mapping))
    assert run.code == 2
    assert "m.yaml" in run.err and "decimal" in run.err


def test_a_map_file_of_several_broken_mappings_names_every_problem_at_once(
    shop: Path, tmp_path: Path
) -> None:
    # only the first mapping's problems were told: fix, run again, find the next
    broken = _imports(
        BOOKING.replace('decimal: ","', 'decimal: ";"'),
        NEWSLETTER.replace("Unique Clicks, metric", "Unique Klicks, metric"),
    )
    mapping = _write(tmp_path, "both.yaml", broken)
    run = waypoint(shop, "import", str(MAPPED / "booking-week45.csv"), "--map", str(mapping))
    assert run.code == 2
    assert "imports[booking-system].decimal" in run.err
    assert "imports[newsletter].values" in run.err and "Unique Klicks" in run.err


def test_a_map_file_that_is_no_mapping_is_refused_without_quoting_its_lines(
    shop: Path, tmp_path: Path
) -> None:
    """`--map` given a password file printed one "problem" per line of it."""
    for text in ("root:*:20228:0:99999:7:::\nbin:*:20228:0:99999:7:::\n", "root x\nbin y\n"):
        other = _write(tmp_path, "passwd", text)
        run = waypoint(shop, "import", str(MAPPED / "booking-week45.csv"), "--map", str(other))
        assert run.code == 2
        assert "passwd: is not an import mapping" in run.err
        assert "root" not in run.err


def test_a_map_file_reading_a_column_it_does_not_match_on_is_refused(
    shop: Path, tmp_path: Path
) -> None:
    """The plan's rule for mappings holds for --map files too: a day or value column the
    mapping does not recognise files by could be missing, and its rows would vanish."""
    mapping = _write(
        tmp_path,
        "m.yaml",
        BOOKING.replace("{column: Betrag, metric: revenue}", "{column: Netto, metric: revenue}"),
    )
    run = waypoint(shop, "import", str(MAPPED / "booking-week45.csv"), "--map", str(mapping))
    assert run.code == 2
    assert "m.yaml" in run.err
    assert (
        "imports[booking-system].values[0]: column 'Netto' is not one of match.columns" in run.err
    )
    assert daily(shop, "catering-orders") == {}


def test_a_file_that_does_not_fit_the_mapping_says_what_it_looks_like(
    shop: Path, tmp_path: Path
) -> None:
    mapping = _write(tmp_path, "booking.yaml", BOOKING)
    run = waypoint(shop, "import", str(MAPPED / "crm-deals.csv"), "--map", str(mapping))
    assert run.code == 2
    assert "does not fit the mapping booking-system" in run.err
    assert "Buchungsdatum" in run.err
    # a dated file of the CRM's own columns is not the generic wide form of this plan
    till = _write(tmp_path, "till.csv", "day,Umsatz\n2026-01-05,10\n")
    run = waypoint(shop, "import", str(till), "--map", str(mapping))
    assert run.code == 2 and "does not fit the mapping booking-system" in run.err
    assert "wide form" not in run.err, run.err


def test_an_unknown_file_is_refused_with_the_way_to_map_it(shop: Path, tmp_path: Path) -> None:
    run = waypoint(shop, "import", str(MAPPED / "crm-deals.csv"))
    assert run.code == 2
    assert "no preset or mapping fits" in run.err and "--map" in run.err
    assert "named like a workbook" not in run.err
    # text under a workbook's name is read as text, and the refusal says it is no workbook
    fake = _write(tmp_path, "report.xlsx", "this is not xlsx\nreally\n")
    run = waypoint(shop, "import", str(fake))
    assert run.code == 2
    assert "report.xlsx (named like a workbook, it holds text: read as CSV): no preset" in (run.err)


def test_a_dated_file_of_unknown_columns_is_not_taken_for_the_wide_form(
    shop: Path, tmp_path: Path
) -> None:
    # First column "Date": before, this became "wide" with every column rejected.
    path = _write(tmp_path, "pos.csv", "Date,Covers,Takings\n2026-11-02,40,1200\n")
    run = waypoint(shop, "import", str(path))
    assert run.code == 2
    assert "no preset or mapping fits" in run.err


def test_a_preset_forced_on_another_platforms_export_names_the_one_it_fits(
    shop: Path,
) -> None:
    facebook = next((EXPORTS / "facebook").glob("*Post Level*.csv"))
    run = waypoint(shop, "import", str(facebook), "--preset", "linkedin", "--dry-run")
    assert run.code == 2
    assert "does not fit the linkedin preset" in run.err
    assert "this looks like the facebook" in run.err


def test_the_inbox_job_uses_saved_mappings(tmp_path: Path) -> None:
    from jobs.runner import run_job

    db = tmp_path / "inbox.duckdb"
    plan = _write(tmp_path, "plan.yaml", _plan() + _imports(CRM))
    assert waypoint(db, "plan", "apply", str(plan)).code == 0
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    dropped = inbox / "deals.csv"
    shutil.copy(MAPPED / "crm-deals.csv", dropped)
    old = time.time() - 120  # settled: not being written any more
    os.utime(dropped, (old, old))
    outcome, message = run_job(
        Store(db, lock_timeout=10), "inbox_import", dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    )
    assert outcome == "ok", message
    assert daily(db, "won-deals") == {"2026-11-02": 2.0, "2026-11-03": 1.0, "2026-11-04": 0.0}


def test_an_assistant_imports_through_a_saved_mapping(tmp_path: Path) -> None:
    # The deals metrics are Amy's to log (owner: amy): a mapping adds no rights of its own.
    db = tmp_path / "a.duckdb"
    plan = _write(tmp_path, "plan.yaml", _plan() + _imports(CRM))
    assert waypoint(db, "plan", "apply", str(plan)).code == 0
    run = waypoint(db, "import", str(MAPPED / "crm-deals.csv"), "--as", "amy")
    assert run.code == 0, run.err
    assert daily(db, "deal-revenue") == {
        "2026-11-02": 4200.0,
        "2026-11-03": 5200.0,
        "2026-11-04": 0.0,  # deals that day, none won
    }


def test_a_where_on_numbers_compares_numbers(shop: Path, tmp_path: Path) -> None:
    # "40" and "40.0" and 40 are one number; text compares without case or spacing.
    path = _write(
        tmp_path,
        "tables.csv",
        "Day,Table,Guests\n2026-11-02,4,40\n2026-11-02,12,40.0\n2026-11-03, 4 ,7\n",
    )
    mapping = _write(
        tmp_path,
        "tables.yaml",
        """
name: tables
match: {columns: [Day, Table, Guests]}
day: {column: Day}
values:
  - {count: rows, metric: catering-orders, where: {Guests: 40}}
  - {column: Guests, metric: revenue, where: {Table: 4}}
""",
    )
    run = waypoint(shop, "import", str(path), "--map", str(mapping))
    assert run.code == 0, run.err
    assert daily(shop, "catering-orders") == {"2026-11-02": 2.0, "2026-11-03": 0.0}
    assert daily(shop, "revenue") == {"2026-11-02": 40.0, "2026-11-03": 7.0}


def test_a_where_reads_numbers_as_the_mapping_reads_its_values(shop: Path, tmp_path: Path) -> None:
    # with decimal commas "1.000" is a thousand: the amount read it so while the filter
    # read the same cell as 1; and a number written as text ("40.0") is the number
    path = _write(
        tmp_path,
        "qty.csv",
        "Datum;Menge\n2026-11-02;1.000\n2026-11-02;1\n2026-11-03;40\n2026-11-03;7,5\n",
    )
    mapping = _write(
        tmp_path,
        "qty.yaml",
        """
name: quantities
match: {columns: [Datum, Menge]}
day: {column: Datum, format: "%Y-%m-%d"}
decimal: ","
values:
  - {column: Menge, metric: revenue}
  - {count: rows, metric: catering-orders, where: {Menge: 1}}
  - {count: rows, metric: new-deals, where: {Menge: "40.0"}}
  - {count: rows, metric: won-deals, where: {Menge: "7,5"}}
""",
    )
    run = waypoint(shop, "import", str(path), "--map", str(mapping))
    assert run.code == 0, run.err
    assert daily(shop, "revenue") == {"2026-11-02": 1001.0, "2026-11-03": 47.5}
    assert daily(shop, "catering-orders") == {"2026-11-02": 1.0, "2026-11-03": 0.0}
    assert daily(shop, "new-deals") == {"2026-11-02": 0.0, "2026-11-03": 1.0}
    # a quoted number with the mapping's decimal comma is the number the cells hold
    assert daily(shop, "won-deals") == {"2026-11-02": 0.0, "2026-11-03": 1.0}


def test_a_where_on_a_word_that_reads_as_no_value_matches_that_word(
    shop: Path, tmp_path: Path
) -> None:
    # Google Analytics writes "(not set)": a filter on it counted the empty cells instead
    path = _write(
        tmp_path,
        "src.csv",
        "Day,Src,Amt\n2026-11-02,(not set),1\n2026-11-02,google,1\n"
        "2026-11-03,,1\n2026-11-03,N/A,1\n",
    )
    mapping = _write(
        tmp_path,
        "src.yaml",
        """
name: sources
match: {columns: [Day, Src, Amt]}
day: {column: Day}
values:
  - {count: rows, metric: catering-orders, where: {Src: "(not set)"}}
  - {count: rows, metric: new-deals, where: {Src: n/a}}
""",
    )
    run = waypoint(shop, "import", str(path), "--map", str(mapping))
    assert run.code == 0, run.err
    assert daily(shop, "catering-orders") == {"2026-11-02": 1.0, "2026-11-03": 0.0}
    assert daily(shop, "new-deals") == {"2026-11-02": 0.0, "2026-11-03": 1.0}


def test_two_filters_on_words_that_read_as_no_value_are_told_apart() -> None:
    # "(not set)" and "n/a" both read as no value: the check for a value listed twice
    # took them for the same filter and refused the mapping as counting rows twice
    from tracker.imports.mapping import column_problems
    from tracker.models import ImportMapping

    mapping = ImportMapping.model_validate(
        {
            "name": "sources",
            "match": {"columns": ["Day", "Src"]},
            "day": {"column": "Day"},
            "values": [
                {"count": "rows", "metric": "orders", "where": {"Src": "(not set)"}},
                {"count": "rows", "metric": "orders", "where": {"Src": "n/a"}},
            ],
        }
    )
    assert column_problems(mapping) == []
    repeated = mapping.model_copy(update={"values": [mapping.values[0], mapping.values[0]]})
    assert "repeats values[0]" in column_problems(repeated)[0]


def test_one_map_file_may_hold_several_mappings_and_the_fitting_one_is_used(
    shop: Path, tmp_path: Path
) -> None:
    both = _write(tmp_path, "both.yaml", _imports(BOOKING, NEWSLETTER))
    run = waypoint(shop, "import", str(MAPPED / "newsletter-report.csv"), "--map", str(both))
    assert run.code == 0, run.err
    assert "recognised as mapping:newsletter" in run.out


def test_a_mapping_saved_again_keeps_its_place_in_the_plan(shop: Path, tmp_path: Path) -> None:
    """Files are tried against the mappings in plan order: saving one again (the Import
    page's "save mapping") must not move it behind the others."""
    from tracker.imports.mapping import load_mapping_file
    from tracker.mappings import save_mapping
    from tracker.models import LOCAL_MANAGER
    from tracker.plan import load_plan
    from tracker.store import Store

    store = Store(shop)
    booking, newsletter = load_mapping_file(
        _write(tmp_path, "both.yaml", _imports(BOOKING, NEWSLETTER))
    )
    save_mapping(store, LOCAL_MANAGER, booking)
    save_mapping(store, LOCAL_MANAGER, newsletter)
    save_mapping(store, LOCAL_MANAGER, booking.model_copy(update={"source": "bookings"}))
    saved = load_plan(store).imports
    assert [m.name for m in saved] == ["booking-system", "newsletter"]
    assert saved[0].source == "bookings"


# A till's daily report, mapped without a day format or a decimal mark: both are read
# from the file as the generic forms read them.
TILL = """
name: till
match: {columns: [Datum, Umsatz]}
day: {column: Datum}
values:
  - {column: Umsatz, metric: revenue}
"""


def _till(shop: Path, tmp_path: Path, text: str, *args: str, mapping: str = TILL):
    """Import ``text`` as till.csv through ``mapping`` (the till's, by default)."""
    path = _write(tmp_path, "till.csv", text)
    return waypoint(
        shop, "import", str(path), "--map", str(_write(tmp_path, "till.yaml", mapping)), *args
    )


def test_a_mapping_without_day_format_reads_one_day_month_way_for_the_file(
    shop: Path, tmp_path: Path
) -> None:
    # 13/1 can only be day/month, so 3/1 in the same file is 3 January, not 1 March
    run = _till(shop, tmp_path, "Datum,Umsatz\n13/1/2026,10\n3/1/2026,5\n")
    assert run.code == 0, run.err
    assert daily(shop, "revenue") == {"2026-01-13": 10.0, "2026-01-03": 5.0}


def test_a_mapping_without_decimal_reads_the_mark_its_numbers_show(
    shop: Path, tmp_path: Path
) -> None:
    # 0,5 shows the comma is the decimal mark, so 10,236 is ten and a bit, not 10236
    run = _till(shop, tmp_path, "Datum;Umsatz\n2026-01-05;10,236\n2026-01-06;0,5\n")
    assert run.code == 0, run.err
    assert daily(shop, "revenue") == {"2026-01-05": 10.236, "2026-01-06": 0.5}
    # a comma file whose numbers show dots: 1,250 groups thousands there
    run = _till(shop, tmp_path, 'Datum,Umsatz\n2026-01-07,"1,250"\n2026-01-08,0.5\n')
    assert run.code == 0, run.err
    assert daily(shop, "revenue")["2026-01-07"] == 1250.0
    # a semicolon alone does not prove the comma: a lone dot stays a decimal point
    run = _till(shop, tmp_path, "Datum;Umsatz\n2026-01-09;1.250\n")
    assert run.code == 0, run.err
    assert daily(shop, "revenue")["2026-01-09"] == 1.25


def test_a_column_the_mapping_reads_named_twice_refuses_the_file(
    shop: Path, tmp_path: Path
) -> None:
    run = _till(shop, tmp_path, "Datum,Umsatz,Umsatz\n2026-01-05,10,99\n")
    assert run.code == 2
    assert "'Umsatz' twice" in run.err and "columns 2 and 3" in run.err
    assert daily(shop, "revenue") == {}


def test_a_cut_short_row_is_rejected_and_a_totals_row_skipped(shop: Path, tmp_path: Path) -> None:
    run = _till(
        shop,
        tmp_path,
        "Datum,Kasse,Umsatz\n2026-01-05,A,10\n2026-01-06,B\n2026-01-07,A,4\nTotal,,14\n",
        "--json",
        mapping=TILL.replace("[Datum, Umsatz]", "[Datum, Kasse, Umsatz]"),
    )
    report = run.json()
    assert daily(shop, "revenue") == {"2026-01-05": 10.0, "2026-01-07": 4.0}
    rejects = report["files"][0]["rejected"]
    assert [(r["line"], r["column"]) for r in rejects] == [(3, "Umsatz")]
    assert "cut short" in rejects[0]["reason"]
    assert any("totals" in n for n in report["files"][0]["notes"])


def test_a_day_given_for_a_file_that_dates_its_rows_is_said_to_be_unused(
    shop: Path, tmp_path: Path
) -> None:
    run = _till(shop, tmp_path, "Datum,Umsatz\n2026-01-05,10\n", "--day", "2026-01-31")
    assert run.code == 0, run.err
    assert "--day 2026-01-31 was not used: till.csv dates its own rows" in run.out
    assert daily(shop, "revenue") == {"2026-01-05": 10.0}  # its own day, not --day's
    # a --day after today is refused up front, naming --day, not each row's "day"
    run = _till(shop, tmp_path, "Datum,Umsatz\n2026-01-06,10\n", "--day", "2099-01-01")
    assert run.code == 2 and "--day: 2099-01-01 is in the future" in run.err


def test_a_broken_map_file_is_explained_in_the_plans_words(shop: Path, tmp_path: Path) -> None:
    # a list where one value is wanted: one line saying what fits, not pydantic's tries
    bad = TILL.replace("metric: revenue}", "metric: revenue, where: {Datum: [a, b]}}")
    mapping = _write(tmp_path, "till.yaml", "source: Bad Source!\n" + bad)
    path = _write(tmp_path, "till.csv", "Datum,Umsatz\n2026-01-05,10\n")
    run = waypoint(shop, "import", str(path), "--map", str(mapping))
    assert run.code == 2
    assert "imports[till].values[0].where.Datum: should be text or a number" in run.err
    assert "imports[till].source: a key is letters" in run.err
    assert "constrained-str" not in run.err and "Input should be" not in run.err


def test_a_count_of_rows_fills_the_days_inside_the_file_without_a_row(
    shop: Path, tmp_path: Path
) -> None:
    # no booking at all on Tuesday: zero orders that day, not a missing day
    path = _write(
        tmp_path,
        "orders.csv",
        "Day,Table,Guests\n2026-11-02,4,2\n2026-11-02,5,3\n2026-11-04,4,2\n",
    )
    mapping = _write(
        tmp_path,
        "orders.yaml",
        "name: orders\nmatch: {columns: [Day, Guests]}\nday: {column: Day}\nvalues:\n"
        "  - {count: rows, metric: catering-orders}\n  - {column: Guests, metric: revenue}\n",
    )
    run = waypoint(shop, "import", str(path), "--map", str(mapping))
    assert run.code == 0, run.err
    assert daily(shop, "catering-orders") == {
        "2026-11-02": 2.0,
        "2026-11-03": 0.0,
        "2026-11-04": 1.0,
    }
    assert daily(shop, "revenue") == {"2026-11-02": 5.0, "2026-11-04": 2.0}  # values: as read
    # a year mistyped on one row fills no decade with zeros: only gaps of up to a month
    path.write_text("Day,Table,Guests\n2026-11-09,4,2\n2016-11-10,4,2\n2026-11-11,5,3\n")
    run = waypoint(shop, "import", str(path), "--map", str(mapping))
    assert run.code == 0, run.err
    orders = daily(shop, "catering-orders")
    assert len(orders) == 7 and orders["2016-11-10"] == 1.0 and orders["2026-11-10"] == 0.0


def test_a_mapping_without_day_format_reads_an_iso_time_with_its_offset(
    shop: Path, tmp_path: Path
) -> None:
    # the shop's workspace is in Chicago: 03:00 UTC on 6 November is its 5 November
    run = _till(shop, tmp_path, "Datum,Umsatz\n2026-11-06T03:00:00+00:00,7\n")
    assert run.code == 0, run.err
    assert daily(shop, "revenue") == {"2026-11-05": 7.0}


def test_a_value_listed_twice_is_refused_not_counted_twice(shop: Path, tmp_path: Path) -> None:
    twice = TILL + "  - {column: umsatz, metric: revenue}\n"
    run = _till(shop, tmp_path, "Datum,Umsatz\n2026-11-02,7\n", mapping=twice)
    assert run.code == 2
    assert "imports[till].values[1]: repeats values[0] (revenue from umsatz)" in run.err
    plan = _write(tmp_path, "plan.yaml", _plan() + _imports(twice.strip()))
    applied = waypoint(shop, "plan", "apply", str(plan))
    assert applied.code == 2 and "repeats values[0]" in applied.err
    assert daily(shop, "revenue") == {}


def test_a_cell_past_the_header_refuses_a_mapped_file(shop: Path, tmp_path: Path) -> None:
    # `02.11.2026;1;250` under `Datum;Umsatz`: 1,250 typed without quotes would store 1
    before = daily(shop, "revenue")
    run = _till(shop, tmp_path, "Datum;Umsatz\n2026-01-05;10\n2026-01-06;1;250\n")
    assert run.code == 2
    assert "till.csv: line 3 has more cells than the header's 2" in run.err
    assert daily(shop, "revenue") == before  # nothing of the file was stored
    # a trailing delimiter on the header names no column: a cell under it is extra
    named = _till(shop, tmp_path, "Datum;Umsatz;\n2026-01-05;10;\n2026-01-06;1;250\n")
    assert named.code == 2
    assert "till.csv: line 3 has more cells than the header's 2" in named.err
    assert daily(shop, "revenue") == before
    # an empty cell past the header (a trailing delimiter) is no cell
    ok = _till(shop, tmp_path, "Datum;Umsatz;\n2026-01-05;10;\n")
    assert ok.code == 0, ok.err


def test_a_newer_export_corrects_a_filtered_sum_whose_rows_are_gone(
    shop: Path, tmp_path: Path
) -> None:
    # the catering booking of 2 November was cancelled: the newer export of the week has
    # a room booking that day and no catering, so catering revenue that day is 0 (it
    # stayed 1,250 while revenue fell to 100: the part above the whole)
    mapping = BOOKING.replace('decimal: ","\n', "").replace("%d.%m.%Y", "%Y-%m-%d")
    older = "Buchungsdatum,Leistung,Betrag\n2026-11-02,Catering,1250\n2026-11-02,Tisch,100\n"
    newer = "Buchungsdatum,Leistung,Betrag\n2026-11-02,Tisch,100\n"
    for text in (older, newer):
        run = _till(shop, tmp_path, text, mapping=mapping)
        assert run.code == 0, run.err
    assert daily(shop, "revenue") == {"2026-11-02": 100.0}
    assert daily(shop, "catering-revenue") == {"2026-11-02": 0.0}
    assert daily(shop, "catering-orders") == {"2026-11-02": 0.0}


def test_a_row_without_its_day_among_the_days_is_rejected_not_skipped(
    shop: Path, tmp_path: Path
) -> None:
    # its 70 would go uncounted without a word; below the days, the same row is a total,
    # and above them a description
    run = _till(
        shop,
        tmp_path,
        "Datum,Umsatz\n,Bookings export for November\n2026-11-02,100\n,70\n2026-11-03,5\n,175\n",
        "--json",
    )
    report = run.json()["files"][0]
    assert [(r["line"], r["column"]) for r in report["rejected"]] == [(4, "Datum")]
    assert "the day is empty" in report["rejected"][0]["reason"]
    assert any("skipped 2 totals" in n for n in report["notes"])
    assert daily(shop, "revenue") == {"2026-11-02": 100.0, "2026-11-03": 5.0}


def test_values_whose_filters_overlap_are_refused_and_exclusive_ones_kept(
    shop: Path, tmp_path: Path
) -> None:
    text = "Datum,Art,Umsatz\n2026-11-02,Catering,1250\n2026-11-02,Tisch,100\n"
    base = TILL.replace("[Datum, Umsatz]", "[Datum, Art, Umsatz]")
    # all of it, then catering again: the catering row would count twice (2,600)
    overlapping = base + "  - {column: Umsatz, metric: revenue, where: {Art: Catering}}\n"
    run = _till(shop, tmp_path, text, mapping=overlapping)
    assert run.code == 2
    assert "imports[till].values[1]: feeds revenue from Umsatz as values[0] does" in run.err
    plan = _write(tmp_path, "plan.yaml", _plan() + _imports(overlapping.strip()))
    assert "feeds revenue from Umsatz" in waypoint(shop, "plan", "apply", str(plan)).err
    assert daily(shop, "revenue") == {}
    # catering and tables: no row is both, so the day is their sum, each row once
    parts = (
        base.replace(
            "{column: Umsatz, metric: revenue}",
            "{column: Umsatz, metric: revenue, where: {Art: Catering}}",
        )
        + "  - {column: Umsatz, metric: revenue, where: {art: ' tisch '}}\n"
    )
    run = _till(shop, tmp_path, text, mapping=parts)
    assert run.code == 0, run.err
    assert daily(shop, "revenue") == {"2026-11-02": 1350.0}


def test_a_mapping_named_like_a_preset_never_takes_its_place(shop: Path, tmp_path: Path) -> None:
    # a mapping named `long` read `--preset long` files through it (revenue 3 stored as
    # likes 3); one named `auto` came before every preset. The names stay the presets';
    # `--preset mapping:NAME` reads the mapping
    named = TILL.replace("name: till", "name: long")
    plan = _write(tmp_path, "plan.yaml", _plan() + _imports(named.strip()))
    assert waypoint(shop, "plan", "apply", str(plan)).code == 0  # stored plans keep working
    long_file = _write(tmp_path, "l.csv", "day,metric,value\n2026-11-02,revenue,3\n")
    run = waypoint(shop, "import", str(long_file), "--preset", "long", "--json")
    assert run.code == 0, run.err
    assert run.json()["files"][0]["preset"] == "long"
    assert daily(shop, "revenue") == {"2026-11-02": 3.0}
    till = _write(tmp_path, "till.csv", "Datum,Umsatz\n2026-11-03,7\n")
    run = waypoint(shop, "import", str(till), "--preset", "mapping:long", "--json")
    assert run.code == 0, run.err
    assert run.json()["files"][0]["preset"] == "mapping:long"
    assert daily(shop, "revenue") == {"2026-11-02": 3.0, "2026-11-03": 7.0}
    # and auto-detection still finds a platform export before any saved mapping
    named_auto = TILL.replace("name: till", "name: auto")
    plan.write_text(_plan() + _imports(named_auto.strip()))
    assert waypoint(shop, "plan", "apply", str(plan), "--yes").code == 0
    x = EXPORTS / "x_twitter" / "account_overview_analytics.csv"
    run = waypoint(shop, "import", str(x), "--dry-run", "--json")
    assert run.json()["files"][0]["preset"].startswith("x_"), run.json()["files"][0]["preset"]


def test_a_map_and_a_preset_together_are_refused(shop: Path, tmp_path: Path) -> None:
    # the file was read through the mapping and --preset ignored without a word
    run = _till(shop, tmp_path, "Datum,Umsatz\n2026-11-02,7\n", "--preset", "youtube")
    assert run.code == 2
    assert "--map and --preset youtube both say how to read the files; give one" in run.err
    assert daily(shop, "revenue") == {}


def test_a_rejected_or_blank_amount_never_writes_a_zero_over_its_day(
    shop: Path, tmp_path: Path
) -> None:
    # the day's catering row was cut short, or its amount left blank: nothing says its
    # catering was 0, so the older 100 stays (an unreadable amount kept it already)
    mapping = BOOKING.replace('decimal: ","\n', "").replace("%d.%m.%Y", "%Y-%m-%d")
    head = "Buchungsdatum,Leistung,Betrag\n"
    assert _till(shop, tmp_path, head + "2026-11-02,Catering,100\n", mapping=mapping).code == 0
    for later in (
        head + "2026-11-02,Catering\n2026-11-02,Tisch,50\n",  # cut short
        head + "2026-11-02,Catering,\n2026-11-02,Tisch,50\n",  # no amount
    ):
        run = _till(shop, tmp_path, later, mapping=mapping)
        assert run.code == 0, run.err
        assert daily(shop, "catering-revenue") == {"2026-11-02": 100.0}, later


def test_a_number_and_the_same_number_as_text_are_one_filter(shop: Path, tmp_path: Path) -> None:
    # `Tisch: 5` and `Tisch: "5"` keep the same rows: two values of one metric from one
    # column with them would count those rows twice
    base = TILL.replace("[Datum, Umsatz]", "[Datum, Tisch, Umsatz]").replace(
        "{column: Umsatz, metric: revenue}", "{column: Umsatz, metric: revenue, where: {Tisch: 5}}"
    )
    twice = base + "  - {column: Umsatz, metric: revenue, where: {Tisch: '5'}}\n"
    run = _till(shop, tmp_path, "Datum,Tisch,Umsatz\n2026-11-02,5,10\n", mapping=twice)
    assert run.code == 2 and "repeats values[0]" in run.err, run.err
