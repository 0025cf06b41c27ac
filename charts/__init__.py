"""Every Plotly figure Waypoint draws, for the dashboard and the weekly digest alike, so
that all charts look the same on screen and in email. Imports plotly and tracker only
(an import-linter contract in pyproject.toml)."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from tracker import formats
from tracker.report import STATUS_COLOURS as COLOURS  # one palette for screens and email
from tracker.vocab import SEVERITY_ORDER, STATUS_STYLE

# Every figure's template, set as Plotly's default rather than per figure: Plotly copies
# and validates a template named in a layout (15 ms a figure, 0.15 s of the Objective
# page's rerun with ten KPIs) but applies its default one unvalidated (under 3 ms).
TEMPLATE = "plotly_white"
# Days on one line (17 Nov; months as Nov 2026): Plotly's default puts the year on a
# second line, which the legend under the chart hid on a phone.
DAY_AXIS = {
    "tickformatstops": [
        {"dtickrange": [None, "M1"], "value": "%-d %b"},
        {"dtickrange": ["M1", None], "value": "%b %Y"},
    ]
}
MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}
LAYOUT = {
    "margin": MARGIN,
    "legend": {"orientation": "h", "y": -0.15},
}


def _figure() -> go.Figure:
    """A new figure on Waypoint's template. Streamlit makes its own template Plotly's
    default when it loads, which may be after this module: the default is set back here,
    only when it differs (setting it costs 13 ms)."""
    if pio.templates.default != TEMPLATE:
        pio.templates.default = TEMPLATE
    return go.Figure()


def unit_axis(unit: str | None, share: bool = False) -> dict[str, str]:
    """Plotly axis settings that show numbers in ``unit``, as tracker.formats writes them:
    shares as percentages (``share``: a ratio of two counts; or a % unit), money with its
    symbol, hours with h, other units after the number."""
    unit = (unit or "").strip()
    money, hours = formats.is_money(unit), formats.is_hours(unit)
    if formats.is_percent(unit) or (share and not (money or hours)):
        return {"tickformat": ".1%"}
    if money:
        symbol = formats.SYMBOLS.get(unit.upper(), unit if unit in formats.SYMBOLS.values() else "")
        return {"tickprefix": symbol} if symbol else {"ticksuffix": f" {html.escape(unit.upper())}"}
    if hours:
        return {"ticksuffix": " h"}
    if unit and unit.lower() not in ("count", "#", "number"):
        return {"ticksuffix": f" {html.escape(unit)}"}  # a unit is typed text: no markup
    return {}


def kpi_axis(kpi: Any) -> dict[str, str]:
    """A KPI's numbers in its unit (a ratio of counts is a share)."""
    if kpi is None:
        return {}
    # a share by the rule its numbers follow: calls per refund aimed at 5 ran "0% ...
    # 500%" beside the card's "2.33 of 5"
    return unit_axis(kpi.unit, share=formats.is_share(kpi, getattr(kpi, "current", None)))


def kpi_chart(
    series: Any, notes: list[Any] | None = None, title: str = "", kpi: Any = None
) -> go.Figure:
    """Actual vs the expected-pace line vs the forecast, with the target and annotations;
    ``kpi`` (its progress) puts the numbers in its unit."""
    fig = _figure()
    lines = (
        (series.actual, "actual", {"color": "#0969da", "width": 3}),
        (series.expected, "expected pace", {"color": "#6e7781", "dash": "dash"}),
        (series.forecast, "forecast", {"color": "#bf8700", "dash": "dot"}),
    )
    for points, name, line in lines:
        if points:
            # Arrays, not lists: Plotly checks and copies a list item by item, and a
            # chart of three years of days took 30 ms to build and send that way.
            fig.add_scatter(
                x=np.array([d for d, _ in points], dtype="datetime64[D]"),
                y=np.array([v for _, v in points], dtype=float),
                name=name,
                # one day alone as a line draws nothing: a week's KPI on its first value
                # showed no actual at all
                mode="lines" if len(points) > 1 else "markers",
                line=line,
                marker={"color": line["color"], "size": 9},
            )
    if series.target is not None:
        fig.add_hline(
            y=series.target,
            line={"color": "#1a7f37", "width": 1},
            annotation_text="target",
            annotation_position="top left",
        )
    for note in notes or []:
        fig.add_vline(
            x=dt.datetime.combine(note.day, dt.time()).timestamp() * 1000,
            line={"color": "#8250df", "width": 1, "dash": "dot"},
        )
        fig.add_annotation(
            x=note.day,
            y=1,
            yref="paper",
            text="✎",
            hovertext=html.escape(note.text),  # Plotly reads tags (a link) as markup
            showarrow=False,
            font={"color": "#8250df"},
        )
    fig.update_layout(title=title, height=320, yaxis=kpi_axis(kpi), xaxis=DAY_AXIS, **LAYOUT)
    return fig


