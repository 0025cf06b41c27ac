"""AppTest fixtures: the demo database, a pinned clock, fresh Streamlit caches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tracker.store import Store

ROOT = Path(__file__).parents[2]
APP = str(ROOT / "dashboard" / "app.py")


def page_path(name: str) -> str:
    return str(ROOT / "dashboard" / "app_pages" / f"{name}.py")


def _serve(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """The app pointed at ``store`` with the clock pinned and Streamlit's caches fresh."""
    monkeypatch.setenv("WAYPOINT_DB", str(store.path))
    monkeypatch.setenv("WAYPOINT_NOW", "2026-11-18T18:00:00+00:00")
    st.cache_data.clear()
    st.cache_resource.clear()
    yield store
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app_env(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    yield from _serve(demo_store, monkeypatch)


@pytest.fixture
def empty_env(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A workspace with nothing in it yet: what a new user sees first."""
    yield from _serve(store, monkeypatch)


def open_page(name: str | None = None, timeout: float = 60) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    if name is not None:
        at.switch_page(page_path(name))
        at.run()
    return at
