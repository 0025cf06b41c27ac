"""Plan as code: validation names item and field, apply is one transaction, export round-trips."""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.clirunner import waypoint
from tests.conftest import SMALL_PLAN
from tracker.auditlog import entries
from tracker.errors import PermissionDenied, PlanError
from tracker.models import LOCAL_MANAGER, Actor
from tracker.plan import apply_plan, apply_plan_text, export_plan, load_yaml, validate_plan
from tracker.store import Store


def plan_data() -> dict[str, Any]:
    return yaml.safe_load(SMALL_PLAN)


def kpi(data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(k for o in data["objectives"] for k in o["kpis"] if k["key"] == key)


def problems_of(data: Any) -> list[str]:
    with pytest.raises(PlanError) as err:
        validate_plan(data, "plan.yaml")
    return err.value.problems


BROKEN = [
    # (change, expected fragment of the one problem)
    (
        lambda d: kpi(d, "leads-h2").update(metric="leadz"),
        "objectives[buyer-leads].kpis[leads-h2].metric: unknown metric 'leadz'",
    ),
    (
        lambda d: kpi(d, "leads-h2").update(colour="red"),
        "objectives[buyer-leads].kpis[leads-h2].colour: unknown field",
    ),
    (
        lambda d: kpi(d, "leads-h2").update(owner="zed"),
        "objectives[buyer-leads].kpis[leads-h2].owner: unknown person 'zed'",
    ),
    (
        # a viewer would be reminded of check-ins they may not give
        lambda d: kpi(d, "leads-h2").update(owner="vic"),
        "objectives[buyer-leads].kpis[leads-h2].owner: vic is a viewer, and a KPI's owner"
        " checks in on it; a viewer may not",
    ),
    (
        # a metric's extra logger: an unknown key was stored and exported as it was
        lambda d: next(m for m in d["metrics"] if m["key"] == "leads").update(owner="nobody"),
        "metrics[leads].owner: unknown person 'nobody'",
    ),
    (
        # and a viewer was offered it on the Plan page, then refused every entry
        lambda d: next(m for m in d["metrics"] if m["key"] == "leads").update(owner="vic"),
        "metrics[leads].owner: vic is a viewer, and a viewer may not log values",
    ),
    (
        lambda d: kpi(d, "leads-h2").update(baseline=60),
        "objectives[buyer-leads].kpis[leads-h2].target: target equals baseline",
    ),
    (
        lambda d: kpi(d, "leads-h2").update(deadline="2026-02-30"),
        "objectives[buyer-leads].kpis[leads-h2].deadline",
    ),
    (
        lambda d: kpi(d, "leads-h2").update(deadline="2026-06-01"),
        "objectives[buyer-leads].kpis[leads-h2].deadline: 2026-06-01 is before start 2026-07-01",
    ),
    (
        lambda d: kpi(d, "leads-h2").update(start="2027-01-15"),
        "objectives[buyer-leads].kpis[leads-h2].start: 2027-01-15 is after the objective's"
        " deadline 2026-12-31",
    ),
    (
        lambda d: kpi(d, "leads-h2").update(deadline=20260331),
        "kpis[leads-h2].deadline: 20260331 is not a date; write it as YYYY-MM-DD",
    ),
    (
        lambda d: kpi(d, "leads-h2").update(deadline="next week"),
        "kpis[leads-h2].deadline: 'next week' is not a date; write it as YYYY-MM-DD",
    ),
    (
        lambda d: kpi(d, "weekly-posts").update(target=0),
        "kpis[weekly-posts].target: a recurring target of 0 per week is met by doing nothing",
    ),
    (
        lambda d: d["metrics"][0].pop("behaviour"),
        "metrics[li-followers].behaviour: required field is missing",
    ),
    (lambda d: d["metrics"][0].update({"class": "vanity"}), "metrics[li-followers].class"),
    (lambda d: d["people"][1].update(role="boss"), "people[amy].role"),
    (lambda d: d["workspace"].update(timezone="Mars/Olympus"), "workspace.timezone"),
    (
        lambda d: d["objectives"][0]["kpis"].append({"key": "leads-h2", "metric": "leads"}),
        "kpis[leads-h2].key: the key 'leads-h2' is used twice",
    ),
    (
        # a mapping is known by its name: the message names that field
        lambda d: d.update(
            imports=[
                {
                    "name": "till",
                    "match": {"columns": ["Datum", "Umsatz"]},
                    "day": {"column": "Datum"},
                    "values": [{"column": "Umsatz", "metric": "leads"}],
                }
            ]
            * 2
        ),
        "imports[till].name: the name 'till' is used twice",
    ),
    (
        lambda d: kpi(d, "weekly-posts").update(campaign="nope"),
        "objectives[buyer-leads].kpis[weekly-posts].campaign: unknown campaign 'nope'",
    ),
    (
        lambda d: kpi(d, "leads-h2").update(stay="below", target=None),
        "objectives[buyer-leads].kpis[leads-h2].target: a health KPI",
    ),
    (
        lambda d: kpi(d, "leads-h2").update(ratio={"numerator": "leads", "denominator": "posts"}),
        "objectives[buyer-leads].kpis[leads-h2].metric: give either metric or ratio",
    ),
]


@pytest.mark.parametrize(("change", "expected"), BROKEN)
def test_each_problem_names_item_and_field(change: Any, expected: str) -> None:
    data = plan_data()
    change(data)
    problems = problems_of(data)
    assert any(expected in p for p in problems), problems


def test_every_problem_is_reported_at_once() -> None:
    data = plan_data()
    kpi(data, "leads-h2")["metric"] = "nope"
    kpi(data, "lead-rate")["owner"] = "ghost"
    data["people"][0]["role"] = "boss"
    assert len(problems_of(data)) == 3
    # a field of the objective itself does not hide the problems of its KPIs
    data["objectives"][0]["outcome"] = "sales"
    found = problems_of(data)
    assert len(found) == 4 and any(p.startswith("objectives[buyer-leads].outcome") for p in found)
    assert any("kpis[leads-h2].metric" in p for p in found)

    # an item's own bad field does not hide its other problems either
    data = plan_data()
    data["objectives"][0]["campaigns"] = [
        {"key": "c1", "name": "C", "start": "2026-09-01", "end": "2026-08-01", "budget": -100}
    ]
    k = kpi(data, "leads-h2")
    k["metric"], k["start"], k["deadline"] = "nope", "2026-09-01", "2026-08-01"
    found = problems_of(data)
    for where in (
        "campaigns[c1].budget",
        "campaigns[c1].end: 2026-08-01 is before start",
        "kpis[leads-h2].metric: unknown metric",
        "kpis[leads-h2].deadline: 2026-08-01 is before start",
    ):
        assert sum(where in p for p in found) == 1, (where, found)
    # and a KPI's bad field raises no problem the plan does not have: each of these is
    # one message, about the field itself
    for field, value in (
        ("aggregation", "Sum"),  # not "per needs aggregation sum"
        ("start", "2025-02-30"),  # not "deadline before start"
        ("baseline", "ten"),  # not "target equals baseline"
        ("stay", "abov"),
    ):
        data = plan_data()
        kpi(data, "leads-h2")[field] = value
        found = problems_of(data)
        assert len(found) == 1 and f"kpis[leads-h2].{field}" in found[0], (field, found)
    # a campaign that failed on its own fields is not also "unknown" to its KPIs
    data = plan_data()
    campaign = data["objectives"][0]["campaigns"][0]
    campaign["name"] = None
    found = problems_of(data)
    assert not [p for p in found if "unknown campaign" in p], found


def test_draft_kpi_without_owner_or_target_is_accepted() -> None:
    data = plan_data()
    kpi(data, "leads-h2").pop("owner")
    kpi(data, "leads-h2").pop("target")
    validate_plan(data)


def test_a_viewer_may_own_an_objective_or_campaign_and_be_a_manager() -> None:
    # they owe no check-ins there: only a KPI's owner does
    data = plan_data()
    data["objectives"][0]["owner"] = "vic"
    data["objectives"][0]["campaigns"][0]["owner"] = "vic"
    data["people"][1]["manager"] = "vic"
    validate_plan(data)


def test_unknown_metric_changes_nothing(plan_store: Store) -> None:
    before = export_plan(plan_store)
    data = plan_data()
    data["workspace"]["name"] = "Renamed"
    kpi(data, "leads-h2")["metric"] = "leadz"
    with pytest.raises(PlanError):
        apply_plan_text(plan_store, yaml.safe_dump(data), LOCAL_MANAGER)
    assert export_plan(plan_store) == before


def test_export_apply_export_is_byte_identical(plan_store: Store) -> None:
    first = export_plan(plan_store)
    audit_before = len(entries(plan_store, limit=None))
    changes = apply_plan_text(plan_store, first, LOCAL_MANAGER)
    assert not changes.changed
    assert export_plan(plan_store) == first
    assert len(entries(plan_store, limit=None)) == audit_before


def test_demo_plan_round_trips(demo_store: Store) -> None:
    first = export_plan(demo_store)
    assert not apply_plan_text(demo_store, first, LOCAL_MANAGER).changed
    assert export_plan(demo_store) == first


def test_update_is_audited_with_old_and_new(plan_store: Store) -> None:
    data = plan_data()
    kpi(data, "leads-h2")["target"] = 80
    changes = apply_plan_text(plan_store, yaml.safe_dump(data), LOCAL_MANAGER)
    assert changes.updated == ["kpi:leads-h2"]
    last = entries(plan_store, entity="kpi", key="leads-h2", limit=1)[0]
    assert last.action == "update"
    assert last.old_value == {"target": 60.0} and last.new_value == {"target": 80.0}


def test_removed_items_are_archived_not_deleted(plan_store: Store) -> None:
    data = plan_data()
    data["objectives"][0]["kpis"] = [
        k for k in data["objectives"][0]["kpis"] if k["key"] != "weekly-posts"
    ]
    changes = apply_plan_text(plan_store, yaml.safe_dump(data), LOCAL_MANAGER)
    assert changes.archived == ["kpi:weekly-posts"]
    with plan_store.read() as con:
        assert con.execute("SELECT archived FROM kpis WHERE key = 'weekly-posts'").fetchall() == [
            (True,)
        ]
    assert "weekly-posts" not in export_plan(plan_store)
    # Back in the file: restored, with its history.
    changes = apply_plan_text(plan_store, SMALL_PLAN, LOCAL_MANAGER)
    assert changes.updated == ["kpi:weekly-posts"]


def test_dry_run_writes_nothing(plan_store: Store) -> None:
    data = plan_data()
    data["workspace"]["name"] = "Dry"
    changes = apply_plan_text(plan_store, yaml.safe_dump(data), LOCAL_MANAGER, dry_run=True)
    assert changes.workspace_changed
    # which fields: "workspace updated" alone hid a currency set back to USD
    assert changes.workspace_fields == ["name"] and "workspace updated (name)" in changes.summary()
    assert "Bueno Realty" in export_plan(plan_store)


def test_failure_midway_leaves_the_old_plan(plan_store: Store, monkeypatch) -> None:
    """A crash after some tables were written rolls back every one of them."""
    import tracker.plan.apply as plan_module

    before = export_plan(plan_store)
    data = plan_data()
    data["workspace"]["name"] = "Half"
    data["people"][0]["name"] = "Changed"
    real = plan_module.sync

    def explode(con, table, *args, **kwargs):
        if table == "kpis" and not kwargs.get("dry_run"):
            raise RuntimeError("disk full")
        return real(con, table, *args, **kwargs)

    monkeypatch.setattr(plan_module, "sync", explode)
    with pytest.raises(RuntimeError):
        apply_plan(plan_store, validate_plan(data), LOCAL_MANAGER)
    assert export_plan(plan_store) == before


@pytest.mark.parametrize("role", ["assistant", "viewer"])
def test_only_managers_change_the_plan(plan_store: Store, role: str) -> None:
    data = copy.deepcopy(plan_data())
    kpi(data, "leads-h2")["target"] = 1
    with pytest.raises(PermissionDenied):
        apply_plan(plan_store, validate_plan(data), Actor("amy", role, "Amy"))
    assert "target: 60" in export_plan(plan_store)


def test_yaml_alias_bomb_is_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 12):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]\n"
    with pytest.raises(PlanError) as err:
        load_yaml(bomb)
    assert "aliases" in str(err.value)


