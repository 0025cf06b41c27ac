"""The import service: a file in, daily observations stored, rejects explained.

CLI, dashboard and inbox job all call ``import_file``. Parsing (tracker.imports) is
pure; this module checks who may write what, upserts in one transaction through
tracker.observations, and writes the rejects next to the file as a CSV the user can
fix and import again.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from tracker.checks import Outlier
from tracker.clock import workspace_timezone
from tracker.errors import BadInput
from tracker.observations import (
    NewMetric,
    WriteResult,
    overlap_sentences,
    write_observations,
)
from tracker.permissions import require_writer
from tracker.records import Actor
from tracker.settings import workspace_currency
from tracker.store import Rollback, Store
from tracker.text import clip, safe_file_name
from tracker.vocab import listing

if TYPE_CHECKING:
    from tracker.imports.model import ParsedFile, Reject
    from tracker.models import ImportMapping


@dataclass
class ImportResult:
    file: str
    preset: str
    source: str
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    rejected: list[Reject] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    per_metric: dict[str, dict[str, int]] = field(default_factory=dict)
    created_metrics: list[str] = field(default_factory=list)
    preview: pa.Table | None = None
    dry_run: bool = False
    rejects_file: str | None = None
    change: int | None = None
    names: dict[str, str] = field(default_factory=dict)  # metric key -> name, for people
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    outliers: list[dict[str, Any]] = field(default_factory=list)
    overlaps: list[Any] = field(default_factory=list)
    outside_windows: list[dict[str, Any]] = field(default_factory=list)

    def values_to_store(self, limit: int) -> list[dict[str, Any]]:
        """The preview's rows the write keeps (day, metric, value), in file order, at most
        ``limit``: a row it rejects (no value, a future day, below min) is only among
        the rejects, and of rows repeating a (metric, day, source) the last line wins."""
        if self.preview is None:
            return []
        refused = {(r.line, r.metric) for r in self.rejected}
        kept: dict[tuple[Any, ...], dict[str, Any]] = {}
        for r in self.preview.select(["line", "day", "metric", "source", "value"]).to_pylist():
            key = (r["metric"], r["day"], r["source"])
            if r["value"] is None or (r["line"], r["metric"]) in refused:
                continue
            if key not in kept or (kept[key]["line"] or 0) <= (r["line"] or 0):
                kept.pop(key, None)  # the later line takes its place, in its order
                kept[key] = r
        return list(kept.values())[:limit]

    @property
    def all_rejected(self) -> bool:
        """Nothing usable: every row was rejected (the CLI exits 2)."""
        return bool(self.rejected) and not (self.inserted or self.replaced or self.unchanged)

    @property
    def nothing_imported(self) -> bool:
        """No row of the file could be imported: all rejected, or none there at all (a
        header without rows). The CLI exits 2 (DESIGN: "exit 2 when nothing could be
        imported"); a file whose rows are all stored already imported them."""
        return not (self.inserted or self.replaced or self.unchanged)

    def summary_lines(self) -> list[str]:
        """The human summary (CLI, inbox .txt, Import page), one finding per line."""
        verb = "would import" if self.dry_run else "imported"
        lines = [
            f"{self.file}: recognised as {self.preset}; {verb} {self.inserted} inserted,"
            f" {self.replaced} replaced, {self.unchanged} unchanged,"
            f" {len(self.rejected)} rejected"
            + (f"; days {self.first_day} to {self.last_day}" if self.first_day else "")
        ]
        for metric, counts in sorted(self.per_metric.items()):
            parts = [
                f"{counts.get(k, 0)} {k}"
                for k in ("inserted", "replaced", "unchanged", "rejected")
                if counts.get(k)
            ]
            lines.append(f"  {clip(metric)}: {', '.join(parts) or 'nothing'}")
        unassigned = sum(1 for r in self.rejected if not r.metric)
        if unassigned:  # the per-metric lines then add up to the total above
            lines.append(f"  rows of no one metric: {unassigned} rejected (no day or metric read)")
        for o in self.outliers[:10]:
            lines.append(f"  outlier: {Outlier(**o).sentence()}")
        lines += [f"  overlap: {sentence}" for sentence in overlap_sentences(self.overlaps)]
        for w in self.outside_windows:
            lines.append(
                f"  before every KPI window: {w['metric']} has {w['days']} day(s) from"
                f" {w['first']} to {w['last']}; its KPIs ({', '.join(w['kpis'])}) start"
                f" {w['windows_start']}"
            )
        if self.change is not None and not self.dry_run:
            lines.append(f"  take it all back with `waypoint undo {self.change}`")
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "preset": self.preset,
            "source": self.source,
            "inserted": self.inserted,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "rejected": [
                {
                    "file": r.file,
                    "line": r.line,
                    "column": r.column,
                    "metric": r.metric,  # the metric it counts against, when one
                    "value": r.value,
                    "reason": r.reason,
                    "day": r.day.isoformat() if r.day else None,
                }
                for r in self.rejected
            ],
            "notes": self.notes,
            "per_metric": self.per_metric,
            "created_metrics": self.created_metrics,
            "dry_run": self.dry_run,
            "rejects_file": self.rejects_file,
            "change": self.change,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "outliers": self.outliers,
            "overlaps": [o.as_dict() for o in self.overlaps],
            "outside_windows": self.outside_windows,
        }


