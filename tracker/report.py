"""The weekly review: one ISO week as data, rendered as Markdown or self-contained HTML.

The same review feeds `waypoint report weekly`, the dashboard's Weekly review page and
the Monday digest email. Rendering is Jinja2 (tracker/templates/weekly.*.j2) with
autoescape on: HTML-escaped in HTML, backslash-escaped in Markdown (``_md_value``), so
a note can never inject markup or links.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from tracker import formats
from tracker.annotations import Annotation, list_annotations
from tracker.checkins import CheckinState, checkin_status, said
from tracker.clock import now_utc, today, workspace_timezone
from tracker.errors import BadInput
from tracker.names import kpi_names, people_names
from tracker.periods import Period
from tracker.progress import KpiProgress, ObjectiveStatus, compute_progress
from tracker.store import Store
from tracker.vanity import Flag, FlagLine, flag_lines, run_audit
from tracker.vocab import (
    BEHIND,
    CHECKIN_STYLE,
    DEFAULT_WORKSPACE_NAME,
    STATUS_STYLE,
    checkin_words,
    count_statuses,
)

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
class PersonWeek:
    """One owner's check-ins of the week."""

    name: str
    states: list[CheckinState]

    def summary(self) -> str:
        """ "2 on time, 1 missing" (check-in states, in vocab order)."""
        counts: dict[str, int] = {}
        for c in self.states:
            counts[c.state] = counts.get(c.state, 0) + 1
        return ", ".join(f"{counts[s]} {CHECKIN_STYLE[s][1]}" for s in CHECKIN_STYLE if s in counts)


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

    def for_reader(self, reader: Any) -> WeeklyReview:
        """The review as ``reader`` (an Actor) may read it: a job's message names the
        addresses it mailed or that refused it and the mail server, which only a manager
        may see."""
        if getattr(reader, "role", None) == "manager":
            return self
        from dataclasses import replace

        from tracker.text import for_non_managers

        return replace(self, failed_jobs=[(j, for_non_managers(m)) for j, m in self.failed_jobs])

    # Campaigns that ended in the week: (name, sentences of what they moved or did not).
    campaigns_ended: list[tuple[str, list[str]]] = field(default_factory=list)

    # (code, subject) of the flags first raised this week: "new flags" need a decision
    new_flags: set[tuple[str, str]] = field(default_factory=set)
    # Decisions recorded at the previous week's review: this review follows them up.
    previous_decisions: list[Annotation] = field(default_factory=list)
    # The day the numbers are read as of: the Sunday of a finished week, today for the
    # week still running (None: the Sunday).
    as_of: dt.date | None = None
    # The week has not ended: read so far, paced as usual (its Sunday too, until it ends)
    running: bool = False
    # Check-ins of the week before (and of the month its Sunday closed) missing now: when
    # that week's digest went out on Monday they were still on time, so without these no
    # digest ever said a check-in was missing
    missed_before: list[CheckinState] = field(default_factory=list)

    @property
    def title(self) -> str:
        """ "Weekly review · 9–15 Nov 2026": the days, which people read; the ISO week
        code stays in file names and --json."""
        span = formats.day_span(self.start, self.end)
        if self.running and self.as_of is not None:
            return f"Weekly review · {span} (so far: as of {formats.long_day(self.as_of)})"
        return f"Weekly review · {span}"

    @property
    def since(self) -> str:
        """The day the statuses are compared with, as people read it ("Sun 8 Nov"): the
        end of the week before. "Since last week" meant that here and seven days ago on
        the Summary, and the two disagreed on the same day."""
        return formats.short_day(self.end - dt.timedelta(days=7))

    def changed_lines(self) -> list[str]:
        """ "Catering inquiries: ● on track → ▲ at risk" for each status that changed."""
        return [
            f"{k.now.name or k.now.kpi}: {STATUS_WORDS[k.before.status]} →"
            f" {STATUS_WORDS[k.now.status]}"
            for k in self.changed
            if k.before
        ]

    def by_person(self) -> list[PersonWeek]:
        """Check-ins grouped by owner, in the order the owners first appear."""
        grouped: dict[str, list[CheckinState]] = {}
        for c in self.checkins:
            grouped.setdefault(c.owner, []).append(c)
        return [PersonWeek(self.person(k), states) for k, states in grouped.items()]

    def kpi(self, key: str) -> str:
        return self.kpi_names.get(key, key)

    def checkin_kpi(self, c: CheckinState) -> str:
        """A check-in's KPI, with its month when it is a monthly one: beside an overdue
        October, "Ads budget: due" read as October's too."""
        if c.period == self.week:
            return self.kpi(c.kpi)
        return f"{self.kpi(c.kpi)} ({formats.period(c.period)})"

    @functools.cached_property
    def _owed_by(self) -> dict[str, str]:
        return {c.kpi: c.owner for c in self.checkins}

    def owner_then(self, k: KpiWeek) -> str:
        """Who owned the KPI in the reviewed week, by name: the check-ins know the owner
        of each period (handovers are taken from the audit log); the plan's owner else."""
        return self.person(self._owed_by.get(k.now.kpi, k.now.owner))

    def person(self, key: str | None) -> str:
        return self.people.get(key or "", key or "nobody")

    @property
    def overdue(self) -> list[CheckinState]:
        """Check-ins missing: this week's, then the week before's that went missing after
        its review went out (a monthly period both weeks share counted once)."""
        own = {(c.kpi, c.period) for c in self.checkins}
        return [c for c in self.checkins if c.state == "missing"] + [
            c for c in self.missed_before if (c.kpi, c.period) not in own
        ]

    def missing_line(self, c: CheckinState) -> str:
        """ "Catering inquiries (Maria Lopez, week of 9 Nov 2026)": whose and which period."""
        return f"{self.kpi(c.kpi)} ({self.person(c.owner)}, {formats.period(c.period)})"

    @property
    def changed(self) -> list[KpiWeek]:
        return [k for k in self.kpis if k.status_changed]

    # -- what needs a decision (the page, the Markdown and the email show the same) ----
    @property
    def behind(self) -> list[KpiWeek]:
        return [k for k in self.kpis if k.now.status in BEHIND]

    @property
    def open_flags(self) -> list[Flag]:
        """The flags nobody has acknowledged: only these ask for a decision."""
        return [f for f in self.flags if not f.acknowledged]

    @property
    def conflicts(self) -> list[Flag]:
        return [f for f in self.open_flags if f.code == "confidence_conflict"]

    def flag_lines(self) -> list[FlagLine]:
        """Every flag of the week as lines people read (tracker.vanity.flag_lines)."""
        return flag_lines(self.flags)

    def objective_lines(self) -> list[tuple[ObjectiveStatus, str]]:
        """Each objective with what explains its status (DESIGN "Objectives": the KPI that
        holds it there, and how many KPIs are in each status), as one plain phrase."""
        by_kpi = {k.now.kpi: k.now for k in self.kpis}
        return [(o, formats.objective_reason(o, by_kpi)) for o in self.objectives]

    @property
    def other_flags(self) -> dict[str, list[str]]:
        """The flags new this week (besides conflicts) in one line's worth: title -> the
        names of their subjects. Flags already open a week ago are in the details."""
        out: dict[str, list[str]] = {}
        for f in self.open_flags:
            if (f.code, f.subject) not in self.new_flags:
                continue
            if f.code != "confidence_conflict":
                out.setdefault(f.title, []).append(f.subject_name)
        return out

    def decision_lines(self) -> list[str]:
        """Plain sentences (not escaped) of what needs a decision, worst first."""
        lines = [
            f"{STATUS_WORDS[k.now.status]}: {k.now.name or k.now.kpi}"
            f" ({self.owner_then(k)}): {formats.kpi_numbers(k.now)}"
            for k in self.behind
        ]
        lines += [f"{f.title}: {f.message}" for f in self.conflicts]
        lines += [f"check-in missing: {self.missing_line(c)}" for c in self.overdue]
        lines += [f"{job} failed: {message}" for job, message in self.failed_jobs]
        flags = self.other_flags
        if flags:
            lines.append(
                "new measurement flags: "
                + "; ".join(f"{title} ({', '.join(names)})" for title, names in flags.items())
            )
        return lines

    def nothing_to_decide(self) -> str:
        """What an empty "Needs a decision" means, said truly: nothing behind or missing,
        and what is still to watch ("every KPI is on pace" was said beside a KPI at risk,
        one with no data, and in a workspace with no KPI at all)."""
        if not self.kpis:
            return "Nothing to decide yet: no KPI is set. Write an objective and its KPIs first."
        watch = {
            "at_risk": "at risk",
            "no_data": "with no data",
            "no_target": "without a target",
        }
        counts = self.counts()
        still = [f"{counts[s]} {words}" for s, words in watch.items() if counts.get(s)]
        said = "Nothing needs a decision: no KPI is off track or missed, and every check-in is in."
        return said + (f" Still to watch: {', '.join(still)}." if still else "")

    def counts(self) -> dict[str, int]:
        """KPIs per status, worst first (vocab.SEVERITY_ORDER), statuses with none left out."""
        return count_statuses([k.now.status for k in self.kpis])

    def as_dict(self) -> dict[str, Any]:
        return {
            "week": self.week,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "as_of": (self.as_of or self.end).isoformat(),
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
    return Period.week_of(today(store)).previous().label


def weekly_review(
    store: Store, week: str | None = None, now: dt.datetime | None = None
) -> WeeklyReview:
    """The review of ISO ``week`` (default: the last complete week), as of its Sunday,
    or as of today for the week still running (paced as usual, docs/progress.md: its
    Sunday has not come, so nothing is judged as if it had)."""
    with store.session():
        week = week or last_complete_week(store)
        reviewed = Period.parse(week)
        start, end = reviewed.first, reviewed.last
        moment = now or now_utc()
        local_today = moment.astimezone(ZoneInfo(workspace_timezone(store))).date()
        if start > local_today:
            # a review of a week ahead would judge every KPI missed and every metric stale
            raise BadInput(
                f"week {week} has not started yet (today is {local_today});"
                " a review is of this week or an earlier one"
            )
        with store.read() as con:
            ws = con.execute("SELECT name, vision FROM workspace").fetchall()
        from tracker.jobruns import last_runs

        people, kpis_named = people_names(store), kpi_names(store)

        # jobs whose latest run failed during the reviewed week or since it ended (the
        # digest runs the Monday after); a failure of today is not news for a review of May
        failed = [
            (job.replace("_", " ").capitalize(), run.message or "")
            for job, run in sorted(last_runs(store).items())
            if run.outcome == "failed"
            and start <= run.scheduled_for.date() <= end + dt.timedelta(days=7)
        ]
        # a finished week is judged as closed: its Sunday's deadlines and periods passed;
        # the week still running is read as of today
        as_of = min(end, local_today)
        running = end >= local_today
        report = compute_progress(store, as_of, day_over=not running)
        # the week before the reviewed one is always over (a week ahead is refused above)
        last_week = compute_progress(store, end - dt.timedelta(days=7), day_over=True)
        before = {k.kpi: k for k in last_week.kpis}
        # every flag, acknowledged ones too: they stay visible, with their reason
        flags = run_audit(store, as_of, progress=report).flags
        # flags raised a week earlier are not news: the decisions list only the new ones
        earlier = {
            (f.code, f.subject)
            for f in run_audit(store, end - dt.timedelta(days=7), progress=last_week).flags
            if not f.acknowledged
        }
        checkins = checkin_status(store, week, now or now_utc()).kpis
        before_week = checkin_status(store, reviewed.previous().label, now or now_utc()).kpis
        notes = list_annotations(store, start - dt.timedelta(days=7), end)
        ended = _campaigns_ended(store, start, as_of)  # those that ended by then
    return WeeklyReview(
        week=week,
        start=start,
        end=end,
        workspace=ws[0][0] if ws else DEFAULT_WORKSPACE_NAME,
        vision=ws[0][1] if ws else None,
        objectives=report.objectives,
        kpis=[KpiWeek(k, before.get(k.kpi)) for k in report.kpis],
        checkins=checkins,
        flags=flags,
        new_flags={(f.code, f.subject) for f in flags if not f.acknowledged} - earlier,
        decisions=[n for n in notes if n.kind == "decision" and n.day >= start],
        notes=[n for n in notes if n.kind != "decision" and n.day >= start],
        previous_decisions=[n for n in notes if n.kind == "decision" and n.day < start],
        kpi_names=kpis_named,
        people=people,
        failed_jobs=failed,
        campaigns_ended=ended,
        as_of=as_of,
        running=running,
        missed_before=[c for c in before_week if c.state == "missing"],
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
        unmeasured = summary.nothing_to_compare()
        out.append(
            (summary.name, judged or [unmeasured or "not enough data to judge what it moved"])
        )
    return out


# -- rendering -------------------------------------------------------------------------------
# Characters that make Markdown markup (emphasis, code, links, HTML, tables, headings).
# Besides Markdown's own, $ (Streamlit renders $...$ as maths), : (`:material/x:` and
# `:emoji:` shortcodes; "https://" autolinks) and ! ( ) (images, links).
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~$:!()])")
# "&" where it starts an HTML entity: "&amp;" typed in a note showed as "&" ("Bakery &
# Catering" is no entity and stays as typed)
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# Streamlit finds `:material/x:` icons and bare links ("https://", "www.") in the text
# after Markdown's escapes are undone, so those are broken with an invisible word joiner
# (U+2060) instead: the text reads the same and nothing turns into an icon or a link.
_WWW = re.compile(r"(?i)\b(www)\.")
_JOIN = "\u2060"
_GLUED_COLON = re.compile(r"\\:(?=\S)")
# Streamlit turns "--" into a dash, escaped or not ("; DROP TABLE x; --" showed as "; —")
_DOUBLE_HYPHEN = re.compile(r"-(?=-)")


