"""The Import page's mapping builder: a file nothing recognises is mapped once, over a
preview of its first rows, and saved so the next file of its shape imports in one click.

Everything that reads, checks or saves lives in tracker.mappings; this draws the form.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import ui
from tracker import formats
from tracker.errors import WaypointError
from tracker.importer import import_upload
from tracker.mappings import (
    build_mapping,
    draft_upload,
    key_for,
    new_metric,
    preview_mapping,
    save_mapping,
)
from tracker.models import Metric
from tracker.vocab import METRIC_CLASSES

SKIP, NEW = "Skip this column", "New metric…"
EVERY_ROW = "(every row)"


def _column_choice(
    column: str, samples: list[str], metric_names: dict[str, str], plan_keys: list[str], i: int
) -> tuple[str | None, Metric | None]:
    """The metric a column feeds: (key, a new metric to create) or (None, None)."""
    # Names, as people know them; the key only tells apart two metrics of one name.
    counts: dict[str, int] = {}
    for name in metric_names.values():
        counts[name] = counts.get(name, 0) + 1
    by_label = {
        (name if counts[name] == 1 else f"{name} ({key})"): key
        for key, name in metric_names.items()
    }
    example = ", ".join(samples[:3]) or "empty in the first rows"
    picked = st.selectbox(
        # a label is Markdown: a file's header or cell must not become a link, an image
        # fetched from elsewhere on opening, an icon or maths
        ui.label_text(f"{column}: e.g. {example}"),
        [SKIP, NEW, *by_label],
        key=f"map_col_{i}",
    )
    if picked == SKIP:
        return None, None
    if picked != NEW:
        return by_label[picked], None
    left, mid, right = st.columns([2, 1, 1])
    name = left.text_input("Name of the new metric", value=column, key=f"map_new_name_{i}")
    klass = mid.selectbox("Class", METRIC_CLASSES, key=f"map_new_class_{i}")
    behaviour = right.selectbox(
        "Rows of a day",
        ["flow", "stock"],
        key=f"map_new_beh_{i}",
        format_func=lambda b: "add up (flow)" if b == "flow" else "last one (stock)",
    )
    metric = new_metric(name or column, klass, behaviour, plan_keys)
    return metric.key, metric


def show(store: Any, actor: Any, plan: Any, upload_name: str, data: bytes) -> None:
    """Draw the builder for ``data``; on save, store the mapping and import the file."""
    try:
        draft = draft_upload(upload_name, data)
    except WaypointError as exc:
        st.error(ui.text(str(exc)))
        return
    if not draft.header:
        st.error(f"{ui.text(upload_name)} has no header row to map.")
        return
    st.subheader("Map this file once")
    st.caption(
        "Waypoint does not know this file's layout yet. Say which column holds the day and"
        " which metric each column feeds; saved, the mapping reads every later file of this"
        " shape on its own (here, from the inbox and on the command line)."
    )
    st.dataframe(
        [dict(zip(draft.header, row, strict=False)) for row in draft.rows],
        hide_index=True,
    )
    metric_names = {m.key: m.name for m in plan.metrics}
    plan_keys = list(metric_names)
    default_name = key_for(upload_name.rsplit(".", 1)[0])
    name = st.text_input("Mapping name", value=default_name, key="map_name")
    left, mid, right = st.columns([2, 2, 1])
    day_index = draft.header.index(draft.day_column) if draft.day_column in draft.header else 0
    day_column = left.selectbox("Day column", draft.header, index=day_index, key="map_day")
    day_format = mid.text_input(
        "Its format",
        value=draft.day_format or "",
        key="map_format",
        help="%d day, %m month, %Y year, %H:%M time, %z zone; e.g. %d.%m.%Y for 02.11.2026",
    )
    decimal = right.radio(
        "Decimals",
        [".", ","],
        index=[".", ","].index(draft.decimal),
        key="map_decimal",
        format_func=lambda d: "1,250.50" if d == "." else "1.250,50",
    )
    zone = st.text_input(
        "Zone of times written without one (leave empty to take them as they are)",
        value="",
        key="map_zone",
        placeholder="e.g. Europe/Berlin",
    )
    columns: dict[str, str] = {}
    new_metrics: list[Metric] = []
    count_metric, where = None, None
    try:
        for i, column in enumerate(draft.header):
            if column == day_column:
                continue
            key, new = _column_choice(column, draft.samples(column), metric_names, plan_keys, i)
            if key is not None:
                columns[column] = key
            if new is not None:
                new_metrics.append(new)
                plan_keys.append(new.key)
        if st.checkbox("Also count rows per day (orders, bookings, deals…)", key="map_count"):
            count_metric, new = _column_choice("Rows counted", [], metric_names, plan_keys, 9999)
            c1, c2, c3 = st.columns(3)
            where_col = c1.selectbox(
                "Only rows where", [EVERY_ROW, *draft.header], key="map_where_col"
            )
            where_value = c2.text_input("holds", key="map_where_value")
            c3.caption(f"Leave the condition at {EVERY_ROW} to count all rows.")
            if where_col != EVERY_ROW:
                where = (where_col, where_value)
            if new is not None:
                new_metrics.append(new)
        if not columns and count_metric is None:
            st.info("Pick a metric for at least one column to see what would be imported.")
            return
        mapping = build_mapping(
            name,
            day_column,
            columns,
            day_format=day_format,
            zone=zone,
            decimal=decimal,
            count_metric=count_metric,
            where=where,
        )
    except WaypointError as exc:
        st.error(ui.text(str(exc)))
        return
    try:
        parsed = preview_mapping(store, upload_name, data, mapping, new_metrics)
    except WaypointError as exc:
        st.error(ui.text(str(exc)))
        return
    names = {**metric_names, **{m.key: m.name for m in new_metrics}}
    units = {m.key: m.unit for m in (*plan.metrics, *new_metrics)}
    rows = parsed.rows.select(["day", "metric", "value"]).to_pylist()
    days = sorted({r["day"] for r in rows})
    span = f" from {formats.long_day(days[0])} to {formats.long_day(days[-1])}" if days else ""
    st.markdown(
        f"**This mapping reads {ui.count(len(rows), 'daily value')}{span}**"
        + (
            f", {ui.count(len(parsed.rejects), 'value')} it cannot read (below)."
            if parsed.rejects
            else "."
        )
    )
    st.dataframe(
        [
            # days and amounts as the rest of the page writes them, in the metric's unit
            # (the sentence above said "02 Nov 2026" over a column of 2026-11-02, and
            # 1430.5 stood for $1,430.50)
            {
                "Day": formats.short_day(r["day"], year=True),
                "Metric": names.get(r["metric"], r["metric"]),
                "Value": formats.value(
                    r["value"], units.get(r["metric"]), plan.workspace.currency, digits=12
                ),
            }
            for r in rows[:300]
        ],
        hide_index=True,
        column_config={"Value": st.column_config.TextColumn(width="small")},
    )
    if parsed.rejects:
        st.dataframe(
            [
                {"Line": r.line, "Column": r.column, "Value": r.value, "Why": r.reason}
                for r in parsed.rejects[:200]
            ],
            hide_index=True,
        )
    if actor.role != "manager":
        st.info(
            "Only a manager can save a mapping. Ask one to open this file here and save it;"
            " after that, files of this shape import with one click."
        )
        return
    if new_metrics:
        st.caption("Saving also creates: " + ", ".join(ui.text(m.name) for m in new_metrics) + ".")
    if st.button("Save mapping and import", type="primary", key="map_save"):
        try:
            save_mapping(store, actor, mapping, new_metrics)
            result = import_upload(store, actor, upload_name, data)
        except WaypointError as exc:
            st.error(ui.text(str(exc)))
            return
        st.session_state["import_done"] = {
            "change": result.change,
            "message": (
                f"Saved the mapping {ui.text(mapping.name)} and imported {ui.text(upload_name)}:"
                f" {result.inserted} inserted, {result.replaced} replaced,"
                f" {result.unchanged} unchanged, {len(result.rejected)} rejected."
                f" Files of this shape now import on their own."
            ),
            # what the import found (sources counted twice, unusual values): the mapping's
            # preview read the file alone, so this is the first the person hears of it
            "result": result,
        }
        st.rerun()
