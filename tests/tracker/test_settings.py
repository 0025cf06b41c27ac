"""Every setting is documented, and precedence is keyword > environment > stored > default."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.errors import BadInput
from tracker.settings import SETTINGS, get_setting, validate_stored


def test_every_setting_is_documented() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "settings.md").read_text()
    for setting in SETTINGS.values():
        assert f"`{setting.name}`" in docs and setting.env_var in docs


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
