"""#19: the Import page maps a file nothing recognises, saves the mapping, and the next
file of that shape imports with one click; assistants use mappings but cannot save them."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES
from tests.dashboard.conftest import open_page
from tests.dashboard.test_pages import all_text, click
from tracker.observations import daily_values
from tracker.store import Store

# AppTest runs each page's whole script against a database (1-12 s a test): the full
# suite runs them, the fast tier (-m 'not slow') leaves them out.
pytestmark = pytest.mark.slow

BOOKING = (FIXTURES / "mapped" / "booking-week45.csv").read_bytes()
# The same booking system, the week after (another file of the same shape).
NEXT_WEEK = (
    "Buchungsdatum;Leistung;Gäste;Betrag\n09.11.2026;Catering;30;990,00\n10.11.2026;Tisch;2;64,50\n"
).encode()


def _upload(at, name: str, data: bytes):
    if not hasattr(at, "file_uploader"):
        pytest.skip("this Streamlit's AppTest cannot upload files")
    at.file_uploader(key="import_file").set_value((name, data, "text/csv"))
    return at.run()


def _daily(store: Store, metric: str) -> dict[str, float]:
    with store.session():
        return {day.isoformat(): value for day, value in daily_values(store, metric)}


def test_a_manager_maps_a_booking_export_and_the_next_one_imports_in_one_click(
    app_env: Store,
) -> None:
    at = _upload(open_page("import_data"), "booking-week45.csv", BOOKING)
    assert not at.exception, at.exception
    assert "Map this file once" in [s.value for s in at.subheader]
    assert not at.error and not at.success  # no green banner for a file nothing knows
    # Detected: the day column and its day-first format, the decimal comma.
    assert at.selectbox(key="map_day").value == "Buchungsdatum"
    assert at.text_input(key="map_format").value == "%d.%m.%Y"
    assert at.radio(key="map_decimal").value == ","
    at.text_input(key="map_name").set_value("booking-system")
    at.selectbox(key="map_col_3").set_value("New metric…")  # Betrag
    at.run()
    at.text_input(key="map_new_name_3").set_value("Booking revenue")
    at.selectbox(key="map_new_class_3").set_value("outcome")
    at.checkbox(key="map_count").check()
    at.run()
    at.selectbox(key="map_col_9999").set_value("New metric…")
    at.run()
    at.text_input(key="map_new_name_9999").set_value("Catering bookings")
    at.selectbox(key="map_where_col").set_value("Leistung")
    at.text_input(key="map_where_value").set_value("catering")
    at.run()
    assert not at.exception, at.exception
    assert "This mapping reads 8 daily values from 2 Nov 2026 to 5 Nov 2026" in all_text(at)
    # the preview writes days and amounts as the page does (2026-11-02 and 1430.5 were
    # shown beside a sentence saying "2 Nov 2026", for a file reading 1.430,50)
    preview = next(d.value for d in at.dataframe if "Metric" in d.value.columns)
    first = preview.iloc[0].to_dict()
    assert first["Day"] == "Mon 2 Nov 2026" and first["Value"] == "1,430.5", first  # no unit
    at = click(at, "Save mapping and import")
    assert not at.exception, at.exception
    assert "Saved the mapping booking-system" in at.success[0].value
    assert _daily(app_env, "booking-revenue") == {
        "2026-11-02": 1430.5,
        "2026-11-03": 95.25,
        "2026-11-04": 1190.75,
        "2026-11-05": 240.0,
    }
    assert _daily(app_env, "catering-bookings") == {
        "2026-11-02": 1.0,
        "2026-11-03": 0.0,
        "2026-11-04": 2.0,
        "2026-11-05": 0.0,
    }

    # The next week's file is recognised by the saved mapping: one click imports it.
    at = _upload(open_page("import_data"), "booking-week46.csv", NEXT_WEEK)
    assert not at.exception, at.exception
    assert "Recognised as **Saved mapping “booking-system”**" in at.info[0].value
    at = click(at, "Commit the import")
    assert not at.exception, at.exception
    assert _daily(app_env, "booking-revenue")["2026-11-09"] == 990.0
    assert _daily(app_env, "catering-bookings")["2026-11-10"] == 0.0


def test_a_files_headers_and_cells_label_the_form_as_typed(app_env: Store) -> None:
    # a header or a cell of an uploaded file labelled its column's choice as Markdown:
    # a live link, an image fetched on opening the preview, red text, maths, an icon
    hostile = (
        b'"Date","Amt [L](https://evil.example/x) :red[R] $$x$$ **B**",'
        b'":material/home: ![i](http://127.0.0.1:8999/col)"\n'
        b'2026-12-01,5,"<b>hb</b> [c](javascript:alert(2))"\n'
    )
    at = _upload(open_page("import_data"), "odd.csv", hostile)
    assert not at.exception, at.exception
    labels = {s.key: s.label for s in at.selectbox if s.key and s.key.startswith("map_col_")}
    assert len(labels) == 2, labels
    from dashboard.ui import label_text

    shown = " ".join(labels.values())
    for typed in ("[L](https://evil.example/x)", ":red[R]", "$$x$$", "![i](http", ":material/"):
        assert typed not in shown, shown  # each reaches Markdown escaped
    assert label_text("Amt [L](https://evil.example/x) :red[R] $$x$$ **B**") in shown
    # a plain header and its cells carry no backslash into the accessible name
    assert label_text("Betrag: e.g. 1.250,50 (EUR)!") == "Betrag: e.g. 1.250,50 (EUR)!"


def test_an_assistant_sees_what_a_mapping_would_read_but_cannot_save_it(
    app_env: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.mappings import save_mapping
    from tracker.models import ImportMapping
    from tracker.permissions import PermissionDenied
    from tracker.records import Actor

    monkeypatch.setenv("WAYPOINT_AS", "jay")
    at = _upload(open_page("import_data"), "booking-week45.csv", BOOKING)
    assert not at.exception, at.exception
    assert "Map this file once" in [s.value for s in at.subheader]
    at.selectbox(key="map_col_3").set_value("Catering revenue")  # an existing metric
    at.run()
    # the preview's amounts in the metric's unit (the workspace's dollars)
    preview = next(d.value for d in at.dataframe if "Metric" in d.value.columns)
    assert preview.iloc[0].to_dict()["Value"] == "$1,430.50"
    assert "Only a manager can save a mapping" in at.info[-1].value
    assert not [b for b in at.button if b.label == "Save mapping and import"]
    # The rule holds in tracker/, not only on the page.
    mapping = ImportMapping.model_validate(
        {
            "name": "x",
            "match": {"columns": ["Buchungsdatum"]},
            "day": {"column": "Buchungsdatum"},
            "values": [{"count": "rows", "metric": "ig-hours"}],
        }
    )
    with pytest.raises(PermissionDenied):
        save_mapping(app_env, Actor(key="jay", name="Jay", role="assistant"), mapping)


def test_a_preset_forced_on_the_wrong_file_is_an_error_that_names_what_it_fits(
    app_env: Store,
) -> None:
    from tests.conftest import EXPORTS

    data = (EXPORTS / "x_twitter" / "account_overview_analytics.csv").read_bytes()
    at = open_page("import_data")
    at.selectbox(key="import_preset").set_value("linkedin")
    at = _upload(at, "account_overview_analytics.csv", data)
    assert not at.exception, at.exception
    shown = at.error[0].value.replace("\\", "")  # Markdown escapes of the underscores
    assert "does not fit **LinkedIn (any of its exports)**" in shown
    assert "looks like X: account overview." in shown  # names people read, not preset ids
    assert "--preset" not in shown  # page users are never told a CLI flag
    assert not at.success and not at.info


def test_the_preview_lists_only_what_will_be_stored_and_the_file_name_stays_text(
    app_env: Store,
) -> None:
    # A file name is user text: Markdown in it must show as typed, not as a link or bold.
    name = "**week**_[click](https://example.invalid).csv"
    data = (
        b"day,metric,value\n2026-11-02,catering-inquiries,2\n"
        b"2026-11-03,catering-inquiries,-4\n"  # below the metric's min: rejected by the write
        b"2026-11-04,catering-inquiries,abc\n"  # not a number: rejected by the reader
        b"2026-11-05,catering-inquiries,3\n"
        b"2026-11-05,catering-inquiries,5\n"  # the same day again: the last line is stored
    )
    before = _daily(app_env, "catering-inquiries")
    at = _upload(open_page("import_data"), name, data)
    assert not at.exception, at.exception
    shown = at.dataframe[0].value
    # neither the -4, nor an empty value for "abc", nor the 3 the 5 replaces
    assert list(shown["value"]) == [2.0, 5.0]
    assert len(at.dataframe[1].value) == 2  # both listed under Rejected (every row)
    reasons = [m.value for m in at.markdown if m.value.startswith("- **1 row** (line ")]
    assert len(reasons) == 2, [m.value for m in at.markdown]  # each reason as a sentence
    at = click(at, "Commit the import")
    message = at.success[0].value
    assert message.startswith(r"Imported \*\*week\*\*\_\[click\]")
    assert _daily(app_env, "catering-inquiries")["2026-11-02"] >= 2
    # Once committed, everything the file holds is stored: the page says so and offers
    # no second Commit (which used to report "0 inserted" and lose the Undo beside it).
    assert "is already stored (2 unchanged, 2 rows rejected): there is nothing to commit" in (
        at.info[0].value
    )
    assert not [b for b in at.button if b.key == "import_commit"]
    assert [b for b in at.button if b.key == "import_undo"]  # the Undo of this import stays
    # taken back: the success box and its Undo go with it; what shows is what is stored
    at = click(at, "Undo this import")
    assert not at.exception, at.exception
    assert "Import taken back." in [s.value for s in at.success]
    assert not [s for s in at.success if s.value.startswith("Imported")]
    assert not [b for b in at.button if b.key == "import_undo"]
    assert _daily(app_env, "catering-inquiries") == before


def test_a_file_without_dates_names_the_pages_own_field(app_env: Store) -> None:
    from tests.conftest import EXPORTS

    data = (EXPORTS / "google_search_console" / "Queries.csv").read_bytes()
    at = _upload(open_page("import_data"), "Queries.csv", data)
    assert not at.exception, at.exception
    shown = at.error[0].value
    assert "has no date column: pick the last day of the period it covers" in shown
    assert "Day for files without dates" in shown
    assert "--day" not in shown  # page users are never told a CLI flag


def test_a_file_with_a_header_and_no_rows_offers_nothing_to_commit(app_env: Store) -> None:
    at = _upload(open_page("import_data"), "empty.csv", b"day,metric,value\n")
    assert not at.exception, at.exception
    shown = [w.value for w in at.warning] + [e.value for e in at.error]
    assert any("nothing to import" in m for m in shown), shown
    assert not [b for b in at.button if b.key == "import_commit"]
    assert not at.dataframe  # no empty "Daily values" table under it


def test_the_import_warnings_speak_in_names_not_codes(app_env: Store) -> None:
    # Likes the demo's Instagram import holds, again from a long file, and one far too
    # many: people read the metric's and the sources' names, never keys or plan syntax.
    data = b"day,metric,value\n2026-11-16,ig-likes,40\n2026-11-17,ig-likes,90000\n"
    at = _upload(open_page("import_data"), "likes.csv", data)
    assert not at.exception, at.exception
    warnings = [w.value.replace("\\", "") for w in at.warning]  # Markdown escapes
    overlap = next(w for w in warnings if "counted twice" in w)  # the audit's sentence
    assert overlap.startswith("Instagram likes comes from ")
    assert "Instagram imports" in overlap and "ig-likes" not in overlap
    assert "prefer" not in overlap and "`" not in overlap
    outlier = next(w for w in warnings if "more than 10 times" in w)
    assert "Instagram likes on Tue 17 Nov" in outlier and "Vanity audit flags it" in outlier


def test_saving_a_mapping_onto_a_metric_another_source_fills_says_it_counts_twice(
    app_env: Store,
) -> None:
    # the booking system's amounts mapped to Catering revenue, which the website's
    # imports already hold for those days: the first import through the new mapping
    # says so, as any import does (the mapping's preview read the file alone)
    at = _upload(open_page("import_data"), "booking-week45.csv", BOOKING)
    at.text_input(key="map_name").set_value("booking-system")
    at.selectbox(key="map_col_3").set_value("Catering revenue")  # Betrag
    at.run()
    at = click(at, "Save mapping and import")
    assert not at.exception, at.exception
    assert "Saved the mapping booking-system" in at.success[0].value
    assert any("counted twice" in w.value for w in at.warning), [w.value for w in at.warning]


def test_rejects_of_one_reason_are_one_row_with_their_count(app_env: Store) -> None:
    # a metric nobody may add, on every row of an export: one reason, its count, and
    # the lines it is on; every row is still listed, under it
    rows = "".join(f"2026-11-0{d},zz-unknown,{d}\n" for d in range(1, 8))
    data = f"day,metric,value\n{rows}2026-11-08,catering-inquiries,2\n".encode()
    at = _upload(open_page("import_data"), "many.csv", data)
    assert not at.exception, at.exception
    # one sentence per reason, whole (a table cell cut it mid-sentence)
    (summary,) = [m.value for m in at.markdown if m.value.startswith("- **7 rows**")]
    assert summary.startswith("- **7 rows** (lines 2, 3, 4, 5, 6 …): ")
    assert "unknown metric 'zz" in summary and "add it to the plan" in summary
    assert len(at.dataframe[1].value) == 7  # every row, in the expander under it


def test_a_mapped_files_rejected_rows_name_their_day(
    app_env: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each value of a mapped file is a day's, on the line of its first row (a day with
    # no row counts 0 on the line before): without the day two rejects of one line read
    # alike
    from tracker.mappings import save_mapping
    from tracker.models import ImportMapping
    from tracker.records import LOCAL_MANAGER

    mapping = ImportMapping.model_validate(
        {
            "name": "bookings",
            "match": {"columns": ["Buchungsdatum", "Leistung", "Betrag"]},
            "day": {"column": "Buchungsdatum", "format": "%d.%m.%Y"},
            "decimal": ",",
            "values": [{"column": "Betrag", "metric": "catering-revenue"}],
        }
    )
    save_mapping(app_env, LOCAL_MANAGER, mapping)
    monkeypatch.setenv("WAYPOINT_AS", "jay")  # an assistant who may not import it
    at = _upload(open_page("import_data"), "booking-week45.csv", BOOKING)
    assert not at.exception, at.exception
    every = at.dataframe[-1].value
    assert list(every.columns)[:2] == ["line", "day"], every
    assert "Mon 2 Nov 2026" in list(every["day"])


def test_a_mapping_named_like_a_preset_is_listed_beside_it(app_env: Store) -> None:
    # the list was keyed by name: a mapping saved as `long` took the long form's place in
    # "What kind of export", and choosing it read the file as the long form
    from tracker.mappings import save_mapping
    from tracker.models import ImportMapping
    from tracker.records import LOCAL_MANAGER

    mapping = ImportMapping.model_validate(
        {
            "name": "long",
            "match": {"columns": ["Buchungsdatum"]},
            "day": {"column": "Buchungsdatum"},
            "values": [{"count": "rows", "metric": "ig-hours"}],
        }
    )
    save_mapping(app_env, LOCAL_MANAGER, mapping)
    at = open_page("import_data")
    assert not at.exception, at.exception
    labels = list(at.selectbox(key="import_preset").options)  # what people read
    assert "Generic long form (day, metric, value)" in labels
    assert "Saved mapping “long”" in labels
    at.selectbox(key="import_preset").set_value("mapping:long").run()
    assert at.selectbox(key="import_preset").value == "mapping:long"