def known_metrics(store: Store) -> tuple[dict[str, str], dict[str, str]]:
    """Stored metrics: key -> name, and key -> behaviour (flow or stock)."""
    with store.read() as con:
        rows = con.execute("SELECT key, name, behaviour FROM metrics").fetchall()
    return {k: n for k, n, _ in rows}, {k: b for k, _, b in rows}


def saved_mappings(store: Store) -> list[ImportMapping]:
    """The workspace's import mappings (the plan's imports: list), in plan order."""
    with store.read() as con:
        specs = con.execute(
            "SELECT spec FROM import_mappings WHERE NOT archived ORDER BY position, name"
        ).fetchall()
    if not specs:
        return []  # the plan models (pydantic) cost 70-100 ms to import; most imports need none
    from tracker.models import ImportMapping

    return [ImportMapping.model_validate_json(spec) for (spec,) in specs]


@dataclass(frozen=True)
class Workspace:
    """What reading a file needs from the workspace: its time zone, stored metrics (key ->
    name, key -> behaviour), saved import mappings and the currency money is counted in."""

    timezone: str
    names: dict[str, str]
    behaviours: dict[str, str]
    mappings: list[ImportMapping]
    currency: str = "USD"


def read_workspace(store: Store) -> Workspace:
    """The workspace as an import reads it, in one session (the file is parsed after it,
    with the database closed)."""
    with store.session():
        names, behaviours = known_metrics(store)
        with store.read() as con:
            currency = workspace_currency(con)
        return Workspace(
            workspace_timezone(store), names, behaviours, saved_mappings(store), currency
        )


def _same_currency(parsed: ParsedFile, currency: str) -> None:
    """Refuse money in another currency than the workspace's: a report's 365.22 pounds
    stored as dollars would turn every cost per lead into a wrong number, silently."""
    other = sorted(parsed.currencies - {currency})
    if not other:
        return
    money = [s.name for s in parsed.metrics.values() if s.klass == "spend"]
    theirs = " and ".join(other)
    raise BadInput(
        f"{parsed.file}: its money ({', '.join(money) or 'costs'}) is in {theirs}, and the"
        f" workspace counts money in {currency}: nothing was imported. Set `currency:"
        f" {other[0]}` under `workspace:` in the plan (`waypoint plan export`, edit it,"
        f" `waypoint plan apply`), or export the report in {currency}."
    )


