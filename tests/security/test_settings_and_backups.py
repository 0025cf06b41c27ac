"""#15 items 8 and 22: settings checked in one registry; backups never all pruned;
a stored data_dir stays inside the database's folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jobs.tasks import data_dir
from tests.clirunner import waypoint
from tests.conftest import SMALL_PLAN
from tracker.backup import MANIFEST, prune_backups
from tracker.errors import BadInput
from tracker.models import LOCAL_MANAGER
from tracker.plan import apply_plan_text
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
        # a schedule the scheduler cannot read would silently never run
        ("schedule.nightly_backup", "'61 25 * * *'"),
        ("schedule.weekly_digest", "banana"),
        ("schedule.inbox_import", "'* * * * * * *'"),
        # every mail links to the dashboard and comes from the sender
        ("dashboard_url", "'javascript:alert(1)'"),
        ("smtp.sender", "not-an-address"),
        # a C1 control (CSI, U+009B) is as much an escape sequence as ESC [
        ("dashboard_url", "https://x.example/\x9b2J"),
        ("smtp.sender", "w\x9b@example.com"),
        # stored, and every mail failed at the next digest
        ("smtp.host", "'bad host'"),
        ("smtp.host", "-mail.example.com"),
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
    # a control character goes into the plan as YAML writes it: "\x9b" in double quotes
    in_plan = value if value.isprintable() else f'"{value.encode("unicode_escape").decode()}"'
    plan.write_text(
        f"workspace: {{name: T}}\npeople: [{{key: m, name: M, role: manager}}]\n"
        f"settings: {{{name}: {in_plan}}}\n"
    )
    result = waypoint(tmp_path / "w.duckdb", "plan", "apply", str(plan))
    assert result.code == 2 and name in result.err, result


@pytest.mark.parametrize(
    "host", ["smtp.example.com", "localhost", "127.0.0.1", "::1", "[2001:db8::1]", "mail-1.ex.org."]
)
def test_smtp_hosts_people_use_are_taken(host: str) -> None:
    assert validate_stored("smtp.host", host) == host


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


@pytest.mark.parametrize("outside", ["/etc", "../../outside", "data/../..", ".."])
def test_a_plan_cannot_store_a_data_dir_outside_the_database_folder(
    plan_store: Store, outside: str
) -> None:
    # refused when applied (every file job would fail on it later), naming the setting
    plan = SMALL_PLAN + f"settings:\n  data_dir: {json.dumps(outside)}\n"
    with pytest.raises(BadInput, match=r"data_dir: .* outside the database's folder"):
        apply_plan_text(plan_store, plan, LOCAL_MANAGER)
    with plan_store.read() as con:
        assert con.execute("SELECT count(*) FROM settings").fetchall()[0][0] == 0
    apply_plan_text(plan_store, SMALL_PLAN + "settings:\n  data_dir: data/files\n", LOCAL_MANAGER)
    assert data_dir(plan_store) == plan_store.path.parent.resolve() / "data" / "files"
    # an absolute path inside the folder is fine (a plan exported and applied again)
    inside = plan_store.path.parent.resolve() / "shared"
    apply_plan_text(plan_store, SMALL_PLAN + f"settings:\n  data_dir: {inside}\n", LOCAL_MANAGER)
    assert data_dir(plan_store) == inside
