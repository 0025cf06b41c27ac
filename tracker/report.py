"""The weekly review: one ISO week as data, rendered as Markdown or self-contained HTML.

The same review feeds `waypoint report weekly`, the dashboard's Weekly review page and
the Monday digest email. Everything a person typed is escaped in HTML (html.escape) and
in Markdown (backslash-escaped), so a note can never inject markup or links.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass, field
from typing import Any

from tracker import formats
from tracker.annotations import Annotation, list_annotations
from tracker.checkins import CheckinState, checkin_status
from tracker.clock import iso_week, now_utc, today, week_bounds
from tracker.progress import KpiProgress, ObjectiveStatus, compute_progress
from tracker.store import Store
from tracker.vanity import Flag, run_audit
from tracker.vocab import SEVERITY_ORDER, STATUS_STYLE, checkin_words

STATUS_WORDS = {k: v.text for k, v in STATUS_STYLE.items()}
STATUS_COLOURS = {k: v.hex for k, v in STATUS_STYLE.items()}


@dataclass
class KpiWeek:
    now: KpiProgress
    before: KpiProgress | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.now.current is None or self.before.current is None:
            return None
        return self.now.current - self.before.current

    @property
    def status_changed(self) -> bool:
        return self.before is not None and self.before.status != self.now.status


@dataclass
class WeeklyReview:
    week: str
    start: dt.date
    end: dt.date
    workspace: str
    vision: str | None
    objectives: list[ObjectiveStatus]
    kpis: list[KpiWeek]
    checkins: list[CheckinState]
    flags: list[Flag]
    decisions: list[Annotation]
    notes: list[Annotation] = field(default_factory=list)
    kpi_names: dict[str, str] = field(default_factory=dict)  # KPI key -> name
    people: dict[str, str] = field(default_factory=dict)  # person key -> name (own keys)
    failed_jobs: list[tuple[str, str]] = field(default_factory=list)  # (job, message)
    # Campaigns that ended in the week: (name, sentences of what they moved or did not).
    campaigns_ended: list[tuple[str, list[str]]] = field(default_factory=list)

    def kpi(self, key: str) -> str:
        return self.kpi_names.get(key, key)

    def person(self, key: str | None) -> str:
        return self.people.get(key or "", key or "nobody")

    @property
    def overdue(self) -> list[CheckinState]:
        return [c for c in self.checkins if c.state == "missing"]

    @property
    def changed(self) -> list[KpiWeek]:
        return [k for k in self.kpis if k.status_changed]

    # -- what needs a decision (the page, the Markdown and the email show the same) ----
    @property
    def behind(self) -> list[KpiWeek]:
        return [k for k in self.kpis if k.now.status in ("off_track", "missed")]

    @property
    def conflicts(self) -> list[Flag]:
        return [f for f in self.flags if f.code == "confidence_conflict"]

    @property
    def other_flags(self) -> dict[str, list[str]]:
        """The other flags in one line's worth: title -> the names of their subjects."""
        out: dict[str, list[str]] = {}
        for f in self.flags:
            if f.code != "confidence_conflict":
                out.setdefault(f.title, []).append(f.subject_name)
        return out

    def decision_lines(self) -> list[str]:
        """Plain sentences (not escaped) of what needs a decision, worst first."""
        lines = [
            f"{STATUS_WORDS[k.now.status]}: {k.now.name or k.now.kpi}"
            f" ({self.person(k.now.owner)}): {formats.kpi_numbers(k.now)}"
            for k in self.behind
        ]
        lines += [f"{f.title}: {f.message}" for f in self.conflicts]
        lines += [
            f"check-in missing: {self.kpi(c.kpi)} ({self.person(c.owner)})" for c in self.overdue
        ]
        lines += [f"{job} failed: {message}" for job, message in self.failed_jobs]
        flags = self.other_flags
        if flags:
            lines.append(
                "measurement flags: "
                + "; ".join(f"{title} ({', '.join(names)})" for title, names in flags.items())
            )
        return lines

    def counts(self) -> dict[str, int]:
        """KPIs per status, worst first (vocab.SEVERITY_ORDER), statuses with none left out."""
        statuses = [k.now.status for k in self.kpis]
        return {s: statuses.count(s) for s in SEVERITY_ORDER if s in statuses}

    def as_dict(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "workspace": self.workspace,
            "vision": self.vision,
            "objectives": [o.as_dict() for o in self.objectives],
            "kpis": [
                {
                    **k.now.as_dict(),
                    "previous": k.before.current if k.before else None,
                    "previous_status": k.before.status if k.before else None,
                    "delta": k.delta,
                }
                for k in self.kpis
            ],
            "checkins": [c.as_dict() for c in self.checkins],
            "flags": [f.as_dict() for f in self.flags],
            "decisions": [{"day": d.day.isoformat(), "text": d.text} for d in self.decisions],
            "failed_jobs": [{"job": j, "message": m} for j, m in self.failed_jobs],
            "campaigns_ended": [
                {"campaign": name, "findings": lines} for name, lines in self.campaigns_ended
            ],
        }


