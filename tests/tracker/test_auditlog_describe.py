"""The Audit log page says what changed in words, not JSON."""

from tracker.auditlog import describe


def test_an_update_names_each_changed_field_old_to_new() -> None:
    text = describe({"target": 60.0, "owner": "amy"}, {"target": 80.0, "owner": "amy"})
    assert text == "target: 60 → 80"


def test_a_creation_lists_what_was_set_without_nulls_or_braces() -> None:
    text = describe(None, {"value": 3.0, "by": "lena", "note": None})
    assert text == "value 3; by lena"
    assert "{" not in text and "None" not in text and "null" not in text


def test_long_changes_are_cut() -> None:
    assert len(describe(None, {"note": "x" * 1000})) == 300
