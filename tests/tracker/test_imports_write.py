"""Imported values: keyed by (metric, day, source), checked, one undoable change each."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tracker import formats
from tracker.auditlog import entries
from tracker.daily import mismatches
from tracker.entries import log_entry
from tracker.errors import PermissionDenied, WaypointError
from tracker.models import LOCAL_MANAGER, Actor
from tracker.observations import (
    NewMetric,
    daily_values,
    export_observations,
    incoming_schema,
    overlaps,
    write_observations,
)
from tracker.store import Store

AMY = Actor("amy", "assistant", "Amy")
VIC = Actor("vic", "viewer", "Vic")
RICARDO = Actor("ricardo", "manager", "Ricardo")
DAY = dt.date(2026, 8, 3)


def rows(*items: tuple, by: str | None = None) -> pa.Table:
    """(line, day, metric, value, source) tuples -> the incoming Arrow table."""
    return pa.table(
        {
            "line": [i[0] for i in items],
            "day": [i[1] for i in items],
            "metric": [i[2] for i in items],
            "value": [i[3] for i in items],
            "source": [i[4] for i in items],
            "recorded_by": [by] * len(items),
            "note": [None] * len(items),
        },
        schema=incoming_schema(),
    )


@contextlib.contextmanager
def scratch_copy(store: Store) -> Iterator[Store]:
    """A copy of ``store`` for one hypothesis example, removed after it: a few MB each,
    and kept until the session's end they filled a small CI disk."""
    with tempfile.TemporaryDirectory(prefix="wp-copy-", ignore_cleanup_errors=True) as folder:
        path = Path(folder) / "w.duckdb"
        shutil.copy(store.path, path)
        yield Store(path)


def test_import_twice_is_unchanged_and_newer_export_corrects(plan_store: Store) -> None:
    batch = rows((2, DAY, "leads", 1.0, "x"), (3, DAY + dt.timedelta(1), "leads", 2.0, "x"))
    first = write_observations(plan_store, LOCAL_MANAGER, batch)
    assert (first.inserted, first.replaced, first.unchanged) == (2, 0, 0)
    assert first.change is not None and (first.first_day, first.last_day) == (
        DAY,
        DAY + dt.timedelta(1),
    )
    again = write_observations(plan_store, LOCAL_MANAGER, batch)
    assert (again.inserted, again.replaced, again.unchanged) == (0, 0, 2)
    assert again.change is None  # nothing changed: nothing to undo
    newer = rows((2, DAY, "leads", 1.0, "x"), (3, DAY + dt.timedelta(1), "leads", 7.0, "x"))
    third = write_observations(plan_store, LOCAL_MANAGER, newer)
    assert (third.inserted, third.replaced, third.unchanged) == (0, 1, 1)
    assert daily_values(plan_store, "leads")[-1] == (DAY + dt.timedelta(1), 7.0)
    replaced = [e for e in entries(plan_store, entity="observation") if e.action == "replace"]
    assert replaced[0].old_value["value"] == 2.0 and replaced[0].new_value["value"] == 7.0


def test_flow_sources_add_up_stock_takes_latest(plan_store: Store) -> None:
    write_observations(plan_store, LOCAL_MANAGER, rows((1, DAY, "leads", 2.0, "crm")))
    write_observations(plan_store, LOCAL_MANAGER, rows((1, DAY, "leads", 3.0, "web")))
    write_observations(plan_store, LOCAL_MANAGER, rows((1, DAY, "li-followers", 100.0, "a")))
    write_observations(plan_store, LOCAL_MANAGER, rows((1, DAY, "li-followers", 90.0, "b")))
    assert daily_values(plan_store, "leads") == [(DAY, 5.0)]
    assert daily_values(plan_store, "li-followers") == [(DAY, 90.0)]


def test_an_import_never_replaces_hand_logged_entries(plan_store: Store) -> None:
    log_entry(plan_store, AMY, "hours", 4, day=DAY)
    write_observations(plan_store, RICARDO, rows((1, DAY, "hours", 0.0, "manual")))
    assert daily_values(plan_store, "hours") == [(DAY, 4.0)]  # the import is its own source


