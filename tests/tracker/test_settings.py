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
