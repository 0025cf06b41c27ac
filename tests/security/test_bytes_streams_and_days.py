"""Input a black-box attack pass found unguarded (2026-12-06): a stream given as a plan,
bytes that are not UTF-8 in a file name or an argument, a CSV given as the database, and
days Python reads but Waypoint does not keep."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from jobs.runner import run_job
from tests.clirunner import waypoint
from tests.conftest import SMALL_PLAN
from tests.security.test_inbox import NOW, settled
from tracker.store import Store

LATIN1_NAME = os.fsdecode(b"caf\xe9.csv")  # "café.csv" saved by a Latin-1 system
NOT_UTF8 = os.fsdecode(b"bad\xffbyte")


@pytest.fixture
def plan_db(plan_store: Store) -> Path:
    return plan_store.path


@pytest.mark.parametrize("how", ["plan", "map"])
def test_an_endless_stream_is_read_only_up_to_the_limit(
    plan_db: Path, tmp_path: Path, how: str
) -> None:
    # /dev/zero reports no size: read whole, it took 24 GB in 11 s and the machine's
    # out-of-memory killer; now at most 5 MB and a byte are read
    if how == "plan":
        run = waypoint(plan_db, "plan", "apply", "/dev/zero")
    else:
        data = tmp_path / "d.csv"
        data.write_text("day,metric,value\n2026-11-02,leads,3\n")
        run = waypoint(plan_db, "import", str(data), "--map", "/dev/zero")
    assert run.code == 2, run
    assert "larger than 5 MB" in run.err


def test_a_file_name_that_is_not_utf8_imports_and_never_stops_the_inbox(
    plan_store: Store, tmp_path: Path
) -> None:
    inbox = plan_store.path.parent / "inbox"
    inbox.mkdir()
    settled_file = inbox / LATIN1_NAME
    settled_file.write_text("day,metric,value\n2026-11-03,leads,2\n")
    settled(settled_file)
    # another Latin-1 name that cleans alike (cafè): moved beside it, it replaced it
    twin = inbox / os.fsdecode(b"caf\xe8.csv")
    twin.write_text("day,metric,value\n2026-11-04,leads,3\n")
    settled(twin)
    after = inbox / "ok.csv"  # sorted after them: it never came in while the job failed
    after.write_text("day,metric,value\n2026-11-05,leads,4\n")
    settled(after)
    outcome, message = run_job(plan_store, "inbox_import", NOW)
    assert outcome == "ok", message
    assert "imported 3: caf?.csv (1 values), caf?.csv (1 values), ok.csv (1 values)" in message
    kept = sorted(p.name for p in (inbox / "done").iterdir() if p.suffix == ".csv")
    assert len(kept) == 3 and kept[-1] == f"{NOW:%Y%m%dT%H%M%S}-ok.csv", kept
    assert all(name.startswith(f"{NOW:%Y%m%dT%H%M%S}-caf_-") for name in kept[:2]), kept
    contents = sorted((inbox / "done" / name).read_text() for name in kept[:2])
    assert contents == [
        "day,metric,value\n2026-11-03,leads,2\n",
        "day,metric,value\n2026-11-04,leads,3\n",
    ]
    # and by hand, from the command line
    by_hand = tmp_path / LATIN1_NAME
    by_hand.write_text("day,metric,value\n2026-11-06,leads,1\n")
    run = waypoint(plan_store.path, "import", str(by_hand))
    assert run.code == 0, run
    assert run.out.startswith("caf?.csv: recognised as long; imported 1 inserted")


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["log", "leads", "1", "--note", NOT_UTF8], "--note"),
        (["log", NOT_UTF8, "1"], "METRIC"),
        (["values", NOT_UTF8], "METRIC"),
        (["--as", NOT_UTF8, "status"], "--as"),
        (["status", "--as", NOT_UTF8], "--as"),
        (["checkin", "leads-h2", "--confidence", "on_track", "--note", NOT_UTF8], "--note"),
        (["status", "--json", "--objective", NOT_UTF8], "--objective"),
    ],
)
def test_an_argument_that_is_not_utf8_is_refused_by_name(
    plan_db: Path, argv: list[str], named: str
) -> None:
    # it reached DuckDB ("cannot encode str as UTF-8, surrogate"): exit 1, "unexpected"
    before = waypoint(plan_db, "export", "--format", "csv", "--out", "-").out
    run = waypoint(plan_db, *argv)
    assert run.code == 2, run
    message = run.out if "--json" in argv else run.err
    assert f"'{named}'" in message and "'bad?byte' is not UTF-8 text" in message, message
    assert "unexpected" not in message
    assert waypoint(plan_db, "export", "--format", "csv", "--out", "-").out == before


def test_an_output_file_may_have_any_name(plan_db: Path, tmp_path: Path) -> None:
    target = tmp_path / LATIN1_NAME
    run = waypoint(plan_db, "export", "--format", "csv", "--out", str(target))
    assert run.code == 0, run
    assert target.read_text().startswith("day,metric,value")


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_csv_or_parquet_file_is_not_taken_for_the_database(
    plan_db: Path, tmp_path: Path, kind: str
) -> None:
    # DuckDB opens them as a catalog of their own: `init` said ready, `plan apply` said
    # applied, and nothing was kept
    exported = tmp_path / f"export.{kind}"
    assert waypoint(plan_db, "export", "--out", str(exported)).code == 0
    content = exported.read_bytes()
    plan = tmp_path / "plan.yaml"
    plan.write_text(SMALL_PLAN)
    for argv in (["init"], ["plan", "apply", str(plan)], ["status"]):
        run = waypoint(exported, *argv)
        assert run.code == 1, (argv, run)
        assert f"export.{kind} is not a DuckDB database file" in run.err
        assert "check --db" in run.err
    assert exported.read_bytes() == content


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["audit", "--as-of", "9999-12-31"], "--as-of 9999-12-31: outside"),
        (["status", "--as-of", "1969-12-31"], "--as-of 1969-12-31: outside"),
        (
            ["acknowledge", "audience_as_goal", "kpi:x", "--reason", "x", "--as-of", "9999-12-31"],
            "--as-of 9999-12-31: outside",
        ),
        (["report", "weekly", "--week", "0001-W01"], "--week '0001-W01'"),
        (["checkins", "--week", "2101-W01"], "--week '2101-W01': outside 1970 to 2100"),
        # Python reads these as days; imports and plans do not, and "2026-W49" logged
        # on that week's Monday, a day nobody typed
        (["log", "leads", "1", "--day", "2026-W49"], "--day '2026-W49': not a date"),
        (["log", "leads", "1", "--day", "2026-W48-7"], "--day '2026-W48-7': not a date"),
        (["log", "leads", "1", "--day", "20261201"], "--day '20261201': not a date"),
    ],
)
def test_days_out_of_range_or_in_other_forms_are_refused(
    plan_db: Path, argv: list[str], named: str
) -> None:
    run = waypoint(plan_db, *argv)
    assert run.code == 2, run
    assert named in run.err, run.err
    assert "unexpected" not in run.err


def test_a_day_in_range_still_reads(plan_db: Path) -> None:
    assert waypoint(plan_db, "log", "leads", "1", "--day", "2026-11-02").code == 0
    assert waypoint(plan_db, "status", "--as-of", str(dt.date(2100, 12, 31))).code == 0
    # a week that holds a day of 1970 (1970-W01 starts on 29 Dec 1969)
    assert waypoint(plan_db, "checkins", "--week", "1970-W01").code == 0
    # a filter's bounds only narrow what is stored: any day
    run = waypoint(plan_db, "values", "leads", "--from", "1900-01-01", "--to", "9999-12-31")
    assert run.code == 0 and "2026-11-02" in run.out, run
    assert waypoint(plan_db, "audit-log", "--since", "1900-01-01").code == 0
    assert waypoint(plan_db, "values", "leads", "--from", "2026-W45").code == 2  # the form


def test_a_source_is_no_longer_than_a_name_and_a_long_metric_is_quoted_short(
    plan_db: Path, tmp_path: Path
) -> None:
    # a 50,000-character source was stored: `audit` took 38 s to lay it out and the XLSX
    # export cut it; a 2,000,000-character metric cell was echoed whole in its reject
    long_source = tmp_path / "s.csv"
    long_source.write_text(
        "day,metric,value,source\n2026-11-02,leads,1," + "s" * 50_000 + "\n2026-11-03,leads,2,crm\n"
    )
    run = waypoint(plan_db, "import", str(long_source))
    assert run.code == 0, run
    assert "1 inserted, 0 replaced, 0 unchanged, 1 rejected" in run.out  # the other row stands
    assert (
        "rejected s.csv line 2, column source (leads): the source is 50,000 characters long;"
        " keep it under 200"
    ) in run.err
    assert "s" * 201 not in run.out + run.err
    long_metric = tmp_path / "m.csv"
    long_metric.write_text("day,metric,value\n2026-11-02," + "m" * 100_000 + ",1\n")
    run = waypoint(plan_db, "import", str(long_metric))
    assert run.code == 2
    assert "unknown metric 'mmmm" in run.out + run.err
    assert "... (100,000 characters)" in run.out + run.err
    assert len(run.out) + len(run.err) < 5_000


def test_an_output_on_a_full_disk_says_so(plan_db: Path, tmp_path: Path) -> None:
    run = waypoint(plan_db, "export", "--format", "csv", "--out", "/dev/full")
    assert run.code == 1
    assert "--out /dev/full: the disk is full; nothing was written there" in run.err
    assert "unexpected" not in run.err
    # a regular file on a full disk: the CSV and Parquet exports are written by DuckDB,
    # the workbook by xlsxwriter, each with an error type of its own
    import duckdb
    from xlsxwriter.exceptions import FileCreateError

    from tracker.errors import WaypointError
    from tracker.outfiles import write_atomically

    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "o.csv"
    target.write_text("kept\n")
    for error in (
        duckdb.IOException('IO Error: Async write failed on "x": No space left on device'),
        FileCreateError(OSError(28, "No space left on device")),
        OSError(28, "No space left on device"),
    ):

        def fails(part: Path, error: Exception = error) -> None:
            part.write_text("half")
            raise error

        with pytest.raises(WaypointError, match="the disk is full; nothing was written there"):
            write_atomically(target, fails)
        assert target.read_text() == "kept\n"
        assert [p.name for p in target.parent.iterdir()] == ["o.csv"]  # no part left


@pytest.mark.parametrize(
    ("change", "named"),
    [
        # YAML 1.1 read 1:30 as the base-60 number 90
        (("hourly_rate: 25", "hourly_rate: 1:30"), "hourly_rate"),
        (("target: 60,", "target: 1:00,"), "target"),
        # files of the zone folder that are no IANA name: the server's own zone
        (("timezone: America/Chicago", "timezone: localtime"), "unknown timezone 'localtime'"),
        (("timezone: America/Chicago", "timezone: posixrules"), "unknown timezone 'posixrules'"),
    ],
)
def test_a_plan_value_means_what_it_says(
    tmp_path: Path, change: tuple[str, str], named: str
) -> None:
    db = tmp_path / "w.duckdb"
    plan = tmp_path / "plan.yaml"
    assert change[0] in SMALL_PLAN
    plan.write_text(SMALL_PLAN.replace(*change))
    run = waypoint(db, "plan", "apply", str(plan))
    assert run.code == 2, run
    assert named in run.err, run.err
    plan.write_text(SMALL_PLAN)
    assert waypoint(db, "plan", "apply", str(plan)).code == 0


def test_yes_no_on_and_off_are_words_in_a_plan(tmp_path: Path) -> None:
    # YAML 1.1 read them as booleans: a metric keyed `on` was "metrics[True].key: should
    # be a valid string"; a yes/no field still takes them
    db = tmp_path / "w.duckdb"
    plan = tmp_path / "plan.yaml"
    metric = (
        "  - {key: leads, name: Qualified leads, channel: website, class: outcome, behaviour: flow}"
    )
    assert metric in SMALL_PLAN
    extra = "\n  - {key: on, name: Orders on, class: activity, behaviour: flow, qualified: yes}"
    plan.write_text(SMALL_PLAN.replace(metric, metric + extra))
    run = waypoint(db, "plan", "apply", str(plan))
    assert run.code == 0, run.err
    exported = waypoint(db, "plan", "export").out
    assert "- key: 'on'\n  name: Orders on" in exported and "qualified: true" in exported
    assert waypoint(db, "log", "on", "2", "--day", "2026-08-03").code == 0
    again = tmp_path / "again.yaml"
    again.write_text(exported)
    assert "0 created, 0 updated" in waypoint(db, "plan", "apply", str(again)).out


def test_a_note_loses_the_characters_that_reorder_text(plan_db: Path, tmp_path: Path) -> None:
    # U+202E turns the rest of a note around in `values` and the export; names and plan
    # text refuse these characters, a note drops them (as it drops control characters)
    typed = "Paid\u202edecoration\u2066 ok\u200b"
    assert waypoint(plan_db, "log", "leads", "1", "--day", "2026-11-02", "--note", typed).code == 0
    data = tmp_path / "n.csv"
    data.write_text(f"day,metric,value,note\n2026-11-03,leads,2,{typed}\n", encoding="utf-8")
    assert waypoint(plan_db, "import", str(data)).code == 0
    notes = [v["note"] for v in waypoint(plan_db, "values", "leads", "--json").json()["values"]]
    assert notes == ["Paiddecoration ok", "Paiddecoration ok"]


def test_a_workbook_on_a_full_disk_ends_with_the_message_only(
    plan_db: Path, tmp_path: Path
) -> None:
    # xlsxwriter left its zip file open; Python closing it at exit printed a traceback
    # after the message. A zip whose writes and close hit a full disk, in a real process:
    code = f"""
