"""Plan: vision, objectives (a POST walk-through), KPIs, metrics, people; YAML in and out."""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import streamlit as st
import yaml

from dashboard import plan_view, state, ui
from tracker.errors import WaypointError
from tracker.models import Outcome
from tracker.plan import apply_plan, apply_plan_text, dump_plan, readable_plan, validate_plan
from tracker.plan.apply import NeedsConfirmation
from tracker.vocab import (
    BEHAVIOUR_LABEL,
    BEHAVIOURS,
    CLASS_LABEL,
    METRIC_CLASSES,
    ROLES,
    outcome_label,
)

store = state.store()
actor = st.session_state["actor"]
with store.session():
    plan = state.cached(state.plan)

if actor.role != "manager":
    # everyone reads the plan; a manager changes it (tracker.plan refuses anyone else)
    st.title("Plan")
    plan_view.show(readable_plan(plan, actor))
    st.stop()

data = yaml.safe_load(dump_plan(plan))
metric_keys = [m["key"] for m in data.get("metrics", [])]
people_keys = [p["key"] for p in data.get("people", [])]

st.title("Plan")


def with_notes(lead: str, changes: Any) -> str:
    """``lead`` and what the apply says of metrics whose values it reads anew (escaped)."""
    return " ".join([lead, *(f"{ui.text(n)}." for n in changes.notes)])


def save(new_data: dict, what: str) -> None:
    # drawn again from the new revision: every tab shows the save (the YAML tab still held
    # the plan before it, and applying that asked to set the save back)
    ui.run_safely(
        lambda: apply_plan(store, validate_plan(new_data, "dashboard"), actor),
        lambda changes: with_notes(what, changes),
        rerun=True,
    )


names = ui.names(plan)  # objectives and KPIs by the names people read
# Metrics on their own: a metric may share its key with a KPI (leads, leads).
metric_names = {m.key: m.name for m in plan.metrics}
person_names = ui.people(plan)


def pick(
    label: str,
    options: list[str],
    value: str | None,
    where: Any = st,
    names: dict[str, str] | None = None,
    none: str | None = None,
) -> str | None:
    """A selectbox showing names, returning keys; ``none`` adds a first "no value" choice."""
    choices: list[str | None] = ([None] if none is not None else []) + list(options)
    index = choices.index(value) if value in choices else 0
    return where.selectbox(
        label,
        choices,
        index=index,
        format_func=lambda k: none if k is None else (names or {}).get(k, k),
    )


def upsert(
    items: list[dict], fields: dict, *, new: bool, kind: str, keep_none: tuple[str, ...] = ()
) -> list[dict]:
    """The list with the edited item replaced in place, or a new one added at the end;
    fields left empty (None) are left out, as the plan file leaves them out, except those
    in ``keep_none``, written as null (a metric's ``min: null`` allows negatives). A new
    item may not take an existing key: it would replace that item and everything under it."""
    item = {k: v for k, v in fields.items() if v is not None or k in keep_none}
    if not item.get("key"):
        raise ValueError(f"Give the new {kind} a key (letters, digits and dashes).")
    if new and any(i["key"] == item["key"] for i in items):
        raise ValueError(
            f"There is already {'an' if kind[0] in 'aeiou' else 'a'} {kind} with the key {item['key']!r}: pick it above to"
            " change it, or give the new one another key."
        )
    if not new:
        return [item if i["key"] == item["key"] else i for i in items]
    return [*items, item]


def save_item(
    holder: dict, field: str, fields: dict, *, new: bool, kind: str, keep_none: tuple = ()
) -> None:
    """Put the edited item into ``holder[field]`` (the plan's list of them) and apply the
    whole plan through the same service as `plan apply`; a refused item is shown."""
    try:
        items = upsert(holder.get(field, []), fields, new=new, kind=kind, keep_none=keep_none)
    except ValueError as exc:
        st.error(str(exc))
    else:
        holder[field] = items
        save(data, f"{kind[0].upper()}{kind[1:]} saved.")


