"""#15 items 1, 7, 13: the inbox claims a file before reading it, fails one file at a time,
and never follows a symlink."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest

from jobs.runner import run_job
from tracker.store import Store

NOW = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)


def settled(path: Path) -> Path:
    old = time.time() - 120
    os.utime(path, (old, old), follow_symlinks=False)
    return path


@pytest.fixture
def inbox(db_path: Path) -> Path:
    folder = db_path.parent / "inbox"
    folder.mkdir()
    return folder


def test_symlinks_and_non_files_are_skipped_and_never_echoed(
    store: Store, inbox: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:$6$very-secret-hash\n")
    link = inbox / "shadow.csv"
    link.symlink_to(secret)
    (inbox / "folder.csv").mkdir()
    outcome, message = run_job(store, "inbox_import", NOW)
    assert outcome == "ok" and "nothing new" in message, message
    assert link.is_symlink() and secret.read_text().startswith("root")
    for written in inbox.rglob("*.txt"):
        assert "very-secret" not in written.read_text()


def test_an_unexpected_error_fails_that_file_only(
    plan_store: Store, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.importer

    real = tracker.importer.import_file

    def flaky(store, actor, path, **kw):  # year 9999 once raised OverflowError here
        if "boom" in Path(path).name:
            raise OverflowError("date value out of range")
        return real(store, actor, path, **kw)

    monkeypatch.setattr(tracker.importer, "import_file", flaky)
    (inbox / "a-boom.csv").write_text("day,metric,value\n")
    settled(inbox / "a-boom.csv")
    good = inbox / "b-good.csv"
    good.write_text("day,metric,value\n2026-11-02,leads,3\n")
    settled(good)
    outcome, message = run_job(plan_store, "inbox_import", NOW)
    assert outcome == "ok", message
    assert "failed 1: a-boom.csv" in message and "imported 1: b-good.csv" in message
    assert list((inbox / "failed").glob("*a-boom.csv"))
    assert not list(inbox.glob("*.csv"))


def test_a_file_left_half_read_by_a_crash_is_not_read_again(plan_store: Store, inbox: Path) -> None:
    # A run that died while reading (kill -9, a reader abort) leaves its claimed file in
    # processing/: the next run moves it to failed/ and goes on with the others.
    processing = inbox / "processing"
    processing.mkdir()
    (processing / "20261123T090000-killer.xlsx").write_bytes(b"PK\x03\x04 not really")
    good = inbox / "next.csv"
    good.write_text("day,metric,value\n2026-11-02,leads,3\n")
    settled(good)
    outcome, message = run_job(plan_store, "inbox_import", NOW)
    assert "killer.xlsx (interrupted)" in message and "imported 1: next.csv" in message
    kept = list((inbox / "failed").glob("*killer.xlsx"))
    assert kept and "interrupted" in Path(str(kept[0]) + ".txt").read_text()


def test_a_run_while_another_holds_the_inbox_leaves_its_files_alone(
    plan_store: Store, inbox: Path
) -> None:
    # the other run's file in processing/ was taken for one a stopped server left:
    # filed under failed/ as "interrupted" while the other run imported it
    import fcntl

    processing = inbox / "processing"
    processing.mkdir()
    theirs = processing / "20261123T095900-being-read.csv"
    theirs.write_text("day,metric,value\n2026-11-02,leads,3\n")
    waiting = inbox / "next.csv"
    waiting.write_text("day,metric,value\n2026-11-03,leads,1\n")
    settled(waiting)
    with plan_store.inbox_lock_path().open("a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # the other run's turn
        outcome, message = run_job(plan_store, "inbox_import", NOW)
    assert outcome == "ok" and "another inbox run is under way" in message, message
    assert theirs.exists() and waiting.exists() and not (inbox / "failed").exists()
    # once it is done, the next run takes what is left (here: a true leftover)
    outcome, message = run_job(plan_store, "inbox_import", NOW + dt.timedelta(minutes=5))
    assert "being-read.csv (interrupted)" in message and "imported 1: next.csv" in message


def test_a_text_file_or_a_folder_in_the_inbox_is_named_as_left_alone(
    plan_store: Store, inbox: Path
) -> None:
    # they were left without a word, and the person who dropped them waited
    settled(inbox)
    (inbox / "notes.txt").write_text("campaign notes")
    (inbox / "sub").mkdir()
    (inbox / "sub" / "orders.csv").write_text("day,metric,value\n2026-11-02,leads,3\n")
    (inbox / ".hidden.csv").write_text("x")
    outcome, message = run_job(plan_store, "inbox_import", NOW)
    assert outcome == "ok", message
    assert "left alone: notes.txt (a .txt or rejects file is never imported)" in message
    assert "sub/ (a folder: files are read from the inbox itself)" in message
    assert ".hidden" not in message and (inbox / "notes.txt").exists()
