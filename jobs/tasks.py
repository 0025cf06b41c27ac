"""The four scheduled jobs. Each takes the store and the slot's time and returns a
message for the run record; they call tracker/ services only."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from tracker.clock import workspace_timezone
from tracker.errors import BadInput, WaypointError
from tracker.periods import Period
from tracker.records import SCHEDULER
from tracker.settings import get_setting
from tracker.store import Store
from tracker.text import file_label, safe_file_name

SETTLE_SECONDS = 30  # a file modified more recently may still be being written
# Never a file to import: hidden files, the inbox's own notes and rejects, downloads still
# under way (a paused download settles and would be imported half-written) and the lock
# files office programs put beside an open file (Excel's ~$, LibreOffice's .~lock.).
PARTIAL_PREFIXES = (".", "~$")
PARTIAL_SUFFIXES = (".txt", ".rejects.csv", ".part", ".partial", ".crdownload", ".download", ".tmp")


def _stored(store: Store) -> dict[str, str]:
    from tracker.plan import load_plan

    return {k: str(v) for k, v in load_plan(store).settings.items()}


def data_dir(store: Store) -> Path:
    """The data_dir setting, else the folder that holds the database (data/ by default).

    From the environment it may be anywhere (the operator chose it). Stored through the
    plan or the Settings page it must stay inside the database's folder: a manager must
    not be able to make the jobs read an inbox or write backups elsewhere on the server.
    """
    from tracker.errors import BadInput
    from tracker.settings import SETTINGS

    base = store.path.parent.resolve()
    configured = get_setting("data_dir", _stored(store))
    if not configured:
        return base
    if SETTINGS["data_dir"].env_var in os.environ:
        return Path(configured)
    chosen = (base / configured).resolve()
    if not chosen.is_relative_to(base):
        raise BadInput(
            f"data_dir {configured!r} is outside {base}; a stored data_dir must stay inside"
            " the database's folder (set WAYPOINT_DATA_DIR in the environment to go elsewhere)"
        )
    return chosen


def _entries(folder: Path) -> list[tuple[Path, os.stat_result]]:
    """What ``folder`` holds, by name, as itself (``lstat``: a link is a link), without
    hidden files and office lock files (``~$book.xlsx``): nobody's to read or to name."""
    found = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(PARTIAL_PREFIXES):
            continue
        try:
            found.append((path, path.lstat()))
        except OSError:
            continue  # gone meanwhile
    return found


def _queued(inbox: Path) -> list[Path]:
    """Regular files waiting in the inbox. Symlinks, folders, sockets and the like are
    skipped: the inbox must never read (or echo) a file it was pointed at elsewhere."""
    return [
        path
        for path, info in _entries(inbox)
        if stat.S_ISREG(info.st_mode) and not path.name.lower().endswith(PARTIAL_SUFFIXES)
    ]


def _left_alone(inbox: Path) -> list[str]:
    """What a person may have dropped that the inbox never reads, said in the run's
    message (it was left without a word): a ``.txt`` file (the inbox's own notes are
    ``.txt``) and a folder of its own (files are read from the inbox itself only).
    Downloads under way stay unsaid: they settle and are read."""
    said = []
    for path, info in _entries(inbox):
        name = file_label(path.name)
        if stat.S_ISDIR(info.st_mode) and path.name not in ("done", "failed", "processing"):
            said.append(f"{name}/ (a folder: files are read from the inbox itself)")
        elif stat.S_ISREG(info.st_mode) and path.name.lower().endswith((".txt", ".rejects.csv")):
            said.append(f"{name} (a .txt or rejects file is never imported)")
    return said


def _fail(failed: Path, source: Path, name: str, stamp: str, why: str) -> None:
    failed.mkdir(parents=True, exist_ok=True)
    # the claimed file is named "<stamp>-<safe name>": the same safe name, this run's stamp
    target = failed / f"{stamp}-{source.name.split('-', 1)[-1]}"
    shutil.move(str(source), target)
    _note(target, f"{name} was not imported.\n\n{why}\n")


