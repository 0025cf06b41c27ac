"""The Settings page as assistants and viewers read it: the rules progress is judged by,
the workspace's clock and money, when the jobs run and how their last runs went, with
nothing to change. Every role reads every page (DESIGN.md, Roles); only a manager
changes settings, which tracker.plan refuses anyone else whatever the page shows. Mail
is said to be on or off: the server's name and user are a manager's to see."""

from __future__ import annotations

import streamlit as st

from dashboard import ui
from jobs.runner import JobInfo, job_overview
from tracker import formats
from tracker.mailer import MailError, mail_settings
from tracker.models import Plan
from tracker.records import Actor
from tracker.settings import get_setting
from tracker.store import Store

# What pace means, said on both Settings pages (a ratio people meet nowhere else)
PACE_WORDS = (
    "Pace is progress divided by the progress expected by now (a straight line from the"
    " start to the target by the deadline)"
)
MAIL_OFF = "the weekly digest is saved under reports/ and no reminder is sent."


def show(store: Store, plan: Plan, actor: Actor) -> None:
    st.caption("The settings as they stand. Only a manager changes them.")
    stored = {k: str(v) for k, v in plan.settings.items()}
    on_track = float(get_setting("on_track_pace", stored))
    at_risk = float(get_setting("at_risk_pace", stored))

    st.subheader("How progress is judged")
    st.markdown(
        f"{PACE_WORDS}. A KPI is **on track** at a pace of"
        f" {formats.percent(on_track)} or more, **at risk** from {formats.percent(at_risk)},"
        " and **off track** below that."
    )

    st.subheader("Workspace")
    st.markdown(
        f"- Time zone: {ui.text(plan.workspace.timezone)} (days and times are this clock's)\n"
        f"- Money is counted in {ui.text(plan.workspace.currency)}\n"
        f"- Backups kept: {int(get_setting('backup.keep', stored))}"
    )

    st.subheader("Mail")
    try:
        configured = mail_settings(store).configured
    except MailError:
        configured = False
    st.markdown(
        "On: reminders and the weekly digest are mailed." if configured else f"Off: {MAIL_OFF}"
    )

    st.subheader("Scheduled jobs")
    jobs_table(store, plan, actor)


def jobs_table(store: Store, plan: Plan, actor: Actor) -> list[JobInfo]:
    """Every job: a schedule the scheduler cannot read and a last run that failed said
    first, then when each runs and how its last run went (messages as ``actor`` may read
    them: a manager's name who was mailed). Returns the jobs."""
    with store.session():
        jobs = job_overview(store, reader=actor)
    zone = jobs[0].timezone if jobs else plan.workspace.timezone
    for j in jobs:
        if j.problem:  # a schedule the scheduler cannot read: the job never runs
            st.error(ui.text(f"{j.title} never runs: {j.problem}."))
        if j.last_outcome == "failed" and j.last_run:
            st.error(
                ui.text(
                    f"{j.title} failed at {formats.short_day(j.last_run)} {j.last_run:%H:%M}:"
                    f" {j.last_message}"
                )
            )
    st.dataframe(
        [
            {
                "job": j.title,
                "when": j.schedule_words,
                "last run": f"{formats.short_day(j.last_run)} {j.last_run:%H:%M}"
                if j.last_run
                else "never",
                "outcome": j.last_outcome or "",
                "message": j.last_message or "",
                "next run": f"{formats.short_day(j.next_run)} {j.next_run:%H:%M}"
                if j.next_run
                else "",
            }
            for j in jobs
        ],
        hide_index=True,
        key="settings_jobs",
    )
    st.caption(f"Times in {ui.text(zone)} (the workspace's timezone).")
    return jobs