def test_overlapping_sources_are_reported_and_prefer_decides(plan_store: Store) -> None:
    write_observations(plan_store, LOCAL_MANAGER, rows((1, DAY, "leads", 426.0, "page")))
    result = write_observations(plan_store, LOCAL_MANAGER, rows((1, DAY, "leads", 358.0, "posts")))
    assert [(o.metric, o.sources, o.days, o.prefer) for o in result.overlaps] == [
        ("leads", ["page", "posts"], 1, None)
    ]
    assert daily_values(plan_store, "leads") == [(DAY, 784.0)]
    from tests.conftest import SMALL_PLAN
    from tracker.plan import apply_plan_text

    plan = SMALL_PLAN.replace(
        "class: outcome, behaviour: flow}", "class: outcome, behaviour: flow, prefer: page}"
    )
    apply_plan_text(plan_store, plan, LOCAL_MANAGER)
    assert daily_values(plan_store, "leads") == [(DAY, 426.0)]
    # a day page has no value: two other sources meeting there still count twice, and
    # neither the import nor the audit may say that only page counts
    from tracker.vanity import run_audit

    other = DAY - dt.timedelta(days=1)
    write_observations(plan_store, LOCAL_MANAGER, rows((1, other, "leads", 10.0, "web")))
    result = write_observations(plan_store, LOCAL_MANAGER, rows((1, other, "leads", 7.0, "social")))
    assert [(o.sources, o.prefer) for o in result.overlaps] == [(["social", "web"], None)]
    assert "count twice" in result.overlaps[0].sentence()
    flags = [f for f in run_audit(plan_store, DAY).flags if f.code == "overlapping_sources"]
    assert [f.subject for f in flags] == ["metric:leads"]
    # the advice says why the prefer set does not settle these days, not "set prefer"
    assert flags[0].next_step.startswith("The metric's `prefer: page` settles only days page")
    assert "(social, web)" in flags[0].next_step
    # a misspelt prefer settles nothing: both days count twice, and the audit says so
    apply_plan_text(plan_store, plan.replace("prefer: page", "prefer: pgae"), LOCAL_MANAGER)
    assert daily_values(plan_store, "leads") == [(other, 17.0), (DAY, 784.0)]
    (flag,) = [f for f in run_audit(plan_store, DAY).flags if f.code == "overlapping_sources"]
    assert flag.evidence["days"] == 2 and "`prefer: pgae`" in flag.next_step


def test_an_audit_as_of_a_past_day_sees_no_overlap_that_came_later(plan_store: Store) -> None:
    from tracker.vanity import run_audit

    early, late = DAY - dt.timedelta(days=10), DAY
    write_observations(
        plan_store,
        LOCAL_MANAGER,
        rows((1, early, "leads", 1.0, "page"), (2, late, "leads", 1.0, "page")),
    )
    write_observations(plan_store, LOCAL_MANAGER, rows((1, late, "leads", 1.0, "posts")))

    def overlap(as_of: dt.date) -> list:
        return [f for f in run_audit(plan_store, as_of).flags if f.code == "overlapping_sources"]

    assert overlap(late - dt.timedelta(days=1)) == []  # the two sources met only on DAY
    (flag,) = overlap(late)
    assert flag.evidence["first"] == flag.evidence["last"] == late.isoformat()


def test_the_overlap_flag_reads_as_people_write_it(plan_store: Store) -> None:
    # Three sources over different spans: the whole span in order, sources and
    # the metric by name; the plan's codes only in what to write under prefer.
    from tracker.entries import log_entry
    from tracker.vanity import run_audit

    d1, d2, d3 = DAY - dt.timedelta(days=2), DAY - dt.timedelta(days=1), DAY
    write_observations(
        plan_store,
        LOCAL_MANAGER,
        rows(
            (1, d1, "leads", 1.0, "import.instagram"),
            (2, d2, "leads", 1.0, "import.instagram"),
            (3, d3, "leads", 1.0, "import.instagram"),
        ),
    )
    write_observations(
        plan_store,
        LOCAL_MANAGER,
        rows(
            (1, d2, "leads", 1.0, "x.account_overview"), (2, d3, "leads", 1.0, "x.account_overview")
        ),
    )
    log_entry(plan_store, LOCAL_MANAGER, "leads", 1, day=d3)  # not a file: see below
    flag = next(f for f in run_audit(plan_store, DAY).flags if f.code == "overlapping_sources")
    assert flag.message == (
        "Qualified leads comes from Instagram imports and X account overview,"
        " which both cover 2 days"
        f" ({formats.day_span(d2, d3)}): those days are counted twice."
    )
    assert "`prefer: import.instagram`" in flag.next_step
    assert "Qualified leads in the plan" in flag.next_step


