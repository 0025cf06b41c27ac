"""The dashboard's pages and who sees them: read by the app's navigation and by the
screenshot script, so the pictures show what each role really gets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from tracker.vocab import Role

EVERYONE: tuple[str, ...] = get_args(Role)
WORKERS = ("manager", "assistant")


@dataclass(frozen=True)
class PageSpec:
    section: str
    name: str  # the file in app_pages/ and the url path
    title: str
    icon: str
    roles: tuple[str, ...]
    # The page does slow work that must not hold the database file (parsing an upload,
    # talking to a mail server): it runs with the file closed and opens it for each of
    # its reads and writes. Every other page runs inside the rerun's one open.
    works_outside: bool = False


PAGES = (
    PageSpec("Review", "summary", "Summary", ":material/home:", EVERYONE),
    PageSpec("Review", "objective", "Objective", ":material/flag:", EVERYONE),
    PageSpec("Review", "weekly_review", "Weekly review", ":material/event_note:", EVERYONE),
    PageSpec("Review", "team", "Team", ":material/group:", EVERYONE),
    PageSpec("Review", "vanity_audit", "Vanity audit", ":material/search_insights:", EVERYONE),
    PageSpec("Review", "campaigns", "Campaigns", ":material/campaign:", EVERYONE),
    PageSpec("Review", "audit_log", "Audit log", ":material/history:", EVERYONE),
    PageSpec("Work", "my_week", "My week", ":material/task_alt:", WORKERS),
    PageSpec("Work", "log_values", "Log values", ":material/edit_note:", WORKERS),
    PageSpec("Work", "import_data", "Import", ":material/upload_file:", WORKERS, True),
    # everyone reads the plan and the settings; a manager's pages change them
    PageSpec("Manage", "plan", "Plan", ":material/account_tree:", EVERYONE),
    PageSpec("Manage", "settings", "Settings", ":material/settings:", EVERYONE, True),
)


def pages_for(role: str) -> dict[str, list[PageSpec]]:
    """The sections a role sees, in menu order; a section with no page is left out."""
    sections: dict[str, list[PageSpec]] = {}
    for spec in PAGES:
        if role in spec.roles:
            sections.setdefault(spec.section, []).append(spec)
    return sections
