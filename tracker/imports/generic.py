"""The generic forms of DESIGN.md, read by DuckDB so a million rows take about a second.

Long form: a header with `day`, `metric`, `value` and optional `source`, `by`, `note`
(any order, any case). Wide form: `day` (or `date`) then one column per metric key.
Cells are read as text and converted in SQL; the few that SQL cannot convert (`1,234`,
`12%`, `3/1/2026`) get a second chance with tracker.imports.values; what still fails
is rejected with its line, column and reason.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import duckdb

from tracker.errors import BadInput
from tracker.imports.model import CellsPastTheHeader, Reject
from tracker.imports.read import decode
from tracker.imports.values import NotADate, NotANumber, NumericDays, parse_number
from tracker.text import not_utf8, quoted, spelled_like

LONG_COLUMNS = {
    "day": "day",
    "date": "day",
    "metric": "metric",
    "value": "value",
    "source": "source",
    "by": "by",
    "recorded_by": "by",
    "for": "for",
    "for_person": "for",
    "note": "note",
}


# the label of a totals row in the day column, as spreadsheets and platforms write it
TOTAL_LABELS = {"total", "totals", "grand total", "sum", "gesamt", "summe", "totale"}


MAX_LINE_BYTES = 4_000_000  # the longest line DuckDB's reader is asked to take


def form_of(header: list[str]) -> str | None:
    names = [h.strip().lower() for h in header]
    if {"metric", "value"} <= set(names) and ({"day", "date"} & set(names)):
        return "long"
    if names and names[0] in ("day", "date") and len(names) > 1:
        return "wide"
    return None


def _connection(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    # The file being imported is the only one this connection may read.
    con.execute("SET allowed_paths = ?", [[str(path)]])
    con.execute("SET enable_external_access = false")
    return con


_BARE_CR = re.compile(rb"\r(?!\n)")
_CHUNK = 1 << 20


def _line_ends_and_quotes(path: Path) -> tuple[bool, bool]:
    """Does the file hold a bare CR beside LF line ends, and a double quote anywhere?
    Read in 1 MB chunks (a file without any CR, the common case, costs one pass of
    memchr-speed reads)."""
    seen_lf = seen_bare_cr = quoted = False
    carry = b""
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            block = carry + chunk
            carry = b"\r" if block.endswith(b"\r") else b""
            body = block[:-1] if carry else block
            quoted = quoted or b'"' in body
            seen_lf = seen_lf or b"\n" in body
            seen_bare_cr = seen_bare_cr or (b"\r" in body and bool(_BARE_CR.search(body)))
            if seen_lf and seen_bare_cr and quoted:
                break
    return seen_lf and seen_bare_cr, quoted


def _readable_copy(path: Path, name: str, encoding: str) -> tuple[Path, Path | None, bool]:
    """The file DuckDB reads: the file itself, or one copy when DuckDB cannot read it as
    it is: another encoding than UTF-8 (transcoded), a name DuckDB would expand as a glob
    (`week?.csv` would read week1.csv) or cannot take (not UTF-8), or bare CR and LF line ends mixed in one file
    (DuckDB's sniffer stops there; the copy has LF line ends). Last, whether it holds a
    double quote at all."""
    # a name DuckDB cannot take: a glob, or bytes that are not UTF-8 (a Latin-1
    # "café.csv" reaches Python with a lone surrogate, which DuckDB refuses outright)
    awkward = any(ch in str(path) for ch in "*?[") or not_utf8(str(path))
    utf8 = encoding in ("utf-8", "utf-8-sig")
    mixed, quoted = _line_ends_and_quotes(path)
    if utf8 and not awkward and not mixed:
        return path, None, quoted
    tmp = Path(tempfile.mkdtemp(prefix="waypoint-import-")) / "data.csv"
    if utf8 and not mixed:
        shutil.copyfile(path, tmp)  # only the name was the problem
    else:
        text, _ = decode(path.read_bytes(), name)
        if mixed:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        tmp.write_text(text, encoding="utf-8")
    return tmp, tmp, quoted


def parse_generic(
    path: Path,
    name: str,
    form: str,
    *,
    delimiter: str,
    encoding: str,
    known_metrics: Collection[str] | None,
    timezone: str = "UTC",
    header: Sequence[str] | None = None,
    skip: int = 0,
) -> tuple[Any, list[Reject], list[str]]:
    """Rows (Arrow, incoming schema), rejects and notes for a long or wide file; a day
    written with a time and its offset is the workspace's (``timezone``) day of it.
    ``header``: the header's cells as the CSV reader read them (a CSV file's; a sheet
    written out from a workbook has none to check). ``skip``: blank lines above the
    header (lines stay numbered from the header, as without them; the caller renumbers
    them by the file's records)."""
    source_path, tmp, quoted = _readable_copy(path, name, encoding)
    con = _connection(source_path)
    try:
        params: dict[str, Any] = {
            "path": str(source_path),
            "delim": delimiter,
            "max_line": MAX_LINE_BYTES,
        }
        if skip:
            params["skip"] = skip
        try:
            _read_file(con, params, quoted)
            if header is not None:
                _cells_beyond_the_header(con, name, header)
            con.execute("CREATE TEMP TABLE zone AS SELECT ?::VARCHAR AS tz", [timezone])
            names = [r[0] for r in con.execute("DESCRIBE file").fetchall()]
            con.execute(f"CREATE VIEW raw AS SELECT {_place(names)} AS line, * FROM file")  # noqa: S608
            columns = [r[0] for r in con.execute("DESCRIBE raw").fetchall()][1:]
            decimal_comma = delimiter == ";"
            if form == "long":
                return _long(con, name, columns, known_metrics, decimal_comma, timezone)
            return _wide(con, name, columns, known_metrics, decimal_comma, timezone)
        except duckdb.Error as exc:
            if header is not None and skip:
                # DuckDB's sniffer gives up on lines skipped above a header whose first
                # row has a cell too many (a file it read is checked above instead)
                _refuse_a_late_cell(path, name, header, delimiter)
            # the file DuckDB read (a UTF-8 copy of a Latin-1 or UTF-16 one): its lines
            raise BadInput(f"{name}: {_csv_problem(exc, source_path)}") from exc
    finally:
        con.close()
        if tmp is not None:
            tmp.unlink(missing_ok=True)
            tmp.parent.rmdir()


def _read_file(con: duckdb.DuckDBPyConnection, params: dict[str, Any], quoted: bool) -> None:
    """The file into the table ``file``, every cell as text.

    Read in parallel, in file order (DuckDB keeps the order of a table built from a
    file), and numbered by their place in the table: a row_number() window over the read
    would run on one thread, a sixth of a million-row import. Line 1 is the header, so
    row 0 is line 2. A file holding a double quote is read with the standard CSV quote
    named: DuckDB's sniffer looks at the first 20,480 rows only, and a quoted "1,234" or a
    note typed on two lines further down would otherwise split its row. A file whose
    quotes are no CSV quoting (5" screen) is read as the sniffer sees it."""
    read = (
        "CREATE OR REPLACE TABLE file AS SELECT * FROM read_csv($path, all_varchar = true,"
        " header = true, delim = $delim, null_padding = true, max_line_size = $max_line{})"
    )
    # skip only when there are lines to skip: named at all (skip = 0), it changes how
    # DuckDB's sniffer reads a first row with a cell too many
    lead = ", skip = $skip" if params.get("skip") else ""
    tries = [o + lead for o in ([", quote = '\"', escape = '\"'"] if quoted else []) + [""]]
    for i, options in enumerate(tries):
        try:
            try:
                con.execute(read.format(options), params)
            except duckdb.Error as exc:
                if "quoted new lines" not in str(exc):
                    raise
                # A quoted value holding a line break (a note typed on two lines in a
                # spreadsheet) stops DuckDB's parallel reader when rows may be short
                # (null_padding); the reader on one thread reads it. Only such files pay.
                con.execute(read.format(options + ", parallel = false"), params)
            return
        except duckdb.Error:
            if i == len(tries) - 1:
                raise


def header_width(header: Sequence[Any]) -> int:
    """The header's cells up to its last named one: a trailing delimiter on the header
    line (`day,metric,value,`, as spreadsheets save) names no column, and a cell filled
    under it lies past the header as much as one beyond the delimiter."""
    return max((i + 1 for i, h in enumerate(header) if str(h or "").strip()), default=0)


def _place(names: Sequence[str]) -> str:
    """The SQL for a row's line (the header is line 1). A column the file calls rowid
    hides the row's place: then a window numbers the rows (in the table's order)."""
    if any(n.lower() == "rowid" for n in names):
        return "row_number() OVER () + 1"
    return "rowid + 2"


def _cells_beyond_the_header(
    con: duckdb.DuckDBPyConnection, name: str, header: Sequence[str]
) -> None:
    """Refuse a file with a cell past the header's last; drop columns that hold nothing.

    When the first rows have a cell more than the header, DuckDB's reader names it
    (column3) instead of refusing the file: `2026-11-10,leads,1,234` read as 1, and
    234 in a column nobody reads. A comma inside a value that is not in quotes changes
    the number, so the file is refused naming the line, as when the row comes later.
    A column with no name and no cells (a trailing delimiter on every line, as
    spreadsheets save) is no column at all."""
    names = [r[0] for r in con.execute("DESCRIBE file").fetchall()]
    width = header_width(header)
    beyond = names[width:]
    unnamed = [n for n, h in zip(names, header, strict=False) if not str(h).strip()]
    if beyond:
        filled = " OR ".join(f"nullif(trim({_q(n)}), '') IS NOT NULL" for n in beyond)
        first = con.execute(
            f"SELECT min(line) FROM (SELECT {_place(names)} AS line, * FROM file)"  # noqa: S608 (quoted names)
            f" WHERE {filled}"
        ).fetchall()[0][0]
        if first is not None:
            # the line as DuckDB read it; the caller counts blank lines in (renumbered)
            raise CellsPastTheHeader(name, first, width)
    for column in dict.fromkeys(beyond + unnamed):
        empty = con.execute(
            f"SELECT count(*) = 0 FROM file WHERE nullif(trim({_q(column)}), '') IS NOT NULL"  # noqa: S608
        ).fetchall()[0][0]
        if empty:
            con.execute(f"ALTER TABLE file DROP COLUMN {_q(column)}")


def _refuse_a_late_cell(path: Path, name: str, header: Sequence[str], delimiter: str) -> None:
    """Refuse the file naming its first row with a cell past the header, counted as a
    spreadsheet shows the file, when the csv module finds one."""
    width = header_width(header)
    line = first_row_past_the_header(decode(path.read_bytes(), name)[0], delimiter, width)
    if line is not None:
        raise CellsPastTheHeader(name, line, width, counted=True) from None


def first_row_past_the_header(text: str, delimiter: str, width: int) -> int | None:
    """The row (1 = the header, blank lines counted, as a spreadsheet shows the file) of
    the first record below the header with a filled cell past its ``width``, as the csv
    module reads the file; None when it finds none or cannot read the file."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    below = False
    try:
        for row, record in enumerate(reader, start=1):
            if not below:
                below = any(c.strip() for c in record)  # the header: the first filled record
                continue
            if any(c.strip() for c in record[width:]):
                return row
    except csv.Error:  # a stray quote the csv module reads as a field without end
        return None
    return None


def _too_long_line(path: Path) -> tuple[int, int] | None:
    """The first line (1 = the first in the file) longer than DuckDB reads, and its
    length with its line end (which DuckDB counts): DuckDB names line 1 whichever line it
    is, while it guesses the file's shape. Lines end as DuckDB ends them (LF, CRLF or a
    lone CR), and are read in pieces, so a line of hundreds of megabytes is never held."""
    with path.open("r", encoding="latin-1", newline="") as fh:  # one byte, one character
        number = 0
        while piece := fh.readline(MAX_LINE_BYTES + 2):
            number += 1
            size = len(piece)
            while not piece.endswith(("\n", "\r")) and (piece := fh.readline(1 << 20)):
                size += len(piece)
            if size > MAX_LINE_BYTES:
                return number, size
    return None


def _csv_problem(exc: duckdb.Error, path: Path) -> str:
    """DuckDB's reading error in a person's words, naming the line."""
    text = str(exc)
    long_line = _too_long_line(path) if "Maximum line size" in text else None
    if long_line is not None:
        number, size = long_line
        return (
            f"line {number} is {size:,} bytes long with its line end, more than the"
            f" {MAX_LINE_BYTES:,} Waypoint reads in one line; nothing was imported: shorten"
            " that line (a note or cell pasted whole?)"
        )
    line = re.search(r"CSV Error on Line: (\d+)", text)
    cells = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
    if line and cells:
        return (
            f"line {line.group(1)} has {cells.group(2)} cells where the header has"
            f" {cells.group(1)} (a comma inside a value that is not in quotes?); nothing was"
            " imported: put the value in quotes, or remove the extra cell"
        )
    if line:
        return f"cannot be read as CSV at line {line.group(1)} ({text.splitlines()[0]})"
    return f"cannot be read as CSV ({text.splitlines()[0]})"


def _sql_day(column: str) -> str:
    """A day cast in SQL: a plain date (2026-11-06), a naive time (its day), or a time
    with an offset (2026-11-06T03:00:00Z) as the workspace's day of that instant (the
    one-row table ``zone`` holds the workspace's zone: a parameter, never SQL text); a
    plain cast would cut it to its UTC day. What none of these reads gets the second
    chance in Python."""
    return (
        f"CASE WHEN length(trim({column})) <= 10 THEN TRY_CAST({column} AS DATE)"  # noqa: S608 (a quoted column name)
        f" WHEN regexp_matches(trim({column}), '(Z|[+-]\\d\\d:?\\d\\d)$')"
        f" THEN timezone((SELECT tz FROM zone), TRY_CAST(trim({column}) AS TIMESTAMPTZ))::DATE"
        f" ELSE TRY_CAST({column} AS DATE) END"
    )


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _long(
    con: duckdb.DuckDBPyConnection,
    name: str,
    columns: list[str],
    known: Collection[str] | None,
    decimal_comma: bool,
    timezone: str,
) -> tuple[Any, list[Reject], list[str]]:
    role = {}
    for col in columns:
        key = LONG_COLUMNS.get(col.strip().lower())
        if key and key not in role:
            role[key] = col

    def raw(key: str) -> str:
        return _q(role[key]) if key in role else "NULL"

    def pick(key: str) -> str:
        # an absent column is a typed NULL, so the rows already have the write's schema
        if key not in role:
            return "NULL::VARCHAR"
        # The apostrophe an export puts before a text a spreadsheet would run as a
        # formula ('=x, '+src) is not part of the text: a spreadsheet hides it too, and
        # keeping it would make an exported file come back as new sources and metrics.
        return f"regexp_replace(trim({raw(key)}), '^''([=+\\-@\\t\\r])', '\\1')"

    # The day and value are cast as they are (casts ignore surrounding spaces). Their
    # text is not copied: the few rows that need a second chance read it from the file's
    # table by line (copying a million days and values as text was a fifth of the parse).
    con.execute(
        f"""
        CREATE TABLE typed AS
        SELECT line, {pick("metric")} AS metric,
               nullif({pick("source")}, '') AS source, nullif({pick("by")}, '') AS recorded_by,
               nullif({pick("note")}, '') AS note, nullif({pick("for")}, '') AS for_person,
               {_sql_day(raw("day"))} AS day,
               TRY_CAST({raw("value")} AS DOUBLE) AS value
        FROM raw
        """  # noqa: S608 (column names come from the file's header, quoted)
    )
    texts = (
        f"SELECT t.line, t.metric, r.{raw('day')}, r.{raw('value')}, t.day IS NULL,"  # noqa: S608
        " t.value IS NULL FROM typed t JOIN raw r ON r.line = t.line"
        " WHERE t.day IS NULL OR t.value IS NULL OR NOT isfinite(t.value)"
    )
    return _finish(
        con, name, "import.long", known, decimal_comma, texts, timezone, in_line_order=True
    )


def _wide(
    con: duckdb.DuckDBPyConnection,
    name: str,
    columns: list[str],
    known: Collection[str] | None,
    decimal_comma: bool,
    timezone: str,
) -> tuple[Any, list[Reject], list[str]]:
    day_col, metric_cols = columns[0], columns[1:]
    rejects: list[Reject] = []
    usable = []
    for col in metric_cols:
        if known is not None and col.strip() not in known:
            rejects.append(
                Reject(
                    name,
                    1,
                    col,
                    None,
                    f"unknown metric {quoted(col.strip())} (a column of the wide form)"
                    f"{spelled_like(col, known)}; add it to the plan or check the spelling",
                )
            )
        else:
            usable.append(col)
    if not usable:
        con.execute(
            "CREATE TABLE typed (line BIGINT, day_text VARCHAR, metric VARCHAR,"
            " value_text VARCHAR, source VARCHAR, recorded_by VARCHAR, note VARCHAR,"
            " for_person VARCHAR, day DATE, value DOUBLE)"
        )
    else:
        selects = " UNION ALL ".join(
            f"SELECT line, trim({_q(day_col)}) AS day_text, ? AS metric,"  # noqa: S608
            f" trim({_q(c)}) AS value_text FROM raw WHERE nullif(trim({_q(c)}), '') IS NOT NULL"
            for c in usable
        )
        con.execute(
            f"""
            CREATE TABLE typed AS
            SELECT line, day_text, metric, value_text, NULL::VARCHAR AS source,
                   NULL::VARCHAR AS recorded_by, NULL::VARCHAR AS note,
                   NULL::VARCHAR AS for_person,
                   {_sql_day("day_text")} AS day, TRY_CAST(value_text AS DOUBLE) AS value
            FROM ({selects})
            """,  # noqa: S608
            [c.strip() for c in usable],
        )
    texts = (
        "SELECT line, metric, day_text, value_text, day IS NULL, value IS NULL FROM typed"
        " WHERE day IS NULL OR value IS NULL OR NOT isfinite(value)"
    )
    rows, more, notes = _finish(
        con, name, "import.wide", None, decimal_comma, texts, timezone, wide=True
    )
    return rows, rejects + more, notes


def _finish(
    con: duckdb.DuckDBPyConnection,
    name: str,
    default_source: str,
    known: Collection[str] | None,
    decimal_comma: bool,
    texts: str,
    timezone: str,
    *,
    in_line_order: bool = False,
    wide: bool = False,
) -> tuple[Any, list[Reject], list[str]]:
    """Second chances, rejects and the rows as Arrow. ``texts`` selects the rows SQL could
    not convert (line, metric, day text, value text, day missing, value missing).
    ``in_line_order``: ``typed`` was built in file order (one row per line, kept in
    insertion order), so sorting it again is skipped; a wide file's rows come column by
    column and are sorted by line."""
    rejects: list[Reject] = []
    # Second chance for what SQL could not convert: platform number and date formats.
    fixes = con.execute(texts).fetchall()
    fixed: list[tuple[int, str, dt.date | None, float | None]] = []  # None: SQL read it
    bad_lines: list[tuple[int, str]] = []
    days = NumericDays([t for *_, t, _v, no_day, _n in fixes if no_day and t], decimal_comma)
    # Rows here for their day alone keep the value SQL read: read again in Python, `1.250`
    # in a `;` file would be 1250 where the same row with an ISO day is 1.25
    read = {
        (line, metric)
        for line, metric in con.execute(
            "SELECT line, metric FROM typed WHERE day IS NULL AND isfinite(value)"
        ).fetchall()
    }
    totals = 0
    # In the wide form, rows without a day below the last dated one are a spreadsheet's
    # unlabelled totals row (the sum of each column under the days). A row without a day
    # among the days, any such row of a file with no day at all, and one of the long form
    # (which has no totals row: a forgotten day) are mistakes, and rejected.
    last_dated = 0
    if wide and any(no_day and not (t or "").strip() for *_, t, _v, no_day, _n in fixes):
        last_dated = max(
            con.execute(
                "SELECT coalesce(max(line), 0) FROM typed WHERE day IS NOT NULL"
            ).fetchall()[0][0],
            max((f[0] for f in fixes if (f[2] or "").strip()), default=0),
        )
    for line, metric, day_text, value_text, no_day, _no_value in fixes:
        day_text = day_text.strip() if day_text is not None else None
        value_text = value_text.strip() if value_text is not None else None
        if not wide and no_day and not day_text and not value_text and not (metric or "").strip():
            # a row of empty cells (`,,,`, as spreadsheets save a blank row) is a blank
            # line, skipped as DuckDB skips those; not a row that forgot its day
            bad_lines.append((line, metric))
            continue
        if no_day and (
            (day_text and day_text.lower().rstrip(":") in TOTAL_LABELS)
            or (not day_text and 0 < last_dated < line)
        ):
            # a spreadsheet's totals row under the days: its sum is not a day's value
            totals += 1
            bad_lines.append((line, metric))
            continue
        try:
            day = days.read(day_text, timezone=timezone) if no_day else None
            if no_day and day is None:
                raise NotADate("the day is empty")
        except NotADate as exc:
            rejects.append(
                Reject(name, line, "day", day_text, f"{exc} (use YYYY-MM-DD)", metric or None)
            )
            bad_lines.append((line, metric))
            continue
        if (line, metric) in read:
            fixed.append((line, metric, day, None))
            continue
        try:
            value = parse_number(value_text, decimal_comma=decimal_comma)
            if value is None:
                raise NotANumber("the value is empty")
        except NotANumber as exc:
            # the wide form's value sits in the metric's own column
            column = metric if wide and metric else "value"
            rejects.append(Reject(name, line, column, value_text, str(exc), metric or None))
            bad_lines.append((line, metric))
            continue
        fixed.append((line, metric, day, value))
    if fixes:
        con.execute("CREATE TABLE fixes (line BIGINT, metric VARCHAR, day DATE, value DOUBLE)")
        if fixed:
            con.executemany("INSERT INTO fixes VALUES (?, ?, ?, ?)", fixed)
        con.execute(
            "UPDATE typed SET day = coalesce(typed.day, f.day), value = coalesce(f.value, typed.value)"
            " FROM fixes f"
            " WHERE typed.line = f.line AND typed.metric IS NOT DISTINCT FROM f.metric"
        )
        if bad_lines:
            con.execute("CREATE TABLE bad (line BIGINT, metric VARCHAR)")
            con.executemany("INSERT INTO bad VALUES (?, ?)", bad_lines)
            con.execute(
                "DELETE FROM typed WHERE EXISTS (SELECT 1 FROM bad b WHERE"
                " b.line = typed.line AND b.metric IS NOT DISTINCT FROM typed.metric)"
            )
    for line, metric in con.execute(
        "SELECT line, metric FROM typed WHERE metric IS NULL OR metric = '' ORDER BY line"
    ).fetchall():
        rejects.append(Reject(name, line, "metric", metric, "the metric is empty"))
    con.execute("DELETE FROM typed WHERE metric IS NULL OR metric = ''")
    if known is not None:
        con.execute("CREATE TABLE known AS SELECT unnest(?::VARCHAR[]) AS key", [list(known)])
        hints: dict[str, str] = {}  # one guess per distinct key, not per line
        for line, metric in con.execute(
            "SELECT line, metric FROM typed WHERE metric NOT IN (SELECT key FROM known)"
            " ORDER BY line LIMIT 10000"
        ).fetchall():
            if metric not in hints:
                hints[metric] = spelled_like(metric or "", known)
            rejects.append(
                Reject(
                    name,
                    line,
                    "metric",
                    metric,
                    f"unknown metric {quoted(metric)}{hints[metric]}; add it to the plan or"
                    " check the spelling",
                    metric,
                )
            )
        con.execute("DELETE FROM typed WHERE metric NOT IN (SELECT key FROM known)")
    order = "" if in_line_order else " ORDER BY line"
    table = con.sql(
        "SELECT line::BIGINT AS line, day, metric, value, coalesce(source, ?) AS source,"  # noqa: S608 (a fixed clause or none)
        f" recorded_by, note, for_person FROM typed{order}",
        params=[default_source],
    ).to_arrow_table()
    # rows repeating a (metric, day, source) are counted where they are merged
    # (WriteResult.repeated), for every reader alike
    notes = days.notes()
    if totals:
        notes.append(
            f"skipped {totals} value(s) on totals rows (a day written as 'Total', or rows"
            " without a day below the last day)"
        )
    return table, rejects, notes