def test_hand_entries_beside_an_import_are_no_overlap(plan_store: Store) -> None:
    """Lena logs two phone inquiries on a day the website's import holds one: they add
    up (DESIGN: people log by hand several times a day), and the audit's advice to
    `prefer` the import would have stopped her entries counting."""
    from tracker.entries import log_entry
    from tracker.vanity import run_audit

    write_observations(plan_store, LOCAL_MANAGER, rows((1, DAY, "leads", 1.0, "import.website")))
    log_entry(plan_store, LOCAL_MANAGER, "leads", 2, day=DAY)
    assert daily_values(plan_store, "leads") == [(DAY, 3.0)]
    assert not [f for f in run_audit(plan_store, DAY).flags if f.code == "overlapping_sources"]
    again = write_observations(
        plan_store, LOCAL_MANAGER, rows((1, DAY, "leads", 1.0, "import.website"))
    )
    assert again.overlaps == []  # nor does the import say they count twice


def test_last_line_wins_within_one_batch(plan_store: Store) -> None:
    result = write_observations(
        plan_store, LOCAL_MANAGER, rows((2, DAY, "leads", 1.0, "x"), (9, DAY, "leads", 4.0, "x"))
    )
    assert result.inserted == 1
    assert daily_values(plan_store, "leads") == [(DAY, 4.0)]


def test_bad_rows_are_rejected_with_line_and_reason_others_kept(plan_store: Store) -> None:
    batch = rows(
        (2, DAY, "leads", 1.0, "x"),
        (3, DAY, "leadz", 2.0, "x"),
        (4, DAY, "posts", float("nan"), "x"),
        (5, DAY, "posts", -1.0, "x"),
        (6, dt.date(2099, 1, 1), "posts", 1.0, "x"),
        (7, dt.date(1900, 1, 1), "posts", 1.0, "x"),
    )
    result = write_observations(plan_store, LOCAL_MANAGER, batch)
    assert result.inserted == 1
    reasons = {p.line: p.reason for p in result.rejected}
    assert "unknown metric 'leadz'" in reasons[3]
    assert "finite" in reasons[4]
    assert "below" in reasons[5]
    assert "future" in reasons[6]
    assert "1970" in reasons[7]
    assert result.per_metric["posts"]["rejected"] == 4


def test_dry_run_writes_nothing(plan_store: Store) -> None:
    result = write_observations(
        plan_store, LOCAL_MANAGER, rows((2, DAY, "leads", 1.0, "x")), dry_run=True
    )
    assert result.inserted == 1 and result.dry_run
    assert daily_values(plan_store, "leads") == []


def test_viewer_may_not_import(plan_store: Store) -> None:
    with pytest.raises(PermissionDenied):
        write_observations(plan_store, VIC, rows((2, DAY, "leads", 1.0, "x")))


def test_assistant_reimport_of_own_created_metrics_is_accepted(plan_store: Store) -> None:
    # linkedin is the channel of Amy's campaign: she may create its platform metrics
    spec = {
        "li.clicks": NewMetric("li.clicks", "LinkedIn clicks", "engagement", "flow", "linkedin")
    }
    batch = rows((1, DAY, "li.clicks", 5.0, "li"))
    first = write_observations(plan_store, AMY, batch, new_metrics=spec)
    assert first.inserted == 1 and first.created_metrics == ["li.clicks"]
    again = write_observations(plan_store, AMY, batch, new_metrics=spec)
    assert again.unchanged == 1 and not again.rejected
    newer = write_observations(plan_store, AMY, rows((1, DAY, "li.clicks", 6.0, "li")))
    assert newer.replaced == 1 and not newer.rejected


def test_an_assistant_creates_no_metric_on_a_channel_she_does_not_work_on(
    plan_store: Store,
) -> None:
    spec = {"tt.views": NewMetric("tt.views", "TikTok views", "reach", "flow", "tiktok")}
    result = write_observations(
        plan_store, AMY, rows((4, DAY, "tt.views", 90.0, "tiktok")), new_metrics=spec
    )
    assert result.inserted == 0 and not result.created_metrics
    assert result.rejected[0].line == 4
    assert "may not add the metric " in result.rejected[0].reason
    assert ": it is on TikTok, not a channel they work on" in result.rejected[0].reason
    assert "tt.views" not in result.rejected[0].reason  # its name, not its key
    made = write_observations(
        plan_store, RICARDO, rows((4, DAY, "tt.views", 90.0, "tiktok")), new_metrics=spec
    )
    assert made.created_metrics == ["tt.views"]  # a manager may


