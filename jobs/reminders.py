"""Check-in reminders and escalations (the reminders table keeps them from repeating)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from tracker.checkins import CheckinState, checkin_status, on_time_until
from tracker.clock import workspace_timezone
from tracker.formats import long_day, period
from tracker.jobruns import record_reminder, reminded, reminder_history
from tracker.mailer import (
    MailError,
    MailPartlyRefused,
    MailRefused,
    build_message,
    mail_settings,
    send,
)
from tracker.periods import Period
from tracker.plan import load_plan
from tracker.settings import get_setting
from tracker.store import Store

IGNORED_BEFORE_ESCALATION = 2


def reminder_periods(local: dt.date) -> list[tuple[Period, str]]:
    """The periods a reminder may go out for on ``local``, each with the week whose check-in
    list holds it: from the day before the period ends to the last day its check-in is on
    time (the day after it ends). The day before is the reminder's day; the two after it
    make up for a run that failed or did not happen, while a check-in can still be on
    time. A month is listed with the week holding its first day."""
    out = []
    for kind in ("week", "month"):
        current = Period.of(kind, local)
        for p in (current, current.previous()):
            if p.last - dt.timedelta(days=1) <= local <= on_time_until(p):
                listing = p if kind == "week" else Period.week_of(p.first)
                out.append((p, listing.label))
    return out


def run_reminders(store: Store, now: dt.datetime) -> str:
    tz = workspace_timezone(store)
    local = now.astimezone(ZoneInfo(tz)).date()
    plan = load_plan(store)
    people = {p.key: p for p in plan.people}
    managers = [p for p in plan.people if p.role == "manager"]
    # people read KPI names in their mail, never keys
    kpi_names = {k.key: k.name or k.key for o in plan.objectives for k in o.kpis}
    settings = mail_settings(store)
    url = get_setting("dashboard_url", {k: str(v) for k, v in plan.settings.items()})
    sent: list[str] = []
    skipped: list[str] = []
    refused: list[str] = []

    def deliver(to: list[str], subject: str, text: str, what: str) -> bool:
        """Send one mail; a server that refuses these recipients is noted and the run goes
        on to the next person (a bad address must not cost everyone after it their
        reminder). A server that cannot be reached stops the run: the next one retries,
        and what was sent is recorded and not sent again."""
        try:
            send(settings, build_message(settings.sender, to, subject, text))
        except MailPartlyRefused as exc:
            # an escalation to several managers reached some of them: it was told, and
            # sending it again would tell those twice; the run fails naming the rest
            refused.append(f"{what}: {exc}")  # which mail: two may refuse one address
            return True
        except MailRefused as exc:
            refused.append(f"{what}: {exc}")
            return False
        except MailError as exc:
            done = "; ".join(sent) or "nothing"
            raise MailError(f"{exc} (sent before it: {done})") from exc
        return True

    # 1. Reminders: for check-ins still due in a period ending tomorrow (or, made up, one
    # that ended today or yesterday and is still on time).
    due: dict[str, list] = {}
    for p, week in reminder_periods(local):
        for state in checkin_status(store, week, now).kpis:
            if state.period != p.label or state.state != "due":
                continue
            if reminded(store, state.owner, state.kpi, state.period, "reminder"):
                continue
            due.setdefault(state.owner, []).append(state)
    for person, states in due.items():
        who = people.get(person)
        if who is None or not who.email:
            skipped.append(f"{person} (no email)")
            continue
        # A period ending tomorrow is on time until the end of the day after it: the
        # mail names that day, not tomorrow.
        until = {s.period: on_time_until(Period.parse(s.period)) for s in states}
        # a reminder made up on the last on-time day said "due soon" of a check-in late
        # at midnight
        today = all(u <= local for u in until.values())
        lines = [f"Hi {who.name}, these check-ins are due{' today' if today else ' soon'}:", ""]
        lines += [
            f"- {kpi_names.get(s.kpi, s.kpi)} ({period(s.period)}): by the end of"
            f"{' today,' if until[s.period] <= local else ''}"
            f" {until[s.period]:%A} {long_day(until[s.period])}"
            for s in states
        ]
        lines += ["", f"Log a value or check in on My week: {url.rstrip('/')}/my_week"]
        if not settings.configured:
            # Not recorded: a reminder that was never sent must not count towards an
            # escalation ("ignored two reminders") later.
            skipped.append(f"{person} (mail not configured)")
            continue
        subject = f"Check-ins due: {len(states)} KPI(s)"
        if not deliver([who.email], subject, "\n".join(lines), f"reminder of {person}"):
            continue  # not recorded: it never reached them, so it is tried again
        for s in states:
            record_reminder(store, person, s.kpi, s.period, "reminder", now.replace(tzinfo=None))
        sent.append(f"reminded {person} ({len(states)})")

    # 2. Escalations: the last two reminders of a person's KPI were both ignored. Each
    # escalation uses up its two: the next one needs two more ignored after it.
    for state in _missed_periods(store, local, now):
        who = people.get(state.owner)
        history = reminder_history(store, state.owner, state.kpi)
        # periods compared by their last day: a KPI whose cadence changed has week and
        # month labels in its history, and 2026-12 sorts before 2026-W47 as text
        told = max((_end(p) for p, kind in history if kind == "escalation"), default=dt.date.min)
        if who is not None and not who.email:
            # No reminder can reach them: two periods missed in a row are told to their
            # manager all the same, or nobody would ever hear of it
            missed = [Period.parse(state.period).previous().label, state.period]
            if _end(missed[0]) <= told:
                continue
        else:
            missed = sorted(
                (
                    p
                    for p, kind in history
                    if kind == "reminder" and told < _end(p) <= _end(state.period)
                ),
                key=_end,
            )
            if len(missed) < IGNORED_BEFORE_ESCALATION or missed[-1] != state.period:
                continue
        if not all(_missing(store, state.kpi, p, now) for p in missed[-2:]):
            continue
        if reminded(store, state.owner, state.kpi, state.period, "escalation"):
            continue
        # their manager; without one, or one no mail reaches (no email address in the
        # plan), every other manager: never the person it is about, and never nobody
        # while a manager could be told
        named = people.get(who.manager) if who and who.manager not in (None, state.owner) else None
        boss = (
            [named]
            if named is not None and named.email
            else [m for m in managers if m.key != state.owner]
        )
        to = [m.email for m in boss if m.email]
        name = who.name if who else state.owner
        periods = " and ".join(period(p) for p in missed[-2:])
        why = (
            f"after {IGNORED_BEFORE_ESCALATION} reminders ({periods})"
            if who is None or who.email
            else f"for {periods}; no reminder reached them: the plan has no email address for them"
        )
        # every manager told says why it is them (docs/jobs.md)
        unreachable = (
            f"\n\nYou are told because {named.name}, their manager, has no email address"
            " in the plan."
            if named is not None and not named.email
            else f"\n\nYou are told because the plan names no manager for {name}"
            " (`manager:` on the person), so the workspace's managers hear of it."
            if named is None
            else ""
        )
        text = (
            f"{name} has not checked in on {kpi_names.get(state.kpi, state.kpi)} {why}."
            f"{unreachable}\n\nSee the Team page: {url.rstrip('/')}/team"
        )
        if not (to and settings.configured):
            whom = (
                "no manager with an email address to tell"
                if settings.configured
                else "no mail to send it by"
            )
            skipped.append(f"escalation of {state.owner}/{state.kpi} ({whom})")
            continue
        subject = f"Escalation: {name} missed check-ins on {kpi_names.get(state.kpi, state.kpi)}"
        if not deliver(to, subject, text, f"escalation of {state.owner}/{state.kpi}"):
            continue
        record_reminder(
            store, state.owner, state.kpi, state.period, "escalation", now.replace(tzinfo=None)
        )
        sent.append(f"escalated {state.owner}/{state.kpi} to {', '.join(to)}")
    if not settings.configured and skipped:
        skipped.append("(smtp.host is not set: nothing was sent or recorded)")
    if refused:
        # the run fails, so `jobs list` and the review's failed jobs show it; the refused
        # mails are tried again by the next run (they were not recorded)
        raise MailRefused(
            "; ".join(sent + skipped) + f"; not delivered: {'; '.join(refused)}"
            if sent or skipped
            else f"not delivered: {'; '.join(refused)}"
        )
    return "; ".join(sent + skipped) or "nothing due"


def _end(label: str) -> dt.date:
    return Period.parse(label).last


def _missed_periods(store: Store, local: dt.date, now: dt.datetime) -> list[CheckinState]:
    """The check-ins missing for last week's periods and for last month. A month is listed
    with the weeks whose Sunday falls in it, so a month that ends on a Saturday is in no
    "last week" once it is missing (its check-in is due the Sunday after, in a week that
    lists the next month): it is looked up with the week of its first day, all the next
    month long."""
    month = Period.of("month", local).previous()
    found: dict[tuple[str, str, str], CheckinState] = {}
    for week, only in (
        (Period.week_of(local).previous().label, None),
        (Period.week_of(month.first).label, month.label),
    ):
        for state in checkin_status(store, week, now).kpis:
            if state.state == "missing" and only in (None, state.period):
                found.setdefault((state.owner, state.kpi, state.period), state)
    return list(found.values())


def _missing(store: Store, kpi: str, period: str, now: dt.datetime) -> bool:
    # a month's check-ins are listed with the week holding the month's first day
    week = Period.week_of(Period.parse(period).first).label
    return any(s.kpi == kpi and s.state == "missing" for s in checkin_status(store, week, now).kpis)
