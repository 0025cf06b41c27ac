"""Numbers and dates as platforms write them.

Numbers: thousands separators (`"9,380"`), decimal commas (`1.234,5`), percent strings
(`2.81%` -> 0.0281), currency symbols (`$12.50`, `£3`), ints written as floats
(`"1777.0"`), null markers (``-``, `` --``, empty, a single space). Dates: ISO days and
timestamps with offsets, `Mon Feb 17 2025`, `"Tue, Feb 18, 2025"`, `1/1/2014`,
`02/19/2015 11:45:22 PM`, `"Aug 28, 2025"`, Excel serials and real date cells.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from tracker.text import quoted

NULLS = {"", "-", "--", "n/a", "na", "null", "none", "(not set)", "—"}
_CURRENCY = re.compile(r"[$€£¥₹]|\b(?:USD|EUR|GBP|AUD|CAD)\b", re.IGNORECASE)


class NotANumber(ValueError):
    pass


def is_null(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in NULLS)


def parse_number(value: object, *, decimal_comma: bool = False) -> float | None:
    """A finite float, None for a null marker; raises NotANumber with a reason."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise NotANumber(f"not a number: {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        if text.lower() in NULLS:
            return None
        if len(text) > 64:
            raise NotANumber(f"not a number: {quoted(text, 20)}")
        percent = text.endswith("%")
        if percent:
            text = text[:-1].strip()
        # Spaces group thousands: plain, no-break, and the narrow no-break space French
        # exports write ("44\u202f531").
        text = _CURRENCY.sub("", text)
        for space in (" ", "\u00a0", "\u202f", "\u2009"):
            text = text.replace(space, "")
        if text.startswith("(") and text.endswith(")"):  # accounting negative
            text = "-" + text[1:-1]
        if decimal_comma and "," not in text and re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
            text = text.replace(".", "")  # 1.234 where the comma is the decimal mark
        if "," in text and "." in text:
            # The separator that comes last is the decimal one.
            if text.rfind(",") > text.rfind("."):
                text = text.replace(".", "").replace(",", ".")
            else:
                text = text.replace(",", "")
        elif "," in text:
            # groups of thousands never start with 0: "0,015" is a decimal comma (read as
            # 1,500's grouping, a target typed 0,015 was stored as 15)
            if decimal_comma or not re.fullmatch(r"-?[1-9]\d{0,2}(,\d{3})+", text):
                text = text.replace(",", ".")
            else:
                text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError as exc:
            raise NotANumber(f"not a number: {str(value)[:40]!r}") from exc
        if percent:
            number /= 100
    if not math.isfinite(number):
        raise NotANumber(f"not a finite number: {str(value)[:40]!r}")
    return number


# Numbers that show their decimal mark: a mark followed by other than three digits
# (0,5 / 45,8772), a leading zero (0,009), four or more digits before it (1234,5), or the
# other mark grouping thousands before it (1.234,5). A thousands group is three digits
# after a first group of one to three that is not 0.
_SHOWS_COMMA = re.compile(r"-?(?:\d+,(?:\d{1,2}|\d{4,})|0,\d+|\d{4,},\d+|\d{1,3}(?:\.\d{3})+,\d+)")
_SHOWS_DOT = re.compile(r"-?(?:\d+\.(?:\d{1,2}|\d{4,})|0\.\d+|\d{4,}\.\d+|\d{1,3}(?:,\d{3})+\.\d+)")


def decimal_comma_of(cells: Iterable[object], default: bool) -> bool:
    """Whether a file writes the comma as its decimal mark, read from its numbers: one
    mark for the whole file, so ``10,236`` in a file that also writes ``0,009`` is ten
    and a bit, and in one that writes ``45.8772`` ten thousand. A file whose numbers show
    both, or neither, keeps ``default``."""
    comma = dot = False
    for cell in cells:
        if not isinstance(cell, str) or not cell:
            continue
        # what parse_number strips too: currency, spaces, percent, accounting brackets
        text = re.sub(r"[\s\u00a0\u202f\u2009%()]", "", _CURRENCY.sub("", cell))
        if _SHOWS_COMMA.fullmatch(text):
            comma = True
        elif _SHOWS_DOT.fullmatch(text):
            dot = True
        if comma and dot:
            return default
    return comma if comma != dot else default


_FORMATS = [
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%a %b %d %Y",  # Mon Feb 17 2025 (X content)
    "%a, %b %d, %Y",  # Tue, Feb 18, 2025 (X overview)
    "%b %d, %Y",  # Aug 28, 2025 (YouTube)
    "%d %B %Y",  # 27 January 2026 (Google Ads)
    "%B %d, %Y",
    "%d %b %Y",
]
_TIME_FORMATS = [
    "%Y-%m-%d %H:%M %z",  # 2021-11-30 16:00 +0000 (X tweet activity)
    "%Y-%m-%d %H:%M:%S %z",
    "%m/%d/%Y %I:%M:%S %p",  # 02/19/2015 11:45:22 PM (Facebook posts)
    "%m/%d/%Y %H:%M",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
]
EXCEL_EPOCH = dt.date(1899, 12, 30)
_ISO_STAMP = re.compile(r"\d{4}-?\d{2}-?\d{2}[T ]\d")


class NotADate(ValueError):
    pass


def parse_when(
    value: object, *, timezone: str = "UTC", source_zone: str | None = None
) -> dt.date | None:
    """The calendar day in ``timezone`` of a platform's date or timestamp.

    A timestamp with an offset is converted; a naive timestamp is read in
    ``source_zone`` (the platform's own zone, e.g. Facebook's Pacific time) when given.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return to_day(value, timezone, source_zone)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 < value < 80000:  # an Excel serial day number
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise NotADate(f"not a date: {value!r}")
    text = " ".join(str(value).split())
    if not text or text.lower() in NULLS:
        return None
    for fmt in _FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    for fmt in _TIME_FORMATS:
        try:
            return to_day(dt.datetime.strptime(text, fmt), timezone, source_zone)
        except ValueError:
            continue
    if _ISO_STAMP.match(text):
        # ISO 8601 with a zone (2026-11-06T03:00:00Z, ...+00:00): the standard library's
        # own reader, and the instant turned into the workspace's day
        try:
            return to_day(dt.datetime.fromisoformat(text), timezone, source_zone)
        except ValueError:
            pass
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return parse_when(float(text), timezone=timezone)
    raise NotADate(f"not a date: {text[:40]!r}")


# A day written with numbers (3/1/2026, 18.02.2025, 18-02-2025), optionally with a time.
_NUMERIC_DAY = re.compile(
    r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})"
    r"(?:[ T]+(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)"
    r"(?:\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2}))?)?"
)
_CLOCK_FORMATS = ("%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%I:%M %p", "%I:%M:%S %p", "%I:%M:%S.%f %p")


class NumericDays:
    """Days written with numbers only, read one way for the whole file. ``13/1/2026`` can
    only be day/month and ``1/13/2026`` only month/day; a file showing one of them reads
    every such date that way (3/1/2026: 3 January in the first, 1 March in the second).
    A file showing both cannot be read: its ambiguous dates are rejected. A file showing
    neither follows its numbers' convention (a decimal comma: day/month, else
    month/day) and says so in a note. A date with dots (03.01.2026) is always day.month.
    The generic forms and the platform presets share this rule, so a platform's export
    re-saved by a spreadsheet set to day/month is read as it was written.
    """

    def __init__(self, texts: Iterable[object], decimal_comma: bool) -> None:
        firsts = seconds = 0
        for text in texts:
            m = _NUMERIC_DAY.fullmatch(text.strip()) if isinstance(text, str) else None
            if m and m.group(2) != ".":
                firsts += int(m.group(1)) > 12
                seconds += int(m.group(3)) > 12
        self.shown = bool(firsts or seconds)
        self.both = bool(firsts and seconds)
        self.day_first = bool(firsts) if self.shown else decimal_comma
        self._guessed: set[str] = set()  # ambiguous dates read by the convention alone

    def read(
        self, text: str | None, *, timezone: str = "UTC", source_zone: str | None = None
    ) -> dt.date | None:
        """The day of ``text``; a time with it is read in ``source_zone`` and converted
        to ``timezone`` as parse_when does (without a source zone the day is the day)."""
        m = _NUMERIC_DAY.fullmatch(text.strip()) if text else None
        if m is None:
            return parse_when(text, timezone=timezone, source_zone=source_zone)
        a, sep, b, year = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
        if year < 100:  # as strptime reads %y: 69-99 are 1969-1999
            year += 2000 if year < 69 else 1900
        if sep != "." and a <= 12 and b <= 12 and a != b:
            if self.both:
                raise NotADate(
                    f"{text} could be read as day/month or month/day, and this file writes"
                    " dates both ways"
                )
            if not self.shown:
                self._guessed.add(m.group(0)[: m.end(4)])  # the date, without its time
        # a date that can only be read one way is read that way
        day_first = sep == "." or a > 12 or (b <= 12 and self.day_first)
        day, month = (a, b) if day_first else (b, a)
        try:
            when = dt.date(year, month, day)
        except ValueError:
            raise NotADate(f"not a date: {text!r}") from None
        clock, offset = m.group(5), m.group(6)
        if clock is None or (source_zone is None and offset is None):
            return when  # a naive time without a zone: its day
        clock = re.sub(r"\s*([AaPp][Mm])$", r" \1", clock).upper()
        for fmt in _CLOCK_FORMATS:
            try:
                time = dt.datetime.strptime(clock, fmt).time()
            except ValueError:
                continue
            stamp = dt.datetime.combine(when, time)
            if offset is not None:  # written with its offset: that instant
                zone = "Z" if offset in ("UTC", "GMT") else offset  # strptime's %z reads Z
                stamp = stamp.replace(tzinfo=dt.datetime.strptime(zone, "%z").tzinfo)
            return to_day(stamp, timezone, source_zone)
        raise NotADate(f"not a time: {text!r}")

    @property
    def guessed(self) -> int:
        """How many different dates were read by the convention alone."""
        return len(self._guessed)

    def notes(self) -> list[str]:
        if not self.guessed:
            return []
        way = "day/month" if self.day_first else "month/day"
        return [
            f"{self.guessed} date(s) like 3/1/2026 were read as {way}, as nothing in the"
            " file says otherwise; write days as YYYY-MM-DD to be sure"
        ]


def parse_localized_day(value: object, languages: tuple[str, ...]) -> dt.date:
    """A day written with the month's name in one of ``languages`` ("28 sept. 2026",
    "Okt. 5, 2024"); raises NotADate. Only a day with its year is taken: a bare month
    or a relative phrase ("yesterday") is not a date in an export."""
    import dateparser  # about 0.1 s; only localized exports need it

    text = " ".join(str(value).split())
    parsed = dateparser.parse(
        text,
        languages=list(languages),
        settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]},
    )
    if parsed is None:
        raise NotADate(f"not a date: {text[:40]!r}")
    return parsed.date()


def to_day(value: dt.datetime, timezone: str, source_zone: str | None) -> dt.date:
    """The workspace day of a time (a naive one is in ``source_zone``, or is the day)."""
    if value.tzinfo is None:
        if source_zone is None:
            return value.date()
        value = value.replace(tzinfo=ZoneInfo(source_zone))
    return value.astimezone(ZoneInfo(timezone)).date()
