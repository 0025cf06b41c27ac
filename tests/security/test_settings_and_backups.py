"""#15 items 8 and 22: settings checked in one registry; backups never all pruned;
a stored data_dir stays inside the database's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobs.tasks import data_dir
from tests.clirunner import waypoint
from tracker.backup import MANIFEST, prune_backups
from tracker.errors import BadInput
from tracker.settings import get_setting, validate_stored
from tracker.store import Store


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("backup.keep", "0"),
        ("backup.keep", "-3"),
        ("smtp.port", "70000"),
        ("on_track_pace", "nan"),
        ("upload.max_mb", "0"),
    ],
)
def test_out_of_range_settings_are_refused_from_every_entry_point(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with pytest.raises(BadInput, match=name.replace(".", r"\.")):
        validate_stored(name, value)
    monkeypatch.setenv("WAYPOINT_" + name.upper().replace(".", "_"), value)
    with pytest.raises(BadInput):
        get_setting(name)
    monkeypatch.delenv("WAYPOINT_" + name.upper().replace(".", "_"))
    plan = tmp_path / "p.yaml"
    plan.write_text(
        f"workspace: {{name: T}}\npeople: [{{key: m, name: M, role: manager}}]\n"
        f"settings: {{{name}: {value}}}\n"
    )
    result = waypoint(tmp_path / "w.duckdb", "plan", "apply", str(plan))
    assert result.code == 2 and name in result.err, result


def test_prune_never_removes_the_newest_and_clears_partials(tmp_path: Path) -> None:
    for day in ("2026-11-01", "2026-11-02"):
        (tmp_path / day).mkdir()
        (tmp_path / day / MANIFEST).write_text("{}")
    (tmp_path / "2026-11-03.partial").mkdir()
    removed = prune_backups(tmp_path, 0)
    assert [p.name for p in removed] == ["2026-11-01", "2026-11-03.partial"]
    assert (tmp_path / "2026-11-02").is_dir()


def test_a_stored_data_dir_stays_inside_the_database_folder(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with store.write() as con:
        con.execute("INSERT INTO settings VALUES ('data_dir', '/etc')")
    with pytest.raises(BadInput, match="outside"):
        data_dir(store)
    with store.write() as con:
        con.execute("UPDATE settings SET value = 'shared' WHERE name = 'data_dir'")
    assert data_dir(store) == store.path.parent.resolve() / "shared"
    monkeypatch.setenv("WAYPOINT_DATA_DIR", str(tmp_path / "elsewhere"))
    assert data_dir(store) == tmp_path / "elsewhere"
