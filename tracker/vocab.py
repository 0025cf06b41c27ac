"""The domain's words, defined once: enums, their order, labels, colours and icons.

Every other module (plan models, SQL checks, CLI tables, the report, the dashboard)
takes these from here; a test compares them with the schema's CHECK constraints.
Number and money formats live in tracker.formats.
"""

from __future__ import annotations

from typing import Literal, get_args

Role = Literal["manager", "assistant", "viewer"]
MetricClass = Literal["outcome", "engagement", "reach", "activity", "effort", "spend"]
Behaviour = Literal["flow", "stock"]
Outcome = Literal[
    "revenue",
    "leads",
    "customer-service",
    "reputation",
    "insight",
    "network",
    "thought-leadership",
    "other",
]
Aggregation = Literal["sum", "latest", "mean", "ratio"]
Cadence = Literal["weekly", "monthly"]
Per = Literal["week", "month"]
Stay = Literal["above", "below"]
Confidence = Literal["on_track", "at_risk", "off_track"]
Status = Literal[
    "no_target",
    "not_started",
    "no_data",
    "achieved",
    "missed",
    "on_track",
    "at_risk",
    "off_track",
]
CheckinState = Literal["due", "on_time", "late", "missing", "not_due"]

ROLES: tuple[str, ...] = get_args(Role)
METRIC_CLASSES: tuple[str, ...] = get_args(MetricClass)
BEHAVIOURS: tuple[str, ...] = get_args(Behaviour)
OUTCOMES: tuple[str, ...] = get_args(Outcome)
AGGREGATIONS: tuple[str, ...] = get_args(Aggregation)
CADENCES: tuple[str, ...] = get_args(Cadence)
PERS: tuple[str, ...] = get_args(Per)
STAYS: tuple[str, ...] = get_args(Stay)
CONFIDENCES: tuple[str, ...] = get_args(Confidence)
STATUSES: tuple[str, ...] = get_args(Status)
CHECKIN_STATES: tuple[str, ...] = get_args(CheckinState)

# An objective takes the worst status among its KPIs that have data and a target.
ROLLUP_ORDER: tuple[str, ...] = ("missed", "off_track", "at_risk", "on_track", "achieved")
# Worst first, for lists people scan from the top (statuses that judge nothing last).
SEVERITY_ORDER: tuple[str, ...] = (
    *ROLLUP_ORDER,
    "no_data",
    "no_target",
    "not_started",
)

# Classes judged as business results; the others explain them.
OUTCOME_CLASSES = ("outcome",)
# Metrics that cost something: never "untracked numbers", they feed cost per outcome.
COST_CLASSES = ("effort", "spend")
HOUR_UNITS = ("h", "hr", "hrs", "hour", "hours")


class StatusStyle:
    """How a status reads: a word, a text icon (terminals, mail), a Material icon
    (the dashboard: Debian's Chromium has no emoji font) and a colour."""

    __slots__ = ("colour", "hex", "icon", "label", "material")

    def __init__(self, label: str, icon: str, material: str, colour: str, hex_: str) -> None:
        self.label = label
        self.icon = icon
        self.material = material
        self.colour = colour  # a Streamlit badge colour
        self.hex = hex_  # the same colour for Plotly and HTML mail

    @property
    def text(self) -> str:
        return f"{self.icon} {self.label}"


# Colour-blind safe pairs: every colour also has a word and an icon beside it.
STATUS_STYLE: dict[str, StatusStyle] = {
    "achieved": StatusStyle("achieved", "✓", ":material/verified:", "blue", "#1f6fb2"),
    "on_track": StatusStyle("on track", "●", ":material/check_circle:", "green", "#2e7d32"),
    "at_risk": StatusStyle("at risk", "▲", ":material/warning:", "orange", "#c77700"),
    "off_track": StatusStyle("off track", "✕", ":material/cancel:", "red", "#c62828"),
    "missed": StatusStyle("missed", "✕", ":material/event_busy:", "red", "#8e1b1b"),
    "no_data": StatusStyle("no data", "○", ":material/hourglass_empty:", "gray", "#7a7a7a"),
    "no_target": StatusStyle("no target", "…", ":material/edit_note:", "gray", "#9e9e9e"),
    "not_started": StatusStyle("not started", "◌", ":material/schedule:", "gray", "#9e9e9e"),
}

CONFIDENCE_LABEL = {"on_track": "on track", "at_risk": "at risk", "off_track": "off track"}

# Statuses where an objective's weakest KPI is what holds it back (the Summary names it),
# and the statuses a weekly review puts under "needs a decision".
HELD_BACK = ("off_track", "at_risk", "missed")
BEHIND = ("off_track", "missed")

CHECKIN_STYLE: dict[str, tuple[str, str]] = {
    "on_time": ("✓", "on time"),
    "late": ("◷", "late"),
    "missing": ("✕", "missing"),
    "due": ("…", "due"),
    "not_due": ("◌", "not due"),
}

