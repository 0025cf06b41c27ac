"""Vanity and measurement-quality flags (DESIGN.md), with the numbers behind them.

Each rule is a small object: a code, a severity, a check that yields flags, and what
counts as a *material* change of its evidence (an acknowledged flag whose evidence
moved that much comes back). ``run_audit`` loads what the rules need once (growth and the
weekly series in DuckDB, tracker/vanity_sql.py; their lagged correlations in one matrix
pass, tracker/correlations.py) and runs them all.
docs/vanity.md explains each flag to its reader.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import numpy as np

from tracker import auditlog, formats
from tracker.clock import timezone_of, today
from tracker.correlations import Link, WeeklyRows, lagged_correlations, strongest_links
from tracker.errors import BadInput
from tracker.permissions import require_manager
from tracker.records import LOCAL_MANAGER, Actor
from tracker.store import Connection, Store
from tracker.text import clean_note
from tracker.vanity_sql import GROWTH, WEEKLY
from tracker.vocab import FLAG_TITLES

if TYPE_CHECKING:
    from tracker.progress import ProgressReport

GROWTH_FLAG = 0.20  # a reach metric growing this much in 8 weeks...
OUTCOME_FLAT = 0.05  # ...while outcomes grow less than this
LINK_R = 0.3  # |r| below this at every lag: no link
MIN_WEEKS = 8


@dataclass
class Flag:
    code: str
    severity: str
    subject: str
    message: str
    evidence: dict[str, Any]
    next_step: str
    acknowledged: bool = False
    ack_reason: str | None = None
    acked_by: str | None = None
    acked_at: dt.datetime | None = None
    subject_name: str = ""  # what people read for the subject: a KPI's or metric's name
    acked_by_name: str = ""  # who acknowledged it, by name

    @property
    def title(self) -> str:
        """The plain title people read (DESIGN: codes stay in --json and the docs)."""
        if self.code == "unmeasurable_kpi" and self.evidence.get("missing"):
            # what is missing, as the message says it: "No owner", "No target or deadline"
            return "No " + " or ".join(self.evidence["missing"])
        return FLAG_TITLES.get(self.code, self.code.replace("_", " ").capitalize())

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["acked_at"] = self.acked_at.isoformat() if self.acked_at else None
        data["title"] = self.title
        return data


# The kind of item each evidence field names (beyond tracker.names.FIELD_KIND).
_EVIDENCE_KIND = {"best_outcome": "metric", "outcomes": "metric", "kpis": "kpi"}
# Evidence fields that are changes over 8 weeks (0.344 reads "+34%", as the sentence says)
_EVIDENCE_PERCENT = {"growth"}
# Evidence fields holding a code or a stamp, said in words (a status, a confidence, a
# period, a time): DESIGN, codes stay in --json
_EVIDENCE_WORDS = {"status", "confidence", "period", "checkin_at", "first", "last", "sources"}


def _evidence_words(value: str, kind: str) -> str | None:
    if kind in ("status", "confidence"):
        return value.replace("_", " ")
    if kind == "period":
        return formats.period(value)
    if kind == "sources":
        from tracker.vocab import source_label

        return source_label(value)
    if kind in ("checkin_at", "first", "last"):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        # the day alone: a stamp is stored in UTC, and its hour would read as local time
        return f"{when:%a} {formats.long_day(when)}"
    return None


# What people call the fields whose keys say it badly
_EVIDENCE_LABEL = {
    "best_abs_r": "strongest correlation (|r|)",
    "best_r": "that correlation (r)",
    "best_outcome": "with",
    "best_lag_weeks": "weeks later",
    "days_since": "days without a value",
    "checkin_at": "checked in",
    "outcomes": "outcomes",
}


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def evidence_table(
    evidence: dict[str, Any], names: dict[str, dict[str, str]]
) -> list[dict[str, str]]:
    """The numbers behind a flag as rows people read ("what", "value"): keys of metrics,
    KPIs, objectives and people shown by name (``names``: kind -> key -> name, as
    tracker.names.names_by_kind gives; a metric and a KPI may share a key), numbers
    formatted, never a JSON dict (DESIGN: evidence as a small table)."""
    from tracker.names import FIELD_KIND

    def text(value: Any, kind: str) -> str:
        known = names.get(kind, {})
        if value is None:
            return formats.NOTHING
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int | float):
            if kind == "percent":
                return f"{value:+.0%}"
            return formats.number(value)
        if isinstance(value, str) and _ISO_DAY.fullmatch(value):
            return formats.short_day(dt.date.fromisoformat(value), year=True)  # not 2026-11-03
        if isinstance(value, str):
            return _evidence_words(value, kind) or known.get(value, value)
        if isinstance(value, dict) and "day" in value:
            # a day's value against its reference (outlier_value): "Thu 3 Dec 2026:
            # 100,036 (the 8 weeks before at most 146)"
            day = dt.date.fromisoformat(str(value["day"]))
            said = f"{day:%a} {formats.long_day(day)}: {formats.number(value.get('value'))}"
            if value.get("reference") is not None:
                said += f" (the 8 weeks before at most {formats.number(value['reference'])})"
            return said
        if isinstance(value, dict):
            # a dict of outcomes holds their growth (unqualified_growth): percentages
            return "; ".join(
                f"{known.get(str(k), str(k))}: "
                + (text(v, "percent") if v is not None else "no figures to compare")
                for k, v in value.items()
            )
        if isinstance(value, list | tuple):
            return ", ".join(text(v, kind) for v in value) or formats.NOTHING
        return str(value)

    def label(key: str) -> str:
        if key in _EVIDENCE_LABEL:
            return _EVIDENCE_LABEL[key]
        words = key.replace("_", " ")
        return "KPI" + words[3:] if words == "kpi" or words.startswith("kpi ") else words

    def kind(key: str) -> str:
        if key in _EVIDENCE_PERCENT:
            return "percent"
        if key in _EVIDENCE_WORDS:
            return key
        return _EVIDENCE_KIND.get(key, FIELD_KIND.get(key, ""))

    return [{"what": label(key), "value": text(v, kind(key))} for key, v in evidence.items()]


@dataclass(frozen=True)
class FlagLine:
    """One line of a list of flags people read: one flag, or every untracked metric at
    once (DESIGN: one line listing them). ``acknowledged`` holds who accepted it and why
    (such lines stay visible, greyed); ``flags`` are the flags the line stands for."""

    title: str
    subject: str
    message: str
    next_step: str
    acknowledged: str | None
    flags: tuple[Flag, ...]


UNTRACKED_MESSAGE = "tracked, but no KPI uses them, so they are not tied to an outcome"
UNTRACKED_NEXT = "Tie them to KPIs, or stop spending time collecting them."


def flag_lines(flags: list[Flag]) -> list[FlagLine]:
    """``flags`` as lines, open ones first, then the acknowledged ones with their reason;
    the untracked metrics on one line (one for the open, one for the accepted)."""
    lines: list[FlagLine] = []
    for accepted in (False, True):
        group = [f for f in flags if f.acknowledged == accepted]
        for f in group:
            if f.code != "orphan_metric":
                why = f"acknowledged by {f.acked_by_name or 'a manager'}: {f.ack_reason}"
                lines.append(
                    FlagLine(
                        f.title,
                        f.subject_name,
                        f.message,
                        f.next_step,
                        why if accepted else None,
                        (f,),
                    )
                )
        untracked = tuple(f for f in group if f.code == "orphan_metric")
        if untracked:
            reasons = "; ".join(f"{f.subject_name}: {f.ack_reason}" for f in untracked)
            lines.append(
                FlagLine(
                    untracked[0].title,
                    ", ".join(f.subject_name for f in untracked),
                    UNTRACKED_MESSAGE,
                    UNTRACKED_NEXT,
                    f"acknowledged: {reasons}" if accepted else None,
                    untracked,
                )
            )
    return lines


@dataclass
class FlagCard:
    """Every flag about one metric (or, for flags that name no metric, one KPI or
    objective), as the Vanity audit page shows them: one card each."""

    subject: str  # "metric:KEY", or the flags' own subject
    name: str
    flags: list[Flag]
    metric: str | None = None
    # the outcome to chart beside the metric, for growth and link flags
    outcome: str | None = None

    @property
    def open(self) -> bool:
        return any(not f.acknowledged for f in self.flags)

    def titles(self, open_only: bool = False) -> list[str]:
        """The card's flag titles, each once, in the card's order."""
        return list(
            dict.fromkeys(f.title for f in self.flags if not (open_only and f.acknowledged))
        )


# flags whose evidence is a metric moving (or not) with an outcome: charted on the card
CHARTED = ("unqualified_growth", "no_link_to_outcome")


@dataclass
class AuditReport:
    as_of: dt.date
    flags: list[Flag]
    metric_names: dict[str, str] = field(default_factory=dict)
    # the one metric each single-metric KPI reads: a flag about such a KPI (its owner's
    # confidence) joins its metric's card, where another flag about it (its metric set
    # as a goal) already is, instead of a second card under the KPI's own name
    kpi_metric: dict[str, str] = field(default_factory=dict)
    kpi_count: int = 0  # the KPIs it looked at

    def no_flags_sentence(self) -> str:
        """What no flag means: in an empty workspace, that there is nothing to check yet
        ("every KPI measures an outcome" was said of no KPI at all)."""
        if not self.kpi_count:
            return "No flags: there is no KPI to check yet. Write an objective and its KPIs first."
        return "No flags: every objective has an outcome KPI and every KPI has fresh data."

    def as_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "flags": [f.as_dict() for f in self.flags]}

    def open_flags(self) -> list[Flag]:
        return [f for f in self.flags if not f.acknowledged]

    def cards(self) -> list[FlagCard]:
        """One card per metric with all its flags, open ones first; untracked metrics
        (``untracked``) are left to a single line."""
        cards: dict[str, FlagCard] = {}
        for f in self.flags:
            if f.code == "orphan_metric":
                continue
            metric = f.evidence.get("metric")
            if metric is None and f.subject.startswith("kpi:"):
                metric = self.kpi_metric.get(f.subject.removeprefix("kpi:"))
            metric = metric if isinstance(metric, str) and metric in self.metric_names else None
            subject = f"metric:{metric}" if metric else f.subject
            card = cards.get(subject)
            if card is None:
                name = self.metric_names[metric] if metric else f.subject_name
                card = cards[subject] = FlagCard(subject, name, [], metric)
            card.flags.append(f)
            if f.code in CHARTED and card.outcome is None:
                outcomes = f.evidence.get("outcomes") or {}
                card.outcome = f.evidence.get("best_outcome") or next(iter(outcomes), None)
        return sorted(cards.values(), key=lambda c: not c.open)

    def untracked(self) -> list[Flag]:
        """Metrics no KPI uses (and that explain none): one line, not a card each."""
        return [f for f in self.flags if f.code == "orphan_metric"]


@dataclass
class Context:
    """Everything the rules read, loaded once per audit."""

    as_of: dt.date
    metrics: dict[str, dict[str, Any]]
    objectives: dict[str, dict[str, Any]]
    kpis: list[dict[str, Any]]
    weeks_with_data: dict[str, int]
    links: dict[str, Link]  # each reach or engagement metric's strongest link to outcomes
    last_day: dict[str, dt.date]
    checkins: dict[str, dict[str, Any]]
    # computed beside the rest on a second cursor (run_audit), filled in when it is done
    growth: dict[str, dict[str, Any]] = field(default_factory=dict)
    progress: dict[str, Any] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)  # key -> name
    outliers: list[dict[str, Any]] = field(default_factory=list)
    overlaps: list[Any] = field(default_factory=list)
    series: WeeklyRows | None = None  # the weekly series the links were measured on

    def name(self, metric: str) -> str:
        m = self.metrics.get(metric)
        return m["name"] if m else metric

    def never_changed(self, metric: str) -> bool:
        """Did ``metric``'s weekly series (the one the links are measured on) stay at one
        value? Asked only of the few metrics flagged without any link."""
        if self.series is None:
            return False
        mine = np.asarray(self.series.metrics, dtype=object) == metric
        values = np.asarray(self.series.values, dtype=float)[mine]
        return bool(len(values)) and bool(np.all(values == values[0]))

    def outcome_kpi(self, objective: str) -> dict[str, Any] | None:
        """The objective's first KPI on an outcome metric (or a ratio of one), if any."""
        return self._outcome_kpis.get(objective)

    @cached_property
    def _outcome_kpis(self) -> dict[str, dict[str, Any]]:
        # asked once per audience KPI: a scan of every KPI each time was 28 ms of the
        # audit at L
        first: dict[str, dict[str, Any]] = {}
        for k in self.kpis:
            if outcome_metric(k, self.metrics) is not None:
                first.setdefault(k["objective"], k)
        return first

    def kpi_name(self, kpi: dict[str, Any]) -> str:
        return f"“{kpi.get('name') or kpi['key']}”"

    def person(self, key: str | None) -> str:
        return self.people.get(key or "", key or "nobody")

    def subject_name(self, subject: str) -> str:
        kind, _, key = subject.partition(":")
        if kind == "kpi":
            k = self._kpi_by_key.get(key)
            return (k.get("name") or key) if k else key
        if kind == "metric":
            return self.name(key)
        if kind == "objective":
            o = self.objectives.get(key)
            return o["title"] if o else key
        return subject

    def kpi_metrics(self, kpi: dict[str, Any]) -> list[str]:
        return [m for m in (kpi["metric"], kpi["numerator"], kpi["denominator"]) if m]

    @cached_property
    def _kpi_by_key(self) -> dict[str, dict[str, Any]]:
        return {k["key"]: k for k in self.kpis}

    @cached_property
    def _outcomes(self) -> dict[str | None, list[str]]:
        return outcomes_by_channel(self.metrics, self.objectives, self.kpis)

    def outcome_metrics_for(self, channel: str | None) -> list[str]:
        """Outcome KPI metrics of the objectives whose channels include ``channel``.

        A metric without a channel is compared with every objective's outcomes.
        """
        return self._outcomes.get(channel, [])