def stored_widget(widget: Any, label: str, shown: Any, key: str, **kwargs: Any) -> Any:
    """``widget(label, value=shown, key=key)`` for a widget that keeps what it holds
    across reruns, ``shown`` being the value it shows for what is stored now. Once that
    moved (a target raised by a plan apply, another manager or an undo while the page was
    open), a widget the person has not touched shows the new value: a save would
    otherwise have set it back without a word. What the person typed is kept (their
    edit; the plan's own checks, or its stale-file question, judge it)."""
    mark = f"{key}::shown"
    before = st.session_state.get(mark, shown)
    if key not in st.session_state or (before != shown and st.session_state[key] == before):
        # through Session State, which the browser's copy follows: a new default alone
        # left the browser holding the old text (the YAML tab, untouched, applied the plan
        # from before a form's save and asked to set that save back)
        st.session_state[key] = shown
    st.session_state[mark] = shown
    return widget(label, key=key, **kwargs)


def number_text(value: Any) -> str:
    return (
        "" if value is None else format(value, ".15g") if isinstance(value, float) else str(value)
    )


def parse_number_field(label: str, text: str) -> float | None:
    """The number typed, read as imports read numbers (1,500 and 1 500 are 1500)."""
    return ui.typed_number(label, text)


def choose(
    kind: str, keys: list[str], items: list[dict], shown: dict[str, str]
) -> tuple[str, dict]:
    """The item picker of a tab: "(new KIND)" or an existing item by name; returns the
    choice and the item as the plan holds it ({} for a new one)."""
    choice = st.selectbox(
        kind.capitalize(),
        [f"(new {kind})", *keys],
        key=f"plan_{kind}_choice",
        format_func=lambda k: shown.get(k, k),
    )
    return choice, next((i for i in items if i["key"] == choice), {})


def key_field(where: Any, kind: str, choice: str, cur: dict) -> str:
    """The item's key: typed for a new item, shown but fixed for an existing one."""
    return where.text_input(
        "Key", value=cur.get("key", ""), disabled=bool(cur), key=f"plan_{kind}_key_{choice}"
    )


