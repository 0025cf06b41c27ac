"""The demo's data files made concrete for one load day: the plan with its dates placed, the
observations and check-ins of tracker/demo/story.yaml, drawn with a seeded generator."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import yaml

from tracker.clock import now_utc
from tracker.periods import Period

_DAY = re.compile(r"^(today|monday)([+-]\d+)$")


@cache
def _load(name: str) -> dict[str, Any]:
    return yaml.safe_load(resources.files("tracker.demo").joinpath(name).read_text("utf-8"))


def story() -> dict[str, Any]:
    """story.yaml as data (read once)."""
    return _load("story.yaml")


def place(value: Any, as_of: dt.date) -> Any:
    """``value`` with every relative day (``today-181``, ``monday-42``) made a date."""
    if isinstance(value, dict):
        return {k: place(v, as_of) for k, v in value.items()}
    if isinstance(value, list):
        return [place(v, as_of) for v in value]
    if isinstance(value, str) and (match := _DAY.match(value)):
        anchor = as_of if match[1] == "today" else Period.week_of(as_of).first
        return anchor + dt.timedelta(days=int(match[2]))
    return value


def plan(as_of: dt.date) -> dict[str, Any]:
    """plan.yaml with its dates placed relative to ``as_of``."""
    return place(_load("plan.yaml"), as_of)


class _Series:
    """Draws every series of the story over whole calendar weeks, each from its own spec."""

    def __init__(self, as_of: dt.date, campaigns: dict[str, tuple[dt.date, dt.date | None]]):
        self.as_of = as_of
        # Drawn over whole calendar weeks (Monday of the first to Sunday of the last), then
        # cut to the story's days: the weeks a manager reviews get the same numbers on
        # whichever weekday the demo is loaded.
        weeks = story()["weeks"]
        first = Period.week_of(as_of).previous(weeks).first  # and the load week
        self.n = (weeks + 1) * 7
        self.days = [first + dt.timedelta(days=i) for i in range(self.n)]
        last = (as_of - first).days
        self.story = range(last - weeks * 7 + 1, last + 1)  # the 26 weeks ending on as_of
        self.weekday = np.array([d.weekday() for d in self.days])
        self.campaigns = campaigns
        self.rng = np.random.default_rng(story()["seed"])
        self.drawn: dict[str, np.ndarray] = {}
        self.interest = self._interest(story()["interest"])

    def index(self, day: Any) -> int:
        return (place(day, self.as_of) - self.days[0]).days

    def _interest(self, spec: dict[str, float]) -> np.ndarray:
        # by calendar week (Monday to Sunday), as people search and as weekly series count
        week = np.arange(self.n) // 7
        level = np.zeros(week[-1] + 1)
        for w in range(1, len(level)):
            level[w] = spec["memory"] * level[w - 1] + self.rng.normal(0, spec["drift"])
        return np.exp(level)[week]

    def draw(self, key: str, spec: dict[str, Any]) -> np.ndarray:
        kind = next(k for k in ("counts", "follows", "amount", "level", "schedule", "hours",
                                "constant") if k in spec)  # fmt: skip
        values = getattr(self, f"_{kind}")(spec[kind])
        for lift in spec.get("lift", []):
            values = self._lift(values, lift, integer=kind in ("counts", "follows"))
        for gap in spec.get("gaps", []):
            start = self.index(gap["from"])  # a gap before the drawn days is cut, not wrapped
            values[max(start, 0) : max(start + gap["days"], 0)] = 0
        self.drawn[key] = values
        return values

    def _counts(self, spec: dict[str, Any]) -> np.ndarray:
        mean = spec["per_day"] * np.asarray(spec.get("weekday", [1] * 7))[self.weekday]
        mean = mean * self.interest ** spec.get("interest", 0)
        if spec.get("noise"):
            mean = mean * self.rng.lognormal(0, spec["noise"], self.n)
        return self.rng.poisson(mean).astype(float)

    def _follows(self, spec: dict[str, Any]) -> np.ndarray:
        lead = self.drawn[spec["metric"]]
        lag = spec["days"]
        # before the story's first days the lead is taken as it was then
        shifted = np.concatenate([lead[:lag], lead[: self.n - lag]]) if lag else lead
        if "share" in spec:
            return self.rng.binomial(shifted.astype(int), spec["share"]).astype(float)
        return self.rng.poisson(shifted * spec["rate"]).astype(float)

    def _amount(self, spec: dict[str, Any]) -> np.ndarray:
        units = self.drawn[spec["per"]]
        each = spec["mean"] * self.rng.lognormal(0, spec["spread"], self.n)
        return np.round(units * each / 5) * 5

    def _level(self, spec: dict[str, Any]) -> np.ndarray:
        values = np.linspace(spec["start"], spec["end"], self.n)
        if spec.get("noise"):
            values = values + self.rng.normal(0, spec["noise"], self.n)
        if "clip" in spec:
            values = np.clip(values, *spec["clip"])
        return np.round(values, spec.get("decimals", 0))

    def _schedule(self, spec: dict[str, Any]) -> np.ndarray:
        back = (self.n - 1 - np.arange(self.n)) // 7  # calendar weeks before the load day's
        values = np.isin(self.weekday, spec["weekdays"]).astype(float)
        for weeks, weekday in spec.get("missed", []):
            values[(back == weeks) & (self.weekday == weekday)] = 0
        return values

    def _hours(self, spec: dict[str, Any]) -> np.ndarray:
        hours = np.clip(self.rng.normal(spec["mean"], spec["sd"], self.n), 0, None)
        return np.round(hours * 4) / 4  # timesheets in quarter hours

    def _constant(self, value: float) -> np.ndarray:
        return np.full(self.n, float(value))

    def _lift(self, values: np.ndarray, spec: dict[str, Any], *, integer: bool) -> np.ndarray:
        if "campaign" in spec:
            start, end = self.campaigns[spec["campaign"]]
        else:
            start, end = place(spec["from"], self.as_of), None
        on = np.array([d >= start and (end is None or d <= end) for d in self.days])
        if "adds" in spec:  # a stock gains this much over the campaign and keeps it
            ramp = np.cumsum(on) / max(on.sum(), 1)
            return np.round(values + spec["adds"] * ramp)
        lifted = values * np.where(on, spec["factor"], 1.0)
        if integer:  # counts stay whole: the extra is drawn, not scaled
            extra = self.rng.poisson(np.where(on, values * (spec["factor"] - 1), 0).clip(0))
            lifted = values + extra
        return lifted

    def keep(self, spec: dict[str, Any], i: int) -> bool:
        """Whether the story has a value on day ``i``."""
        day = self.days[i]
        if "from" in spec and day < place(spec["from"], self.as_of):
            return False
        if "until" in spec and day > place(spec["until"], self.as_of):
            return False
        which = spec.get("days")
        if which == "weekdays":
            return day.weekday() < 5
        if which == "fridays":
            return day.weekday() == 4
        if isinstance(which, list):
            return day.day in which
        return True


def _utc(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """A wall-clock time of the workspace as the naive UTC instant Waypoint stores."""
    return dt.datetime.combine(day, time, zone).astimezone(dt.UTC).replace(tzinfo=None)


def observations(as_of: dt.date, placed_plan: dict[str, Any]) -> pa.Table:
    """Every series of the story as rows for ``seed_values``, entered the next morning."""
    campaigns = {
        c["key"]: (c["start"], c.get("end"))
        for o in placed_plan["objectives"]
        for c in o.get("campaigns", [])
    }
    series = _Series(as_of, campaigns)
    zone = ZoneInfo(placed_plan["workspace"].get("timezone", "UTC"))
    loaded = now_utc().replace(tzinfo=None)  # a morning's import not yet made is stamped now
    rows: dict[str, list[Any]] = {
        k: [] for k in ("metric", "day", "source", "value", "recorded_by", "recorded_at")
    }
    for key, spec in story()["series"].items():
        values = series.draw(key, spec)
        for i in series.story:
            day = series.days[i]
            if not series.keep(spec, i):
                continue
            rows["metric"].append(key)
            rows["day"].append(day)
            rows["source"].append(spec["source"])
            rows["value"].append(float(values[i]))
            rows["recorded_by"].append(spec.get("by"))
            # imported the next morning, the last day's just after its midnight, in the
            # workspace's clock (stored as UTC): nothing in the demo is stamped after
            # the moment it is loaded, nor before the day it counts
            stamp = (
                _utc(day + dt.timedelta(days=1), dt.time(9), zone)
                if day < as_of
                else _utc(as_of, dt.time(0, 5), zone)
            )
            rows["recorded_at"].append(min(stamp, loaded))
    return pa.table(
        {
            "metric": rows["metric"],
            "day": pa.array(rows["day"], pa.date32()),
            "source": rows["source"],
            "value": rows["value"],
            "recorded_by": pa.array(rows["recorded_by"], pa.string()),
            "recorded_at": pa.array(rows["recorded_at"], pa.timestamp("us")),
        }
    )


def checkins(as_of: dt.date, placed_plan: dict[str, Any]) -> list[tuple[Any, ...]]:
    """(kpi, person, period, confidence, comment, progress, plans, problems, created_at)
    rows for the story's complete weeks, by each owner's habits."""
    spec = story()["checkins"]
    owners = {k["key"]: k["owner"] for o in placed_plan["objectives"] for k in o["kpis"]}
    deadlines = {k["key"]: k.get("deadline") for o in placed_plan["objectives"] for k in o["kpis"]}
    this_monday = Period.week_of(as_of).first
    rows = []
    for back in range(1, spec["weeks"] + 1):
        monday = this_monday - dt.timedelta(weeks=back)
        for kpi, story_kpi in spec["kpis"].items():
            person = owners[kpi]
            habits = spec["habits"].get(person, {})
            if back in habits.get("missing", []):
                continue
            if deadlines[kpi] is not None and deadlines[kpi] < monday:
                continue  # over: nothing to check in on
            late = habits.get("late", {}).get(back, 0)
            created = dt.datetime.combine(monday + dt.timedelta(days=4 + late), dt.time(16, 30))
            confidence = story_kpi.get("change", {}).get(back, story_kpi["confidence"])
            note = _note(story_kpi["notes"], back, monday, as_of)
            # as record_checkin keeps it: the parts joined, so no page repeats them as a note
            parts = (note["progress"], note["plans"], note["problems"])
            comment = " ".join(t for t in parts if t) or None
            rows.append(
                (
                    kpi,
                    person,
                    Period.week_of(monday).label,
                    confidence,
                    comment,
                    note["progress"],
                    note["plans"],
                    note["problems"] or None,
                    created,
                )
            )
    return rows


def _note(notes: list[dict[str, Any]], back: int, monday: dt.date, as_of: dt.date) -> dict:
    """The note that fits the week: one written for that week (``weeks``: weeks back),
    else one whose ``from`` / ``until`` days hold the week, taking turns week by week."""
    written = [n for n in notes if back in n.get("weeks", [])]
    if written:
        return written[0]
    fitting = [
        n
        for n in notes
        if "weeks" not in n
        and ("from" not in n or monday >= place(n["from"], as_of))
        and ("until" not in n or monday <= place(n["until"], as_of))
    ]
    return fitting[back % len(fitting)]


def chart_notes(as_of: dt.date) -> list[dict[str, Any]]:
    """The story's notes on the charts, their days placed."""
    return place(story()["annotations"], as_of)
