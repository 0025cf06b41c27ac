"""The lowest versions pyproject.toml declares are the ones .ci/lowest.txt pins (and the
suite was run against), and the versions installed here satisfy them."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _declared() -> dict[str, Requirement]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = [Requirement(r) for r in data["project"]["dependencies"]]
    return {r.name.lower(): r for r in reqs}


def _pinned() -> dict[str, Version]:
    out = {}
    for line in (ROOT / ".ci" / "lowest.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, pin = line.split("==")
            out[name.lower()] = Version(pin)
    return out


def test_every_lower_bound_is_pinned_in_the_lowest_set() -> None:
    declared, pinned = _declared(), _pinned()
    assert set(declared) == set(pinned)
    for name, req in declared.items():
        lower = [Version(s.version) for s in req.specifier if s.operator == ">="]
        assert lower, f"{name}: declare a lower bound"
        assert pinned[name] == lower[0] or (
            # ">=2.0" is pinned as 2.0.0, the same version
            pinned[name].release[: len(lower[0].release)] == lower[0].release
            and all(x == 0 for x in pinned[name].release[len(lower[0].release) :])
        ), f"{name}: pyproject says {req.specifier}, .ci/lowest.txt pins {pinned[name]}"
        assert pinned[name] in req.specifier


def test_installed_versions_satisfy_the_declared_bounds() -> None:
    for name, req in _declared().items():
        assert Version(version(name)) in req.specifier, (name, version(name))
