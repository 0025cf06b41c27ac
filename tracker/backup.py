"""Backups and restores: a folder of Parquet files, one per table, plus a manifest.

A backup is taken inside one read transaction, so it is a consistent snapshot even
while others write. It is written to ``DIR.partial`` and renamed into place, so a
crash never leaves something that looks like a finished backup. A restore replaces
every table's rows in one transaction: it lands whole or not at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from tracker import auditlog
from tracker.errors import BadInput
from tracker.migrations import LATEST, current_version
from tracker.permissions import require_manager
from tracker.records import Actor
from tracker.store import Connection, Store
from tracker.text import file_label, not_utf8

MANIFEST = "manifest.json"


def _tables(con: Connection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def _checksum(con: Connection, table: str) -> str:
    # Order-independent fingerprint of every row: sum of row hashes.
    row = con.execute(
        f'SELECT count(*), coalesce(sum(hash(t)), 0)::VARCHAR FROM "{table}" AS t'  # noqa: S608
    ).fetchall()[0]
    return f"{row[0]}:{row[1]}"


@dataclass
class BackupInfo:
    path: Path
    tables: dict[str, dict[str, object]]
    schema_version: int
    created_at: str

    def as_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "tables": self.tables,
            "schema_version": self.schema_version,
            "created_at": self.created_at,
        }


def _duckdb_can_name(folder: str | Path) -> None:
    """DuckDB writes and reads a backup's tables by path, and it takes no path whose
    bytes are not UTF-8: refused before anything is written (it failed half way,
    leaving a .partial folder, "unexpected InvalidInputException")."""
    if not_utf8(str(folder)):
        raise BadInput(
            f"{file_label(str(folder))}: a backup folder's name must be UTF-8 text (DuckDB"
            " cannot write or read the others); choose another name"
        )


def backup(store: Store, target: str | Path, actor: Actor) -> BackupInfo:
    """Write a full, restorable copy of the database into the folder ``target``.

    Only a manager backs up: the copy holds every person's email and hourly rate,
    which the pages show to managers alone."""
    require_manager(actor, "back up the workspace")
    _duckdb_can_name(target)
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BadInput(f"{target} already exists and is not empty; choose a new folder")
    partial = target.with_name(target.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    with store.read() as con:
        con.execute("BEGIN TRANSACTION")  # one snapshot for every table
        try:
            version = current_version(con)
            tables = _write_tables(con, partial)
        finally:
            con.execute("COMMIT")
    info = BackupInfo(
        path=target,
        tables=tables,
        schema_version=version,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    (partial / MANIFEST).write_text(json.dumps(info.as_dict(), indent=2), encoding="utf-8")
    if target.exists():
        target.rmdir()
    partial.rename(target)
    return info


def _write_tables(con: Connection, folder: Path) -> dict[str, dict[str, object]]:
    """Every table as ``TABLE.parquet`` in ``folder``; returns the manifest's tables."""
    tables: dict[str, dict[str, object]] = {}
    for table in _tables(con):
        file = folder / f"{table}.parquet"
        con.execute(f'COPY "{table}" TO ? (FORMAT parquet)', [str(file)])  # noqa: S608
        count, digest = _checksum(con, table).split(":")
        tables[table] = {"rows": int(count), "checksum": digest}
    return tables


def _load_tables(con: Connection, source: Path, tables: dict[str, dict[str, Any]]) -> list[str]:
    """Replace the rows of every table of a backup made at this connection's schema,
    each checked against its manifest; returns the tables loaded. Raises BadInput on a
    mismatch (the caller's transaction then rolls back)."""
    existing = set(_tables(con)) - {"schema_migrations"}
    listed = set(tables) - {"schema_migrations"}
    # A restore replaces the whole database: a manifest that leaves a table out (or
    # names one this schema lacks) would restore half of it, so it is refused whole.
    if listed != existing:
        missing, unknown = sorted(existing - listed), sorted(listed - existing)
        raise BadInput(
            f"{source}: the manifest does not match the schema it names"
            + (f"; missing tables: {', '.join(missing)}" if missing else "")
            + (f"; unknown tables: {', '.join(unknown)}" if unknown else "")
            + "; nothing was restored"
        )
    order = [t for t in tables if t in existing]
    # DuckDB reads a path holding * ? or [ as a pattern: `restore 'g/nightly[1]'` read
    # g/nightly1's files. Such a folder's files are read through a link of a plain name
    # (pyarrow read them before: pyarrow 16 changed the audit log's rows on the way).
    pattern = any(ch in str(source) for ch in "*?[")
    with (
        tempfile.TemporaryDirectory(prefix="waypoint-restore-")
        if pattern
        else contextlib.nullcontext("")
    ) as plain:
        for table in order:
            con.execute(f'DELETE FROM "{table}"')  # noqa: S608
            file = source / f"{table}.parquet"
            if pattern:
                link = Path(plain) / f"{table}.parquet"
                link.symlink_to(file.resolve())
                file = link
            try:
                con.execute(
                    f'INSERT INTO "{table}" SELECT * FROM read_parquet(?)',  # noqa: S608
                    [str(file)],
                )
            except (duckdb.Error, OSError, ValueError) as exc:  # another shape, no Parquet
                raise BadInput(
                    f"{source}: {table}.parquet cannot be loaded ({exc}); nothing was restored"
                ) from exc
    for table in order:
        expected = tables[table]
        if table == "meta":
            continue  # the revision moves on with the restore itself
        count, digest = _checksum(con, table).split(":")
        if int(count) != expected["rows"] or digest != expected["checksum"]:
            raise BadInput(
                f"{source}: table {table} does not match its manifest after loading"
                f" ({count} rows, expected {expected['rows']}); nothing was restored"
            )
    return order