def _stored_before_stop(store: Store, left: Path, name: str) -> int | None:
    """The change that imported a file found in processing/ at start-up, when its import
    committed before the server stopped (the move to done/ comes after the commit), or
    None. Its name carries the run's stamp; an import of it by the scheduler since then,
    still in effect, is that one."""
    from tracker.changes import import_in_effect

    stamp = left.name.split("-", 1)[0]
    try:
        since = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S")
    except ValueError:
        return None
    return import_in_effect(store, name, SCHEDULER, since)


def _done(done: Path, source: Path, stamp: str, text: str) -> None:
    """Move a claimed file to done/ under this run's stamp, with its note beside it."""
    done.mkdir(parents=True, exist_ok=True)
    target = done / f"{stamp}-{source.name.split('-', 1)[-1]}"
    shutil.move(str(source), target)
    _note(target, text)


def _note(target: Path, text: str) -> None:
    """The .txt beside a file the inbox moved: written whole and never through a link
    (the inbox may be shared, and the name can be guessed)."""
    from tracker.outfiles import write_atomically

    write_atomically(
        target.with_name(target.name + ".txt"),
        lambda part: part.write_text(text, encoding="utf-8"),
    )


@contextlib.contextmanager
def _inbox_turn(store: Store) -> Iterator[bool]:
    """Whether this run has the inbox to itself: an exclusive ``flock`` on
    ``<database>.inbox.lock`` for the block (beside the database, on the disk DuckDB
    needs to be local, not in an inbox that may be a network share where a folder takes
    no lock; the kernel lets go when the process ends, even on ``kill -9``). False while
    another run, the scheduler's or a ``jobs run``'s, holds it."""
    with store.inbox_lock_path().open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True  # closing the file lets go of the lock


def inbox_import(store: Store, now: dt.datetime, slot: dt.datetime | None = None) -> str:
    """Import every settled file in inbox/; move it to done/ or failed/ with a .txt.

    A file is moved to inbox/processing/ *before* it is read, so a file that brings the
    process down is never read again at the next start (it is moved to failed/ then):
    one bad file can never block the files behind it. One run at a time: a second run
    took the first's file in processing/ for one a stopped server left, filed it under
    failed/ ("interrupted") while the first imported it, and the first then failed on a
    file gone from under it.
    """
    inbox = data_dir(store) / "inbox"
    if not inbox.is_dir():
        return f"no inbox folder ({inbox})"
    with _inbox_turn(store) as mine:
        if not mine:
            return (
                "another inbox run is under way (the scheduler's or a `jobs run`);"
                " the files are left to it"
            )
        return _import_inbox(store, inbox, now)


