"""Validating a plan whole: every problem at once, each naming its item and field.

``validate_plan`` reports field errors (pydantic) and cross-item errors (unknown
people and metrics, duplicate keys and emails, no manager, spans that end before they
start, KPIs whose progress cannot be measured, mappings that name unknown metrics)
as ``objectives[buyer-leads].kpis[leads-h2].target: ...``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import ValidationError

from tracker.errors import PlanError
from tracker.imports.mapping import column_problems, count_problems
from tracker.models import (
    KPI,
    Campaign,
    ImportMapping,
    Metric,
    Objective,
    Person,
    Plan,
    Workspace,
)
from tracker.plan.items import resolved_aggregation
from tracker.records import SCHEDULER
from tracker.settings import SETTINGS, pace_order_problem, validate_stored
from tracker.text import CONTROL_CHARACTERS, email_key


def _loc_to_path(data: Any, loc: tuple[Any, ...]) -> str:
    """Turn pydantic's ('objectives', 0, 'kpis', 1, 'target') into objectives[key].kpis[key].target."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = str(item)
            if isinstance(node, list) and 0 <= item < len(node):
                node = node[item]
                # items are named by their key; an import mapping by its name
                name = node.get("key") or node.get("name") if isinstance(node, dict) else None
                if name and (node.get("key") or parts[-1:] == ["imports"]):
                    label = str(name)
            else:
                node = None
            if parts:
                parts[-1] += f"[{label}]"
            else:
                parts.append(f"[{label}]")
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts) or "(top level)"


def _pattern_words(pattern: str, fallback: str) -> str:
    """What a field's pattern asks for, in words (never the regular expression)."""
    if pattern.startswith("^[^\\x00-\\x1f"):
        return "must be one line without control characters (tabs, line breaks, escape codes)"
    if pattern.startswith("^[A-Za-z0-9]"):
        return (
            "a key is letters, digits, '-', '_' and '.', starting with a letter or digit"
            " (no spaces)"
        )
    if "@" in pattern:
        return "not an email address (name@example.com)"
    if pattern == "^[A-Za-z]{3}$":
        return "a currency is its three-letter ISO 4217 code (EUR, USD, GBP, CHF...)"
    return fallback


def field_problems(data: Any, exc: ValidationError, at: tuple[Any, ...] = ()) -> list[str]:
    """Pydantic's errors in the words of a plan file: each names its item and field
    (``imports[till].day.format: ...``) without pydantic's own prefixes; ``at`` is where
    in ``data`` the validated part sits."""
    problems: list[Any] = []
    unions: dict[tuple[Any, ...], list[str]] = {}  # a field several types may fill
    for err in exc.errors():
        loc = at + tuple(
            x for x in err["loc"] if not (isinstance(x, str) and x.startswith("function-"))
        )
        if loc and loc[-1] in _UNION_MEMBERS and err["type"].endswith("_type"):
            # pydantic tries each type of a union and reports each: one line says what fits
            kinds = unions.setdefault(loc[:-1], [])
            if not kinds:
                problems.append(loc[:-1])  # a tuple, worded below
            if _UNION_MEMBERS[loc[-1]] not in kinds:
                kinds.append(_UNION_MEMBERS[loc[-1]])
            continue
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; see docs/plan.md)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        elif err["type"] == "value_error":
            msg = msg.removeprefix("Value error, ")
        elif err["type"].startswith(("date_", "datetime_")):
            # pydantic's words for a bad day ("Datetimes provided to dates should have
            # zero time", "input is too short") say nothing to a person writing a plan
            value = err.get("input")
            detail = msg.rsplit(", ", 1)[-1] if "outside expected range" in msg else ""
            msg = f"{value!r} is not a date; write it as YYYY-MM-DD (2026-03-31)" + (
                f" ({detail})" if detail else ""
            )
        elif err["type"] == "string_pattern_mismatch":
            msg = _pattern_words(str((err.get("ctx") or {}).get("pattern", "")), msg)
        # pydantic's "Input should be greater than or equal to 0": the field should be
        problems.append(f"{_loc_to_path(data, loc)}: {msg.removeprefix('Input ')}")
    return [
        p if isinstance(p, str) else f"{_loc_to_path(data, p)}: should be {_one_of(unions[p])}"
        for p in problems
    ]


