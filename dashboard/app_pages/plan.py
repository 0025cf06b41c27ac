"""Plan: vision, objectives (a POST walk-through), KPIs, metrics, people; YAML in and out."""

from __future__ import annotations

import datetime as dt
from typing import get_args

import streamlit as st
import yaml

from dashboard import state, ui
from tracker.errors import WaypointError
from tracker.models import Outcome
from tracker.plan import apply_plan, apply_plan_text, dump_plan, validate_plan

store = state.store()
actor = st.session_state["actor"]
with store.session():
    plan = state.cached(state.plan)
data = yaml.safe_load(dump_plan(plan))
metric_keys = [m["key"] for m in data.get("metrics", [])]
people_keys = [p["key"] for p in data.get("people", [])]

st.title("Plan")


def save(new_data: dict, what: str) -> None:
    ui.run_safely(lambda: apply_plan(store, validate_plan(new_data, "dashboard"), actor), what)


tab_vision, tab_obj, tab_kpi, tab_metric, tab_people, tab_yaml = st.tabs(
    ["Vision", "Objectives", "KPIs", "Metrics", "People", "YAML"]
)

with tab_vision, st.form("plan_vision"):
    name = st.text_input("Workspace name", value=data["workspace"]["name"])
    vision = st.text_area(
        "Vision: what do you want to accomplish?", value=data["workspace"].get("vision", "")
    )
    if st.form_submit_button("Save vision"):
        data["workspace"].update(name=name, vision=vision or None)
        save(data, "Vision saved.")

with tab_obj:
    st.caption(
        "Start from the people, not the channel: who, which business outcome, how,"
        " and only then where."
    )
    keys = ["(new objective)"] + [o["key"] for o in data.get("objectives", [])]
    chosen = st.selectbox("Objective", keys, key="plan_objective")
    current = next((o for o in data.get("objectives", []) if o["key"] == chosen), {})
    with st.form("plan_objective_form"):
        key = st.text_input("Key", value=current.get("key", ""), disabled=bool(current))
        title = st.text_input("Title", value=current.get("title", ""))
        people = st.text_area(
            "People: who are they, and where do they spend time?", value=current.get("people", "")
        )
        outcomes = list(get_args(Outcome))
        outcome = st.selectbox(
            "Objective: which business outcome?",
            outcomes,
            index=outcomes.index(current.get("outcome", "leads")),
        )
        strategy = st.text_area(
            "Strategy: how will you get there?", value=current.get("strategy", "")
        )
        channels = st.text_input(
            "Technology: channels (comma-separated)", value=", ".join(current.get("channels", []))
        )
        owner = (
            st.selectbox(
                "Owner",
                people_keys,
                index=people_keys.index(current["owner"])
                if current.get("owner") in people_keys
                else 0,
            )
            if people_keys
            else None
        )
        start = st.date_input("Start", value=current.get("start") or dt.date.today())
        deadline = st.date_input(
            "Deadline", value=current.get("deadline") or dt.date.today() + dt.timedelta(days=90)
        )
        if st.form_submit_button("Save objective"):
            item = {
                **current,
                "key": current.get("key") or key.strip(),
                "title": title,
                "people": people or None,
                "outcome": outcome,
                "strategy": strategy or None,
                "channels": [c.strip() for c in channels.split(",") if c.strip()],
                "owner": owner,
                "start": start,
                "deadline": deadline,
            }
            item = {k: v for k, v in item.items() if v is not None}
            objectives = [o for o in data.get("objectives", []) if o["key"] != item["key"]]
            data["objectives"] = (
                [*objectives, item]
                if not current
                else [item if o["key"] == item["key"] else o for o in data["objectives"]]
            )
            save(data, "Objective saved.")

