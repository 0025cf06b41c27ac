"""tracker/ is importable without the UI or the scheduler (harlequin's import-hygiene test)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def test_tracker_imports_no_streamlit_or_apscheduler() -> None:
    modules = [
        p.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
        for p in (ROOT / "tracker").rglob("*.py")
        if p.name != "__main__.py"
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m.removesuffix('.__init__'))\n"
        "bad = [m for m in ('streamlit', 'apscheduler') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_no_sql_outside_tracker() -> None:
    """The dashboard and jobs call tracker services; only tracker/ talks to DuckDB."""
    for folder in ("dashboard", "jobs"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text()
            assert "import duckdb" not in text, path
            assert ".execute(" not in text, path


def test_import_contracts_hold() -> None:
    """The layers in pyproject.toml ([tool.importlinter]): tracker imports no UI, figures or
    scheduler; jobs never the dashboard; figures neither; pages run no scheduler and no
    SQL. Function-level imports count too."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


@pytest.mark.slow
def test_types(monkeypatch: pytest.MonkeyPatch) -> None:
    """mypy over tracker/ and jobs/ as pyproject.toml configures it: clean, nothing ignored
    but the libraries that ship no types."""
    from mypy import api

    monkeypatch.chdir(ROOT)  # pyproject's `files` are relative to the project
    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml")])
    assert status == 0, out + err
