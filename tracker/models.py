"""The domain vocabulary of DESIGN.md as typed objects.

Plan items (workspace, people, metrics, objectives, campaigns, KPIs) are pydantic models
that also validate the YAML plan file: unknown keys are refused, every field is typed.
Records written at run time (observations, check-ins, annotations, audit entries) are
plain dataclasses.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from tracker.periods import FIRST_DAY, LAST_DAY
from tracker.vocab import (
    Aggregation,
    Behaviour,
    Cadence,
    MetricClass,
    Outcome,
    Per,
    Role,
    Stay,
)

# Keys appear in URLs, file names and CLI arguments: keep them simple and stable.
Key = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
    ),
]
Text = Annotated[str, StringConstraints(max_length=10_000)]
# Single-line names: no control characters (a newline in a name broke every digest).
_SINGLE_LINE = r"^[^\x00-\x1f\x7f]*$"
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_SINGLE_LINE)]
Short = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=_SINGLE_LINE)]
# Numbers people type: finite and of a size a business can have.
Number = Annotated[float, Field(allow_inf_nan=False, ge=-1e15, le=1e15)]
Day = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY)]


@functools.cache
def _iana_zones() -> frozenset[str]:
    # the zone folder also holds the machine's own zone under a name of its own (Debian
    # links /usr/share/zoneinfo/localtime), which available_timezones() lists
    return frozenset(available_timezones()) - {"localtime", "posixrules"}


def _zone(value: str | None) -> str | None:
    # IANA's names only: ZoneInfo also opens files of the zone folder that are no zone
    # name (`localtime`, the machine's own; `posixrules`), which mean another place on
    # another server
    if value is None:
        return None
    if value not in _iana_zones():
        raise ValueError(f"unknown timezone {value!r}; use an IANA name such as Europe/London")
    return value


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    # pydantic would take true and false as 1 and 0 for a number (`min: true` became a
    # minimum of 1): a number field refuses them. (The plan's YAML reads yes, no, on and
    # off as words, tracker.plan.yamlio; a number field refuses those as text.)
    @field_validator("*", mode="before")
    @classmethod
    def _no_yes_or_no_for_a_number(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, bool) and info.field_name in _number_fields(cls):
            raise ValueError(f"{str(value).lower()} is not a number")
        return value


@functools.cache
def _number_fields(model: type[BaseModel]) -> frozenset[str]:
    """Fields of ``model`` that hold a number (and are not a yes/no themselves)."""
    found = set()
    for name, field in model.model_fields.items():
        kinds = set(typing.get_args(field.annotation)) | {field.annotation}
        flat = {typing.get_args(k)[0] if typing.get_args(k) else k for k in kinds}
        if flat & {int, float} and bool not in flat:
            found.add(name)
    return frozenset(found)


class Workspace(_Item):
    name: Name
    vision: Text | None = None
    timezone: str = "UTC"
    # ISO 4217 code; cost per outcome and spend are shown in it ($1,234.50, 1,234.50 CHF)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")] = "USD"

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        # the ISO 4217 list is checked when a plan is applied (plan/validate.py): a stored
        # workspace written before that check must still load
        return value.upper()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return _zone(value) or "UTC"


class Person(_Item):
    key: Key
    name: Name
    role: Role
    email: (
        Annotated[str, StringConstraints(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")] | None
    ) = None
    hourly_rate: Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)] | None = None
    manager: Key | None = None
    # The day they joined the workspace: nothing is owed for periods that ended before.
    # Left out of a plan file, it keeps the stored day (the day they were added).
    since: Day | None = None
    # Sign-in pinned to one account of one provider (docs/auth.md), besides the email.
    issuer: Annotated[str, StringConstraints(max_length=500)] | None = None
    subject: Annotated[str, StringConstraints(max_length=500)] | None = None


class Metric(_Item):
    key: Key
    name: Name
    unit: Short | None = None
    channel: Short | None = None
    class_: MetricClass = Field(alias="class")
    behaviour: Behaviour
    qualified: bool = False
    # The smallest value allowed; null allows negatives (net subscribers).
    min: Number | None = 0
    # The source that counts on days two sources of this metric cover.
    prefer: Short | None = None
    # Besides KPI owners, who may log it (an assistant whose import created it). Left
    # out of a plan file, it keeps the stored owner.
    owner: Key | None = None

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True, populate_by_name=True
    )


class Ratio(_Item):
    numerator: Key
    denominator: Key


class KPI(_Item):
    key: Key
    name: Name | None = None
    metric: Key | None = None
    ratio: Ratio | None = None
    aggregation: Aggregation | None = None
    baseline: Number | None = None
    target: Number | None = None
    start: Day | None = None
    deadline: Day | None = None
    owner: Key | None = None
    cadence: Cadence = "weekly"
    campaign: Key | None = None
    per: Per | None = None
    stay: Stay | None = None


class Campaign(_Item):
    key: Key
    name: Name
    channels: list[Short] = []
    owner: Key | None = None
    start: Day | None = None
    end: Day | None = None
    budget: Annotated[float, Field(ge=0, le=1e15, allow_inf_nan=False)] | None = None


class Objective(_Item):
    key: Key
    title: Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=_SINGLE_LINE)]
    outcome: Outcome
    people: Text | None = None
    strategy: Text | None = None
    channels: list[Short] = []
    owner: Key | None = None
    start: Day | None = None
    deadline: Day | None = None
    campaigns: list[Campaign] = []
    kpis: list[KPI] = []


class MappingMatch(_Item):
    """How a file is recognised: these column names are all in its header row."""

    columns: Annotated[list[Short], Field(min_length=1, max_length=200)]


# two instants a day format must read back: a day above 12 and a month above 9, a
# time of day, and an offset for %z
_FORMAT_PROBES = (
    dt.datetime(2026, 11, 23, 14, 5, 9, tzinfo=dt.UTC),
    dt.datetime(2025, 1, 5, 9, 0, 0, tzinfo=dt.UTC),
)


class MappingDay(_Item):
    """The column holding the day, its format (strftime; auto-detected when left out)
    and the zone of timestamps that carry none (they are turned into workspace days)."""

    column: Short
    format: Short | None = None
    timezone: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return _zone(value)

    @field_validator("format")
    @classmethod
    def _strftime(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if "%" not in value:
            raise ValueError(f"{value!r} is not a date format; write it like %d.%m.%Y")
        # The format must read back the day it writes: %Q is no directive, and %H:%M
        # or %d/%m name no whole day (every row would land on 1 January 1900)
        for when in _FORMAT_PROBES:
            try:
                back = dt.datetime.strptime(when.strftime(value), value).date()
            except ValueError as exc:
                raise ValueError(f"{value!r} is not a date format: {exc}") from None
            if back != when.date():
                raise ValueError(
                    f"{value!r} does not name a whole day (year, month and day);"
                    " write it like %d.%m.%Y"
                )
        return value


class MappingValue(_Item):
    """One metric from the file: a column's values, or a count of (matching) rows."""

    metric: Key
    column: Short | None = None
    count: Literal["rows"] | None = None
    where: dict[Short, str | int | float] = {}

    @model_validator(mode="after")
    def _one_of(self) -> MappingValue:
        if (self.column is None) == (self.count is None):
            raise ValueError("give either column (a column's values) or count: rows")
        return self


