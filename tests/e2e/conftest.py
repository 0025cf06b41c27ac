"""Real browser tests: Playwright drives Debian's Chromium against `waypoint serve`."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# one browser and server set-up for tests, pictures and benchmarks
from dashboard.shots import CHROMIUM, FLAGS, Server, start_server  # noqa: F401 (Server: tests' type)

# What the journeys saw, for a person to look at after a run; never the tracked docs/
# pictures (those come from `python -m dashboard.shots`).
SCREENSHOTS = Path(os.environ.get("WAYPOINT_E2E_SHOTS", tempfile.gettempdir())) / "waypoint-e2e"
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


def require_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)")


@pytest.fixture
def demo_server(demo_db: Path, tmp_path: Path) -> Iterator[Server]:
    require_browser()
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    server = start_server(db)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


_FAILED = pytest.StashKey[bool]()  # the test's own call failed (not a fixture)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    if request.node.stash.get(_FAILED, False):
        # what the browser showed when a journey failed: a flake under load left only
        # its test name, and a timeout names the text it waited for, not what was there
        shot = SCREENSHOTS / f"failed-{request.node.name}.png"
        try:
            pg.screenshot(path=str(shot), full_page=True)
            print(f"the page at the failure: {shot}; its text:")
            # the page's own part, not the sidebar's links: CI keeps output, not files
            print(pg.inner_text("[data-testid='stMain']", timeout=5_000)[:4000])
        except Exception as exc:  # the page may be gone with the failure  # noqa: BLE001
            print(f"no screenshot of the failure: {exc}")
    context.close()
