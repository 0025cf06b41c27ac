"""The Audit log page says what changed in words, not JSON."""

from tracker.auditlog import describe, subject


def test_an_update_names_each_changed_field_old_to_new() -> None:
    text = describe({"target": 60.0, "owner": "amy"}, {"target": 80.0, "owner": "amy"})
    assert text == "target: 60 → 80"


def test_a_creation_lists_what_was_set_without_nulls_or_braces() -> None:
    text = describe(None, {"value": 3.0, "by": "lena", "note": None})
    assert text == "value 3; by lena"
    assert "{" not in text and "None" not in text and "null" not in text


def test_long_changes_are_cut() -> None:
    assert len(describe(None, {"note": "x" * 1000})) == 300


def test_keys_read_as_names_and_fields_as_words() -> None:
    names = {
        "person": {"amy": "Amy Chen", "ricardo": "Ricardo Alves"},
        "metric": {"leads": "Qualified leads"},
        "kpi": {"leads": "Leads this quarter"},
    }
    text = describe(
        {"owner": "amy", "hourly_rate": 20.0, "metric": "leads"},
        {"owner": "ricardo", "hourly_rate": 25.0, "metric": "leads", "ratio": None},
        names=names,
    )
    assert text == "hourly rate: 20 → 25; owner: Amy Chen → Ricardo Alves"
    created = describe(None, {"metric": "leads", "owner": "amy", "qualified": False}, names=names)
    # a metric key is the metric's name, even where a KPI shares the key
    assert created == "metric Qualified leads; owner Amy Chen; qualified no"
    assert subject("kpi", "leads", names) == "KPI Leads this quarter"
    assert subject("metric", "leads", names) == "metric Qualified leads"
    assert subject("workspace", "workspace", names) == "workspace"


def test_values_check_ins_and_flags_read_as_what_they_are_about() -> None:
    # the stored keys ("ig-posts|2026-12-04|manual", "ig-audience 2026-W49") are for the
    # machine; the Audit log page names the metric, day, source, KPI, period and flag
    names = {
        "metric": {"ig-posts": "Instagram posts"},
        "kpi": {"ig-audience": "Instagram audience"},
        "person": {"jay": "Jay Patel"},
    }
    assert subject("observation", "ig-posts|2026-12-04|manual", names) == (
        "Instagram posts on 4 Dec 2026, hand entries"
    )
    assert subject("checkin", "ig-audience 2026-W49", names) == (
        "check-in on Instagram audience, week of 30 Nov 2026"
    )
    assert subject("flag", "audience_as_goal kpi:ig-audience", names) == (
        "flag “Followers set as a goal” on Instagram audience"
    )
    assert describe(None, {"confidence": "on_track", "person": "jay"}, names=names) == (
        "confidence on track; person Jay Patel"
    )
    # an undo's counts: what it did, not the zeros
    assert describe(None, {"removed": 1, "restored": 0, "plan_fields": 0}) == "1 removed"


def test_created_items_read_with_days_and_counts_in_words() -> None:
    # the Audit log's "change" column: no ISO days, no "plan fields 13"
    created = {"aggregation": "latest", "deadline": "2026-11-06", "plan_fields": 13, "removed": 650}
    assert describe(None, created) == (
        "aggregation latest; deadline 6 Nov 2026; 13 plan fields changed; 650 removed"
    )
    assert describe({"start": "2026-10-01"}, {"start": "2026-10-05"}) == (
        "start: 1 Oct 2026 → 5 Oct 2026"
    )


def test_authors_read_as_names_and_times_on_the_workspaces_clock() -> None:
    # "was value 900; recorded by maria", "by maria; for maria", and a replaced value's
    # "recorded at: 2026-12-07 05:56:54.641363 → –" under a heading in Chicago time
    names = {"person": {"maria": "Maria Lopez"}}
    created = describe(None, {"by": "maria", "for": "maria", "value": 1.0}, names=names)
    assert created == "value 1; by Maria Lopez"  # the value first; her own, said once
    typed_for = describe(None, {"by": "local", "for": "maria", "value": 3.0}, names=names)
    assert typed_for == "value 3; by local; for Maria Lopez"
    old = {"value": 2.0, "recorded_by": "maria", "recorded_at": "2026-11-18 15:00:00.641363"}
    replaced = describe(old, {"value": 5.0, "recorded_by": "maria"}, names=names)
    assert replaced == "value: 2 → 5"  # the new one is recorded at the row's own time
    removed = describe(old, None, names=names, zone="America/Chicago")
    assert removed == "was value 2; recorded by Maria Lopez; recorded at 18 Nov 2026, 09:00"
    assert "UTC" in describe(old, None, names=names)  # no zone given: said to be UTC
    # a note that looks like a time is text, as typed
    assert describe(None, {"note": "2026-11-18 09:00"}, zone="America/Chicago") == (
        "note 2026-11-18 09:00"
    )


def test_the_local_manager_and_the_scheduler_are_named(tmp_path) -> None:
    from tracker.names import names_by_kind
    from tracker.store import Store

    people = names_by_kind(Store(tmp_path / "w.duckdb"))["person"]
    assert describe(None, {"by": "local"}, names={"person": people}) == "by Local manager"
    assert people["scheduler"] == "Scheduler"
