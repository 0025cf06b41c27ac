"""waypoint import FILE... [--preset NAME] [--map FILE] [--day DAY] [--dry-run] [--json]."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from tracker.cli.common import (
    AppContext,
    as_option,
    dry_run_store,
    echo,
    emit_json,
    json_option,
    parse_day,
    pass_app,
)

BIG_FILE = 2_000_000  # bytes: about 50,000 rows of the long form


@contextmanager
def _progress(file: str) -> Iterator[None]:
    """A live status on stderr for big files (the work itself runs inside DuckDB)."""
    size = Path(file).stat().st_size if Path(file).exists() else 0
    if size < BIG_FILE or not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(f"Importing {Path(file).name} ({size / 1e6:.0f} MB)..."):
        yield


def _not_a_file(path: Path) -> str:
    """Why ``path`` is no file to import: a device or a pipe is there, not missing."""
    if path.is_dir():
        return "is a folder"
    if path.exists():
        return "is not a regular file (a device, a pipe or a socket); give an exported file"
    return "no such file"


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--preset",
    default="auto",
    show_default=True,
    help="Platform preset or saved mapping name, or auto to detect it from the header.",
)
@click.option(
    "--map",
    "map_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Read the files through an import mapping (YAML) for exports no preset knows.",
)
@click.option(
    "--day",
    metavar="DAY",
    help="Day for files that carry no date (e.g. Search Console Queries.csv).",
)
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@json_option
@as_option
@pass_app
def import_cmd(
    app: AppContext,
    files: tuple[str, ...],
    preset: str,
    map_file: str | None,
    day: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Import CSV/XLSX exports, generic long or wide files, and files read through a mapping."""
    from tracker.errors import BadInput

    store = app.store
    # A name that is no file is bad input found before anything is stored: otherwise the
    # files before it would be imported and the exit code (2) would say nothing was.
    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        problems = [f"{f}: {_not_a_file(Path(f))}" for f in missing]
        if as_json:  # a script reading --json gets its document, with the reason
            emit_json(_document([], [*problems, "nothing was imported"], dry_run))
        raise BadInput("; ".join(problems) + "; nothing was imported")
    if map_file is not None and preset != "auto":
        # two ways to read the same files: --preset was ignored without a word
        problem = f"--map and --preset {preset} both say how to read the files; give one"
        if as_json:
            emit_json(_document([], [problem, "nothing was imported"], dry_run))
        raise BadInput(problem + "; nothing was imported")
    mappings = []
    if map_file is not None:
        from tracker.imports.mapping import load_mapping_file

        try:
            mappings = load_mapping_file(map_file)
        except BadInput as exc:
            if as_json:  # the import's own document, as for a missing file
                emit_json(_document([], [str(exc), "nothing was imported"], dry_run))
            raise
    with dry_run_store(store, dry_run) as used:
        _import(app, used, files, preset, mappings, day, dry_run, as_json)


def _import(
    app: AppContext,
    store: Any,
    files: tuple[str, ...],
    preset: str,
    mappings: list[Any],
    day: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    from tracker.errors import BadInput
    from tracker.importer import Workspace, dry_run_files, import_file, read_workspace
    from tracker.permissions import resolve_actor

    results = []
    failures: list[str] = []
    with store.session():
        actor = resolve_actor(store, app.as_person)
        ahead: Workspace | None = read_workspace(store)  # the first file's, while it is open
    # Outside a session: import_file parses each file with the database closed and opens
    # it again to write, so a slow or hostile file never holds the lock the dashboard and
    # the scheduler wait for (docs/security.md, item 2). Each later file reads the
    # workspace afresh: the one before may have created metrics.
    if dry_run:
        # the files judged one after the other, as the real run judges them
        outcomes = dry_run_files(
            store, actor, files, preset=preset, day=parse_day(day), map_with=mappings,
            workspace=ahead,
        )  # fmt: skip
        failures += [str(o) for o in outcomes if isinstance(o, BadInput)]
        results += [o for o in outcomes if not isinstance(o, BadInput)]
    else:
        for file in files:
            try:
                with _progress(file):
                    results.append(
                        import_file(
                            store,
                            actor,
                            file,
                            preset=preset,
                            day=parse_day(day),
                            map_with=mappings,
                            workspace=ahead,
                        )
                    )
            except BadInput as exc:
                failures.append(str(exc))
            ahead = None
    # Nothing usable in a file is bad input, even when the file could be read.
    for r in results:
        if r.nothing_imported:
            why = "every row was rejected" if r.rejected else "it holds no values"
            failures.append(f"{r.file}: {why}; nothing was imported")
    if as_json:
        emit_json(_document(results, failures, dry_run))
    else:
        for r in results:
            for line in r.summary_lines():
                echo(line)
            for note in r.notes:
                echo(f"  note: {note}")
            for rej in r.rejected[:20]:
                echo(f"  rejected {rej.file} {rej.where()}: {rej.reason}", err=True)
            if len(r.rejected) > 20:
                echo(f"  ... and {len(r.rejected) - 20} more", err=True)
            if r.rejects_file:
                echo(f"  rejects saved to {r.rejects_file} (fix and import again)")
    if failures:
        for message in failures:
            echo(f"Error: {message}", err=True)
        stored = [r for r in results if r.change is not None]
        if stored and not dry_run:
            # exit 2 says a file was bad, not that nothing changed: name what did
            echo(
                "Imported all the same: "
                + ", ".join(f"{r.file} (undo with `waypoint undo {r.change}`)" for r in stored),
                err=True,
            )
        raise SystemExit(2)


def _document(results: list[Any], errors: list[str], dry_run: bool) -> dict[str, Any]:
    """`import --json`: the totals, each file's summary, and every reason for exit 2."""
    return {
        **{k: sum(getattr(r, k) for r in results) for k in ("inserted", "replaced", "unchanged")},
        "rejected": sum(len(r.rejected) for r in results),
        "dry_run": dry_run,
        "files": [r.as_dict() for r in results],
        "errors": errors,
    }