def test_assistant_may_not_replace_someone_elses_import(plan_store: Store) -> None:
    write_observations(plan_store, RICARDO, rows((1, DAY, "leads", 3.0, "crm")))
    result = write_observations(plan_store, AMY, rows((1, DAY, "leads", 0.0, "crm")))
    assert result.replaced == 0 and "recorded by ricardo" in result.rejected[0].reason
    assert daily_values(plan_store, "leads") == [(DAY, 3.0)]
    by_other = write_observations(plan_store, AMY, rows((1, DAY, "leads", 1.0, "x"), by="ricardo"))
    assert by_other.inserted == 0 and "as themselves" in by_other.rejected[0].reason


def test_a_refused_row_is_rejected_not_dropped_as_a_repeat(plan_store: Store) -> None:
    table = pa.table(
        {
            "line": [2, 3],
            "day": [DAY, DAY],
            "metric": ["hours", "hours"],
            "value": [3.0, 2.0],
            "source": ["sheet", "sheet"],
            "recorded_by": ["ricardo", "amy"],  # Amy's file names Ricardo on line 2
            "note": [None, None],
        },
        schema=incoming_schema(),
    )
    result = write_observations(plan_store, AMY, table)
    assert [(r.line, r.column) for r in result.rejected] == [(2, "by")]
    assert "may only record values as themselves" in result.rejected[0].reason
    assert result.repeated == 0 and result.inserted == 1
    assert daily_values(plan_store, "hours") == [(DAY, 2.0)]


def test_recorded_by_is_the_actor_when_by_is_blank(plan_store: Store) -> None:
    write_observations(plan_store, AMY, rows((1, DAY, "leads", 3.0, "crm")))
    from tracker.entries import day_entries

    assert day_entries(plan_store, "leads", DAY)[0].recorded_by == "amy"


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_neutralises_formulas(plan_store: Store, tmp_path: Path, fmt: str) -> None:
    log_entry(plan_store, LOCAL_MANAGER, "leads", 3, day=DAY, note='=HYPERLINK("x")')
    write_observations(plan_store, LOCAL_MANAGER, rows((1, DAY, "posts", 2.0, "+src")))
    out = tmp_path / f"obs.{fmt}"
    assert export_observations(plan_store, out, fmt) == 2
    if fmt == "csv":
        with out.open() as fh:
            data = list(csv.DictReader(fh))
        assert {r["note"] for r in data} == {'\'=HYPERLINK("x")', ""}
        assert {r["source"] for r in data} == {"manual", "'+src"}
    elif fmt == "xlsx":
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
        assert sheet[0][:4] == ["day", "metric", "value", "source"]
        assert sheet[0][4:6] == ["recorded_by", "for"]
        assert '\'=HYPERLINK("x")' in {r[7] for r in sheet[1:]}
    else:
        import pyarrow.parquet as pq

        assert '=HYPERLINK("x")' in pq.read_table(out).column("note").to_pylist()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_file_imports_back_without_the_neutralising_apostrophe(
    plan_store: Store, tmp_path: Path, fmt: str
) -> None:
    """The apostrophe an export adds before '+src' is not part of the source: importing
    the export again finds the same values unchanged, not a new source '+src."""
    from tracker.importer import import_file

    write_observations(plan_store, LOCAL_MANAGER, rows((1, DAY, "posts", 2.0, "+src")))
    write_observations(plan_store, LOCAL_MANAGER, rows((1, DAY, "leads", 4.0, "-crm")))
    out = tmp_path / f"obs.{fmt}"
    export_observations(plan_store, out, fmt)
    again = import_file(plan_store, LOCAL_MANAGER, out)
    assert again.rejected == []
    assert (again.inserted, again.unchanged) == (0, 2)
    with plan_store.read() as con:
        sources = {r[0] for r in con.execute("SELECT DISTINCT source FROM observations").fetchall()}
    assert sources == {"+src", "-crm"}