# the open tab is kept across reruns: a save, or a check on the YAML tab, drew the page
# again on Vision, with the result (or the stale-file question) in a tab out of sight
tab_vision, tab_obj, tab_kpi, tab_metric, tab_people, tab_yaml = st.tabs(
    ["Vision", "Objectives", "KPIs", "Metrics", "People", "YAML"], key="plan_tab", on_change="rerun"
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
    chosen = st.selectbox(
        "Objective", keys, key="plan_objective", format_func=lambda k: names.get(k, k)
    )
    current = next((o for o in data.get("objectives", []) if o["key"] == chosen), {})
    with st.form("plan_objective_form"):
        key = st.text_input(
            "Key",
            value=current.get("key", ""),
            disabled=bool(current),
            key=f"plan_objective_key_{chosen}",
        )
        title = stored_widget(
            st.text_input, "Title", current.get("title", ""), f"plan_objective_title_{chosen}"
        )
        people = st.text_area(
            "People: who are they, and where do they spend time?", value=current.get("people", "")
        )
        outcomes = list(get_args(Outcome))
        outcome = st.selectbox(
            "Objective: which business outcome?",
            outcomes,
            index=outcomes.index(current.get("outcome", "leads")),
            format_func=outcome_label,
        )
        strategy = st.text_area(
            "Strategy: how will you get there?", value=current.get("strategy", "")
        )
        channels = st.text_input(
            "Technology: channels (comma-separated)", value=", ".join(current.get("channels", []))
        )
        owner = pick("Owner", people_keys, current.get("owner"), names=person_names, none="Nobody")
        # a new objective starts today in the workspace's timezone, for a quarter
        today = state.as_of()
        start = st.date_input("Start", value=current.get("start") or today, format="YYYY-MM-DD")
        deadline = st.date_input(
            "Deadline",
            value=current.get("deadline") or today + dt.timedelta(days=90),
            format="YYYY-MM-DD",
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
            save_item(data, "objectives", item, new=not current, kind="objective")

with tab_kpi:
    objective_keys = [o["key"] for o in data.get("objectives", [])]
    if not objective_keys or not metric_keys:
        st.info("Write an objective and a metric first; KPIs belong to objectives.")
    else:
        target_obj = st.selectbox(
            "Objective",
            objective_keys,
            key="plan_kpi_objective",
            format_func=lambda k: names.get(k, k),
        )
        obj = next(o for o in data["objectives"] if o["key"] == target_obj)
        kpi_keys = ["(new KPI)"] + [k["key"] for k in obj.get("kpis", [])]
        kchoice = st.selectbox(
            "KPI", kpi_keys, key="plan_kpi_choice", format_func=lambda k: names.get(k, k)
        )
        cur = next((k for k in obj.get("kpis", []) if k["key"] == kchoice), {})
        campaigns = {c["key"]: c["name"] for c in obj.get("campaigns", [])}
        with st.form("plan_kpi_form"):
            kkey = key_field(st, "kpi", kchoice, cur)
            kname = st.text_input("Name people read", value=cur.get("name", ""))
            ratio = cur.get("ratio") or {}
            kinds = ["One metric", "A ratio of two metrics"]
            kind = stored_widget(
                lambda label, **kw: st.radio(label, kinds, **kw),
                "It measures",
                kinds[1 if ratio else 0],
                f"plan_kpi_kind_{kchoice}",
                horizontal=True,
            )
            metric = pick("Metric", metric_keys, cur.get("metric"), names=metric_names)
            left, right = st.columns(2)
            # a metric KPI turned into a ratio starts as its metric over another one (a
            # metric over itself is refused: it is always 1)
            top = ratio.get("numerator") or cur.get("metric")
            below = ratio.get("denominator") or next((m for m in metric_keys if m != top), None)
            numerator = pick("Ratio: numerator", metric_keys, top, left, metric_names)
            denominator = pick("Ratio: denominator", metric_keys, below, right, metric_names)
            aggregation = pick(
                "How the window's days add up (one metric)",
                ["sum", "latest", "mean"],
                cur.get("aggregation"),
                none="The metric's usual way (flow: sum, stock: latest)",
            )
            left, right = st.columns(2)
            target_text = stored_widget(
                left.text_input,
                "Target",
                number_text(cur.get("target")),
                f"plan_kpi_target_{kchoice}",
            )
            baseline_text = right.text_input(
                "Baseline (empty: from the data)", value=number_text(cur.get("baseline"))
            )
            left, right = st.columns(2)
            per = pick("Every period", ["week", "month"], cur.get("per"), left, none="Whole window")
            stay = pick(
                "Keep it", ["above", "below"], cur.get("stay"), right, none="Reach the target"
            )
            left, right = st.columns(2)
            kstart = left.date_input(
                "Start (empty: the objective's)", value=cur.get("start"), format="YYYY-MM-DD"
            )
            kdeadline = right.date_input(
                "Deadline (empty: the objective's)", value=cur.get("deadline"), format="YYYY-MM-DD"
            )
            left, right = st.columns(2)
            cadence = left.selectbox(
                "Check-ins",
                ["weekly", "monthly"],
                index=1 if cur.get("cadence") == "monthly" else 0,
            )
            kowner = pick("Owner", people_keys, cur.get("owner"), right, person_names, "Nobody")
            campaign = pick(
                "Campaign",
                list(campaigns),
                cur.get("campaign"),
                names=campaigns,
                none="No campaign",
            )
            if st.form_submit_button("Save KPI"):
                try:
                    target = parse_number_field("Target", target_text)
                    baseline = parse_number_field("Baseline", baseline_text)
                except ValueError as exc:
                    st.error(str(exc))
                else:
                    # Only what the plan file would hold: a field left at its default is
                    # left out, so saving an unchanged KPI is the same KPI.
                    fields = {
                        "key": cur.get("key") or kkey.strip(),
                        "name": kname.strip() or None,
                        "metric": metric if kind == "One metric" else None,
                        "ratio": {"numerator": numerator, "denominator": denominator}
                        if kind != "One metric"
                        else None,
                        "aggregation": aggregation if kind == "One metric" else None,
                        "baseline": baseline,
                        "target": target,
                        "start": kstart,
                        "deadline": kdeadline,
                        "owner": kowner,
                        "cadence": cadence if cadence != "weekly" else None,
                        "campaign": campaign,
                        "per": per,
                        "stay": stay,
                    }
                    save_item(obj, "kpis", fields, new=not cur, kind="KPI")

with tab_metric:
    st.caption(
        "What you count. Flow metrics add up over days (posts, leads); stock metrics are a"
        " level read on a day (followers, a rating)."
    )
    mchoice, mcur = choose("metric", metric_keys, data.get("metrics", []), metric_names)
    with st.form("plan_metric_form"):
        left, right = st.columns(2)
        mkey = key_field(left, "metric", mchoice, mcur)
        mname = right.text_input("Name people read", value=mcur.get("name", ""))
        left, right = st.columns(2)
        mclass = left.selectbox(
            "Class",
            list(METRIC_CLASSES),
            index=METRIC_CLASSES.index(mcur.get("class", "outcome")),
            format_func=lambda c: f"{c}: {CLASS_LABEL[c]}" if CLASS_LABEL[c] != c else c,
        )
        mbehaviour = right.selectbox(
            "Behaviour",
            list(BEHAVIOURS),
            index=BEHAVIOURS.index(mcur.get("behaviour", "flow")),
            format_func=lambda b: BEHAVIOUR_LABEL[b],
        )
        left, right = st.columns(2)
        munit = left.text_input("Unit (USD, h, % … empty: a count)", value=mcur.get("unit") or "")
        mchannel = right.text_input(
            "Channel (empty: every channel)", value=mcur.get("channel") or ""
        )
        left, right = st.columns(2)
        negatives = "min" in mcur and mcur["min"] is None
        mmin_text = stored_widget(
            left.text_input,
            "Smallest value allowed",
            "" if negatives else number_text(mcur.get("min", 0)),
            f"plan_metric_min_{mchoice}",
        )
        mnegatives = stored_widget(
            left.checkbox,
            "Any value, negatives too (net change)",
            negatives,
            f"plan_metric_neg_{mchoice}",
        )
        mprefer = right.text_input(
            "Source that counts when two overlap (empty: add them up or take the latest)",
            value=mcur.get("prefer") or "",
        )
        left, right = st.columns(2)
        # those who may log: a viewer was offered here, then refused every entry
        loggers = [p["key"] for p in data.get("people", []) if p.get("role") != "viewer"]
        mowner = pick(
            "May also log it", loggers, mcur.get("owner"), left, person_names, "KPI owners only"
        )
        mqualified = right.checkbox(
            "Qualified (counts only the target audience)", value=bool(mcur.get("qualified"))
        )
        if st.form_submit_button("Save metric"):
            try:
                least = None if mnegatives else parse_number_field("Smallest value", mmin_text)
                fields = {
                    "key": mcur.get("key") or mkey.strip(),
                    "name": mname.strip(),
                    "unit": munit.strip() or None,
                    "channel": mchannel.strip() or None,
                    "class": mclass,
                    "behaviour": mbehaviour,
                    # left at their defaults they are left out, as a plan file leaves them
                    "qualified": True if mqualified else None,
                    "min": None if least == 0 else least,
                    "prefer": mprefer.strip() or None,
                    "owner": mowner,
                }
            except ValueError as exc:
                st.error(str(exc))
            else:
                save_item(
                    data,
                    "metrics",
                    fields,
                    new=not mcur,
                    kind="metric",
                    # written as null: negatives allowed; an owner taken away (left out,
                    # the plan keeps the stored owner)
                    keep_none=(("min",) if mnegatives else ())
                    + (("owner",) if mcur.get("owner") and mowner is None else ()),
                )

with tab_people:
    st.caption("Who owns KPIs, checks in and signs in; managers change the plan.")
    pchoice, pcur = choose("person", people_keys, data.get("people", []), person_names)
    with st.form("plan_people_form"):
        left, right = st.columns(2)
        pkey = key_field(left, "person", pchoice, pcur)
        pname = right.text_input("Name", value=pcur.get("name", ""))
        left, right = st.columns(2)
        pemail = left.text_input("Email (for sign-in and reminders)", value=pcur.get("email") or "")
        prole = right.selectbox(
            "Role", list(ROLES), index=ROLES.index(pcur.get("role", "assistant"))
        )
        left, right = st.columns(2)
        pmanager = pick(
            "Manager (told when check-ins are ignored)",
            [k for k in people_keys if k != pchoice],
            pcur.get("manager"),
            left,
            person_names,
            "Nobody",
        )
        prate_text = stored_widget(
            right.text_input,
            "Hourly rate (empty: none)",
            number_text(pcur.get("hourly_rate")),
            f"plan_person_rate_{pchoice}",
        )
        psince = st.date_input(
            "In the workspace since (nothing is owed for periods before)",
            value=pcur.get("since"),
            format="YYYY-MM-DD",
        )
        if st.form_submit_button("Save person"):
            try:
                rate = parse_number_field("Hourly rate", prate_text)
                fields = {
                    "key": pcur.get("key") or pkey.strip(),
                    "name": pname.strip(),
                    "role": prole,
                    "email": pemail.strip() or None,
                    "hourly_rate": rate,
                    "manager": pmanager,
                    "since": psince,
                    # sign-in pinning is set in the plan file (docs/auth.md); kept as it is
                    "issuer": pcur.get("issuer"),
                    "subject": pcur.get("subject"),
                }
            except ValueError as exc:
                st.error(str(exc))
            else:
                # an emptied field clears it (left out of a file, a private field is kept)
                save_item(
                    data,
                    "people",
                    fields,
                    new=not pcur,
                    kind="person",
                    keep_none=("email", "hourly_rate", "issuer", "subject"),
                )


def apply_yaml(text: str, *, confirm: bool = False) -> None:
    """Apply the YAML tab's text; say what was kept, and ask (Apply anyway) where the
    command line asks for --yes: a stale file, or missing sections."""
    try:
        changes = apply_plan_text(store, text, actor, source="plan.yaml", confirm=confirm)
    except NeedsConfirmation as exc:
        st.session_state[ASKS] = f"Not applied yet: {exc.question}. Apply anyway below to go ahead."
        return
    except WaypointError as exc:
        st.error(ui.text(ui.refusal_words(exc)))
        return
    st.session_state.pop(ASKS, None)
    st.success(with_notes("Plan applied.", changes))
    if changes.kept:
        # the file left out metrics that hold values: kept, and said so (the page said
        # only "Plan applied." and the metric was still there); kept items are "metric:KEY"
        keys = [k.split(":", 1)[-1] for k in changes.kept]
        kept = [metric_names.get(k, k) for k in keys]
        st.info(
            f"Kept {ui.text(', '.join(kept))}, though the plan no longer lists"
            f" {'it' if len(kept) == 1 else 'them'}: metrics holding values are never"
            " archived by leaving them out (`waypoint plan apply --prune` on the command"
            " line archives them)."
        )


ASKS = "plan_yaml_asks"
with tab_yaml:
    text = dump_plan(plan)
    st.download_button(
        "Export plan.yaml", text, "plan.yaml", mime="application/x-yaml", key="plan_export"
    )
    # follows the stored plan: after a form's save the text showed the plan before it,
    # and applying it asked to set that save back
    new_text = stored_widget(st.text_area, "Edit the plan as YAML", text, "plan_yaml", height=400)
    left, right = st.columns(2)
    if left.button("Check (dry run)", key="plan_dry"):
        try:
            changes = apply_plan_text(store, new_text, actor, source="plan.yaml", dry_run=True)
            st.info(with_notes(f"Would apply: {changes.summary()}.", changes))
        except WaypointError as exc:
            st.error(ui.text(str(exc)))
    if right.button("Apply", type="primary", key="plan_apply"):
        apply_yaml(new_text)
    if ASKS in st.session_state:
        st.warning(ui.text(st.session_state[ASKS]))
        if st.button("Apply anyway", key="plan_apply_anyway"):
            apply_yaml(new_text, confirm=True)