def _one_of(kinds: list[str]) -> str:
    """ "text or a number": a whole number is a number."""
    if "a number" in kinds and "a whole number" in kinds:
        kinds = [k for k in kinds if k != "a whole number"]
    return ", ".join(kinds[:-1]) + " or " + kinds[-1] if len(kinds) > 1 else kinds[0]


# pydantic's names for the members of a union, as a plan's reader says them
_UNION_MEMBERS = {
    "str": "text",
    "constrained-str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "date": "a date (YYYY-MM-DD)",
}


def validate_plan(data: Any, source: str = "plan") -> Plan:
    """Validate a parsed plan; raise PlanError listing every problem found.

    Field errors do not hide reference errors: items that fail on their own are left
    out of the cross-checks, and references to them are not reported twice.
    """
    if not isinstance(data, dict):
        raise PlanError(
            ["the plan must be a mapping with workspace, people, metrics, objectives"], source
        )
    try:
        plan = Plan.model_validate(data)
        problems: list[str] = []
    except ValidationError as exc:
        problems = field_problems(data, exc)
        lenient = _lenient(data)
        if lenient is None:
            raise PlanError(problems, source) from exc
        plan = lenient
    problems += _semantic_problems(plan, raw_keys=_raw_keys(data))
    if problems:
        raise PlanError(problems, source)
    return plan


def _valid_items(model: type[Any], items: Any, *, retry: bool = False) -> list[Any]:
    """The items valid on their own; with ``retry``, also those that are once their
    invalid fields (already reported) are left out, so their other problems (a
    campaign's end before its start beside a negative budget) are found in the same run.
    Only campaigns are retried: their fields are checked one by one, while a KPI's,
    a person's or a metric's feed other checks, where a dropped field would raise
    problems the plan does not have."""
    out = []
    for item in items if isinstance(items, list) else []:
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            if not retry or not isinstance(item, dict) or not bad or "key" in bad:
                continue
            try:
                out.append(model.model_validate({k: v for k, v in item.items() if k not in bad}))
            except ValidationError:
                continue
    return out


def _lenient(data: dict[str, Any]) -> Plan | None:
    """The parts of a broken plan that are valid on their own (for cross-checks)."""
    try:
        workspace = Workspace.model_validate(data.get("workspace"))
    except ValidationError:
        workspace = Workspace(name="(invalid)")
    objectives = []
    raw_objectives = data.get("objectives")
    for raw in raw_objectives if isinstance(raw_objectives, list) else []:
        if not isinstance(raw, dict):
            continue
        body = {k: v for k, v in raw.items() if k not in ("campaigns", "kpis")}
        try:
            objective = Objective.model_validate(body)
        except ValidationError as exc:
            # Its own fields are already reported: without them (a stand-in where one
            # is required) its campaigns and KPIs are still checked, in the same run.
            bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            if "key" in bad:
                continue
            body = {k: v for k, v in body.items() if k not in bad}
            body.setdefault("title", "(invalid)")
            body.setdefault("outcome", "other")
            try:
                objective = Objective.model_validate(body)
            except ValidationError:
                continue
        objectives.append(
            objective.model_copy(
                update={
                    "campaigns": _valid_items(Campaign, raw.get("campaigns"), retry=True),
                    # a KPI is not retried: its fields feed each other's checks, so a
                    # stand-in for a bad one raises problems the plan does not have
                    "kpis": _valid_items(KPI, raw.get("kpis")),
                }
            )
        )
    try:
        return Plan(
            workspace=workspace,
            people=_valid_items(Person, data.get("people")),
            metrics=_valid_items(Metric, data.get("metrics")),
            objectives=objectives,
            # the mappings valid on their own get the cross-checks too: a bad format in
            # one hid every problem of the others until it was fixed
            imports=_valid_items(ImportMapping, data.get("imports")),
        )
    except ValidationError:
        return None


def _raw_keys(data: dict[str, Any]) -> dict[str, set[str]]:
    def keys(items: Any) -> set[str]:
        items = items if isinstance(items, list) else []
        return {str(i["key"]) for i in items if isinstance(i, dict) and "key" in i}

    raw_objectives = data.get("objectives")
    raw_objectives = raw_objectives if isinstance(raw_objectives, list) else []
    objectives = [o for o in raw_objectives if isinstance(o, dict)]
    return {
        "people": keys(data.get("people")),
        "metrics": keys(data.get("metrics")),
        "campaigns": set().union(*(keys(o.get("campaigns")) for o in objectives)),
    }


