"""init, demo, log, export, backup, restore, audit-log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from tracker.cli.common import (
    AppContext,
    as_option,
    echo,
    emit_json,
    json_option,
    limit_option,
    parse_day,
    pass_app,
)


@click.command("init")
@as_option
@pass_app
def init_cmd(app: AppContext) -> None:
    """Create or upgrade the database (safe to run again)."""
    app.check_as()
    version = app.store.init()
    echo(f"Database {app.store.path} is ready (schema version {version}).")


@click.command("demo")
@click.option(
    "--as-of", "as_of", metavar="DAY", help="Last day of demo data: today (the default) or earlier."
)
@click.option("--force", is_flag=True, help="Replace an existing workspace with the demo.")
@as_option
@pass_app
def demo_cmd(app: AppContext, as_of: str | None, force: bool) -> None:
    """Load a realistic demo workspace with 26 weeks of data ending at DAY."""
    from tracker.demo import load_demo

    if not force:
        app.check_as()
    actor = app.actor() if force else None
    summary = load_demo(
        app.store,
        as_of=parse_day(as_of, "--as-of"),
        force=force,
        **({"actor": actor} if actor else {}),
    )
    echo(
        f"Demo workspace {summary['workspace']!r} loaded into {app.store.path}: "
        f"{summary['kpis']} KPIs, {summary['observations']:,} observations, "
        f"{summary['checkins']} check-ins, data up to {summary['as_of']}."
    )


@click.command("check")
@json_option
@as_option
@pass_app
def check_cmd(app: AppContext, as_json: bool) -> None:
    """Verify the database: the kept daily values agree with a full recomputation, and no
    two values share an id."""
    from tracker.daily import duplicate_ids, mismatches

    with app.store.read() as con:
        count, examples = mismatches(con)
        pairs = con.execute("SELECT count(*) FROM daily_values").fetchall()[0][0]
        shared = duplicate_ids(con)
    if as_json:
        emit_json(
            {
                "ok": count == 0 and shared == 0,
                "daily_values": pairs,
                "mismatches": count,
                "duplicate_ids": shared,
                "examples": [
                    {"metric": m, "day": d, "kept": k, "recomputed": f} for m, d, k, f in examples
                ],
            }
        )
    elif count == 0 and shared == 0:
        echo(f"OK: {pairs:,} daily values agree with a full recomputation; ids are unique.")
    else:
        if count:
            echo(f"{count} daily value(s) disagree with a full recomputation:", err=True)
        for m, d, k, f in examples:
            echo(f"  {m} {d}: kept {k}, recomputed {f}", err=True)
        if shared:
            echo(f"{shared} value id(s) are held by more than one row.", err=True)
    if count or shared:
        raise SystemExit(1)


EXPORT_FORMATS = ("csv", "parquet", "xlsx")


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default=None,
    help="csv, parquet or xlsx (default: the --out file's ending, else csv).",
)
@click.option(
    "--out",
    type=click.Path(),
    metavar="FILE",
    help="Output file (default: waypoint-observations.FORMAT; - for standard output).",
)
@as_option
@pass_app
def export_cmd(app: AppContext, fmt: str | None, out: str | None) -> None:
    """Export every observation (spreadsheet formulas neutralised)."""
    from tracker.cli.common import say_wrote
    from tracker.observations import export_observations

    if fmt is None:
        # `--out data.xlsx` means a workbook: the name says which format is wanted
        ending = Path(out).suffix.lower().lstrip(".") if out else ""
        fmt = ending if ending in EXPORT_FORMATS else "csv"
    if out == "-":
        # `--out -` is standard output, as for most commands that write files
        import tempfile

        with tempfile.TemporaryDirectory(prefix="waypoint-export-") as folder:
            part = Path(folder) / f"observations.{fmt}"
            export_observations(app.store, part, fmt)
            click.echo(part.read_bytes(), nl=False)  # bytes: written as they are
        return
    target = out or f"waypoint-observations.{fmt}"
    count = export_observations(app.store, target, fmt)
    say_wrote(f"{count:,} observations to {target}", target)


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False))
@as_option
@pass_app
def backup_cmd(app: AppContext, directory: str) -> None:
    """Write a full, restorable copy of the database into DIRECTORY (managers)."""
    from tracker.backup import backup

    info = backup(app.store, directory, app.actor())
    rows = sum(int(t["rows"]) for t in info.tables.values())  # type: ignore[call-overload]
    echo(f"Backed up {len(info.tables)} tables ({rows:,} rows) to {info.path}.")


@click.command("restore")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@as_option
@pass_app
def restore_cmd(app: AppContext, directory: str, force: bool) -> None:
    """Restore the database from a backup DIRECTORY (in one transaction)."""
    from tracker.backup import restore

    result = restore(app.store, directory, app.actor(), force=force)
    rows = sum(result["tables"].values())
    echo(f"Restored {len(result['tables'])} tables ({rows:,} rows) from {directory}.")
    if result["settings_set_back"]:
        echo(
            "Set back to their defaults (not allowed here, e.g. a data_dir outside this"
            f" database's folder): {', '.join(result['settings_set_back'])}."
        )


@click.command("audit-log")
@click.option("--since", metavar="DAY", help="Only changes on or after DAY.")
@limit_option(200, "At most this many rows.")
@json_option
@as_option
@pass_app
def audit_log_cmd(app: AppContext, since: str | None, limit: int, as_json: bool) -> None:
    """Who changed what, when: old -> new."""
    from tracker.auditlog import entries
    from tracker.formats import utc_iso

    rows = entries(
        app.store, since=parse_day(since, "--since", kept=False), limit=limit, reader=app.actor()
    )
    if as_json:
        emit_json(
            {
                "entries": [
                    {
                        "id": e.id,
                        "at": utc_iso(e.at) if isinstance(e.at, dt.datetime) else e.at,
                        "actor": e.actor,
                        "action": e.action,
                        "entity": e.entity,
                        "key": e.key,
                        "old": e.old_value,
                        "new": e.new_value,
                    }
                    for e in rows
                ]
            }
        )
        return
    from rich.markup import escape
    from rich.table import Table

    from tracker.auditlog import describe, old_in_effect, subject
    from tracker.cli.common import console
    from tracker.clock import workspace_timezone
    from tracker.formats import local_stamp
    from tracker.names import names_by_kind
    from tracker.text import terminal_text

    # as the Audit log page reads it: items by name, what changed as "field: old → new"
    # (a Python dict cut at 60 characters said nothing); --json keeps the stored values
    names = names_by_kind(app.store)
    people = names["person"]  # the local manager and the scheduler included
    # on the workspace's clock, as the Audit log page shows it: in UTC a check-in came
    # "before" the week it is for in a workspace far east of Greenwich
    timezone = workspace_timezone(app.store)
    table = Table(title="Audit log (newest first)")
    when = f"when ({timezone})"
    for col in (when, "who", "action", "what", "change"):
        table.add_column(col, no_wrap=col == when)
    for e in rows:
        # Text is escaped: a note may hold [markup] that must print as typed; and shown
        # without control characters, which a stored value (a decision, a restored name)
        # may still carry from before they were cleaned on their way in
        table.add_row(
            *(
                escape(terminal_text(cell))
                for cell in (
                    local_stamp(e.at, timezone) if isinstance(e.at, dt.datetime) else str(e.at),
                    people.get(e.actor, e.actor),
                    e.action,
                    subject(e.entity, e.key, names),
                    describe(
                        old_in_effect(e.entity, e.key, e.old_value),
                        e.new_value,
                        names=names,
                        zone=timezone,
                    ),
                )
            )
        )
    console().print(table)
