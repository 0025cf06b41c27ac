"""The domain vocabulary of DESIGN.md as typed objects.

Plan items (workspace, people, metrics, objectives, campaigns, KPIs) are pydantic models
that also validate the YAML plan file: unknown keys are refused, every field is typed.
Records written at run time (observations, check-ins, annotations, audit entries) are
plain dataclasses.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Role = Literal["manager", "assistant", "viewer"]
MetricClass = Literal["outcome", "engagement", "reach", "activity", "effort"]
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
Confidence = Literal["on_track", "at_risk", "off_track"]
STATUSES = ("no_target", "no_data", "achieved", "missed", "on_track", "at_risk", "off_track")

# Keys appear in URLs, file names and CLI arguments: keep them simple and stable.
Key = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
    ),
]
Text = Annotated[str, StringConstraints(max_length=10_000)]


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Workspace(_Item):
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    vision: Text | None = None
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown timezone {value!r}; use an IANA name such as Europe/London"
            ) from exc
        return value


class Person(_Item):
    key: Key
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    role: Role
    email: (
        Annotated[str, StringConstraints(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")] | None
    ) = None
    hourly_rate: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    manager: Key | None = None


class Metric(_Item):
    key: Key
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    unit: str | None = None
    channel: str | None = None
    class_: MetricClass = Field(alias="class")
    behaviour: Behaviour
    qualified: bool = False

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True, populate_by_name=True
    )


class Ratio(_Item):
    numerator: Key
    denominator: Key


Number = Annotated[float, Field(allow_inf_nan=False)]


class KPI(_Item):
    key: Key
    name: str | None = None
    metric: Key | None = None
    ratio: Ratio | None = None
    aggregation: Aggregation | None = None
    baseline: Number | None = None
    target: Number | None = None
    start: dt.date | None = None
    deadline: dt.date | None = None
    owner: Key | None = None
    cadence: Cadence = "weekly"
    campaign: Key | None = None
    per: Literal["week", "month"] | None = None
    stay: Literal["above", "below"] | None = None


class Campaign(_Item):
    key: Key
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    channels: list[str] = []
    owner: Key | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    budget: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None


class Objective(_Item):
    key: Key
    title: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    outcome: Outcome
    people: Text | None = None
    strategy: Text | None = None
    channels: list[str] = []
    owner: Key | None = None
    start: dt.date | None = None
    deadline: dt.date | None = None
    campaigns: list[Campaign] = []
    kpis: list[KPI] = []


class Plan(_Item):
    workspace: Workspace
    settings: dict[str, str | int | float | bool] = {}
    people: list[Person] = []
    metrics: list[Metric] = []
    objectives: list[Objective] = []


# Run-time records live in tracker.records (no pydantic: the CLI's hot path stays lean).
from tracker.records import LOCAL_MANAGER, Actor, AuditEntry, Observation  # noqa: E402

__all__ = ["LOCAL_MANAGER", "Actor", "AuditEntry", "Observation"]
