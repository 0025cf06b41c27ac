"""Words, colours and icons used everywhere, and text that is always shown as typed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import streamlit as st

from tracker import formats, vocab
from tracker.errors import PlanError, WaypointError
from tracker.report import md_escape
from tracker.vocab import HELD_BACK, STATUS_STYLE

# Colour-blind safe: every status has an icon and a word beside its colour.
STATUS = {k: (v.icon, v.label, v.colour) for k, v in STATUS_STYLE.items()}


def status_label(status: str) -> str:
    icon, word, _ = STATUS[status]
    return f"{icon} {word}"


def chip(status: str) -> None:
    icon, word, colour = STATUS[status]
    st.badge(f"{icon} {word}", color=colour)  # type: ignore[arg-type]


def text(value: str | None) -> str:
    """User text for st.markdown: Markdown and HTML characters escaped."""
    return md_escape(value or "")


def label_text(value: str | None) -> str:
    """User text for a widget's label (Markdown, and its accessible name as written):
    escaped like ``text``, but without the backslashes that guard nothing here, which
    a screen reader would read out ("Betrag backslash colon"). A colon followed by a
    space starts no icon or colour, and with the brackets escaped no parenthesis or
    exclamation mark makes a link or an image."""
    return _HARMLESS_ESCAPE.sub(r"\1", text(value))


_HARMLESS_ESCAPE = re.compile(r"\\([()!]|:(?!\u2060))")


def badge_text(value: str | None) -> str:
    """User text for st.badge's label: escaped like ``text`` but for the square
    brackets, which st.badge escapes itself (escaped twice, "[web]" read "\\[web\\]")."""
    return text(value).replace("\\[", "[").replace("\\]", "]")


FLASH = "_flash"


def run_safely(
    action: Any, success: str | Callable[[Any], str], *, rerun: bool = False, place: str = "top"
) -> bool:
    """Run a write; show the service's refusal or error as st.error, never a traceback.
    ``success`` is the message, or makes it from what the write returned (Markdown: the
    caller escapes what users typed).

    ``rerun``: the page shows what the write changed above the form that made it (a due
    list, a flag's card, the decisions), so it is drawn again from the new revision and
    the success message is shown once, at the page's top or where the page calls
    ``show_flash(place)`` (beside a form far down the page, where the person looks)."""
    try:
        done = action()
    except WaypointError as exc:
        st.error(text(refusal_words(exc)))
        return False
    if callable(success):
        success = success(done)
    if rerun:
        st.session_state[FLASH] = (place, success)
        st.rerun()
    st.success(success)
    return True


# A plan problem names its place as the plan file does ("objectives[o].kpis[k].target");
# a page names the item and the field ("KPI k, target").
_ITEM_PATH = re.compile(
    r"^(?:objectives\[[^\]]*\]\.)?(objectives|kpis|campaigns|metrics|people|imports)"
    r"\[([^\]]*)\]\.?([\w.]*)"
)
_ITEM_WORD = {
    "objectives": "objective", "kpis": "KPI", "campaigns": "campaign", "metrics": "metric",
    "people": "person", "imports": "import mapping",
}  # fmt: skip


def refusal_words(exc: Exception) -> str:
    """A refusal as a page says it: a plan's problems without the plan file's syntax
    ("dashboard: 1 problem(s), nothing was changed: - objectives[a].kpis[b].target: ..."
    becomes "Not saved: KPI b, target: ...")."""
    if not isinstance(exc, PlanError):
        return str(exc)
    said = []
    for problem in exc.problems:
        found = _ITEM_PATH.match(problem)
        if found:
            kind, key, field = found.groups()
            where = f"{_ITEM_WORD[kind]} {key}" + (f", {field.replace('.', ' ')}" if field else "")
            problem = where + problem[found.end() :]
        elif problem.startswith("workspace."):
            problem = problem.removeprefix("workspace.")
        said.append(problem)
    return "Not saved: " + "; ".join(said)


def typed_number(label: str, text: str | None) -> float | None:
    """The number typed in a page's field, read as files and the plan page read numbers:
    a decimal comma is a decimal mark (1,5 is 1.5; a browser's number field dropped the
    comma and stored 15), 1,500 and 1 500 are 1500; empty is None. Raises ValueError
    naming the field."""
    from tracker.imports.values import NotANumber, parse_number

    if text is None or not str(text).strip():
        return None
    try:
        return parse_number(text)
    except NotANumber:
        raise ValueError(
            f"{label}: {str(text).strip()[:40]!r} is not a number (write it like 4, 2.5 or 2,5)"
        ) from None


def show_flash(place: str = "top") -> None:
    """The message of a write that redrew the page, once, if it belongs at ``place``."""
    pending = st.session_state.get(FLASH)
    if pending and pending[0] == place:
        del st.session_state[FLASH]
        st.success(pending[1])


def names(plan: Any) -> dict[str, str]:
    """Key -> the name people read, for the metrics, objectives and KPIs of a plan."""
    out = {m.key: m.name for m in plan.metrics}
    out.update({o.key: o.title for o in plan.objectives})
    out.update({k.key: k.name or k.key for o in plan.objectives for k in o.kpis})
    return out


def people(plan: Any) -> dict[str, str]:
    """Person key -> name (a key space of its own: a person may share a KPI's key)."""
    return {p.key: p.name for p in plan.people}


def overdue_list(states: list[Any], plan: Any) -> None:
    """Missing check-ins, one line each (Summary and Team), by name."""
    kpis, who = names(plan), people(plan)
    missing = [s for s in states if s.state == "missing"]
    if not missing:
        st.write("Nobody is overdue.")
    for s in missing:
        st.markdown(
            f"✕ **{text(kpis.get(s.kpi, s.kpi))}** — {text(who.get(s.owner, s.owner))}"
            f" ({formats.period(s.period)})"
        )


def working_table(report: Any) -> None:
    """Cost per outcome (Team and Vanity audit): money in the workspace currency, two
    decimals, for the period it covers."""
    cur = report.currency
    st.caption(
        f"{formats.day_span(report.first_day, report.last_day)} ({report.weeks} weeks). A"
        " channel's cost is its hours x the hourly rate of the person they are for, plus its"
        " spend; an outcome counts for the channel it belongs to, or once for its objective."
    )
    if not report.channels:
        st.write("No hours, spend or outcomes were logged in this period.")
        return
    # The answer first, then what it is for (outcome and channel both: two rows of
    # "Facebook + Instagram + Website" read the same without their outcome), the long
    # objective title last: on a phone only the first two columns show. The outcome is
    # not repeated in a column of its own: at 1400 px that pushed the objective out.
    st.dataframe(
        [
            {
                "cost per outcome": formats.money(r.cost_per_unit, cur)
                if r.cost_per_unit is not None
                else "–",
                # the outcome first: it tells two rows of one channel set apart even
                # where a phone cuts the cell
                "outcome · channel": f"{r.outcome_name} · {vocab.channel_label(r.channel)}"
                if r.outcome_name
                else f"{vocab.channel_label(r.channel)} (no outcome of its own)",
                "outcomes": formats.number(r.units) if r.outcome else "",
                "cost": formats.money(r.cost, cur),
                "hours": formats.hours(r.hours),
                "objective": r.objective_title or "",
            }
            for r in report.channels
        ],
        hide_index=True,
        # the figures take what they need; the objective's title what is left
        column_config={
            **{
                name: st.column_config.Column(width="small")
                for name in ("outcomes", "cost", "hours")
            },
            "objective": st.column_config.Column(width="large"),
        },
    )


def objective_standing(obj: Any, by_kpi: dict[str, Any]) -> tuple[str | None, list[str]]:
    """What agrees with an objective's status wherever it is shown (DESIGN "Objectives"):
    the KPI that holds it there (or when it starts), and how many KPIs are in each
    status, as Markdown (one item per status): no averaged bar that could read "ahead" beside "off track"."""
    k = by_kpi.get(obj.held_by or "")
    why = None
    if k is not None and obj.status in HELD_BACK:
        why = f"Held back by **{text(k.name or k.kpi)}**: {text(formats.kpi_numbers(k))}"
    elif obj.status == "not_started" and obj.starts:
        why = f"Starts on {formats.short_day(obj.starts, year=True)}"
    return why, [f"{status_label(s)} **{n}**" for s, n in obj.counts.items()]


def count(n: int, word: str) -> str:
    """1 week, 2 weeks: a number with its word (no "week(s)" on a page)."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"