def import_file(
    store: Store,
    actor: Actor,
    path: str | Path,
    *,
    preset: str = "auto",
    day: dt.date | None = None,
    dry_run: bool = False,
    display_name: str | None = None,
    rejects_dir: str | Path | None = None,
    map_with: Sequence[ImportMapping] = (),
    workspace: Workspace | None = None,
) -> ImportResult:
    """Parse ``path`` and upsert its daily values in one transaction.

    Raises BadInput when the file cannot be read at all; rows that cannot be used are
    returned in ``rejected`` (file, line, column, value, reason) and valid rows still
    import. Unless ``dry_run``, rejects are also written to ``<name>.rejects.csv`` in
    ``rejects_dir`` (default: ``rejects/`` beside the database file).

    ``map_with`` reads the file through the one of those mappings that fits it (``--map
    FILE``); otherwise
    the workspace's saved mappings are tried after the platform presets, and ``preset``
    may name one of them.

    ``workspace``: the workspace as ``read_workspace`` gave it, when the caller read it in
    a session of its own (the command line, with the person acting: one opening of the
    file fewer). Read afresh otherwise, as after an import that created metrics.
    """
    require_writer(actor, "import values")
    if workspace is None:
        workspace = read_workspace(store)
    parsed = read_import(
        path, workspace, preset=preset, day=day, display_name=display_name, map_with=map_with
    )
    return store_import(
        store, actor, path, parsed, workspace, dry_run=dry_run, rejects_dir=rejects_dir
    )


def dry_run_files(
    store: Store,
    actor: Actor,
    paths: Sequence[str | Path],
    *,
    preset: str = "auto",
    day: dt.date | None = None,
    map_with: Sequence[ImportMapping] = (),
    workspace: Workspace | None = None,
) -> list[ImportResult | BadInput]:
    """What importing ``paths`` one after the other would do, writing nothing: each
    file's result (or the BadInput that refuses it), in order.

    Each file is judged as the real import would judge it, after the files before it:
    a dry run of each file alone said "inserted" for values an earlier file would have
    stored (the real run: "replaced" or "unchanged"), and missed the sources two files
    count twice. Every file is parsed first, with the database closed (a slow file
    never holds the lock); a later file knows the metrics an earlier one with rows
    creates. The writes then run in one transaction that is rolled back. A file that
    stores nothing keeps nothing in the real run (not even the metrics it would have
    created), but inside the outer transaction its own rollback cannot take back its
    writes (nor can a file refused midway): the transaction is then begun again without
    it, the files before it written again, and the next file judged on that."""
    require_writer(actor, "import values")
    if workspace is None:
        workspace = read_workspace(store)
    read: list[tuple[str | Path, ParsedFile] | BadInput] = []
    for path in paths:
        try:
            parsed = read_import(path, workspace, preset=preset, day=day, map_with=map_with)
        except BadInput as exc:
            read.append(exc)
            continue
        read.append((path, parsed))
        created = {k: m for k, m in parsed.metrics.items() if k not in workspace.names}
        if created and parsed.rows.num_rows:
            workspace = replace(
                workspace,
                names={**workspace.names, **{k: m.name for k, m in created.items()}},
                behaviours={**workspace.behaviours, **{k: m.behaviour for k, m in created.items()}},
            )
    out: list[ImportResult | BadInput] = []
    kept: list[tuple[str | Path, ParsedFile]] = []  # the files that store something
    start = 0
    with store.session():
        while start < len(read):
            with store.write():
                for path, parsed in kept:  # again, after a file that stored nothing
                    store_import(store, actor, path, parsed, workspace, dry_run=True)
                for item in read[start:]:
                    start += 1
                    if isinstance(item, BadInput):
                        out.append(item)
                        continue
                    path, parsed = item
                    try:
                        result = store_import(store, actor, path, parsed, workspace, dry_run=True)
                    except BadInput as exc:  # refused midway: what it wrote stays here too
                        out.append(exc)
                        break
                    out.append(result)
                    if result.nothing_imported:
                        break  # its writes stay in this transaction: begin it again
                    kept.append(item)
                raise Rollback  # nothing of a dry run is kept
    return out


