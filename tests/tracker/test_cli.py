"""The command line as a user runs it: exit codes, stdout and stderr messages.

In process through click's CliRunner (tests/clirunner.py) for speed; one test starts the
real ``python -m tracker.cli`` to prove the installed entry point behaves the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clirunner import waypoint
from tests.conftest import SMALL_PLAN


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(SMALL_PLAN)
    return path


def test_init_then_plan_apply_export_round_trip(tmp_path: Path, plan_file: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert waypoint(db, "init").code == 0
    assert waypoint(db, "init").code == 0
    applied = waypoint(db, "plan", "apply", str(plan_file))
    assert applied.code == 0, applied.err
    exported = tmp_path / "export.yaml"
    assert waypoint(db, "plan", "export", "--out", str(exported)).code == 0
    again = waypoint(db, "plan", "apply", str(exported))
    assert "0 created, 0 updated, 0 archived" in again.out
    assert waypoint(db, "plan", "export").out == exported.read_text()


def test_unknown_metric_exits_2_names_kpi_changes_nothing(tmp_path: Path, plan_file: Path) -> None:
    db = tmp_path / "w.duckdb"
    waypoint(db, "plan", "apply", str(plan_file))
    before = waypoint(db, "plan", "export").out
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        SMALL_PLAN.replace("metric: leads, aggregation", "metric: leadz, aggregation")
    )
    result = waypoint(db, "plan", "apply", str(broken))
    assert result.code == 2
    assert "kpis[leads-h2].metric" in result.err and "leadz" in result.err
    assert "Traceback" not in result.err
    assert waypoint(db, "plan", "export").out == before


def test_log_and_roles_through_as(tmp_path: Path, plan_file: Path) -> None:
    db = tmp_path / "w.duckdb"
    waypoint(db, "plan", "apply", str(plan_file))
    ok = waypoint(db, "log", "leads", "4", "--day", "2026-08-01", "--as", "amy")
    assert ok.code == 0 and "Logged Qualified leads +4 on 2026-08-01" in ok.out
    viewer = waypoint(db, "log", "leads", "4", "--day", "2026-08-01", "--as", "vic")
    assert viewer.code == 2 and "viewer" in viewer.err
    target = tmp_path / "t.yaml"
    target.write_text(SMALL_PLAN.replace("target: 60", "target: 1"))
    refused = waypoint(db, "plan", "apply", str(target), "--as", "amy")
    assert refused.code == 2 and "only a manager" in refused.err
    assert "target: 60" in waypoint(db, "plan", "export").out
    unknown = waypoint(db, "log", "leads", "4", "--as", "nobody")
    assert unknown.code == 2 and "nobody" in unknown.err


def test_as_after_a_reading_command_reads_as_that_person(tmp_path: Path, plan_file: Path) -> None:
    """docs/cli.md: `--as PERSON` before or after the command. After a reading command it
    was a usage error (exit 2), so `waypoint status --json --as vic` failed."""
    db = tmp_path / "w.duckdb"
    waypoint(db, "plan", "apply", str(plan_file))
    waypoint(db, "log", "leads", "4", "--day", "2026-08-01")
    for argv in (
        ["status", "--json", "--as-of", "2026-08-02"],
        ["audit", "--json", "--as-of", "2026-08-02"],
        ["values", "leads", "--json"],
        ["checkins", "--json", "--week", "2026-W31"],
        ["audit-log", "--json"],
        ["export", "--format", "csv", "--out", "-"],
        ["check", "--json"],
        ["jobs", "list", "--json"],
        ["impact", "--json", "--as-of", "2026-08-02"],
        ["report", "weekly", "--week", "2026-W31"],
    ):
        before = waypoint(db, "--as", "vic", *argv)
        after = waypoint(db, *argv, "--as", "vic")
        assert after.code == 0, (argv, after.err)
        assert after.out == before.out, argv
        unknown = waypoint(db, *argv, "--as", "nobody")
        assert unknown.code == 2 and "nobody" in unknown.err, (argv, unknown)


def test_init_and_demo_refuse_an_as_naming_no_one(tmp_path: Path, plan_file: Path) -> None:
    # `waypoint --as nobody init` said "ready" (exit 0): a typo in a script passed unseen
    fresh = tmp_path / "fresh.duckdb"
    for argv in (["init"], ["demo"]):
        refused = waypoint(fresh, "--as", "ricardo", *argv)
        assert refused.code == 2 and "holds no workspace yet" in refused.err, (argv, refused)
        assert not fresh.exists()  # nothing created
    db = tmp_path / "w.duckdb"
    waypoint(db, "plan", "apply", str(plan_file))
    assert waypoint(db, "init", "--as", "amy").code == 0  # someone of the workspace
    unknown = waypoint(db, "--as", "nobody", "init")
    assert unknown.code == 2 and "--as nobody: no such person" in unknown.err
    demo = waypoint(db, "demo", "--as", "nobody")
    assert demo.code == 2 and "--as nobody" in demo.err
    assert "target: 60" in waypoint(db, "plan", "export").out  # the workspace untouched


def test_every_command_takes_as_after_its_name() -> None:
    import click

    from tracker.cli import cli

    ctx = click.Context(cli)

    def leaves(group: click.Group, path: str) -> list[tuple[str, click.Command]]:
        found = []
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            assert command is not None
            if isinstance(command, click.Group):
                found += leaves(command, f"{path} {name}")
            else:
                found.append((f"{path} {name}", command))
        return found

    commands = leaves(cli, "waypoint")
    assert len(commands) > 20
    without = [path for path, c in commands if not any("--as" in p.opts for p in c.params)]
    assert without == []
    # and every plain-text option or argument refuses bytes that are not UTF-8 (TEXT),
    # in groups' commands too (plan export, report weekly): paths keep click.Path
    from tracker.cli import TEXT

    plain = [
        f"{path} {p.name}"
        for path, c in commands
        for p in c.params
        if isinstance(p.type, click.types.StringParamType) and p.type is not TEXT
    ]
    assert plain == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["log", "leads", "abc"], "abc"),
        (["log", "leads", "1", "--day", "2026-13-01"], "--day"),
        (["log", "nope", "1"], "unknown metric 'nope'"),
        (["plan", "apply", "missing.yaml"], "no such file"),
        (["status", "--as-of", "yesterday"], "--as-of"),
        (["changes", "--limit", "-1"], "'--limit': -1 is not in the range"),
        (["audit-log", "--limit", "99999999999999999999"], "'--limit'"),
        (["delete", "99999999999999999999"], "is not in the range"),
        (["log", "leads", "1_000"], "'1_000' is not a number"),
    ],
)
def test_bad_input_exits_2_with_message(
    tmp_path: Path, plan_file: Path, args: list[str], fragment: str
) -> None:
    db = tmp_path / "w.duckdb"
    waypoint(db, "plan", "apply", str(plan_file))
    result = waypoint(db, *args)
    assert result.code == 2, result
    assert fragment in result.err
    assert "Traceback" not in result.err


def test_audit_log_json_is_one_document(tmp_path: Path, plan_file: Path) -> None:
    db = tmp_path / "w.duckdb"
    waypoint(db, "plan", "apply", str(plan_file))
    waypoint(db, "log", "leads", "4", "--day", "2026-08-01")
    waypoint(db, "log", "leads", "5", "--day", "2026-08-01")
    waypoint(db, "log", "leads", "7", "--day", "2026-08-01", "--set")
    data = json.loads(waypoint(db, "audit-log", "--json").out)
    newest = data["entries"][0]
    assert newest["action"] == "set"
    assert [e["value"] for e in newest["old"]] == [4.0, 5.0]
    assert newest["new"]["value"] == 7.0
    # the text table reads as the Audit log page: names and "field: old → new", no
    # Python dicts cut off at 60 characters
    text = waypoint(db, "audit-log", "--limit", "3").out
    assert "Qualified leads on 1 Aug 2026" in text
    assert "{'" not in text and "Local manager" in text


def test_audit_log_times_are_on_the_workspace_clock(
    tmp_path: Path, plan_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Bueno Realty is in Chicago: a change at 03:30 UTC on 2 Aug was made on the evening
    # of 1 Aug there; the table said "when (UTC)" and --json gave the instant no offset
    db = tmp_path / "w.duckdb"
    waypoint(db, "plan", "apply", str(plan_file))
    monkeypatch.setenv("WAYPOINT_NOW", "2026-08-02T03:30:00+00:00")
    assert waypoint(db, "log", "leads", "4", "--day", "2026-08-01").code == 0
    data = json.loads(waypoint(db, "audit-log", "--json", "--limit", "1").out)
    assert data["entries"][0]["at"] == "2026-08-02T03:30:00+00:00"
    text = waypoint(db, "audit-log", "--limit", "1").out
    assert "America/Chicago" in text and "2026-08-01 22:30" in text
    values = json.loads(waypoint(db, "values", "leads", "--json").out)
    assert values["values"][-1]["recorded_at"] == "2026-08-02T03:30:00+00:00"
    # the same in `changes` and in the tables of `values` and `changes`
    changes = json.loads(waypoint(db, "changes", "--json", "--limit", "1").out)["changes"]
    assert changes[0]["at"] == "2026-08-02T03:30:00+00:00"
    for args in (("changes", "--limit", "1"), ("values", "leads")):
        table = waypoint(db, *args).out
        assert "America/Chicago" in table and "2026-08-01 22:30" in table, args
    # --since is a day on the same clock: the change of the evening of 1 Aug is in
    # "since 1 Aug" and not in "since 2 Aug" (it was the other way round in UTC)
    since = {
        day: [
            e["at"]
            for e in json.loads(waypoint(db, "audit-log", "--since", day, "--json").out)["entries"]
        ]
        for day in ("2026-08-01", "2026-08-02")
    }
    assert "2026-08-02T03:30:00+00:00" in since["2026-08-01"]
    assert "2026-08-02T03:30:00+00:00" not in since["2026-08-02"]


def test_a_json_run_that_fails_still_writes_one_document(tmp_path: Path, plan_file: Path) -> None:
    # a script reading --json gets a document saying why, not an empty stdout
    db = tmp_path / "w.duckdb"
    waypoint(db, "plan", "apply", str(plan_file))
    for args, says in (
        (["impact", "nosuch", "--json"], "unknown campaign 'nosuch'"),
        (["status", "--as-of", "2026-13-01", "--json"], "not a date"),
        (["log", "nope", "1", "--json"], "unknown metric 'nope'"),
    ):
        run = waypoint(db, *args)
        assert run.code == 2
        assert json.loads(run.out) == {
            "error": run.err.removeprefix("Error: ").strip(),
            "exit_code": 2,
        }
        assert says in run.out
    # an option click itself refuses still gets its document
    refused = waypoint(db, "changes", "--limit", "0", "--json")
    assert (
        refused.code == 2 and "'--limit': 0 is not in the range" in json.loads(refused.out)["error"]
    )
    # so does one whose --db click refuses, and one run with a WAYPOINT_NOW that is no time
    folder = waypoint(tmp_path, "status", "--json")
    assert folder.code == 2 and "is a directory" in json.loads(folder.out)["error"]
    pinned = waypoint(db, "checkins", "--json", env={"WAYPOINT_NOW": "garbage"})
    assert pinned.code == 2
    assert json.loads(pinned.out)["error"].startswith("WAYPOINT_NOW='garbage' is not a time")
    # and a run that succeeds after a failed one in the same process writes only its own
    ok = waypoint(db, "status", "--json")
    assert ok.code == 0 and "error" not in json.loads(ok.out)
    assert waypoint(db, "impact", "nosuch").out == ""  # without --json: stderr only


@pytest.mark.slow
def test_real_process_db_from_environment_and_exit_codes(tmp_path: Path) -> None:
    db = tmp_path / "env.duckdb"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tracker.cli", *args],
            capture_output=True,
            text=True,
            env={**os.environ, "WAYPOINT_DB": str(db)},
            timeout=120,
        )

    assert run("init").returncode == 0 and db.exists()
    bad = run("log", "nope", "1")
    assert bad.returncode == 2 and "unknown metric 'nope'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_every_command_has_help_and_the_reference_is_current() -> None:
    from cogapp import Cog

    from tracker.cli import COMMANDS

    for name in COMMANDS:
        result = waypoint("unused.duckdb", name, "--help")
        assert result.code == 0, (name, result.err)
    # docs/cli.md's table is generated from the commands (cog); it must be up to date.
    docs = Path(__file__).parents[2] / "docs" / "cli.md"
    assert Cog().main(["cog", "--check", "--diff", str(docs)]) == 0, "run: cog -r docs/cli.md"


def test_the_reference_brackets_only_what_may_be_left_out() -> None:
    from tracker.cli.reference import command_table

    table = command_table()
    # a required option read as optional: `waypoint checkin k` then said "Missing option"
    assert "`waypoint checkin KPI --confidence TEXT [--note TEXT]" in table
    assert "`waypoint acknowledge CODE SUBJECT --reason TEXT [--as-of DAY]" in table


def test_an_out_file_that_cannot_be_written_is_bad_input(tmp_path: Path, plan_file: Path) -> None:
    # a folder, a missing place or the database itself: exit 2 naming the path, and the
    # database is untouched
    db = tmp_path / "w.duckdb"
    waypoint(db, "init")
    waypoint(db, "plan", "apply", str(plan_file))
    waypoint(db, "log", "leads", "2", "--day", "2026-08-03")
    for args in (
        ("report", "weekly", "--out", str(tmp_path)),
        ("plan", "export", "--out", str(tmp_path / "missing" / "plan.yaml")),
        ("export", "--out", str(db)),
        ("export", "--out", str(tmp_path)),
        ("report", "weekly", "--out", str(db)),  # never written over the database
        ("plan", "export", "--out", str(db)),
    ):
        run = waypoint(db, *args)
        assert run.code == 2 and "--out" in run.err and "unexpected" not in run.err, (args, run)
    assert waypoint(db, "values", "leads", "--json").json()["days"][0]["value"] == 2.0


def test_a_read_on_a_missing_database_says_so_and_creates_nothing(tmp_path: Path) -> None:
    typo = tmp_path / "typo" / "w.duckdb"
    for args in (
        ("status",),
        ("audit", "--json"),
        ("values", "leads"),
        ("report", "weekly"),
        ("undo",),
        ("redo", "3"),
        ("delete", "1"),
        ("plan", "export"),
        ("checkin", "leads-h2", "--confidence", "on_track"),
        ("jobs", "list"),
    ):
        run = waypoint(typo, *args)
        assert run.code == 2 and "no database at" in run.err, (args, run)
    assert not typo.parent.exists()
    assert waypoint(typo, "status", "--help").code == 0  # help needs no database
    assert waypoint(typo, "init").code == 0 and typo.exists()  # init still creates it


def test_a_negative_value_is_a_value(tmp_path: Path, plan_file: Path) -> None:
    # `log METRIC -5`: a value, refused by the metric's minimum, not an unknown option
    db = tmp_path / "w.duckdb"
    waypoint(db, "init")
    waypoint(db, "plan", "apply", str(plan_file))
    run = waypoint(db, "log", "leads", "-5", "--day", "2026-08-03")
    assert run.code == 2 and "cannot go below 0" in run.err, run


def test_a_dry_run_shows_what_a_confirmation_would_allow(tmp_path: Path, plan_file: Path) -> None:
    # leaving out a section archives it: a real apply asks first; a dry run just shows it
    db = tmp_path / "w.duckdb"
    waypoint(db, "init")
    waypoint(db, "plan", "apply", str(plan_file))
    short = tmp_path / "short.yaml"
    short.write_text(SMALL_PLAN.split("objectives:")[0])
    dry = waypoint(db, "plan", "apply", str(short), "--dry-run")
    assert dry.code == 0 and "archive objective:buyer-leads" in dry.out, dry
    assert "would archive them all" in dry.err
    assert waypoint(db, "plan", "apply", str(short)).code == 2  # no terminal to ask
    assert "buyer-leads" in waypoint(db, "plan", "export").out  # nothing was archived


def test_a_plan_without_settings_asks_before_putting_them_back(
    tmp_path: Path, plan_file: Path
) -> None:
    # every other section left out is asked about; settings were reset to their defaults
    # without a word (pace thresholds, backups kept)
    db = tmp_path / "w.duckdb"
    with_settings = tmp_path / "with.yaml"
    with_settings.write_text(SMALL_PLAN + "settings:\n  on_track_pace: 0.8\n")
    assert waypoint(db, "plan", "apply", str(with_settings)).code == 0
    run = waypoint(db, "plan", "apply", str(plan_file))
    assert run.code == 2, run
    assert "no settings: section, and the workspace sets on_track_pace" in run.err
    assert "on_track_pace: 0.8" in waypoint(db, "plan", "export").out  # kept
    assert waypoint(db, "plan", "apply", str(plan_file), "--yes").code == 0
    assert "on_track_pace" not in waypoint(db, "plan", "export").out


@pytest.mark.parametrize(
    ("newer_text", "said"),
    [
        # an export made before settings were set lacks them and is stale: the question
        # was about the settings alone, and a yes set the newer target back unseen
        (
            SMALL_PLAN.replace("target: 60", "target: 99") + "settings:\n  on_track_pace: 0.8\n",
            ("no settings: section", "set these back", "leads-h2", "target"),
        ),
        # the vision rewritten since: the old file set it back without a question (the
        # stale check covered items, not the workspace)
        (
            SMALL_PLAN.replace("Every buyer finds us first", "Buyers call us first"),
            ("workspace: vision back to 'Every buyer finds us first'",),
        ),
    ],
)
def test_an_old_export_says_every_change_it_would_undo(
    tmp_path: Path, plan_file: Path, newer_text: str, said: tuple[str, ...]
) -> None:
    db = tmp_path / "w.duckdb"
    assert waypoint(db, "plan", "apply", str(plan_file)).code == 0
    old = tmp_path / "old.yaml"
    old.write_text(waypoint(db, "plan", "export").out)
    newer = tmp_path / "newer.yaml"
    newer.write_text(newer_text)
    assert waypoint(db, "plan", "apply", str(newer), "--yes").code == 0
    kept = waypoint(db, "plan", "export").out
    run = waypoint(db, "plan", "apply", str(old))
    assert run.code == 2 and all(part in run.err for part in said), run.err
    assert waypoint(db, "plan", "export").out == kept  # nothing set back unasked
    assert waypoint(db, "plan", "apply", str(old), "--yes").code == 0


def test_values_outside_the_days_asked_are_not_none_stored(tmp_path: Path, plan_file: Path) -> None:
    db = tmp_path / "w.duckdb"
    waypoint(db, "plan", "apply", str(plan_file))
    waypoint(db, "log", "leads", "2", "--day", "2026-08-03")
    run = waypoint(db, "values", "leads", "--from", "2026-09-01")
    assert run.code == 0 and "No values of Qualified leads from 2026-09-01." in run.out
    assert "stored yet" not in run.out
    empty = waypoint(db, "values", "posts")
    assert "No values of" in empty.out and "stored yet" in empty.out


def test_a_dry_run_on_a_new_database_creates_no_file(tmp_path: Path, plan_file: Path) -> None:
    db = tmp_path / "new.duckdb"
    run = waypoint(db, "plan", "apply", str(plan_file), "--dry-run")
    assert run.code == 0 and "Would apply" in run.out and "create kpi:leads-h2" in run.out
    assert list(tmp_path.glob("new.duckdb*")) == []  # nothing written, not even the file


def test_a_reader_that_stops_early_gets_no_error_message(tmp_path: Path, plan_file: Path) -> None:
    # `waypoint values leads | head -1`: the reader is gone before the output is written
    db = tmp_path / "w.duckdb"
    waypoint(db, "init")
    waypoint(db, "plan", "apply", str(plan_file))
    waypoint(db, "log", "leads", "2", "--day", "2026-08-03")
    for args in (("values", "leads", "--json"), ("values", "leads"), ("checkins",)):
        read, write = os.pipe()
        os.close(read)  # nobody will read: the first write fails
        proc = subprocess.run(
            [sys.executable, "-m", "tracker.cli", "--db", str(db), *args],
            stdout=write,
            stderr=subprocess.PIPE,
            env={k: v for k, v in os.environ.items() if k != "WAYPOINT_DB"},
            check=False,
        )
        os.close(write)
        err = proc.stderr.decode()
        assert proc.returncode == 1, (args, err)
        assert "unexpected" not in err and "Traceback" not in err, (args, err)
        assert "Exception ignored" not in err, (args, err)


def test_plan_apply_names_the_fields_it_updates_and_what_reads_values_anew(
    tmp_path: Path, plan_file: Path
) -> None:
    db = tmp_path / "w.duckdb"
    assert waypoint(db, "plan", "apply", str(plan_file)).code == 0
    assert waypoint(db, "log", "li-followers", "100", "--day", "2026-08-03").code == 0
    plan_file.write_text(
        SMALL_PLAN.replace("class: reach, behaviour: stock", "class: reach, behaviour: flow")
    )
    for dry in (["--dry-run"], []):
        run = waypoint(db, "plan", "apply", str(plan_file), *dry)
        assert run.code == 0, run.err
        assert "  update metric:li-followers (behaviour)\n" in run.out
        assert (
            "Note: LinkedIn followers (li-followers) holds 1 value: each day now adds up" in run.out
        )


def test_a_file_without_metrics_asks_only_about_those_it_would_archive(
    tmp_path: Path, plan_file: Path
) -> None:
    # metrics holding values are kept by a file that leaves them out: the question asked
    # to "archive them all", counting metrics the apply would never archive
    db = tmp_path / "w.duckdb"
    waypoint(db, "plan", "apply", str(plan_file))
    for metric in ("li-followers", "leads", "posts", "hours"):
        assert waypoint(db, "log", metric, "1", "--day", "2026-08-03").code == 0
    short = tmp_path / "people.yaml"
    short.write_text(SMALL_PLAN.split("metrics:")[0] + "settings: {}\n")
    dry = waypoint(db, "plan", "apply", str(short), "--dry-run")
    assert "objectives (1 in the workspace)" in dry.err
    assert "metrics (" not in dry.err and "keep metric:leads" in dry.out
    # one metric without values: that one is asked about
    waypoint(db, "delete", *[
        str(v["id"]) for v in json.loads(waypoint(db, "values", "hours", "--json").out)["values"]
    ])  # fmt: skip
    dry = waypoint(db, "plan", "apply", str(short), "--dry-run")
    assert "metrics (1 in the workspace)" in dry.err and "archive metric:hours" in dry.out