def last_complete_week(store: Store) -> str:
    return iso_week(today(store) - dt.timedelta(days=7))


def weekly_review(
    store: Store, week: str | None = None, now: dt.datetime | None = None
) -> WeeklyReview:
    """The review of ISO ``week`` (default: the last complete week), as of its Sunday."""
    with store.session():
        week = week or last_complete_week(store)
        start, end = week_bounds(week)
        with store.read() as con:
            ws = con.execute("SELECT name, vision FROM workspace").fetchall()
            people = dict(con.execute("SELECT key, name FROM people").fetchall())
            kpi_names = dict(con.execute("SELECT key, coalesce(name, key) FROM kpis").fetchall())
        from tracker.jobruns import last_runs

        # jobs whose latest run failed during the reviewed week or since it ended (the
        # digest runs the Monday after); a failure of today is not news for a review of May
        failed = [
            (job.replace("_", " ").capitalize(), run.message or "")
            for job, run in sorted(last_runs(store).items())
            if run.outcome == "failed"
            and start <= run.scheduled_for.date() <= end + dt.timedelta(days=7)
        ]
        report = compute_progress(store, end)
        before = {k.kpi: k for k in compute_progress(store, end - dt.timedelta(days=7)).kpis}
        flags = [f for f in run_audit(store, end, progress=report).flags if not f.acknowledged]
        checkins = checkin_status(store, week, now or now_utc()).kpis
        notes = list_annotations(store, start, end)
        ended = _campaigns_ended(store, start, end)
    return WeeklyReview(
        week=week,
        start=start,
        end=end,
        workspace=ws[0][0] if ws else "Waypoint",
        vision=ws[0][1] if ws else None,
        objectives=report.objectives,
        kpis=[KpiWeek(k, before.get(k.kpi)) for k in report.kpis],
        checkins=checkins,
        flags=flags,
        decisions=[n for n in notes if n.kind == "decision"],
        notes=[n for n in notes if n.kind != "decision"],
        kpi_names=kpi_names,
        people=people,
        failed_jobs=failed,
        campaigns_ended=ended,
    )


def _campaigns_ended(store: Store, start: dt.date, end: dt.date) -> list[tuple[str, list[str]]]:
    """Campaigns whose last day (their own, or their objective's deadline, as on the
    Campaigns page) falls in the week, with their verdict per metric judged. Models are
    fitted only for those: most weeks none ends."""
    from tracker.impact import campaign_impacts

    out = []
    for summary in campaign_impacts(store, end, ending=(start, end)):
        # Outcomes always; audience and activity only when they moved (one page).
        judged = [
            i.sentence()
            for i in summary.impacts
            if i.verdict == "effect" or (i.outcome and i.verdict == "no_effect")
        ]
        out.append((summary.name, judged or ["not enough data to judge what it moved"]))
    return out


# -- rendering -------------------------------------------------------------------------------
# Characters that make Markdown markup (emphasis, code, links, HTML, tables, headings).
# Besides Markdown's own, $ (Streamlit renders $...$ as maths), : (`:material/x:` and
# `:emoji:` shortcodes; "https://" autolinks) and ! ( ) (images, links).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$:!()])")
# Streamlit finds `:material/x:` icons and bare links ("https://", "www.") in the text
# after Markdown's escapes are undone, so those are broken with an invisible word joiner
# (U+2060) instead: the text reads the same and nothing turns into an icon or a link.
_WWW = re.compile(r"(?i)\b(www)\.")
_JOIN = "\u2060"
_GLUED_COLON = re.compile(r"\\:(?=\S)")


def md_escape(text: str | None) -> str:
    """User text as Markdown that shows exactly what was typed (no links, no HTML)."""
    if not text:
        return ""
    escaped = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    # Only a colon glued to what follows can start a shortcode or a "://" link; one
    # followed by a space (most sentences, every error message) stays as typed.
    escaped = _GLUED_COLON.sub("\\\\:" + _JOIN, escaped)
    return _WWW.sub(r"\1" + _JOIN + ".", escaped)


