"""The dashboard's link to tracker/: the cached Store, the signed-in person, cached reads.

st.cache_resource holds one Store per database path (a Store holds no connection while
idle, so it never blocks the CLI or the scheduler). Query results are cached keyed on
the database revision, which every committed write bumps: a logged value shows at once,
and a widget change re-reads nothing. They are read-only results, shared rather than
copied (st.cache_resource): unpickling a 1,000-KPI report on every rerun cost more than
the page itself.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import streamlit as st

from tracker.clock import today
from tracker.records import LOCAL_MANAGER, Actor
from tracker.store import Store, resolve_db_path


def db_path() -> str:
    return str(resolve_db_path(os.environ.get("WAYPOINT_DB")).resolve())


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return Store(path)


def store() -> Store:
    return _store(db_path())


def revision() -> int:
    return store().revision()


def as_of() -> dt.date:
    return today(store())


def auth_configured() -> bool:
    """Whether sign-in is on. Fails closed: when `serve` decided on sign-in
    (WAYPOINT_AUTH=oidc) or a secrets file exists but cannot be read, it is on, and a
    visitor who cannot sign in sees the sign-in page, never local manager mode."""
    from tracker.signin import auth_required

    try:
        return "auth" in st.secrets or auth_required()
    except Exception:
        # Streamlit says "not found" both when there is no secrets file and when one
        # cannot be parsed: a file that exists but cannot be read means closed, not open.
        from streamlit import config

        files = config.get_option("secrets.files") or []
        return auth_required() or any(Path(f).expanduser().exists() for f in files)


def current_actor() -> Actor | None:
    """The person using the dashboard, matched on every rerun (st.login only
    authenticates: someone removed from the plan is locked out at once). None when
    sign-in is on and nobody (or an unknown or unverified account) is signed in."""
    if not auth_configured():
        # Local single-user mode: the person at the machine is the workspace's manager,
        # or whoever `waypoint --as KEY serve` names (to preview another role's view).
        chosen = os.environ.get("WAYPOINT_AS")
        if chosen:
            from tracker.permissions import resolve_actor

            return resolve_actor(store(), chosen)
        return _local_manager(db_path(), revision())
    if not st.user.get("is_logged_in", False):
        return None
    from tracker.signin import actor_for_login

    return actor_for_login(store(), st.user.to_dict())


@st.cache_data(show_spinner=False)
def _local_manager(path: str, rev: int) -> Actor:
    from tracker.plan import load_plan

    for person in load_plan(_store(path)).people:
        if person.role == "manager":
            return Actor(person.key, "manager", person.name)
    return LOCAL_MANAGER


# -- cached reads (key: database path, revision, day) -----------------------------------
@st.cache_resource(show_spinner=False, max_entries=64)
def progress(path: str, rev: int, day: dt.date) -> Any:
    from tracker.progress import compute_progress

    return compute_progress(_store(path), day)


@st.cache_resource(show_spinner=False, max_entries=64)
def audit(path: str, rev: int, day: dt.date) -> Any:
    from tracker.vanity import run_audit

    # the progress of the same (revision, day) is computed once and shared
    return run_audit(_store(path), day, progress=progress(path, rev, day))


@st.cache_resource(show_spinner=False, max_entries=64)
def plan(path: str, rev: int) -> Any:
    from tracker.plan import load_plan

    return load_plan(_store(path))


@st.cache_resource(show_spinner=False, max_entries=64)
def checkins(path: str, rev: int, week: str | None, day: dt.date) -> Any:
    from tracker.checkins import checkin_status

    return checkin_status(_store(path), week, upcoming=True)


@st.cache_resource(show_spinner=False, max_entries=16)
def owed(path: str, rev: int, day: dt.date) -> Any:
    """Check-ins of the latest ended periods still owed (tracker.checkins.owed): missing
    ones are the overdue lists; on a grace day, those still on time too."""
    from tracker.checkins import owed as still_owed

    return still_owed(_store(path))


@st.cache_resource(show_spinner=False, max_entries=64)
def series(path: str, rev: int, kpi: str, day: dt.date) -> Any:
    from tracker.progress import kpi_series

    return kpi_series(_store(path), kpi, day)


@st.cache_resource(show_spinner=False, max_entries=16)
def names(path: str, rev: int) -> Any:
    """Kind -> key -> name (tracker.names.names_by_kind), read once per revision."""
    from tracker.names import names_by_kind

    return names_by_kind(_store(path))


@st.cache_resource(show_spinner=False, max_entries=128)
def weekly(path: str, rev: int, metric: str, day: dt.date) -> Any:
    from tracker.series import weekly as weekly_series

    return weekly_series(_store(path), metric, day)


@st.cache_resource(show_spinner=False, max_entries=16)
def team(path: str, rev: int, day: dt.date) -> Any:
    from tracker.team import team_report

    return team_report(_store(path))


@st.cache_resource(show_spinner=False, max_entries=8)
def impacts(path: str, rev: int, day: dt.date) -> Any:
    from tracker.impact import campaign_impacts

    return campaign_impacts(_store(path), day)


@st.cache_resource(show_spinner=False, max_entries=16)
def review(path: str, rev: int, week: str, day: dt.date) -> Any:
    # A review fits the impact model of each campaign that ended that week: once per
    # (revision, week, day), not on every rerun of the page.
    from tracker.report import weekly_review

    return weekly_review(_store(path), week)


@st.cache_resource(show_spinner=False, max_entries=16)
def working(path: str, rev: int, day: dt.date, through: dt.date | None = None) -> Any:
    from tracker.working import whats_working

    return whats_working(_store(path), day, through=through)


def cached(fn: Any, *args: Any) -> Any:
    """Call a cached read with the current database path and revision."""
    return fn(db_path(), revision(), *args)


def after_write() -> None:
    """Nothing to clear: every cached read is keyed on the revision, which the write bumped."""
