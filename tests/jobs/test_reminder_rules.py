"""Reminders that are not lost: made up after a failed day, one refused address costs no
one else their mail, monthly periods that end mid-week, escalations that use up their
reminders and never go to the person they are about. A local SMTP server, the demo."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest
import yaml

from jobs.reminders import reminder_periods
from jobs.runner import run_job
from tests.clirunner import waypoint
from tests.conftest import Inbox, free_port, smtp_server
from tracker.mailer import MailPartlyRefused, MailSettings, build_message, send
from tracker.periods import Period
from tracker.plan import apply_plan_text, export_plan
from tracker.records import LOCAL_MANAGER
from tracker.store import Store

SATURDAY = dt.datetime(2026, 11, 21, 15, tzinfo=dt.UTC)  # 09:00 Chicago; W47 ends tomorrow


class Refusing(Inbox):
    """An SMTP server that refuses some recipients (550), as a mistyped address gets."""

    def __init__(self) -> None:
        super().__init__()
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing(monkeypatch: pytest.MonkeyPatch) -> Iterator[Refusing]:
    with smtp_server(Refusing(), monkeypatch) as handler:
        yield handler


def reminders_to(inbox: Inbox) -> list[str]:
    return [m["X-Rcpt"] for m in inbox.messages if m["Subject"].startswith("Check-ins due")]


def test_reminder_days_run_from_the_day_before_the_end_to_the_last_on_time_day() -> None:
    # a week ending Sunday 22 Nov: Saturday (the reminder's day), Sunday and the Monday
    # after (made up while a check-in is still on time); never Friday or Tuesday
    w47 = Period.parse("2026-W47")
    for day, listed in [(20, False), (21, True), (22, True), (23, True), (24, False)]:
        periods = [p for p, _ in reminder_periods(dt.date(2026, 11, day))]
        assert (w47 in periods) is listed, day
    # a month that ends on a Thursday is listed with the week of its first day, whose
    # check-in list holds it (the week of 30 Dec ends in January and lists January)
    found = dict((p.label, week) for p, week in reminder_periods(dt.date(2026, 12, 30)))
    assert found["2026-12"] == "2026-W49"


@pytest.mark.slow  # reminder runs over the demo
def test_a_reminder_that_failed_on_its_day_goes_out_the_next(
    demo_store: Store, smtp: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Saturday's run finds the mail server down (nothing listens on the port)
    real = os.environ["WAYPOINT_SMTP_PORT"]
    monkeypatch.setenv("WAYPOINT_SMTP_PORT", str(free_port()))
    outcome, message = run_job(demo_store, "checkin_reminders", SATURDAY, slot=SATURDAY)
    assert outcome == "failed" and "sent before it: nothing" in message, message
    monkeypatch.setenv("WAYPOINT_SMTP_PORT", real)  # back on Sunday
    sunday = SATURDAY + dt.timedelta(days=1)
    outcome, message = run_job(demo_store, "checkin_reminders", sunday, slot=sunday)
    assert outcome == "ok", message
    assert {"lena@copperkettle.example", "jay@copperkettle.example"} <= set(reminders_to(smtp))
    assert all("(week of 16 Nov 2026)" in m.get_content() for m in smtp.messages)
    assert all(m["Date"] for m in smtp.messages)  # mail readers show when it was written
    count = len(smtp.messages)
    monday = sunday + dt.timedelta(days=1)
    run_job(demo_store, "checkin_reminders", monday, slot=monday)
    assert len(smtp.messages) == count  # made up once, never twice


def test_a_reminder_made_up_on_the_last_on_time_day_says_today(
    demo_store: Store, smtp: Inbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the mail server is down all weekend; Monday, the week's last on-time day, makes the
    # reminder up: it said "due soon" of a check-in late at midnight
    real = os.environ["WAYPOINT_SMTP_PORT"]
    monkeypatch.setenv("WAYPOINT_SMTP_PORT", str(free_port()))
    for day in range(2):
        at = SATURDAY + dt.timedelta(days=day)
        assert run_job(demo_store, "checkin_reminders", at, slot=at)[0] == "failed"
    monkeypatch.setenv("WAYPOINT_SMTP_PORT", real)
    monday = SATURDAY + dt.timedelta(days=2)
    assert run_job(demo_store, "checkin_reminders", monday, slot=monday)[0] == "ok"
    texts = [m.get_content() for m in smtp.messages if m["Subject"].startswith("Check-ins")]
    assert texts and all("these check-ins are due today:" in t for t in texts), texts
    assert all("by the end of today, Monday 23 Nov 2026" in t for t in texts), texts


@pytest.mark.slow  # a reminder run over the demo
def test_a_failed_run_on_the_command_line_says_why_on_stderr(demo_store: Store) -> None:
    run = waypoint(
        demo_store.path,
        "jobs",
        "run",
        "checkin_reminders",
        env={
            "WAYPOINT_NOW": "2026-11-21T15:00:00",
            "WAYPOINT_SMTP_HOST": "127.0.0.1",
            "WAYPOINT_SMTP_PORT": str(free_port()),  # nothing listens there
            "WAYPOINT_SMTP_STARTTLS": "false",
        },
    )
    assert run.code == 1 and run.out == ""
    assert run.err.startswith("checkin_reminders: failed: MailError: mail to 127.0.0.1:")


@pytest.mark.slow  # reminder runs over the demo
def test_one_refused_address_costs_no_one_else_their_reminder(
    demo_store: Store, refusing: Refusing
) -> None:
    refusing.refuse = {"jay@copperkettle.example"}
    outcome, message = run_job(demo_store, "checkin_reminders", SATURDAY, slot=SATURDAY)
    # the run fails (jobs list and the review show it) after mailing everyone else
    assert outcome == "failed"
    assert "jay@copperkettle.example (550 no such user)" in message
    assert "lena@copperkettle.example" in reminders_to(refusing)
    assert "reminded lena" in message
    # the address is fixed: the next run sends Jay's, and Lena's not again
    refusing.refuse = set()
    again = SATURDAY + dt.timedelta(hours=1)
    outcome, message = run_job(demo_store, "checkin_reminders", again)
    assert outcome == "ok", message
    assert reminders_to(refusing).count("jay@copperkettle.example") == 1
    assert reminders_to(refusing).count("lena@copperkettle.example") == 1


@pytest.mark.slow  # a reminder run over the demo
def test_a_month_that_ends_mid_week_is_reminded(demo_store: Store, smtp: Inbox) -> None:
    # December 2026 ends on a Thursday; Maria's monthly Google rating is due
    wednesday = dt.datetime(2026, 12, 30, 15, tzinfo=dt.UTC)
    outcome, message = run_job(demo_store, "checkin_reminders", wednesday, slot=wednesday)
    assert outcome == "ok", message
    to_maria = [m for m in smtp.messages if m["X-Rcpt"] == "maria@copperkettle.example"]
    assert to_maria, message
    text = to_maria[0].get_content()
    assert "Google rating (December 2026): by the end of Friday 1 Jan 2027" in text


@pytest.mark.slow  # reminder runs over four weeks of the demo
def test_an_escalation_uses_up_its_two_reminders(demo_store: Store, smtp: Inbox) -> None:
    def told(subject: str) -> list[str]:
        return [m.get_content() for m in smtp.messages if m["Subject"] == subject]

    about_jay = "Escalation: Jay Patel missed check-ins on Instagram followers"
    counts = []
    for week in range(4):  # W47..W50 reminded on Saturday and ignored; Tuesdays escalate
        saturday = SATURDAY + dt.timedelta(days=7 * week)
        run_job(demo_store, "checkin_reminders", saturday, slot=saturday)
        tuesday = saturday + dt.timedelta(days=3)
        run_job(demo_store, "checkin_reminders", tuesday, slot=tuesday)
        counts.append(len(told(about_jay)))
    # W47+W48 told on 1 Dec; W49 alone is not a second pair (W48 was told already);
    # W49+W50 told on 15 Dec
    assert counts == [0, 1, 1, 2]
    assert "(week of 30 Nov 2026 and week of 7 Dec 2026)" in told(about_jay)[1]
    # Maria has no manager above her and is the only manager: nobody else to tell, and
    # never a mail to Maria about Maria
    assert not [m for m in smtp.messages if m["Subject"].startswith("Escalation: Maria")]


def _second_manager(
    store: Store, email: str = "omar@ck.example", unmanaged: str = "", **kpis: dict
) -> None:
    """Omar, a second manager (Maria's escalations go to him, and those of ``unmanaged``,
    whose manager is taken away); changes to ``kpis``; the Google rating's objective
    running through 2027."""
    plan = yaml.safe_load(export_plan(store))
    if all(p["key"] != "omar" for p in plan["people"]):
        plan["people"].append(
            {"key": "omar", "name": "Omar Diaz", "role": "manager", "email": email}
        )
    for person in plan["people"]:
        if person["key"] == unmanaged:
            del person["manager"]
    for objective in plan["objectives"]:
        for kpi in objective["kpis"]:
            kpi.update(kpis.get(kpi["key"], {}))
            if kpi["key"] == "rating":
                objective["deadline"] = dt.date(2027, 12, 31)
    apply_plan_text(store, yaml.safe_dump(plan), LOCAL_MANAGER)


def test_a_mail_some_of_whose_recipients_are_refused_says_so(refusing: Refusing) -> None:
    # smtplib raises only when every recipient is refused; some refused is a return value
    refusing.refuse = {"typo@example.com"}
    settings = MailSettings(
        host="127.0.0.1",
        port=int(os.environ["WAYPOINT_SMTP_PORT"]),
        starttls=False,
        user="",
        password="",
        sender="w@example.com",
    )
    to = ["ana@example.com", "typo@example.com", "bo@example.com"]
    with pytest.raises(MailPartlyRefused, match=r"refused typo@example\.com \(550 no such") as e:
        send(settings, build_message("w@example.com", to, "Digest", "text"))
    assert e.value.delivered == ["ana@example.com", "bo@example.com"]
    assert [m["X-Rcpt"] for m in refusing.messages] == ["ana@example.com, bo@example.com"]


@pytest.mark.slow  # escalation runs over the demo
def test_an_escalation_refused_for_one_manager_is_told_to_the_others_once(
    demo_store: Store, refusing: Refusing
) -> None:
    # Jay without a manager of his own is escalated to every manager; one of them has a
    # mistyped address
    _second_manager(demo_store, "omar@typo.example", unmanaged="jay")
    refusing.refuse = {"omar@typo.example"}

    def about_jay() -> list[str]:
        return [
            m["X-Rcpt"] for m in refusing.messages if m["Subject"].startswith("Escalation: Jay")
        ]

    outcomes = []
    for week in range(2):  # W47, W48 reminded on Saturday and ignored; Tuesday escalates
        saturday = SATURDAY + dt.timedelta(days=7 * week)
        run_job(demo_store, "checkin_reminders", saturday, slot=saturday)
        tuesday = saturday + dt.timedelta(days=3)
        outcomes.append(run_job(demo_store, "checkin_reminders", tuesday, slot=tuesday))
    assert about_jay() and set(about_jay()) == {"maria@copperkettle.example"}
    # the mail says why Maria is told (it said nothing when no manager was named)
    mails = [m for m in refusing.messages if m["Subject"].startswith("Escalation: Jay")]
    assert all("because the plan names no manager for Jay Patel" in m.get_content() for m in mails)
    outcome, message = outcomes[-1]
    assert outcome == "failed" and "omar@typo.example (550 no such user)" in message
    # the refusal names the mail it cost: two mails refused for one address read alike
    assert "; escalation of jay/ig-audience: " in message.split("not delivered: ")[1], message
    # it reached Maria: the next run does not tell her again
    told = len(about_jay())
    later = SATURDAY + dt.timedelta(days=10, hours=2)
    run_job(demo_store, "checkin_reminders", later)
    assert len(about_jay()) == told


@pytest.mark.slow  # escalation runs over the demo
def test_an_escalation_whose_named_manager_has_no_email_goes_to_the_other_managers(
    demo_store: Store, smtp: Inbox
) -> None:
    # Jay's manager is Maria; without her email address the escalation went nowhere
    # ("no one else to tell") while Omar, a manager with one, could have been told
    _second_manager(demo_store)
    plan = yaml.safe_load(export_plan(demo_store))
    for person in plan["people"]:
        if person["key"] == "maria":
            del person["email"]
    apply_plan_text(demo_store, yaml.safe_dump(plan), LOCAL_MANAGER)
    for week in range(2):  # W47, W48 reminded on Saturday and ignored; Tuesday escalates
        saturday = SATURDAY + dt.timedelta(days=7 * week)
        run_job(demo_store, "checkin_reminders", saturday, slot=saturday)
        tuesday = saturday + dt.timedelta(days=3)
        run_job(demo_store, "checkin_reminders", tuesday, slot=tuesday)
    about_jay = [m for m in smtp.messages if m["Subject"].startswith("Escalation: Jay")]
    assert about_jay and {m["X-Rcpt"] for m in about_jay} == {"omar@ck.example"}
    assert "because Maria Lopez, their manager, has no email address" in (
        about_jay[0].get_content()
    )


def test_a_digest_refused_for_one_manager_fails_naming_who_got_it(
    demo_store: Store, refusing: Refusing, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jobs.charts

    # the charts are another test's (they need Chromium); this one is about the mail
    monkeypatch.setattr(jobs.charts, "digest_images", lambda review: ({}, "charts left out"))
    _second_manager(demo_store, "omar@typo.example")
    refusing.refuse = {"omar@typo.example"}
    monday = dt.datetime(2026, 11, 23, 14, tzinfo=dt.UTC)
    monkeypatch.setenv("WAYPOINT_NOW", monday.isoformat())  # when runs are recorded
    outcome, message = run_job(demo_store, "weekly_digest", monday, slot=monday)
    assert outcome == "failed"
    assert "sent to maria@copperkettle.example" in message
    assert "not delivered: " in message and "omar@typo.example (550 no such user)" in message
    assert [m["X-Rcpt"] for m in refusing.messages] == ["maria@copperkettle.example"]
    # failed slots are retried (5 and 20 minutes on), but this one went out to Maria:
    # the catch-ups after it do not mail her the digest again
    for later in (16, 60, 120):
        at = monday + dt.timedelta(minutes=later)
        monkeypatch.setenv("WAYPOINT_NOW", at.isoformat())
        assert run_job(demo_store, "weekly_digest", at, slot=monday)[0] == "skipped"
    assert len(refusing.messages) == 1


def _run_on(store: Store, days: list[dt.date]) -> None:
    for day in days:  # 09:00 in Chicago
        at = dt.datetime(day.year, day.month, day.day, 15, tzinfo=dt.UTC)
        run_job(store, "checkin_reminders", at, slot=at)


def _escalations(inbox: Inbox, about: str) -> list[str]:
    return [m.get_content() for m in inbox.messages if m["Subject"] == f"Escalation: {about}"]


@pytest.mark.slow  # reminder runs over the demo
def test_a_month_that_ends_on_a_saturday_is_escalated(demo_store: Store, smtp: Inbox) -> None:
    # June 2027 ends on a Wednesday, July on a Saturday: both reminded and ignored; July's
    # check-in is due on Sunday 1 August, in a week that lists August
    _second_manager(demo_store)
    _run_on(demo_store, [dt.date(2027, 6, 29), dt.date(2027, 7, 30)])
    _run_on(demo_store, [dt.date(2027, 8, 3), dt.date(2027, 8, 4)])
    told = _escalations(smtp, "Maria Lopez missed check-ins on Google rating")
    assert len(told) == 1, [m["Subject"] for m in smtp.messages]
    assert "(June 2027 and July 2027)" in told[0]


@pytest.mark.slow  # reminder runs over the demo
def test_an_escalation_after_a_cadence_change_counts_periods_by_their_days(
    demo_store: Store, smtp: Inbox
) -> None:
    # Google rating checked in weekly for two ignored weeks (escalated), then monthly:
    # two ignored months are escalated again ("2027-03" sorts before "2027-W03" as text)
    _second_manager(demo_store, rating={"cadence": "weekly"})
    _run_on(demo_store, [dt.date(2027, 1, 16), dt.date(2027, 1, 23), dt.date(2027, 1, 26)])
    about = "Maria Lopez missed check-ins on Google rating"
    assert len(_escalations(smtp, about)) == 1
    _second_manager(demo_store, rating={"cadence": "monthly"})
    _run_on(demo_store, [dt.date(2027, 3, 30), dt.date(2027, 4, 29), dt.date(2027, 5, 3)])
    told = _escalations(smtp, about)
    assert len(told) == 2, [m["Subject"] for m in smtp.messages]
    assert "(March 2027 and April 2027)" in told[1]