def outcome_metric(kpi: dict[str, Any], metrics: dict[str, dict[str, Any]]) -> str | None:
    """The outcome metric ``kpi`` measures (its metric, or a ratio's numerator), if it
    measures one."""
    key = kpi["metric"] or kpi["numerator"]
    return key if key in metrics and metrics[key]["class"] == "outcome" else None


def outcomes_by_channel(
    metrics: dict[str, dict[str, Any]],
    objectives: dict[str, dict[str, Any]],
    kpis: list[dict[str, Any]],
) -> dict[str | None, list[str]]:
    """Channel -> the outcome metrics of KPIs whose objective works that channel, in plan
    order; None -> every outcome metric. One pass over the KPIs, so that asking for each of
    a thousand metrics does not walk a thousand KPIs each time."""
    found: dict[str | None, dict[str, None]] = {None: {}}
    for k in kpis:
        key = outcome_metric(k, metrics)
        if key is None:
            continue
        found[None][key] = None
        for channel in objectives[k["objective"]]["channels"] or []:
            found.setdefault(channel, {})[key] = None
    return {channel: list(keys) for channel, keys in found.items()}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    check: Callable[[Context], Iterator[Flag]]
    material: dict[str, float | None]  # evidence field -> tolerance (None: any change)


def _moved(change: float | None) -> str:
    """ "fell 36%", "rose 4%", "stayed flat": a change over 8 weeks as a sentence says it."""
    if change is None:
        return "had no data"
    if round(change, 2) == 0:
        return "stayed flat"
    # three significant digits below 10%: the outcomes' 5% line must not be crossed by
    # rounding (4.95% read "rose 5%" in a flag that fires from 5%); whole percents above,
    # as the reach growth beside it is written ("grew 36% ... fell 36%")
    pct = abs(change) * 100
    shown = f"{pct:.3g}%" if pct < 10 else f"{pct:,.0f}%"
    return f"{'rose' if change > 0 else 'fell'} {shown}"