def test_a_failed_export_leaves_the_older_file_as_it_was(
    plan_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_entry(plan_store, LOCAL_MANAGER, "leads", 3, day=DAY)
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "obs.xlsx"
    out.write_text("last week's export")

    def broken(table: Any, path: Path) -> None:
        path.write_bytes(b"PK half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tracker.observations._write_xlsx", broken)
    with pytest.raises(WaypointError, match="the disk is full; nothing was written there"):
        export_observations(plan_store, out, "xlsx")
    assert out.read_text() == "last week's export"
    assert [p.name for p in out.parent.iterdir()] == ["obs.xlsx"]  # no half file left over


def test_export_writes_the_format_the_out_file_names(plan_store: Store, tmp_path: Path) -> None:
    # `--out x.xlsx` without --format used to fail with a raw DuckDB error (exit 1); a CSV
    # asked for under a .parquet name was refused the same way
    import duckdb
    from python_calamine import CalamineWorkbook

    from tests.clirunner import waypoint

    log_entry(plan_store, LOCAL_MANAGER, "leads", 3, day=DAY)
    for name in ("x.xlsx", "x.parquet", "x.csv"):
        run = waypoint(plan_store.path, "export", "--out", str(tmp_path / name))
        assert run.code == 0, run.err
    sheet = CalamineWorkbook.from_path(str(tmp_path / "x.xlsx")).get_sheet_by_index(0)
    assert len(sheet.to_python()) == 2  # the header and the one value
    assert duckdb.sql(f"SELECT count(*) FROM '{tmp_path / 'x.parquet'}'").fetchall() == [(1,)]
    assert (tmp_path / "x.csv").read_text().startswith("day,metric,value")
    run = waypoint(
        plan_store.path, "export", "--format", "csv", "--out", str(tmp_path / "y.parquet")
    )
    assert run.code == 0, run.err
    assert (tmp_path / "y.parquet").read_text().startswith("day,metric,value")  # as asked


def test_export_into_a_stream_gets_the_whole_file_and_no_message(
    plan_store: Store, tmp_path: Path
) -> None:
    import os
    import threading

    from tests.clirunner import waypoint

    log_entry(plan_store, LOCAL_MANAGER, "leads", 3, day=DAY, note="=1+1")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # like --out /dev/stdout piped into another program
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    run = waypoint(plan_store.path, "export", "--out", str(fifo))
    reader.join(10)
    assert run.code == 0, run.err
    lines = got[0].splitlines()
    assert lines[0].startswith("day,metric,value") and "'=1+1" in lines[1]
    assert len(lines) == 2  # the "Wrote 1 observations" line went to stderr, not the stream
    assert "Wrote 1 observations" in run.err and run.out == ""


def test_export_replaces_a_link_never_the_file_it_names_and_keeps_a_files_mode(
    plan_store: Store, tmp_path: Path
) -> None:
    # In a shared folder someone may plant obs.csv -> a file only the exporter may write;
    # following the link would overwrite that file with the export.
    log_entry(plan_store, LOCAL_MANAGER, "leads", 3, day=DAY)
    secret = tmp_path / "secret.conf"
    secret.write_text("keep me")
    planted = tmp_path / "shared" / "obs.csv"
    planted.parent.mkdir()
    planted.symlink_to(secret)
    assert export_observations(plan_store, planted) == 1
    assert secret.read_text() == "keep me"
    assert not planted.is_symlink() and planted.read_text().startswith("day,metric,value")
    # a link to a device is a name like any other too, never a stream to write into
    device = tmp_path / "shared" / "dev.csv"
    device.symlink_to("/dev/null")
    export_observations(plan_store, device)
    assert not device.is_symlink()
    # a link that loops is replaced as well, not an unexplained error
    loop = tmp_path / "shared" / "loop.csv"
    loop.symlink_to(loop)
    export_observations(plan_store, loop)
    assert loop.read_text().startswith("day,metric,value")
    # every --out is written the same way: the plan and the weekly review too
    from tests.clirunner import waypoint

    for args in (("plan", "export"), ("report", "weekly", "--week", "2026-W31")):
        planted.unlink()
        planted.symlink_to(secret)
        run = waypoint(plan_store.path, *args, "--out", str(planted))
        assert run.code == 0, run.err
        assert secret.read_text() == "keep me" and not planted.is_symlink()
    # a regular file keeps who may read it
    kept = tmp_path / "shared" / "kept.csv"
    kept.write_text("last week's export")
    kept.chmod(0o640)
    export_observations(plan_store, kept)
    assert kept.stat().st_mode & 0o777 == 0o640


_key = st.tuples(
    st.integers(2, 30),  # line: repeats (several rows on a line) and gaps both happen
    st.sampled_from(["leads", "posts"]),
    st.integers(-3, 12).map(lambda n: DAY + dt.timedelta(days=n)),
    st.sampled_from(["x", "y"]),
)


@pytest.mark.slow  # a database per example
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.lists(st.tuples(_key, st.integers(0, 5)), min_size=1, max_size=20),
    second=st.lists(st.tuples(_key, st.integers(0, 5)), min_size=1, max_size=20),
)
# as many rows as lines in the span, yet one line holds two rows and another none
@example(
    first=[((2, "leads", DAY, "x"), 1), ((2, "posts", DAY, "x"), 2), ((4, "leads", DAY, "y"), 3)],
    second=[((2, "leads", DAY, "x"), 1)],
)
def test_entry_ids_are_consecutive_in_file_order_however_the_batch_looks(
    plan_store: Store, first: list, second: list
) -> None:
    # Two ways of numbering (a line's offset for one row per consecutive line, a sort
    # otherwise) must give the same ids: consecutive, by line, then metric and source.
    with scratch_copy(plan_store) as store:
        for batch in (first, second):  # the second replaces and repeats some of the first
            kept: dict[tuple, int] = {}  # the last line wins for a repeated key
            for (line, metric, day, source), _ in sorted(batch, key=lambda r: r[0][0]):
                kept[(metric, day, source)] = line
            with store.read() as con:
                before = con.execute("SELECT coalesce(max(id), 0) FROM observations").fetchall()[0][
                    0
                ]
            result = write_observations(
                store, LOCAL_MANAGER, rows(*((k[0], k[2], k[1], float(v), k[3]) for k, v in batch))
            )
            if result.change is None:
                continue
            with store.read() as con:
                stored = con.execute(
                    "SELECT id, metric, day, source FROM observations WHERE change_id = ? ORDER BY id",
                    [result.change],
                ).fetchall()
            ids = [r[0] for r in stored]
            assert ids == list(range(before + 1, before + 1 + len(ids)))
            with store.read() as con:  # and stored in id order (zone maps find an id)
                physical = con.execute(
                    "SELECT id FROM observations WHERE change_id = ? ORDER BY rowid",
                    [result.change],
                ).fetchall()
            assert [r[0] for r in physical] == ids
            order = [(kept[(m, d, s)], m, s) for _, m, d, s in stored]
            assert order == sorted(order)


