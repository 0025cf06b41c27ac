"""Fixtures shared by every test package: an empty store, a small plan, the demo."""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import shutil
import textwrap
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest

from dashboard.shots import free_port, healthy  # noqa: F401 (the tests' server helpers)
from tracker.models import LOCAL_MANAGER
from tracker.plan import apply_plan_text
from tracker.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
EXPORTS = FIXTURES / "exports"

SMALL_PLAN = textwrap.dedent(
    """
    workspace: {name: Bueno Realty, timezone: America/Chicago, vision: "Every buyer finds us first"}
    people:
      - {key: ricardo, name: Ricardo, role: manager, email: r@example.com}
      - {key: amy, name: Amy, role: assistant, hourly_rate: 25, email: amy@example.com, manager: ricardo}
      - {key: vic, name: Vic, role: viewer, email: vic@example.com}
    metrics:
      - {key: li-followers, name: LinkedIn followers, channel: linkedin, class: reach, behaviour: stock}
      - {key: leads, name: Qualified leads, channel: website, class: outcome, behaviour: flow}
      - {key: posts, name: LinkedIn posts, channel: linkedin, class: activity, behaviour: flow}
      - {key: hours, name: Assistant hours, class: effort, behaviour: flow, unit: h}
    objectives:
      - key: buyer-leads
        title: Grow qualified buyer leads
        outcome: leads
        people: First-time buyers, 25-40
        strategy: Answer buyer questions where they ask them
        channels: [linkedin, facebook]
        owner: ricardo
        start: 2026-07-01
        deadline: 2026-12-31
        campaigns:
          - {key: li-answers, name: LinkedIn answers series, channels: [linkedin], owner: amy}
        kpis:
          - {key: leads-h2, metric: leads, aggregation: sum, target: 60, owner: amy}
          - {key: lead-rate, ratio: {numerator: leads, denominator: li-followers}, target: 0.05, owner: ricardo}
          - {key: weekly-posts, metric: posts, target: 3, per: week, owner: amy, campaign: li-answers}
    """
)

# SMALL_PLAN without its recurring KPI: applied, it archives weekly-posts
WEEKLY_POSTS_LINE = (
    "      - {key: weekly-posts, metric: posts, target: 3, per: week, owner: amy,"
    " campaign: li-answers}\n"
)
SMALL_PLAN_WITHOUT_WEEKLY_POSTS = SMALL_PLAN.replace(WEEKLY_POSTS_LINE, "")
assert SMALL_PLAN_WITHOUT_WEEKLY_POSTS != SMALL_PLAN


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "waypoint.duckdb"


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An empty migrated database and one with the small plan, built once per worker:
    copying a closed DuckDB file (70 ms) is cheaper than migrating and applying a plan
    (350 ms), and over a hundred tests start from one of the two."""
    folder = tmp_path_factory.mktemp("templates")
    empty = folder / "empty.duckdb"
    Store(empty).init()
    planned = folder / "plan.duckdb"
    shutil.copy(empty, planned)
    apply_plan_text(Store(planned), SMALL_PLAN, LOCAL_MANAGER, source="small-plan")
    return {"empty": empty, "plan": planned}


@pytest.fixture
def store(db_path: Path, _templates: dict[str, Path]) -> Store:
    """An empty, migrated database."""
    shutil.copy(_templates["empty"], db_path)
    return Store(db_path, lock_timeout=10)


@pytest.fixture
def plan_store(db_path: Path, _templates: dict[str, Path]) -> Store:
    """The small Bueno Realty plan, no observations."""
    shutil.copy(_templates["plan"], db_path)
    return Store(db_path, lock_timeout=10)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace as of 2026-11-18, built once per session; copy it before writing."""
    from tracker.demo import load_demo

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    load_demo(Store(path), as_of=dt.date(2026, 11, 18))
    return path


@pytest.fixture
def demo_store(demo_db: Path, tmp_path: Path) -> Store:
    """A private copy of the demo database (safe to write)."""
    target = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, target)
    return Store(target, lock_timeout=10)


def values_table(values: dict, metric: str = "leads", source: str = "imp"):
    """An incoming batch of ``metric`` (day -> value) from ``source``, as importers make."""
    import pyarrow as pa

    from tracker.observations import incoming_schema

    days = sorted(values)
    return pa.table(
        {
            "line": list(range(2, len(days) + 2)),
            "day": days,
            "metric": [metric] * len(days),
            "value": [float(values[d]) for d in days],
            "source": [source] * len(days),
            "recorded_by": [None] * len(days),
            "note": [None] * len(days),
        },
        schema=incoming_schema(),
    )


# -- a local port and a real SMTP server (aiosmtpd) ---------------------------------------
class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        msg["X-Rcpt"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 OK"


@contextlib.contextmanager
def smtp_server(handler: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A local SMTP server (aiosmtpd) answering with ``handler``, and Waypoint pointed at
    it through the environment, for the length of the block."""
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("WAYPOINT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WAYPOINT_SMTP_PORT", str(port))
    monkeypatch.setenv("WAYPOINT_SMTP_STARTTLS", "false")
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch):
    with smtp_server(Inbox(), monkeypatch) as handler:
        yield handler


# -- the two tiers' times at the end of every run (#13: CI prints them) --------------------
_TIER_SECONDS: dict[str, float] = {"fast": 0.0, "slow": 0.0}
_TIER_TESTS: dict[str, int] = {"fast": 0, "slow": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    tier = "slow" if "slow" in report.keywords else "fast"
    _TIER_SECONDS[tier] += report.duration
    if report.when == "call":
        _TIER_TESTS[tier] += 1


def pytest_terminal_summary(terminalreporter: object) -> None:
    write = terminalreporter.write_line  # type: ignore[attr-defined]
    for tier in ("fast", "slow"):
        label = 'fast tier (-m "not slow")' if tier == "fast" else "slow tests"
        write(
            f"{label}: {_TIER_TESTS[tier]} tests, {_TIER_SECONDS[tier]:.0f} s of test time"
            " (summed over workers)"
        )
