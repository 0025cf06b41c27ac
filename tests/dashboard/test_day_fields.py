"""Every day field reads as the pages write days (2026-12-05): Streamlit's default,
2026/11/30, stood beside 2026-12-05 on one page."""

from __future__ import annotations

import ast
from pathlib import Path

DASHBOARD = Path(__file__).parents[2] / "dashboard"


def test_every_date_input_writes_days_as_the_pages_do() -> None:
    found = []
    for path in sorted(DASHBOARD.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "date_input"
            ):
                fmt = next((k.value for k in node.keywords if k.arg == "format"), None)
                value = fmt.value if isinstance(fmt, ast.Constant) else None
                found.append((f"{path.name}:{node.lineno}", value))
    assert len(found) >= 8  # the log form, the week grid, imports, the plan's dates
    assert [f for f in found if f[1] != "YYYY-MM-DD"] == []
