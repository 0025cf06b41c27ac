"""Workbooks read safely: sizes checked before any cell is read, and readers run in a
child process with memory and time limits.

A workbook is a zip (xlsx) or an OLE container (xls) whose declared shape can be far
larger than its bytes: one cell at A1 and one at XFD1048576 make a 1.6 KB file whose
dense grid is 17 billion cells, and a 2 MB zip can unpack to gigabytes. The native
reader (calamine) allocates the dense grid and aborts the whole process when it cannot.
So, before it runs:

- xlsx: every zip member's uncompressed size and ratio are checked, and each sheet's
  cells are scanned (streamed, never held) for its real bounding box. A sheet whose box
  exceeds ``MAX_CELLS`` but whose filled cells are few is read sparsely: only filled
  rows, and only the columns that hold something. Too many filled cells is refused.
- every workbook (xlsx, xls, SpreadsheetML) is parsed in a child process limited to
  ``WAYPOINT_PARSE_MEMORY_MB`` (default 2048) of address space and
  ``WAYPOINT_PARSE_SECONDS`` (default 120): a reader that crashes or runs away costs the
  child, and the user gets a message naming the file.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.errors import BadInput

MAX_UNZIPPED = 400_000_000  # bytes of all zip members together
MAX_RATIO = 200  # uncompressed / compressed of one member
MAX_CELLS = 5_000_000  # cells of a sheet's dense bounding box
MAX_FILLED = 2_000_000  # filled cells read sparsely
MAX_COLUMNS = 16_384  # Excel's own limit (XFD)
MAX_ROWS = 1_048_576

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def cell_position(ref: str) -> tuple[int, int]:
    """(row, column), 1-based, of an A1-style reference; ValueError when malformed."""
    match = _REF.match(ref)
    if match is None:
        raise ValueError(ref)
    return int(match.group(2)), _column_number(match.group(1))


def check_zip(path: Path, name: str) -> zipfile.ZipFile:
    """Open an xlsx and refuse a zip bomb before anything is unpacked."""
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise BadInput(f"{name}: the workbook cannot be read (not a valid xlsx: {exc})") from exc
    total = 0
    for info in book.infolist():
        total += info.file_size
        if (
            info.compress_size
            and info.file_size / info.compress_size > MAX_RATIO
            and (info.file_size > 10_000_000)
        ):
            raise BadInput(
                f"{name}: part {info.filename} unpacks to {info.file_size / 1e6:.0f} MB from"
                f" {info.compress_size / 1e3:.0f} KB; that is not a spreadsheet export"
                " Waypoint reads (save it again from the spreadsheet program)"
            )
    if total > MAX_UNZIPPED:
        raise BadInput(
            f"{name}: the workbook unpacks to {total / 1e6:.0f} MB, more than the"
            f" {MAX_UNZIPPED // 10**6} MB limit; export fewer rows or save it as CSV"
        )
    return book


def _sheet_parts(book: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip member) of each worksheet, in workbook order."""
    from defusedxml import ElementTree as SafeET

    workbook = SafeET.fromstring(book.read("xl/workbook.xml"))
    rels = SafeET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
    parts = []
    for sheet in workbook.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        parts.append((sheet.get("name") or "", member))
    return parts


MAX_MARKED = 100_000  # error and uncomputed formula cells kept in words


@dataclass
class Scan:
    """A sheet's filled cells and their bounding box, and the cells calamine would hand
    over as empty though they are not: formula errors (#DIV/0!, #N/A) and formulas
    without a computed value, each (row, column) -> what the cell shows."""

    filled: int
    top: int
    bottom: int
    left: int
    right: int
    marked: dict[tuple[int, int], str]


def _scan(book: zipfile.ZipFile, member: str) -> Scan:
    """The sheet's shape and marked cells, streamed (see Scan)."""
    from defusedxml.ElementTree import iterparse

    filled, top, bottom, left, right = 0, MAX_ROWS + 1, 0, MAX_COLUMNS + 1, 0
    marked: dict[tuple[int, int], str] = {}
    row_number = 0
    with book.open(member) as fh:
        for _, element in iterparse(fh, events=("end",)):
            tag = element.tag
            if tag == f"{_MAIN}row":
                element.clear()
                continue
            if tag != f"{_MAIN}c":
                continue
            ref = element.get("r")
            if ref:
                row_number, column = cell_position(ref)
            else:
                row_number, column = row_number or 1, right + 1
            if column > MAX_COLUMNS or row_number > MAX_ROWS:
                raise ValueError(f"cell {ref} is outside Excel's grid")
            filled += 1
            top, bottom = min(top, row_number), max(bottom, row_number)
            left, right = min(left, column), max(right, column)
            if len(marked) < MAX_MARKED:
                shown = _shown_instead_of_empty(element)
                if shown is not None:
                    marked[(row_number, column)] = shown
            element.clear()
    return Scan(filled, top, bottom, left, right, marked)