def _dupes(kind: str, keys: list[str], field: str = "key") -> list[str]:
    """The item and field of each key used twice (a mapping is known by its name)."""
    seen: set[str] = set()
    out = []
    for k in keys:
        if k in seen:
            out.append(f"{kind}[{k}].{field}: the {field} {k!r} is used twice")
        seen.add(k)
    return out


# Characters that hide or reorder text: a zero-width space, direction overrides and
# isolates, a byte-order mark. A name in a mail or a report must read as it is. The
# joiners (U+200C, U+200D) and direction marks (U+200E, U+200F) stay: Persian and Indic
# names, and names in right-to-left scripts, need them. Checked when a plan is applied,
# not when a stored one is read: a workspace stored before must still open.
_CONTROL = re.compile(CONTROL_CHARACTERS)
_HIDDEN = re.compile("[\u200b\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def _hidden_text(plan: Plan) -> list[str]:
    problems = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, str) and _HIDDEN.search(value):
            problems.append(
                f"{path}: holds a character that hides or reorders text (a zero-width space,"
                " a direction override); type it again without"
            )
        elif isinstance(value, str) and (control := _CONTROL.search(value)):
            # an escape sequence in a strategy would reach every terminal that shows it
            problems.append(
                f"{path}: holds a control character ({control.group()!r}); only tabs and"
                " line breaks may stand in a plan's text"
            )
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                label = v.get("key") or v.get("name") or i if isinstance(v, dict) else i
                walk(v, f"{path}[{label}]")

    walk(plan.model_dump(mode="json", by_alias=True), "")
    return problems


def sign_in_clashes(
    people: list[tuple[str, str | None, str | None, str | None, set[str]]],
) -> list[str]:
    """One email signs in one person (case as sign-in compares it), and one pinned
    sign-in (issuer + subject) too. ``people``: (key, email, issuer, subject, the fields
    kept as stored because a file withheld them); a stored email holds its place, so a
    clash names the person the file gives it to."""
    problems: list[str] = []
    emails: dict[str, tuple[str, bool]] = {}
    pins: dict[tuple[str, str], str] = {}
    for key, email, _, _, kept in sorted(people, key=lambda p: "email" not in p[4]):
        if email:
            first, first_kept = emails.setdefault(email_key(email), (key, "email" in kept))
            if first != key:
                held = " (stored; the file withheld it)" if first_kept else ""
                problems.append(
                    f"people[{key}].email: {email} is already the email of {first}{held};"
                    " each person signs in with their own"
                )
    for key, _, issuer, subject, _ in people:
        if issuer and subject and pins.setdefault((issuer, subject), key) != key:
            problems.append(
                f"people[{key}].subject: this sign-in is already pinned to"
                f" {pins[(issuer, subject)]}; each person signs in with their own"
            )
    return problems


