"""Settings: pace thresholds, timezone, job schedules and their last runs, backups."""

from __future__ import annotations

import streamlit as st
import yaml

from dashboard import state, ui
from tracker.errors import WaypointError
from tracker.plan import apply_plan, dump_plan, validate_plan
from tracker.settings import SETTINGS, get_setting

store = state.store()
actor = st.session_state["actor"]
with store.session():
    plan = state.cached(state.plan)
stored = {k: str(v) for k, v in plan.settings.items()}

st.title("Settings")
with st.form("settings_form"):
    on = st.number_input(
        "On track at pace ≥",
        value=float(get_setting("on_track_pace", stored)),
        min_value=0.0,
        max_value=2.0,
        step=0.05,
    )
    risk = st.number_input(
        "At risk at pace ≥",
        value=float(get_setting("at_risk_pace", stored)),
        min_value=0.0,
        max_value=2.0,
        step=0.05,
    )
    timezone = st.text_input("Timezone (IANA)", value=plan.workspace.timezone)
    keep = st.number_input(
        "Backups to keep", value=int(get_setting("backup.keep", stored)), min_value=1, step=1
    )
    if st.form_submit_button("Save settings", type="primary"):
        # thresholds, timezone and backups; schedules have their own editor below
        data = yaml.safe_load(dump_plan(plan))
        data["workspace"]["timezone"] = timezone
        data["settings"] = {
            **data.get("settings", {}),
            "on_track_pace": on,
            "at_risk_pace": risk,
            "backup.keep": int(keep),
        }
        ui.run_safely(
            lambda: apply_plan(store, validate_plan(data, "settings"), actor), "Settings saved."
        )

st.subheader("Schedules")
from dashboard.schedule_editor import schedule_input  # noqa: E402
from jobs.runner import cron_problem  # noqa: E402

schedules = {
    name: schedule_input(
        f"When {name.removeprefix('schedule.').replace('_', ' ')} runs",
        str(get_setting(name, stored)),
        plan.workspace.timezone,
        key=f"settings_{name}",
    )
    for name in SETTINGS
    if name.startswith("schedule.")
}
if st.button("Save schedules", key="settings_save_schedules"):
    bad = [p for name, expr in schedules.items() if (p := cron_problem(name, expr))]
    if bad:
        st.error(ui.text("Not saved: " + "; ".join(bad)))
    else:
        data = yaml.safe_load(dump_plan(plan))
        data["settings"] = {**data.get("settings", {}), **schedules}
        ui.run_safely(
            lambda: apply_plan(store, validate_plan(data, "settings"), actor), "Schedules saved."
        )

st.subheader("Mail")
from tracker.mailer import MailError, mail_settings, send_test_email  # noqa: E402

password_env = SETTINGS["smtp.password"].env_var
from_env = bool(get_setting("smtp.password", {}))
if from_env:
    st.caption(
        f"The SMTP password comes from {password_env}, so the server, port, TLS mode and"
        " user come from the environment too (a page cannot send the password elsewhere)."
    )
else:
    st.caption(
        f"The password is never stored here: set {password_env} (with WAYPOINT_SMTP_HOST)"
        " in the server's environment if the server needs one."
    )
with st.form("smtp_form"):
    host = st.text_input(
        "SMTP server", value=str(get_setting("smtp.host", stored)), disabled=from_env
    )
    port = st.number_input(
        "Port",
        value=int(get_setting("smtp.port", stored)),
        min_value=1,
        max_value=65535,
        step=1,
        disabled=from_env,
    )
    modes = {"starttls": "STARTTLS (port 587)", "ssl": "Implicit TLS (port 465)", "none": "None"}
    current = (
        "ssl"
        if get_setting("smtp.ssl", stored)
        else ("starttls" if get_setting("smtp.starttls", stored) else "none")
    )
    mode = st.radio(
        "Encryption (certificates are verified)",
        list(modes),
        index=list(modes).index(current),
        format_func=modes.get,
        horizontal=True,
        disabled=from_env,
    )
    user = st.text_input("User", value=str(get_setting("smtp.user", stored)), disabled=from_env)
    sender = st.text_input("Send as", value=str(get_setting("smtp.sender", stored)))
    if st.form_submit_button("Save mail settings"):
        data = yaml.safe_load(dump_plan(plan))
        mail = {"smtp.sender": sender}
        if not from_env:
            mail.update(
                {
                    "smtp.host": host.strip(),
                    "smtp.port": int(port),
                    "smtp.starttls": mode == "starttls",
                    "smtp.ssl": mode == "ssl",
                    "smtp.user": user.strip(),
                }
            )
        data["settings"] = {**data.get("settings", {}), **mail}
        ui.run_safely(
            lambda: apply_plan(store, validate_plan(data, "settings"), actor),
            "Mail settings saved.",
        )
me = next((p for p in plan.people if p.key == actor.key), None)
to = st.text_input("Send a test email to", value=(me.email or "") if me else "", key="smtp_to")
if st.button("Send a test email", key="smtp_test"):
    with st.spinner("Sending..."):
        try:
            st.success(ui.text(send_test_email(store, actor, to)))
        except MailError as exc:
            st.error(ui.text(f"Not sent: {exc}"))
        except WaypointError as exc:
            st.error(ui.text(str(exc)))
try:
    configured = mail_settings(store).configured
except MailError as exc:
    configured = False
    st.warning(ui.text(str(exc)))
if not configured:
    st.info("Mail is off: the weekly digest is saved under reports/ and no reminder is sent.")

st.subheader("Scheduled jobs")
from jobs.runner import job_overview, run_job  # noqa: E402

with store.session():
    jobs = job_overview(store)
zone = jobs[0].timezone if jobs else plan.workspace.timezone
failed = [j for j in jobs if j.last_outcome == "failed"]
for j in failed:
    st.error(ui.text(f"{j.name} failed at {j.last_run:%a %d %b %H:%M}: {j.last_message}"))
st.dataframe(
    [
        {
            "job": j.name.replace("_", " "),
            "when": j.schedule_words.removesuffix(f" ({zone})"),
            "last run": f"{j.last_run:%a %d %b %H:%M}" if j.last_run else "never",
            "outcome": j.last_outcome or "",
            "message": j.last_message or "",
            "next run": f"{j.next_run:%a %d %b %H:%M}" if j.next_run else "",
        }
        for j in jobs
    ],
    hide_index=True,
)
st.caption(f"Times in {zone} (the workspace's timezone).")
job = st.selectbox(
    "Run a job now",
    [j.name for j in jobs],
    format_func=lambda n: n.replace("_", " "),
    key="settings_job",
)
if st.button("Run now", key="settings_run"):
    with st.spinner(f"Running {job}..."):
        outcome, message = run_job(store, job)
    (st.success if outcome == "ok" else st.error)(ui.text(f"{job}: {outcome}: {message}"))
