"""The digest's charts as PNG (mail clients run no JavaScript): one kaleido batch."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

STATUS_COLOURS = {
    "achieved": "#1a7f37",
    "on_track": "#2da44e",
    "at_risk": "#bf8700",
    "off_track": "#cf222e",
    "missed": "#82071e",
    "no_data": "#6e7781",
    "no_target": "#6e7781",
}


def progress_figure(review: Any) -> Any:
    import plotly.graph_objects as go

    rows = [k.now for k in review.kpis if k.now.progress is not None]
    fig = go.Figure()
    fig.add_bar(
        y=[k.kpi for k in rows],
        x=[min(k.progress, 1.5) for k in rows],
        orientation="h",
        name="progress",
        marker_color=[STATUS_COLOURS[k.status] for k in rows],
        text=[f"{k.progress:.0%} ({k.status.replace('_', ' ')})" for k in rows],
        textposition="outside",
    )
    fig.add_scatter(
        y=[k.kpi for k in rows],
        x=[k.expected for k in rows],
        mode="markers",
        name="expected by now",
        marker={"symbol": "line-ns-open", "size": 18, "color": "#1f2328"},
    )
    fig.update_layout(
        title=f"Progress vs expected, {review.week}",
        template="plotly_white",
        width=700,
        height=120 + 32 * len(rows),
        xaxis_tickformat=".0%",
        margin={"l": 140, "r": 40, "t": 50, "b": 40},
    )
    return fig


def digest_images(review: Any) -> tuple[dict[str, bytes], str]:
    """({content id: PNG}, a note for the job log). Never raises: no images is a result."""
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
