"""The digest's charts as PNG (mail clients run no JavaScript): one kaleido batch."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any


def progress_figure(review: Any) -> Any:
    # The dashboard's own figure, so the email looks like the screen.
    from charts import progress_bars

    # the week by its days, as the mail's own heading says it ("2026-W46" read as a code)
    from tracker.formats import day_span

    title = f"Progress vs expected, {day_span(review.start, review.end)}"
    fig = progress_bars([k.now for k in review.kpis], title)
    fig.update_layout(width=700)
    return fig


def digest_images(review: Any) -> tuple[dict[str, bytes], str]:
    """({content id: PNG}, a note for the job log). Never raises: no images is a result."""
    if not any(k.now.progress is not None for k in review.kpis):
        # an empty 0-500% axis with no bar said nothing (every KPI without data or target)
        return {}, "no chart: no KPI has progress to show"
    try:
        import kaleido

        figures = {"progress": progress_figure(review)}
        with tempfile.TemporaryDirectory() as tmp:
            kaleido.write_fig_sync(list(figures.values()), path=tmp, opts={"format": "png"})
            files = sorted(Path(tmp).glob("*.png"))
            if len(files) != len(figures):
                raise RuntimeError(f"kaleido wrote {len(files)} image(s), expected {len(figures)}")
            images = {cid: f.read_bytes() for cid, f in zip(figures, files, strict=True)}
        return images, f"{len(images)} chart(s) rendered"
    except Exception as exc:  # no Chromium, kaleido failure: the digest still goes out
        return {}, f"charts not rendered ({type(exc).__name__}: {str(exc)[:160]}); sent without"