def _semantic_problems(plan: Plan, raw_keys: dict[str, set[str]] | None = None) -> list[str]:
    problems: list[str] = []
    import pycountry  # its tables load on first use: only a plan being applied pays

    problems += _hidden_text(plan)
    if any(p.key == "local" for p in plan.people):
        # the command line acts as `local` (the local manager) without --as: a person of
        # that key would take over its changes and its right to undo them
        problems.append(
            "people[local].key: 'local' is the command line's own manager; choose another key"
        )
    if any(p.key == SCHEDULER.key for p in plan.people):
        # the scheduler's imports are recorded by `scheduler`, no one's work: a person of
        # that key would be credited with them (and an export's `by: scheduler` read back
        # as theirs)
        problems.append(
            "people[scheduler].key: 'scheduler' records the scheduled jobs' imports; choose"
            " another key"
        )
    if pycountry.currencies.get(alpha_3=plan.workspace.currency) is None:
        problems.append(
            f"workspace.currency: {plan.workspace.currency!r} is not an ISO 4217 currency"
            " code (EUR, USD, GBP, CHF...)"
        )
    people = {p.key: p for p in plan.people}
    metrics = {m.key: m for m in plan.metrics}
    raw = raw_keys or {}
    # Keys of items that exist but failed on their own: already reported, not "unknown".
    broken_people = raw.get("people", set()) - set(people)
    broken_metrics = raw.get("metrics", set()) - set(metrics)
    broken_campaigns = raw.get("campaigns", set()) - {
        c.key for o in plan.objectives for c in o.campaigns
    }
    campaigns = [c for o in plan.objectives for c in o.campaigns]
    kpis = [k for o in plan.objectives for k in o.kpis]
    problems += _dupes("people", [p.key for p in plan.people])
    problems += _dupes("metrics", [m.key for m in plan.metrics])
    problems += _dupes("objectives", [o.key for o in plan.objectives])
    problems += _dupes("campaigns", [c.key for c in campaigns])
    problems += _dupes("kpis", [k.key for k in kpis])

    paces: dict[str, float] = {}
    for name, value in plan.settings.items():
        try:
            validate_stored(name, value)
        except Exception as exc:  # BadInput: report alongside the others
            problems.append(f"settings.{name}: {exc}")
        else:
            if name in ("on_track_pace", "at_risk_pace") and value is not None:
                paces[name] = float(SETTINGS[name].parse(value))
    order = pace_order_problem(
        paces.get("on_track_pace", SETTINGS["on_track_pace"].default),
        paces.get("at_risk_pace", SETTINGS["at_risk_pace"].default),
    )
    if order:
        problems.append(f"settings: {order}")

    problems += _dupes("imports", [i.name for i in plan.imports], "name")
    problems += sign_in_clashes([(p.key, p.email, p.issuer, p.subject, set()) for p in plan.people])
    for p in plan.people:
        if p.manager is not None and p.manager not in people | dict.fromkeys(broken_people):
            problems.append(f"people[{p.key}].manager: unknown person {p.manager!r}")
        if p.manager == p.key:
            problems.append(f"people[{p.key}].manager: a person cannot be their own manager")
        if (p.issuer is None) != (p.subject is None):
            problems.append(
                f"people[{p.key}].subject: give both issuer and subject to pin a sign-in"
            )
    if plan.people and not broken_people and not any(p.role == "manager" for p in plan.people):
        problems.append(
            "people: no one is a manager; with none, nobody could change the plan or settings"
            " again. Make at least one person role: manager"
        )
    for m in plan.metrics:
        if m.prefer is not None and m.behaviour != "flow":
            problems.append(
                f"metrics[{m.key}].prefer: only a flow metric adds sources up; a stock metric"
                " already takes the latest value of the day"
            )
    behaviours = {m.key: m.behaviour for m in plan.metrics}
    for mapping in plan.imports:
        problems += column_problems(mapping)
        problems += count_problems(mapping, behaviours, f"imports[{mapping.name}]")
        for i, spec in enumerate(mapping.values):
            if spec.metric not in metrics and spec.metric not in broken_metrics:
                problems.append(
                    f"imports[{mapping.name}].values[{i}].metric: unknown metric"
                    f" {spec.metric!r}; add it under metrics"
                )

    def check_owner(path: str, owner: str | None) -> None:
        if owner is not None and owner not in people and owner not in broken_people:
            problems.append(f"{path}.owner: unknown person {owner!r}; add them under people")

    def check_span(path: str, start: dt.date | None, end: dt.date | None, end_name: str) -> None:
        if start is not None and end is not None and end < start:
            problems.append(f"{path}.{end_name}: {end} is before start {start}")

    for m in plan.metrics:
        # who may also log it: a person of the workspace who may log (an unknown key was
        # stored and exported, and a viewer was offered and then refused every entry)
        check_owner(f"metrics[{m.key}]", m.owner)
        logger = people.get(m.owner) if m.owner is not None else None
        if logger is not None and logger.role == "viewer":
            problems.append(
                f"metrics[{m.key}].owner: {logger.key} is a viewer, and a viewer may not log"
                f" values. Name a manager or assistant, or make {logger.key} an assistant"
            )
    for o in plan.objectives:
        op = f"objectives[{o.key}]"
        check_owner(op, o.owner)
        check_span(op, o.start, o.deadline, "deadline")
        # a campaign that failed on its own fields is reported already, not "unknown"
        local_campaigns = {c.key for c in o.campaigns} | broken_campaigns
        for c in o.campaigns:
            cp = f"{op}.campaigns[{c.key}]"
            check_owner(cp, c.owner)
            check_span(cp, c.start, c.end, "end")
        for k in o.kpis:
            kp = f"{op}.kpis[{k.key}]"
            check_owner(kp, k.owner)
            owner = people.get(k.owner) if k.owner is not None else None
            if owner is not None and owner.role == "viewer":
                # A KPI's owner owes its check-ins and is reminded of them; a viewer may
                # not check in or log, so they would be chased for what they cannot do.
                problems.append(
                    f"{kp}.owner: {owner.key} is a viewer, and a KPI's owner checks in on it;"
                    f" a viewer may not. Name a manager or assistant, or make {owner.key}"
                    " an assistant"
                )
            problems += _kpi_problems(kp, k, o, metrics, local_campaigns, broken_metrics)
    return problems