def test_yaml_merge_keys_merge_and_keys_beside_them_override() -> None:
    # `<<: *defaults` was refused as "could not determine a constructor for the tag
    # 'tag:yaml.org,2002:merge'": YAML's own way to repeat a KPI's fields
    doc = load_yaml(
        "kpis:\n"
        "  - &first {key: a, target: 10, owner: ana}\n"
        "  - <<: *first\n"
        "    key: b\n"
        "    target: 20\n"
    )
    assert doc["kpis"][1] == {"key": "b", "target": 20, "owner": "ana"}
    with pytest.raises(PlanError, match="the key 'key' appears twice"):
        load_yaml("kpis:\n  - <<: {owner: ana}\n    key: a\n    key: b\n")
    # checked as written, before merging rewrites an anchor merged before it is built
    nested = "root: &r {owner: ana}\nx: {y: {b: &b {<<: *r, owner: bob}}}\nz: {<<: *b}\n"
    assert load_yaml(nested)["z"] == {"owner": "bob"}
    with pytest.raises(PlanError, match="the key 'owner' appears twice"):
        load_yaml("k: {<<: {owner: ana, owner: bob}, key: a}\n")  # inside a merged one
    with pytest.raises(PlanError, match="the key '<<' appears twice"):
        load_yaml("a: &a {x: 1}\nb: &b {y: 2}\nc: {<<: *a, <<: *b}\n")


