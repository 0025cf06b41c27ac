"""Per person: KPIs owned, check-ins on time / late / missing over 8 weeks, hours logged."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from tracker.checkins import CheckinState, checkin_status
from tracker.clock import now_utc, workspace_timezone
from tracker.daily import COUNTED_HOURS
from tracker.periods import Period
from tracker.store import Store

# Each person's hours over a span of days (the hours the day's value counts: `prefer`
# applied, as for cost per outcome in tracker.working)
_HOURS_BY_PERSON = f"""
SELECT o.hours_of, sum(o.value) FROM ({COUNTED_HOURS}) o GROUP BY ALL
"""  # noqa: S608 (tracker.daily's fragment, no user text)


@dataclass
class PersonRow:
    person: str
    name: str
    role: str
    kpis_owned: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    due: int = 0
    hours: float = 0.0
    hourly_rate: float | None = None
    weeks: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float | None:
        judged = self.on_time + self.late + self.missing
        return self.on_time / judged if judged else None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["on_time_rate"] = self.on_time_rate
        return data


@dataclass
class TeamReport:
    weeks: list[str]
    people: list[PersonRow]

    def as_dict(self) -> dict[str, Any]:
        return {"weeks": self.weeks, "people": [p.as_dict() for p in self.people]}


def team_report(store: Store, now: dt.datetime | None = None, weeks: int = 8) -> TeamReport:
    """The last ``weeks`` complete ISO weeks, per person."""
    now = now or now_utc()
    with store.session():
        timezone = workspace_timezone(store)
        local = now.astimezone(ZoneInfo(timezone)).date() if now.tzinfo else now.date()
        this_week = Period.week_of(local)
        labels = [this_week.previous(i).label for i in range(weeks, 0, -1)]
        first_day = this_week.previous(weeks).first
        with store.read() as con:
            people = {
                key: PersonRow(key, name, role, hourly_rate=rate)
                for key, name, role, rate in con.execute(
                    "SELECT key, name, role, hourly_rate FROM people WHERE NOT archived"
                    " ORDER BY position, key"
                ).fetchall()
            }
            for owner, n in con.execute(
                "SELECT owner, count(*) FROM kpis WHERE NOT archived AND owner IS NOT NULL"
                " GROUP BY owner"
            ).fetchall():
                if owner in people:
                    people[owner].kpis_owned = n
            for person, hours in con.execute(
                # the person the hours are for; imported hours without `by`: the importer
                # (the same attribution as cost per outcome, tracker.working)
                _HOURS_BY_PERSON,
                {"first": first_day, "last": first_day + dt.timedelta(days=7 * weeks - 1)},
            ).fetchall():
                if person in people:
                    people[person].hours = float(hours)
        # Each (KPI, period) counts once: a monthly KPI's month is listed by every week
        # whose Sunday falls in it, and counted in the last of them (its month's state
        # is the same in each).
        counted: dict[tuple[str, str], tuple[str, CheckinState]] = {}
        for label in labels:
            for state in checkin_status(store, label, now, with_archived=True).kpis:
                counted[(state.kpi, state.period)] = (label, state)
        for label, state in counted.values():
            row = people.get(state.owner)
            if row is None:
                continue
            setattr(row, state.state, getattr(row, state.state) + 1)
            row.weeks.setdefault(label, {"on_time": 0, "late": 0, "missing": 0, "due": 0})
            row.weeks[label][state.state] += 1
    return TeamReport(labels, list(people.values()))
