"""`python -m dashboard.shots`: the pictures in docs/ are taken by this script."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import require_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_shots_take_the_whole_page_for_each_role(tmp_path: Path, browser) -> None:
    require_browser()
    from PIL import Image

    from dashboard.shots import take

    written = take(tmp_path, ["my_week"], [390], browser=browser)
    assert sorted(p.name for p in written) == [
        "assistant-my_week-390.png",
        "manager-my_week-390.png",
    ]
    for path in written:
        width, height = Image.open(path).size
        # The whole page, not one window of it: My week on a phone runs for screens.
        assert width == 390 and height > 1500, (path.name, height)