def test_yaml_syntax_error_names_line() -> None:
    with pytest.raises(PlanError) as err:
        load_yaml("workspace: {name: x\npeople: [")
    assert "line" in str(err.value)


def test_quotes_and_semicolons_are_data_not_sql(plan_store: Store) -> None:
    data = plan_data()
    data["objectives"][0]["title"] = "Robert'); DROP TABLE kpis; --"
    apply_plan_text(plan_store, yaml.safe_dump(data), LOCAL_MANAGER)
    assert "DROP TABLE kpis" in export_plan(plan_store)
    with plan_store.read() as con:
        assert con.execute("SELECT count(*) FROM kpis").fetchone()[0] == 3


def test_pattern_problems_are_told_in_words_not_as_a_regular_expression() -> None:
    data = yaml.safe_load(SMALL_PLAN)
    data["people"][0]["name"] = "Ric\x1b[31mardo"
    data["metrics"][0]["key"] = "li followers"
    data["people"][2]["email"] = "not-an-email"
    with pytest.raises(PlanError) as caught:
        validate_plan(data)
    text = str(caught.value)
    assert "people[ricardo].name: must be one line without control characters" in text
    assert "metrics[li followers].key: a key is letters, digits" in text
    assert "people[vic].email: not an email address" in text
    assert "pattern" not in text and "\\x00" not in text