def _upgraded(source: Path, manifest: dict[str, Any], work: Path) -> Path:
    """A backup made by an older Waypoint, brought to this schema: loaded into a scratch
    database built at the backup's own schema version (and checked there against its
    manifest), migrated as a database of that version would be, and written out again
    with a manifest of its own in ``work``."""
    import duckdb

    from tracker.migrations import migrate

    con = duckdb.connect(str(work / "upgrade.duckdb"))
    try:
        migrate(con, upto=int(manifest["schema_version"]))
        con.execute("BEGIN TRANSACTION")
        _load_tables(con, source, manifest.get("tables", {}))
        con.execute("COMMIT")
        migrate(con)
        out = work / "upgraded"
        out.mkdir()
        upgraded = {**manifest, "tables": _write_tables(con, out), "schema_version": LATEST}
    finally:
        con.close()
    (out / MANIFEST).write_text(json.dumps(upgraded, indent=2), encoding="utf-8")
    return out


def read_manifest(source: str | Path) -> dict[str, Any]:
    source = Path(source)
    manifest = source / MANIFEST
    if not manifest.is_file():
        raise BadInput(f"{source} is not a Waypoint backup (no {MANIFEST} in it)")
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(f"{manifest}: cannot be read ({exc})") from exc


def _checked_manifest(source: Path, manifest: dict[str, Any]) -> int:
    """The manifest's schema version, once the manifest is known to describe a whole
    backup (a version, tables with row counts and checksums, their files): a hand-edited
    or truncated one is bad input, never a reason to wipe a database."""
    version = manifest.get("schema_version") if isinstance(manifest, dict) else None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise BadInput(
            f"{source}/{MANIFEST}: schema_version is missing or not a positive whole number;"
            " nothing was restored"
        )
    if version > LATEST:
        raise BadInput(
            f"{source} was made by a newer Waypoint (schema {version}); upgrade Waypoint first"
        )
    tables = manifest.get("tables")
    if not isinstance(tables, dict) or not tables:
        raise BadInput(f"{source}/{MANIFEST}: lists no tables; nothing was restored")
    for table, entry in tables.items():
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("rows"), int)
            and isinstance(entry.get("checksum"), str)
        ):
            raise BadInput(
                f"{source}/{MANIFEST}: table {table} has no row count and checksum;"
                " nothing was restored"
            )
        if not (source / f"{table}.parquet").is_file():
            raise BadInput(f"{source}: {table}.parquet is missing; the backup is incomplete")
    return version


def _check_content(con: Connection, store: Store, source: Path) -> list[str]:
    """What a backup holds must pass the checks its rows passed on their way in: the
    checksums prove only that the files were not damaged, and anyone can write a backup
    folder. A crafted one stored a day in 2031, a NaN, a name with an escape sequence
    (every `plan export` then failed) and `data_dir=/etc`. Refused whole, naming the
    first problem; the daily values are then computed from the values restored, never
    taken from the files. Returns the settings set back to their defaults (one this
    folder or version does not allow: a data_dir of another machine)."""
    from tracker.checks import MAX_ABS
    from tracker.clock import now_utc
    from tracker.periods import FIRST_DAY, LAST_DAY
    from tracker.settings import validate_stored
    from tracker.text import ANY_CONTROL_CHARACTER, CONTROL_CHARACTERS

    def refuse(why: str) -> None:
        raise BadInput(f"{file_label(str(source))}: {why}; nothing was restored")

    # the latest day anywhere on Earth (UTC+14): a value logged "today" in a zone the
    # workspace has left since is no future value
    latest = (now_utc() + dt.timedelta(hours=14)).date()
    bad = con.execute(
        f"""
        SELECT id, metric, day, value, source FROM observations
        WHERE NOT isfinite(value) OR abs(value) > {MAX_ABS}
           OR day < ? OR day > ? OR day > ?
           OR regexp_matches(metric || source || coalesce(recorded_by, '')
                             || coalesce(for_person, ''), ?)
           OR regexp_matches(coalesce(note, ''), ?)
        ORDER BY id LIMIT 1
        """,  # noqa: S608 (a fixed number)
        # notes: control characters only (tab and line end kept); a zero-width space in a
        # note stored before notes lost them is no reason to refuse a whole workspace
        [FIRST_DAY, LAST_DAY, latest, ANY_CONTROL_CHARACTER, CONTROL_CHARACTERS],
    ).fetchall()
    if bad:
        value_id, metric, day, value, _ = bad[0]
        refuse(
            f"value {value_id} ({metric} on {day}: {value!r}) is not one Waypoint stores (a"
            f" day from {FIRST_DAY} to today, {latest}; a finite number up to {MAX_ABS:g};"
            " no control characters)"
        )
    dropped = []
    for name, value in con.execute("SELECT name, value FROM settings ORDER BY name").fetchall():
        try:
            validate_stored(name, value, folder=store.path.parent)
        except BadInput:
            # a setting this folder or this version does not allow (an absolute data_dir
            # of the machine the backup came from, a bound tightened since) goes back to
            # its default, and the restore says so: no reason to refuse the values
            con.execute("DELETE FROM settings WHERE name = ?", [name])
            dropped.append(name)
    from pydantic import ValidationError

    from tracker.plan import load_plan

    try:
        load_plan(store)  # every plan item as the plan's own model reads it
    except (ValidationError, BadInput) as exc:
        first = str(exc).splitlines()[:3]
        refuse(f"its plan does not pass Waypoint's checks ({' '.join(first)})")
    from tracker.daily import rebuild_daily

    rebuild_daily(con)  # every row from the restored values: none kept from the files
    return dropped


