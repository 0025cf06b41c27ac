"""The Plan page as assistants and viewers read it: the vision, each objective with its
KPIs, the metrics and the people, and the plan file to download, with nothing to edit.
Every role reads every page (DESIGN.md, Roles); only a manager changes the plan, which
tracker.plan refuses anyone else whatever the page shows."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import ui
from tracker import formats
from tracker.models import KPI, Metric, Objective, Plan
from tracker.plan import dump_plan
from tracker.vocab import BEHAVIOUR_LABEL, CLASS_LABEL, outcome_label


def show(plan: Plan) -> None:
    """Draw ``plan`` (already as its reader may read it: ``readable_plan``)."""
    st.caption("The plan as it stands. Only a manager changes it.")
    metrics = {m.key: m for m in plan.metrics}
    people = ui.people(plan)
    currency = plan.workspace.currency

    st.subheader("Vision")
    st.markdown(ui.text(plan.workspace.vision) or "_No vision written yet._")

    st.subheader("Objectives")
    if not plan.objectives:
        st.caption("No objective yet.")
    for objective in plan.objectives:
        _objective(objective, metrics, people, currency)

    st.subheader("Metrics")
    if plan.metrics:
        st.dataframe(
            [_metric_row(m, people) for m in plan.metrics],
            hide_index=True,
            key="plan_metrics",
            height=_whole(len(plan.metrics)),  # every metric in sight, not ten and a scroll
        )
    else:
        st.caption("No metric yet.")

    st.subheader("People")
    st.dataframe(
        [
            {
                "name": p.name,
                "role": p.role,
                "manager": people.get(p.manager, p.manager) if p.manager else "",
                "in the workspace since": formats.long_day(p.since) if p.since else "",
            }
            for p in plan.people
        ],
        hide_index=True,
        key="plan_people",
    )

    st.subheader("The plan as a file")
    withheld = ", ".join(field.replace("_", " ") for field in plan.withheld)
    st.caption(
        "plan.yaml, as `waypoint plan export` writes it for you"
        + (f" (without {withheld}: a manager's to see)." if withheld else ".")
    )
    st.download_button("Export plan.yaml", dump_plan(plan), "plan.yaml", mime="application/x-yaml")


def _objective(
    objective: Objective, metrics: dict[str, Metric], people: dict[str, str], currency: str
) -> None:
    with st.container(border=True):
        st.markdown(f"**{ui.text(objective.title)}**")
        facts = [f"outcome: {outcome_label(objective.outcome)}"]
        if objective.owner:
            facts.append(f"owner: {people.get(objective.owner, objective.owner)}")
        if objective.start and objective.deadline:
            facts.append(formats.day_span(objective.start, objective.deadline))
        if objective.channels:
            facts.append("channels: " + ", ".join(objective.channels))
        st.caption(ui.text(" · ".join(facts)))
        for label, words in (("For", objective.people), ("Strategy", objective.strategy)):
            if words:
                st.markdown(f"{label}: {ui.text(words)}")
        if not objective.kpis:
            st.caption("No KPI yet.")
            return
        campaigns = {c.key: c.name for c in objective.campaigns}
        st.dataframe(
            [_kpi_row(k, objective, metrics, people, campaigns, currency) for k in objective.kpis],
            hide_index=True,
            key=f"plan_kpis_{objective.key}",
            # sized by its short header, a campaign's name was cut ("Behind-the...")
            column_config={"campaign": st.column_config.TextColumn(width="medium")},
        )


def _kpi_row(
    kpi: KPI,
    objective: Objective,
    metrics: dict[str, Metric],
    people: dict[str, str],
    campaigns: dict[str, str],
    currency: str,
) -> dict[str, Any]:
    def name(key: str) -> str:
        return metrics[key].name if key in metrics else key

    if kpi.ratio is not None:
        top, below = kpi.ratio.numerator, kpi.ratio.denominator
        measures = f"{name(top)} / {name(below)}"
        unit = metrics[top].unit if top in metrics else None
        below_unit = metrics[below].unit if below in metrics else None
        share = formats.aims_at_share(kpi.target)
        target = formats.ratio_value(kpi.target, unit, below_unit, currency, share=share)
    else:
        measures = name(kpi.metric or "")
        unit = metrics[kpi.metric].unit if kpi.metric in metrics else None
        target = formats.value(kpi.target, unit, currency)
    if kpi.target is None:
        aim = "no target yet"
    elif kpi.stay:
        aim = f"stay {kpi.stay} {target}"
    elif kpi.per:
        aim = f"{target} every {kpi.per}"
    else:
        aim = target
    start, deadline = kpi.start or objective.start, kpi.deadline or objective.deadline
    # what a phone shows first (its width holds two or three columns): the KPI, its
    # target and whose it is
    return {
        "KPI": kpi.name or name(kpi.metric or "") or kpi.key,
        "target": aim,
        "owner": people.get(kpi.owner, kpi.owner) if kpi.owner else "no owner yet",
        "days": formats.day_span(start, deadline) if start and deadline else "",
        "check-ins": "every month" if kpi.cadence == "monthly" else "every week",
        "campaign": campaigns.get(kpi.campaign, kpi.campaign) if kpi.campaign else "",
        # last: most KPIs are named for their metric, so it is the column to lose when
        # the table is wider than the page (a campaign's name was cut at 1400 px)
        "measures": measures,
    }


def _whole(rows: int) -> int:
    """A table's height in pixels with every row in sight (Streamlit's rows are 35 px)."""
    return 35 * (rows + 1) + 3


def _metric_row(metric: Metric, people: dict[str, str]) -> dict[str, Any]:
    return {
        "metric": metric.name,
        "class": CLASS_LABEL[metric.class_],
        "counted as": BEHAVIOUR_LABEL[metric.behaviour],
        "channel": metric.channel or "",
        "unit": metric.unit or "",
        # who may log it besides the owners of its KPIs
        "owner": people.get(metric.owner, metric.owner) if metric.owner else "",
    }
