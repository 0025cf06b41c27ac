"""How numbers read, everywhere people read them (CLI tables, the report, mail, pages).

- ``number``: counts as ``1,234``; other values with three significant digits and never
  in scientific notation (``0.000964``, not ``9.64e-04``); nothing as ``–``.
- ``percent``: a share as ``21%`` (``0.95%`` below 1%).
- ``money``: two decimals with the workspace currency (``$1,234.50``, ``1,234.50 CHF``).
- ``hours``: ``3.5 h``.
- ``value``: picks one of those by the metric's unit; ``ratio_value`` for ratio KPIs
  (a share when both sides count the same kind of thing, else "per").
"""

from __future__ import annotations

import math
from typing import Any

from tracker.vocab import HELD_BACK, HOUR_UNITS, STATUS_STYLE

NOTHING = "–"
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "AUD": "A$", "CAD": "C$"}
PERCENT_UNITS = {"%", "percent", "pct", "rate", "share"}
# Units that are money whatever the workspace's currency: ISO 4217 codes of the
# currencies people price marketing in (a three-letter unit such as MQL is not money)
CURRENCY_CODES = frozenset(
    "USD EUR GBP JPY CNY INR AUD CAD CHF NZD SEK NOK DKK ISK PLN CZK HUF RON BGN TRY UAH"  # noqa: SIM905
    " ZAR BRL MXN ARS CLP COP PEN UYU SGD HKD TWD KRW THB MYR IDR PHP VND ILS AED SAR QAR"
    " KWD BHD OMR EGP NGN KES GHS MAD PKR BDT LKR".split()
)


def _plain(value: float) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def number(value: float | None, digits: int = 3) -> str:
    """A readable number: integers with thousands separators, else ``digits``
    significant digits in fixed notation."""
    if value is None or _plain(value):
        return NOTHING
    value = float(value)
    if value == 0:
        return "0"
    # at or above 10**digits the digits asked for are all before the point (1,235 at 3);
    # below it the decimals carry them (1,234.56 at 6: an amount typed with cents)
    if value.is_integer() or abs(value) >= 10**digits:
        return f"{value:,.0f}"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def percent(value: float | None) -> str:
    """A share (0.21) as ``21%``; under 10% with two significant digits (a 1.5% target is
    1.5%, not 2%; 0.95% stays 0.95%)."""
    if value is None or _plain(value):
        return NOTHING
    pct = float(value) * 100
    if pct != 0 and abs(pct) < 10:
        return f"{number(pct, 2)}%"
    return f"{pct:,.0f}%"


def money(value: float | None, currency: str = "USD") -> str:
    if value is None or _plain(value):
        return NOTHING
    symbol = SYMBOLS.get(currency.upper())
    sign = "-" if value < 0 else ""
    amount = f"{abs(float(value)):,.2f}"
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{amount} {currency.upper()}"


def hours(value: float | None, digits: int = 3) -> str:
    if value is None or _plain(value):
        return NOTHING
    return f"{number(value, digits)} h"


def is_money(unit: str | None, currency: str = "USD") -> bool:
    if not unit:
        return False
    u = unit.strip()
    return (
        u.upper() == currency.upper()
        or u.upper() in SYMBOLS
        or u.upper() in CURRENCY_CODES
        or u in SYMBOLS.values()
    )


def is_hours(unit: str | None) -> bool:
    return bool(unit) and unit.strip().lower() in HOUR_UNITS  # type: ignore[union-attr]


def is_percent(unit: str | None) -> bool:
    return bool(unit) and unit.strip().lower() in PERCENT_UNITS  # type: ignore[union-attr]


def value(amount: float | None, unit: str | None, currency: str = "USD", digits: int = 3) -> str:
    """``amount`` of a metric measured in ``unit``; ``digits`` significant digits (6 for
    a value as it was typed: an entry of 4.125 stars is not 4.12)."""
    if amount is None or _plain(amount):
        return NOTHING
    if is_money(unit, currency):
        written = unit.strip().upper() if unit else ""
        code = written if written in SYMBOLS or written in CURRENCY_CODES else currency
        return money(amount, code)
    if is_hours(unit):
        return hours(amount, digits)
    if is_percent(unit):
        return percent(amount)
    text = number(amount, digits)
    if unit and unit.strip().lower() not in ("count", "#", "number"):
        return f"{text} {unit.strip()}"
    return text


def ratio_value(
    amount: float | None,
    numerator_unit: str | None,
    denominator_unit: str | None,
    currency: str = "USD",
    denominator_name: str | None = None,
    *,
    share: bool = True,
) -> str:
    """A ratio KPI's value: money per thing (``$12.50 per lead``, ``12.50 NZD``), else a
    share (``2.1%``); with ``share=False`` (a ratio aimed above 1: likes per post) a plain
    number (``2.55``)."""
    if amount is None or _plain(amount):
        return NOTHING
    if is_money(numerator_unit, currency) or is_hours(numerator_unit):
        per = f" per {denominator_name}" if denominator_name else ""
        return value(amount, numerator_unit, currency) + per
    if not share:
        return value(amount, numerator_unit if not is_percent(numerator_unit) else None)
    return percent(amount)


