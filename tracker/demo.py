"""The demo workspace: Copper Kettle Bakery & Catering, 26 weeks of believable data.

Built so that the product has something true to say about every feature: KPIs in every
status, a follower count that grows while catering inquiries stay flat (vanity flags),
a recurring weekly posting target with a streak, a health KPI (reply time), a draft
KPI without a target, a stale metric, late and missing check-ins and one confidence
conflict. Numbers come from a seeded generator, so a given ``as_of`` always gives the
same workspace.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa

from tracker import auditlog
from tracker.clock import iso_week, today
from tracker.errors import BadInput
from tracker.models import LOCAL_MANAGER
from tracker.observations import seed_values
from tracker.permissions import require_manager
from tracker.plan import apply_plan, validate_plan
from tracker.records import Actor
from tracker.store import Store

WEEKS = 26
SEED = 20260701


def demo_plan(as_of: dt.date) -> dict[str, Any]:
    """The plan, with every date placed relative to ``as_of``."""
    start = as_of - dt.timedelta(days=WEEKS * 7 - 1)
    deadline = as_of + dt.timedelta(days=40)
    d = dt.timedelta
    return {
        "workspace": {
            "name": "Copper Kettle Bakery & Catering",
            "timezone": "America/Chicago",
            "vision": (
                "Be the first call for office and family catering on the north side: "
                "booked out every Friday, known for answering within the hour."
            ),
        },
        "people": [
            {
                "key": "maria",
                "name": "Maria Lopez",
                "role": "manager",
                "since": start,
                "email": "maria@copperkettle.example",
            },
            {
                "key": "jay",
                "since": start,
                "name": "Jay Patel",
                "role": "assistant",
                "hourly_rate": 22,
                "email": "jay@copperkettle.example",
                "manager": "maria",
            },
            {
                "key": "lena",
                "since": start,
                "name": "Lena Kim",
                "role": "assistant",
                "hourly_rate": 25,
                "email": "lena@copperkettle.example",
                "manager": "maria",
            },
            {
                "key": "ben",
                "since": start,
                "name": "Ben Ortiz",
                "role": "viewer",
                "email": "ben@copperkettle.example",
            },
        ],
        "metrics": [
            {
                "key": "ig-followers",
                "name": "Instagram followers",
                "channel": "instagram",
                "class": "reach",
                "behaviour": "stock",
            },
            {
                "key": "ig-posts",
                "name": "Instagram posts",
                "channel": "instagram",
                "class": "activity",
                "behaviour": "flow",
            },
            {
                "key": "ig-likes",
                "name": "Instagram likes",
                "channel": "instagram",
                "class": "engagement",
                "behaviour": "flow",
            },
            {
                "key": "fb-fans",
                "name": "Facebook page fans",
                "channel": "facebook",
                "class": "reach",
                "behaviour": "stock",
            },
            {
                "key": "fb-link-clicks",
                "name": "Facebook link clicks",
                "channel": "facebook",
                "class": "engagement",
                "behaviour": "flow",
            },
            {
                "key": "web-sessions",
                "name": "Website sessions",
                "channel": "website",
                "class": "reach",
                "behaviour": "flow",
            },
            {
                "key": "catering-inquiries",
                "name": "Catering inquiries",
                "class": "outcome",
                "behaviour": "flow",
            },
            {
                "key": "catering-orders",
                "name": "Catering orders booked",
                "class": "outcome",
                "behaviour": "flow",
            },
            {
                "key": "catering-revenue",
                "name": "Catering revenue",
                "unit": "USD",
                "class": "outcome",
                "behaviour": "flow",
            },
            {
                "key": "reply-hours",
                "name": "Median reply time to messages",
                "unit": "h",
                "channel": "facebook",
                "class": "activity",
                "behaviour": "stock",
            },
            {
                "key": "repeat-customers",
                "name": "Repeat catering customers",
                "channel": "in-store",
                "class": "outcome",
                "behaviour": "flow",
            },
            {
                "key": "new-reviews",
                "name": "New Google reviews",
                "channel": "google",
                "class": "outcome",
                "behaviour": "flow",
            },
            {
                "key": "google-rating",
                "name": "Google rating",
                "unit": "stars",
                "channel": "google",
                "class": "outcome",
                "behaviour": "stock",
            },
            {
                "key": "reviews-answered",
                "name": "Reviews answered",
                "channel": "google",
                "class": "activity",
                "behaviour": "flow",
            },
            {
                "key": "newsletter-subs",
                "name": "Newsletter subscribers (local)",
                "channel": "email",
                "class": "reach",
                "behaviour": "stock",
                "qualified": True,
            },
            {
                "key": "ig-hours",
                "name": "Instagram work hours",
                "unit": "h",
                "channel": "instagram",
                "class": "effort",
                "behaviour": "flow",
            },
            {
                "key": "inbox-hours",
                "name": "Facebook and inbox hours",
                "unit": "h",
                "channel": "facebook",
                "class": "effort",
                "behaviour": "flow",
            },
            {
                "key": "ad-spend",
                "name": "Facebook ad spend",
                "unit": "USD",
                "channel": "facebook",
                "class": "spend",
                "behaviour": "flow",
            },
        ],
        "objectives": [
            {
                "key": "catering-leads",
                "title": "Fill the catering calendar with office orders",
                "outcome": "leads",
                "people": "Office managers and event planners within 5 miles; they scroll "
                "Instagram at lunch and search Google for 'catering near me'",
                "strategy": "Show real trays from real events, answer fast, and send every "
                "follower to the catering inquiry form",
                "channels": ["instagram", "facebook", "website"],
                "owner": "maria",
                "start": start,
                "deadline": deadline,
                "campaigns": [
                    {
                        "key": "tray-stories",
                        "name": "Behind-the-tray stories",
                        "channels": ["instagram"],
                        "owner": "jay",
                        "start": start,
                        "end": deadline,
                    },
                    {
                        "key": "fb-lunch-ads",
                        "name": "Facebook lunch-hour ads",
                        "channels": ["facebook"],
                        "owner": "lena",
                        "start": start,
                        "end": deadline,
                        "budget": 2400,
                    },
                    {
                        # Followers jump; inquiries and orders do not (the impact page
                        # shows both honestly).
                        "key": "ig-giveaway",
                        "name": "Instagram tray giveaway",
                        "channels": ["instagram"],
                        "owner": "jay",
                        "start": giveaway_start(as_of),
                        "end": giveaway_end(as_of),
                        "budget": 300,
                    },
                ],
                "kpis": [
                    {
                        "key": "inquiries-h2",
                        "name": "Catering inquiries this half",
                        "metric": "catering-inquiries",
                        "target": 240,
                        "owner": "lena",
                    },
                    {
                        "key": "orders-h2",
                        "name": "Catering orders booked this half",
                        "metric": "catering-orders",
                        "target": 80,
                        "owner": "maria",
                    },
                    {
                        "key": "ig-audience",
                        "name": "Instagram followers",
                        "metric": "ig-followers",
                        "target": 2800,
                        "owner": "jay",
                        "campaign": "tray-stories",
                    },
                    {
                        "key": "weekly-posts",
                        "name": "Three Instagram posts a week",
                        "metric": "ig-posts",
                        "target": 3,
                        "per": "week",
                        "owner": "jay",
                        "campaign": "tray-stories",
                    },
                    {
                        "key": "inquiry-rate",
                        "name": "Inquiries per website session",
                        "ratio": {"numerator": "catering-inquiries", "denominator": "web-sessions"},
                        "baseline": 0.008,
                        "target": 0.015,
                        "owner": "maria",
                    },
                    {
                        "key": "holiday-preorders",
                        "name": "Holiday platter pre-orders",
                        "metric": "catering-orders",
                        "target": 25,
                        "owner": "maria",
                        "start": as_of + d(days=5),
                        "deadline": as_of + d(days=40),
                    },
                ],
            },
            {
                "key": "fast-service",
                "title": "Answer every customer within hours, keep them coming back",
                "outcome": "customer-service",
                # Facebook only: the repeat customers this objective brings back are not
                # Instagram's to claim (the giveaway's followers stay a vanity story).
                "people": "Existing catering customers, who message us on our Facebook page",
                "strategy": "One inbox, checked three times a day; a thank-you card in "
                "every catering box",
                "channels": ["facebook"],
                "owner": "maria",
                "start": start,
                "deadline": deadline,
                "campaigns": [
                    {
                        # A card in every catering box: repeat customers rise with it.
                        "key": "thank-you-cards",
                        "name": "Thank-you cards in every box",
                        "channels": [],
                        "owner": "lena",
                        "start": cards_start(as_of),
                        "budget": 150,
                    },
                ],
                "kpis": [
                    {
                        "key": "reply-time",
                        "name": "Median reply time stays under 4 h",
                        "metric": "reply-hours",
                        "stay": "below",
                        "target": 4,
                        "owner": "lena",
                    },
                    {
                        "key": "repeat-orders",
                        "name": "Repeat catering customers",
                        "metric": "repeat-customers",
                        "target": 150,
                        "owner": "lena",
                    },
                ],
            },
            {
                "key": "reputation",
                "title": "Be the best-reviewed caterer in the neighbourhood",
                "outcome": "reputation",
                "people": "People comparing caterers on Google Maps",
                "strategy": "Ask every catering customer for a review; answer every review",
                "channels": ["google"],
                "owner": "maria",
                "start": start,
                "deadline": deadline,
                "kpis": [
                    {
                        "key": "review-drive",
                        "name": "Summer review drive",
                        "metric": "new-reviews",
                        "target": 40,
                        "owner": "jay",
                        "deadline": as_of - d(days=30),
                    },
                    {
                        "key": "rating",
                        "name": "Google rating",
                        "metric": "google-rating",
                        "baseline": 4.3,
                        "target": 4.7,
                        "owner": "maria",
                        "cadence": "monthly",
                    },
                    {
                        "key": "review-replies",
                        "name": "Reviews answered",
                        "metric": "reviews-answered",
                        "owner": "jay",
                    },
                ],
            },
            {
                "key": "newsletter",
                "title": "Build a local newsletter audience",
                "outcome": "network",
                "people": "Neighbours and past customers who want the weekly specials",
                "strategy": "A sign-up card in every catering box and at the till",
                "channels": ["email"],
                "owner": "lena",
                "start": as_of - d(days=119),
                "deadline": as_of + d(days=60),
                "kpis": [
                    {
                        "key": "subscribers",
                        "name": "Local newsletter subscribers",
                        "metric": "newsletter-subs",
                        "target": 600,
                        "owner": "lena",
                    },
                ],
            },
        ],
    }


def giveaway_start(as_of: dt.date) -> dt.date:
    """The day the follower spike starts (the demo's 127th day)."""
    return as_of - dt.timedelta(days=55)


def giveaway_end(as_of: dt.date) -> dt.date:
    """The Sunday of the week before ``as_of``'s: it ended last week."""
    return as_of - dt.timedelta(days=as_of.weekday() + 1)


def cards_start(as_of: dt.date) -> dt.date:
    """A Monday about six weeks before ``as_of``."""
    return as_of - dt.timedelta(days=as_of.weekday() + 42)


def _periodic(days: int, weekly: list[list[int]]) -> np.ndarray:
    """A 28-day periodic daily series: any 28 consecutive days sum to the same total."""
    cycle = np.array([v for week in weekly for v in week], dtype=float)
    return np.resize(cycle, days)


def _observations(as_of: dt.date) -> pa.Table:
    rng = np.random.default_rng(SEED)
    n = WEEKS * 7
    days = [as_of - dt.timedelta(days=n - 1 - i) for i in range(n)]
    rows: dict[str, list[Any]] = {
        k: [] for k in ("day", "metric", "value", "source", "recorded_by", "at")
    }

    def add(metric: str, values: Any, source: str, by: str | None = None, only: Any = None) -> None:
        for i, value in enumerate(values):
            if value is None or (only is not None and not only(i, days[i])):
                continue
            rows["day"].append(days[i])
            rows["metric"].append(metric)
            rows["value"].append(float(value))
            rows["source"].append(source)
            rows["recorded_by"].append(by)
            # entered the next morning; the last day's just after midnight (UTC) of that day,
            # so nothing in the demo is stamped after the moment it is loaded
            at = dt.datetime.combine(days[i] + dt.timedelta(days=1), dt.time(9))
            rows["at"].append(at if days[i] < as_of else dt.datetime.combine(as_of, dt.time(0, 5)))

    # Followers: slow for 18 weeks, then a giveaway spike (+37% in the last 8 weeks).
    slow = np.linspace(1500, 1900, n - 56)
    fast = np.linspace(1900, 2600, 56)
    followers = np.round(np.concatenate([slow, fast]) + rng.normal(0, 6, n))
    add("ig-followers", followers, "import.instagram")
    # Posts: three a week, with a few weeks of two (missed) and the current week so far.
    posts = np.zeros(n)
    for i, day in enumerate(days):
        week_index = (n - 1 - i) // 7
        if day.weekday() in (0, 2, 4) and not (week_index in (3, 9, 14) and day.weekday() == 4):
            posts[i] = 1
    add("ig-posts", posts, "import.instagram")
    add("ig-likes", np.round(rng.gamma(4, 12, n)), "import.instagram")
    fans = np.round(np.linspace(820, 905, n) + rng.normal(0, 3, n))
    add("fb-fans", fans, "import.facebook")
    add("fb-link-clicks", np.round(rng.gamma(3, 4, n)), "import.facebook")
    sessions = np.round(60 + 8 * np.sin(np.arange(n) / 9) + rng.normal(0, 6, n))
    add("web-sessions", sessions, "import.ga4")
    # Outcomes: flat, the same every week, while followers grow (the vanity story).
    inquiries = _periodic(n, [[1, 1, 1, 0, 1, 0, 0]] * 4)
    add("catering-inquiries", inquiries, "import.website")
    orders = _periodic(n, [[0, 1, 0, 1, 0, 0, 0]] * 4)
    add("catering-orders", orders, "import.website")
    add("catering-revenue", orders * 340, "import.website")
    reply = np.round(np.clip(3.1 + rng.normal(0, 0.35, n), 1.5, 5), 1)
    add("reply-hours", reply, "manual", "lena", only=lambda i, day: day.weekday() == 4)
    # Repeat customers: a weekly rhythm with day-to-day noise, up by about 70% once the
    # thank-you cards go into every box. A generator of its own keeps every other series
    # of the demo as it was.
    story = np.random.default_rng(SEED + 1)
    rhythm = np.array([[1.2, 1.1, 1.8, 1.2, 2.0, 1.4, 0.3][day.weekday()] for day in days])
    lift = np.array([1.7 if day >= cards_start(as_of) else 1.0 for day in days])
    add("repeat-customers", story.poisson(rhythm * lift), "import.pos")
    reviews = np.zeros(n)
    reviews[::5] = 1
    add("new-reviews", reviews, "import.google")
    rating = np.round(np.linspace(4.3, 4.5, n), 2)
    add("google-rating", rating, "manual", "maria", only=lambda i, day: day.day in (1, 15))
    add("reviews-answered", reviews, "manual", "jay")
    # Lena stopped updating the newsletter count three weeks ago: a stale metric.
    subs = np.round(np.linspace(300, 480, n))
    add(
        "newsletter-subs",
        subs,
        "import.mailchimp",
        only=lambda i, day: (
            day >= as_of - dt.timedelta(days=119) and day <= as_of - dt.timedelta(days=20)
        ),
    )
    for person, metric, mean in (("jay", "ig-hours", 2.4), ("lena", "inbox-hours", 1.8)):
        hours = np.round(np.clip(rng.normal(mean, 0.5, n), 0, None) * 4) / 4
        add(
            metric,
            hours,
            f"timesheet:{person}",
            person,
            only=lambda i, day: day.weekday() < 5,
        )
    add("ad-spend", np.full(n, 12.0), "import.facebook_ads")
    return pa.table(
        {
            "metric": rows["metric"],
            "day": pa.array(rows["day"], pa.date32()),
            "source": rows["source"],
            "value": rows["value"],
            "recorded_by": pa.array(rows["recorded_by"], pa.string()),
            "recorded_at": pa.array(rows["at"], pa.timestamp("us")),
        }
    )


CHECKIN_NOTES = {
    "on_track": (
        "Posted on schedule; two event photos did well.",
        "Keep the Mon/Wed/Fri rhythm.",
        "",
    ),
    "at_risk": (
        "Fewer inquiries than hoped.",
        "Try a lunch-menu story on Thursday.",
        "Waiting for new tray photos from the kitchen.",
    ),
    "off_track": (
        "Nothing moved this week.",
        "Ask Maria for help with the offer.",
        "Form on the website was broken for two days.",
    ),
}


def _checkins(as_of: dt.date) -> list[tuple[Any, ...]]:
    """Weekly check-ins for the last 12 complete weeks: mostly on time, a few late or missing."""
    rows = []
    owners = {
        "jay": ["ig-audience", "weekly-posts", "review-drive"],
        "lena": ["inquiries-h2", "repeat-orders", "subscribers"],
        "maria": ["orders-h2"],
    }
    confidence = {
        "ig-audience": "on_track",
        "weekly-posts": "on_track",
        "review-drive": "at_risk",
        "inquiries-h2": "at_risk",
        "repeat-orders": "on_track",
        "subscribers": "at_risk",
        "orders-h2": "at_risk",
    }
    this_monday = as_of - dt.timedelta(days=as_of.weekday())
    for back in range(1, 13):
        monday = this_monday - dt.timedelta(weeks=back)
        friday = monday + dt.timedelta(days=4)
        for person, kpis in owners.items():
            for kpi in kpis:
                if kpi == "review-drive" and monday > as_of - dt.timedelta(days=30):
                    continue  # the drive is over
                missing = (person == "lena" and back in (2, 5, 9)) or (
                    person == "jay" and back == 7
                )
                if missing:
                    continue
                late = (person == "jay" and back in (4, 10)) or (person == "lena" and back == 6)
                created = dt.datetime.combine(
                    friday + dt.timedelta(days=5 if late else 0), dt.time(16, 30)
                )
                conf = confidence[kpi]
                if kpi == "inquiries-h2" and back == 1:
                    conf = "on_track"  # Lena is optimistic; the numbers are not (a conflict)
                progress, plans, problems = CHECKIN_NOTES[conf]
                rows.append(
                    (
                        kpi,
                        person,
                        iso_week(monday),
                        conf,
                        f"{progress} {plans}".strip(),
                        progress,
                        plans,
                        problems or None,
                        created,
                    )
                )
    return rows


ANNOTATIONS = [
    (126, "Instagram giveaway launched (free tray for a tag)", "ig-giveaway", "ig-followers"),
    (95, "Catering page redesigned; inquiry form moved up", None, "catering-inquiries"),
    (150, "Inquiry form broken for two days", None, "catering-inquiries"),
]


def load_demo(
    store: Store,
    as_of: dt.date | None = None,
    *,
    force: bool = False,
    actor: Actor = LOCAL_MANAGER,
) -> dict:
    """Load the demo into ``store`` in one transaction; returns a summary. Replacing a
    workspace (``force``) wipes every value and check-in: a manager only, audited."""
    store.init()
    if as_of is None:
        as_of = today(timezone="America/Chicago")
    plan = validate_plan(demo_plan(as_of), "demo plan")
    observations = _observations(as_of)
    checkins = _checkins(as_of)
    n = WEEKS * 7
    with store.write() as con:
        existing = con.execute(
            "SELECT (SELECT count(*) FROM workspace) + (SELECT count(*) FROM observations)"
        ).fetchall()[0][0]
        if existing and not force:
            raise BadInput(
                f"{store.path} already holds a workspace; use `waypoint demo --force` to replace"
                " it, or --db another file"
            )
        if existing:
            require_manager(actor, "replace the workspace with the demo (demo --force)")
        for table in (
            "observations",
            "daily_values",
            "outliers",
            "changes",
            "import_mappings",
            "checkins",
            "annotations",
            "flag_acks",
            "reminders",
            "kpis",
            "campaigns",
            "objectives",
            "metrics",
            "people",
            "settings",
        ):
            con.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed names)
        before = con.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchall()[0][0]
        apply_plan(store, plan, LOCAL_MANAGER)
        # The story's workspace was set up when it starts, so KPI ownership (read from the
        # audit log by the check-in rules) dates from then, not from loading the demo.
        set_up = dt.datetime.combine(as_of - dt.timedelta(days=n), dt.time(15))
        con.execute('UPDATE audit_log SET "at" = ? WHERE id > ?', [set_up, before])
        con.execute(
            'UPDATE changes SET "at" = ? WHERE id = (SELECT max(id) FROM changes)', [set_up]
        )
        con.abort()
        con.register("demo_obs", observations)
        seed_values(con, "demo_obs")
        con.unregister("demo_obs")
        con.executemany(
            "INSERT INTO checkins (id, kpi, person, period, confidence, comment, progress, plans,"
            " problems, created_at) SELECT (SELECT coalesce(max(id), 0) + 1 FROM checkins),"
            " ?, ?, ?, ?, ?, ?, ?, ?, ?",
            checkins,
        )
        for back, text, campaign, metric in ANNOTATIONS:
            day = as_of - dt.timedelta(days=n - 1 - back)
            con.execute(
                "INSERT INTO annotations (id, day, text, campaign, metric, kind, created_by,"
                " created_at) SELECT coalesce(max(id), 0) + 1, ?, ?, ?, ?, 'note', 'maria',"
                " ?::TIMESTAMP FROM annotations",
                [day, text, campaign, metric, dt.datetime.combine(day, dt.time(17))],
            )
        if existing:
            auditlog.record(
                con,
                actor,
                "replace",
                "database",
                str(store.path),
                None,
                {"demo": as_of.isoformat()},
            )
    return {
        "workspace": plan.workspace.name,
        "as_of": as_of.isoformat(),
        "kpis": sum(len(o.kpis) for o in plan.objectives),
        "observations": observations.num_rows,
        "checkins": len(checkins),
    }
