"""Real browser tests: Playwright drives Debian's Chromium against `waypoint serve`."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.shots import CHROMIUM, FLAGS  # one browser set-up for tests and pictures
from tests.conftest import free_port, healthy

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


class Server:
    def __init__(self, db: Path, port: int, proc: subprocess.Popen) -> None:
        self.db, self.port, self.proc = db, port, proc
        self.url = f"http://localhost:{port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def start_server(
    db: Path, *extra: str, env: dict[str, str] | None = None, port: int | None = None
) -> Server:
    port = port or free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tracker.cli",
            "--db",
            str(db),
            *extra,
            "serve",
            "--port",
            str(port),
            "--no-scheduler",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "WAYPOINT_NOW": "2026-11-18T18:00:00+00:00", **(env or {})},
    )
    deadline = time.time() + 90
    while time.time() < deadline:
        if healthy(port):
            return Server(db, port, proc)
        time.sleep(0.3)
        if proc.poll() is not None:
            raise RuntimeError(proc.stdout.read().decode(errors="replace"))
    proc.kill()
    raise RuntimeError("waypoint serve did not become healthy")


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


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()
