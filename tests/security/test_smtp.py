"""#15 item 6: the SMTP password reaches only a verified server it was given for.

Against a real local SMTP server (aiosmtpd) with a certificate from a private CA
(trustme): before the fix STARTTLS ran without verification and the password went to
whichever host the Settings page named."""

from __future__ import annotations

import datetime as dt
import ssl

import pytest
import trustme

from tests.conftest import free_port
from tracker.mailer import MailError, build_message, mail_settings, send
from tracker.settings import validate_stored
from tracker.store import Store


class Recorder:
    def __init__(self) -> None:
        self.logins: list[tuple[bytes, bytes]] = []
        self.messages: list[bytes] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):  # authenticator
        from aiosmtpd.smtp import AuthResult

        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def server(ca: trustme.CA, tmp_path):
    """A STARTTLS server with a certificate for 127.0.0.1 signed by a private CA."""
    from aiosmtpd.controller import Controller

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    recorder = Recorder()
    port = free_port()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=recorder,
        auth_require_tls=True,
    )
    controller.start()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    yield recorder, port, ca_file
    controller.stop()


def env(monkeypatch: pytest.MonkeyPatch, port: int, **extra: str) -> None:
    monkeypatch.setenv("WAYPOINT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WAYPOINT_SMTP_PORT", str(port))
    monkeypatch.setenv("WAYPOINT_SMTP_USER", "waypoint")
    monkeypatch.setenv("WAYPOINT_SMTP_PASSWORD", "s3cret")
    for key, value in extra.items():
        monkeypatch.setenv(key, value)


def message():
    return build_message("w@example.com", ["m@example.com"], "Test", "hello")


def test_an_unverifiable_certificate_gets_no_password(
    store: Store, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder, port, _ = server
    env(monkeypatch, port)
    with pytest.raises(MailError, match="cannot be verified"):
        send(mail_settings(store), message())
    assert recorder.logins == [] and recorder.messages == []


def test_a_trusted_ca_sends_over_starttls(store: Store, server, monkeypatch) -> None:
    recorder, port, ca_file = server
    env(monkeypatch, port, WAYPOINT_SMTP_CA_FILE=str(ca_file))
    send(mail_settings(store), message())
    assert recorder.logins == [(b"waypoint", b"s3cret")] and len(recorder.messages) == 1


def test_the_password_is_bound_to_the_environments_host(store: Store, monkeypatch) -> None:
    # A manager stores their own server on the Settings page; the password stays home.
    with store.write() as con:
        con.execute("INSERT INTO settings VALUES ('smtp.host', 'evil.example.com')")
    monkeypatch.setenv("WAYPOINT_SMTP_PASSWORD", "s3cret")
    with pytest.raises(MailError, match="WAYPOINT_SMTP_HOST"):
        mail_settings(store)
    monkeypatch.setenv("WAYPOINT_SMTP_HOST", "mail.example.com")
    assert mail_settings(store).host == "mail.example.com"


def test_no_password_over_plain_text_unless_allowed(store: Store, monkeypatch) -> None:
    env(monkeypatch, 1, WAYPOINT_SMTP_STARTTLS="false")
    with pytest.raises(MailError, match="without TLS"):
        send(mail_settings(store), message())


def test_secrets_cannot_be_stored_through_settings() -> None:
    for name in ("smtp.password", "smtp.ca_file", "smtp.allow_plain_auth"):
        with pytest.raises(Exception, match="environment"):
            validate_stored(name, "x")


def test_a_reminder_is_recorded_only_when_sent(demo_store: Store, monkeypatch) -> None:
    """#15 item 17: no mail configured -> nothing recorded, so no false escalation later."""
    from jobs.runner import run_job
    from tracker.jobruns import reminder_history

    for name in ("WAYPOINT_SMTP_HOST", "WAYPOINT_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    saturday = dt.datetime(2026, 11, 21, 15, tzinfo=dt.UTC)
    outcome, text = run_job(demo_store, "checkin_reminders", saturday, slot=saturday)
    assert "mail not configured" in text, text
    with demo_store.read() as con:
        owners = [r[0] for r in con.execute("SELECT DISTINCT owner FROM kpis").fetchall()]
    for owner in owners:
        with demo_store.read() as con:
            kpis = [
                r[0]
                for r in con.execute("SELECT key FROM kpis WHERE owner = ?", [owner]).fetchall()
            ]
        for kpi in kpis:
            assert reminder_history(demo_store, owner, kpi) == []