class ImportMapping(_Item):
    """How to read files of one shape that no preset knows (DESIGN "Import mappings")."""

    name: Key
    match: MappingMatch
    day: MappingDay
    # left out: read from the file's numbers, one mark for the whole file, as the
    # generic forms read it (a `;` file whose numbers show neither takes the comma)
    decimal: Literal[".", ","] | None = None
    values: Annotated[list[MappingValue], Field(min_length=1, max_length=500)]
    source: Key | None = None

    @property
    def source_name(self) -> str:
        return self.source or self.name


class Plan(_Item):
    workspace: Workspace
    # The plan revision a file was exported at: applying it over later changes asks.
    revision: Annotated[int, Field(ge=0)] | None = None
    # People's fields the file leaves out for everyone because its exporter may not read
    # them (an assistant's or viewer's export), and `smtp` for the mail server's settings
    # (smtp.*): applied, they keep what is stored. A manager applying such a file wiped
    # every email, and with them everyone's sign-in.
    withheld: list[Literal["email", "hourly_rate", "issuer", "subject", "smtp"]] = []
    settings: dict[str, str | int | float | bool | None] = {}
    people: list[Person] = []
    metrics: list[Metric] = []
    objectives: list[Objective] = []
    imports: list[ImportMapping] = []


# Run-time records live in tracker.records (no pydantic: the CLI's hot path stays lean).
from tracker.records import LOCAL_MANAGER, Actor, AuditEntry, Observation  # noqa: E402

__all__ = ["LOCAL_MANAGER", "Actor", "AuditEntry", "Observation"]
