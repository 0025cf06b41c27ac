"""#15 items 3, 4: sign-in fails closed; an unverified email is not enough."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.clirunner import waypoint
from tests.dashboard.conftest import open_page
from tracker.errors import BadInput
from tracker.plan import apply_plan_text
from tracker.records import LOCAL_MANAGER, Actor
from tracker.signin import actor_for_login, sign_in_for_serve
from tracker.store import Store

GOOD = """
[auth]
redirect_uri = "http://localhost:8501/oauth2callback"
cookie_secret = "x"
client_id = "waypoint"
client_secret = "s"
server_metadata_url = "http://127.0.0.1:9/.well-known/openid-configuration"
"""


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "no such file"),
        ("[auth\nredirect_uri = 1", "not valid TOML"),
        ("[server]\nport = 1\n", "no [auth] section"),
        ('[auth]\nredirect_uri = "x"\n', "lacks cookie_secret"),
        ('[auth]\nredirect_uri = "x"\ncookie_secret = "y"\n', "names no identity provider"),
    ],
)
def test_sign_in_asked_for_but_not_configurable_refuses_to_start(
    tmp_path: Path, content: str | None, fragment: str
) -> None:
    secrets = tmp_path / "secrets.toml"
    if content is not None:
        secrets.write_text(content)
    with pytest.raises(BadInput, match=re.escape(fragment)):
        sign_in_for_serve(str(secrets), "127.0.0.1", no_auth=False, folder=tmp_path)
    # Through the command: exit 2 before any server starts.
    result = waypoint(tmp_path / "w.duckdb", "serve", "--secrets", str(secrets))
    assert result.code == 2 and fragment in result.err, result


def test_local_mode_only_on_loopback_unless_asked(tmp_path: Path) -> None:
    local = sign_in_for_serve(None, "127.0.0.1", False, tmp_path)
    assert local.mode == "local"
    assert "this machine is the workspace's manager" in local.banner("127.0.0.1", 8501)
    # `waypoint --as jay serve` previews Jay's view: the banner says so, not "manager"
    jay = Actor("jay", "assistant", "Jay Patel")
    assert local.banner("127.0.0.1", 8501, jay) == (
        "Sign-in: off (local single-user mode): this machine acts as Jay Patel, with the"
        " assistant's rights (--as jay)."
    )
    with pytest.raises(BadInput, match="every visitor the workspace's manager"):
        sign_in_for_serve(None, "0.0.0.0", False, tmp_path)  # noqa: S104
    assert sign_in_for_serve(None, "0.0.0.0", True, tmp_path).mode == "local"  # noqa: S104
    secrets = tmp_path / "s.toml"
    secrets.write_text(GOOD)
    mode = sign_in_for_serve(str(secrets), "0.0.0.0", False, tmp_path)  # noqa: S104
    assert mode.mode == "oidc" and "Sign-in: on" in mode.banner("0.0.0.0", 8501)  # noqa: S104
    # A broken default secrets file in the serving folder is named too.
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text("[auth\n")
    with pytest.raises(BadInput, match="not valid TOML"):
        sign_in_for_serve(None, "127.0.0.1", False, tmp_path)


PEOPLE = """
workspace: {name: T, timezone: UTC}
people:
  - {key: mia, name: Mia, role: manager, email: mia@example.com}
  - {key: pin, name: Pinned, role: assistant, email: pin@example.com,
     issuer: "https://login.example.com", subject: "abc-123"}
"""


def test_unverified_email_is_not_enough_and_pins_win(store: Store) -> None:
    apply_plan_text(store, PEOPLE, LOCAL_MANAGER)
    assert actor_for_login(store, {"email": "MIA@example.com"}).key == "mia"
    assert actor_for_login(store, {"email": "mia@example.com", "email_verified": True}).key == "mia"
    assert actor_for_login(store, {"email": "mia@example.com", "email_verified": False}) is None
    # the claim as text, as some providers send it: "false" signed in as Mia
    for said, who in (("false", None), ("False", None), ("0", None), ("true", "mia"), (0, None)):
        login = actor_for_login(store, {"email": "mia@example.com", "email_verified": said})
        assert (login.key if login else None) == who, said
    # only A-Z fold: the Kelvin sign (U+212A) and dotted I are other letters, other addresses
    assert actor_for_login(store, {"email": "\u212aia@example.com"}) is None
    apply_plan_text(store, PEOPLE.replace("mia@example.com", "kia@example.com"), LOCAL_MANAGER)
    assert actor_for_login(store, {"email": "\u212aia@example.com"}) is None
    assert actor_for_login(store, {"email": "KIA@Example.COM"}).key == "mia"
    # letters outside ASCII fold among themselves: JOSÉ is josé
    apply_plan_text(store, PEOPLE.replace("mia@example.com", "JOSÉ@example.com"), LOCAL_MANAGER)
    assert actor_for_login(store, {"email": "josé@example.com"}).key == "mia"
    # A pinned person signs in by issuer and subject, whatever the email says...
    pinned = {"iss": "https://login.example.com", "sub": "abc-123", "email": "x@y.z"}
    assert actor_for_login(store, pinned).key == "pin"
    # ...and their email alone (another account claiming it) is refused.
    other = {"iss": "https://login.example.com", "sub": "evil", "email": "pin@example.com"}
    assert actor_for_login(store, other) is None


def test_dashboard_fails_closed_when_serve_asked_for_sign_in(
    app_env: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAYPOINT_AUTH", "oidc")
    at = open_page()
    assert "actor" not in at.session_state
    assert any(b.label == "Sign in" for b in at.button)


def test_dashboard_fails_closed_on_an_unreadable_secrets_file(
    app_env: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text("[auth\nredirect_uri = 1")
    monkeypatch.chdir(tmp_path)
    at = open_page()
    assert "actor" not in at.session_state
    assert not any("Local single-user mode" in c.value for c in at.caption)
