"""The import service: idempotent upserts, replaced days, rejects file, roles, CLI."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.clirunner import waypoint
from tests.conftest import EXPORTS, SMALL_PLAN
from tracker.errors import BadInput, PermissionDenied
from tracker.importer import import_file
from tracker.observations import daily_values, export_observations
from tracker.plan import apply_plan_text
from tracker.records import LOCAL_MANAGER, Actor
from tracker.store import Store

X_OVERVIEW = EXPORTS / "x_twitter/account_overview_analytics.csv"


def test_same_file_twice_is_unchanged(plan_store: Store, tmp_path: Path) -> None:
    first = import_file(plan_store, LOCAL_MANAGER, X_OVERVIEW)
    # the change reads as people say the export, not as the preset's code
    from tracker.changes import list_changes

    assert list_changes(plan_store, limit=1)[0].summary.startswith(
        "import account_overview_analytics.csv (X: account overview): 650 inserted"
    )
    assert first.inserted == 650 and "x.impressions" in first.created_metrics
    again = import_file(plan_store, LOCAL_MANAGER, X_OVERVIEW)
    assert (again.inserted, again.replaced, again.unchanged) == (0, 0, 650)


def test_newer_export_replaces_changed_days(plan_store: Store, tmp_path: Path) -> None:
    import_file(plan_store, LOCAL_MANAGER, X_OVERVIEW)
    newer = tmp_path / "account_overview_analytics.csv"
    text = X_OVERVIEW.read_text().replace('"Mon, Feb 17, 2025",426,', '"Mon, Feb 17, 2025",430,')
    newer.write_text(text)
    result = import_file(plan_store, LOCAL_MANAGER, newer)
    assert (result.inserted, result.replaced) == (0, 1)
    import datetime as dt

    assert dict(daily_values(plan_store, "x.impressions"))[dt.date(2025, 2, 17)] == 430


def _import_leads(store: Store, path: Path, text: str) -> tuple[Any, dict]:
    """Import ``text`` as a file and return the result and the leads' daily values."""
    path.write_text(text)
    result = import_file(store, LOCAL_MANAGER, path)
    return result, dict(daily_values(store, "leads"))


def test_last_row_wins_for_a_repeated_key(plan_store: Store, tmp_path: Path) -> None:
    """A key repeated in one file keeps its last line, and the summary says so; a file
    that repeats nothing says nothing (the ranking is skipped then)."""
    path = tmp_path / "leads.csv"
    result, days = _import_leads(
        plan_store,
        path,
        "day,metric,value\n2026-01-05,leads,1\n2026-01-06,leads,2\n2026-01-05,leads,4\n"
        "2026-01-05, leads ,5\n2026-01-07,leads,3\n",
    )
    assert result.inserted == 3
    assert [n for n in result.notes if "repeat" in n] == [
        "2 row(s) repeat an earlier (metric, day, source): the last one wins"
    ]
    assert (days[dt.date(2026, 1, 5)], days[dt.date(2026, 1, 6)]) == (5, 2)
    path.write_text("day,metric,value\n2026-01-08,leads,1\n2026-01-09,leads,2\n")
    assert not [n for n in import_file(plan_store, LOCAL_MANAGER, path).notes if "repeat" in n]


def test_spaces_around_fields_are_read_and_reported_trimmed(
    plan_store: Store, tmp_path: Path
) -> None:
    """Days and values are cast with their spaces; a value that still cannot be read is
    reported as the person typed it, without the padding."""
    result, days = _import_leads(
        plan_store,
        tmp_path / "padded.csv",
        "day,metric,value\n 2026-01-05 , leads , 3 \n2026-01-06,leads, 1 234 \n"
        " 06/01/2026x ,leads,2\n2026-01-07,leads,  lots  \n",
    )
    assert result.inserted == 2
    assert (days[dt.date(2026, 1, 5)], days[dt.date(2026, 1, 6)]) == (3, 1234)
    shown = {(r.line, r.column, r.value) for r in result.rejected}
    assert shown == {(4, "day", "06/01/2026x"), (5, "value", "lots")}


def test_days_before_every_kpi_window_are_named_once_each(
    plan_store: Store, tmp_path: Path
) -> None:
    """Leads' KPIs start on 1 Jul 2026: an import with June days says how many days no KPI
    counts, each day once though two sources gave it a value."""
    result, _ = _import_leads(
        plan_store,
        tmp_path / "june.csv",
        "day,metric,value,source\n2026-06-28,leads,1,crm\n2026-06-28,leads,2,web\n"
        "2026-06-29,leads,1,crm\n2026-06-29,leads,1,web\n2026-06-30,leads,3,crm\n"
        "2026-07-01,leads,4,crm\n",
    )
    assert result.outside_windows == [
        {
            "metric": "leads",
            "days": 3,
            "first": "2026-06-28",
            "last": "2026-06-30",
            "windows_start": "2026-07-01",
            "kpis": ["lead-rate", "leads-h2"],
        }
    ]
    assert any("leads has 3 day(s) from 2026-06-28" in line for line in result.summary_lines())