import errno, sys, zipfile
import xlsxwriter.workbook

class FullDisk(zipfile.ZipFile):
    def writestr(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    write = writestr
    def close(self):
        raise OSError(errno.ENOSPC, "No space left on device")

xlsxwriter.workbook.ZipFile = FullDisk
from tracker.cli import main
sys.argv = ["waypoint", "--db", {str(plan_db)!r}, "export", "--out", {str(tmp_path / "o.xlsx")!r}]
main()
"""
    import subprocess
    import sys

    scratch = tmp_path / "scratch"  # the process's temporary folder
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 1, done
    assert "the disk is full; nothing was written there" in done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert not (tmp_path / "o.xlsx").exists()
    # nor the workbook's parts: xlsxwriter left eight files in /tmp at each such failure
    assert not list(scratch.iterdir()), list(scratch.iterdir())


def test_a_database_or_backup_path_duckdb_cannot_take_is_refused(
    plan_db: Path, tmp_path: Path
) -> None:
    # DuckDB takes no path whose bytes are not UTF-8: "std::bad_cast" for --db, and a
    # backup failed half way, leaving a .partial folder
    run = waypoint(tmp_path / os.fsdecode(b"x\xe9.duckdb"), "init")
    assert run.code == 2 and "the database's path must be UTF-8 text" in run.err, run
    folder = tmp_path / os.fsdecode(b"b\xe9")
    run = waypoint(plan_db, "backup", str(folder))
    assert run.code == 2 and "a backup folder's name must be UTF-8 text" in run.err, run
    assert not folder.exists() and not list(tmp_path.glob("*.partial"))
