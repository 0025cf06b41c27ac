"""Reading a file into sheets of cells, whatever the platform wrote.

CSV: the encoding from the BOM, else UTF-8, else charset-normalizer's best guess (a
file of UTF-8 lines and lines in another encoding: each line in its own);
the delimiter from csv.Sniffer; records from the csv module (quoted newlines kept),
each with the physical line it starts on. Excel: python-calamine (xlsx and real BIFF
xls). SpreadsheetML 2003 (".xls" files that are XML, as Facebook writes them):
defusedxml (no entities, no external references). Every workbook is checked and read in
a child process with memory and time limits (tracker.imports.workbook).
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.errors import BadInput
from tracker.imports.workbook import MAX_COLUMNS
from tracker.text import not_utf8

MAX_BYTES = 500_000_000
MAX_CELL = 1_000_000
csv.field_size_limit(MAX_CELL * 2)


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]
    lines: list[int]  # physical line (CSV) or row number (Excel) of each row
    meta: dict[str, Any] = field(default_factory=dict)


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Text and the encoding it was read with; BadInput for binary junk."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise BadInput(
            f"{name}: this is not a text file (it holds binary data); export it again as"
            " CSV or XLSX"
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(data[:200_000])
    best = matches.best()
    encoding = best.encoding if best is not None else "cp1252"
    calmest = min((m.chaos for m in matches), default=0.0)
    western = next((m for m in matches if m.encoding == "cp1252"), None)
    if western is not None and western.chaos <= calmest + 0.01:
        # A few accented letters read as well in several code pages, and on a short file
        # charset-normalizer picks among them by chance (Señora as Seńora in cp1250, or
        # as Se±ora in the DOS code page cp857): of those that read as well, Windows-1252
        # is the one Western tools write. Only another language's own Windows code page
        # that reads the text as more of its language keeps it (Turkish in Windows-1254:
        # Müşteri, not Müþteri).
        own_language = (
            best is not None
            and best.encoding in _LANGUAGE_PAGES
            and best.coherence > western.coherence + 0.01
        )
        if not own_language:
            encoding = "cp1252"
    if encoding.lower() in ("ascii", "utf_8"):
        encoding = "cp1252"
    if not _single_byte(encoding) or _UTF8_SEQUENCE.search(data) is None:
        # a line of GBK or Shift-JIS can be valid UTF-8 by chance: only a file in a
        # single-byte encoding (Windows-1252 and its kind) is read line by line
        return data.decode(encoding, errors="replace"), encoding
    lines = data.splitlines(keepends=True)
    utf8 = [_utf8(line) for line in lines]
    if not any(t is not None and not t.isascii() for t in utf8):
        return data.decode(encoding, errors="replace"), encoding
    # Lines of both: a file appended to by two tools (a UTF-8 export, rows typed on an
    # older Windows machine). Each line is read in the encoding it is written in, so
    # "café" stays café on every line instead of turning into cafÃ© on the UTF-8 ones.
    text = "".join(
        t if t is not None else line.decode(encoding, errors="replace")
        for t, line in zip(utf8, lines, strict=True)
    )
    return text, f"utf-8 and {encoding}"


# a lead byte and its continuation bytes: what a UTF-8 letter beyond ASCII looks like
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


# Windows code pages of languages whose letters Windows-1252 reads as other letters
_LANGUAGE_PAGES = {"cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258"}


def _single_byte(encoding: str) -> bool:
    """Whether every byte is one character in ``encoding`` (cp1252, latin-1, koi8-r...)."""
    try:
        return len(bytes(range(128, 256)).decode(encoding, errors="replace")) == 128
    except LookupError:
        return False


def _utf8(line: bytes) -> str | None:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:50] if ln.strip() and not ln.startswith("#")]
    sample = "\n".join(lines[:30])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        best = max(counts, key=counts.get)  # type: ignore[arg-type]
        sniffed = best if counts[best] else ","
    # The sniffer takes a quoted cell's inner delimiter for the file's: a note written
    # "=HYPERLINK(""a"";""b"")" made a comma file one column wide and its header
    # unknown. Another delimiter wins only when it cuts more rows of the sample to one
    # width of two or more cells than the sniffed one does (a title line above the table
    # is one row among many, whichever it splits into).
    found = {d: _rows_of_one_width(sample, d) for d in ",;\t|" if d in sample}
    best = max(found, key=lambda d: (found[d], d == sniffed), default=sniffed)
    return best if found.get(best, 0) > found.get(sniffed, 0) else sniffed


def _rows_of_one_width(sample: str, delimiter: str) -> int:
    """How many rows of ``sample`` have its most common width, when that is two or more
    cells (a one-column reading fits every row and says nothing)."""
    try:
        widths = [len(r) for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)]
    except csv.Error:
        return 0
    counts = Counter(w for w in widths if w >= 2)
    return max(counts.values(), default=0)


def read_csv_text(text: str, name: str) -> Sheet:
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Any]] = []
    lines: list[int] = []
    start = 1
    try:
        for record in reader:
            rows.append(record)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise BadInput(f"{name}, line {start}: cannot be read as CSV ({exc})") from exc
    if not any(any(cell.strip() for cell in row) for row in rows):
        raise BadInput(
            f"{name}: the file holds no rows (it is empty apart from blank space or a"
            " byte-order mark); export it again"
        )
    widest = max(len(row) for row in rows)
    if widest > MAX_COLUMNS:
        line = lines[next(i for i, row in enumerate(rows) if len(row) == widest)]
        raise BadInput(
            f"{name}, line {line}: {widest:,} columns; a file may have at most"
            f" {MAX_COLUMNS:,} (one per metric); split it into several files"
        )
    return Sheet(name="", rows=rows, lines=lines, meta={"delimiter": delimiter})


PEEK_BYTES = 256_000
MAX_HEADER_BYTES = 16_000_000


def is_workbook(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(8)
    return head.startswith((b"<?xml", b"<Workb", b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))


def peek_csv(path: Path, name: str) -> Sheet:
    """The first rows of a CSV (enough to recognise it) without reading it all."""
    with path.open("rb") as fh:
        # The whole first line (a wide header may be long) and then enough to recognise.
        data = fh.readline(MAX_HEADER_BYTES)
        data += fh.read(PEEK_BYTES)
    if not data:
        raise BadInput(f"{name}: the file is empty")
    if len(data) >= PEEK_BYTES:
        cut = data.rfind(b"\n")
        data = data[: cut + 1] if cut > 0 else data
        if data.startswith((b"\xff\xfe", b"\xfe\xff")) and len(data) % 2:
            data += b"\x00"
    text, encoding = decode(data, name)
    sheet = read_csv_text("\n".join(text.splitlines()[:40]), name)
    sheet.meta["encoding"] = encoding
    return sheet


def read_sheets(path: Path, name: str) -> list[Sheet]:
    """Every table-like sheet of a file (a CSV is one sheet)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BadInput(f"{name}: cannot be read ({exc.strerror or exc})") from exc
    if size == 0:
        raise BadInput(f"{name}: the file is empty")
    if size > MAX_BYTES:
        raise BadInput(
            f"{name}: {size / 1e6:.0f} MB is larger than the {MAX_BYTES // 10**6} MB limit"
        )
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith((b"<?xml", b"<Workb", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        from tracker.imports.workbook import run_isolated

        if not_utf8(str(path)):
            # the workbook reader (Rust) cannot open a name whose bytes are not UTF-8 (a
            # Latin-1 "café.xlsx" was "No such file"): it reads a copy named plainly
            with tempfile.TemporaryDirectory(prefix="waypoint-import-") as folder:
                copy = Path(folder) / ("workbook" + (path.suffix if path.suffix.isascii() else ""))
                shutil.copyfile(path, copy)
                return run_isolated(name, read_workbook, copy, name)
        return run_isolated(name, read_workbook, path, name)
    text, encoding = decode(path.read_bytes(), name)
    sheet = read_csv_text(text, name)
    sheet.meta["encoding"] = encoding
    return [sheet]


def read_workbook(path: Path, name: str) -> list[Sheet]:
    """Every sheet of a workbook. Runs in the isolated child (see read_sheets)."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith((b"<?xml", b"<Workb")):
        return _spreadsheetml(path, name)
    return _excel(path, name, zipped=head.startswith(b"PK\x03\x04"))


def _excel(path: Path, name: str, zipped: bool) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    from tracker.imports.workbook import inspect_xlsx, read_sparse

    how, marks = inspect_xlsx(path, name) if zipped else ({}, {})
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = []
        for sheet_name in book.sheet_names:
            if how.get(sheet_name) == "sparse":
                rows, numbers = read_sparse(path, sheet_name)
                sheets.append(Sheet(sheet_name, rows, numbers, {"sparse": True}))
                continue
            rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            grid = [list(r) for r in rows]
            for (row, column), shown in marks.get(sheet_name, {}).items():
                # calamine reads #DIV/0! and an uncomputed formula as an empty cell: they
                # are rejected saying what the cell shows instead (the grid starts at A1)
                if (
                    row <= len(grid)
                    and column <= len(grid[row - 1])
                    and grid[row - 1][column - 1] == ""
                ):
                    grid[row - 1][column - 1] = shown
            sheets.append(Sheet(sheet_name, grid, list(range(1, len(rows) + 1))))
    except BadInput:
        raise
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        raise BadInput(f"{name}: the workbook cannot be read ({exc})") from exc
    return sheets


def _spreadsheetml(path: Path, name: str) -> list[Sheet]:
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as SafeET

    from tracker.imports.workbook import MAX_FILLED

    ns = {"ss": "urn:schemas-microsoft-com:office:spreadsheet"}
    try:
        tree = SafeET.parse(path)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise BadInput(f"{name}: the XML spreadsheet cannot be read ({exc})") from exc
    root = tree.getroot()
    if root is None:
        raise BadInput(f"{name}: the XML spreadsheet is empty")
    sheets = []
    filled = 0
    for ws in root.iterfind("ss:Worksheet", ns):
        rows: list[list[Any]] = []
        for row in ws.iterfind("ss:Table/ss:Row", ns):
            cells: list[Any] = []
            for cell in row.iterfind("ss:Cell", ns):
                index = cell.get(f"{{{ns['ss']}}}Index")
                if index is not None:
                    # Bounded: a hostile ss:Index of 100,000,000 must not pad a row with
                    # a hundred million empty cells.
                    if not index.isdigit() or not 1 <= int(index) <= MAX_COLUMNS:
                        raise BadInput(
                            f"{name}, row {len(rows) + 1}: cell index {index[:20]!r} is outside"
                            f" 1..{MAX_COLUMNS} (a spreadsheet has at most {MAX_COLUMNS} columns)"
                        )
                    while len(cells) < int(index) - 1:
                        cells.append("")
                data = cell.find("ss:Data", ns)
                value: Any = "" if data is None else "".join(data.itertext())
                kind = None if data is None else data.get(f"{{{ns['ss']}}}Type")
                if kind == "Number" and value != "":
                    with contextlib.suppress(ValueError):  # else text: the preset names it
                        value = float(value)
                cells.append(value)
            filled += len(cells)
            if filled > MAX_FILLED:
                raise BadInput(
                    f"{name}: more than {MAX_FILLED:,} cells; export fewer rows or save as CSV"
                )
            rows.append(cells)
        sheets.append(
            Sheet(ws.get(f"{{{ns['ss']}}}Name") or "", rows, list(range(1, len(rows) + 1)))
        )
    return sheets