def test_dry_run_writes_nothing(plan_store: Store) -> None:
    result = import_file(plan_store, LOCAL_MANAGER, X_OVERVIEW, dry_run=True)
    assert result.inserted == 650 and result.preview.num_rows == 650
    with plan_store.read() as con:
        assert con.execute("SELECT count(*) FROM observations").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM metrics WHERE key LIKE 'x.%'").fetchone()[0] == 0


def test_rejects_file_is_written(plan_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "day,metric,value\n2026-08-01,leads,2\n2026-08-02,leads,oops\n"
        "2026-08-03,leads,-4\n2026-08-04,leads,-2-3\n"
    )
    result = import_file(plan_store, LOCAL_MANAGER, path, rejects_dir=tmp_path / "rej")
    assert result.inserted == 1 and len(result.rejected) == 3
    text = Path(result.rejects_file).read_text()
    assert "long.csv,3,value,oops" in text
    # a negative number is a number to fix, not a formula; -2-3 would run as one
    assert "long.csv,4,value,-4," in text and "long.csv,5,value,'-2-3," in text
    # each line says which metric its cell was for (a column read into two metrics
    # gave two identical lines)
    assert text.splitlines()[0] == "file,line,column,value,reason,metric,day"
    # the metric by name and the numbers as written, with a fix whoever imports can read
    below = next(r.reason for r in result.rejected if r.line == 4)
    assert below.startswith("the value -4 is below the smallest allowed for Qualified leads (0)")
    assert "correct the file" in below
    assert all(
        line.endswith(",leads,") for line in text.splitlines()[1:]
    )  # no day: a row of its own


def test_the_audit_counts_every_rejected_row_of_the_file(plan_store: Store, tmp_path: Path) -> None:
    from tracker.auditlog import entries

    path = tmp_path / "mixed.csv"
    path.write_text(
        "day,metric,value\n2026-08-01,leads,5\n"
        "2026-08-02,leads,abc\n"  # the reader rejects it (not a number)
        "2026-08-03,leads,-4\n"  # the store rejects it (below min)
        "2099-01-01,leads,1\n"  # a day after today
        "2026-08-04,nosuch,1\n"  # an unknown metric
    )
    result = import_file(plan_store, LOCAL_MANAGER, path)
    assert result.inserted == 1 and len(result.rejected) == 4
    audited = [e for e in entries(plan_store, entity="observations") if e.action == "import"]
    assert audited[0].new_value["rejected"] == 4
    assert result.per_metric["leads"]["rejected"] == 3


def test_viewer_refused_assistant_limited(plan_store: Store) -> None:
    with pytest.raises(PermissionDenied):
        import_file(plan_store, Actor("vic", "viewer", "Vic"), X_OVERVIEW)
    amy = Actor("amy", "assistant", "Amy")
    # X is no channel of hers: she may not create its metrics, so nothing imports
    refused = import_file(plan_store, amy, X_OVERVIEW)
    assert refused.inserted == 0 and not refused.created_metrics
    assert (
        "may not add the metric X bookmarks: it is on X, not a channel they work on"
        in refused.rejected[0].reason
    )
    # Once her campaign runs on x, the metrics her import creates become hers: a second
    # import of the same file is accepted (unchanged).
    apply_plan_text(
        plan_store,
        SMALL_PLAN.replace(
            "channels: [linkedin], owner: amy", "channels: [linkedin, x], owner: amy"
        ),
        LOCAL_MANAGER,
    )
    first = import_file(plan_store, amy, X_OVERVIEW)
    assert first.inserted > 0 and not first.rejected
    again = import_file(plan_store, amy, X_OVERVIEW)
    assert again.unchanged == first.inserted and not again.rejected


def test_long_form_round_trips_through_export(plan_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "day,metric,value,source,note\n2026-08-01,leads,2.5,crm,hello\n2026-08-01,posts,3,crm,\n"
    )
    import_file(plan_store, LOCAL_MANAGER, path)
    out = tmp_path / "out.csv"
    export_observations(plan_store, out)
    import csv

    exported = {
        (r["day"], r["metric"], r["source"]): (float(r["value"]), r["note"])
        for r in csv.DictReader(out.open())
    }
    assert exported == {
        ("2026-08-01", "leads", "crm"): (2.5, "hello"),
        ("2026-08-01", "posts", "crm"): (3.0, ""),
    }


