"""Calendar periods, the one definition (DESIGN.md: weeks start Monday and are ISO weeks;
months are calendar months).

``Period`` is a week or a month: where it starts and ends, its label (``2026-W05``,
``2026-03``), the periods before and after it, and the instant it ends in a timezone.
Check-ins, reminders, the weekly review, the Team page and the recurring-KPI history all
use it.

SQL needs the same periods for a million daily values at once, so the SQL half lives
here too: ``sql_first``, ``sql_last``, ``sql_step`` and ``sql_monday`` give the fragments
that progress, vanity and the weekly series use (``date_trunc`` and ``last_day``, which follow the same ISO rule).
tests/tracker/test_periods_agree.py proves the two halves agree on every day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from tracker.errors import BadInput

Kind = Literal["week", "month"]
# KPIs say "per: week"; check-in cadences say "weekly": both name the same periods.
# The days Waypoint keeps (values, windows, reviews): a day outside them is a typo, and
# Python's own dates end at year 9999 (a review of 9999-W52 would overflow).
FIRST_DAY = dt.date(1970, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)

_KINDS: dict[str, Kind] = {"week": "week", "weekly": "week", "month": "month", "monthly": "month"}


class PeriodOutOfRange(BadInput):
    """A well-formed period with no day Waypoint keeps; ``reason`` says so in words."""

    def __init__(self, label: str, reason: str) -> None:
        super().__init__(f"period {label!r}: {reason}")
        self.reason = reason


@dataclass(frozen=True, order=True)
class Period:
    """A week (Monday to Sunday) or a calendar month, from its first day."""

    kind: Kind
    first: dt.date

    @classmethod
    def of(cls, kind: str, day: dt.date) -> Period:
        """The ``kind`` period (week/weekly or month/monthly) holding ``day``."""
        k = _KINDS[kind]
        if k == "week":
            return cls(k, day - dt.timedelta(days=day.weekday()))
        return cls(k, day.replace(day=1))

    @classmethod
    def week_of(cls, day: dt.date) -> Period:
        return cls.of("week", day)

    @classmethod
    def parse(cls, label: str) -> Period:
        """``2026-W05`` (a week) or ``2026-03`` (a month); BadInput for anything else,
        and PeriodOutOfRange for one with no day Waypoint keeps (1970 to 2100: a review
        of 0001-W01 reached Python's first day and stopped with an OverflowError; 1970-W01,
        which starts on 29 Dec 1969, is a week of 1970)."""
        try:
            if "-W" in label.upper():
                year, number = label.upper().split("-W")
                period = cls("week", dt.date.fromisocalendar(int(year), int(number), 1))
            else:
                period = cls("month", dt.datetime.strptime(label, "%Y-%m").date())
        except ValueError as exc:
            raise BadInput(f"period {label!r}: use 2026-W05 or 2026-03") from exc
        if period.last < FIRST_DAY or period.first > LAST_DAY:
            raise PeriodOutOfRange(
                label, f"outside {FIRST_DAY.year} to {LAST_DAY.year}; check the year"
            )
        return period

    @property
    def last(self) -> dt.date:
        if self.kind == "week":
            return self.first + dt.timedelta(days=6)
        return self.next().first - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        """The stored form: ``2026-W05`` or ``2026-03``."""
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return self.first.strftime("%Y-%m")

    @property
    def cadence(self) -> str:
        """The check-in cadence that has these periods: weekly or monthly."""
        return "weekly" if self.kind == "week" else "monthly"

    def next(self) -> Period:
        if self.kind == "week":
            return Period("week", self.first + dt.timedelta(days=7))
        return Period("month", (self.first + dt.timedelta(days=32)).replace(day=1))

    def previous(self, count: int = 1) -> Period:
        """The period ``count`` before this one."""
        if self.kind == "week":
            return Period("week", self.first - dt.timedelta(days=7 * count))
        month = self.first.year * 12 + self.first.month - 1 - count
        return Period("month", dt.date(month // 12, month % 12 + 1, 1))

    def ends_at(self, timezone: str) -> dt.datetime:
        """The instant (naive UTC, as stored) the period ends: midnight after its last
        day, local time."""
        return midnight_after(self.last, timezone)


def midnight_after(day: dt.date, timezone: str) -> dt.datetime:
    """Midnight after ``day`` in ``timezone``, as a naive UTC instant."""
    local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), ZoneInfo(timezone))
    return local.astimezone(dt.UTC).replace(tzinfo=None)


# -- the SQL half: fixed fragments around a column or parameter name, never user text ----
def sql_first(kind: str, day: str) -> str:
    """SQL for the first day of the period holding ``day``. ``kind`` is a literal
    ('week'/'month') or a column holding one."""
    return f"date_trunc({kind}, {day})::DATE"


def sql_last(kind: str, day: str) -> str:
    """SQL for the last day of the period holding ``day`` (``kind`` as in sql_first)."""
    return (
        f"(CASE {kind} WHEN 'week' THEN {sql_first(kind, day)} + 6"
        f" WHEN 'month' THEN last_day({day}) END)"
    )


def sql_step(kind: str) -> str:
    """SQL for one period's length, to step through periods with generate_series."""
    return f"(CASE {kind} WHEN 'week' THEN INTERVAL 7 DAY WHEN 'month' THEN INTERVAL 1 MONTH END)"


def sql_monday(day: str) -> str:
    """SQL for the Monday of the week holding ``day``."""
    return sql_first("'week'", day)


# The Sunday that ends the last complete week on or before ``$d`` (the day itself on a
# Sunday): weekly series and the audit's weeks end there.
SQL_LAST_SUNDAY = f"({sql_monday('$d + 1')} - 1)"
