"""Settings: pace thresholds, timezone, backups, job schedules, mail and the jobs' runs.

Every form saves through one tracker service (tracker.plan.update_settings, or the
mailer's save_mail_settings): validated by the settings registry, audited, undoable.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import settings_view, state, ui
from dashboard.schedule_editor import schedule_input
from jobs.registry import JOBS
from jobs.runner import cron_problem, run_job, schedule_words
from tracker.errors import WaypointError
from tracker.mailer import (
    MailError,
    mail_form,
    mail_settings,
    password_in_environment,
    save_mail_settings,
    send_test_email,
)
from tracker.plan import update_settings
from tracker.settings import SETTINGS, environment_override, stored_setting

store = state.store()
actor = st.session_state["actor"]
with store.session():
    plan = state.cached(state.plan)
stored = {k: str(v) for k, v in plan.settings.items()}

if actor.role != "manager":
    # everyone reads the settings; a manager changes them (tracker.plan refuses others)
    st.title("Settings")
    settings_view.show(store, plan, actor)
    st.stop()


def in_effect(name: str, describe: Callable[[str], str] | None = None) -> None:
    """Under a field the server's environment overrides: the value that counts, and that
    saving here changes nothing until the variable is unset (get_setting's order)."""
    env = environment_override(name)
    if env:
        var, value = env
        shown = f"{describe(value)} ({value!r})" if describe else repr(value)
        st.caption(
            ui.text(
                f"In effect: {shown}, from {var} in the server's environment, which"
                " overrides what is saved here until it is unset."
            )
        )


st.title("Settings")
with st.form("settings_form"):
    # pace is a ratio people do not meet elsewhere: say what 0.90 means
    pace_help = f"{settings_view.PACE_WORDS}: 0.90 means 90% of the way it should be."
    # the registry's bounds (0 to 1): a wider field let a manager type 1.5 to be refused
    low, high = SETTINGS["on_track_pace"].bounds or (0.0, 1.0)
    on = st.number_input(
        "On track at pace ≥",
        value=float(stored_setting("on_track_pace", stored)),
        min_value=low,
        max_value=high,
        step=0.05,
        help=pace_help,
    )
    in_effect("on_track_pace")
    risk = st.number_input(
        "At risk at pace ≥",
        value=float(stored_setting("at_risk_pace", stored)),
        min_value=low,
        max_value=high,
        step=0.05,
        help=pace_help + " Below this line a KPI is off track.",
    )
    in_effect("at_risk_pace")
    timezone = st.text_input("Timezone (IANA)", value=plan.workspace.timezone)
    fewest, most = SETTINGS["backup.keep"].bounds or (1, 3650)
    keep = st.number_input(
        "Backups to keep",
        value=int(stored_setting("backup.keep", stored)),
        min_value=int(fewest),
        max_value=int(most),
        step=1,
    )
    in_effect("backup.keep")
    if st.form_submit_button("Save settings", type="primary"):
        values = {"on_track_pace": on, "at_risk_pace": risk, "backup.keep": int(keep)}
        # drawn again from the new revision: the schedules' and jobs' captions said "In
        # UTC" under a time zone just saved until the page was reloaded
        ui.run_safely(
            lambda: update_settings(store, actor, values, timezone=timezone),
            "Settings saved.",
            rerun=True,
        )

st.subheader("Schedules")
st.caption(f"In {plan.workspace.timezone} (the workspace's timezone).")
schedules = {}
for spec in JOBS.values():
    schedules[spec.setting] = schedule_input(
        spec.title,
        str(stored_setting(spec.setting, stored)),
        plan.workspace.timezone,
        key=f"settings_{spec.setting}",
    )
    in_effect(spec.setting, schedule_words)
if st.button("Save schedules", key="settings_save_schedules"):
    titles = {spec.setting: spec.title for spec in JOBS.values()}
    bad = [p for name, expr in schedules.items() if (p := cron_problem(titles[name], expr))]
    if bad:
        st.error(ui.text("Not saved: " + "; ".join(bad)))
    else:
        ui.run_safely(lambda: update_settings(store, actor, schedules), "Schedules saved.")

st.subheader("Mail")
password_env = SETTINGS["smtp.password"].env_var
from_env = password_in_environment()
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
try:
    shown = mail_form(store)
except MailError as exc:
    st.warning(ui.text(str(exc)))
    shown = None
if shown is not None:
    with st.form("smtp_form"):
        host = st.text_input("SMTP server", value=shown.host, disabled=from_env)
        port = st.number_input(
            "Port", value=shown.port, min_value=1, max_value=65535, step=1, disabled=from_env
        )
        modes = {
            "starttls": "STARTTLS (port 587)",
            "ssl": "Implicit TLS (port 465)",
            "none": "None",
        }
        mode = st.radio(
            "Encryption (certificates are verified)",
            list(modes),
            index=list(modes).index(shown.mode),
            format_func=modes.get,
            horizontal=True,
            disabled=from_env,
        )
        user = st.text_input("User", value=shown.user, disabled=from_env)
        sender = st.text_input("Send as", value=shown.sender)
        if st.form_submit_button("Save mail settings"):
            ui.run_safely(
                lambda: save_mail_settings(
                    store, actor, sender=sender, host=host, port=int(port), mode=mode, user=user
                ),
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
    st.info(f"Mail is off: {settings_view.MAIL_OFF}")

st.subheader("Scheduled jobs")
jobs = settings_view.jobs_table(store, plan, actor)
titles = {j.name: j.title for j in jobs}
job = st.selectbox("Run a job now", list(titles), format_func=titles.get, key="settings_job")
if st.button("Run now", key="settings_run"):
    with st.spinner(f"Running {titles[job].lower()}..."):
        outcome, message = run_job(store, job)
    (st.success if outcome == "ok" else st.error)(ui.text(f"{titles[job]}: {outcome}: {message}"))