def _growth(g: dict[str, Any] | None) -> float | None:
    if not g:
        return None
    if g["behaviour"] == "stock":
        now, then = g["now_level"], g["then_level"]
    else:
        now, then = g["last28"], g["prev28"]
    if now is None or then is None:
        return None
    if then == 0:
        return None if now == 0 else (1.0 if now > 0 else -1.0)
    return (now - then) / abs(then)


# -- the rules -----------------------------------------------------------------------------
def audience_as_goal(ctx: Context) -> Iterator[Flag]:
    for k in ctx.kpis:
        m = ctx.metrics.get(k["metric"] or "")
        if k["metric"] is None or m is None or m["class"] != "reach" or m["qualified"]:
            continue
        yield Flag(
            "audience_as_goal",
            "warning",
            f"kpi:{k['key']}",
            f"KPI {ctx.kpi_name(k)} makes {m['name']} a goal. An audience is a means, not an"
            " outcome:"
            f" {m['name']} counts everyone who follows or sees you, not only the people you"
            " want to reach.",
            {"kpi": k["key"], "metric": m["key"], "class": "reach", "qualified": False},
            _audience_advice(ctx, k, m),
        )


def _audience_advice(ctx: Context, k: dict[str, Any], m: dict[str, Any]) -> str:
    """What to do about an audience KPI; an objective already judged by an outcome KPI is
    not told to add one (DESIGN: advice fits the case)."""
    title = ctx.objectives[k["objective"]]["title"]
    outcome = ctx.outcome_kpi(k["objective"])
    if outcome is not None:
        return (
            f"“{title}” is already judged by {ctx.kpi_name(outcome)}: keep {m['name']} as"
            " context beside it rather than as a goal of its own, or count only your target"
            " audience and mark the metric qualified."
        )
    return (
        f"Judge “{title}” by an outcome it should bring (inquiries, orders, sign-ups) and"
        " keep this number as context; or count only your target audience and mark the"
        " metric qualified."
    )


