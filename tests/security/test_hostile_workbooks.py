"""#15 items 1, 2: workbooks whose declared shape is far larger than their bytes.

Each file is made here. Before the fix, the first killed the process (SIGABRT in the
workbook reader, exit 134), the second and third ran for minutes at gigabytes."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from tests.clirunner import waypoint
from tracker.errors import BadInput
from tracker.imports.read import read_sheets
from tracker.imports.workbook import run_isolated

# Workbooks are read in a child process with memory and time limits: real processes.
pytestmark = pytest.mark.slow


def far_apart_cells(path: Path, rows: list[tuple] | None = None) -> Path:
    """A1 (and optionally a small table) plus one cell at XFD1048576."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Data")
    for r, row in enumerate(rows or [("day",)]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    sheet.write(1048575, 16383, "stray")
    book.close()
    return path


def test_a_one_cell_at_xfd1048576_workbook_is_refused_not_fatal(tmp_path: Path) -> None:
    path = far_apart_cells(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 10_000
    result = waypoint(tmp_path / "w.duckdb", "import", str(path))
    assert result.code == 2, result
    assert "bomb.xlsx" in result.err and "Traceback" not in result.err


def test_a_sparse_sheet_is_read_sparsely(tmp_path: Path) -> None:
    rows = [("day", "metric", "value"), ("2026-01-05", "leads", 3), ("2026-01-06", "leads", 4)]
    path = far_apart_cells(tmp_path / "sparse.xlsx", rows)
    (sheet,) = read_sheets(path, "sparse.xlsx")  # through the isolated child
    # Only filled rows and filled columns: 4 x 4, not 1,048,576 x 16,384.
    assert sheet.rows[:3] == [
        ["day", "metric", "value", ""],
        ["2026-01-05", "leads", 3.0, ""],
        ["2026-01-06", "leads", 4.0, ""],
    ]
    assert sheet.lines == [1, 2, 3, 1048576]


def test_a_zip_bomb_workbook_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "zipbomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * 60_000_000 + b"/>")
    assert path.stat().st_size < 200_000
    result = waypoint(tmp_path / "w.duckdb", "import", str(path))
    assert result.code == 2 and "unpacks to" in result.err, result


def test_spreadsheetml_with_a_huge_cell_index_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "index.xls"
    path.write_text(
        '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"'
        ' xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S">'
        '<Table><Row><Cell ss:Index="100000000"><Data ss:Type="String">x</Data></Cell>'
        "</Row></Table></Worksheet></Workbook>"
    )
    result = waypoint(tmp_path / "w.duckdb", "import", str(path))
    assert result.code == 2 and "index" in result.err and "16384" in result.err, result


def test_spreadsheetml_entities_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "laughs.xls"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet>'
        "<Table><Row><Cell><Data>&lol2;</Data></Cell></Row></Table></Worksheet></Workbook>"
    )
    result = waypoint(tmp_path / "w.duckdb", "import", str(path))
    assert result.code == 2 and "laughs.xls" in result.err, result


# -- the child process: a reader that aborts or eats memory costs only the child ----------
def _abort() -> None:
    os.abort()


def _eat_memory() -> bytes:
    return bytes(8 * 1024**3)


def test_a_reader_that_aborts_only_kills_the_child() -> None:
    with pytest.raises(BadInput, match="x.xlsx: the workbook reader gave up"):
        run_isolated("x.xlsx", _abort)


def test_a_reader_that_eats_memory_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOINT_PARSE_MEMORY_MB", "1024")
    with pytest.raises(BadInput, match="1024 MB"):
        run_isolated("x.xlsx", _eat_memory)
