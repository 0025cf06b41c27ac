"""Scheduled jobs with real parts: a local SMTP server, real export files, an injected clock."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pytest
import yaml

from jobs.runner import catch_up, job_overview, last_slot, run_job
from tests.conftest import EXPORTS, Inbox
from tracker.jobruns import runs
from tracker.plan import apply_plan_text, export_plan
from tracker.records import LOCAL_MANAGER
from tracker.store import Store

MONDAY_8 = dt.datetime(2026, 11, 23, 14, 0, tzinfo=dt.UTC)  # 08:00 in Chicago


@pytest.mark.slow  # renders the digest's chart with kaleido, which drives Chromium
def test_digest_goes_to_managers_with_inline_chart(demo_store: Store, smtp: Inbox) -> None:
    outcome, message = run_job(demo_store, "weekly_digest", MONDAY_8, slot=MONDAY_8)
    assert outcome == "ok", message
    assert len(smtp.messages) == 1
    msg = smtp.messages[0]
    assert msg["Subject"] == "Copper Kettle Bakery & Catering: weekly review 16–22 Nov 2026"
    assert msg["X-Rcpt"] == "maria@copperkettle.example"
    html_part = msg.get_body(("html",))
    body = html_part.get_content()
    assert "Weekly review · 16–22 Nov 2026" in body
    assert 'href="http://localhost:8501/weekly_review?week=2026-W47"' in body  # the details
    # the plain-text part reads as text: no Markdown backslash escapes
    plain = msg.get_body(("plain",)).get_content()
    assert "Needs a decision" in plain and "(Maria Lopez)" in plain
    assert "\\" not in plain, plain[:400]
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    if "charts not rendered" in message:
        assert images == []  # no browser here: the digest still went out, and says so
    else:
        assert images and images[0].get_payload(decode=True).startswith(b"\x89PNG")
        assert "cid:progress" in html_part.get_content()
    assert (demo_store.path.parent / "reports" / "weekly-2026-W47.md").exists()
    # The same slot again sends nothing.
    assert run_job(demo_store, "weekly_digest", MONDAY_8, slot=MONDAY_8)[0] == "skipped"
    assert len(smtp.messages) == 1


def test_a_digest_chart_is_inline_not_an_attachment() -> None:
    # add_related's default disposition is "attachment": clients listed the chart as a
    # file to download as well as (or instead of) showing it in the mail
    from tracker.mailer import build_message

    msg = build_message(
        "w@example.com", ["m@example.com"], "s", "text", '<img src="cid:progress">',
        {"progress": b"\x89PNG fake"},
    )  # fmt: skip
    (image,) = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert image.get_content_disposition() == "inline"
    assert image["Content-ID"] == "<progress>"


@pytest.mark.slow  # four reminder runs over two weeks of the demo
def test_reminders_then_escalation_after_two_ignored(demo_store: Store, smtp: Inbox) -> None:
    saturday = dt.datetime(2026, 11, 21, 15, tzinfo=dt.UTC)  # 09:00 Chicago, W47 ends tomorrow
    run_job(demo_store, "checkin_reminders", saturday, slot=saturday)
    reminded = {m["X-Rcpt"] for m in smtp.messages}
    assert reminded >= {"lena@copperkettle.example", "jay@copperkettle.example"}
    assert all("/my_week" in m.get_content() for m in smtp.messages)
    # periods as people say them, never ISO week codes
    assert all("(week of 16 Nov 2026)" in m.get_content() for m in smtp.messages)
    # W47 ends on Sunday; its check-in is on time until the end of Monday, and says so
    assert all("by the end of Monday 23 Nov 2026" in m.get_content() for m in smtp.messages)
    assert not any("tomorrow" in m.get_content() for m in smtp.messages)
    count = len(smtp.messages)
    run_job(demo_store, "checkin_reminders", saturday + dt.timedelta(minutes=1))  # manual rerun
    assert len(smtp.messages) == count  # nothing sent twice for the same period
    # Next week: reminded again, ignored again; the Tuesday after, Maria hears of it.
    next_sat = saturday + dt.timedelta(days=7)
    run_job(demo_store, "checkin_reminders", next_sat, slot=next_sat)
    tuesday = next_sat + dt.timedelta(days=3)
    run_job(demo_store, "checkin_reminders", tuesday, slot=tuesday)
    escalations = [m for m in smtp.messages if m["Subject"].startswith("Escalation")]
    assert escalations and escalations[0]["X-Rcpt"] == "maria@copperkettle.example"
    text = escalations[0].get_content()
    assert "(week of 16 Nov 2026 and week of 23 Nov 2026)" in text and "-W" not in text
    before = len(smtp.messages)
    run_job(demo_store, "checkin_reminders", tuesday + dt.timedelta(hours=1))
    assert not [m for m in smtp.messages[before:] if m["Subject"].startswith("Escalation")]


@pytest.mark.slow  # reminder runs over two weeks of the demo
def test_an_owner_without_email_is_escalated_after_two_missed_periods(
    demo_store: Store, smtp: Inbox
) -> None:
    # Lena has no email address: no reminder can reach her, and her manager must still
    # hear when two periods in a row go without a check-in
    plan = yaml.safe_load(export_plan(demo_store))
    for person in plan["people"]:
        if person["key"] == "lena":
            person.pop("email", None)
    plan.pop("revision", None)
    apply_plan_text(demo_store, yaml.safe_dump(plan, allow_unicode=True), LOCAL_MANAGER)
    saturday = dt.datetime(2026, 11, 28, 15, tzinfo=dt.UTC)  # W48 ends tomorrow
    outcome, message = run_job(demo_store, "checkin_reminders", saturday, slot=saturday)
    assert "lena (no email)" in message
    tuesday = saturday + dt.timedelta(days=3)  # W47 and W48 both missed
    outcome, message = run_job(demo_store, "checkin_reminders", tuesday, slot=tuesday)
    about_lena = [
        m for m in smtp.messages if m["Subject"].startswith("Escalation: Lena Kim missed")
    ]
    assert about_lena, message
    assert about_lena[0]["X-Rcpt"] == "maria@copperkettle.example"
    text = about_lena[0].get_content()
    assert "for week of 16 Nov 2026 and week of 23 Nov 2026" in text
    assert "no reminder reached them: the plan has no email address for them" in text
    # once per period
    before = len(smtp.messages)
    run_job(demo_store, "checkin_reminders", tuesday + dt.timedelta(hours=1))
    assert not [m for m in smtp.messages[before:] if "Lena" in m["Subject"]]


def test_inbox_files_a_file_nothing_came_from_under_failed(demo_store: Store) -> None:
    inbox = demo_store.path.parent / "inbox"
    inbox.mkdir()
    (inbox / "header.csv").write_text("day,metric,value\n")
    (inbox / "allbad.csv").write_text("day,metric,value\n2026-11-21,nosuch,1\n")
    old = time.time() - 120
    for p in inbox.iterdir():
        os.utime(p, (old, old))
    outcome, message = run_job(
        demo_store, "inbox_import", dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    )
    assert outcome == "ok" and "nothing new" in message
    assert "allbad.csv (every row was rejected)" in message
    assert "header.csv (it holds no values)" in message
    assert not (inbox / "done").exists() or not list((inbox / "done").iterdir())
    failed = inbox / "failed"
    why = next(failed.glob("*allbad.csv.txt")).read_text()
    assert (
        "Every row was rejected" in why and "line 2, column metric: unknown metric 'nosuch'" in why
    )
    assert list(failed.glob("*allbad.csv.rejects.csv"))  # the rejects go with the file
    assert "It holds no values" in next(failed.glob("*header.csv.txt")).read_text()


def test_inbox_imports_real_exports_and_refuses_junk(demo_store: Store) -> None:
    inbox = demo_store.path.parent / "inbox"
    inbox.mkdir()
    good = inbox / "account_overview_analytics.csv"
    shutil.copy(EXPORTS / "x_twitter" / good.name, good)
    bad = inbox / "junk.csv"
    bad.write_bytes(b"\x00\x01garbage" * 40)
    growing = inbox / "growing.csv"
    growing.write_text("day,metric,value\n")
    old = time.time() - 120
    for p in (good, bad):
        os.utime(p, (old, old))
    now = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    outcome, message = run_job(demo_store, "inbox_import", now)
    assert outcome == "ok", message
    assert not good.exists() and not bad.exists() and growing.exists()
    done = list((inbox / "done").glob("*account_overview_analytics.csv"))
    assert done and Path(str(done[0]) + ".txt").read_text().startswith(good.name)
    failed = list((inbox / "failed").glob("*junk.csv.txt"))
    assert failed and "not a text file" in failed[0].read_text()
    assert "still being written" in message


def test_the_inbox_never_writes_its_notes_through_a_planted_link(demo_store: Store) -> None:
    # A shared inbox lets anyone guess the next note's name (the run's time and the
    # file's name): a link planted there is replaced, the file it names kept.
    inbox = demo_store.path.parent / "inbox"
    (inbox / "done").mkdir(parents=True)
    (inbox / "failed").mkdir()
    victim = demo_store.path.parent / "victim.txt"
    victim.write_text("keep me")
    now = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    stamp = now.strftime("%Y%m%dT%H%M%S")
    for folder, name in (("done", "good.csv"), ("failed", "bad.csv")):
        (inbox / folder / f"{stamp}-{name}.txt").symlink_to(victim)
    (inbox / "good.csv").write_text("day,metric,value\n2026-11-02,catering-inquiries,2\n")
    (inbox / "bad.csv").write_bytes(b"\x00\x01garbage" * 40)
    old = time.time() - 120
    for name in ("good.csv", "bad.csv"):
        os.utime(inbox / name, (old, old))
    outcome, message = run_job(demo_store, "inbox_import", now)
    assert outcome == "ok", message
    assert victim.read_text() == "keep me"
    assert (inbox / "done" / f"{stamp}-good.csv.txt").read_text().startswith("good.csv")
    assert "not a text file" in (inbox / "failed" / f"{stamp}-bad.csv.txt").read_text()


def test_backup_job_keeps_last_n(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAYPOINT_BACKUP_KEEP", "2")
    for day in (20, 21, 22):
        when = dt.datetime(2026, 11, day, 8, 30, tzinfo=dt.UTC)
        assert run_job(demo_store, "nightly_backup", when, slot=when)[0] == "ok"
    kept = sorted(p.name for p in (demo_store.path.parent / "backups").iterdir())
    assert kept == ["2026-11-21", "2026-11-22"]


def test_a_backup_folder_is_named_by_the_workspaces_day(demo_store: Store) -> None:
    # 03:00 UTC on Tuesday 24 Nov is Monday evening in Chicago, the demo's zone: the
    # folder was named by the UTC day, a day after the workspace's
    when = dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)
    outcome, message = run_job(demo_store, "nightly_backup", when, slot=when)
    assert outcome == "ok", message
    assert [p.name for p in (demo_store.path.parent / "backups").iterdir()] == ["2026-11-23"]


def test_failing_job_is_recorded_not_raised(demo_store: Store, monkeypatch) -> None:
    from jobs import registry

    def boom(store, now, slot):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(
        registry.JOBS,
        "nightly_backup",
        registry.JobSpec("nightly_backup", "schedule.nightly_backup", boom, "", "Nightly backup"),
    )
    outcome, message = run_job(demo_store, "nightly_backup", MONDAY_8)
    assert outcome == "failed" and "disk on fire" in message
    assert runs(demo_store, "nightly_backup")[0].outcome == "failed"


def test_schedules_follow_the_cron_in_workspace_time(demo_store: Store) -> None:
    # Weekly digest: Mondays 08:00 America/Chicago.
    slot = last_slot(demo_store, "weekly_digest", dt.datetime(2026, 11, 25, tzinfo=dt.UTC))
    assert slot.astimezone(dt.UTC) == MONDAY_8
    data = yaml.safe_load(export_plan(demo_store))
    data["settings"] = {"schedule.weekly_digest": "0 7 * * fri"}
    apply_plan_text(demo_store, yaml.safe_dump(data), LOCAL_MANAGER)
    slot = last_slot(demo_store, "weekly_digest", dt.datetime(2026, 11, 25, tzinfo=dt.UTC))
    assert slot.weekday() == 4 and slot.hour == 7


@pytest.mark.slow  # catches up the digest too: a chart rendered in Chromium
def test_missed_runs_run_once_at_start_up(demo_store: Store) -> None:
    now = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
    first = {name for name, outcome, _ in catch_up(demo_store, now)}
    assert first == {"inbox_import", "weekly_digest", "checkin_reminders", "nightly_backup"}
    assert catch_up(demo_store, now) == []  # a second start-up runs nothing again
    assert len(runs(demo_store, "weekly_digest")) == 1
    overview = {j.name: j for j in job_overview(demo_store, now)}
    assert overview["weekly_digest"].last_outcome == "ok"
    assert overview["weekly_digest"].next_run is not None


def test_one_scheduler_per_process(demo_store: Store) -> None:
    from jobs.scheduler import running_schedulers, start_scheduler, stop_all

    try:
        a = start_scheduler(demo_store.path, catch_up_missed=False)
        b = start_scheduler(demo_store.path, catch_up_missed=False)
        assert a is b and running_schedulers() == 1
        assert {j.id for j in a.get_jobs()} == {
            "inbox_import",
            "weekly_digest",
            "checkin_reminders",
            "nightly_backup",
            "catch_up",  # retries failed slots every 15 minutes
        }
        # One worker: two jobs due in the same minute run one after the other.
        assert a._executors["default"]._pool._max_workers == 1
    finally:
        stop_all()


def test_cron_problems_are_named() -> None:
    from jobs.runner import cron_problem

    assert cron_problem("schedule.weekly_digest", "0 8 * * mon") is None
    problem = cron_problem("schedule.weekly_digest", "61 * * * *")
    assert problem.startswith("schedule.weekly_digest: '61 * * * *' is not a cron expression")
    # a day no month has was accepted as a schedule that never runs
    assert cron_problem("schedule.weekly_digest", "0 8 31 2 *") is not None


def test_a_time_a_clock_change_skips_runs_when_the_clock_comes_back_to_it() -> None:
    from zoneinfo import ZoneInfo

    from jobs.runner import cron_trigger

    chicago = ZoneInfo("America/Chicago")
    before = dt.datetime(2027, 3, 13, 12, tzinfo=chicago)  # 02:30 does not exist on the 14th
    nightly = cron_trigger("30 2 * * *", timezone=chicago).get_next_fire_time(None, before)
    assert nightly.isoformat() == "2027-03-14T03:00:00-05:00"


@pytest.mark.parametrize(
    ("expr", "runs_on"),
    [
        ("0 8 * * 1", "Mon"),
        ("0 8 * * 0", "Sun"),
        ("0 8 * * 7", "Sun"),
        ("0 8 * * 1-5", "Mon"),
        ("0 8 * * 7-7", "Sun"),  # Sundays only: it ran every day, read as 0-7
    ],
)
def test_numbered_weekdays_run_on_the_day_standard_cron_names(
    store: Store, monkeypatch: pytest.MonkeyPatch, expr: str, runs_on: str
) -> None:
    # "0 8 * * 1" read "only on Monday" and ran on Tuesdays: APScheduler counts 0 as
    # Monday, cron (and the words shown) 0 and 7 as Sunday; "7" was refused
    monkeypatch.setenv("WAYPOINT_SCHEDULE_WEEKLY_DIGEST", expr)
    now = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)  # a Saturday
    (digest,) = [j for j in job_overview(store, now=now) if j.name == "weekly_digest"]
    assert digest.problem is None, digest.problem
    assert f"{digest.next_run:%a}" == runs_on, digest.next_run
    day = {"Mon": "Monday", "Sun": "Sunday"}[runs_on]
    assert day in digest.schedule_words or "Monday through Friday" in digest.schedule_words
    if expr.endswith("7-7"):  # and the day after the Sunday is the next Sunday
        from jobs.runner import cron_trigger

        after = cron_trigger(expr).get_next_fire_time(None, digest.next_run + dt.timedelta(hours=1))
        assert (after - digest.next_run).days == 7


@pytest.mark.parametrize(
    ("expr", "next_day"),
    [
        ("0 8 1 * 1", dt.date(2026, 11, 23)),  # the 1st, or any Monday: Monday comes first
        ("0 8 1,15 * 5", dt.date(2026, 11, 27)),  # the 1st or the 15th, or a Friday
        ("0 8 1 * *", dt.date(2026, 12, 1)),  # one of them alone: that one
        ("0 8 */2 * tue", dt.date(2026, 12, 1)),  # a field starting with *: both at once
        ("0 8 * * 7-1", dt.date(2026, 11, 22)),  # Sunday and Monday (refused for a while)
        ("0 8 * * 07-07", dt.date(2026, 11, 22)),
    ],
)
def test_a_day_of_month_and_a_weekday_run_on_either_as_cron_and_the_words_say(
    expr: str, next_day: dt.date
) -> None:
    # the words said "on day 1 of the month, or on Monday" and the scheduler waited for
    # a Monday the 1st (February)
    from jobs.runner import cron_trigger, schedule_words

    saturday = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)
    assert cron_trigger(expr, timezone=dt.UTC).get_next_fire_time(None, saturday).date() == next_day
    if "1 * 1" in expr:
        assert " or " in schedule_words(expr)


@pytest.mark.slow  # the digest renders its chart with kaleido, which drives Chromium
def test_a_digest_slot_run_late_reviews_its_own_week_and_no_week_goes_twice(
    demo_store: Store, smtp: Inbox
) -> None:
    # A missed 23 Nov slot caught up (or retried) on 30 Nov reviewed 23-29 Nov, the week
    # before the run: that week went out twice and 16-22 Nov never did. And a digest
    # whose time moved after it ran sent the same week again.
    late = MONDAY_8 + dt.timedelta(days=7, hours=1)
    outcome, message = run_job(demo_store, "weekly_digest", late, slot=MONDAY_8)
    assert outcome == "ok" and message.startswith("review 2026-W47 saved"), message
    assert [m["Subject"].split("weekly review ")[1] for m in smtp.messages] == ["16–22 Nov 2026"]
    moved = MONDAY_8 + dt.timedelta(hours=1)  # the digest's time set to 09:00
    outcome, message = run_job(demo_store, "weekly_digest", late, slot=moved)
    assert outcome == "ok" and "review 2026-W47 was mailed already" in message, message
    assert len(smtp.messages) == 1
    # a manual run is a request: it sends the last complete week, whatever went before
    outcome, message = run_job(demo_store, "weekly_digest", late)
    assert message.startswith("review 2026-W48 saved") and len(smtp.messages) == 2


def test_job_messages_show_no_email_address_to_anyone_but_a_manager(demo_store: Store) -> None:
    # "sent to maria@...; refused omar@..." reached a viewer through `jobs list` and the
    # weekly review, where the audit log hides the same addresses
    import json

    from tests.clirunner import waypoint
    from tracker.jobruns import claim, finish

    slot = dt.datetime(2026, 11, 16, 14, 0)  # naive UTC, as runs are stored
    claim(demo_store, "weekly_digest", slot, slot)
    finish(
        demo_store, "weekly_digest", slot, slot, "failed",
        "sent to maria@copperkettle.example; not delivered: refused omar@example.com",
    )  # fmt: skip
    env = {"WAYPOINT_NOW": "2026-11-18T12:00:00"}
    viewer = waypoint(demo_store.path, "jobs", "list", "--json", "--as", "ben", env=env)
    (digest,) = [j for j in json.loads(viewer.out)["jobs"] if j["name"] == "weekly_digest"]
    assert "@" not in digest["last_message"] and "(an address)" in digest["last_message"]
    manager = waypoint(demo_store.path, "jobs", "list", "--json", "--as", "maria", env=env)
    assert "maria@copperkettle.example" in manager.out
    review = waypoint(
        demo_store.path, "report", "weekly", "--week", "2026-W47", "--as", "ben", env=env
    )
    assert (
        "Weekly digest failed" in review.out
        and "@" not in review.out.split("Weekly digest failed")[1][:200]
    )
    from tracker.text import for_non_managers, hide_emails

    said = hide_emails("sent to root@localhost; and a@b.co")
    assert said == "sent to (an address); and (an address)"
    # the mail server is a manager's to see too ("mail to 127.0.0.1:1 failed" reached a
    # viewer on the Settings page); a time of day is no server
    assert for_non_managers(
        "mail to smtp.example.com:587 failed at 09:30; localhost:25 refused a@b.co"
    ) == ("mail to (the mail server) failed at 09:30; (the mail server) refused (an address)")
    finish(
        demo_store, "weekly_digest", slot, slot, "failed",
        "MailError: mail to 127.0.0.1:1 failed: [Errno 111] Connection refused",
    )  # fmt: skip
    viewer = waypoint(demo_store.path, "jobs", "list", "--json", "--as", "ben", env=env)
    (digest,) = [j for j in json.loads(viewer.out)["jobs"] if j["name"] == "weekly_digest"]
    assert "127.0.0.1" not in digest["last_message"], digest


def test_a_schedule_from_the_environment_that_cannot_be_read_is_named(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.clirunner import waypoint

    monkeypatch.setenv("WAYPOINT_SCHEDULE_NIGHTLY_BACKUP", "61 25 * * *")
    jobs = {j.name: j for j in job_overview(store)}
    backup = jobs["nightly_backup"]
    assert (backup.schedule_words, backup.next_run) == ("never runs", None)
    assert backup.problem is not None and backup.problem.startswith(
        "WAYPOINT_SCHEDULE_NIGHTLY_BACKUP in the server's environment, '61 25 * * *', is not"
        " a cron expression"
    )
    assert all(j.problem is None and j.next_run for n, j in jobs.items() if n != "nightly_backup")
    listed = waypoint(store.path, "jobs", "list")
    assert listed.code == 0
    assert "Nightly backup never runs: WAYPOINT_SCHEDULE_NIGHTLY_BACKUP" in listed.err


def test_a_running_slot_shows_as_running_not_with_the_last_runs_end(store: Store) -> None:
    from tracker.jobruns import claim, finish, last_runs

    monday, tuesday = dt.datetime(2026, 8, 10, 8), dt.datetime(2026, 8, 11, 8)
    assert claim(store, "import", monday, monday)
    finish(store, "import", monday, monday + dt.timedelta(minutes=1), "ok", "2 files")
    assert claim(store, "import", tuesday, tuesday)
    last = last_runs(store)["import"]
    # The running slot has no end and no message yet; the finished one's must not show
    assert (last.scheduled_for, last.outcome, last.finished, last.message) == (
        tuesday,
        "running",
        None,
        None,
    )


def test_the_inbox_says_what_waypoint_import_says_of_a_file(demo_store: Store) -> None:
    # two exports of X covering the same days: `waypoint import` warns they count twice;
    # the inbox's .txt and run message held the counts alone
    inbox = demo_store.path.parent / "inbox"
    inbox.mkdir()
    first = "account_overview_analytics.csv"
    second = "account_analytics_content_2024-11-21_2025-02-19.csv"
    shutil.copy(EXPORTS / "x_twitter" / first, inbox / first)
    old = time.time() - 120
    os.utime(inbox / first, (old, old))
    run_job(demo_store, "inbox_import", dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC))
    shutil.copy(EXPORTS / "x_twitter" / second, inbox / second)
    os.utime(inbox / second, (old, old))
    outcome, message = run_job(
        demo_store, "inbox_import", dt.datetime(2026, 11, 23, 10, 5, tzinfo=dt.UTC)
    )
    assert outcome == "ok" and "sources counting days twice" in message, message
    note = next((inbox / "done").glob(f"*{second}.txt")).read_text()
    assert "overlap: x.account_overview and x.content both cover 38 day(s)" in note
    assert "x.likes:" in note  # per metric, as the command line lists them


def test_a_file_imported_before_the_server_stopped_is_filed_as_imported(
    demo_store: Store,
) -> None:
    # the import committed, the server stopped before the move to done/: at the next
    # start the file was filed as "not imported ... interrupted" while its values stood
    from tracker.importer import import_file
    from tracker.records import SCHEDULER

    inbox = demo_store.path.parent / "inbox"
    processing = inbox / "processing"
    processing.mkdir(parents=True)
    claimed = processing / "20261123T100000-week.csv"
    claimed.write_text("day,metric,value\n2026-11-02,catering-inquiries,2\n")
    import_file(demo_store, SCHEDULER, claimed, display_name="week.csv")
    unread = processing / "20261123T100000-other.csv"  # never reached its import
    unread.write_text("day,metric,value\n2026-11-03,catering-inquiries,1\n")
    outcome, message = run_job(
        demo_store, "inbox_import", dt.datetime(2026, 11, 23, 10, 5, tzinfo=dt.UTC)
    )
    assert outcome == "ok", message
    assert "filed as imported before the server stopped: week.csv (change" in message
    assert "failed 1: other.csv (interrupted)" in message  # only the one never imported
    note = next((inbox / "done").glob("*week.csv.txt")).read_text()
    assert note.startswith("week.csv was imported (change ")
    assert (
        next((inbox / "failed").glob("*other.csv.txt"))
        .read_text()
        .startswith("other.csv was not imported")
    )


def test_a_stopping_server_waits_for_the_job_under_way(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SIGTERM mid-job left its run "running" (retried 2 hours later) or failed with the
    # interpreter's "cannot schedule new futures after interpreter shutdown"
    import threading

    from jobs import registry, scheduler

    started = threading.Event()

    def slow(store, now, slot):
        started.set()
        time.sleep(1.0)
        return "done slowly"

    monkeypatch.setitem(
        registry.JOBS,
        "nightly_backup",
        registry.JobSpec("nightly_backup", "schedule.nightly_backup", slow, "", "Nightly backup"),
    )
    scheduler._stopping.clear()  # as start_scheduler leaves it (another test stopped one)
    worker = threading.Thread(target=scheduler._fire, args=(str(demo_store.path), "nightly_backup"))
    worker.start()
    assert started.wait(10)
    assert scheduler.stop_all(wait=True, timeout=30) is True
    assert runs(demo_store, "nightly_backup")[0].outcome == "ok"
    worker.join()


def test_downloads_under_way_and_office_lock_files_are_not_imported(demo_store: Store) -> None:
    inbox = demo_store.path.parent / "inbox"
    inbox.mkdir()
    row = "day,metric,value\n2026-11-02,catering-inquiries,2\n"
    for name in ("x.csv.part", "y.csv.CRDOWNLOAD", "~$book.xlsx", "z.csv.tmp", "ok.csv"):
        (inbox / name).write_text(row)
        old = time.time() - 120
        os.utime(inbox / name, (old, old))
    outcome, message = run_job(
        demo_store, "inbox_import", dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    )
    assert outcome == "ok" and message.startswith("imported 1: ok.csv"), message
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == [
        "x.csv.part", "y.csv.CRDOWNLOAD", "z.csv.tmp", "~$book.xlsx",
    ]  # fmt: skip


def test_the_digest_chart_names_the_week_by_its_days(demo_store: Store) -> None:
    # its title read "Progress vs expected, 2026-W46" where every other face says the days
    from jobs.charts import progress_figure
    from tracker.report import weekly_review

    review = weekly_review(demo_store, "2026-W46", now=MONDAY_8)
    title = progress_figure(review).layout.title.text
    assert title == "Progress vs expected, 9–15 Nov 2026"


def test_a_digest_partly_refused_counts_as_mailed_for_its_week(demo_store: Store) -> None:
    # the failed run's message starts with the exception's name: the check read it as
    # never sent, and a later slot of the same week mailed those who had it again
    from tracker.jobruns import claim, finish

    slot = dt.datetime(2026, 11, 23, 14, 0)  # naive UTC, as runs are stored
    claim(demo_store, "weekly_digest", slot, slot)
    finish(
        demo_store, "weekly_digest", slot, slot, "failed",
        "MailPartlyRefused: review 2026-W47 saved to reports/weekly-2026-W47.md; sent to"
        " maria@copperkettle.example; not delivered: refused omar@example.com",
        final=True,
    )  # fmt: skip
    moved = MONDAY_8 + dt.timedelta(hours=1)
    outcome, message = run_job(demo_store, "weekly_digest", moved, slot=moved)
    assert outcome == "ok" and "review 2026-W47 was mailed already" in message, message


def test_a_stop_lets_the_catch_up_start_no_further_job(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the catch-up went on through every remaining job after the stop (a digest rendered
    # in Chromium could then outlast the wait and die with the interpreter)
    import threading

    from jobs import registry, scheduler

    started: list[str] = []
    first = threading.Event()

    def slow(name: str):
        def run(store, now, slot):
            started.append(name)
            first.set()
            time.sleep(0.5)
            return "done"

        return run

    for name, spec in list(registry.JOBS.items()):
        monkeypatch.setitem(
            registry.JOBS, name, registry.JobSpec(name, spec.setting, slow(name), "", spec.title)
        )
    scheduler._stopping.clear()
    scheduler._count(1)  # as start_scheduler counts its catch-up thread before it starts
    worker = threading.Thread(target=scheduler._catch_up, args=(str(demo_store.path), True))
    worker.start()
    assert first.wait(10)
    assert scheduler.stop_all(wait=True, timeout=30) is True
    worker.join()
    assert len(started) == 1, started


def test_a_second_ctrl_c_while_the_server_waits_for_a_job_is_ignored() -> None:
    # the wait for the run under way (up to a minute) ran with the original handlers
    # back: a second Ctrl+C raised KeyboardInterrupt out of the cleanup
    import signal

    from jobs import service

    def stop_all(wait: bool) -> bool:
        os.kill(os.getpid(), signal.SIGINT)  # pressed again while waiting
        time.sleep(0.2)
        return True

    service._stop_jobs(stop_all)  # returns: nothing raised
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back after


def test_a_stop_that_waits_for_a_job_says_so() -> None:
    # a server quiet for up to a minute after Ctrl+C read as hung
    from jobs import service

    said: list[str] = []
    waited: list[bool] = []

    def stop_all(wait: bool) -> bool:
        waited.append(wait)
        return wait  # a run under way when asked, over once waited for

    assert service._stop_jobs(stop_all, said.append) is True
    assert waited == [False, True]
    assert said == [
        "Stopping: waiting up to 60 s for the job run under way, so that its outcome is recorded."
    ]

    said.clear()
    # nothing running: nothing to say
    assert service._stop_jobs(lambda wait: True, said.append) is True
    assert said == []

    said.clear()
    # still going after the minute: said, and left to serve_with_jobs to end the process
    assert service._stop_jobs(lambda wait: False, said.append) is False
    assert len(said) == 2 and "reads 'running' until the 2-hour rule" in said[1]

    # words that cannot be written (`waypoint serve | tee log`, tee gone with the
    # terminal) never skip the wait
    def closed_pipe(words: str) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    waited.clear()
    assert service._stop_jobs(stop_all, closed_pipe) is True
    assert waited == [False, True]