with tab_kpi:
    objective_keys = [o["key"] for o in data.get("objectives", [])]
    if not objective_keys or not metric_keys:
        st.info("Write an objective and a metric first; KPIs belong to objectives.")
    else:
        target_obj = st.selectbox("Objective", objective_keys, key="plan_kpi_objective")
        obj = next(o for o in data["objectives"] if o["key"] == target_obj)
        kpi_keys = ["(new KPI)"] + [k["key"] for k in obj.get("kpis", [])]
        kchoice = st.selectbox("KPI", kpi_keys, key="plan_kpi_choice")
        cur = next((k for k in obj.get("kpis", []) if k["key"] == kchoice), {})
        with st.form("plan_kpi_form"):
            kkey = st.text_input("Key", value=cur.get("key", ""), disabled=bool(cur))
            metric = st.selectbox(
                "Metric",
                metric_keys,
                index=metric_keys.index(cur["metric"]) if cur.get("metric") in metric_keys else 0,
            )
            target = st.number_input("Target", value=float(cur.get("target", 0) or 0))
            has_baseline = st.checkbox("Set a baseline", value="baseline" in cur)
            baseline = st.number_input("Baseline", value=float(cur.get("baseline", 0) or 0))
            kowner = st.selectbox(
                "Owner",
                people_keys,
                index=people_keys.index(cur["owner"]) if cur.get("owner") in people_keys else 0,
            )
            if st.form_submit_button("Save KPI"):
                item = {
                    **cur,
                    "key": cur.get("key") or kkey.strip(),
                    "metric": metric,
                    "target": target,
                    "owner": kowner,
                }
                item.pop("ratio", None) if "metric" in item else None
                if has_baseline:
                    item["baseline"] = baseline
                else:
                    item.pop("baseline", None)
                others = [k for k in obj.get("kpis", []) if k["key"] != item["key"]]
                obj["kpis"] = (
                    [*others, item]
                    if not cur
                    else [item if k["key"] == item["key"] else k for k in obj["kpis"]]
                )
                save(data, "KPI saved.")

with tab_metric, st.form("plan_metric_form", clear_on_submit=True):
    st.dataframe(data.get("metrics", []), hide_index=True)
    mkey = st.text_input("New metric key")
    mname = st.text_input("Name")
    mchannel = st.text_input("Channel")
    mclass = st.selectbox("Class", ["outcome", "engagement", "reach", "activity", "effort"])
    mbehaviour = st.selectbox("Behaviour", ["flow", "stock"])
    mqualified = st.checkbox("Qualified (counts only the target audience)")
    if st.form_submit_button("Add metric"):
        data.setdefault("metrics", []).append(
            {
                "key": mkey.strip(),
                "name": mname,
                "channel": mchannel or None,
                "class": mclass,
                "behaviour": mbehaviour,
                "qualified": mqualified,
            }
        )
        data["metrics"][-1] = {k: v for k, v in data["metrics"][-1].items() if v is not None}
        save(data, "Metric added.")

with tab_people, st.form("plan_people_form", clear_on_submit=True):
    st.dataframe(data.get("people", []), hide_index=True)
    pkey = st.text_input("New person key")
    pname = st.text_input("Name")
    pemail = st.text_input("Email")
    prole = st.selectbox("Role", ["assistant", "manager", "viewer"])
    prate = st.number_input("Hourly rate (optional)", value=0.0, min_value=0.0)
    if st.form_submit_button("Add person"):
        person = {
            "key": pkey.strip(),
            "name": pname,
            "role": prole,
            "email": pemail or None,
            "hourly_rate": prate or None,
        }
        data.setdefault("people", []).append({k: v for k, v in person.items() if v is not None})
        save(data, "Person added.")

with tab_yaml:
    text = dump_plan(plan)
    st.download_button(
        "Export plan.yaml", text, "plan.yaml", mime="application/x-yaml", key="plan_export"
    )
    new_text = st.text_area("Edit the plan as YAML", value=text, height=400, key="plan_yaml")
    left, right = st.columns(2)
    if left.button("Check (dry run)", key="plan_dry"):
        try:
            changes = apply_plan_text(store, new_text, actor, source="plan.yaml", dry_run=True)
            st.info(f"Would apply: {changes.summary()}")
        except WaypointError as exc:
            st.error(ui.text(str(exc)))
    if right.button("Apply", type="primary", key="plan_apply"):
        ui.run_safely(
            lambda: apply_plan_text(store, new_text, actor, source="plan.yaml"), "Plan applied."
        )