def no_outcome_kpi(ctx: Context) -> Iterator[Flag]:
    by_objective: dict[str, list[dict[str, Any]]] = {}
    for k in ctx.kpis:  # one pass, not one per objective (100 x 1,000 at L)
        by_objective.setdefault(k["objective"], []).append(k)
    for key, o in ctx.objectives.items():
        mine = by_objective.get(key, [])
        classes = sorted(
            {
                ctx.metrics[m]["class"]
                for k in mine
                for m in [k["metric"] or k["numerator"]]
                if m in ctx.metrics
            }
        )
        if "outcome" in classes:
            continue
        what = f"its KPIs count {', '.join(classes)}" if classes else "it has no KPI yet"
        yield Flag(
            "no_outcome_kpi",
            "warning",
            f"objective:{key}",
            f"Objective “{o['title']}” has no KPI that measures a business outcome: {what}.",
            {"objective": key, "kpi_classes": classes, "kpis": [k["key"] for k in mine]},
            "Add a KPI on the outcome this objective exists for (revenue, leads, sign-ups,"
            " retained customers); reach and activity KPIs then explain it.",
        )


def unqualified_growth(ctx: Context) -> Iterator[Flag]:
    for key, m in ctx.metrics.items():
        if m["class"] != "reach" or m["qualified"]:
            continue
        growth = _growth(ctx.growth.get(key))
        if growth is None or growth < GROWTH_FLAG:
            continue
        outcomes = ctx.outcome_metrics_for(m["channel"])
        outcome_growth = {o: _growth(ctx.growth.get(o)) for o in outcomes}
        if any(g is not None and g >= OUTCOME_FLAT for g in outcome_growth.values()):
            continue
        if outcomes:
            parts = []
            for o, g in outcome_growth.items():
                recent = (ctx.growth.get(o) or {}).get("last28")
                earlier = (ctx.growth.get(o) or {}).get("prev28")
                if g is None and recent is None and earlier:
                    # figures before, none lately: not "no data", and not a fall to 0
                    parts.append(
                        f"{ctx.name(o)} has no figures in the last 4 weeks"
                        f" ({earlier:g} in the 4 weeks before)"
                    )
                    continue
                if g is None and recent is not None:
                    # values only lately: nothing earlier to compare them with
                    moved = "has no figures from before the last 4 weeks"
                    parts.append(f"{ctx.name(o)} {moved} ({recent:g} in them)")
                    continue
                tail = f" ({recent:g} in the last 4 weeks)" if recent is not None else ""
                parts.append(f"{ctx.name(o)} {_moved(g)}{tail}")
            tail_text = "while " + "; ".join(parts)
        else:
            tail_text = "while no outcome KPI on its channel shows anything for it"
        yield Flag(
            "unqualified_growth",
            "warning",
            f"metric:{key}",
            f"{m['name']} grew {growth:.0%} in 8 weeks {tail_text}.",
            {
                "metric": key,
                "growth": round(growth, 4),
                "channel": m["channel"],
                "outcomes": {
                    o: None if g is None else round(g, 4) for o, g in outcome_growth.items()
                },
            },
            "Ask what you would do differently if this number doubled. If the answer is"
            " nothing, stop reporting it; if it should bring customers, find out why it"
            " does not (wrong audience? no call to action?).",
        )


def no_link_to_outcome(ctx: Context) -> Iterator[Flag]:
    for key, m in ctx.metrics.items():
        if m["class"] not in ("reach", "engagement"):
            continue
        if ctx.weeks_with_data.get(key, 0) < MIN_WEEKS:
            continue
        outcomes = [o for o in ctx.outcome_metrics_for(m["channel"]) if o != key]
        if not outcomes:
            continue
        link = ctx.links.get(key)
        if link is not None and link.r >= LINK_R:
            continue
        # no correlation found at all: nothing links to it, and nothing moved
        r_best, o_best, lag, flat = (
            (link.r, link.outcome, link.lag, link.flat) if link else (0.0, outcomes[0], 0, True)
        )
        r_signed = link.signed_r if link else 0.0  # as read: -0.26 moved against the outcome
        weeks = ctx.weeks_with_data.get(key, 0)
        if flat and ctx.never_changed(key):
            why = (
                "it changed by the same amount every week, so its changes cannot explain anything"
                if m["behaviour"] == "stock"
                else "it stayed the same every week, so it cannot explain anything"
            )
        elif flat:
            why = "the outcomes stayed the same week after week, so nothing it did moved them"
        else:
            # two decimals, unless they would round up to the line it stays below
            shown = f"{r_signed:.2f}" if round(r_best, 2) < LINK_R else f"{r_signed:.3f}"
            when = "the same week" if lag == 0 else f"{lag} week{'s' if lag != 1 else ''} later"
            why = f"the strongest weekly correlation is r = {shown} ({ctx.name(o_best)}, {when})"
        yield Flag(
            "no_link_to_outcome",
            "warning",
            f"metric:{key}",
            f"{m['name']} has moved independently of {', '.join(ctx.name(o) for o in outcomes)}"
            f" for {weeks} weeks: {why}.",
            {
                "metric": key,
                "weeks": weeks,
                "best_abs_r": round(r_best, 4),
                "best_r": round(r_signed, 4),
                "best_outcome": o_best,
                "best_lag_weeks": lag,
                "outcomes": outcomes,
            },
            "A number that never moves with your outcomes does not explain them. Test it:"
            " change what drives it for a few weeks and watch the outcome; if nothing moves,"
            " spend the hours elsewhere.",
        )


