"""Every setting is documented, and precedence is keyword > environment > stored > default."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.errors import BadInput
from tracker.settings import SETTINGS, get_setting, validate_stored


def test_the_settings_reference_is_generated_and_current() -> None:
    from cogapp import Cog

    docs = Path(__file__).parents[2] / "docs" / "settings.md"
    assert Cog().main(["cog", "--check", "--diff", str(docs)]) == 0, "run: cog -r docs/settings.md"
    text = docs.read_text()
    for setting in SETTINGS.values():
        assert f"`{setting.name}`" in text and setting.env_var in text


def test_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_setting("backup.keep") == 7
    assert get_setting("backup.keep", {"backup.keep": "3"}) == 3
    monkeypatch.setenv("WAYPOINT_BACKUP_KEEP", "5")
    assert get_setting("backup.keep", {"backup.keep": "3"}) == 5
    assert get_setting("backup.keep", {"backup.keep": "3"}, override=9) == 9


def test_secrets_are_never_stored_and_bad_values_refused() -> None:
    with pytest.raises(BadInput):
        validate_stored("smtp.password", "hunter2")
    with pytest.raises(BadInput):
        validate_stored("backup.keep", "many")
    with pytest.raises(BadInput):
        validate_stored("no.such.setting", "1")
    assert validate_stored("smtp.starttls", "yes") == "true"


def test_pace_thresholds_keep_their_order_and_export_as_numbers(plan_store) -> None:
    from tests.conftest import SMALL_PLAN
    from tracker.plan import apply_plan_text, export_plan
    from tracker.records import LOCAL_MANAGER

    with pytest.raises(BadInput, match=r"at_risk_pace \(0.95\) is above on_track_pace \(0.9\)"):
        apply_plan_text(plan_store, SMALL_PLAN + "settings: {at_risk_pace: 0.95}\n", LOCAL_MANAGER)
    apply_plan_text(
        plan_store,
        SMALL_PLAN + "settings: {on_track_pace: 0.85, backup.keep: 3, smtp.starttls: no}\n",
        LOCAL_MANAGER,
    )
    exported = export_plan(plan_store, LOCAL_MANAGER)
    assert "on_track_pace: 0.85\n" in exported and "backup.keep: 3\n" in exported
    assert "smtp.starttls: false\n" in exported
    # export -> apply changes nothing
    assert not apply_plan_text(plan_store, exported, LOCAL_MANAGER).changed


def test_crossed_paces_are_found_by_validate_and_refused_from_the_environment(
    plan_store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.clirunner import waypoint
    from tests.conftest import SMALL_PLAN
    from tracker.progress import compute_progress

    # validation names it with the plan's other problems (a dry run too), exit 2
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        SMALL_PLAN + "settings: {on_track_pace: 0.6, at_risk_pace: 0.8, backup.keep: many}\n"
    )
    run = waypoint(plan_store.path, "plan", "apply", "--dry-run", str(plan))
    assert run.code == 2 and "at_risk_pace (0.8) is above on_track_pace (0.6)" in run.err
    assert "settings.backup.keep" in run.err  # reported together, not one at a time
    # an environment override that crosses the stored threshold is an error naming it,
    # not statuses judged on a crossed pair
    monkeypatch.setenv("WAYPOINT_AT_RISK_PACE", "0.95")
    with pytest.raises(BadInput, match="WAYPOINT_AT_RISK_PACE"):
        compute_progress(plan_store)
    monkeypatch.setenv("WAYPOINT_ON_TRACK_PACE", "0.97")  # both overridden, in order: fine
    assert compute_progress(plan_store).kpis


def test_a_form_save_writes_only_the_settings_it_changed(plan_store) -> None:
    # the Settings form sends all three fields: saving one pace stored the other and the
    # backup count too, each an audit line that changed nothing
    from tracker.auditlog import entries
    from tracker.plan import update_settings
    from tracker.records import LOCAL_MANAGER

    before = len(entries(plan_store))
    update_settings(
        plan_store, LOCAL_MANAGER, {"on_track_pace": 0.8, "at_risk_pace": 0.7, "backup.keep": 7}
    )
    new = entries(plan_store)[: len(entries(plan_store)) - before]
    assert [(e.entity, e.key) for e in new if e.entity == "setting"] == [
        ("setting", "on_track_pace")
    ]
    # a setting never stored was its default: that is its old value as people read it
    from tracker.auditlog import describe, old_in_effect

    (saved,) = [e for e in new if e.entity == "setting"]
    assert saved.old_value is None  # kept as stored: an undo removes the setting again
    shown = describe(old_in_effect(saved.entity, saved.key, saved.old_value), saved.new_value)
    assert shown == "0.9 (default) → 0.8"
    # saved again unchanged: nothing at all
    update_settings(
        plan_store, LOCAL_MANAGER, {"on_track_pace": 0.8, "at_risk_pace": 0.7, "backup.keep": 7}
    )
    assert [
        e for e in entries(plan_store)[: len(entries(plan_store)) - before] if e.entity == "setting"
    ] == [e for e in new if e.entity == "setting"]