def _delta(k: KpiWeek) -> str:
    return formats.signed(formats.kpi_value(k.now, k.delta), k.delta)


def _forecast(n: KpiProgress) -> str:
    will_miss = " (will miss)" if n.forecast_status == "will_miss" else ""
    return formats.kpi_value(n, n.forecast) + will_miss


def render_markdown(review: WeeklyReview) -> str:
    lines = [
        f"# Weekly review {review.week} ({review.start} – {review.end})",
        "",
        f"**{md_escape(review.workspace)}**"
        + (f": {md_escape(review.vision)}" if review.vision else ""),
        "",
    ]
    counts = review.counts()
    lines.append("KPIs: " + ", ".join(f"{n} {STATUS_WORDS[s]}" for s, n in counts.items()))
    lines += ["", "## Needs a decision", ""]
    lines += [f"- {md_escape(line)}" for line in review.decision_lines()] or [
        "- nothing: every KPI is on pace and every check-in is in"
    ]
    lines += ["", "## Objectives", ""]
    for o in review.objectives:
        lines.append(f"- **{md_escape(o.title)}**: {STATUS_WORDS[o.status]}")
    lines += [
        "",
        "## KPIs",
        "",
        "| KPI | status | current | week's change | progress | expected | forecast |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for k in review.kpis:
        n = k.now
        changed = f" (was {STATUS_WORDS[k.before.status]})" if k.status_changed and k.before else ""
        forecast = _forecast(n)
        lines.append(
            f"| {md_escape(n.name or n.kpi)} | {STATUS_WORDS[n.status]}{changed} |"
            f" {formats.kpi_value(n, n.current)} | {_delta(k)} | {formats.percent(n.progress)} |"
            f" {formats.percent(n.expected)} | {forecast} |"
        )
    if review.changed:
        lines += ["", "## Statuses that changed", ""]
        for k in review.changed:
            lines.append(
                f"- {md_escape(k.now.name or k.now.kpi)}: "
                f"{STATUS_WORDS[k.before.status] if k.before else '–'} → {STATUS_WORDS[k.now.status]}"
            )
    lines += ["", "## Check-ins", ""]
    for c in review.checkins:
        when = c.checked_in_at.strftime("%a %d %b") if c.checked_in_at else ""
        line = (
            f"- {md_escape(review.kpi(c.kpi))} ({md_escape(review.person(c.owner))}):"
            f" {checkin_words(c.state, c.confidence)}"
        )
        if when:
            line += f", {when}"
        lines.append(line)
        for label, text in (("progress", c.progress), ("plans", c.plans), ("problems", c.problems)):
            if text:
                lines.append(f"  - {label}: {md_escape(text)}")
        if c.note and not (c.progress or c.plans or c.problems):
            lines.append(f"  - {md_escape(c.note)}")
    if review.overdue:
        lines += ["", "## Overdue check-ins", ""]
        lines += [
            f"- {md_escape(review.kpi(c.kpi))}: {md_escape(review.person(c.owner))}"
            for c in review.overdue
        ]
    if review.campaigns_ended:
        lines += ["", "## Campaigns that ended", ""]
        for name, findings in review.campaigns_ended:
            lines.append(f"- **{md_escape(name)}**")
            lines += [f"  - {md_escape(line)}" for line in findings]
    if review.failed_jobs:
        lines += ["", "## Jobs that failed", ""]
        lines += [f"- {md_escape(j)}: {md_escape(m)}" for j, m in review.failed_jobs]
    lines += ["", "## Vanity and measurement flags", ""]
    lines += [
        f"- **{md_escape(f.title)}** · {md_escape(f.subject_name)}: {md_escape(f.message)}"
        for f in review.flags
    ] or ["- none"]
    lines += ["", "## Decisions", ""]
    lines += [f"- {d.day}: {md_escape(d.text)}" for d in review.decisions] or ["- none yet"]
    return "\n".join(lines) + "\n"


def _chip(status: str) -> str:
    return (
        f'<span style="background:{STATUS_COLOURS[status]};color:#fff;border-radius:8px;'
        f'padding:1px 7px;font-size:12px">{html.escape(STATUS_WORDS[status])}</span>'
    )


def render_html(review: WeeklyReview, images: dict[str, bytes] | None = None) -> str:
    """Self-contained HTML (inline CSS, no JavaScript). ``images`` maps a content id to a
    PNG that the email attaches inline; each is shown as <img src="cid:ID">."""
    e = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Weekly review {e(review.week)}</title></head>",
        "<body style='font-family:Helvetica,Arial,sans-serif;color:#1f2328;max-width:760px'>",
        f"<h1 style='font-size:22px'>Weekly review {e(review.week)}"
        f" <small style='color:#6e7781'>{review.start} – {review.end}</small></h1>",
        f"<p><b>{e(review.workspace)}</b>{': ' + e(review.vision) if review.vision else ''}</p>",
        "<p>" + " · ".join(f"{n} {_chip(s)}" for s, n in review.counts().items()) + "</p>",
        "<h2 style='font-size:18px'>Needs a decision</h2><ul>",
        *([f"<li>{e(line)}</li>" for line in review.decision_lines()] or ["<li>nothing</li>"]),
        "</ul>",
        "<h2 style='font-size:18px'>Objectives</h2><ul>",
    ]
    parts += [f"<li>{e(o.title)} {_chip(o.status)}</li>" for o in review.objectives]
    parts += [
        "</ul><h2 style='font-size:18px'>KPIs</h2>",
        "<table style='border-collapse:collapse;font-size:13px' cellpadding='4'>",
        "<tr style='background:#f6f8fa'><th align='left'>KPI</th><th>status</th>"
        "<th>current</th><th>week's change</th><th>progress</th><th>expected</th>"
        "<th>forecast</th></tr>",
    ]
    for k in review.kpis:
        n = k.now
        was = (
            f"<br><small>was {e(STATUS_WORDS[k.before.status])}</small>"
            if k.status_changed and k.before
            else ""
        )
        forecast = _forecast(n)
        parts.append(
            f"<tr><td>{e(n.name or n.kpi)}</td><td>{_chip(n.status)}{was}</td>"
            f"<td align='right'>{e(formats.kpi_value(n, n.current))}</td>"
            f"<td align='right'>{e(_delta(k))}</td>"
            f"<td align='right'>{formats.percent(n.progress)}</td>"
            f"<td align='right'>{formats.percent(n.expected)}</td>"
            f"<td align='right'>{e(forecast)}</td></tr>"
        )
    parts.append("</table>")
    for cid in images or {}:
        parts.append(f"<p><img src='cid:{e(cid)}' alt='{e(cid)}' width='700'></p>")
    parts.append("<h2 style='font-size:18px'>Check-ins</h2><ul>")
    for c in review.checkins:
        text = " · ".join(
            f"{label}: {e(t)}"
            for label, t in (("progress", c.progress), ("plans", c.plans), ("problems", c.problems))
            if t
        )
        text = text or e(c.note or "")
        parts.append(
            f"<li><b>{e(review.kpi(c.kpi))}</b> ({e(review.person(c.owner))}):"
            f" {e(checkin_words(c.state, c.confidence))}{'<br>' + text if text else ''}</li>"
        )
    parts.append("</ul>")
    if review.overdue:
        parts.append("<h2 style='font-size:18px'>Overdue check-ins</h2><ul>")
        parts += [
            f"<li>{e(review.kpi(c.kpi))}: {e(review.person(c.owner))}</li>" for c in review.overdue
        ]
        parts.append("</ul>")
    if review.campaigns_ended:
        parts.append("<h2 style='font-size:18px'>Campaigns that ended</h2><ul>")
        for name, findings in review.campaigns_ended:
            items = "".join(f"<li>{e(line)}</li>" for line in findings)
            parts.append(f"<li><b>{e(name)}</b><ul>{items}</ul></li>")
        parts.append("</ul>")
    if review.failed_jobs:
        parts.append("<h2 style='font-size:18px'>Jobs that failed</h2><ul>")
        parts += [f"<li><b>{e(j)}</b>: {e(m)}</li>" for j, m in review.failed_jobs]
        parts.append("</ul>")
    parts.append("<h2 style='font-size:18px'>Vanity and measurement flags</h2><ul>")
    parts += [
        f"<li><b>{e(f.title)}</b> · {e(f.subject_name)}: {e(f.message)}</li>" for f in review.flags
    ] or ["<li>none</li>"]
    parts.append("</ul><h2 style='font-size:18px'>Decisions</h2><ul>")
    parts += [f"<li>{d.day}: {e(d.text)}</li>" for d in review.decisions] or ["<li>none yet</li>"]
    parts.append("</ul></body></html>")
    return "\n".join(parts)
