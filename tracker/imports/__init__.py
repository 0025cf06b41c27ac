"""Importers: platform exports and the generic long/wide forms, parsed into daily rows.

Pure functions: nothing here writes to the database (tracker.importer does, through
tracker.observations). See docs/imports.md for every preset's mapping.
"""

from __future__ import annotations

from tracker.imports.model import MetricSpec, ParsedFile, Reject
from tracker.imports.parse import PRESETS, parse_file, preset_names

__all__ = ["PRESETS", "MetricSpec", "ParsedFile", "Reject", "parse_file", "preset_names"]