def _import_inbox(store: Store, inbox: Path, now: dt.datetime) -> str:
    from tracker.importer import import_file

    done, failed, processing = inbox / "done", inbox / "failed", inbox / "processing"
    linked = [f.name for f in (done, failed, processing) if f.is_symlink()]
    if linked:
        # the inbox may be shared: a link planted at done/ would send the files, their
        # notes and rejects elsewhere (or back into the inbox); nothing is moved
        raise BadInput(
            f"inbox folder(s) {', '.join(linked)} in {inbox} are links to other folders;"
            " Waypoint does not move files through them: nothing was imported"
        )
    stamp = now.strftime("%Y%m%dT%H%M%S")
    refused = []
    recovered = []  # imported before a stop, filed under done/ now
    if processing.is_dir():
        for left in _queued(processing):
            name = file_label(left.name.split("-", 1)[-1])
            change = _stored_before_stop(store, left, name)
            if change is not None:
                # the import committed; the server stopped before the file was moved
                _done(
                    done,
                    left,
                    stamp,
                    f"{name} was imported (change {change}, `waypoint undo {change}` takes it"
                    " back); the server stopped before the file was moved here.\n",
                )
                recovered.append(f"{name} (change {change})")
                continue
            _fail(
                failed,
                left,
                name,
                stamp,
                "Its import was interrupted (the server stopped while reading it), so it"
                " is not tried again automatically. Check the file, then drop it in the"
                " inbox again.",
            )
            refused.append(f"{name} (interrupted)")
    imported, waiting = [], []
    for path in _queued(inbox):
        # the name as messages, the run's record and the moved file carry it: without
        # control characters (an escape sequence retitles a terminal, a line break forges
        # a line of the job's message)
        name = file_label(path.name)
        if time.time() - path.stat().st_mtime < SETTLE_SECONDS:
            waiting.append(name)
            continue
        processing.mkdir(parents=True, exist_ok=True)
        claimed = processing / f"{stamp}-{safe_file_name(path.name)}"
        try:
            path.rename(claimed)
        except OSError:
            continue  # another run took it first
        try:
            result = import_file(store, SCHEDULER, claimed, rejects_dir=done, display_name=name)
        except WaypointError as exc:
            _fail(failed, claimed, name, stamp, str(exc))
            refused.append(name)
            continue
        except Exception as exc:  # any other failure of one file fails that file only
            _fail(
                failed,
                claimed,
                name,
                stamp,
                f"Waypoint could not read it ({type(exc).__name__}); please report this"
                " with the file.",
            )
            refused.append(name)
            continue
        if result.nothing_imported:
            # as `waypoint import` exits 2: a file nothing came from is a failure to look at
            why = "every row was rejected" if result.rejected else "it holds no values"
            found = [f"{r.where()}: {r.reason}" for r in result.rejected[:500]]
            if result.rejects_file:  # written beside done/; it belongs with the file
                rejects = Path(result.rejects_file)
                failed.mkdir(parents=True, exist_ok=True)
                shutil.move(str(rejects), failed / rejects.name)
            _fail(failed, claimed, name, stamp, "\n".join([f"{why.capitalize()}.", *found]))
            refused.append(f"{name} ({why})")
            continue
        # what `waypoint import` says of the same file: counts per metric, outliers,
        # sources that count days twice, notes (the .txt held the counts alone)
        lines = result.summary_lines() + [f"  note: {n}" for n in result.notes]
        lines += [f"{r.where()}: {r.reason}" for r in result.rejected[:500]]
        _done(done, claimed, stamp, "\n".join(lines) + "\n")
        found = [f"{result.inserted + result.replaced} values"]
        if result.outliers:
            found.append(f"{len(result.outliers)} unusual value(s)")
        if any(o.prefer is None for o in result.overlaps):
            found.append("sources counting days twice")
        imported.append(f"{name} ({'; '.join(found)})")
    parts = [f"imported {len(imported)}: {', '.join(imported)}" if imported else "nothing new"]
    if recovered:
        parts.append(f"filed as imported before the server stopped: {', '.join(recovered)}")
    if refused:
        parts.append(f"failed {len(refused)}: {', '.join(refused)}")
    if waiting:
        parts.append(f"left for later (still being written): {', '.join(waiting)}")
    untouched = _left_alone(inbox)
    if untouched:
        parts.append(f"left alone: {', '.join(untouched)}")
    return "; ".join(parts)


