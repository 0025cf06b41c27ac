"""Run-time records: who acts, what was observed, what the audit log holds.

Plain dataclasses (no pydantic) so that quick commands import little.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who is making a change. The CLI acts as the local manager unless ``--as`` is given."""

    key: str
    role: str
    name: str

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"


LOCAL_MANAGER = Actor(key="local", role="manager", name="Local manager")
# The scheduler's jobs (the inbox import) record values as this author: no person of the
# plan, so no one's hours; an export names it and an import by a manager reads it back.
SCHEDULER = Actor(key="scheduler", role="manager", name="Scheduler")


@dataclass(frozen=True)
class Observation:
    metric: str
    day: dt.date
    value: float
    source: str = "manual"
    recorded_by: str | None = None
    recorded_at: dt.datetime | None = None
    note: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    key: str
    old_value: object
    new_value: object