def progress_bars(kpis: list[Any], title: str = "") -> go.Figure:
    """Each KPI's progress against where it should be by now, named as people read it,
    in the order given from the top (the Summary passes the furthest behind first), one
    bar trace per status so the legend's colours are the bars' colours."""
    rows = [k for k in kpis if k.progress is not None]
    # Rows are KPI keys (unique; two KPIs may share a name), their ticks the names.
    keys = [k.kpi for k in rows]
    fig = _figure()
    for status in SEVERITY_ORDER:
        mine = [k for k in rows if k.status == status]
        if mine:
            fig.add_bar(
                y=[k.kpi for k in mine],
                x=[min(max(k.progress, 0), 1.5) for k in mine],
                orientation="h",
                marker_color=COLOURS[status],
                name=STATUS_STYLE[status].label,
                # as every page writes a share: 0.69%, not the bar's "1%" beside the
                # Objective page's 0.69%
                text=[formats.percent(k.progress) for k in mine],
                textposition="outside",
                cliponaxis=False,  # "118%" past the axis's end was cut to "118"
            )
    fig.add_scatter(
        y=keys,
        x=[k.expected for k in rows],
        mode="markers",
        name="expected by now",
        marker={"symbol": "line-ns-open", "size": 16, "color": "#1f2328"},
    )
    height = 150 + 30 * len(rows)
    plot = height - MARGIN["t"] - MARGIN["b"]
    fig.update_layout(
        title=title,
        height=height,
        xaxis_tickformat=".0%",
        barmode="stack",  # one bar per row: each row has one status, so no side-by-side
        # categories top-down in the order given (Plotly would start at the bottom)
        yaxis={
            "categoryorder": "array",
            "categoryarray": keys,
            "tickvals": keys,
            "ticktext": [html.escape(k.name or k.kpi) for k in rows],
            "autorange": "reversed",
        },
        **LAYOUT,
    )
    # the worst status first, as the rows; the legend a fixed 35 px under the plot, below
    # the axis's labels (a fraction of a short chart's height put it over them: one or
    # two KPIs' "0%" and "20%" sat under the legend)
    fig.update_layout(legend_traceorder="normal", legend_y=-35 / plot, legend_yanchor="top")
    return fig


def streak_chart(history: list[Any], kpi: Any = None) -> go.Figure:
    """Each complete period's value, green when it met the target: weeks by their first
    day (3 Nov), months by name (Nov 2026), never ISO codes."""
    fig = _figure()
    fig.add_bar(
        x=[
            f"{p.start.day} {p.start:%b}" if "W" in p.period else f"{p.start:%b %Y}"
            for p in history
        ],
        y=[p.value for p in history],
        marker_color=["#2da44e" if p.hit else "#cf222e" for p in history],
        # a mark, not a word: on a phone a bar is narrower than "missed" ("misse / d")
        text=["✓" if p.hit else "✕" for p in history],
        # a period with nothing has no bar to hold its mark: above the axis instead (a
        # missed week was an empty slot)
        textposition=["inside" if p.value else "outside" for p in history],
        cliponaxis=False,
        insidetextanchor="end",
        hovertext=["hit" if p.hit else "missed" for p in history],
        hovertemplate="%{x}: %{y:,.4~g} (%{hovertext})<extra></extra>",
        name="per period",
    )
    if history and history[0].target is not None:
        fig.add_hline(
            y=history[0].target,
            line={"color": "#1a7f37", "dash": "dash"},
            annotation_text="target",
            annotation_position="top left",
        )
    fig.update_layout(height=220, yaxis=kpi_axis(kpi), **LAYOUT)
    return fig


