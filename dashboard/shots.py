"""Screenshots of every page, for a manager and an assistant, on a desktop and a phone.

    python -m dashboard.shots [--out docs/screenshots] [--pages summary,team] [--widths 1400,390]

Loads the demo workspace as of 2026-11-18 into a temporary database, starts
`waypoint serve` twice (as the local manager and as the assistant Jay, the clock fixed at
that Wednesday evening), and lets Debian's Chromium (Playwright) take a full-page
picture of each page at each width: ``{role}-{page}-{width}.png``. The README's pictures
come from here, so they show what the code draws today. Needs the test extras
(`pip install -e '.[test]'`) and `/usr/bin/chromium`.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from dashboard.navigation import PAGES as NAVIGATION

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AS_OF = "2026-11-18"
NOW = "2026-11-18T18:00:00+00:00"
ROLES = {"manager": None, "assistant": "jay"}
# url path -> the roles that see it (the app's own navigation)
PAGES = {spec.name: spec.roles for spec in NAVIGATION}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(port: int) -> bool:
    """Does a `waypoint serve` on ``port`` answer Streamlit's health check?"""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.read() == b"ok"
    except OSError:
        return False


class Server:
    """A `waypoint serve` started by :func:`start_server`; ``stop()`` ends it."""

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
    db: Path,
    *extra: str,
    env: dict[str, str | None] | None = None,
    port: int | None = None,
    timeout: float = 90,
) -> Server:
    """`waypoint [EXTRA] serve` on ``db`` without the scheduler, the clock at the demo's
    Wednesday evening, once it answers the health check. ``env`` adds variables (None
    removes one). Raises RuntimeError with the server's output when it exits or stays
    unhealthy for ``timeout`` seconds: the tests, pictures and benchmarks share this."""
    port = port or free_port()
    variables = {**os.environ, "WAYPOINT_NOW": NOW, **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tracker.cli", "--db", str(db), *extra, "serve"]
        + ["--port", str(port), "--no-scheduler"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={k: v for k, v in variables.items() if v is not None},
    )
    deadline = time.time() + timeout
    while time.time() < deadline:
        if healthy(port):
            return Server(db, port, proc)
        time.sleep(0.2)
        if proc.poll() is not None:
            assert proc.stdout is not None
            raise RuntimeError(proc.stdout.read().decode(errors="replace"))
    os.killpg(proc.pid, signal.SIGKILL)
    raise RuntimeError(f"waypoint serve did not answer on port {port} in {timeout:.0f} s")


_CONTENT_HEIGHT = """() => {
  const boxes = document.querySelectorAll(
    '[data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stMainBlockContainer"]');
  let tall = document.body.scrollHeight;
  for (const box of boxes) { tall = Math.max(tall, box.scrollHeight + 40); }
  return Math.max(900, Math.ceil(tall));
}"""


def settle(page: Any, pause_ms: int = 1200) -> None:
    """Wait until the page's script has run and its charts have had time to draw."""
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_selector("h1", timeout=90_000)  # every page has a title: the script ran
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )
    page.wait_for_timeout(pause_ms)  # plotly draws after the script run ends


def take(out: Path, pages: list[str], widths: list[int], browser: Any = None) -> list[Path]:
    """Write the pictures; ``browser`` is a running Playwright browser to reuse (tests
    hold one per session; Playwright's sync API cannot start a second in one thread)."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.duckdb"
        subprocess.run(
            [sys.executable, "-m", "tracker.cli", "--db", str(db), "demo", "--as-of", AS_OF],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        servers = {
            role: start_server(db, env={"WAYPOINT_AS": person}) for role, person in ROLES.items()
        }
        try:
            if browser is not None:
                return _pictures(browser, servers, out, pages, widths)
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                own = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                try:
                    return _pictures(own, servers, out, pages, widths)
                finally:
                    own.close()
        finally:
            for server in servers.values():
                server.stop()


def _pictures(
    browser: Any,
    servers: dict[str, Server],
    out: Path,
    pages: list[str],
    widths: list[int],
) -> list[Path]:
    written: list[Path] = []
    for role, server in servers.items():
        url = server.url
        for width in widths:
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            for name in pages:
                if role not in PAGES[name]:
                    continue
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{url}/{name}")
                settle(page)
                # Streamlit scrolls inside its main block, not the document: grow the
                # window to the content so the picture holds it all.
                tall, before = page.evaluate(_CONTENT_HEIGHT), 0
                while tall != before:  # charts and tables may still be growing
                    page.wait_for_timeout(500)
                    before, tall = tall, page.evaluate(_CONTENT_HEIGHT)
                page.set_viewport_size({"width": width, "height": min(tall, 12000)})
                page.wait_for_timeout(800)
                path = out / f"{role}-{name}-{width}.png"
                page.screenshot(path=str(path))
                written.append(path)
            context.close()
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dashboard.shots", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated url paths")
    parser.add_argument("--widths", default="1400,390", help="comma-separated pixel widths")
    args = parser.parse_args(argv)
    pages = [p for p in args.pages.split(",") if p]
    unknown = sorted(set(pages) - set(PAGES))
    if unknown:
        parser.error(f"unknown page(s): {', '.join(unknown)}; choose from {', '.join(PAGES)}")
    widths = [int(w) for w in args.widths.split(",") if w]
    for path in take(args.out, pages, widths):
        print(path)


if __name__ == "__main__":
    main()
