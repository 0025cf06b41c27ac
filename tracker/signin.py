"""Who may open the dashboard: sign-in that fails closed (docs/auth.md, docs/security.md).

Rules:
- Sign-in asked for (``--secrets``/``WAYPOINT_SECRETS``, or a ``.streamlit/secrets.toml``
  in the folder `serve` runs from) must be configurable, or `serve` refuses to start:
  a missing file, a TOML error or an ``[auth]`` section without what Streamlit needs is
  named, never turned into "everyone is the manager".
- Local single-user mode (no sign-in, the visitor is the manager) only on a loopback
  address, unless ``--no-auth`` says so explicitly.
- A sign-in is matched to a person by a pinned issuer and subject when the person has
  them, else by email, and then only when the provider did not say the email is
  unverified (``email_verified: false``).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.errors import BadInput
from tracker.records import Actor
from tracker.store import Store
from tracker.text import email_key

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


@dataclass(frozen=True)
class SignIn:
    mode: str  # "oidc" or "local"
    secrets: Path | None = None
    providers: list[str] = field(default_factory=list)

    def banner(self, host: str, port: int, acting: Actor | None = None) -> str:
        """One line saying who gets in; ``acting``: the person `--as` previews (local)."""
        if self.mode == "oidc":
            return (
                f"Sign-in: on (OpenID Connect: {', '.join(self.providers)}; {self.secrets})."
                " Only people of the plan get in."
            )
        where = "this machine" if host in LOOPBACK else f"anyone who reaches {host}:{port}"
        if acting is not None:
            return (
                f"Sign-in: off (local single-user mode): {where} acts as {acting.name}, with"
                f" the {acting.role}'s rights (--as {acting.key})."
            )
        return f"Sign-in: off (local single-user mode): {where} is the workspace's manager."


def _providers(auth: Any, source: Path) -> list[str]:
    if not isinstance(auth, dict):
        raise BadInput(f"{source}: [auth] must be a table (docs/auth.md)")
    missing = [k for k in ("redirect_uri", "cookie_secret") if not auth.get(k)]
    if missing:
        raise BadInput(f"{source}: [auth] lacks {', '.join(missing)} (docs/auth.md)")
    providers = []
    if all(auth.get(k) for k in _PROVIDER_KEYS):
        providers.append("default")
    for name, section in auth.items():
        if isinstance(section, dict):
            lacking = [k for k in _PROVIDER_KEYS if not section.get(k)]
            if lacking:
                raise BadInput(f"{source}: [auth.{name}] lacks {', '.join(lacking)}")
            providers.append(name)
    if not providers:
        raise BadInput(
            f"{source}: [auth] names no identity provider (client_id, client_secret and"
            " server_metadata_url, directly or in [auth.NAME]; docs/auth.md)"
        )
    return providers


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: not valid TOML ({exc}); sign-in cannot be configured") from exc


def read_secrets(path: Path) -> SignIn:
    """The sign-in a secrets file configures; BadInput naming the file and the fault."""
    if not path.is_file():
        raise BadInput(
            f"sign-in was asked for with {path}, but there is no such file. Fix the path, or"
            " run without --secrets/WAYPOINT_SECRETS for local single-user mode."
        )
    data = _toml(path)
    if "auth" not in data:
        raise BadInput(f"{path}: no [auth] section, so sign-in cannot be configured (docs/auth.md)")
    return SignIn("oidc", path.resolve(), _providers(data["auth"], path))


def sign_in_for_serve(
    secrets: str | None, host: str, no_auth: bool, folder: Path | None = None
) -> SignIn:
    """Decide, before the server starts, how people sign in; refuse what would fail open."""
    if secrets and no_auth:
        raise BadInput("--no-auth and --secrets/WAYPOINT_SECRETS contradict each other; give one")
    if secrets:
        return read_secrets(Path(secrets))
    default = (folder or Path.cwd()) / ".streamlit" / "secrets.toml"
    if default.exists() and not no_auth:
        data = _toml(default)
        if "auth" in data:
            return SignIn("oidc", default.resolve(), _providers(data["auth"], default))
    if host not in LOOPBACK and not no_auth:
        raise BadInput(
            f"serving on {host} without sign-in would make every visitor the workspace's"
            " manager. Configure sign-in (--secrets FILE; docs/auth.md), or pass --no-auth"
            " if that is really what you want (a trusted network only)."
        )
    return SignIn("local")


def auth_required() -> bool:
    """True when `serve` decided on sign-in: the dashboard must then fail closed."""
    return os.environ.get("WAYPOINT_AUTH") == "oidc"


def actor_for_login(store: Store, claims: dict[str, Any]) -> Actor | None:
    """The active person these ID-token claims identify, or None (refused)."""
    issuer, subject = claims.get("iss"), claims.get("sub")
    email = (claims.get("email") or "").strip()
    with store.read() as con:
        if issuer and subject:
            pinned = con.execute(
                "SELECT key, role, name FROM people WHERE issuer = ? AND subject = ?"
                " AND NOT archived ORDER BY position LIMIT 1",
                [issuer, subject],
            ).fetchall()
            if pinned:
                return Actor(*pinned[0])
        if not email or not _verified(claims.get("email_verified", True)):
            return None
        # Compared in Python (text.email_key): SQL's lower() folds the Kelvin sign K to
        # k, so jay@copper\u212aettle.example, another address a provider may verify for
        # someone else, signed in as Jay
        wanted = email_key(email)
        rows = [
            r
            for r in con.execute(
                "SELECT key, role, name, subject, email FROM people"
                " WHERE email IS NOT NULL AND NOT archived ORDER BY position"
            ).fetchall()
            if email_key(r[4]) == wanted
        ]
    if not rows:
        return None
    key, role, name, pinned_subject, _ = rows[0]
    if pinned_subject is not None:
        return None  # pinned to another account: the email alone is not enough
    return Actor(key, role, name)


def _verified(claim: Any) -> bool:
    """Whether an ``email_verified`` claim says yes. True, or the text "true" (some
    providers send the claim as text: "false" was taken as a yes, being no boolean
    False); a claim left out counts as yes, as before. Anything else is a no."""
    if isinstance(claim, bool):
        return claim
    return isinstance(claim, str) and claim.strip().lower() == "true"