def read_import(
    path: str | Path,
    workspace: Workspace,
    *,
    preset: str = "auto",
    day: dt.date | None = None,
    display_name: str | None = None,
    map_with: Sequence[ImportMapping] = (),
) -> ParsedFile:
    """Read one file as ``import_file`` does, with the database closed. Raises BadInput
    for a file that cannot be read, a --day after today, a mapping naming an unknown
    metric, or money in another currency than the workspace's."""
    from tracker.imports import parse_file
    from tracker.imports.mapping import check_metrics

    if day is not None:
        from tracker.checks import check_day
        from tracker.clock import today

        # --day dates a whole file: a day after today is refused before anything is read,
        # naming --day, not each row's "day" column the file does not have
        check_day(day, today(timezone=workspace.timezone), "--day")
    for mapping in map_with:
        check_metrics(mapping, workspace.names, f"--map {mapping.name}", workspace.behaviours)
    # Parsed with the database closed: a slow or hostile file never holds the file lock
    # that other processes (the dashboard, the scheduler, the CLI) wait for.
    parsed = parse_file(
        Path(path),
        preset=preset,
        day=day,
        timezone=workspace.timezone,
        display_name=display_name,
        known_metrics=set(workspace.names),
        mappings=workspace.mappings,
        behaviours=workspace.behaviours,
        map_with=map_with,
    )
    _same_currency(parsed, workspace.currency)
    return parsed


def store_import(
    store: Store,
    actor: Actor,
    path: str | Path,
    parsed: ParsedFile,
    workspace: Workspace,
    *,
    dry_run: bool = False,
    rejects_dir: str | Path | None = None,
) -> ImportResult:
    """Store what ``read_import`` read, in one transaction (``import_file``'s second half)."""
    from tracker.imports import Reject

    path = Path(path)
    with store.session():
        new_metrics = {
            key: NewMetric(
                key=key,
                name=spec.name,
                klass=spec.klass,
                behaviour=spec.behaviour,
                channel=spec.channel,
                unit=spec.unit,
                qualified=spec.qualified,
                minimum=spec.minimum,
            )
            for key, spec in parsed.metrics.items()
        }
        written: WriteResult = write_observations(
            store,
            actor,
            parsed.rows,
            new_metrics=new_metrics,
            # the change as people read it in the Audit log: "(X: account overview)",
            # not the preset's code
            label=f"{parsed.file} ({_kind_in_words(parsed.preset)})",
            dry_run=dry_run,
            # rows the parse could not read count against their metric too
            read_rejects=[r.metric for r in parsed.rejects],
        )
    wide = parsed.preset == "wide"
    mapped = parsed.preset.startswith("mapping:")

    def file_column(p: Any) -> str | None:
        """The column the problem is in, as the file names it: the wide form has a
        column per metric and none called metric or value; a mapped file names its own
        date column, and each metric's value column (none for a count of rows)."""
        if wide and p.column in ("metric", "value"):
            return p.metric
        if mapped and p.column == "day":
            return parsed.day_column
        if mapped and p.column in ("metric", "value"):
            return parsed.value_columns.get(p.metric or "")
        return p.column

    def cell(p: Any) -> Any:
        """The cell as the file writes it: a mapped file's day as written (07.12.2026),
        not the day it was read as, so the person can find it in the file."""
        if p.column == "day" and p.line in parsed.day_texts:
            return parsed.day_texts[p.line]
        if (mapped or wide) and p.column == "metric":
            # no cell holds the metric's key there: the value is what was refused
            return p.amount
        return p.value if p.value is not None or p.column != "metric" else p.metric

    rejects = list(parsed.rejects) + [
        Reject(
            file=parsed.file,
            line=p.line,
            column=file_column(p),
            value=cell(p),
            reason=p.reason,
            metric=p.metric,
            # a mapped file's value is a day's, made of rows or of none (a day without a
            # row is counted 0 on the line before): the day says which
            day=p.day if mapped else None,
        )
        for p in written.rejected
    ]
    # one list in the file's order, whichever step refused a row
    rejects.sort(key=lambda r: (r.line or 0, r.metric or ""))
    per_metric = written.per_metric
    result = ImportResult(
        file=parsed.file,
        preset=parsed.preset,
        source=parsed.source,
        inserted=written.inserted,
        replaced=written.replaced,
        unchanged=written.unchanged,
        rejected=rejects,
        notes=list(parsed.notes) + written.notes(),
        per_metric=per_metric,
        created_metrics=written.created_metrics,
        preview=parsed.rows,
        dry_run=dry_run,
        change=written.change,
        names={**workspace.names, **{key: spec.name for key, spec in parsed.metrics.items()}},
        first_day=written.first_day,
        last_day=written.last_day,
        outliers=written.outliers,
        overlaps=written.overlaps,
        outside_windows=written.outside_windows,
    )
    if written.revived_metrics:
        # DESIGN: an archived metric's history stays visible; bringing it back is said,
        # in one note however many (a platform export brings back a dozen at once)
        names = [result.names.get(key, key) for key in written.revived_metrics]
        one = len(names) == 1
        listed = listing(names)
        result.notes.append(
            f"{listed} {'is' if one else 'are'} archived; this import would bring"
            f" {'it' if one else 'them'} back (the plan would list {'it' if one else 'them'} again)"
            if dry_run
            else f"{listed} {'was' if one else 'were'} archived; this import brought"
            f" {'it' if one else 'them'} back (the plan lists {'it' if one else 'them'} again,"
            f" and `waypoint undo` archives {'it' if one else 'them'} once more)"
        )
    if rejects and not dry_run:
        folder = Path(rejects_dir) if rejects_dir is not None else store.path.parent / "rejects"
        target = folder / rejects_name(path.name)
        try:
            if folder.is_symlink():
                # the data folder may be shared: a link planted at rejects/ would send
                # Waypoint's writes elsewhere (or back into the inbox)
                raise BadInput(f"{folder} is a link to another folder; it is not written through")
            result.rejects_file = str(write_rejects(rejects, target, keep_off=store.own_files()))
        except BadInput as exc:
            # the values are stored already: a rejects file that cannot be written is
            # said, not an error that would read as if nothing had been imported
            result.notes.append(f"the rejected rows were not saved to a file: {exc}")
    return result