@pytest.mark.parametrize(
    ("kpi", "problem"),
    [
        (
            "- {key: reply, metric: leads, stay: below, target: 5, baseline: 9, owner: amy}",
            "kpis[reply].baseline: a health KPI (stay: below) is judged against its target",
        ),
        (
            "- {key: self, ratio: {numerator: leads, denominator: leads}, target: 1, owner: amy}",
            "kpis[self].ratio: the numerator and the denominator are both 'leads'",
        ),
        (
            "- {key: fans, metric: li-followers, aggregation: sum, target: 900, owner: amy}",
            "kpis[fans].aggregation: sum adds up daily amounts, but li-followers is a stock",
        ),
    ],
)
def test_kpis_that_cannot_mean_anything_are_refused(kpi: str, problem: str) -> None:
    anchor = "      - {key: leads-h2,"
    assert anchor in SMALL_PLAN
    text = SMALL_PLAN.replace(anchor, f"      {kpi}\n{anchor}", 1)
    with pytest.raises(PlanError, match=re.escape(problem)):
        validate_plan(load_yaml(text))


def test_a_currency_is_an_iso_4217_code_and_bounds_read_in_words() -> None:
    data = yaml.safe_load(SMALL_PLAN)
    data["workspace"]["currency"] = "XYZ"
    assert "workspace.currency: 'XYZ' is not an ISO 4217 currency code" in "".join(
        problems_of(data)
    )
    data["workspace"]["currency"] = "EURO"
    assert "workspace.currency: a currency is its three-letter ISO 4217 code" in "".join(
        problems_of(data)
    )
    data["workspace"]["currency"] = "chf"  # any case: stored as written by ISO
    assert validate_plan(data).workspace.currency == "CHF"
    data["people"][0]["hourly_rate"] = -5
    assert any(
        p.endswith("hourly_rate: should be greater than or equal to 0") for p in problems_of(data)
    ), problems_of(data)


