"""Sign-in with st.login against a local OIDC provider: who may enter, and what they see."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard.shots import settle
from tests.conftest import free_port
from tests.e2e.conftest import require_browser, start_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def auth_server(demo_db: Path, tmp_path: Path):
    require_browser()
    import oidc_provider_mock

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)
    with oidc_provider_mock.run_server_in_thread(port=0) as oidc:
        port = free_port()
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://localhost:{port}/oauth2callback"\n'
            'cookie_secret = "test-cookie-secret-0123456789"\n'
            'client_id = "waypoint"\nclient_secret = "secret"\n'
            f'server_metadata_url = "http://localhost:{oidc.server_port}'
            '/.well-known/openid-configuration"\n'
        )
        server = start_server(db, env={"WAYPOINT_SECRETS": str(secrets)}, port=port)
        yield server
        server.stop()


def sign_in(page, server, email: str) -> None:
    page.goto(server.url)
    page.get_by_role("button", name="Sign in").click()
    page.locator("input[name='sub']").fill(email)
    page.get_by_role("button", name="Authorize").click()


def test_unknown_email_is_refused(auth_server, page) -> None:
    sign_in(page, auth_server, "stranger@example.com")
    page.get_by_text("is not a member of this workspace").wait_for()
    assert page.get_by_text("Fill the catering calendar").count() == 0


def test_assistant_lands_on_my_week_and_reads_the_plan_without_editing_it(
    auth_server, page
) -> None:
    sign_in(page, auth_server, "jay@copperkettle.example")
    page.get_by_text("My week — Jay Patel").wait_for()
    assert page.get_by_text("Signed in as Jay Patel (assistant)").is_visible()
    # every role reads every page: the plan as it stands, with nothing to change
    page.goto(f"{auth_server.url}/plan")
    page.get_by_text("The plan as it stands. Only a manager changes it.").wait_for()
    settle(page, pause_ms=500)
    assert page.get_by_text("Fill the catering calendar with office orders").first.is_visible()
    assert page.get_by_text("Edit the plan as YAML").count() == 0
    assert page.get_by_role("button", name="Save").count() == 0
    assert page.get_by_role("textbox").count() == 0


def test_viewer_sees_no_edit_controls(auth_server, page) -> None:
    sign_in(page, auth_server, "ben@copperkettle.example")
    page.get_by_text("Fill the catering calendar with office orders").first.wait_for()
    assert page.get_by_text("Log values").count() == 0
    page.goto(f"{auth_server.url}/vanity_audit")
    page.get_by_text("Growth without results").first.wait_for()
    assert page.get_by_role("button", name="Acknowledge").count() == 0
