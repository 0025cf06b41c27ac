"""The long and wide forms: rejects with line and reason, encodings, delimiters, fuzzing."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.errors import BadInput
from tracker.imports import parse_file
from tracker.imports.generic import MAX_LINE_BYTES

KNOWN = {"leads", "posts", "fans"}


def write(tmp_path: Path, text: str, name: str = "f.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def rows(parsed) -> list[tuple]:
    return [
        (r["line"], r["day"], r["metric"], r["value"], r["source"]) for r in parsed.rows.to_pylist()
    ]


def test_long_form_with_rejects(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "day,metric,value,note\n2026-01-05,leads,3,first\n"
        "2026-13-45,leads,1,\n2026-01-06,leadz,2,\n2026-01-07,posts,abc,\n"
        '2026-01-08,posts,"1,234",\n2026-01-09,fans,12%,\n2026-01-10,posts,nan,\n',
    )
    parsed = parse_file(path, known_metrics=KNOWN)
    assert parsed.preset == "long"
    assert rows(parsed) == [
        (2, dt.date(2026, 1, 5), "leads", 3.0, "import.long"),
        (6, dt.date(2026, 1, 8), "posts", 1234.0, "import.long"),
        (7, dt.date(2026, 1, 9), "fans", 0.12, "import.long"),
    ]
    by_line = {r.line: r for r in parsed.rejects}
    assert by_line[3].column == "day" and "not a date" in by_line[3].reason
    assert by_line[4].column == "metric" and "unknown metric 'leadz'" in by_line[4].reason
    assert by_line[5].column == "value" and "not a number" in by_line[5].reason
    assert by_line[8].column == "value"
    assert parsed.rows.to_pylist()[0]["note"] == "first"


@pytest.mark.parametrize("extra", ["line", "rowid", "RowID", "file"])
def test_line_numbers_hold_whatever_the_files_own_columns_are_called(
    tmp_path: Path, extra: str
) -> None:
    # Rows are numbered by their place in the table DuckDB reads the file into (rowid);
    # a file with its own column of that name gets a window's numbering instead.
    body = "".join(f"2026-01-{d:02d},leads,{d},z\n" for d in range(1, 9))
    path = write(tmp_path, f"day,metric,value,{extra}\n{body}2026-01-09,leads,oops,z\n")
    parsed = parse_file(path, known_metrics=KNOWN)
    assert [r[0] for r in rows(parsed)] == list(range(2, 10))
    assert [(r.line, r.column) for r in parsed.rejects] == [(10, "value")]


def test_long_form_optional_columns_any_order(tmp_path: Path) -> None:
    path = write(tmp_path, "Value,Metric,Day,Source,By\n5,leads,2026-01-05,crm,amy\n")
    parsed = parse_file(path, known_metrics=KNOWN)
    r = parsed.rows.to_pylist()[0]
    assert (r["value"], r["source"], r["recorded_by"]) == (5.0, "crm", "amy")


def test_wide_form_rejects_unknown_column_once(tmp_path: Path) -> None:
    path = write(tmp_path, "day,leads,posts,nope\n2026-01-05,1,2,3\n2026-01-06,,4,5\n")
    parsed = parse_file(path, known_metrics=KNOWN)
    assert parsed.preset == "wide"
    assert sorted((r[2], r[3]) for r in rows(parsed)) == [
        ("leads", 1.0),
        ("posts", 2.0),
        ("posts", 4.0),
    ]
    assert [(r.column, r.line) for r in parsed.rejects] == [("nope", 1)]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("day,metric,value\n2026-01-05,leads,7\n", "utf-8-sig"),
        ("day,metric,value\n2026-01-05,leads,7\n", "utf-16"),
        ("day;metric;value;note\n2026-01-05;leads;7,0;Café\n", "cp1252"),
        ("day\tmetric\tvalue\r\n2026-01-05\tleads\t7\r\n", "utf-8"),
        ("day;metric;value\n2026-01-05;leads;7\n", "utf-8"),
    ],
)
def test_encodings_and_delimiters(tmp_path: Path, text: str, encoding: str) -> None:
    parsed = parse_file(write(tmp_path, text, encoding=encoding), known_metrics=KNOWN)
    assert [(r[2], r[3]) for r in rows(parsed)] == [("leads", 7.0)]


def test_a_file_of_utf8_and_windows_lines_reads_each_line_as_written(tmp_path: Path) -> None:
    # a UTF-8 export with a row typed on an old Windows machine appended: café on both
    # lines, never cafÃ© on the UTF-8 one
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "day,metric,value,note\n2026-01-05,leads,1,café\n".encode()
        + "2026-01-06,leads,2,café\n".encode("cp1252")
    )
    parsed = parse_file(path, known_metrics=KNOWN)
    assert parsed.rows.column("note").to_pylist() == ["café", "café"]
    # a GBK file whose line happens to be valid UTF-8 (一丌) is still read as GBK
    path.write_bytes("day,metric,value,note\n2026-01-05,leads,1,一丌 中文\n".encode("gbk"))
    assert parse_file(path, known_metrics=KNOWN).rows.column("note").to_pylist() == ["一丌 中文"]


# DuckDB's sniffer reads the first 20,480 rows: what comes after them must read the same
BEYOND_THE_SAMPLE = "".join(
    f"2025-{1 + i % 12:02d}-{1 + i % 28:02d},posts,1,n\n" for i in range(21_000)
)


def test_quoted_cells_after_the_sniffers_sample_read_as_quoted(tmp_path: Path) -> None:
    text = (
        "day,metric,value,note\n"
        + BEYOND_THE_SAMPLE
        + '2026-01-14,leads,5,"lunch, 3 trays"\n2026-01-15,leads,"1,234",x\n'
        + '2026-01-16,leads,3,"two\nlines"\n'
    )
    parsed = parse_file(write(tmp_path, text), known_metrics=KNOWN)
    assert parsed.rejects == []
    leads = [r for r in parsed.rows.to_pylist() if r["metric"] == "leads"]
    assert [(str(r["day"]), r["value"], r["note"]) for r in leads] == [
        ("2026-01-14", 5.0, "lunch, 3 trays"),
        ("2026-01-15", 1234.0, "x"),
        ("2026-01-16", 3.0, "two\nlines"),
    ]


def test_a_row_with_a_cell_too_many_is_named_by_its_line(tmp_path: Path) -> None:
    text = (
        "day,metric,value\n" + BEYOND_THE_SAMPLE.replace(",n\n", "\n") + "2026-01-17,leads,1,234\n"
    )
    with pytest.raises(BadInput, match=r"line 21002 has 4 cells where the header has 3"):
        parse_file(write(tmp_path, text), known_metrics=KNOWN)


def test_a_time_with_an_offset_is_the_workspaces_day(tmp_path: Path) -> None:
    # 03:00 UTC on 6 November is still 5 November in Chicago; a naive time is its day
    text = (
        "day,metric,value\n2026-11-06T03:00:00Z,leads,1\n2026-11-07T03:00:00+00:00,leads,2\n"
        "2026-11-08 03:00:00-0500,leads,3\n2026-11-09 03:00,leads,4\n2026-11-10,leads,5\n"
    )
    parsed = parse_file(write(tmp_path, text), known_metrics=KNOWN, timezone="America/Chicago")
    assert parsed.rejects == []
    assert [str(d) for d in parsed.rows.column("day").to_pylist()] == [
        "2026-11-05",
        "2026-11-06",
        "2026-11-08",
        "2026-11-09",
        "2026-11-10",
    ]


def test_an_unlabelled_totals_row_under_the_days_of_a_wide_file_is_skipped(tmp_path: Path) -> None:
    # a spreadsheet's sums under the days, with no label: skipped and said; a row
    # without a day among the days is still a mistake, and rejected
    text = "day,leads,posts\n2026-01-05,1,2\n,9,9\n2026-01-06,3,4\n,4,6\n"
    parsed = parse_file(write(tmp_path, text), known_metrics=KNOWN)
    assert sorted((str(r[1]), r[2], r[3]) for r in rows(parsed)) == [
        ("2026-01-05", "leads", 1.0),
        ("2026-01-05", "posts", 2.0),
        ("2026-01-06", "leads", 3.0),
        ("2026-01-06", "posts", 4.0),
    ]
    assert {(r.line, r.reason) for r in parsed.rejects} == {
        (3, "the day is empty (use YYYY-MM-DD)")
    }
    assert any("totals rows" in n for n in parsed.notes)
    # a file with no day at all, and the long form's last row without one, are mistakes
    undated = parse_file(write(tmp_path, "day,leads\n,3\n,4\n", "u.csv"), known_metrics=KNOWN)
    assert [r.reason for r in undated.rejects] == ["the day is empty (use YYYY-MM-DD)"] * 2
    long = "day,metric,value\n2026-01-05,leads,1\n,leads,2\n"
    forgot = parse_file(write(tmp_path, long, "l.csv"), known_metrics=KNOWN)
    assert [(r.line, r.column) for r in forgot.rejects] == [(3, "day")]


def test_a_stray_quote_is_text(tmp_path: Path) -> None:
    parsed = parse_file(
        write(tmp_path, 'day,metric,value,note\n2026-01-17,leads,3,5" screen\n'),
        known_metrics=KNOWN,
    )
    assert parsed.rows.column("note").to_pylist() == ['5" screen']


def test_decimal_comma_and_thousands(tmp_path: Path) -> None:
    text = "day;metric;value\n2026-01-05;leads;1.234,5\n2026-01-06;leads;2,5\n"
    parsed = parse_file(write(tmp_path, text), known_metrics=KNOWN)
    assert [r[3] for r in rows(parsed)] == [1234.5, 2.5]


def test_a_lone_dot_in_a_semicolon_file_is_a_decimal_point(tmp_path: Path) -> None:
    """A semicolon does not prove the comma is the decimal mark: 1.250 stays 1.25 in the
    generic forms (a mapping with decimal "," or a localized preset reads it as 1,250)."""
    text = "day;metric;value\n2026-01-05;leads;1.250\n2026-01-06;leads;2,5\n"
    parsed = parse_file(write(tmp_path, text), known_metrics=KNOWN)
    assert [r[3] for r in rows(parsed)] == [1.25, 2.5]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02\x03" * 100,
        b"PK\x03\x04garbage",
        b"\xd0\xcf\x11\xe0junk",
        b"<?xml version='1.0'?><oops",
        b"just some words\nand more words\n",
    ],
)
def test_unreadable_files_are_bad_input(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(content)
    with pytest.raises(BadInput) as err:
        parse_file(path, known_metrics=KNOWN)
    assert "junk.csv" in str(err.value)


def test_huge_cell_and_formula_cells_are_data(tmp_path: Path) -> None:
    note = "x" * 1_000_000
    text = f'day,metric,value,note\n2026-01-05,leads,1,"{note}"\n2026-01-06,leads,2,=SUM(A1)\n'
    parsed = parse_file(write(tmp_path, text), known_metrics=KNOWN)
    notes = [r["note"] for r in parsed.rows.to_pylist()]
    assert notes == [note, "=SUM(A1)"]


long_rows = st.lists(
    st.tuples(
        st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
        st.sampled_from(sorted(KNOWN)),
        st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda v: round(v, 4)),
    ),
    min_size=1,
    max_size=40,
    unique_by=lambda r: (r[0], r[1]),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=long_rows)
def test_well_formed_long_files_parse_to_exactly_their_values(tmp_path: Path, data) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["day", "metric", "value"])
    for day, metric, value in data:
        writer.writerow([day.isoformat(), metric, repr(value)])
    parsed = parse_file(write(tmp_path, buf.getvalue(), "p.csv"), known_metrics=KNOWN)
    got = {(r["day"], r["metric"]): r["value"] for r in parsed.rows.to_pylist()}
    assert got == {(d, m): v for d, m, v in data}
    assert parsed.rejects == []


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(junk=st.binary(min_size=1, max_size=2000))
def test_random_bytes_never_raise_anything_but_bad_input(tmp_path: Path, junk: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(junk)
    with contextlib.suppress(BadInput):
        parse_file(path, known_metrics=KNOWN)


@pytest.mark.slow  # a fuzz run of 60 files through DuckDB's reader
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(
        alphabet=st.sampled_from(list('day,metric,value\n0123456789-.;"% x')), max_size=300
    )
)
def test_random_csv_like_text_never_crashes(tmp_path: Path, text: str) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_text("day,metric,value\n" + text)
    with contextlib.suppress(BadInput):
        parse_file(path, known_metrics=KNOWN)


def workbook(path: Path, rows_: list[list]) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows_):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), day)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return path


@pytest.mark.parametrize("preset", ["auto", "long"])
def test_the_long_form_in_a_workbook(tmp_path: Path, preset: str) -> None:
    # DESIGN: `import` reads CSV/XLSX, the generic forms included; a date cell or a
    # date as text, numbers as cells; rejects and rows carry the sheet's row numbers
    path = workbook(
        tmp_path / "long.xlsx",
        [
            ["day", "metric", "value", "note"],
            [dt.date(2026, 1, 5), "leads", 4, "from a date cell"],
            [None, None, None, None],  # a blank row: the sheet's numbers go on counting it
            ["2026-01-06", "posts", 2.5, None],
            [dt.date(2026, 1, 7), "leads", "oops", None],
        ],
    )
    parsed = parse_file(path, preset=preset, known_metrics=KNOWN)
    assert parsed.preset == "long"
    assert rows(parsed) == [
        (2, dt.date(2026, 1, 5), "leads", 4.0, "import.long"),
        (4, dt.date(2026, 1, 6), "posts", 2.5, "import.long"),
    ]
    assert parsed.rows.to_pylist()[0]["note"] == "from a date cell"
    assert [(r.line, r.column, r.value) for r in parsed.rejects] == [(5, "value", "oops")]


def test_the_wide_form_in_a_workbook(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "wide.xlsx",
        [["day", "leads", "posts"], [dt.date(2026, 1, 5), 4, None], [dt.date(2026, 1, 6), 1, 3]],
    )
    parsed = parse_file(path, known_metrics=KNOWN)
    assert parsed.preset == "wide"
    assert sorted(rows(parsed)) == [
        (2, dt.date(2026, 1, 5), "leads", 4.0, "import.wide"),
        (3, dt.date(2026, 1, 6), "leads", 1.0, "import.wide"),
        (3, dt.date(2026, 1, 6), "posts", 3.0, "import.wide"),
    ]
    with pytest.raises(BadInput, match="not the long form"):
        parse_file(path, preset="long", known_metrics=KNOWN)


@pytest.mark.parametrize(
    ("text", "delimiter", "expected", "note"),
    [
        # 13/1 shows day/month: 3/1 is 3 January
        ("3/1/2026;1\n13/1/2026;2\n", ";", [(1, 3), (1, 13)], False),
        ("3/1/2026,1\n1/13/2026,2\n", ",", [(3, 1), (1, 13)], False),  # 1/13 shows month/day
        # nothing shows the order: a decimal comma's file reads day/month, and says so
        ("3/1/2026;1,5\n", ";", [(1, 3)], True),
        ("3/1/2026,1.5\n", ",", [(3, 1)], True),
        ("03.01.2026;1\n", ";", [(1, 3)], False),  # dots: always day.month
        ("5/5/2026,1\n", ",", [(5, 5)], False),  # the same either way
    ],
)
def test_numeric_dates_are_read_one_way_for_the_whole_file(
    tmp_path: Path, text: str, delimiter: str, expected: list, note: bool
) -> None:
    path = write(tmp_path, f"day{delimiter}leads\n{text}")
    parsed = parse_file(path, known_metrics=KNOWN)
    assert [(r[1].month, r[1].day) for r in rows(parsed)] == expected
    assert not parsed.rejects
    assert any("were read as" in n for n in parsed.notes) is note


def test_a_file_writing_dates_both_ways_rejects_the_ambiguous_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "day,leads\n13/1/2026,1\n1/13/2026,2\n3/1/2026,3\n")
    parsed = parse_file(path, known_metrics=KNOWN)
    assert [(r[1].month, r[1].day) for r in rows(parsed)] == [(1, 13), (1, 13)]
    assert [(r.line, r.column) for r in parsed.rejects] == [(4, "day")]
    assert "day/month or month/day" in parsed.rejects[0].reason


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("day,leads,leads", "names 'leads' twice (columns 2 and 3)"),
        ("day,metric,value,Value", "names 'Value' twice (columns 3 and 4)"),
        ("day,date,metric,value", "has both 'day' and 'date' (columns 1 and 2)"),
        # the wide form too, whichever comes first
        ("date,day,leads", "has both 'date' and 'day' (columns 1 and 2)"),
        ("day,date,leads", "has both 'day' and 'date' (columns 1 and 2)"),
    ],
)
def test_a_column_named_twice_is_refused_naming_both(
    tmp_path: Path, header: str, message: str
) -> None:
    # which of the two holds the values is unclear: nothing is read
    path = write(tmp_path, f"{header}\n2026-01-05,leads,1,2\n")
    with pytest.raises(BadInput, match=re.escape(message)):
        parse_file(path, known_metrics=KNOWN)


@pytest.mark.parametrize("line_break", ["\n", "\r", "\r\n"])
def test_a_quoted_value_on_two_lines_is_read(tmp_path: Path, line_break: str) -> None:
    # a note typed on two lines in a spreadsheet: a quoted line break inside one value;
    # rows keep their spreadsheet row numbers (the quoted break does not count)
    path = write(
        tmp_path,
        f'day,metric,value,note\n2026-01-05,leads,1,"two{line_break}lines"\n'
        "2026-01-06,leads,oops,\n2026-01-07,leads,3,ok\n",
    )
    parsed = parse_file(path, known_metrics=KNOWN)
    assert [(r["line"], r["value"]) for r in parsed.rows.to_pylist()] == [(2, 1.0), (4, 3.0)]
    assert parsed.rows.to_pylist()[0]["note"].split() == ["two", "lines"]
    assert [(r.line, r.column) for r in parsed.rejects] == [(3, "value")]


def test_empty_header_cells_are_not_a_column_named_twice(tmp_path: Path) -> None:
    # a spreadsheet saves trailing empty columns: `day,leads,,`
    path = write(tmp_path, "day,leads,,\n2026-01-05,4,,\n")
    parsed = parse_file(path, known_metrics=KNOWN)
    assert [(r[2], r[3]) for r in rows(parsed)] == [("leads", 4.0)]


def test_a_numeric_date_with_a_time_is_read_like_the_rest_of_the_file(tmp_path: Path) -> None:
    path = write(
        tmp_path, "day,metric,value\n13/1/2026,leads,1\n3/1/2026 10:00,leads,2\n4/1/2026,leads,3\n"
    )
    parsed = parse_file(path, known_metrics=KNOWN)
    assert [(r[1].month, r[1].day) for r in rows(parsed)] == [(1, 13), (1, 3), (1, 4)]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # the first rows too: DuckDB's reader would name the cell column3 and read 1
        ("day,metric,value\n2026-01-05,leads,1,234\n", 2),
        ("day,metric,value\n2026-01-05,leads,2\n2026-01-06,leads,$1,000\n2026-01-07,leads,3\n", 3),
        ("day,metric,value,note\n2026-01-05,leads,1,hello, world\n", 2),
        ("day,leads,posts\n2026-01-05,1,1,234.50\n", 2),
        # a trailing delimiter on the header names no column: a cell under it is extra
        ("day,metric,value,\n2026-01-05,leads,1,234\n", 2),
        ("day,leads,\n2026-01-05,1,234\n2026-01-06,5,\n", 2),
        ("day,metric,value,\n2026-01-05,leads,1,\n2026-01-06,leads,1,234\n", 3),
        # blank lines count, as a spreadsheet shows the file
        ("day,metric,value\n2026-01-05,leads,1\n\n\n2026-01-06,leads,5,6\n", 5),
        ("\n\nday,metric,value\n2026-01-05,leads,1,5\n2026-01-06,leads,5\n", 4),
        ("\nday,metric,value\n2026-01-05,leads,1\n\n2026-01-06,leads,1,5\n", 5),
        # a column the file calls rowid does not hide the row's place
        ("day,metric,value,rowid\n2026-01-05,leads,1,a\n2026-01-06,leads,5,b,7\n", 3),
    ],
)
def test_a_cell_past_the_header_refuses_the_file(tmp_path: Path, text: str, line: int) -> None:
    with pytest.raises(BadInput, match=rf"line {line} has more cells than the header's"):
        parse_file(write(tmp_path, text), known_metrics=KNOWN)


@pytest.mark.parametrize("blank", ["", "\n"])
def test_a_stray_quote_does_not_hide_the_line_of_a_cell_past_the_header(
    tmp_path: Path, blank: str
) -> None:
    # DuckDB reads a file whose quote opens no CSV field as text; the line it names is
    # the row's, blank lines counted, and a long file does not trip the csv module's limit
    rows = [f"2026-01-{d:02d},leads,{d}" for d in range(1, 29)]
    rows[9] = '2026-01-10,leads,"5'
    rows[19] = "2026-01-20,leads,1,234"
    text = "day,metric,value\n" + blank + "\n".join(rows) + "\n" + "x" * 3_000_000 + "\n"
    with pytest.raises(BadInput, match=rf"line {21 + len(blank)} has more cells than the header"):
        parse_file(write(tmp_path, text), known_metrics=KNOWN)


def test_a_column_called_rowid_is_read_as_any_other(tmp_path: Path) -> None:
    path = write(tmp_path, "day,metric,value,rowid\n2026-01-05,leads,1,a\n2026-01-06,leads,x,b\n")
    parsed = parse_file(path, known_metrics=KNOWN)
    assert [(r[0], r[3]) for r in rows(parsed)] == [(2, 1.0)]
    assert [(r.line, r.column) for r in parsed.rejects] == [(3, "value")]


@pytest.mark.parametrize(
    "text",
    [
        "day,leads,\n2026-01-05,1,\n",  # a trailing delimiter, as spreadsheets save
        "day,metric,value\n2026-01-05,leads,1,\n",  # on the rows only
        "day,metric,value,\n2026-01-05,leads,1,\n",
    ],
)
def test_an_empty_trailing_column_is_no_column(tmp_path: Path, text: str) -> None:
    parsed = parse_file(write(tmp_path, text), known_metrics=KNOWN)
    assert parsed.rejects == []
    assert [(r[1], r[2], r[3]) for r in rows(parsed)] == [(dt.date(2026, 1, 5), "leads", 1.0)]


@pytest.mark.parametrize("day", ["2026-01-05", "05.01.2026"])
def test_a_lone_dot_is_a_decimal_point_however_the_day_is_written(tmp_path: Path, day: str) -> None:
    # a day SQL cannot cast gets a second chance; the value SQL read stays as read
    parsed = parse_file(
        write(tmp_path, f"day;metric;value\n{day};leads;1.250\n"), known_metrics=KNOWN
    )
    assert [r[3] for r in rows(parsed)] == [1.25]
    wide = parse_file(write(tmp_path, f"day;leads;posts\n{day};1.250;1,5\n"), known_metrics=KNOWN)
    assert sorted(r[3] for r in rows(wide)) == [1.25, 1.5]


@pytest.mark.parametrize(
    "note",
    [
        "Señora García llamó; Año nuevo campaña",
        "Très bien à la Crème brûlée",
        "Größe für Müller",
        # a few letters: the DOS code pages cp857 and cp775 read these "as well"
        "Señora García",
        "naïve façade",
        "Crème fraîche",
    ],
)
def test_a_short_windows_1252_file_reads_as_written(tmp_path: Path, note: str) -> None:
    # several code pages read a few accented letters equally well; Windows-1252 is the
    # one Western tools write (charset-normalizer alone read Señora as Seńora)
    path = write(tmp_path, f"day,metric,value,note\n2026-01-05,leads,1,{note}\n", encoding="cp1252")
    parsed = parse_file(path, known_metrics=KNOWN)
    assert parsed.rows.to_pylist()[0]["note"] == note


@pytest.mark.parametrize(
    ("note", "encoding"),
    [
        ("Zażółć gęślą jaźń", "cp1250"),
        # Windows-1254 reads these as a language, Windows-1252 only as letters
        ("Müşteri görüşmesi yapıldı", "cp1254"),
        ("Şişli'de güzel çiçekler ağaç", "cp1254"),
    ],
)
def test_a_file_of_another_code_page_still_reads_as_one(
    tmp_path: Path, note: str, encoding: str
) -> None:
    path = write(tmp_path, f"day,metric,value,note\n2026-01-05,leads,1,{note}\n", encoding=encoding)
    assert parse_file(path, known_metrics=KNOWN).rows.to_pylist()[0]["note"] == note


def test_formula_errors_in_a_workbook_are_rejected_not_lost(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "errors.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["day", "leads", "posts"])
    sheet.write_row(1, 0, ["2026-01-05", 3])
    sheet.write_formula(1, 2, "=1/0", None, "#DIV/0!")
    sheet.write(2, 0, "2026-01-06")
    sheet.write_formula(2, 1, "=NA()", None, "#N/A")
    sheet.write(2, 2, 5)
    book.close()
    parsed = parse_file(path, known_metrics=KNOWN)
    assert sorted((r[0], r[2], r[3]) for r in rows(parsed)) == [
        (2, "leads", 3.0),
        (3, "posts", 5.0),
    ]
    assert sorted((r.line, r.column, r.reason) for r in parsed.rejects) == [
        (2, "posts", "not a number: '#DIV/0!'"),
        (3, "leads", "not a number: '#N/A'"),
    ]


def test_a_formula_never_computed_is_rejected_and_an_empty_result_is_empty(
    tmp_path: Path,
) -> None:
    import zipfile

    import xlsxwriter

    made = tmp_path / "made.xlsx"
    book = xlsxwriter.Workbook(str(made))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["day", "leads", "posts"])
    sheet.write(1, 0, "2026-01-05")
    sheet.write_formula(1, 1, '=IF(1>2,1,"")', None, "")  # computed: empty text
    sheet.write(1, 2, 4)
    sheet.write(2, 0, "2026-01-06")
    sheet.write_formula(2, 1, "=2+3")
    sheet.write(2, 2, 5)
    sheet.write(3, 0, "2026-01-07")
    sheet.write_formula(3, 1, "=40+2")
    sheet.write(3, 2, 6)
    book.close()
    # A spreadsheet saves the empty text as a formula's text (t="str"). A script's
    # workbook: the second formula without the value a spreadsheet would cache, the third
    # with an empty one, as openpyxl writes them (they were read as empty: lost unsaid).
    path = tmp_path / "script.xlsx"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="B2"><f>', b'<c r="B2" t="str"><f>')
                data = data.replace(b"<f>2+3</f><v>0</v>", b"<f>2+3</f>")
                data = data.replace(b"<f>40+2</f><v>0</v>", b"<f>40+2</f><v />")
            out.writestr(item, data)
    parsed = parse_file(path, known_metrics=KNOWN)
    assert sorted((r[0], r[2], r[3]) for r in rows(parsed)) == [
        (2, "posts", 4.0),
        (3, "posts", 5.0),
        (4, "posts", 6.0),
    ]
    assert [(r.line, r.column) for r in parsed.rejects] == [(3, "leads"), (4, "leads")]
    assert parsed.rejects[0].reason.startswith("a formula never computed: '=2+3'; open the file")
    assert parsed.rejects[1].reason.startswith("a formula never computed: '=40+2'")


def test_a_formula_never_computed_says_so_in_any_column(tmp_path: Path) -> None:
    import zipfile

    import xlsxwriter

    made = tmp_path / "made.xlsx"
    book = xlsxwriter.Workbook(str(made))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["day", "metric", "value"])
    sheet.write_formula(1, 0, "=DATE(2026,1,6)")
    sheet.write_row(1, 1, ["leads", 4])
    sheet.write(2, 0, "2026-01-07")
    sheet.write_formula(2, 1, '="le"&"ads"')
    sheet.write(2, 2, 5)
    book.close()
    path = tmp_path / "script.xlsx"  # as a script writes it: formulas without values
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1", data, count=1)
                data = re.sub(rb"(</f>)<v>[^<]*</v>", rb"\1<v/>", data)  # as openpyxl
            out.writestr(item, data)
    parsed = parse_file(path, known_metrics=KNOWN)
    assert [(r.line, r.column, r.reason.split(";")[0]) for r in parsed.rejects] == [
        (2, "day", "a formula never computed: '=DATE(2026,1,6)'"),
        (3, "metric", 'a formula never computed: \'="le"&"ads"\''),
    ]


@pytest.mark.parametrize(
    ("text", "bad_line"),
    [
        ("\nday,metric,value\n2026-01-05,leads,1\n2026-13-05,leads,1\n", 4),
        ("\r\n\r\nday,metric,value\r\n2026-01-05,leads,1\r\n2026-13-05,leads,1\r\n", 5),
        (",,\nday,metric,value\n2026-01-05,leads,1\n2026-13-05,leads,1\n", 4),
        ("\nday,leads\n2026-01-05,1\n2026-13-05,1\n", 4),
    ],
)
def test_blank_lines_above_the_header_are_skipped(tmp_path: Path, text: str, bad_line: int) -> None:
    # a tool that starts its file with a blank line: the header is the first row with
    # something in it, and rejects still name the line a spreadsheet shows
    parsed = parse_file(write(tmp_path, text), known_metrics=KNOWN)
    assert [(r[1], r[2], r[3]) for r in rows(parsed)] == [(dt.date(2026, 1, 5), "leads", 1.0)]
    assert [r.line for r in parsed.rejects] == [bad_line]


def test_a_row_of_empty_cells_is_a_blank_line(tmp_path: Path) -> None:
    parsed = parse_file(
        write(tmp_path, "day,metric,value\n2026-01-05,leads,1\n,,\n2026-01-06,leads,2\n"),
        known_metrics=KNOWN,
    )
    assert parsed.rejects == []
    assert [r[3] for r in rows(parsed)] == [1.0, 2.0]


def test_a_line_too_long_to_read_is_named_by_its_own_number(tmp_path: Path) -> None:
    # a 5,000,000-character note on line 5: DuckDB said "CSV Error on Line: 1"
    from tracker.imports.generic import MAX_LINE_BYTES

    note = "A" * (MAX_LINE_BYTES + 1000)
    rows = "".join(f"2026-01-0{i},leads,3,ok\n" for i in range(1, 4))
    path = write(tmp_path, f"day,metric,value,note\n{rows}2026-01-05,leads,3,{note}\n")
    with pytest.raises(BadInput) as caught:
        parse_file(path, known_metrics=KNOWN)
    said = str(caught.value)
    assert said.startswith(f"f.csv: line 5 is {MAX_LINE_BYTES + 1020:,} bytes long"), said[:200]
    assert "nothing was imported" in said


@pytest.mark.parametrize(
    ("end", "content"),
    [("\n", MAX_LINE_BYTES), ("\r\n", MAX_LINE_BYTES - 1)],
)
def test_a_line_refused_by_a_byte_is_named_too(tmp_path: Path, end: str, content: int) -> None:
    # DuckDB counts the line end: 4,000,000 bytes and a LF, or 3,999,999 and a CRLF, are
    # refused, and those said "line 1" again
    head = f"day,metric,value,note{end}2026-01-01,leads,3,ok{end}"
    last = "2026-01-05,leads,3,"
    path = tmp_path / "f.csv"
    path.write_bytes((head + last + "A" * (content - len(last)) + end).encode())
    with pytest.raises(BadInput) as caught:
        parse_file(path, known_metrics=KNOWN)
    said = str(caught.value)
    assert said.startswith(f"f.csv: line 3 is {content + len(end):,} bytes long"), said[:200]


def test_a_quoted_cell_holding_another_delimiter_does_not_change_the_files(
    tmp_path: Path,
) -> None:
    # csv.Sniffer took the ; inside a quoted formula for the file's delimiter: the comma
    # file read one column wide, "no preset or mapping fits" with its header right there
    path = tmp_path / "long.csv"
    path.write_text(
        "day,metric,value,note\n"
        '"=HYPERLINK(""http://e"";""x"")",leads,2,hi\n'
        '2026-01-06,leads,1,"a; b"\n'
    )
    parsed = parse_file(path, known_metrics=KNOWN)
    assert [(r[0], r[2], r[3]) for r in rows(parsed)] == [(3, "leads", 1.0)]
    assert [(r.line, r.column) for r in parsed.rejects] == [(2, "day")]
    assert parsed.rejects[0].reason.startswith("a formula never computed")
    # a file of semicolons with a comma in its header's quoted name stays one of semicolons
    path.write_text('day;metric;value;"note, free text"\n2026-01-06;leads;1,5;x\n')
    parsed = parse_file(path, known_metrics=KNOWN)
    assert [(r[2], r[3]) for r in rows(parsed)] == [("leads", 1.5)]
    # a title line above the table is one row: a comma or a bar in it decides nothing
    # (a Google Ads report's first line is the report's own name)
    from tracker.imports.read import _sniff_delimiter

    for title, table in (
        ("Campaign report, all campaigns", 'Campaign\tClicks\nSpring\t"9,380"\nFall\t10\n'),
        ("Sales report | January 2026", "Date,Orders,Revenue\n2026-01-01,3,40\n2026-01-02,4,5\n"),
        ("Bericht: Umsatz, Kosten", "Datum;Umsatz;Kosten\n01.01.2026;1,5;2\n02.01.2026;2,5;3\n"),
    ):
        assert _sniff_delimiter(f"{title}\n{table}") == _sniff_delimiter(table), title
