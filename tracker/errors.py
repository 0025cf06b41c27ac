"""The one exception family of Waypoint.

    WaypointError            any failure we can explain to a user (exit 1)
    +-- BadInput             the user's input is wrong: names file/line/item/field (exit 2)
    |   +-- PlanError        a plan file failed validation; carries every problem found
    +-- NotFound             a key that does not exist (exit 2)
    +-- PermissionDenied     the acting person's role does not allow the change (exit 2)
    +-- StoreBusy            the database stayed locked by another process too long (exit 1)
    +-- StoreDamaged         the database or its write-ahead log cannot be read (exit 1)

The CLI prints ``str(error)`` on stderr; the dashboard shows it with ``st.error``.
"""

from __future__ import annotations

import errno


class WaypointError(Exception):
    """Base of every error Waypoint explains to its user."""

    exit_code = 1


class BadInput(WaypointError):
    """Input that cannot be accepted; the message names where and how to fix it."""

    exit_code = 2


class PlanError(BadInput):
    """A plan failed validation. ``problems`` lists every problem, each naming item and field."""

    def __init__(self, problems: list[str], source: str = "plan") -> None:
        self.problems = problems
        self.source = source
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s), nothing was changed:\n{lines}")


class NotFound(BadInput):
    """A key (metric, KPI, person...) that does not exist."""


class PermissionDenied(WaypointError):
    """The acting person may not make this change (DESIGN.md, Roles)."""

    exit_code = 2


class StoreBusy(WaypointError):
    """Another process held the database longer than the configured wait."""


class StoreDamaged(WaypointError):
    """The database file or its write-ahead log is damaged; points the user to restore."""


def is_disk_full(exc: BaseException | None) -> bool:
    """A full disk (or quota) anywhere in the chain of ``exc``: an OSError's errno, or
    the words DuckDB ("IO Error: ... No space left on device", "disk is full") and
    xlsxwriter put it in. The store's writes and every --out ask this one question."""
    for _ in range(10):  # a chain is short; a cycle must not loop
        if exc is None:
            return False
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(exc).lower()
        if "no space left" in text or "disk is full" in text or "disk quota" in text:
            return True
        exc = exc.__cause__ or exc.__context__
    return False
