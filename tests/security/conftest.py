"""Fixtures shared with the dashboard tests (AppTest on the demo)."""

from tests.dashboard.conftest import app_env  # noqa: F401 (a fixture)
