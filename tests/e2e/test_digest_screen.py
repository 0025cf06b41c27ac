"""The weekly digest email, rendered in Chromium, fits one screen above its fold."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from tests.e2e.conftest import SCREENSHOTS
from tracker.checkins import record_checkin
from tracker.records import Actor
from tracker.report import render_html, weekly_review
from tracker.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MONDAY = dt.datetime(2026, 11, 23, 14, tzinfo=dt.UTC)


def _chart_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (700, 420), "white").save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_the_digest_fits_one_screen(
    demo_store: Store, browser, tmp_path: Path, width: int, height: int
) -> None:
    # Maria said "on track" for her off-track inquiry rate: one decision more than the six
    # a digest shows, so the rest must be a link away
    record_checkin(
        demo_store,
        Actor("maria", "manager", "Maria Lopez"),
        "inquiry-rate",
        "on_track",
        period="2026-W47",
        at=dt.datetime(2026, 11, 20, 15),
    )
    review = weekly_review(demo_store, "2026-W47", now=MONDAY)
    assert len(review.decision_lines()) > 6
    html = render_html(
        review,
        {"progress": _chart_png()},
        email=True,
        details_url="http://localhost:8501/weekly_review?week=2026-W47",
    )
    (tmp_path / "digest.html").write_text(html, encoding="utf-8")
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto((tmp_path / "digest.html").as_uri())
    page.screenshot(path=SCREENSHOTS / f"digest-{width}.png", full_page=True)
    # Everything a manager reads and the way to the rest sit above the fold; only the
    # chart (a picture of the same numbers) may run below it.
    button = page.get_by_role("link", name="Open the full review").bounding_box()
    assert button is not None and button["y"] + button["height"] <= height, button
    for heading in ("Needs a decision", "Check-ins"):
        box = page.get_by_role("heading", name=heading).bounding_box()
        assert box is not None and box["y"] < button["y"]
    # the sixth decision is shown, the rest are one link away
    assert page.get_by_role("link", name="more in the full review").count() == 1
    context.close()


def test_the_full_report_scrolls_its_table_not_the_page_on_a_phone(
    demo_store: Store, browser, tmp_path: Path
) -> None:
    # `report weekly --format html` ran 472 px wide at 390: the forecast column was off
    # the screen and the whole page scrolled sideways
    html = render_html(weekly_review(demo_store, "2026-W47", now=MONDAY))
    (tmp_path / "report.html").write_text(html, encoding="utf-8")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto((tmp_path / "report.html").as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