def md_escape(text: str | None) -> str:
    """User text as Markdown that shows exactly what was typed (no links, no HTML)."""
    if not text:
        return ""
    escaped = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    escaped = _ENTITY.sub(r"\\&", escaped)
    # Only a colon glued to what follows can start a shortcode or a "://" link; one
    # followed by a space (most sentences, every error message) stays as typed.
    escaped = _GLUED_COLON.sub("\\\\:" + _JOIN, escaped)
    escaped = _DOUBLE_HYPHEN.sub("-" + _JOIN, escaped)
    return _WWW.sub(r"\1" + _JOIN + ".", escaped)


def _delta(k: KpiWeek) -> str:
    return formats.kpi_change(k.now, k.delta)


def _forecast(n: KpiProgress) -> str:
    will_miss = " (will miss)" if n.forecast_status == "will_miss" else ""
    return formats.kpi_value(n, n.forecast) + will_miss


def _checkin(c: CheckinState, people: dict[str, str] | None = None) -> str:
    when = f", {c.day_of(c.checked_in_at)}" if c.checked_in_at else ""
    return checkin_words(c.state, c.confidence) + when + checked_in_again(c, people or {})


def checked_in_again(c: CheckinState, people: dict[str, str]) -> str:
    """When the confidence shown was given, if after the check-in that decided on time
    (a second check-in, or the first after a value the owner logged), and who typed it
    for the owner (a manager's counts for the owner): said of the one shown, after its
    day ("; checked in again Thu 5 Nov 2026, entered by Ricardo")."""
    again = f"; checked in again {c.day_of(c.updated_at)}" if c.updated_at is not None else ""
    by = f", entered by {entered_by_name(c.entered_by, people)}" if c.entered_by else ""
    return again + by