_batch = st.lists(
    st.tuples(
        st.sampled_from(["leads", "li-followers"]),  # a flow and a stock metric
        st.integers(0, 6).map(lambda n: DAY + dt.timedelta(days=n)),
        st.sampled_from(["x", "y"]),
        st.integers(0, 9),
    ),
    min_size=1,
    max_size=12,
)


@pytest.mark.slow  # a database per example
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(st.tuples(_batch, st.booleans()), min_size=1, max_size=4))
def test_day_values_after_imports_match_the_rule_new_days_and_old(
    plan_store: Store, batches: list
) -> None:
    # An import writes days that had no value and get one row from the batch as they
    # are, and sends every other day through the day-value rule: a one-source batch
    # onto days another source or a hand entry already holds, a two-source batch, a
    # replaced value. Whatever the mix, the kept table equals the plain rule.
    with scratch_copy(plan_store) as store:
        log_entry(store, LOCAL_MANAGER, "leads", 1, day=DAY + dt.timedelta(days=2))
        for rows_, one_source in batches:
            table = rows(
                *(
                    (line, day, metric, float(v), "x" if one_source else source)
                    for line, (metric, day, source, v) in enumerate(rows_, start=2)
                )
            )
            write_observations(store, LOCAL_MANAGER, table)
            with store.read() as con:
                assert mismatches(con) == (0, [])


def test_a_small_batch_into_a_bigger_table_is_stored_in_id_order(plan_store: Store) -> None:
    # DuckDB may build its join on the smaller side (the batch) and hand rows back in
    # hash order; the ids must still be stored in order, so zone maps find an id.
    days = [DAY - dt.timedelta(days=n) for n in range(300)]
    write_observations(
        plan_store,
        LOCAL_MANAGER,
        rows(*((i + 2, d, "posts", 1.0, "x") for i, d in enumerate(days))),
    )
    batch = rows(
        *((i + 2, days[i * 37], "posts", 2.0, "x") for i in range(4)),  # replaced
        *((i + 6, DAY - dt.timedelta(days=400 + i), "posts", 3.0, "x") for i in range(5)),  # new
    )
    result = write_observations(plan_store, LOCAL_MANAGER, batch)
    with plan_store.read() as con:
        stored = con.execute(
            "SELECT id FROM observations WHERE change_id = ? ORDER BY rowid", [result.change]
        ).fetchall()
    assert [r[0] for r in stored] == sorted(r[0] for r in stored) and len(stored) == 9


