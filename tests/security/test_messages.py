"""#15 item 21: odd files and broken surroundings give a message that names the file and
the fix (exit 2 where the input is at fault), never a raw DuckDB or Python error."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clirunner import waypoint


@pytest.fixture
def db(demo_store) -> Path:
    """A private copy of the session's demo (tests/conftest.py), as of 2026-11-18."""
    return demo_store.path


def _values(db: Path, metric: str) -> list[dict]:
    return waypoint(db, "values", metric, "--json").json()["values"]


def test_a_csv_holding_only_a_byte_order_mark_is_named_empty(db: Path, tmp_path: Path) -> None:
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf\r\n")
    run = waypoint(db, "import", str(bom))
    assert run.code == 2
    assert "bom.csv" in run.err and "holds no rows" in run.err
    assert "IndexError" not in run.err


def test_a_csv_mixing_bare_cr_and_lf_line_ends_imports_every_row(db: Path, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(b"date,catering-inquiries\n2026-11-04,3\r2026-11-05,5\r\n2026-11-06,7\n")
    run = waypoint(db, "import", str(mixed))
    assert run.code == 0, run
    days = {
        v["day"]: v["value"]
        for v in _values(db, "catering-inquiries")
        if v["source"] == "import.wide"
    }
    assert days == {"2026-11-04": 3, "2026-11-05": 5, "2026-11-06": 7}


def test_a_csv_wider_than_a_spreadsheet_is_refused_before_it_is_read(
    db: Path, tmp_path: Path
) -> None:
    wide = tmp_path / "wide.csv"
    n = 20_000
    wide.write_text(
        "date," + ",".join(f"c{i}" for i in range(n)) + "\n2026-11-01," + ",".join("1" * n) + "\n"
    )
    run = waypoint(db, "import", str(wide))
    assert run.code == 2
    assert "wide.csv, line 1: 20,001 columns" in run.err and "split it" in run.err


def test_a_file_named_like_a_glob_reads_that_file_only(db: Path, tmp_path: Path) -> None:
    (tmp_path / "week?.csv").write_text("date,catering-inquiries\n2026-11-07,2\n")
    # DuckDB would read week1.csv for the pattern week?.csv
    (tmp_path / "week1.csv").write_text("date,catering-inquiries\n2026-11-08,9\n")
    run = waypoint(db, "import", str(tmp_path / "week?.csv"))
    assert run.code == 0, run
    days = {
        v["day"]: v["value"]
        for v in _values(db, "catering-inquiries")
        if v["source"] == "import.wide"
    }
    assert days == {"2026-11-07": 2}


def test_a_target_of_5000_digits_is_named_with_its_line(db: Path, tmp_path: Path) -> None:
    plan = waypoint(db, "plan", "export").out
    line = next(i for i, text in enumerate(plan.splitlines(), 1) if "target:" in text)
    lines = plan.splitlines()
    lines[line - 1] = lines[line - 1].split("target:")[0] + "target: " + "9" * 5000
    hostile = tmp_path / "plan.yaml"
    hostile.write_text("\n".join(lines) + "\n")
    run = waypoint(db, "plan", "apply", str(hostile), "--yes")
    assert run.code == 2
    assert f"line {line}" in run.err and "5,000 digits" in run.err
    assert waypoint(db, "plan", "export").out == plan


def test_a_truncated_database_points_to_restore(db: Path) -> None:
    with db.open("r+b") as fh:
        fh.truncate(100_000)
    run = waypoint(db, "status")
    assert run.code == 1
    assert str(db) in run.err and "waypoint restore" in run.err
    assert "unexpected" not in run.err


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB filesystem (tmpfs): needs root and a kernel that lets us mount."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_says_so_and_keeps_what_was_stored(
    demo_db: Path, small_disk: Path, tmp_path: Path
) -> None:
    db = small_disk / "w.duckdb"
    shutil.copy(demo_db, db)
    before = waypoint(db, "export", "--format", "csv", "--out", str(tmp_path / "a.csv"))
    assert before.code == 0
    many = tmp_path / "many.csv"
    start = dt.date(1970, 1, 1)
    rows = "\n".join(f"{start + dt.timedelta(days=i)},1" for i in range(20_000))
    many.write_text("date,catering-inquiries\n" + rows + "\n")
    # fill what is left of the disk so the import's log cannot be written
    filler = small_disk / "filler"
    with filler.open("wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass
    run = waypoint(db, "import", str(many))
    assert run.code == 1
    assert "is full" in run.err and str(db) in run.err and "unexpected" not in run.err
    filler.unlink()
    waypoint(db, "export", "--format", "csv", "--out", str(tmp_path / "b.csv"))
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