def orphan_metric(ctx: Context) -> Iterator[Flag]:
    used = {m for k in ctx.kpis for m in ctx.kpi_metrics(k)}
    for key, m in ctx.metrics.items():
        # Outcomes are results, and hours and spend feed cost per outcome: never orphans.
        if key in used or m["class"] not in ("reach", "engagement", "activity"):
            continue
        yield Flag(
            "orphan_metric",
            "info",
            f"metric:{key}",
            f"{m['name']} is tracked but no KPI uses it, so it is not tied to an outcome.",
            {"metric": key, "class": m["class"]},
            "Tie it to a KPI of an objective, or stop spending time collecting it.",
        )


def unmeasurable_kpi(ctx: Context) -> Iterator[Flag]:
    for k in ctx.kpis:
        missing = [f for f in ("target", "deadline", "owner") if k[f] is None]
        if not missing:
            continue
        yield Flag(
            "unmeasurable_kpi",
            "warning",
            f"kpi:{k['key']}",
            f"KPI {ctx.kpi_name(k)} has no {' and no '.join(missing)}: nobody can tell whether it"
            " is on track.",
            {"kpi": k["key"], "missing": missing},
            "Give it "
            + " and ".join({"owner": "an owner"}.get(f, f"a {f}") for f in missing)
            + " in the plan.",
        )


def stale_after(cadence: str | None) -> int:
    """Days without a value after which a KPI's metric is stale: two cadence periods."""
    return 14 if cadence == "weekly" else 62


def days_behind(kpi: Any, cadence: str | None, as_of: dt.date) -> int | None:
    """How many days before the end of ``kpi``'s numbers (the as-of day, or its deadline
    once past) its last value came, when that is longer than ``stale_after``: its
    current value is then old news (the Objective page says when it came); else None. A
    KPI that has not started is owed nothing yet."""
    if kpi.last_day is None or kpi.status == "not_started":
        return None
    end = min(as_of, kpi.deadline) if kpi.deadline is not None else as_of
    gap = (end - kpi.last_day).days
    return gap if gap > stale_after(cadence) else None


def stale_metric(ctx: Context) -> Iterator[Flag]:
    seen: set[str] = set()
    for k in ctx.kpis:
        if k["start"] is not None and k["start"] > ctx.as_of:
            continue  # not started yet
        if k["deadline"] is not None and k["deadline"] < ctx.as_of:
            continue  # ended: judged on its window's numbers, nothing more is due for it
        limit = stale_after(k["cadence"])
        for metric in ctx.kpi_metrics(k):
            if metric in seen:
                continue
            last = ctx.last_day.get(metric)
            since = last or k["start"]
            if since is None:
                continue
            days = (ctx.as_of - since).days
            if days <= limit:
                continue
            seen.add(metric)
            when = (
                f"since {formats.long_day(last)} ({days} days)"
                if last
                else f"since the KPI started ({days} days)"
            )
            yield Flag(
                "stale_metric",
                "warning",
                f"metric:{metric}",
                f"No value of {ctx.name(metric)} {when}: KPI {ctx.kpi_name(k)} is judged on old"
                " numbers."
                if last
                # nothing at all: there are no numbers, old or new, to judge it on
                else f"No value of {ctx.name(metric)} {when}: KPI {ctx.kpi_name(k)} has"
                " nothing to be judged on.",
                {
                    "metric": metric,
                    "last_day": last.isoformat() if last else None,
                    "days_since": days,
                    "kpi": k["key"],
                    "cadence": k["cadence"],
                },
                f"Log or import {ctx.name(metric)} (every {k['cadence'][:-2]}), "
                + (
                    "or ask its owner what is blocking it."
                    if k["owner"]
                    # nobody to ask: a KPI without an owner is nobody's to keep up to date
                    else f"and give KPI {ctx.kpi_name(k)} an owner who keeps it up to date."
                ),
            )


def _who_said(ctx: Context, owner: str, entered_by: str | None) -> str:
    """The owner; or who checked in for them (the local manager), so nobody is quoted
    for words they did not write."""
    if entered_by:
        return f"{ctx.person(entered_by)}, checking in for {ctx.person(owner)},"
    return ctx.person(owner)