def _overlaps_by_rule(con: Any) -> list[tuple]:
    """Overlapping sources in plain Python: each flow metric's live days with two or more
    sources, grouped by metric and set of sources; for hours (effort), only sources of
    one person meet (``timesheet:jay`` and ``crm.for-jay``), as others' hours add up."""
    days: dict[tuple, set[str]] = {}
    for metric, klass, day, source in con.execute(
        "SELECT o.metric, m.class, o.day, o.source FROM observations o"
        " JOIN metrics m ON m.key = o.metric"
        " WHERE o.removed_by IS NULL AND m.behaviour = 'flow' AND o.source <> 'manual'"
    ).fetchall():
        person = ""
        if klass == "effort":
            person = source.removeprefix("timesheet:") if source.startswith("timesheet:") else ""
            person = person or (source.split(".for-", 1)[1] if ".for-" in source else "")
            if not person:
                continue
        days.setdefault((metric, day, person), set()).add(source)
    spans: dict[tuple, list] = {}
    for (metric, day, _), sources in days.items():
        if len(sources) > 1:
            spans.setdefault((metric, tuple(sorted(sources))), []).append(day)
    return sorted((m, list(s), len(d), min(d), max(d)) for (m, s), d in spans.items())


@pytest.mark.slow  # a database per example
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(
        st.lists(
            st.tuples(
                st.sampled_from(["leads", "posts", "hours", "li-followers"]),
                st.integers(0, 5),
                st.sampled_from(
                    ["a", "b", "c", "manual", "timesheet:amy", "a.for-amy", "b.for-ricardo"]
                ),
            ),
            min_size=1,
            max_size=12,
        ),
        min_size=1,
        max_size=4,
    ),
    many=st.booleans(),
)
def test_overlapping_sources_agree_with_the_rule_by_mask_or_by_list(
    plan_store: Store, batches: list, many: bool
) -> None:
    """A day's sources are kept as a bit mask when the workspace has at most 64 of them, and
    as lists beyond: both give what the rule gives (stock metrics never overlap; hours
    only among one person's sources)."""
    with scratch_copy(plan_store) as store:
        if many:  # 70 sources: past what one mask holds
            wide = [(n, DAY - dt.timedelta(days=30), "leads", 1.0, f"s{n}") for n in range(70)]
            write_observations(store, LOCAL_MANAGER, rows(*wide))
        for batch in batches:
            items = [
                (n, DAY + dt.timedelta(days=d), m, 1.0, s) for n, (m, d, s) in enumerate(batch)
            ]
            write_observations(store, LOCAL_MANAGER, rows(*items))
        with store.read() as con:
            found = [(o.metric, o.sources, o.days, o.first, o.last) for o in overlaps(con)]
            assert found == _overlaps_by_rule(con)


def test_a_files_by_must_name_someone_who_records_values(plan_store: Store) -> None:
    # like `--for`, a file's `by` is a manager or assistant of the workspace: a stranger
    # or a viewer as the author of a value is rejected with its line, the rest stored
    ricardo = Actor("ricardo", "manager", "Ricardo")
    batch = pa.concat_tables(
        [
            rows((2, DAY, "leads", 1.0, "crm"), by="amy"),
            rows((3, DAY, "posts", 2.0, "crm"), by="ghost"),
            rows((4, DAY, "li-followers", 3.0, "crm"), by="vic"),  # the plan's viewer
            rows((5, DAY + dt.timedelta(1), "leads", 4.0, "crm")),  # none: the importer
        ]
    )
    result = write_observations(plan_store, ricardo, batch)
    assert result.inserted == 2
    assert [(r.line, r.column, r.value) for r in result.rejected] == [
        (3, "by", "ghost"),
        (4, "by", "vic"),
    ]
    assert "not a manager or assistant of this workspace" in result.rejected[0].reason
    assert result.per_metric["posts"]["rejected"] == 1
    with plan_store.read() as con:
        authors = con.execute(
            "SELECT recorded_by FROM observations ORDER BY day, recorded_by"
        ).fetchall()
    assert [a[0] for a in authors] == ["amy", "ricardo"]