def _kpi_problems(
    kp: str,
    k: KPI,
    o: Objective,
    metrics: dict[str, Metric],
    campaigns: set[str],
    broken_metrics: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[str]:
    problems: list[str] = []
    if k.campaign is not None and k.campaign not in campaigns:
        problems.append(f"{kp}.campaign: unknown campaign {k.campaign!r} in objective {o.key}")
    start = k.start or o.start
    deadline = k.deadline or o.deadline
    if start is not None and deadline is not None and deadline < start:
        if k.start is not None and k.deadline is None:
            # the KPI's own start is what was written wrong: name that field
            problems.append(f"{kp}.start: {start} is after the objective's deadline {deadline}")
        else:
            problems.append(f"{kp}.deadline: {deadline} is before start {start}")
    if (k.metric is None) == (k.ratio is None):
        problems.append(f"{kp}.metric: give either metric or ratio (numerator / denominator)")
        return problems
    refs = [("metric", k.metric)] if k.metric else []
    if k.ratio is not None:
        refs = [("ratio.numerator", k.ratio.numerator), ("ratio.denominator", k.ratio.denominator)]
    for fname, ref in refs:
        if ref not in metrics and ref not in broken_metrics:
            problems.append(f"{kp}.{fname}: unknown metric {ref!r}; add it under metrics")
    if any(ref not in metrics for _, ref in refs):
        return problems
    aggregation = resolved_aggregation(k, metrics)
    if k.ratio is not None and aggregation != "ratio":
        problems.append(f"{kp}.aggregation: a ratio KPI uses aggregation ratio, not {aggregation}")
    if k.ratio is None and aggregation == "ratio":
        problems.append(f"{kp}.aggregation: ratio needs ratio: {{numerator, denominator}}")
    metric = metrics[k.metric] if k.metric else None
    if aggregation == "sum" and metric is not None and metric.behaviour == "stock":
        # levels do not add up: 1,000 + 1,200 + 1,650 followers is no number of anything
        problems.append(
            f"{kp}.aggregation: sum adds up daily amounts, but {k.metric} is a stock metric"
            " (a level read at a point in time); use latest, or mean for its average level"
        )
    if k.per is not None:
        if aggregation != "sum":
            problems.append(
                f"{kp}.per: a recurring target needs aggregation sum, not {aggregation}"
            )
        if k.stay is not None:
            problems.append(f"{kp}.per: a KPI has either per or stay, not both")
        if k.baseline is not None:
            problems.append(f"{kp}.baseline: a recurring (per) target starts at 0 each period")
        if k.target is not None and k.target <= 0:
            # every period starts at 0: a target of 0 or less is met before anything is done
            problems.append(
                f"{kp}.target: a recurring target of {k.target:g} per {k.per} is met by doing"
                " nothing; give how many are wanted each period (above 0)"
            )
    if k.stay is not None and k.target is None:
        problems.append(f"{kp}.target: a health KPI (stay: {k.stay}) needs a target")
    if k.stay is not None and k.baseline is not None:
        problems.append(
            f"{kp}.baseline: a health KPI (stay: {k.stay}) is judged against its target"
            " alone; leave the baseline out"
        )
    if k.ratio is not None and k.ratio.numerator == k.ratio.denominator:
        problems.append(
            f"{kp}.ratio: the numerator and the denominator are both {k.ratio.numerator!r};"
            " the ratio would always be 1"
        )
    if (
        k.stay is None
        and k.target is not None
        and k.baseline is not None
        and k.target == k.baseline
    ):
        problems.append(
            f"{kp}.target: target equals baseline ({k.target:g}); progress cannot be measured"
        )
    if (
        k.stay is None
        and k.per is None
        and k.target == 0
        and k.baseline is None
        and aggregation in ("sum", "ratio")
    ):
        problems.append(
            f"{kp}.target: target 0 equals the default baseline 0 for {aggregation};"
            " give a baseline or another target"
        )
    return problems
