"""Names, notes and plan text with HTML, scripts and Markdown links stay text everywhere."""

from __future__ import annotations

import datetime as dt

import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from tests.conftest import SMALL_PLAN
from tests.dashboard.conftest import APP
from tracker.cli.serve_cmd import streamlit_args
from tracker.plan import apply_plan_text
from tracker.records import LOCAL_MANAGER
from tracker.store import Store

# An HTML tag or a Markdown link that is not backslash-escaped.
UNESCAPED = __import__("re").compile(r"(?<!\\)<(script|img)|(?<!\\)\]\(javascript")
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)> [win](javascript:alert(3))"


@pytest.fixture
def hostile_store(store: Store) -> Store:
    data = yaml.safe_load(SMALL_PLAN)
    data["workspace"]["vision"] = HOSTILE
    data["objectives"][0]["title"] = "Leads " + HOSTILE
    data["objectives"][0]["strategy"] = HOSTILE
    apply_plan_text(store, yaml.safe_dump(data), LOCAL_MANAGER)
    return store


@pytest.mark.parametrize("page", [None, "objective", "weekly_review"])
def test_dashboard_shows_hostile_text_as_text(hostile_store: Store, monkeypatch, page) -> None:
    monkeypatch.setenv("WAYPOINT_DB", str(hostile_store.path))
    monkeypatch.setenv("WAYPOINT_NOW", "2026-08-10T12:00:00+00:00")
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    rendered = [m.value for m in at.markdown] + [t.value for t in at.title]
    joined = "\n".join(rendered)
    assert not UNESCAPED.search(joined), UNESCAPED.search(joined)
    for element in at.markdown:
        assert not getattr(element.proto, "allow_html", False) or "script" not in element.value


def test_server_flags_keep_xsrf_and_hide_errors() -> None:
    args = streamlit_args(
        __import__("pathlib").Path("dashboard/app.py"), 8501, "127.0.0.1", 50, None
    )
    flags = {a: args[i + 1] for i, a in enumerate(args[:-1]) if a.startswith("--")}
    assert flags["--server.enableXsrfProtection"] == "true"
    assert flags["--client.showErrorDetails"] == "none"
    assert flags["--server.maxUploadSize"] == "50"


def test_digest_and_report_escape(hostile_store: Store) -> None:
    from tracker.report import render_html, render_markdown, weekly_review

    review = weekly_review(hostile_store, "2026-W32", now=dt.datetime(2026, 8, 12, tzinfo=dt.UTC))
    html_text = render_html(review)
    assert "<script>" not in html_text and "<img" not in html_text
    assert "&lt;script&gt;" in html_text
    md = render_markdown(review)
    assert not UNESCAPED.search(md)


def test_import_connection_reads_only_the_chosen_file(tmp_path) -> None:
    """DuckDB hardening: the parser's connection may read the import file and nothing else."""
    import duckdb

    from tracker.imports.generic import _connection

    secret = tmp_path / "other.csv"
    secret.write_text("a\n1\n")
    chosen = tmp_path / "chosen.csv"
    chosen.write_text("day,metric,value\n2026-01-01,m,1\n")
    con = _connection(chosen)
    assert con.execute("SELECT count(*) FROM read_csv(?)", [str(chosen)]).fetchone()[0] == 1
    with pytest.raises(duckdb.Error):
        con.execute("SELECT * FROM read_csv(?)", [str(secret)]).fetchall()
