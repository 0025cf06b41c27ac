"""Settings: pace thresholds, timezone, job schedules and their last runs, backups."""

from __future__ import annotations

import datetime as dt

import streamlit as st
import yaml

from dashboard import state, ui
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
    schedules = {
        name: st.text_input(f"{name} (cron)", value=str(get_setting(name, stored)))
        for name in SETTINGS
        if name.startswith("schedule.")
    }
    keep = st.number_input(
        "Backups to keep", value=int(get_setting("backup.keep", stored)), min_value=1, step=1
    )
    if st.form_submit_button("Save settings", type="primary"):
        from jobs.runner import cron_problem

        bad = [p for name, expr in schedules.items() if (p := cron_problem(name, expr))]
        if bad:
            st.error(ui.text("Not saved: " + "; ".join(bad)))
        else:
            data = yaml.safe_load(dump_plan(plan))
            data["workspace"]["timezone"] = timezone
            data["settings"] = {
                **data.get("settings", {}),
                "on_track_pace": on,
                "at_risk_pace": risk,
                "backup.keep": int(keep),
                **schedules,
            }
            ui.run_safely(
                lambda: apply_plan(store, validate_plan(data, "settings"), actor), "Settings saved."
            )

st.subheader("Scheduled jobs")
from jobs.runner import job_overview, run_job  # noqa: E402

with store.session():
    jobs = job_overview(store)
st.dataframe(
    [
        {
            "job": j.name,
            "schedule": j.schedule,
            "last run (UTC)": j.last_run,
            "outcome": j.last_outcome,
            "message": j.last_message,
            "next run": j.next_run,
        }
        for j in jobs
    ],
    hide_index=True,
)
job = st.selectbox("Run a job now", [j.name for j in jobs], key="settings_job")
if st.button("Run now", key="settings_run"):
    with st.spinner(f"Running {job}..."):
        outcome, message = run_job(store, job)
    (st.success if outcome == "ok" else st.error)(f"{job}: {outcome}: {message}")
st.caption(f"Today in the workspace: {dt.date.today()}")