def _kind_in_words(preset: str) -> str:
    from tracker.imports.parse import preset_label

    return {"long": "long form", "wide": "wide form"}.get(preset) or preset_label(preset)


def rejects_name(name: str) -> str:
    """``<file>.rejects.csv``, safe as a file name (tracker.text.safe_file_name)."""
    return f"{safe_file_name(name)}.rejects.csv"


@contextmanager
def upload_copy(name: str, data: bytes) -> Iterator[Path]:
    """An uploaded file held in memory as one temporary copy, named as uploaded (readers
    and presets go by the name), deleted as soon as the block ends."""
    with tempfile.TemporaryDirectory(prefix="waypoint-upload-") as folder:
        path = Path(folder) / Path(name).name
        path.write_bytes(data)
        yield path


def import_upload(
    store: Store, actor: Actor, name: str, data: bytes, **options: Any
) -> ImportResult:
    """Import an uploaded file held in memory (the dashboard)."""
    with upload_copy(name, data) as path:
        options.setdefault("rejects_dir", path.parent)  # shown on the page, not kept
        return import_file(store, actor, path, display_name=name, **options)


def write_rejects(
    rejects: Sequence[Reject], target: Path, *, keep_off: Sequence[Path] = ()
) -> Path:
    """Rejected rows as CSV (file, line, column, value, reason, metric: the metric the
    cell was for, when known, so that one column read into two metrics gives two lines
    that say which; day: the day a mapped file's value was for), formulas neutralised.
    Written like every --out (tracker.outfiles): whole, and never through a link, since
    the inbox's folders may be shared and the name can be guessed."""
    from tracker.observations import neutralise
    from tracker.outfiles import write_atomically

    def write(part: Path) -> None:
        with part.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["file", "line", "column", "value", "reason", "metric", "day"])
            for r in rejects:
                writer.writerow(
                    [
                        neutralise(r.file),
                        r.line,
                        neutralise(r.column),
                        neutralise(None if r.value is None else str(r.value)),
                        neutralise(r.reason),
                        neutralise(r.metric),
                        r.day.isoformat() if r.day else None,
                    ]
                )

    write_atomically(target, write, make_folders=True, keep_off=keep_off, label="rejects file")
    return target
