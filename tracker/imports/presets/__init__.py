"""Platform presets: one module per platform, each a list of export kinds (PRESETS)."""

from __future__ import annotations

from tracker.imports.engine import Preset
from tracker.imports.presets import (
    facebook,
    google_ads,
    google_analytics,
    instagram,
    linkedin,
    search_console,
    x_twitter,
    youtube,
)

ALL: list[Preset] = [
    *x_twitter.PRESETS,
    *facebook.PRESETS,
    *instagram.PRESETS,
    *linkedin.PRESETS,
    *youtube.PRESETS,
    *search_console.PRESETS,
    *google_analytics.PRESETS,
    *google_ads.PRESETS,
]
