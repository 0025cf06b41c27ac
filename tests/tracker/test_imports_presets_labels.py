"""Presets, families and saved mappings by the names people read on the Import page."""

from __future__ import annotations

from tracker.imports.parse import preset_label, preset_names


def test_every_choice_has_a_label_without_underscores() -> None:
    labels = [preset_label(name) for name in preset_names()]
    assert all("_" not in label for label in labels), labels
    assert len(set(labels)) == len(labels)  # no two choices read the same
    assert preset_label("auto") == "Recognise the file"
    assert preset_label("gsc_dates_fr") == "Search Console: dates (French)"
    assert preset_label("youtube") == "YouTube (any of its exports)"
    assert preset_label("ga4_snapshot") == "Google Analytics: GA4 snapshot"
    assert preset_label("mapping:booking-system") == "Saved mapping “booking-system”"