# Plain titles people read for each flag (codes stay in --json and the docs).
FLAG_TITLES: dict[str, str] = {
    "audience_as_goal": "Followers set as a goal",
    "no_outcome_kpi": "No outcome to judge by",
    "unqualified_growth": "Growth without results",
    "no_link_to_outcome": "No link to results",
    "orphan_metric": "Untracked numbers",
    "unmeasurable_kpi": "No target, deadline or owner",
    "stale_metric": "Stale numbers",
    "confidence_conflict": "Confidence contradicts the numbers",
    "outlier_value": "Unusual value",
    "overlapping_sources": "Counted twice",
}

CLASS_LABEL = {
    "outcome": "outcome",
    "engagement": "engagement",
    "reach": "reach",
    "activity": "activity",
    "effort": "hours of work",
    "spend": "money spent",
}

BEHAVIOUR_LABEL = {
    "flow": "flow: adds up over days",
    "stock": "stock: a level on a day",
}


def checkin_words(state: str, confidence: str | None) -> str:
    """ "on time, says at risk" — a check-in's state and the owner's own word."""
    words = CHECKIN_STYLE[state][1]
    return f"{words}, says {CONFIDENCE_LABEL[confidence]}" if confidence else words


def normalise_confidence(text: str) -> str:
    """``on track``, ``On-Track`` and ``on_track`` all mean on_track; raises ValueError."""
    value = "_".join(text.strip().lower().replace("-", " ").split())
    if value not in CONFIDENCES:
        raise ValueError(text)
    return value


def outcome_label(outcome: str) -> str:
    """A business outcome as people read it: customer-service -> Customer service."""
    return outcome.replace("-", " ").capitalize()


def status_text(status: str) -> str:
    """``● on track``: icon and word, readable without colour."""
    return STATUS_STYLE[status].text


def count_statuses(statuses: list[str]) -> dict[str, int]:
    """How many of each status, worst first (SEVERITY_ORDER); statuses with none left out."""
    return {s: statuses.count(s) for s in SEVERITY_ORDER if s in statuses}


# Where values come from, as people read it (the plan's `prefer:` still takes the code).
_SOURCE_FAMILY = {
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
    "gsc": "Search Console",
    "ga": "Google Analytics",
    "google_ads": "Google Ads",
}
_SOURCE_WORDS = {
    "manual": "hand entries",
    "import.long": "long-form files",
    "import.wide": "wide files",
}


# the person a source of hours is for (`timesheet:jay`, `import.long.for-jay`): one
# pattern for Python and for DuckDB
PERSON_OF_SOURCE = r"(?:^timesheet:|[.]for-)(.+)$"
# the same source without its person (`timesheet:jay` -> `timesheet`, `x.for-jay` -> `x`):
# replaced by group 1 in Python and DuckDB alike; a source naming no one stays as it is
PERSON_PART_OF_SOURCE = r"^(timesheet):.+$|[.]for-.+$"


def source_label(source: str) -> str:
    """``manual`` is "hand entries", ``x.account_overview`` "X account overview",
    ``import.instagram`` "Instagram imports"; a saved mapping's source stays its name."""
    if source in _SOURCE_WORDS:
        return _SOURCE_WORDS[source]
    if source.startswith("timesheet:"):  # a timesheet's hours, one source per person
        return "timesheets"
    for generic in ("import.long", "import.wide"):
        if source.startswith(generic + "."):  # hours per person: import.long.for-lena
            return _SOURCE_WORDS[generic]
    family, dot, kind = source.partition(".")
    if not dot:
        return source
    words = kind.replace("_", " ")
    if family == "import":
        return f"{_SOURCE_FAMILY.get(kind, words)} imports"
    return f"{_SOURCE_FAMILY.get(family, family)} {words}"


def listing(items: list[str], most: int | None = None) -> str:
    """a, b and c; with ``most``, at most that many named and the rest counted ("a, b, c
    and 997 more": an import of a thousand sources listed every one on one line)."""
    if most is not None and len(items) > most:
        return ", ".join(items[:most]) + f" and {len(items) - most:,} more"
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# Channels are the plan's own words (keys people typed): the platforms' names are written
# as the platforms write them, any other word with a capital letter ("in-store" is
# "In-store"). A cost row of several channels joins them with " + ".
_CHANNEL_NAMES = {
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "x": "X",
    "twitter": "X (Twitter)",
    "youtube": "YouTube",
    "tiktok": "TikTok",
    "pinterest": "Pinterest",
    "google": "Google",
    "email": "Email",
    "sms": "SMS",
    "seo": "SEO",
}


def channel_label(channel: str) -> str:
    """A channel (or "a + b" of several) as people read it: linkedin is LinkedIn."""
    return " + ".join(
        _CHANNEL_NAMES.get(part.strip().lower(), part.strip()[:1].upper() + part.strip()[1:])
        for part in channel.split(" + ")
    )


# The workspace's name before a plan names it (`init` stores no workspace row).
DEFAULT_WORKSPACE_NAME = "Waypoint"