def signed(value_text: str, delta: float | None) -> str:
    """``+3`` / ``-2`` style prefix for changes (the text already formatted)."""
    if delta is None:
        return NOTHING
    return ("+" if delta > 0 else "") + value_text


def is_share(kpi: Any, scale: float | None = None) -> bool:
    """Is ``kpi`` a ratio read as a share (a %)? A share (a conversion rate) is aimed at
    most at 1; aimed above 1 it is a count per thing (likes per post: 2.55, not 255%). A
    draft without a target goes by ``scale``, a value of its own (its current value)."""
    if kpi.aggregation != "ratio":
        return False
    target = getattr(kpi, "target", None)
    return aims_at_share(target if target is not None else scale)


def aims_at_share(aim: float | None) -> bool:
    """A ratio aimed at ``aim`` is a share (at most 1; no aim yet: a share too)."""
    return aim is None or abs(aim) <= 1


def kpi_value(kpi: Any, amount: float | None, scale: float | None = None) -> str:
    """A number of ``kpi`` (current, target, forecast...) in its unit. A ratio (whose unit
    is its numerator's) is money or hours per thing when the numerator is money or hours
    (``$12.50``), else a share (``0.95%``, ``is_share``): never ``0.00957``. ``scale``:
    what a draft ratio's share is judged by, when ``amount`` is no value of its own (a
    change); by default ``amount`` itself."""
    if kpi.aggregation == "ratio":
        share = is_share(kpi, amount if scale is None else scale)
        return ratio_value(amount, kpi.unit, None, share=share)
    return value(amount, kpi.unit)


def kpi_change(kpi: Any, delta: float | None) -> str:
    """A week's change of ``kpi``, signed: in its unit, and a share's change in points
    (a lead rate from 5.000% to 5.017% moved "+0.017 points", which "+0.017%" read as a
    change of the rate itself by that share). A draft ratio is a share or not by its own
    value, not by the change's (2.5 likes per post moving 0.3 read "+30 points")."""
    text = kpi_value(kpi, delta, scale=getattr(kpi, "current", None))
    if text.endswith("%"):
        number = text[:-1]
        text = number + (" point" if number.lstrip("-") == "1" else " points")
    return signed(text, delta)


# a rate or an average does not add up week by week: nothing to do "per week"
NO_WEEKLY_AMOUNT = ("ratio", "mean")


def weekly_need(kpi: Any) -> str:
    """What ``kpi`` needs per week to reach its target, as every page and the command
    line show it: nothing for a rate or an average (they do not add up week by week),
    else two significant digits below 100 (0.037 stars a week, not 0.0367)."""
    if kpi.aggregation in NO_WEEKLY_AMOUNT:
        return NOTHING
    need = kpi.needed_per_week
    if need is not None and abs(need) < 100:
        need = float(f"{need:.2g}")
    return kpi_value(kpi, need)


def kpi_when(kpi: Any) -> str:
    """Where a KPI stands in its time: ``missed on 4 Nov 2026``, ``starts on 1 Dec 2026``,
    ``66% expected by now``; empty where nothing is paced (a health KPI). "Expected by
    now" means nothing once, or before, the time is up (a missed KPI read "100%")."""
    status = getattr(kpi, "status", None)
    if status == "missed" and kpi.deadline is not None:
        return f"missed on {long_day(kpi.deadline)}"
    if status == "not_started" and kpi.start is not None:
        return f"starts on {long_day(kpi.start)}"
    if kpi.expected is not None:
        return f"{percent(kpi.expected)} expected by now"
    return ""


def forecast_word(kpi: Any) -> str | None:
    """What the forecast says of the target: "will hit" or "will miss"; None where there is
    no forecast status (no value yet, a health KPI, one not started), never "will miss"."""
    return {"will_hit": "will hit the target", "will_miss": "will miss the target"}.get(
        getattr(kpi, "forecast_status", None) or ""
    )


def kpi_numbers(kpi: Any, detail: bool = True) -> str:
    """``460 of 600 (41% done, 66% expected by now)`` in the KPI's own unit, ``456 of
    600, from 364 (39% done, ...)`` where progress starts from a value (a health
    KPI: ``5 h, to stay below 4 h``); a missed
    KPI says when it ended (``76% done, missed on 4 Nov 2026``), one not started when it
    starts: "expected by now" means nothing once, or before, the time is up. Without
    ``detail``, the numbers alone (a short list: My week's KPIs)."""
    when = kpi_when(kpi)
    done = ", ".join(
        part
        for part in (f"{percent(kpi.progress)} done" if kpi.progress is not None else "", when)
        if part
    )
    if not detail and kpi.current is None and when:
        # nothing to count yet: "– of 25" said nothing of why (My week's short list)
        return f"{when} (target {kpi_value(kpi, kpi.target)})"
    stay = getattr(kpi, "stay", None)
    # a health KPI holds a line, it does not work towards it: "5 of 4" read as ahead
    towards = f", to stay {stay} " if stay else " of "
    numbers = f"{kpi_value(kpi, kpi.current)}{towards}{kpi_value(kpi, kpi.target)}"
    baseline = getattr(kpi, "baseline", None)
    if not stay and baseline:
        # where progress is measured from, when not from zero: "456 of 600" read as 76%
        # beside "39% done" (from 364)
        numbers += f", from {kpi_value(kpi, baseline)}"
    return numbers + (f" ({done})" if done and detail else "")


