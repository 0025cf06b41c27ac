"""The scheduled jobs: name, the setting holding its cron schedule, and what it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jobs import tasks


@dataclass(frozen=True)
class JobSpec:
    name: str
    setting: str
    run: Callable  # (store, now, slot): slot None for a manual run; returns the message
    help: str
    title: str  # what people read ("Nightly backup"); the name stays in --json and logs


JOBS: dict[str, JobSpec] = {
    j.name: j
    for j in [
        JobSpec(
            "inbox_import",
            "schedule.inbox_import",
            tasks.inbox_import,
            "Import files dropped in inbox/; move them to done/ or failed/.",
            "Inbox import",
        ),
        JobSpec(
            "weekly_digest",
            "schedule.weekly_digest",
            tasks.weekly_digest,
            "Mail last week's review to managers; keep a Markdown copy in reports/.",
            "Weekly digest",
        ),
        JobSpec(
            "checkin_reminders",
            "schedule.checkin_reminders",
            tasks.checkin_reminders,
            "Remind owners of due check-ins; escalate after two ignored reminders.",
            "Check-in reminders",
        ),
        JobSpec(
            "nightly_backup",
            "schedule.nightly_backup",
            tasks.nightly_backup,
            "Back up the database into backups/DATE, keeping the last N.",
            "Nightly backup",
        ),
    ]
}