def test_what_the_inbox_imported_round_trips_through_export(
    plan_store: Store, tmp_path: Path
) -> None:
    # the inbox job records as the scheduler: no one's hours, and an export names it as
    # the author, which a manager's import into a fresh workspace reads back (it was
    # rejected: "by scheduler is not a manager or assistant", every row, exit 2)
    import csv

    from tracker.records import SCHEDULER

    path = tmp_path / "hours.csv"
    path.write_text("day,metric,value\n2026-08-01,hours,3\n2026-08-01,leads,2\n")
    import_file(plan_store, SCHEDULER, path)
    out = tmp_path / "out.csv"
    export_observations(plan_store, out)
    rows = list(csv.DictReader(out.open()))
    assert {(r["metric"], r["recorded_by"], r["for"]) for r in rows} == {
        ("hours", "scheduler", ""),
        ("leads", "scheduler", ""),
    }
    fresh = tmp_path / "fresh.duckdb"
    assert waypoint(fresh, "plan", "apply", str(_plan_file(tmp_path))).code == 0
    run = waypoint(fresh, "import", str(out), "--json")
    assert run.code == 0, run.out
    assert run.json()["files"][0]["inserted"] == 2
    # an assistant may not name the scheduler (she records values as herself)
    amy = waypoint(fresh, "--as", "amy", "import", str(out), "--json")
    assert amy.code == 2


def _plan_file(tmp_path: Path) -> Path:
    plan = tmp_path / "plan.yaml"
    plan.write_text(SMALL_PLAN)
    return plan