def objective_reason(obj: Any, by_kpi: dict[str, Any]) -> str:
    """What agrees with an objective's status wherever it is shown (DESIGN "Objectives"),
    as one plain phrase: the KPI that holds it there (or when it starts) and how many KPIs
    are in each status ("held back by Google rating: 4.49 of 4.7 stars (...) · KPIs:
    1 off track, 1 missed")."""
    parts = []
    held = by_kpi.get(obj.held_by or "")
    if held is not None and obj.status in HELD_BACK:
        parts.append(f"held back by {held.name or held.kpi}: {kpi_numbers(held)}")
    elif obj.status == "not_started" and obj.starts:
        parts.append(f"starts on {long_day(obj.starts)}")
    counts = ", ".join(f"{n} {STATUS_STYLE[s].text}" for s, n in obj.counts.items() if n)
    if counts:
        parts.append(f"KPIs: {counts}")
    return " · ".join(parts)


def long_day(day: Any) -> str:
    """A day as people write it: 21 May 2026 ("–" for none)."""
    return f"{day.day} {day:%b %Y}" if day else "–"


def short_day(day: Any, year: bool = False) -> str:
    """A day with its weekday, as a page names it: Wed 18 Nov, Mon 2 Nov 2026 (no leading
    zero, as long_day writes it). A day of another year than this one always has its
    year: an import's outlier "on Wed 24 Apr" was 2024's, and "Mon 8 Dec" read as last
    Monday for a day of 2014."""
    if not year:
        import datetime as dt

        from tracker.clock import now_utc  # lazily: the clock reads the store's module

        # "this year" in any zone there is (UTC-12 to UTC+14): around New Year, when two
        # years are running somewhere, every day says its year rather than drop one that
        # the workspace's clock would need
        now = now_utc()
        years = {(now - dt.timedelta(hours=12)).year, (now + dt.timedelta(hours=14)).year}
        year = len(years) > 1 or day.year not in years
    return f"{day:%a} {long_day(day)}" if year else f"{day:%a} {day.day} {day:%b}"


def day_span(start: Any, end: Any) -> str:
    """A run of days as people write it: 9–15 Nov 2026, 30 Nov – 6 Dec 2026,
    29 Dec 2025 – 4 Jan 2026; one day is that day (1 Dec 2026, never 1–1 Dec 2026)."""
    if start == end:
        return long_day(start)
    if start.year != end.year:
        return f"{long_day(start)} – {long_day(end)}"
    if start.month != end.month:
        return f"{start.day} {start:%b} – {long_day(end)}"
    return f"{start.day}–{long_day(end)}"


def period(code: str) -> str:
    """A check-in period as people say it: 2026-W46 is "week of 9 Nov 2026", 2026-11 is
    "November 2026"; anything else as it is."""
    from tracker.errors import BadInput
    from tracker.periods import Period  # the one reading of period labels

    try:
        period = Period.parse(code)
    except BadInput:
        return code
    return f"week of {long_day(period.first)}" if period.kind == "week" else f"{period.first:%B %Y}"


def to_local(stamp: Any, timezone: str) -> Any:
    """A stored instant (naive UTC) on the workspace's clock, as a naive datetime (a
    table sorts it and shows its year)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    aware = stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp
    return aware.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def local_time(stamp: Any, timezone: str) -> str:
    """A stored instant (naive UTC) as the workspace's clock shows it: 6 Dec 09:03 (the
    day without a leading zero, as long_day writes it)."""
    local = to_local(stamp, timezone)
    return f"{local.day} {local:%b %H:%M}"


def local_stamp(stamp: Any, timezone: str) -> str:
    """A stored instant (naive UTC) on the workspace's clock, as the command line's
    tables show it: 2026-12-06 09:03 (the heading names the zone)."""
    return f"{to_local(stamp, timezone):%Y-%m-%d %H:%M}"


def utc_iso(stamp: Any) -> str:
    """A stored instant (naive UTC) as ``--json`` gives it: ISO with its offset
    (2026-12-06T15:03:00+00:00), so no reader takes it for local time."""
    import datetime as dt

    return (stamp.replace(tzinfo=dt.UTC) if stamp.tzinfo is None else stamp).isoformat()
