"""Every --out (export, plan export, report weekly) is written whole and never through a
link, streams are appended and never truncated, and nothing reaches the database file,
however it is named (tracker/outfiles.py)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.clirunner import waypoint


@pytest.fixture
def db(demo_store) -> Path:
    return demo_store.path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _shell(script: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _cli(db: Path, *args: str) -> str:
    return " ".join([sys.executable, "-m", "tracker.cli", "--db", str(db), *args])


def test_no_name_reaches_the_database(db: Path, tmp_path: Path) -> None:
    before = _digest(db)
    # a link to it, in the working folder, reached through /proc
    (tmp_path / "evil").symlink_to(db)
    run = _shell(_cli(db, "export", "--out", "/proc/self/cwd/evil"), tmp_path)
    assert run.returncode == 2 and "the database itself" in run.stderr
    # the database opened through a link, and that link (or its log) as --out
    link = tmp_path / "link.duckdb"
    link.symlink_to(db)
    for out in (link, Path(str(link) + ".wal")):
        for args in (("export",), ("plan", "export")):
            run = waypoint(link, *args, "--out", str(out))
            assert run.code == 2 and "the database itself" in run.err, (args, out)
    assert link.is_symlink()
    # a descriptor the shell pointed at it
    run = _shell(_cli(db, "export", "--out", "/dev/fd/3") + f" 3>>{db}", tmp_path)
    assert run.returncode == 2 and "the database itself" in run.stderr
    assert _digest(db) == before


def test_a_stream_gets_only_the_file_and_the_message_goes_to_stderr(
    db: Path, tmp_path: Path
) -> None:
    run = _shell(_cli(db, "plan", "export", "--out", "/dev/fd/1") + " > plan.yaml", tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Wrote the plan to /dev/fd/1." in run.stderr
    assert yaml.safe_load((tmp_path / "plan.yaml").read_text())["workspace"]["name"]


def test_a_name_under_proc_that_is_a_regular_file_is_replaced_not_appended(
    db: Path, tmp_path: Path
) -> None:
    (tmp_path / "review.md").write_text("LAST WEEK'S\n")
    run = _shell(
        _cli(db, "report", "weekly", "--week", "2026-W46", "--out", "/proc/self/cwd/review.md"),
        tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert not (tmp_path / "review.md").read_text().startswith("LAST WEEK'S")


def test_file_system_refusals_are_bad_input_naming_out(db: Path, tmp_path: Path) -> None:
    long_name = tmp_path / ("x" * 250 + ".csv")  # the longest a name may be, nearly
    run = waypoint(db, "export", "--out", str(long_name))
    assert run.code == 0, run.err
    for out in (tmp_path / ("y" * 300 + ".csv"), long_name / "inside.csv"):
        run = waypoint(db, "export", "--out", str(out))
        assert run.code == 2 and run.err.startswith(f"Error: --out {out}: cannot be written")
    run = _shell(_cli(db, "export", "--out", "/dev/fd/3") + f" 3<{long_name}", tmp_path)
    assert run.returncode == 2 and "--out /dev/fd/3: cannot be written" in run.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".waypoint-")]


def test_stdout_redirected_into_a_file_gets_the_export_and_stays_a_link(
    db: Path, tmp_path: Path
) -> None:
    # `--out /dev/stdout > obs.csv`: /dev/stdout is then a link to a regular file, and a
    # rename over it once replaced /dev/stdout itself
    run = _shell(_cli(db, "export", "--out", "/dev/stdout") + " > obs.csv", tmp_path)
    assert run.returncode == 0, run.stderr
    lines = (tmp_path / "obs.csv").read_text().splitlines()
    assert lines[0].startswith("day,metric,value") and len(lines) > 1000
    assert "observations to /dev/stdout." in run.stderr
    assert Path("/dev/stdout").is_symlink()


def test_stdin_is_a_descriptor_never_a_link_to_replace(db: Path, tmp_path: Path) -> None:
    # `--out /dev/stdin` renamed a file over the machine's /dev/stdin link (exit 0);
    # asked first, so the code before the fix fails here without touching /dev
    from tracker.outfiles import is_stream

    assert is_stream("/dev/stdin")
    (tmp_path / "in.txt").write_text("typed\n")
    cli = _cli(db, "report", "weekly", "--week", "2026-W46", "--out", "/dev/stdin")
    run = _shell(f"{cli} < in.txt", tmp_path)
    assert run.returncode == 2 and "--out /dev/stdin: cannot be written" in run.stderr
    assert Path("/dev/stdin").is_symlink() and (tmp_path / "in.txt").read_text() == "typed\n"


def test_a_name_ending_in_a_slash_is_a_folder_not_a_file(db: Path, tmp_path: Path) -> None:
    # `--out reports/` wrote a file named "reports" (exit 0); `e.csv/` replaced e.csv
    work = tmp_path / "out"
    work.mkdir()
    (work / "e.csv").write_text("KEEP\n")
    for args, out in (
        (("export",), "nd/sub/"),
        (("plan", "export"), "px/"),
        (("report", "weekly", "--week", "2026-W46"), "e.csv/"),
    ):
        run = _shell(_cli(db, *args, "--out", out), work)
        assert run.returncode == 2 and f"--out {out}: ends in '/'" in run.stderr, (args, run)
    assert sorted(p.name for p in work.iterdir()) == ["e.csv"]
    assert (work / "e.csv").read_text() == "KEEP\n"


def test_a_held_descriptor_is_appended_to_at_its_offset(db: Path, tmp_path: Path) -> None:
    # `3>>log.csv` keeps what the log held; what the shell writes next follows the export
    (tmp_path / "log.csv").write_text("EARLIER\n")
    cli = _cli(db, "export", "--out", "/dev/fd/3")
    run = _shell(f"( {cli}; echo TRAILER >&3 ) 3>>log.csv", tmp_path)
    assert run.returncode == 0, run.stderr
    lines = (tmp_path / "log.csv").read_text().splitlines()
    assert lines[0] == "EARLIER" and lines[1].startswith("day,metric,value")
    assert lines[-1] == "TRAILER" and lines[-2].startswith("2026-")
    missing = _shell(_cli(db, "export", "--out", "/dev/fd/9"), tmp_path)
    assert missing.returncode == 2 and "descriptor 9 is not open" in missing.stderr


def test_an_import_never_writes_its_rejects_through_a_planted_link(
    demo_store, tmp_path: Path
) -> None:
    # Anyone who may drop files in a shared inbox can guess a rejects file's name: a
    # link planted there must not make the import empty the file it names.
    from tracker.importer import import_file
    from tracker.records import LOCAL_MANAGER

    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    folder = tmp_path / "rejects"
    folder.mkdir()
    bad = tmp_path / "r.csv"
    bad.write_text("day,metric,value\n2026-11-02,catering-inquiries,2\n2026-11-03,nope,1\n")
    (folder / "r.csv.rejects.csv").symlink_to(victim)
    result = import_file(demo_store, LOCAL_MANAGER, bad, rejects_dir=folder)
    assert result.rejected and victim.read_text() == "keep me"
    written = Path(result.rejects_file)
    assert not written.is_symlink() and "unknown metric" in written.read_text()