def weekly_digest(store: Store, now: dt.datetime, slot: dt.datetime | None = None) -> str:
    """The review of the week before ``slot`` (a manual run: before ``now``) to every
    manager, with charts as inline PNGs; a Markdown copy. A scheduled slot whose week a
    run already mailed sends nothing (the digest's time moved after it went out, or a
    missed slot caught up after the next one); a manual run always sends."""
    from jobs.charts import digest_images
    from tracker.formats import day_span
    from tracker.mailer import MailPartlyRefused, build_message, mail_settings, send
    from tracker.outfiles import write_atomically
    from tracker.plan import load_plan
    from tracker.report import render_html, render_markdown, render_text, weekly_review

    tz = workspace_timezone(store)
    local = (slot or now).astimezone(ZoneInfo(tz)).date()
    week = Period.week_of(local).previous().label
    if slot is not None:
        sent = _digest_sent(store, week)
        if sent:
            return f"review {week} was mailed already ({sent}); not sent again"
    review = weekly_review(store, week, now=now)
    reports = data_dir(store) / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    copy = render_markdown(review)
    write_atomically(
        reports / f"weekly-{week}.md",
        lambda part: part.write_text(copy, encoding="utf-8"),
        keep_off=store.own_files(),
    )
    notes = [f"review {week} saved to {reports / f'weekly-{week}.md'}"]
    images, image_note = digest_images(review)
    notes.append(image_note)
    settings = mail_settings(store)
    plan = load_plan(store)
    managers = [p.email for p in plan.people if p.role == "manager" and p.email]
    # the email is the one screen; the details are the dashboard's page of the same week
    url = get_setting("dashboard_url", {k: str(v) for k, v in plan.settings.items()})
    details = f"{url.rstrip('/')}/weekly_review?week={week}"
    if not settings.configured:
        notes.append("mail not sent: smtp.host is not set")
        return "; ".join(notes)
    if not managers:
        notes.append("mail not sent: no manager has an email address")
        return "; ".join(notes)
    message = build_message(
        settings.sender,
        managers,
        f"{review.workspace}: weekly review {day_span(review.start, review.end)}",
        render_text(review),
        render_html(review, images, email=True, details_url=details),
        images,
    )
    try:
        send(settings, message)
    except MailPartlyRefused as exc:
        # the run fails so the refused address is seen, and is not retried (those who got
        # it would get it again); a manual run sends it to everyone, which a person decides
        notes.append(
            f"sent to {', '.join(exc.delivered)}; not delivered: {exc}; not sent again"
            " automatically: correct the address, then `waypoint jobs run weekly_digest`"
            " sends it to every manager"
        )
        raise MailPartlyRefused("; ".join(notes), exc.delivered) from exc
    notes.append(f"sent to {', '.join(managers)}")
    return "; ".join(notes)


def _digest_sent(store: Store, week: str) -> str | None:
    """When a run mailed the review of ``week`` (its record's time), or None. A run's
    message starts "review WEEK saved" and holds "sent to" once mail went out (to some,
    when a server refused others: those are not mailed again by the schedule either)."""
    from tracker.jobruns import runs

    for run in runs(store, "weekly_digest", limit=200):
        said = run.message or ""
        # a failed run's message begins with its exception's name ("MailPartlyRefused:
        # review ... saved ...; sent to ..."): the mail went out to those it names
        if f"review {week} saved" in said.split("; ", 1)[0] and "sent to " in said:
            return f"{run.started:%Y-%m-%d %H:%M} UTC" if run.started else "earlier"
    return None


def checkin_reminders(store: Store, now: dt.datetime, slot: dt.datetime | None = None) -> str:
    """Remind owners the day before a period ends; escalate after two ignored reminders."""
    from jobs.reminders import run_reminders

    return run_reminders(store, now)


def nightly_backup(store: Store, now: dt.datetime, slot: dt.datetime | None = None) -> str:
    from tracker.backup import backup, prune_backups

    folder = data_dir(store) / "backups"
    keep = int(get_setting("backup.keep", _stored(store)))
    # named by the workspace's own day, as its schedule runs: 03:00 on Saturday in
    # Auckland is Friday in UTC, and a folder of Friday's date read as the night before
    local = now.astimezone(ZoneInfo(workspace_timezone(store)))
    target = folder / local.strftime("%Y-%m-%d")
    if target.exists():
        target = folder / local.strftime("%Y-%m-%dT%H%M%S")
    info = backup(store, target, SCHEDULER)
    removed = prune_backups(folder, keep)
    rows = sum(int(t["rows"]) for t in info.tables.values())  # type: ignore[call-overload]
    return f"backed up {rows:,} rows to {target}; removed {len(removed)} old backup(s)"