def test_a_stored_currency_from_before_the_iso_check_still_loads(plan_store: Store) -> None:
    # a workspace stored with RMB (any three letters were taken once) must open, export
    # and run its jobs; applying a plan asks for a real code
    from tracker.plan import export_plan, load_plan

    with plan_store.write() as con:
        con.execute("UPDATE workspace SET currency = 'RMB'")
    assert load_plan(plan_store).workspace.currency == "RMB"
    assert "currency: RMB" in export_plan(plan_store)


def test_yes_or_no_is_not_a_number() -> None:
    # `min: true` is not a minimum of 1, nor is `min: yes` (a word to the plan's YAML)
    line = (
        "  - {key: leads, name: Qualified leads, channel: website, class: outcome, behaviour: flow}"
    )
    assert line in SMALL_PLAN
    text = SMALL_PLAN.replace(line, line[:-1] + ", min: true}")
    with pytest.raises(PlanError, match=r"metrics\[leads\]\.min: true is not a number"):
        validate_plan(load_yaml(text))
    text = SMALL_PLAN.replace(line, line[:-1] + ", min: yes}")
    with pytest.raises(PlanError, match=r"metrics\[leads\]\.min: should be a valid number"):
        validate_plan(load_yaml(text))


def test_a_kpi_with_its_own_dates_after_its_objective_is_kept(store: Store) -> None:
    # a second phase planned ahead: its own start and deadline after the objective's
    # deadline. Refusing it would leave a workspace holding one unable to save anything
    line = "      - {key: leads-h2, metric: leads, aggregation: sum, target: 60, owner: amy}\n"
    assert line in SMALL_PLAN
    later = line.replace("owner: amy}", "owner: amy, start: 2027-01-15, deadline: 2027-03-01}")
    apply_plan_text(store, SMALL_PLAN.replace(line, later), LOCAL_MANAGER)
    again = apply_plan_text(store, export_plan(store), LOCAL_MANAGER)
    assert again.summary().startswith("0 created, 0 updated, 0 archived")


def test_a_new_way_of_reading_a_metric_that_holds_values_is_said(plan_store: Store) -> None:
    # Turning a stock into a flow (or choosing which source counts) changes the numbers
    # of every KPI on the metric with no value changed: the apply said only
    # "update metric:li-followers", and the lead rate moved without a word.
    from tracker.entries import log_entry
    from tracker.observations import daily_values

    day = dt.date(2026, 8, 3)
    log_entry(plan_store, LOCAL_MANAGER, "li-followers", 100, day=day)
    log_entry(plan_store, LOCAL_MANAGER, "li-followers", 120, day=day)
    assert daily_values(plan_store, "li-followers") == [(day, 120.0)]
    data = plan_data()
    for m in data["metrics"]:
        if m["key"] in ("li-followers", "hours"):  # hours holds no value: nothing to say
            m["behaviour"] = "flow" if m["key"] == "li-followers" else "stock"
    text = yaml.safe_dump(data)
    dry = apply_plan_text(plan_store, text, LOCAL_MANAGER, dry_run=True)
    assert dry.changed_fields == {
        "metric:hours": ["behaviour"],
        "metric:li-followers": ["behaviour"],
    }
    assert dry.notes == [
        "LinkedIn followers (li-followers) holds 2 values: each day now adds up its sources"
        " and entries instead of counting the latest-recorded one. The values stay, but days"
        " holding more than one (and the KPIs reading them) may count differently"
    ]
    assert daily_values(plan_store, "li-followers") == [(day, 120.0)]  # a dry run
    done = apply_plan_text(plan_store, text, LOCAL_MANAGER)
    assert done.notes == dry.notes and done.as_dict()["notes"] == dry.notes
    assert daily_values(plan_store, "li-followers") == [(day, 220.0)]
    # which source counts, chosen and taken back
    for m in data["metrics"]:
        if m["key"] == "li-followers":
            m["prefer"] = "import.linkedin"
    (note,) = apply_plan_text(plan_store, yaml.safe_dump(data), LOCAL_MANAGER).notes
    assert "on days two of its sources cover, only import.linkedin counts now" in note
    for m in data["metrics"]:
        m.pop("prefer", None)
    (note,) = apply_plan_text(plan_store, yaml.safe_dump(data), LOCAL_MANAGER).notes
    assert "on days two of its sources cover, both count again" in note
    # any other change to it says nothing
    data["metrics"][0]["name"] = "LinkedIn audience"
    assert apply_plan_text(plan_store, yaml.safe_dump(data), LOCAL_MANAGER).notes == []
    # a stock again, its prefer dropped with it: one sentence, the stock's (no source is
    # preferred on a stock, so "both count again" would be wrong)
    for m in data["metrics"]:
        if m["key"] == "li-followers":
            m["prefer"] = "import.linkedin"
    apply_plan_text(plan_store, yaml.safe_dump(data), LOCAL_MANAGER)
    for m in data["metrics"]:
        if m["key"] == "li-followers":
            m.pop("prefer")
            m["behaviour"] = "stock"
    (note,) = apply_plan_text(plan_store, yaml.safe_dump(data), LOCAL_MANAGER).notes
    assert "latest-recorded value instead of adding up" in note and "count again" not in note


