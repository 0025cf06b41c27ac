"""A black-box security pass (2026-12-06): escape sequences through a file's source and
an inbox file's name, a planted link at Waypoint's own folders, a person keyed `local`,
names that hide or reorder text, and the scheduler's lock file as --out."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest

from jobs.runner import run_job
from tests.clirunner import waypoint
from tests.conftest import SMALL_PLAN
from tracker.store import Store

NOW = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
ESCAPE = "\x1b]0;pwned\x07\x1b[31m"


def _drop(path: Path, text: str) -> None:
    """A file dropped in the inbox two minutes ago: settled, the job takes it."""
    path.write_text(text)
    old = time.time() - 120
    os.utime(path, (old, old), follow_symlinks=False)


def test_a_source_with_an_escape_sequence_is_rejected_not_stored(
    plan_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "esc.csv"
    path.write_text(
        f"day,metric,value,source\n2026-08-03,leads,1,{ESCAPE}red\n2026-08-04,leads,2,crm\n"
    )
    run = waypoint(plan_store.path, "import", str(path), "--json")
    report = run.json()["files"][0]
    assert [(r["line"], r["column"]) for r in report["rejected"]] == [(2, "source")]
    assert "control characters" in report["rejected"][0]["reason"]
    assert "\x1b" not in run.out and "\x07" not in run.out
    assert [
        v["source"] for v in waypoint(plan_store.path, "values", "leads", "--json").json()["values"]
    ] == ["crm"]


def test_an_inbox_file_named_with_escapes_is_shown_and_kept_without_them(store: Store) -> None:
    inbox = store.path.parent / "inbox"
    inbox.mkdir()
    _drop(inbox / f"e{ESCAPE}.csv", "day,metric,value\n")
    _drop(inbox / "nl\nX: forged.csv", "day,metric,value\n")
    outcome, message = run_job(store, "inbox_import", NOW)
    assert "\x1b" not in message and "\x07" not in message and "\n" not in message, message
    assert "e?]0;pwned??[31m.csv" in message
    moved = [p.name for p in (inbox / "failed").iterdir()]
    assert moved and not any("\x1b" in name or "\n" in name for name in moved), moved


def test_a_link_planted_at_an_inbox_folder_is_not_written_through(
    store: Store, tmp_path: Path
) -> None:
    inbox = store.path.parent / "inbox"
    inbox.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (inbox / "done").symlink_to(elsewhere)
    _drop(inbox / "a.csv", "day,metric,value\n2026-08-03,leads,1\n")
    outcome, message = run_job(store, "inbox_import", NOW)
    assert outcome == "failed" and "links to other folders" in message, message
    assert list(elsewhere.iterdir()) == [] and (inbox / "a.csv").exists()


def test_a_link_planted_at_rejects_is_not_written_through_and_the_import_stands(
    plan_store: Store, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (plan_store.path.parent / "rejects").symlink_to(elsewhere)
    path = tmp_path / "a.csv"
    path.write_text("day,metric,value\n2026-08-03,leads,1\n2026-08-04,nosuch,2\n")
    run = waypoint(plan_store.path, "import", str(path))
    assert run.code == 0, run.err
    assert "were not saved to a file" in run.out and "is a link to another folder" in run.out
    assert list(elsewhere.iterdir()) == []


def test_a_file_name_too_long_for_a_rejects_file_keeps_the_import_and_says_so(
    plan_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / ("L" * 240 + ".csv")
    path.write_text("day,metric,value\n2026-08-03,leads,1\n2026-08-04,nosuch,2\n")
    run = waypoint(plan_store.path, "import", str(path), "--json")
    assert run.code == 0, run.err
    saved = Path(run.json()["files"][0]["rejects_file"])
    assert saved.exists() and len(saved.name.encode()) < 255 and "--out" not in run.err


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("local", "people[local].key: 'local' is the command line's own manager"),
        ("scheduler", "people[scheduler].key: 'scheduler' records the scheduled jobs' imports"),
    ],
)
def test_a_person_keyed_as_the_tools_own_actors_is_refused(
    tmp_path: Path, key: str, message: str
) -> None:
    # a person of that key would take over the command line's or the scheduler's work
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        SMALL_PLAN.replace(
            "people:\n", f"people:\n  - {{key: {key}, name: Mallory, role: assistant}}\n", 1
        )
    )
    run = waypoint(tmp_path / "w.duckdb", "plan", "apply", str(plan))
    assert run.code == 2 and message in run.err


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\u2066", "\ufeff"])
def test_names_that_hide_or_reorder_text_are_refused(tmp_path: Path, hidden: str) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(SMALL_PLAN.replace("name: Amy,", f'name: "Amy {hidden}redaeR",', 1))
    run = waypoint(tmp_path / "w.duckdb", "plan", "apply", str(plan))
    assert run.code == 2 and "people[amy].name: holds a character that hides or reorders" in run.err
    # the joiners Persian and Indic names need stay allowed
    plan.write_text(SMALL_PLAN.replace("name: Amy,", 'name: "مهرداد\u200cی",', 1))
    assert waypoint(tmp_path / "w.duckdb", "plan", "apply", str(plan)).code == 0


def test_the_scheduler_lock_is_no_out_file(plan_store: Store) -> None:
    lock = Path(str(plan_store.path) + ".scheduler.lock")
    run = waypoint(plan_store.path, "plan", "export", "--out", str(lock))
    assert run.code == 2 and "the database itself (or its log or lock)" in run.err
    run = waypoint(plan_store.path, "export", "--out", str(lock))
    assert run.code == 2 and not lock.exists()


@pytest.mark.parametrize(
    "text",
    [
        f"day,metric,value\n2026-08-03,le{ESCAPE}ads,1\n",  # a metric named in a reject
        f"day,leads,z{ESCAPE}\n2026-08-03,1,2\n",  # a column of the wide form
    ],
)
def test_an_escape_sequence_in_a_file_never_reaches_the_terminal(
    plan_store: Store, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "hostile.csv"
    path.write_text(text)
    run = waypoint(plan_store.path, "import", str(path))
    assert "\x1b" not in run.out + run.err and "\x07" not in run.out + run.err
    assert "?]0;pwned??[31m" in run.out + run.err  # shown as file names are: '?'


def test_control_characters_in_a_plans_text_are_refused_and_never_printed(
    tmp_path: Path,
) -> None:
    plan = tmp_path / "plan.yaml"
    # a text field holding an escape, and a field name holding one (unknown: named back)
    hostile = SMALL_PLAN.replace("name: Amy,", 'name: Amy, "bo\\e]52;c;eA==\\agus": 1,', 1)
    plan.write_text(hostile)
    run = waypoint(tmp_path / "w.duckdb", "plan", "apply", str(plan))
    assert run.code == 2 and "\x1b" not in run.err and "bo?]52;c;eA==?gus" in run.err
    plan.write_text(SMALL_PLAN.replace('"Every buyer finds us first"', '"go\\e[2J"', 1))
    run = waypoint(tmp_path / "w.duckdb", "plan", "apply", str(plan))
    assert run.code == 2 and "workspace.vision: holds a control character ('\\x1b')" in run.err


def test_an_acknowledgement_keeps_no_escape_sequence(plan_store: Store) -> None:
    from tracker.records import LOCAL_MANAGER
    from tracker.vanity import acknowledge, run_audit

    flag = run_audit(plan_store).flags[0]
    acknowledge(plan_store, LOCAL_MANAGER, flag.code, flag.subject, f"ok {ESCAPE}fine")
    acked = {(f.code, f.subject): f for f in run_audit(plan_store).flags}
    assert acked[(flag.code, flag.subject)].ack_reason == "ok ]0;pwned[31mfine"


@pytest.mark.parametrize("command", ["import", "backup"])
def test_a_path_too_long_for_a_file_is_bad_input(
    plan_store: Store, tmp_path: Path, command: str
) -> None:
    run = waypoint(plan_store.path, command, str(tmp_path / ("e" * 300)))
    assert run.code == 2 and "the name is too long for a file" in run.err
    assert "unexpected" not in run.err


def test_a_decision_and_a_file_name_carry_no_control_or_reordering_characters(
    store: Store, tmp_path: Path
) -> None:
    # a decision with an escape sequence reached every reader's terminal through
    # `waypoint audit-log`; a file name with a direction override read backwards
    from tracker.annotations import add_annotation
    from tracker.plan import apply_plan_text
    from tracker.records import LOCAL_MANAGER

    apply_plan_text(store, SMALL_PLAN, LOCAL_MANAGER)
    typed = "Ship it \x1b]0;PWNED\x07\x1b[2J \u202egnp.exe\u202c zero\u200bwidth"
    note = add_annotation(store, LOCAL_MANAGER, dt.date(2026, 8, 3), typed, kind="decision")
    assert note.text == "Ship it ]0;PWNED[2J gnp.exe zerowidth"
    shown = waypoint(store.path, "audit-log", "--limit", "3").out
    assert "\x1b" not in shown and "\u202e" not in shown
    name = tmp_path / "e\u202emx.csv"
    name.write_text("day,metric,value\n2026-08-03,leads,1\n")
    assert waypoint(store.path, "import", str(name)).code == 0
    changes = waypoint(store.path, "changes").out
    assert "\u202e" not in changes and "emx.csv" in changes