def confidence_conflict(ctx: Context) -> Iterator[Flag]:
    for k in ctx.kpis:
        checkin = ctx.checkins.get(k["key"])
        progress = ctx.progress.get(k["key"])
        if checkin is None or progress is None or checkin["person"] != k["owner"]:
            continue
        said, status = checkin["confidence"], progress.status
        conflict = (said == "on_track" and status == "off_track") or (
            said == "off_track" and status in ("on_track", "achieved")
        )
        if not conflict:
            continue
        pace = f" (pace {progress.pace:.2f})" if progress.pace is not None else ""
        yield Flag(
            "confidence_conflict",
            "warning",
            f"kpi:{k['key']}",
            f"{_who_said(ctx, k['owner'], checkin['entered_by'])} said"
            f" “{said.replace('_', ' ')}” for {ctx.kpi_name(k)}"
            f" ({formats.period(checkin['period'])}, on {checkin['created_at']:%a}"
            f" {formats.long_day(checkin['created_at'])}), but the"
            f" numbers say {status.replace('_', ' ')}{pace}.",
            {
                "kpi": k["key"],
                "owner": k["owner"],
                "confidence": said,
                "status": status,
                "checkin_at": checkin["created_at"].isoformat(),
                "period": checkin["period"],
                "pace": progress.pace,
            },
            "Talk it through at the weekly review: either the numbers miss something (log"
            " it) or the plan needs help now.",
        )


def outlier_value(ctx: Context) -> Iterator[Flag]:
    by_metric: dict[str, list[dict[str, Any]]] = {}
    for o in ctx.outliers:
        by_metric.setdefault(o["metric"], []).append(o)
    for key, found in by_metric.items():
        m = ctx.metrics.get(key)
        if m is None:
            continue
        latest = found[-1]
        more = (
            f" (and {len(found) - 1} more day{'s' if len(found) > 2 else ''})"
            if len(found) > 1
            else ""
        )
        yield Flag(
            "outlier_value",
            "warning",
            f"metric:{key}",
            f"{m['name']} counts {latest['value']:,.6g} on {formats.long_day(latest['day'])}{more}, more than"
            f" 10 times its largest daily value of the 8 weeks before ({latest['reference']:,.6g}).",
            {
                "metric": key,
                "days": [
                    {"day": o["day"].isoformat(), "value": o["value"], "reference": o["reference"]}
                    for o in found
                ],
            },
            "Check the number: if it is a typo, correct it on Log values (delete it, or"  # noqa: S608 (advice, not SQL)
            f" replace the day's value; `waypoint values {key}` on the command line); if it"
            " is right (a big order, a viral post), acknowledge it.",
        )


def overlapping_sources(ctx: Context) -> Iterator[Flag]:
    from tracker.observations import ONE_PERSONS_HOURS, counted_twice, hours_person

    by_metric: dict[str, list[Any]] = {}
    for o in ctx.overlaps:
        if o.prefer is None:
            by_metric.setdefault(o.metric, []).append(o)
    for key, found in by_metric.items():
        m = ctx.metrics.get(key)
        if m is None:
            continue
        days = sum(o.days for o in found)  # each shared day is in one set of sources
        sources = sorted({s for o in found for s in o.sources})
        first, last = min(o.first for o in found), max(o.last for o in found)
        yield Flag(
            "overlapping_sources",
            "warning",
            f"metric:{key}",
            counted_twice(m["name"], sources, days, first, last),
            {
                "metric": key,
                "sources": sources,
                "days": days,
                "first": first.isoformat(),
                "last": last.isoformat(),
            },
            (
                # a prefer that names none of them (misspelt, or a source absent on these
                # days) settles nothing here: said, or "I set prefer" reads as a bug
                f"The metric's `prefer: {m['prefer']}` settles only days {m['prefer']} has"
                f" a value on, and it is none of these sources: if it is misspelt, set it"
                f" to the one that counts ({', '.join(sources)}) in the plan."
                if m.get("prefer")
                else ONE_PERSONS_HOURS[0].upper() + ONE_PERSONS_HOURS[1:] + "."
                if all(hours_person(x) for x in sources)
                else "A manager says which source counts on shared days: `prefer:"
                f" {sources[0]}` (or another of {', '.join(sources)}) on the metric"
                f" {m['name']} in the plan."
            ),
        )


RULES: list[Rule] = [
    Rule("audience_as_goal", "warning", audience_as_goal, {}),
    Rule("no_outcome_kpi", "warning", no_outcome_kpi, {}),
    Rule("unqualified_growth", "warning", unqualified_growth, {"growth": 0.10}),
    Rule("no_link_to_outcome", "warning", no_link_to_outcome, {"best_abs_r": 0.10}),
    Rule("orphan_metric", "info", orphan_metric, {}),
    Rule("unmeasurable_kpi", "warning", unmeasurable_kpi, {"missing": None}),
    Rule("stale_metric", "warning", stale_metric, {"last_day": None}),
    Rule("confidence_conflict", "warning", confidence_conflict, {"checkin_at": None}),
    Rule("outlier_value", "warning", outlier_value, {"days": None}),
    Rule("overlapping_sources", "warning", overlapping_sources, {"sources": None}),
]
CODES = {r.code: r for r in RULES}