def test_cli_import_json_and_exit_codes(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert waypoint(db, "init").code == 0
    copy = tmp_path / "Queries.csv"
    shutil.copy(EXPORTS / "google_search_console/Queries.csv", copy)
    no_day = waypoint(db, "import", str(copy))
    assert no_day.code == 2 and "--day" in no_day.err
    ok = waypoint(db, "import", str(copy), "--day", "2021-06-30", "--json")
    assert ok.code == 0, ok.err
    data = ok.json()
    assert (data["inserted"], data["rejected"]) == (2, 0)
    assert data["files"][0]["preset"] == "gsc_queries"
    junk = tmp_path / "junk.csv"
    junk.write_bytes(b"\x00\xff" * 50)
    bad = waypoint(db, "import", str(junk))
    assert bad.code == 2 and "junk.csv" in bad.err


def test_several_files_a_missing_one_stops_all_a_refused_one_names_the_stored(
    plan_store: Store, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("day,metric,value\n2026-08-01,leads,2\n")
    # a name that is no file: refused before anything is stored, so exit 2 is true
    run = waypoint(plan_store.path, "import", str(good), str(tmp_path / "nope.csv"))
    assert run.code == 2 and "nope.csv: no such file; nothing was imported" in run.err
    assert daily_values(plan_store, "leads") == []
    # a device or a pipe is there: "no such file" sent people looking for a typo
    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    for odd in ("/dev/zero", str(pipe)):
        run = waypoint(plan_store.path, "import", odd)
        assert run.code == 2 and f"{odd}: is not a regular file" in run.err, run.err
    # a file read but refused whole (every row below min) after a stored one: still
    # exit 2 (bad input), and the message names what was stored and how to undo it
    bad = tmp_path / "bad.csv"
    bad.write_text("day,metric,value\n2026-08-02,leads,-4\n")
    run = waypoint(plan_store.path, "import", str(good), str(bad))
    assert run.code == 2 and "bad.csv: every row was rejected" in run.err
    assert "Imported all the same: good.csv (undo with `waypoint undo " in run.err
    assert [v for _, v in daily_values(plan_store, "leads")] == [2.0]


def test_the_cli_parses_each_file_with_the_database_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While `waypoint import` reads a file, another process can open the database: a slow
    or hostile file never holds the lock the dashboard and the scheduler wait for."""
    import subprocess
    import sys

    import tracker.imports as imports

    db = tmp_path / "w.duckdb"
    assert waypoint(db, "init").code == 0
    copy = tmp_path / "Queries.csv"
    shutil.copy(EXPORTS / "google_search_console/Queries.csv", copy)
    opened: list[int] = []
    parse = imports.parse_file

    def parse_while_another_process_opens(*args: Any, **kwargs: Any) -> Any:
        other = subprocess.run(
            [sys.executable, "-c", f"import duckdb; duckdb.connect({str(db)!r}).close()"],
            capture_output=True,
            text=True,
        )
        opened.append(other.returncode)
        return parse(*args, **kwargs)

    monkeypatch.setattr(imports, "parse_file", parse_while_another_process_opens)
    run = waypoint(db, "import", str(copy), "--day", "2021-06-30", "--json")
    assert run.code == 0, run.err
    assert opened == [0]
    assert run.json()["inserted"] == 2


def test_the_cli_reads_each_file_with_the_metrics_the_file_before_created(tmp_path: Path) -> None:
    """The first file of `waypoint import A B` is read with the workspace as the command
    found it; B with the metrics A created (gsc.clicks here), never a stale list."""
    db = tmp_path / "w.duckdb"
    assert waypoint(db, "init").code == 0
    first = tmp_path / "Queries.csv"
    shutil.copy(EXPORTS / "google_search_console/Queries.csv", first)
    second = tmp_path / "later.csv"
    second.write_text("day,metric,value,source\n2021-07-01,gsc.clicks,5,gsc\n")
    run = waypoint(db, "import", str(first), str(second), "--day", "2021-06-30", "--json")
    assert run.code == 0, run.err
    files = run.json()["files"]
    assert files[0]["created_metrics"] == ["gsc.clicks", "gsc.impressions"]
    assert (files[1]["inserted"], files[1]["rejected"]) == (1, [])


def _x_export(folder: Path, counts: list[str]) -> Path:
    """An X account overview of one day (18 Feb 2025) with these 13 counts."""
    path = folder / "x-one-day.csv"
    header = X_OVERVIEW.read_text().splitlines()[0]
    path.write_text(header + '\n"Tue, Feb 18, 2025",' + ",".join(counts) + "\n")
    return path


def test_a_file_of_which_nothing_can_be_stored_creates_no_metrics(
    plan_store: Store, tmp_path: Path
) -> None:
    # An X export of negative counts: every row is below its metric's min, which only the
    # store can tell once the metrics exist. The file is refused whole, so its metrics are
    # not left behind empty (the inbox and the CLI say "not imported").
    path = _x_export(tmp_path, ["-1"] * 13)
    with plan_store.read() as con:
        changes = con.execute("SELECT count(*) FROM changes").fetchall()
    # a dry run promises no metric it would not create either
    preview = import_file(plan_store, LOCAL_MANAGER, path, dry_run=True)
    assert preview.nothing_imported and preview.created_metrics == []
    result = import_file(plan_store, LOCAL_MANAGER, path, rejects_dir=tmp_path / "rej")
    assert result.nothing_imported and result.rejected
    assert result.created_metrics == [] and result.change is None
    with plan_store.read() as con:
        assert con.execute("SELECT count(*) FROM metrics WHERE key LIKE 'x.%'").fetchall() == [(0,)]
        assert con.execute("SELECT count(*) FROM changes").fetchall() == changes


def test_an_unreadable_count_in_a_platform_export_counts_against_its_metric(
    plan_store: Store, tmp_path: Path
) -> None:
    path = _x_export(tmp_path, ["seventy"] + ["1"] * 12)
    result = import_file(plan_store, LOCAL_MANAGER, path, dry_run=True)
    (reject,) = result.rejected
    assert (reject.column.lower(), reject.metric) == ("impressions", "x.impressions")
    assert result.per_metric["x.impressions"]["rejected"] == 1
    assert not any("rows of no one metric" in line for line in result.summary_lines())


def test_the_preview_keeps_only_the_values_the_write_stores(
    plan_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "day,metric,value\n2026-08-01,leads,2\n2026-08-02,leads,-4\n"  # -4: below min
        "2026-08-03,leads,3\n2026-08-03,leads,5\n"  # the later line of a day wins
    )
    result = import_file(plan_store, LOCAL_MANAGER, path, dry_run=True)
    shown = [(str(r["day"]), r["value"]) for r in result.values_to_store(500)]
    assert shown == [("2026-08-01", 2.0), ("2026-08-03", 5.0)]
    assert len(result.values_to_store(1)) == 1


def _count_in_pounds(store: Store) -> None:
    """The Campaign report's money is in GBP (its Currency code column)."""
    with store.write() as con:
        con.execute("UPDATE workspace SET currency = 'GBP'")


def test_money_in_another_currency_is_refused_and_nothing_is_stored(plan_store: Store) -> None:
    # DESIGN: spend is "money paid for ads or tools, in the workspace currency". The
    # report's 365.22 pounds stored as dollars made every cost per lead wrong, unsaid.
    report = EXPORTS / "google_ads/Campaign report.csv"
    with pytest.raises(BadInput, match=r"in GBP.*counts money in USD.*currency: GBP") as refused:
        import_file(plan_store, LOCAL_MANAGER, report)
    assert "Campaign report.csv" in str(refused.value)
    with plan_store.read() as con:  # not even the clicks, nor the metrics
        assert not con.execute("SELECT 1 FROM metrics WHERE key LIKE 'google_ads.%'").fetchall()
    _count_in_pounds(plan_store)
    import_file(plan_store, LOCAL_MANAGER, report)
    assert daily_values(plan_store, "google_ads.cost") == [(dt.date(2026, 2, 23), 365.22)]


def test_ad_spend_is_money_and_youtube_subscribers_may_fall(
    plan_store: Store, tmp_path: Path
) -> None:
    # DESIGN: effort is hours of work, spend is money paid for ads. Ads cost read as
    # effort was priced per hour (365.22 "hours" x a rate) and open to every assistant.
    from tracker.working import channel_costs

    _count_in_pounds(plan_store)
    import_file(plan_store, LOCAL_MANAGER, EXPORTS / "google_ads/Campaign report.csv")
    day = dt.date(2026, 2, 23)
    with plan_store.read() as con:
        (klass,) = con.execute("SELECT class FROM metrics WHERE key = 'google_ads.cost'").fetchone()
        costs = channel_costs(con, day, day)
    assert klass == "spend"
    assert costs["google_ads"] == {"hours": 0.0, "cost": 365.22, "spend": 365.22, "unpriced": 0.0}
    # YouTube's Subscribers are net: a day that lost more than it gained is stored
    yt = tmp_path / "Table data.csv"
    yt.write_text(
        "Date,Views,Watch time (hours),Subscribers,Impressions\n"
        "2025-06-12,100,4.5,-1,3000\n2025-06-13,200,8,5,6000\n"
    )
    result = import_file(plan_store, LOCAL_MANAGER, yt)
    assert not result.rejected, result.rejected
    assert daily_values(plan_store, "youtube.subscribers_gained") == [
        (dt.date(2025, 6, 12), -1.0),
        (dt.date(2025, 6, 13), 5.0),
    ]


def test_an_upgrade_corrects_what_older_presets_created(plan_store: Store) -> None:
    from tracker.migrations import migrate

    _count_in_pounds(plan_store)
    import_file(plan_store, LOCAL_MANAGER, EXPORTS / "google_ads/Campaign report.csv")
    with plan_store.write() as con:  # as version 5 left them
        con.execute("UPDATE metrics SET class = 'effort' WHERE key = 'google_ads.cost'")
        con.execute("DELETE FROM schema_migrations WHERE version >= 6")
    with plan_store.read() as con:
        migrate(con)
        (klass,) = con.execute("SELECT class FROM metrics WHERE key = 'google_ads.cost'").fetchone()
    assert klass == "spend"


def test_a_dry_run_names_no_change_to_undo(plan_store: Store) -> None:
    # its number would be the next real change's: `undo` of it took back something else
    import json

    run = waypoint(plan_store.path, "import", str(X_OVERVIEW), "--dry-run", "--json")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    (file,) = report["files"]
    assert file["dry_run"] is True and file["change"] is None


def test_a_long_file_names_the_rows_a_spreadsheet_shows_and_skips_its_totals(
    plan_store: Store, tmp_path: Path
) -> None:
    """A blank line between blocks is a row of its own in a spreadsheet, so rejects name
    the row the owner sees; a totals row under the days is skipped, not rejected; the
    rejects come in the file's order whichever check refused them."""
    path = tmp_path / "week.csv"
    path.write_text(
        "day,metric,value\n"
        "2026-08-01,leads,1\n"
        "2026-08-01,nonsense,1\n"
        "\n"
        "\n"
        "2026-08-02,leads,abc\n"
        "Total,leads,5\n"
    )
    result = import_file(plan_store, LOCAL_MANAGER, path)
    assert [(r.line, r.column) for r in result.rejected] == [(3, "metric"), (6, "value")]
    assert any("totals rows" in n for n in result.notes)
    assert result.inserted == 1


def test_import_json_names_a_file_whose_every_row_was_rejected(
    plan_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("day,metric,value\n2026-08-01,leads,abc\n")
    run = waypoint(plan_store.path, "import", str(path), "--json")
    assert run.code == 2
    assert run.json()["errors"] == ["bad.csv: every row was rejected; nothing was imported"]


def test_export_to_standard_output(plan_store: Store, tmp_path: Path) -> None:
    from tracker.entries import log_entry

    log_entry(plan_store, LOCAL_MANAGER, "leads", 3, day=dt.date(2026, 8, 1))
    run = waypoint(plan_store.path, "export", "--out", "-")
    assert run.code == 0, run.err
    assert run.out.splitlines()[0].startswith("day,metric,value")
    assert "2026-08-01,leads,3" in run.out
    assert not Path("-").exists()


def test_plan_export_to_standard_output_writes_no_file(plan_store: Store) -> None:
    run = waypoint(plan_store.path, "plan", "export", "--out", "-")
    assert run.code == 0, run.err
    assert "kpis:" in run.out and "Wrote" not in run.out + run.err
    assert not Path("-").exists()


def test_an_export_imported_back_changes_nothing_and_into_a_new_workspace_keeps_the_days(
    plan_store: Store, tmp_path: Path
) -> None:
    """Entries come out of `waypoint export` as rows of the source 'manual'. Imported
    into their own workspace they change nothing (the day's entries stand); into a new
    one, two entries of a day add up, as entries do, instead of the last one winning."""
    from tracker.entries import log_entry

    day = dt.date(2026, 8, 1)
    log_entry(plan_store, LOCAL_MANAGER, "leads", 2, day=day)
    log_entry(plan_store, LOCAL_MANAGER, "leads", 1, day=day)
    out = tmp_path / "all.csv"
    export_observations(plan_store, out)
    again = import_file(plan_store, LOCAL_MANAGER, out)
    assert (again.inserted, again.replaced) == (0, 0)
    assert daily_values(plan_store, "leads") == [(day, 3.0)]
    fresh = Store(tmp_path / "fresh.duckdb")
    fresh.init()
    apply_plan_text(fresh, SMALL_PLAN, LOCAL_MANAGER)
    moved = import_file(fresh, LOCAL_MANAGER, out)
    assert moved.inserted == 1 and not moved.rejected
    assert daily_values(fresh, "leads") == [(day, 3.0)]


def test_import_json_names_a_missing_file_and_imports_nothing(
    plan_store: Store, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("day,metric,value\n2026-08-01,leads,1\n")
    run = waypoint(plan_store.path, "import", str(good), str(tmp_path / "nofile.csv"), "--json")
    assert run.code == 2
    data = run.json()
    assert data["inserted"] == 0 and any("nofile.csv: no such file" in e for e in data["errors"])
    assert daily_values(plan_store, "leads") == []


def test_whose_hours_they_are_survives_an_export_and_the_for_column_is_checked(
    plan_store: Store, tmp_path: Path
) -> None:
    """`waypoint export` writes `for`; the long form reads it back, so hours a manager
    typed for Amy stay Amy's (her cost on the Team page) in a new workspace."""
    from tracker.entries import log_entry, metric_values

    day = dt.date(2026, 8, 1)
    log_entry(plan_store, LOCAL_MANAGER, "hours", 3, day=day, for_person="amy")
    out = tmp_path / "all.csv"
    export_observations(plan_store, out)
    assert ",local,amy," in out.read_text()  # by the local manager, for Amy
    fresh = Store(tmp_path / "fresh.duckdb")
    fresh.init()
    apply_plan_text(fresh, SMALL_PLAN, LOCAL_MANAGER)
    import_file(fresh, LOCAL_MANAGER, out)
    (moved,) = metric_values(fresh, "hours").entries
    assert (moved.recorded_by, moved.for_person, moved.value) == (None, "amy", 3.0)
    # a stranger, or an assistant naming someone else, is refused with its line
    bad = tmp_path / "bad.csv"
    bad.write_text("day,metric,value,for\n2026-08-02,hours,2,zoe\n2026-08-03,hours,2,ricardo\n")
    amy = Actor("amy", "assistant", "Amy")
    result = import_file(fresh, amy, bad)
    assert [(r.line, r.column) for r in result.rejected] == [(2, "for"), (3, "for")]
    assert "zoe is not a manager or assistant" in result.rejected[0].reason
    assert "Amy may only record values as themselves (for ricardo)" in result.rejected[1].reason
    # a viewer is of the workspace: the reason says what a viewer may not do
    viewer = tmp_path / "viewer.csv"
    viewer.write_text("day,metric,value,by\n2026-08-02,hours,2,vic\n")
    (refused,) = import_file(fresh, LOCAL_MANAGER, viewer).rejected
    assert refused.reason == (
        "by vic is a viewer of this workspace; viewers record nothing (name a manager or assistant)"
    )


def test_hours_of_two_people_on_one_day_stay_each_ones_after_an_export(
    plan_store: Store, tmp_path: Path
) -> None:
    from tracker.entries import log_entry, metric_values

    day = dt.date(2026, 8, 1)
    log_entry(plan_store, LOCAL_MANAGER, "hours", 2, day=day, for_person="amy")
    log_entry(plan_store, LOCAL_MANAGER, "hours", 3, day=day, for_person="ricardo")
    out = tmp_path / "all.csv"
    export_observations(plan_store, out)
    fresh = Store(tmp_path / "fresh.duckdb")
    fresh.init()
    apply_plan_text(fresh, SMALL_PLAN, LOCAL_MANAGER)
    import_file(fresh, LOCAL_MANAGER, out)
    whose = {e.for_person: e.value for e in metric_values(fresh, "hours").entries}
    assert whose == {"amy": 2.0, "ricardo": 3.0}
    # and back into its own workspace: nothing changes, and the command says so (exit 0)
    run = waypoint(plan_store.path, "import", str(out))
    assert run.code == 0, run.err
    assert "0 inserted, 0 replaced, 2 unchanged" in run.out


def test_an_assistant_whose_name_has_an_apostrophe_can_import(store: Store, tmp_path: Path) -> None:
    apply_plan_text(store, SMALL_PLAN.replace("name: Amy,", 'name: "Amy O\'Brien",'), LOCAL_MANAGER)
    amy = Actor("amy", "assistant", "Amy O'Brien")
    path = tmp_path / "mine.csv"
    path.write_text("day,metric,value,by\n2026-08-01,leads,2,amy\n2026-08-02,leads,1,ricardo\n")
    result = import_file(store, amy, path)
    assert result.inserted == 1
    assert "Amy O'Brien may only record values as themselves" in result.rejected[0].reason


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_row_refused_when_written_names_its_spreadsheet_row_after_blank_lines(
    plan_store: Store, tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "week.csv"
    path.write_text(
        "day,metric,value,by\n2026-08-01,leads,1,\n\n\n2026-08-02,leads,2,nobody\n",
        encoding=encoding,
    )
    result = import_file(plan_store, LOCAL_MANAGER, path)
    assert [(r.line, r.column) for r in result.rejected] == [(5, "by")]


def test_a_timesheet_keeps_each_persons_hours_of_a_day(plan_store: Store, tmp_path: Path) -> None:
    """Two people's hours on one day are both stored (never the last row alone), each
    theirs; importing the sheet again changes nothing."""
    from tracker.entries import metric_values

    sheet = tmp_path / "timesheet.csv"
    sheet.write_text("day,metric,value,for\n2026-08-03,hours,2,amy\n2026-08-03,hours,3,ricardo\n")
    first = import_file(plan_store, LOCAL_MANAGER, sheet)
    assert first.inserted == 2 and not any("repeat" in n for n in first.notes)
    assert daily_values(plan_store, "hours") == [(dt.date(2026, 8, 3), 5.0)]
    whose = {e.for_person: e.value for e in metric_values(plan_store, "hours").entries}
    assert whose == {"amy": 2.0, "ricardo": 3.0}
    again = import_file(plan_store, LOCAL_MANAGER, sheet)
    assert (again.inserted, again.replaced, again.unchanged) == (0, 0, 2)


def test_a_timesheet_replaces_a_persons_hours_stored_before_under_the_plain_source(
    plan_store: Store, tmp_path: Path
) -> None:
    """Hours imported before they were kept per person sit under the file's plain
    source; the same person's hours of that day replace them, never add to them."""
    from tracker.daily import rebuild_daily

    day = dt.date(2026, 8, 3)
    with plan_store.write() as con:
        con.execute(
            "INSERT INTO observations (id, entry, metric, day, source, value, recorded_by,"
            " for_person, recorded_at, note, change_id, removed_by) VALUES (900, 900, 'hours',"
            " ?, 'import.long', 4, 'amy', 'amy', TIMESTAMP '2026-08-04 09:00', NULL, 0, NULL)",
            [day],
        )
        rebuild_daily(con)
    sheet = tmp_path / "timesheet.csv"
    sheet.write_text("day,metric,value,by\n2026-08-03,hours,5,amy\n")
    result = import_file(plan_store, LOCAL_MANAGER, sheet)
    assert (result.inserted, result.replaced) == (0, 1)
    assert daily_values(plan_store, "hours") == [(day, 5.0)]


def test_minus_zero_is_stored_as_zero(plan_store: Store, tmp_path: Path) -> None:
    import math

    from tracker.entries import log_entry

    path = tmp_path / "zero.csv"
    path.write_text("day,metric,value\n2026-08-01,leads,-0\n")
    import_file(plan_store, LOCAL_MANAGER, path)
    log_entry(plan_store, LOCAL_MANAGER, "posts", -0.0, day=dt.date(2026, 8, 1))
    with plan_store.read() as con:
        values = [v for (v,) in con.execute("SELECT value FROM observations").fetchall()]
    # an export wrote -0.0 and a reader showed 0: one value, one sign
    assert values and all(math.copysign(1.0, v) == 1.0 for v in values)


def test_a_dry_run_of_several_files_judges_each_after_the_ones_before(
    plan_store: Store, tmp_path: Path
) -> None:
    # Each file was tried alone: the second said "3 inserted" where the real run replaces
    # one value and leaves two unchanged, and two exports of one platform that count the
    # same days twice said nothing of it (the one warning DESIGN asks an import to give).
    import json

    first, second = tmp_path / "l1.csv", tmp_path / "l2.csv"
    first.write_text("day,metric,value\n2026-08-01,leads,5\n2026-08-02,leads,3\n")
    second.write_text("day,metric,value\n2026-08-01,leads,7\n2026-08-02,leads,3\n")
    dry = waypoint(plan_store.path, "import", str(first), str(second), "--dry-run", "--json")
    assert dry.code == 0, dry.err
    counts = [(f["inserted"], f["replaced"], f["unchanged"]) for f in json.loads(dry.out)["files"]]
    assert counts == [(2, 0, 0), (0, 1, 1)]
    assert daily_values(plan_store, "leads") == []  # and nothing is kept
    # the same file twice: the second time, unchanged
    twice = waypoint(plan_store.path, "import", str(first), str(first), "--dry-run", "--json")
    assert [f["unchanged"] for f in json.loads(twice.out)["files"]] == [0, 2]
    # two exports of the same days of X: the overlap is said before anything is stored
    content = EXPORTS / "x_twitter/account_analytics_content_2024-11-21_2025-02-19.csv"
    both = waypoint(plan_store.path, "import", str(X_OVERVIEW), str(content), "--dry-run")
    assert both.code == 0, both.err
    assert "overlap: x.account_overview and x.content both cover 38 day(s)" in both.out
    real = waypoint(plan_store.path, "import", str(X_OVERVIEW), str(content))
    assert [line for line in real.out.splitlines() if "overlap" in line] == [
        line for line in both.out.splitlines() if "overlap" in line
    ]


def test_a_dry_run_of_a_bad_file_among_good_ones_says_which(
    plan_store: Store, tmp_path: Path
) -> None:
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text("day,metric,value\n2026-08-01,leads,5\n")
    bad.write_bytes(b"\x00\x01\x02 not a table")
    run = waypoint(plan_store.path, "import", str(good), str(bad), "--dry-run")
    assert run.code == 2
    assert "good.csv" in run.out and "would import 1 inserted" in run.out
    assert "bad.csv" in run.err
    assert daily_values(plan_store, "leads") == []


def test_an_import_dry_run_on_a_new_database_creates_no_file(tmp_path: Path) -> None:
    path = tmp_path / "week.csv"
    path.write_text("day,metric,value\n2026-08-01,leads,5\n")
    db = tmp_path / "new.duckdb"
    run = waypoint(db, "import", str(path), "--dry-run")
    assert run.code == 2 and "unknown metric 'leads'" in run.err  # an empty workspace
    assert list(tmp_path.glob("new.duckdb*")) == []  # nothing written, not even the file


def test_a_big_file_shows_a_live_status_on_a_terminal(
    plan_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the spinner was written and never shown: an import of millions of rows said
    # nothing for half a minute
    from types import SimpleNamespace

    from rich.console import Console

    from tracker.cli import import_cmd

    path = tmp_path / "week.csv"
    path.write_text("day,metric,value\n2026-08-01,leads,5\n")
    shown: list[str] = []
    real = Console.status
    monkeypatch.setattr(import_cmd, "BIG_FILE", 10)
    terminal = SimpleNamespace(stderr=SimpleNamespace(isatty=lambda: True))
    monkeypatch.setattr(import_cmd, "sys", terminal)  # CliRunner's stderr is no terminal
    monkeypatch.setattr(
        Console, "status", lambda self, text, **kw: shown.append(text) or real(self, text, **kw)
    )
    assert waypoint(plan_store.path, "import", str(path)).code == 0
    assert shown == ["Importing week.csv (0 MB)..."]


def test_an_unknown_metric_typed_in_other_case_is_named_with_the_key_it_means(
    plan_store: Store, tmp_path: Path
) -> None:
    # keys differ by case alone: "LEADS" was only "unknown"
    path = tmp_path / "week.csv"
    path.write_text("day,metric,value\n2026-08-01,LEADS,5\n2026-08-01,nonsense,1\n")
    result = import_file(plan_store, LOCAL_MANAGER, path)
    reasons = [r.reason for r in result.rejected]
    assert reasons[0].startswith("unknown metric 'LEADS' (did you mean 'leads'?);")
    assert "did you mean" not in reasons[1]
    wide = tmp_path / "wide.csv"
    wide.write_text("day,leads,Posts\n2026-08-01,5,1\n")
    (reject,) = import_file(plan_store, LOCAL_MANAGER, wide).rejected
    assert "(did you mean 'posts'?)" in reject.reason
    run = waypoint(plan_store.path, "log", "Leadz", "1", "--day", "2026-08-01")
    assert run.code == 2 and "(did you mean 'leads'?)" in run.err


def test_a_dry_run_leaves_out_what_a_file_that_stores_nothing_would_have_created(
    plan_store: Store, tmp_path: Path
) -> None:
    # An X export whose every value is refused stores nothing, not even its metrics; a
    # dry run kept them for the next file, which then "would import" values the real
    # run rejects as of an unknown metric.
    import json

    text = X_OVERVIEW.read_text()
    header, *lines = text.splitlines()
    columns = next(iter(csv.reader([header])))
    refused = tmp_path / "account_overview_analytics.csv"
    rows_out = []
    for row in csv.reader(lines):
        rows_out.append([row[0], *["-1" for _ in row[1:]]])
    with refused.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows(rows_out)
    later = tmp_path / "l.csv"
    later.write_text("day,metric,value\n2025-01-01,x.likes,5\n2025-01-01,leads,2\n")
    dry = waypoint(plan_store.path, "import", str(refused), str(later), "--dry-run", "--json")
    real_db = tmp_path / "copy.duckdb"
    shutil.copy(plan_store.path, real_db)
    real = waypoint(real_db, "import", str(refused), str(later), "--json")
    assert dry.code == real.code == 2

    def counts(run) -> list[tuple[int, int, int, int]]:
        return [
            (f["inserted"], f["replaced"], f["unchanged"], len(f["rejected"]))
            for f in json.loads(run.out)["files"]
        ]

    assert counts(dry) == counts(real)
    assert counts(real)[1] == (1, 0, 0, 1)  # leads stored, x.likes unknown
