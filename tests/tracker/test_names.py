"""Keys shown by name in stored sentences."""

from __future__ import annotations

from tracker.names import change_summary, with_names


def test_keys_in_a_sentence_become_names_whole_words_only() -> None:
    names = {"leads": "Leads", "leads-extra": "Extra leads", "x.impressions": "X impressions"}
    assert with_names("log leads +2 on 2026-12-04", names) == "log Leads +2 on 2026-12-04"
    assert with_names("log leads-extra 2", names) == "log Extra leads 2"  # the longer key
    assert with_names("import x.impressions", names) == "import X impressions"
    assert with_names("mileads leads2 x.impressionsx", names) == "mileads leads2 x.impressionsx"
    assert with_names("delete value 12", {}) == "delete value 12"
    # a file name holding a key is not a key
    assert with_names("import leads.csv (long)", names) == "import leads.csv (long)"


def test_only_a_log_or_set_summary_shows_its_metric_by_name() -> None:
    names = {"leads": "Leads"}
    assert change_summary("log", "log leads +2 on 2026-12-04", names).startswith("log Leads")
    assert change_summary("import", "import leads (long)", names) == "import leads (long)"


def test_an_undo_quoting_a_log_names_its_metric() -> None:
    names = {"catering-inquiries": "Catering inquiries"}
    undo = "undo change 4 (log catering-inquiries +7 on 2026-12-05)"
    assert change_summary("undo", undo, names) == (
        "undo change 4 (log Catering inquiries +7 on 5 Dec 2026)"  # days in words
    )
    redo = "redo change 4 (set catering-inquiries =5 on 2026-12-05)"
    assert "set Catering inquiries =5" in change_summary("redo", redo, names)
    # an undone import keeps its file name, even one that looks like a key
    imported = "undo change 9 (import catering-inquiries.csv (long))"
    assert change_summary("undo", imported, names) == imported
    # and a day in a file name stays part of it
    dated = "import export-2026-11-01.csv (long form)"
    assert change_summary("import", dated, names) == dated


def test_an_undo_of_a_plan_save_names_its_items() -> None:
    # "undo change 39 (plan apply ... — updated kpi orders-h2: target)" on the Audit log,
    # where the apply's own row read "updated KPI Catering orders booked this half"
    by_kind = {"kpi": {"orders-h2": "Catering orders booked this half"}}
    undo = (
        "undo change 39 (plan apply: 0 created, 1 updated, 0 archived, 12 unchanged"
        " — updated kpi orders-h2: target)"
    )
    said = change_summary("undo", undo, {}, by_kind)
    assert said.endswith("— updated KPI Catering orders booked this half: target)")
    # an undone import whose file name reads like an item is left as it is
    imported = "undo change 9 (import updated kpi x.csv (long))"
    assert change_summary("undo", imported, {}, by_kind) == imported
