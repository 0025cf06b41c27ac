"""The shared figures draw what they are given, and only that."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

import charts

D = dt.date


def test_kpi_chart_draws_the_lines_it_has_and_the_target() -> None:
    series = SimpleNamespace(
        actual=[(D(2026, 11, 2), 3.0), (D(2026, 11, 9), 7.0)],
        expected=[(D(2026, 11, 2), 2.0), (D(2026, 11, 9), 4.0)],
        forecast=[],  # nothing to forecast: no empty trace in the legend
        target=10.0,
    )
    fig = charts.kpi_chart(series)
    assert [t.name for t in fig.data] == ["actual", "expected pace"]
    assert list(fig.data[0].y) == [3.0, 7.0]
    assert fig.data[0].line.width == 3 and fig.data[1].line.dash == "dash"
    assert [shape.y0 for shape in fig.layout.shapes] == [10.0]
    # days on one line, as the pages write them (a second line with the year was hidden
    # under the legend on a phone)
    formats = [s.value for s in fig.layout.xaxis.tickformatstops]
    assert formats == ["%-d %b", "%b %Y"]


def test_one_day_and_an_empty_period_still_show() -> None:
    # a week's KPI on its first value drew no actual (one point as a line is nothing),
    # and a period with nothing was an empty slot in the streak, its ✕ inside no bar
    one = SimpleNamespace(actual=[(D(2026, 11, 16), 2.0)], expected=[], forecast=[], target=3.0)
    (actual,) = charts.kpi_chart(one).data
    assert actual.mode == "markers" and list(actual.y) == [2.0]
    two = SimpleNamespace(actual=[(D(2026, 11, 16), 2.0), (D(2026, 11, 17), 3.0)], expected=[],
                          forecast=[], target=3.0)  # fmt: skip
    assert charts.kpi_chart(two).data[0].mode == "lines"
    nothing = SimpleNamespace(period="2026-W45", start=D(2026, 11, 2), value=0.0, hit=False,
                              target=3)  # fmt: skip
    some = SimpleNamespace(period="2026-W46", start=D(2026, 11, 9), value=3.0, hit=True, target=3)
    bars = charts.streak_chart([nothing, some]).data[0]
    assert list(bars.text) == ["✕", "✓"] and list(bars.textposition) == ["outside", "inside"]


def test_a_short_progress_chart_keeps_its_legend_off_the_axis_labels() -> None:
    # one or two KPIs: the legend, a fraction of the chart's height below it, sat over
    # "0%" and "20%" in the digest's picture, and "118%" was cut to "118"
    one = SimpleNamespace(kpi="k", name="K", status="achieved", progress=1.18, expected=0.8)
    for rows in ([one], [one] * 30):
        fig = charts.progress_bars(rows)
        plot = fig.layout.height - charts.MARGIN["t"] - charts.MARGIN["b"]
        assert fig.layout.legend.y * plot == pytest.approx(-35)  # 35 px under the plot
        assert all(b.cliponaxis is False for b in fig.data if b.type == "bar")
    # a bar's label as every page writes a share (it said "1%" where the KPI read 0.69%)
    small = SimpleNamespace(kpi="s", name="S", status="off_track", progress=0.0069, expected=0.5)
    (bar,) = [b for b in charts.progress_bars([small]).data if b.type == "bar"]
    assert list(bar.text) == ["0.69%"]


def test_the_digest_has_no_chart_when_no_kpi_has_progress() -> None:
    from jobs.charts import digest_images

    draft = SimpleNamespace(now=SimpleNamespace(progress=None))
    images, note = digest_images(SimpleNamespace(kpis=[draft, draft]))
    assert images == {} and note == "no chart: no KPI has progress to show"


def test_progress_bars_name_kpis_worst_on_top_with_a_legend_per_status() -> None:
    def kpi(key: str, name: str | None, status: str, progress: float) -> SimpleNamespace:
        return SimpleNamespace(kpi=key, name=name, status=status, progress=progress, expected=0.8)

    worst_first = [
        kpi("inquiry-rate", "Inquiries per website session", "off_track", 0.21),
        kpi("orders-h2", "Catering orders booked", "at_risk", 0.65),
        kpi("weekly-posts", None, "on_track", 0.67),
    ]
    worst_first.append(kpi("orders-h1", "Catering orders booked", "on_track", 0.9))
    fig = charts.progress_bars(worst_first)
    bars = [t for t in fig.data if t.type == "bar"]
    assert [t.name for t in bars] == ["off track", "at risk", "on track"]
    assert [t.marker.color for t in bars] == ["#c62828", "#c77700", "#2e7d32"]
    # one row per KPI even when two share a name; the first given is drawn at the top
    rows = ["inquiry-rate", "orders-h2", "weekly-posts", "orders-h1"]
    assert list(fig.layout.yaxis.categoryarray) == rows
    assert sorted(y for t in bars for y in t.y) == sorted(rows)
    assert fig.layout.yaxis.autorange == "reversed"
    assert list(fig.layout.yaxis.ticktext) == [
        "Inquiries per website session",
        "Catering orders booked",
        "weekly-posts",  # a KPI without a name shows its key
        "Catering orders booked",
    ]
    (pace,) = [t for t in fig.data if t.type == "scatter"]
    assert list(pace.y) == rows and list(pace.x) == [0.8] * 4


def test_axes_carry_the_kpis_unit_and_periods_read_as_days() -> None:
    share = SimpleNamespace(unit=None, aggregation="ratio")
    cost = SimpleNamespace(unit="USD", aggregation="ratio")
    hours = SimpleNamespace(unit="h", aggregation="sum")
    count = SimpleNamespace(unit=None, aggregation="sum")
    assert charts.kpi_axis(share) == {"tickformat": ".1%"}  # 0.0095 reads 1.0%, not 0.0095
    # a ratio aimed above 1 is a count per thing (calls per refund: 2.33 of 5), as its
    # numbers say: the axis ran 0% to 500%
    per_thing = SimpleNamespace(unit=None, aggregation="ratio", target=5.0, current=2.33)
    assert charts.kpi_axis(per_thing) == {}
    assert charts.kpi_axis(SimpleNamespace(unit=None, aggregation="ratio", target=0.05)) == {
        "tickformat": ".1%"
    }
    assert charts.kpi_axis(cost) == {"tickprefix": "$"}
    assert charts.kpi_axis(hours) == {"ticksuffix": " h"}
    assert charts.kpi_axis(count) == {}
    week = SimpleNamespace(period="2026-W45", start=D(2026, 11, 2), value=3.0, hit=True, target=3)
    month = SimpleNamespace(period="2026-10", start=D(2026, 10, 1), value=9.0, hit=False, target=10)
    fig = charts.streak_chart([week], kpi=count)
    assert list(fig.data[0].x) == ["2 Nov"]
    assert list(charts.streak_chart([month]).data[0].x) == ["Oct 2026"]
    # a mark fits a phone's narrow bar ("missed" broke into "misse" / "d"); the word
    # stays in the hover
    bars = charts.streak_chart([week, month]).data[0]
    assert list(bars.text) == ["✓", "✕"] and list(bars.hovertext) == ["hit", "missed"]


def test_evidence_chart_shows_names_as_typed() -> None:
    import datetime as dt

    from charts import evidence_chart

    week = [(dt.date(2026, 11, 9), 3.0)]
    fig = evidence_chart(week, week, "Reach <b>%{y}</b>", "Leads & sales")
    # Plotly reads tags and %{...} in names as markup: they reach it escaped
    assert fig.data[0].name == "Reach &lt;b&gt;%{y}&lt;/b&gt;"
    assert fig.layout.yaxis.title.text == "Reach &lt;b&gt;%{y}&lt;/b&gt;"
    assert fig.layout.yaxis2.title.text == "Leads &amp; sales"
    assert "%{fullData.name}" in fig.data[0].hovertemplate


def test_notes_kpi_and_people_names_reach_plotly_escaped() -> None:
    # Plotly renders tags in hover text and tick labels: a note or a name holding
    # <a href=...> would be a live link in the chart
    series = SimpleNamespace(actual=[(D(2026, 11, 2), 3.0)], expected=[], forecast=[], target=None)
    note = SimpleNamespace(day=D(2026, 11, 2), text='<a href="https://x.invalid">now</a>')
    fig = charts.kpi_chart(series, [note])
    assert fig.layout.annotations[0].hovertext == (
        "&lt;a href=&quot;https://x.invalid&quot;&gt;now&lt;/a&gt;"
    )
    kpi = SimpleNamespace(
        kpi="k", name="<b>Leads</b>", status="on_track", progress=0.5, expected=0.4
    )
    assert charts.progress_bars([kpi]).layout.yaxis.ticktext == ("&lt;b&gt;Leads&lt;/b&gt;",)
    assert charts.unit_axis("<b>cups</b>") == {"ticksuffix": " &lt;b&gt;cups&lt;/b&gt;"}


def test_every_chart_keeps_waypoints_template_when_streamlit_loads_after_it() -> None:
    # Streamlit makes its own template Plotly's default when it is imported; a chart made
    # after that still looks like every other Waypoint chart.
    import plotly.io as pio
    import streamlit  # noqa: F401  (sets pio.templates.default = "streamlit" on import)

    pio.templates.default = "streamlit"
    fig = charts.team_chart([])
    assert fig.to_dict()["layout"]["template"] == pio.templates["plotly_white"].to_plotly_json()