def test_a_row_naming_the_manual_source_is_stored_as_imported_and_says_so(
    plan_store: Store,
) -> None:
    # 'manual' is kept for values logged by hand: an import never writes or replaces one
    result = write_observations(
        plan_store,
        LOCAL_MANAGER,
        rows((2, DAY, "leads", 1.0, " manual "), (3, DAY, "posts", 2.0, "x")),
    )
    assert result.renamed_manual == 1
    assert any("name the source 'manual'" in n for n in result.notes())
    with plan_store.read() as con:
        sources = con.execute("SELECT DISTINCT source FROM observations ORDER BY 1").fetchall()
    assert [s[0] for s in sources] == ["import", "x"]


def test_export_and_rejects_leave_a_plain_negative_number_as_it_is(
    plan_store: Store, tmp_path: Path
) -> None:
    """One rule for neutralising, in SQL (export) and Python (rejects files): -4 is the
    number a spreadsheet shows, -2-3 a formula it would run."""
    log_entry(plan_store, LOCAL_MANAGER, "leads", 3, day=DAY, note="-4")
    log_entry(plan_store, LOCAL_MANAGER, "posts", 1, day=DAY, note="-2-3")
    out = tmp_path / "obs.csv"
    export_observations(plan_store, out)
    with out.open() as fh:
        notes = {r["metric"]: r["note"] for r in csv.DictReader(fh)}
    assert notes == {"leads": "-4", "posts": "'-2-3"}


def test_one_persons_hours_from_two_sources_are_said_to_count_twice(
    demo_store: Store, tmp_path: Path
) -> None:
    # the demo keeps Jay's hours as his timesheet; a file of his hours for the same day
    # counts them twice, while another person's hours that day add up as they should
    from tests.clirunner import waypoint
    from tracker.vanity import run_audit

    path = tmp_path / "hours.csv"
    path.write_text("day,metric,value,for\n2026-11-18,ig-hours,2,jay\n")
    run = waypoint(demo_store.path, "import", str(path))
    assert run.code == 0, run.err
    assert "import.long.for-jay and timesheet:jay both cover 1 day(s)" in run.out
    # ... and `prefer:` is offered as settling that person's hours alone (it once would
    # have dropped everyone else's hours of those days)
    assert "the same person's hours came twice" in run.out
    assert "each person's hours apart" in run.out
    flags = [
        f
        for f in run_audit(demo_store, dt.date(2026, 11, 20)).flags
        if f.code == "overlapping_sources" and f.subject == "metric:ig-hours"
    ]
    assert flags and flags[0].next_step.startswith("The same person's hours came twice")


def test_a_files_notes_are_cleaned_and_held_to_a_typed_notes_length(
    plan_store: Store, tmp_path: Path
) -> None:
    # as a note typed with `log`: no control characters (an escape sequence would reach
    # a terminal), line breaks kept, at most 4,000 characters (the row is rejected)
    from tests.clirunner import waypoint

    path = tmp_path / "notes.csv"
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["day", "metric", "value", "note"])
        out.writerow(["2026-08-03", "leads", "1", "red\x1b[31m text\ntwo lines"])
        out.writerow(["2026-08-04", "leads", "2", "x" * 5000])
        out.writerow(["2026-08-05", "leads", "3", "\t\n "])  # blank: no note
    run = waypoint(plan_store.path, "import", str(path), "--json")
    report = run.json()["files"][0]
    assert [(r["line"], r["column"]) for r in report["rejected"]] == [(3, "note")]
    assert "5,000 characters long; keep it under 4,000" in report["rejected"][0]["reason"]
    values = waypoint(plan_store.path, "values", "leads", "--json").json()["values"]
    assert [v["note"] for v in values] == ["red[31m text\ntwo lines", None]


def test_an_overlap_of_many_sources_names_a_few_and_counts_the_rest(plan_store: Store) -> None:
    # a long file with a source per row listed a thousand sources on one line
    from tracker.observations import overlap_sentences

    many = [(i + 1, DAY, "leads", 1.0, f"src{i:03d}") for i in range(40)]
    result = write_observations(plan_store, LOCAL_MANAGER, rows(*many))
    (sentence,) = overlap_sentences(result.overlaps)
    assert "src000, src001, src002, src003, src004, src005 and 34 more:" in sentence
    assert "src039" not in sentence


def test_a_write_refusing_an_unknown_metric_names_the_key_it_means(plan_store: Store) -> None:
    result = write_observations(plan_store, LOCAL_MANAGER, rows((1, DAY, "Leads", 1.0, "crm")))
    (reject,) = result.rejected
    assert reject.reason.startswith("unknown metric 'Leads' (did you mean 'leads'?);")
