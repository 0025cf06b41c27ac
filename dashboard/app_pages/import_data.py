"""Import: upload an export, see what it holds and what would be refused, then commit."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import mapping_form, state, ui
from tracker import formats, vocab
from tracker.changes import undo
from tracker.checks import Outlier
from tracker.errors import WaypointError
from tracker.importer import import_upload
from tracker.imports import preset_names
from tracker.imports.engine import DayNeeded
from tracker.imports.parse import NotRecognised, platform_names, preset_label
from tracker.observations import counted_twice
from tracker.settings import get_setting

store = state.store()
actor = st.session_state["actor"]
with store.session():
    plan = state.cached(state.plan)
max_mb = int(get_setting("upload.max_mb", {k: str(v) for k, v in plan.settings.items()}))

st.title("Import")
st.caption(
    # from the presets themselves: the list typed here once left Instagram out
    f"CSV or Excel exports from {vocab.listing(platform_names())}, the generic long form"
    " (day,metric,value), or any other file once it is mapped (a file Waypoint does not"
    " know opens the mapping form)."
)
upload = st.file_uploader(
    "Export file",
    type=["csv", "tsv", "txt", "xlsx", "xls"],
    max_upload_size=max_mb,
    key="import_file",
)
labels = {name: preset_label(name) for name in preset_names()}
# a saved mapping by its own key: one named like a preset (`long`) is listed beside it
labels |= {f"mapping:{m.name}": preset_label(f"mapping:{m.name}") for m in plan.imports}
DAY_LABEL = "Day for files without dates (e.g. Search Console queries)"
preset = st.selectbox(
    "What kind of export", list(labels), key="import_preset", format_func=labels.__getitem__
)
day = st.date_input(
    DAY_LABEL,
    value=None,
    key="import_day",
    format="YYYY-MM-DD",  # as every day on the pages (the widget's default is YYYY/MM/DD)
)
if upload is None:
    st.stop()

data = upload.getvalue()
if len(data) > max_mb * 1_000_000:
    st.error(f"{ui.text(upload.name)} is larger than {max_mb} MB.")
    st.stop()


def run(dry_run: bool):
    return import_upload(store, actor, upload.name, data, preset=preset, day=day, dry_run=dry_run)


def findings(result) -> None:
    """Outliers, overlaps and days before every KPI window, one warning each, in the
    words of the page (names, not keys or source codes; no plan syntax)."""
    names = result.names
    for o in result.outliers[:10]:
        found = Outlier(**{**o, "day": dt.date.fromisoformat(o["day"])})
        said = found.sentence(names.get(found.metric), formats.short_day(found.day))
        st.warning(
            ui.text(said) + ": it is stored, and the Vanity audit flags it until it is"
            " corrected or acknowledged."
        )
    for o in result.overlaps:
        name = names.get(o.metric, o.metric)
        if o.prefer:
            sources = vocab.listing([vocab.source_label(s) for s in o.sources])
            span = formats.day_span(o.first, o.last)
            said = (
                f"{name}: {sources} cover the same {ui.count(o.days, 'day')} ({span}):"
                f" only {vocab.source_label(o.prefer)} counts on them."
            )
        else:  # the audit's own sentence, and what happens next
            said = counted_twice(name, o.sources, o.days, o.first, o.last) + (
                " A manager says in the plan which source counts (see the Vanity audit)."
            )
        st.warning(ui.text(said))
    for w in result.outside_windows:
        span = formats.day_span(dt.date.fromisoformat(w["first"]), dt.date.fromisoformat(w["last"]))
        st.warning(
            ui.text(
                f"{names.get(w['metric'], w['metric'])}: {ui.count(w['days'], 'day')} ({span})"
                f" come before its KPIs start"
                f" ({formats.long_day(dt.date.fromisoformat(w['windows_start']))}):"
                " they are stored, and no KPI counts them."
            )
        )


committed = st.session_state.get("import_done")
if committed is not None:
    done = st.empty()  # emptied when the import is taken back
    with done.container():
        st.success(committed["message"])
        if committed.get("result") is not None:
            findings(committed["result"])
        # an import that changed nothing (the same file again) has nothing to take back:
        # an Undo then would take back the person's latest other change
        if committed["change"] is None:
            st.caption("Nothing changed, so there is nothing to undo.")
            undo_clicked = False
        else:
            undo_clicked = st.button("Undo this import", key="import_undo")
    if undo_clicked:
        # No rerun: the preview below is computed after the undo. The success box and
        # its button go: what is on the page is what is stored.
        done.empty()
        st.session_state.pop("import_done")
        ui.run_safely(lambda: undo(store, actor, committed["change"]), "Import taken back.")

try:
    preview = run(dry_run=True)
except NotRecognised as exc:
    if exc.choice == "auto":
        mapping_form.show(store, actor, plan, upload.name, data)
    elif exc.fits:
        st.error(
            f"{ui.text(upload.name)} does not fit **{ui.text(labels.get(exc.choice, exc.choice))}**:"
            f" it looks like {ui.text(preset_label(exc.fits_name or ''))}."
            f" Choose **{labels['auto']}**"
            " above."
        )
    else:
        st.error(
            f"{ui.text(upload.name)} does not fit"
            f" **{ui.text(labels.get(exc.choice, exc.choice))}**. Choose **{labels['auto']}**"
            " above to map it."
        )
    st.stop()
except DayNeeded as exc:
    st.error(
        f"{ui.text(exc.file)} has no date column: pick the last day of the period it covers"
        f" under **{DAY_LABEL}** above."
    )
    st.stop()
except WaypointError as exc:
    st.error(ui.text(str(exc)))
    st.stop()
# Everything the file holds is stored already (it was just committed, or imported
# before): a Commit would change nothing, so none is offered.
nothing_new = not (preview.inserted or preview.replaced or preview.created_metrics)
if preview.all_rejected:
    st.error(
        f"Recognised as **{preset_label(preview.preset)}**, but every row was rejected"
        f" ({len(preview.rejected)}): nothing can be imported. The reasons are below."
    )
elif preview.nothing_imported:  # a header without rows
    st.warning(f"{ui.text(upload.name)} holds no rows with values: there is nothing to import.")
elif nothing_new:
    rejected = f", {ui.count(len(preview.rejected), 'row')} rejected" if preview.rejected else ""
    st.info(
        f"Everything in {ui.text(upload.name)} is already stored"
        f" ({preview.unchanged} unchanged{rejected}): there is nothing to commit."
    )
else:
    days = (
        f" Days {formats.day_span(preview.first_day, preview.last_day)}."
        if preview.first_day
        else ""
    )
    st.info(
        f"Recognised as **{preset_label(preview.preset)}**: {preview.inserted} new, {preview.replaced}"
        f" changed, {preview.unchanged} unchanged, {len(preview.rejected)} rejected.{days}"
    )
for note in preview.notes:
    st.caption(ui.text(note))
findings(preview)
names = preview.names
if preview.created_metrics:
    created = ", ".join(names.get(k, k) for k in preview.created_metrics)
    st.info(ui.text(f"New metrics will be created: {created}"))
stored = preview.values_to_store(500)
if stored:  # a file without rows has no table to show, not an empty one
    st.subheader("Daily values")
    st.dataframe(
        [
            {"day": r["day"], "metric": names.get(r["metric"], r["metric"]), "value": r["value"]}
            for r in stored
        ],
        hide_index=True,
    )
if preview.rejected:
    st.subheader("Rejected")
    # One row per reason first: an export of 522 rows of a metric the person may not add
    # is one reason, not 522 lines to scroll (the reason first, so a phone shows it)
    by_reason: dict[str, list[int]] = {}
    for r in preview.rejected:
        by_reason.setdefault(r.reason, []).append(r.line or 0)
    # as sentences, not table cells: a cell cut a reason mid-sentence at 1400 px
    for reason, lines in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        where = ", ".join(str(n) for n in lines[:5]) + (" …" if len(lines) > 5 else "")
        st.markdown(
            f"- **{ui.count(len(lines), 'row')}** (line{'s' if len(lines) > 1 else ''}"
            f" {where}): {ui.text(reason)}"
        )
    # a mapped file's values are each a day's (a day with no row counts 0 on the line
    # before): its day tells two rejects on one line apart
    dated = any(r.day for r in preview.rejected)
    with st.expander(f"Every rejected row ({len(preview.rejected):,})"):
        st.dataframe(
            [
                {"line": r.line}
                | ({"day": formats.short_day(r.day, year=True) if r.day else ""} if dated else {})
                | {"column": r.column, "value": r.value or "", "reason": r.reason}
                for r in preview.rejected
            ],
            hide_index=True,
        )
can_commit = not (preview.nothing_imported or nothing_new)
if can_commit and st.button("Commit the import", type="primary", key="import_commit"):
    try:
        result = run(dry_run=False)
    except WaypointError as exc:
        st.error(ui.text(str(exc)))
    else:
        st.session_state["import_done"] = {
            "change": result.change,
            "message": (
                f"Imported {ui.text(upload.name)}: {result.inserted} inserted, {result.replaced}"
                f" replaced, {result.unchanged} unchanged, {len(result.rejected)} rejected."
            ),
        }
        st.rerun()