# -- loading and running ----------------------------------------------------------------------
def _rows(con: Connection, sql: str, params: Any = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _plan_items(
    con: Connection,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Active metrics, objectives and KPIs, as the rules read them."""
    metrics = {
        r["key"]: r
        for r in _rows(
            con,
            "SELECT key, name, channel, class, behaviour, qualified, prefer FROM metrics"
            " WHERE NOT archived ORDER BY position, key",
        )
    }
    objectives = {
        r["key"]: r
        for r in _rows(
            con,
            "SELECT key, title, channels, people FROM objectives WHERE NOT archived"
            " ORDER BY position, key",
        )
    }
    kpis = _rows(
        con,
        "SELECT k.key, k.name, k.objective, k.metric, k.numerator, k.denominator, k.target,"
        " k.owner,"
        " k.cadence, coalesce(k.start, o.start) AS start,"
        " coalesce(k.deadline, o.deadline) AS deadline"
        " FROM kpis k JOIN objectives o ON o.key = k.objective"
        " WHERE NOT k.archived AND NOT o.archived ORDER BY o.position, k.position, k.key",
    )
    return metrics, objectives, kpis


def _weekly_series(con: Connection, as_of: dt.date) -> tuple[dict[str, int], WeeklyRows]:
    """Weeks with data per metric, and the weekly series' rows (the weeks with a value)."""
    series = con.execute(
        "SELECT metric, weeks_with_data, week, coalesce(value, 'NaN'::DOUBLE) AS value"  # noqa: S608
        f" FROM ({WEEKLY})",
        {"d": as_of},
    ).fetchnumpy()
    weeks = dict(zip(series["metric"].tolist(), series["weeks_with_data"].tolist(), strict=True))
    value = np.asarray(series["value"], dtype=float)
    has = ~np.isnan(value)
    days = np.asarray(series["week"], dtype="datetime64[D]")[has].astype(np.int64)
    metric = np.asarray(series["metric"], dtype=object)[has]
    return weeks, WeeklyRows(metric, days // 7, value[has])


def _leads(
    metrics: dict[str, dict[str, Any]],
    objectives: dict[str, dict[str, Any]],
    kpis: list[dict[str, Any]],
) -> dict[str, list[str]]:
    """Every reach or engagement metric -> the outcome metrics on its channel (itself
    left out), in plan order: the pairs the audit and what's working correlate."""
    outcomes = outcomes_by_channel(metrics, objectives, kpis)
    return {
        key: [out for out in outcomes.get(m["channel"], []) if out != key]
        for key, m in metrics.items()
        if m["class"] in ("reach", "engagement")
    }


def lead_correlations(
    con: Connection,
    as_of: dt.date,
    items: tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]], list[dict[str, Any]]]
    | None = None,
) -> tuple[dict[str, int], dict[tuple[str, str], list[tuple[int, float | None, int]]]]:
    """Weeks with data per metric, and the lagged weekly correlations of every reach or
    engagement metric with the outcome KPI metrics of the objectives on its channel.
    (What's working needs only these, not the whole audit context.)"""
    weeks, series = _weekly_series(con, as_of)
    leads = _leads(*(items if items is not None else _plan_items(con)))
    pairs = [(lead, out) for lead, outs in leads.items() for out in outs]
    return weeks, lagged_correlations(series, pairs)


def _growth_rows(store: Store, as_of: dt.date) -> dict[str, dict[str, Any]]:
    """Each metric's growth over the last 8 weeks (vanity_sql.GROWTH), by metric."""
    with store.read() as con:
        return {r["metric"]: r for r in _rows(con, GROWTH, {"d": as_of})}


@contextmanager
def _beside(store: Store) -> Iterator[Callable[..., Callable[[], Any]]]:
    """``start(fn, *args)`` runs ``fn`` on a second cursor while this thread goes on, and
    returns what waits for its result: DuckDB lets go of the GIL while it plans and runs,
    so on two cores a statement overlaps this thread's statements and numpy work (the
    audit at L: 0.33 -> 0.25 s warm). Inside a transaction another cursor would not see
    its uncommitted rows: there ``fn`` runs at once, on this one."""
    if store.in_transaction():

        def now(fn: Callable[..., Any], *args: Any) -> Callable[[], Any]:
            result = fn(*args)
            return lambda: result

        yield now
        return
    with ThreadPoolExecutor(1, thread_name_prefix="audit") as pool:
        yield lambda fn, *args: pool.submit(fn, *args).result


def load_context(con: Connection, as_of: dt.date) -> Context:
    """What the rules read, but growth and progress (run_audit computes them beside it)."""
    metrics, objectives, kpis = _plan_items(con)
    weeks, series = _weekly_series(con, as_of)
    links = strongest_links(series, _leads(metrics, objectives, kpis))
    last_day = dict(
        con.execute(
            "SELECT metric, max(day) FROM daily_values WHERE day <= ? GROUP BY metric", [as_of]
        ).fetchall()
    )
    checkins = {
        r["kpi"]: r
        for r in _rows(
            con,
            # the owner's check-in for the latest period checked in (a week filled in
            # late must not speak for now), the last one typed for it; a manager checking
            # in under her own name says what she sees and must not hide the owner's
            "SELECT c.kpi, c.person, c.confidence, c.created_at, c.period,"
            " c.recorded_by AS entered_by"
            " FROM checkins c JOIN kpis k ON k.key = c.kpi AND c.person = k.owner"
            # of the KPI's cadence now: labels of one kind sort as their periods do
            " AND (c.period LIKE '%W%') = (k.cadence <> 'monthly')"
            " WHERE c.created_at::DATE <= ?"
            " QUALIFY row_number() OVER (PARTITION BY c.kpi"
            " ORDER BY c.period DESC, c.created_at DESC, c.id DESC) = 1",
            [as_of + dt.timedelta(days=1)],
        )
    }
    # a check-in's moment on the workspace's clock, with its offset: 23:30 on a Monday in
    # Chicago is said as that Monday, not as the Tuesday it is in UTC
    zone = ZoneInfo(timezone_of(con))
    for r in checkins.values():
        r["created_at"] = r["created_at"].replace(tzinfo=dt.UTC).astimezone(zone)
    from tracker.observations import overlaps

    # Outliers still stored as they were found (a corrected day no longer matches).
    outliers = _rows(
        con,
        "SELECT o.metric, o.day, o.value, o.reference FROM outliers o"
        " JOIN daily_values d ON d.metric = o.metric AND d.day = o.day AND d.value = o.value"
        " JOIN metrics m ON m.key = o.metric AND NOT m.archived"
        " WHERE o.day <= ? ORDER BY o.metric, o.day",
        [as_of],
    )
    return Context(
        as_of,
        metrics,
        objectives,
        kpis,
        weeks,
        links,
        last_day,
        checkins,
        people={
            LOCAL_MANAGER.key: LOCAL_MANAGER.name,
            **dict(con.execute("SELECT key, name FROM people").fetchall()),
        },
        outliers=outliers,
        overlaps=[o for o in overlaps(con, through=as_of) if o.metric in metrics],
        series=series,
    )