def _small_plan_and_amys_export(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The small plan applied to a new database, and Amy's (an assistant's) export of it."""
    db, plan = tmp_path / "w.duckdb", tmp_path / "p.yaml"
    plan.write_text(SMALL_PLAN)
    assert waypoint(db, "plan", "apply", str(plan)).code == 0
    exported = tmp_path / "amy.yaml"
    assert waypoint(db, "--as", "amy", "plan", "export", "--out", str(exported)).code == 0
    return db, plan, exported


def test_a_managers_apply_of_an_assistants_export_keeps_private_fields(tmp_path) -> None:
    # an assistant's export leaves out emails and rates (they are not hers to read); a
    # manager applying it wiped every email, and with them everyone's sign-in
    db, plan, exported = _small_plan_and_amys_export(tmp_path)
    assert "amy@example.com" not in exported.read_text()
    applied = waypoint(db, "plan", "apply", str(exported))
    assert applied.code == 0 and "email" not in applied.out, applied.out
    full = waypoint(db, "plan", "export").out
    assert "amy@example.com" in full and "hourly_rate: 25" in full
    assert "withheld:" in exported.read_text()  # the file says what it left out
    # a manager's own file clears what it leaves out, as every other field
    plan.write_text(SMALL_PLAN.replace("hourly_rate: 25, email: amy@example.com", "email: null"))
    assert waypoint(db, "plan", "apply", str(plan), "--yes").code == 0
    full = waypoint(db, "plan", "export").out
    assert "amy@example.com" not in full and "hourly_rate: 25" not in full


def test_the_mail_servers_settings_are_a_managers_to_read_and_kept_by_an_export(
    tmp_path,
) -> None:
    """A viewer's or assistant's plan export, and the audit log they read, held the mail
    server's name and user (smtp.host, smtp.user); now left out and said withheld, and a
    manager applying such an export keeps them (never asked to put them back)."""
    db, plan, _ = _small_plan_and_amys_export(tmp_path)
    mail = "settings:\n  smtp.host: mail.relay.example\n  smtp.user: baker@corp.example\n"
    plan.write_text(SMALL_PLAN + mail)
    assert waypoint(db, "plan", "apply", str(plan), "--yes").code == 0
    exported = tmp_path / "amy2.yaml"
    assert waypoint(db, "--as", "amy", "plan", "export", "--out", str(exported)).code == 0
    text = exported.read_text()
    assert "mail.relay.example" not in text and "baker@" not in text
    assert "smtp" in yaml.safe_load(text)["withheld"]  # said withheld
    applied = waypoint(db, "plan", "apply", str(exported))
    assert applied.code == 0, applied.err
    assert "mail.relay.example" in waypoint(db, "plan", "export").out
    for who in ("amy", "vic"):  # an assistant and a viewer
        log = waypoint(db, "--as", who, "audit-log", "--json")
        assert log.code == 0, log.err
        assert "mail.relay.example" not in log.out and "baker@corp" not in log.out
    assert "mail.relay.example" in waypoint(db, "audit-log", "--json").out  # a manager's


def test_a_withheld_email_still_belongs_to_one_person(tmp_path) -> None:
    # Amy's export withholds emails; a person added to it with Ricardo's email passed
    # validation (which saw no email of Ricardo's) and two people signed in as one
    db, plan, exported = _small_plan_and_amys_export(tmp_path)
    data = yaml.safe_load(exported.read_text())
    data["people"].insert(
        0, {"key": "sam", "name": "Sam", "role": "manager", "email": "R@example.com"}
    )
    exported.write_text(yaml.safe_dump(data, sort_keys=False))
    applied = waypoint(db, "plan", "apply", str(exported), "--yes")
    assert applied.code == 2, applied.out
    assert (
        "people[sam].email: R@example.com is already the email of ricardo (stored; the file"
        " withheld it)" in applied.err
    )
    assert "sam" not in waypoint(db, "plan", "export").out  # nothing stored
    # the other way round: the new person first in the file, the kept email second
    data["people"].pop(0)
    data["people"].append(
        {"key": "sam", "name": "Sam", "role": "viewer", "email": "amy@EXAMPLE.com"}
    )
    exported.write_text(yaml.safe_dump(data, sort_keys=False))
    applied = waypoint(db, "plan", "apply", str(exported), "--yes")
    assert applied.code == 2
    assert "people[sam].email: amy@EXAMPLE.com is already the email of amy (stored" in applied.err


def test_a_metric_owner_the_file_leaves_out_must_still_be_someone_who_logs(tmp_path) -> None:
    # a file without a metric's owner keeps the stored one: that person archived or made
    # a viewer by the same file was stored as the owner (and every later export failed)
    db, plan = tmp_path / "w.duckdb", tmp_path / "p.yaml"
    owned = SMALL_PLAN.replace("behaviour: flow, unit: h}", "behaviour: flow, unit: h, owner: amy}")
    assert owned != SMALL_PLAN
    plan.write_text(owned)
    assert waypoint(db, "plan", "apply", str(plan)).code == 0
    viewer = SMALL_PLAN.replace("role: assistant, hourly_rate", "role: viewer, hourly_rate")
    viewer = viewer.replace("owner: amy", "owner: ricardo")
    plan.write_text(viewer)
    applied = waypoint(db, "plan", "apply", str(plan), "--yes")
    assert applied.code == 2, applied.out
    assert "metrics[hours].owner: the file leaves it as stored, amy, who is a viewer" in applied.err
    gone = SMALL_PLAN.replace(
        "  - {key: amy, name: Amy, role: assistant, hourly_rate: 25, email: amy@example.com, manager: ricardo}\n",
        "",
    ).replace("owner: amy", "owner: ricardo")
    plan.write_text(gone)
    applied = waypoint(db, "plan", "apply", str(plan), "--yes")
    assert applied.code == 2 and "amy, who is not among the file's people" in applied.err
    # saying so settles it
    plan.write_text(
        gone.replace("behaviour: flow, unit: h}", "behaviour: flow, unit: h, owner: null}")
    )
    assert waypoint(db, "plan", "apply", str(plan), "--yes").code == 0
    assert "owner: amy" not in waypoint(db, "plan", "export").out


def test_one_pinned_sign_in_is_one_person_in_a_file_and_as_kept(tmp_path) -> None:
    # sign-in takes the first person whose pin matches: two people with one pin signed in
    # as whichever came first, in a manager's file or through an export that withheld it
    pin = "issuer: https://id.example, subject: '42'"
    data = yaml.safe_load(
        SMALL_PLAN.replace("email: r@example.com}", f"email: r@example.com, {pin}}}").replace(
            "email: vic@example.com}", f"email: vic@example.com, {pin}}}"
        )
    )
    with pytest.raises(
        PlanError, match=r"people\[vic\].subject: this sign-in is already pinned to ricardo"
    ):
        validate_plan(data)
    db, plan, exported = _small_plan_and_amys_export(tmp_path)
    plan.write_text(SMALL_PLAN.replace("email: r@example.com}", f"email: r@example.com, {pin}}}"))
    assert waypoint(db, "plan", "apply", str(plan), "--yes").code == 0
    amys = yaml.safe_load(exported.read_text())
    amys["people"].append(
        {
            "key": "sam",
            "name": "Sam",
            "role": "manager",
            "issuer": "https://id.example",
            "subject": "42",
        }
    )
    exported.write_text(yaml.safe_dump(amys, sort_keys=False))
    applied = waypoint(db, "plan", "apply", str(exported), "--yes")
    assert (
        applied.code == 2
        and "people[sam].subject: this sign-in is already pinned to ricardo" in applied.err
    )