def _shown_instead_of_empty(cell: Any) -> str | None:
    """What a cell calamine reads as empty shows: a formula's error (#DIV/0!), or a
    formula no spreadsheet has computed yet (written by a script): an empty value there
    would import as a day without a value, or a value rejected as empty, instead of
    saying why."""
    v = cell.find(f"{_MAIN}v")
    cached = v.text if v is not None else None
    if cell.get("t") == "e":
        return cached or "#ERROR"
    f = cell.find(f"{_MAIN}f")
    # A computed empty text (`=IF(A2="","",A2)`) is an empty <v></v> in a cell typed as a
    # formula's text (t="str", as spreadsheets save it); a formula with no <v>, or an
    # empty one in a number cell (openpyxl writes `<f>40+2</f><v/>`: a number is never
    # empty), was never computed
    if f is not None and (v is None or (not cached and cell.get("t", "n") == "n")):
        return f"={f.text or ''}"  # a value starting with = reads as a formula never computed
    return None


def inspect_xlsx(
    path: Path, name: str
) -> tuple[dict[str, str], dict[str, dict[tuple[int, int], str]]]:
    """Check an xlsx before reading it; returns sheet name -> 'dense' or 'sparse', and
    sheet name -> its marked cells (Scan.marked)."""
    book = check_zip(path, name)
    how: dict[str, str] = {}
    marks: dict[str, dict[tuple[int, int], str]] = {}
    with book:
        try:
            parts = _sheet_parts(book)
            for sheet, member in parts:
                scan = _scan(book, member)
                filled, top, bottom, left, right = (
                    scan.filled,
                    scan.top,
                    scan.bottom,
                    scan.left,
                    scan.right,
                )
                marks[sheet] = scan.marked
                if filled > MAX_FILLED:
                    raise BadInput(
                        f"{name}, sheet {sheet!r}: {filled:,} filled cells, more than the"
                        f" {MAX_FILLED:,} Waypoint reads; export fewer rows or columns"
                    )
                area = (bottom - top + 1) * (right - left + 1) if filled else 0
                how[sheet] = "sparse" if area > MAX_CELLS else "dense"
        except BadInput:
            raise
        except Exception as exc:  # a malformed part: name it instead of crashing later
            raise BadInput(f"{name}: the workbook cannot be read ({exc})") from exc
    return how, marks


def read_sparse(path: Path, sheet_name: str) -> tuple[list[list[Any]], list[int]]:
    """Rows of a sheet with a huge, mostly empty box: filled rows, filled columns only."""
    from defusedxml import ElementTree as SafeET
    from defusedxml.ElementTree import iterparse

    with zipfile.ZipFile(path) as book:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = SafeET.fromstring(book.read("xl/sharedStrings.xml"))
            shared = ["".join(si.itertext()) for si in root.iter(f"{_MAIN}si")]
        member = dict(_sheet_parts(book))[sheet_name]
        cells: dict[tuple[int, int], Any] = {}
        with book.open(member) as fh:
            for _, element in iterparse(fh, events=("end",)):
                if element.tag != f"{_MAIN}c":
                    continue
                row, column = cell_position(element.get("r", ""))
                kind = element.get("t")
                v = element.find(f"{_MAIN}v")
                if kind == "inlineStr":
                    value: Any = "".join(element.itertext())
                elif v is None or v.text is None:
                    value = ""
                elif kind == "s":
                    value = shared[int(v.text)]
                elif kind in ("str", "e"):
                    value = v.text
                elif kind == "b":
                    value = v.text == "1"
                else:
                    value = float(v.text)
                cells[(row, column)] = value
                element.clear()
    rows = sorted({r for r, _ in cells})
    columns = sorted({c for _, c in cells})
    return [[cells.get((r, c), "") for c in columns] for r in rows], rows


# -- the child process ------------------------------------------------------------------
def _limits() -> tuple[int, int]:
    memory = int(os.environ.get("WAYPOINT_PARSE_MEMORY_MB", "2048"))
    seconds = int(os.environ.get("WAYPOINT_PARSE_SECONDS", "120"))
    return memory, seconds


def _child(conn: Any, memory_mb: int, seconds: int, fn: Callable[..., Any], args: tuple) -> None:
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    try:
        conn.send(("ok", fn(*args)))
    except BadInput as exc:
        conn.send(("bad", str(exc)))
    except MemoryError:
        conn.send(("memory", ""))
    except Exception as exc:  # the parent turns it into a message naming the file
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_isolated(name: str, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in a child process with memory and time limits; BadInput naming
    ``name`` when the child fails, crashes, runs out of memory or of time."""
    memory_mb, seconds = _limits()
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, memory_mb, seconds, fn, args), daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(seconds):
            raise BadInput(
                f"{name}: reading it took longer than {seconds} s, so it was stopped; the file"
                " is larger or stranger than an export (save it again, or as CSV)"
            )
        try:
            status, payload = parent.recv()
        except EOFError:
            process.join(5)
            raise BadInput(
                f"{name}: the workbook reader gave up on this file (it needed more than"
                f" {memory_mb} MB of memory or is damaged, exit {process.exitcode});"
                " save it again from the spreadsheet program, or as CSV"
            ) from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        parent.close()
    if status == "ok":
        return payload
    if status == "bad":
        raise BadInput(payload)
    if status == "memory":
        raise BadInput(
            f"{name}: reading it needed more than {memory_mb} MB of memory; it was stopped"
        )
    raise BadInput(f"{name}: the workbook cannot be read ({payload})")