def entered_by_name(key: str, people: dict[str, str]) -> str:
    """Who typed a check-in for its owner, as a review names them."""
    from tracker.records import LOCAL_MANAGER

    return "the local manager" if key == LOCAL_MANAGER.key else people.get(key, key)


def _md_value(value: Any) -> Any:
    # Markdown's autoescape: every value a template prints is escaped (numbers and dates
    # hold nothing to escape); markup lives only in the template's own text.
    return md_escape(value) if isinstance(value, str) else value


@functools.cache
def _environment(markdown: bool, escaped: bool = True) -> jinja2.Environment:
    """One environment per output (HTML autoescaped; Markdown escaped by finalize; the
    Markdown template unescaped for an email's plain-text part, which no client renders
    as markup)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tracker", "templates"),
        autoescape=not markdown,
        finalize=_md_value if markdown and escaped else None,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(
        status=lambda code: STATUS_WORDS[code],
        colour=lambda code: STATUS_COLOURS[code],
        value=formats.kpi_value,
        percent=formats.percent,
        day=formats.long_day,
        delta=_delta,
        forecast=_forecast,
        said=said,
        checkin=_checkin,
    )
    return env


def _render(name: str, markdown: bool, escaped: bool = True, **context: Any) -> str:
    return _environment(markdown, escaped).get_template(name).render(**context)


def render_text(review: WeeklyReview) -> str:
    """The review as plain text (an email's text part): the Markdown page without its
    backslash escapes, which a plain-text reader would see as they are."""
    return render_markdown(review, escaped=False)


def render_markdown(review: WeeklyReview, *, escaped: bool = True) -> str:
    """The whole review as Markdown: the one page first, then the details."""
    text = _render(
        "weekly.md.j2",
        True,
        escaped,
        review=review,
        counts=", ".join(f"{n} {STATUS_WORDS[s]}" for s, n in review.counts().items())
        or "none yet",
        changed="; ".join(review.changed_lines()),
    )
    return re.sub(r"\n{3,}", "\n\n", text)


# The digest lists this many decisions; the rest are one link away (one screen).
EMAIL_DECISIONS = 6


def render_html(
    review: WeeklyReview,
    images: dict[str, bytes] | None = None,
    *,
    email: bool = False,
    details_url: str | None = None,
) -> str:
    """Self-contained HTML (inline CSS, no JavaScript). ``images`` maps a content id to a
    PNG that the email attaches inline; each is shown as <img src="cid:ID">. ``email``
    gives the one-screen digest: the headline, what needs a decision and the check-ins
    by person, with the details one link (``details_url``) away."""
    lines = review.decision_lines()
    shown = lines[:EMAIL_DECISIONS] if email and details_url else lines
    return _render(
        "weekly.html.j2",
        False,
        review=review,
        email=email,
        details_url=details_url,
        images=list(images or {}),
        changed="; ".join(review.changed_lines()),
        decisions=shown,
        more_decisions=len(lines) - len(shown),
    )