def _refuse_if_used(con: Connection, store: Store) -> None:
    used = con.execute(
        "SELECT (SELECT count(*) FROM workspace) + (SELECT count(*) FROM observations)"
    ).fetchall()[0][0]
    if used:
        raise BadInput(
            f"{store.path} already holds a workspace or observations; restoring"
            " would replace them. Run `waypoint backup DIR` first, then `waypoint"
            " restore --force`."
        )


def restore(store: Store, source: str | Path, actor: Actor, *, force: bool = False) -> dict:
    """Replace the database's contents with a backup, in one transaction.

    Refuses a database that already holds a plan or observations unless ``force``.
    Checks every table's row count and checksum after loading; on any mismatch the
    transaction rolls back and nothing changes. A backup made by an older Waypoint is
    first brought to this schema (``_upgraded``), beside the database.
    """
    require_manager(actor, "restore a backup")
    _duckdb_can_name(source)
    source = Path(source)
    manifest = read_manifest(source)
    version = _checked_manifest(source, manifest)
    if not force:  # before any upgrade work: a refusal should be quick and leave no trace
        with store.read() as con:
            _refuse_if_used(con, store)
    with ExitStack() as stack:
        loaded_from = source
        if version < LATEST:
            work = stack.enter_context(
                tempfile.TemporaryDirectory(prefix=".waypoint-restore-", dir=store.path.parent)
            )
            loaded_from = _upgraded(source, manifest, Path(work))
        tables: dict[str, dict[str, Any]] = read_manifest(loaded_from).get("tables", {})
        with store.write() as con:
            if not force:  # again, inside the transaction: someone may have written since
                _refuse_if_used(con, store)
            # The revision only ever grows: a running dashboard keyed on it must see the
            # restored numbers at once, not serve pre-restore caches (#15 item 10).
            revision_before = con.execute("SELECT max(revision) FROM meta").fetchall()[0][0] or 0
            order = _load_tables(con, loaded_from, tables)
            dropped = _check_content(con, store, source)
            # The nightly run that wrote the backup copied its own row while "running":
            # restored, the job list showed it running until the next night. It finished
            # (the backup exists), and says which backup it wrote.
            con.execute(
                "UPDATE job_runs SET outcome = 'ok', finished = coalesce(finished, started),"
                " message = 'wrote the backup this database was restored from'"
                " WHERE job = 'nightly_backup' AND outcome = 'running'"
            )
            con.execute("UPDATE meta SET revision = greatest(revision, ?) + 1", [revision_before])
            auditlog.record(
                con,
                actor,
                "restore",
                "database",
                str(store.path),
                None,
                {"from": str(source), "created_at": manifest.get("created_at")},
            )
    return {
        "restored_from": str(source),
        "tables": {t: tables[t]["rows"] for t in order},
        "settings_set_back": dropped,
    }


def prune_backups(folder: str | Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backup folders under ``folder`` (never the
    newest one, whatever ``keep`` says), and any ``*.partial`` folder a killed backup
    left behind; returns what was deleted."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    keep = max(int(keep), 1)
    backups = sorted(
        (p for p in folder.iterdir() if p.is_dir() and (p / MANIFEST).is_file()),
        key=lambda p: (p.stat().st_mtime, p.name),
    )
    doomed = backups[: max(len(backups) - keep, 0)]
    doomed += [p for p in folder.glob("*.partial") if p.is_dir() and not p.is_symlink()]
    for path in doomed:
        shutil.rmtree(path)
    return doomed
