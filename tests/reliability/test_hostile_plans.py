"""Hostile and broken plans: exit 2 with a message, never a traceback, never a partial write.

The command line runs in process (click's CliRunner re-raises anything that is not a clean
exit, so a traceback fails the test); the real-process runs are in test_crash and
test_concurrency."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.clirunner import waypoint
from tests.conftest import SMALL_PLAN
from tracker.errors import PlanError
from tracker.plan import load_yaml, validate_plan


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    db = tmp_path / "w.duckdb"
    plan = tmp_path / "plan.yaml"
    plan.write_text(SMALL_PLAN)
    assert waypoint(db, "plan", "apply", str(plan)).code == 0
    return db


def billion_laughs() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        text += f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    return text


HOSTILE = {
    "empty": "",
    "binary": "\x00\x01\x02\xff\xfe garbage",
    "a list": "- 1\n- 2\n",
    "billion laughs": billion_laughs(),
    "python tag": "!!python/object/apply:os.system ['echo pwned']\n",
    "deep nesting": "a: " + "[" * 5000 + "]" * 5000,
    "wrong types": "workspace: {name: [1, 2]}\npeople: 7\n",
    "impossible date": SMALL_PLAN.replace("2026-12-31", "2026-02-30"),
    "huge number": SMALL_PLAN.replace("target: 60", "target: 1e400"),
    "nan target": SMALL_PLAN.replace("target: 60", "target: .nan"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_plan_exits_2_and_changes_nothing(seeded: Path, tmp_path: Path, name: str) -> None:
    before = waypoint(seeded, "plan", "export").out
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(HOSTILE[name].encode("utf-8", "surrogateescape"))
    result = waypoint(seeded, "plan", "apply", str(bad))
    assert result.code == 2, (name, result.err)
    assert "bad.yaml" in result.err
    assert waypoint(seeded, "plan", "export").out == before
    assert not (tmp_path / "pwned").exists()


@pytest.mark.slow  # a benchmark-sized plan (10,000 KPIs)
def test_plan_with_10000_kpis_applies(tmp_path: Path) -> None:
    kpis = "\n".join(
        f"      - {{key: k{i}, metric: leads, target: {i + 1}, owner: amy}}" for i in range(10_000)
    )
    assert "    kpis:\n" in SMALL_PLAN
    big = SMALL_PLAN.replace("    kpis:\n", "    kpis:\n" + kpis + "\n")
    path = tmp_path / "big.yaml"
    path.write_text(big)
    db = tmp_path / "w.duckdb"
    result = waypoint(db, "plan", "apply", str(path))
    assert result.code == 0, result.err
    assert "10012 created" in result.out
    assert len(result.out.splitlines()) < 100  # a summary, not 10,000 lines


plan_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.dates().map(str),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "key",
                    "name",
                    "role",
                    "metric",
                    "target",
                    "kpis",
                    "objectives",
                    "people",
                    "metrics",
                    "workspace",
                    "ratio",
                    "per",
                    "stay",
                    "class",
                    "behaviour",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan_values)
def test_fuzzed_plans_only_raise_plan_errors(data: object) -> None:
    try:
        validate_plan(data, "fuzz.yaml")
    except PlanError as exc:
        assert exc.problems
        assert all(isinstance(p, str) and p for p in exc.problems)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_fuzzed_yaml_text_only_raises_plan_errors(text: str) -> None:
    try:
        data = load_yaml(text, "fuzz.yaml")
        validate_plan(data, "fuzz.yaml")
    except PlanError:
        pass


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "target",
                "baseline",
                "owner",
                "metric",
                "per",
                "stay",
                "deadline",
                "start",
                "aggregation",
                "cadence",
            ]
        ),
        st.none() | st.integers(-5, 5) | st.floats(allow_nan=True) | st.text(max_size=8),
        max_size=4,
    )
)
def test_mutated_kpi_fields(changes: dict) -> None:
    data = yaml.safe_load(SMALL_PLAN)
    data["objectives"][0]["kpis"][0].update(changes)
    try:
        validate_plan(data, "fuzz.yaml")
    except PlanError as exc:
        # Every problem names the item it is about (only this KPI changed) and says why.
        for problem in exc.problems:
            where, _, why = problem.partition(": ")
            assert where.startswith("objectives[buyer-leads].kpis[leads-h2]."), problem
            assert why.strip(), problem