def _material_change(rule: Rule, old: dict[str, Any], new: dict[str, Any]) -> bool:
    for name, tolerance in rule.material.items():
        a, b = old.get(name), new.get(name)
        if tolerance is None or a is None or b is None:
            if a != b:
                return True
        elif abs(float(a) - float(b)) > tolerance:
            return True
    return False


def run_audit(
    store: Store, as_of: dt.date | None = None, *, progress: ProgressReport | None = None
) -> AuditReport:
    """Every flag as of ``as_of`` (default: today in the workspace timezone).

    ``progress``: the progress report of the same day when the caller has it (the
    Summary, the weekly review): computed once, not again here.
    """
    from tracker.progress import compute_progress

    with store.session(), store.read() as con:
        if as_of is None:
            as_of = today(store)
        with _beside(store) as start:
            if progress is None or progress.as_of != as_of:
                progress_now = start(compute_progress, store, as_of)
            else:
                given = progress
                progress_now = lambda: given  # noqa: E731
            growth = start(_growth_rows, store, as_of)
            ctx = load_context(con, as_of)
            ctx.growth, progress = growth(), progress_now()
        ctx.progress = {k.kpi: k for k in progress.kpis}
        acks = {
            (r["code"], r["subject"]): r
            for r in _rows(
                con, "SELECT code, subject, reason, evidence, acked_by, acked_at FROM flag_acks"
            )
        }
    flags: list[Flag] = []
    for rule in RULES:
        for flag in rule.check(ctx):
            flag.subject_name = ctx.subject_name(flag.subject)
            ack = acks.get((flag.code, flag.subject))
            if ack is not None:
                old = json.loads(ack["evidence"]) if ack["evidence"] else {}
                if not _material_change(rule, old, flag.evidence):
                    flag.acknowledged = True
                    flag.ack_reason = ack["reason"]
                    flag.acked_by = ack["acked_by"]
                    flag.acked_by_name = ctx.person(ack["acked_by"])
                    flag.acked_at = ack["acked_at"]
            flags.append(flag)
    flags.sort(key=lambda f: (f.acknowledged, f.severity != "warning"))
    names = {key: m["name"] for key, m in ctx.metrics.items()}
    single = {k["key"]: k["metric"] for k in ctx.kpis if k["metric"]}
    return AuditReport(
        as_of=as_of, flags=flags, metric_names=names, kpi_metric=single, kpi_count=len(ctx.kpis)
    )


def acknowledge(
    store: Store, actor: Actor, code: str, subject: str, reason: str, as_of: dt.date | None = None
) -> Flag:
    """Acknowledge a raised flag with a reason (managers only; in the audit log)."""
    return acknowledge_many(store, actor, [(code, subject)], reason, as_of)[0]


def acknowledge_many(
    store: Store,
    actor: Actor,
    flags: list[tuple[str, str]],
    reason: str,
    as_of: dt.date | None = None,
    *,
    field: str = "--reason",
) -> list[Flag]:
    """Acknowledge several raised flags (code, subject) with one reason, in one
    transaction: all of them or, when one is not raised, none. ``field`` names the
    reason in messages: the option on the command line, the field on a page."""
    require_manager(actor, "acknowledge flags")
    flags = list(dict.fromkeys(flags))  # the same flag twice is acknowledged once
    for code, _ in flags:
        if code not in CODES:
            raise BadInput(f"unknown flag code {code!r}; codes: {', '.join(CODES)}")
    # cleaned as every note is: an escape sequence would reach each terminal showing it
    reason = clean_note(reason, field) or ""
    if not reason:
        raise BadInput(f"{field}: say why this flag is acceptable (it is shown with the flag)")
    raised = {(f.code, f.subject): f for f in run_audit(store, as_of).flags}
    found = []
    for code, subject in flags:
        flag = raised.get((code, subject))
        if flag is None:
            raise BadInput(f"no {code} flag is raised for {subject} (see `waypoint audit`)")
        found.append(flag)
    with store.write() as con:
        for flag in found:
            evidence = json.dumps(flag.evidence, default=str, sort_keys=True)
            con.execute(
                "DELETE FROM flag_acks WHERE code = ? AND subject = ?", [flag.code, flag.subject]
            )
            con.execute(
                "INSERT INTO flag_acks VALUES (?, ?, ?, ?, ?, ?)",
                # naive UTC like every stamp (WAYPOINT_NOW pins it in tests and demos)
                [flag.code, flag.subject, reason.strip(), evidence, actor.key, auditlog.stamp()],
            )
            auditlog.record(
                con,
                actor,
                "acknowledge",
                "flag",
                f"{flag.code} {flag.subject}",
                None,
                {"reason": reason.strip()},
            )
    for flag in found:
        flag.acknowledged, flag.ack_reason, flag.acked_by = True, reason.strip(), actor.key
        flag.acked_by_name = actor.name
    return found


def unacknowledge(store: Store, actor: Actor, code: str, subject: str) -> None:
    require_manager(actor, "reopen flags")
    with store.write() as con:
        old = con.execute(
            "SELECT reason FROM flag_acks WHERE code = ? AND subject = ?", [code, subject]
        ).fetchall()
        if not old:
            raise BadInput(f"{code} {subject} is not acknowledged")
        con.execute("DELETE FROM flag_acks WHERE code = ? AND subject = ?", [code, subject])
        auditlog.record(
            con, actor, "reopen", "flag", f"{code} {subject}", {"reason": old[0][0]}, None
        )