def evidence_chart(
    lead: list[tuple[dt.date, float]],
    outcome: list[tuple[dt.date, float]],
    lead_name: str,
    outcome_name: str,
) -> go.Figure:
    """A metric's weekly series (left axis, blue) beside an outcome's (right axis, green):
    does the outcome move when the metric does? Each axis is titled in its line's colour."""
    blue, green = "#0969da", "#1a7f37"
    fig = _figure()
    fig.add_scatter(
        x=[d for d, _ in lead],
        y=[v for _, v in lead],
        name=html.escape(lead_name),
        mode="lines+markers",
        line={"color": blue},
        hovertemplate="week of %{x|%-d %b}: %{y:,.4~g}<extra>%{fullData.name}</extra>",
    )
    fig.add_scatter(
        x=[d for d, _ in outcome],
        y=[v for _, v in outcome],
        name=html.escape(outcome_name),
        mode="lines+markers",
        yaxis="y2",
        line={"color": green, "dash": "dot"},
        hovertemplate="week of %{x|%-d %b}: %{y:,.4~g}<extra>%{fullData.name}</extra>",
    )
    axis = {"tickformat": ",.4~g", "nticks": 5}
    fig.update_layout(
        height=300,
        xaxis={"tickformat": "%-d %b"},  # each point is a week, by its Monday
        # Plotly reads tags in titles as markup: a name is shown as typed
        yaxis={**axis, "title": {"text": html.escape(lead_name), "font": {"color": blue}}},
        yaxis2={
            **axis,
            "overlaying": "y",
            "side": "right",
            "showgrid": False,
            "tickmode": "auto",  # its own round numbers, not the left axis's grid
            "title": {"text": html.escape(outcome_name), "font": {"color": green}},
        },
        **{**LAYOUT, "margin": {"l": 10, "r": 10, "t": 20, "b": 10}},
    )
    return fig


def team_chart(people: list[Any]) -> go.Figure:
    fig = _figure()
    names = [html.escape(p.name) for p in people]
    for state, colour in (("on_time", "#2da44e"), ("late", "#bf8700"), ("missing", "#cf222e")):
        fig.add_bar(
            x=names,
            y=[getattr(p, state) for p in people],
            name=state.replace("_", " "),
            marker_color=colour,
        )
    fig.update_layout(barmode="stack", height=260, **LAYOUT)
    return fig


def impact_chart(impact: Any) -> go.Figure:
    """A metric's values against the model's forecast and its 90% band; the campaign's
    days shaded. Flow metrics come as 7-day averages per day (tracker.impact)."""
    days = [b.day for b in impact.series]
    during = [b for b in impact.series if b.expected is not None]
    # A count cannot go below zero: the band of a metric that never did is cut there.
    floor = 0.0 if all((b.actual or 0) >= 0 for b in impact.series) else None

    def low(b: Any) -> float:
        return b.low if floor is None else max(b.low, floor)

    fig = _figure()
    if during:
        fig.add_vrect(
            x0=during[0].day,
            x1=during[-1].day,
            fillcolor="#ddf4ff",
            opacity=0.5,
            line_width=0,
            annotation_text="campaign",
            annotation_position="top left",
        )
        fig.add_scatter(
            x=[b.day for b in during] + [b.day for b in reversed(during)],
            y=[b.high for b in during] + [low(b) for b in reversed(during)],
            fill="toself",
            fillcolor="rgba(130,80,223,0.18)",
            mode="lines",
            line={"width": 0},
            hoverinfo="skip",
            name="predicted (90% band)",
        )
        fig.add_scatter(
            x=[b.day for b in during],
            y=[b.expected for b in during],
            mode="lines",
            name="predicted from the weeks before",
            line={"color": "#8250df", "dash": "dash"},
        )
    weekly = impact.behaviour == "flow"
    fig.add_scatter(
        x=days,
        y=[b.actual for b in impact.series],
        name="actual, per day (7-day average)" if weekly else "actual",
        mode="lines",
        line={"color": "#0969da", "width": 1.5},
        connectgaps=False,
    )
    fig.update_layout(
        height=300,
        yaxis={"title": html.escape(impact.metric_name), **unit_axis(impact.unit)},
        **LAYOUT,
    )
    if weekly:
        fig.update_yaxes(rangemode="tozero")  # small wobbles are not drawn as cliffs
    return fig
