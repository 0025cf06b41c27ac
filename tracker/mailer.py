"""Mail through SMTP (the standard library's smtplib, ssl and email packages).

Settings: smtp.host, smtp.port, smtp.starttls, smtp.ssl, smtp.user, smtp.sender; the
password only from the environment (WAYPOINT_SMTP_PASSWORD). Without smtp.host nothing
is sent and the caller says so in its job message.

The password is kept to the server it was given for: when it comes from the
environment, so must the host, port, TLS mode and user (a manager on the Settings page
cannot point mail at their own server and collect it). Certificates are verified
(``ssl.create_default_context``; ``WAYPOINT_SMTP_CA_FILE`` for a private CA), and the
password is never sent over a connection without TLS unless
``WAYPOINT_SMTP_ALLOW_PLAIN_AUTH=1`` allows it (a relay on the same machine).
"""

from __future__ import annotations

import datetime as dt
import os
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Any

from tracker.errors import BadInput, WaypointError
from tracker.records import Actor
from tracker.settings import SETTINGS, get_setting
from tracker.store import Store

# Taken from the environment only, whenever the password is.
BOUND_TO_PASSWORD = ("smtp.host", "smtp.port", "smtp.starttls", "smtp.ssl", "smtp.user")


class MailError(WaypointError):
    """Mail cannot be sent as configured; the message says what to change."""


class MailRefused(MailError):
    """The server took the connection and refused this message's recipients: another
    message, to other people, may still go through."""


class MailPartlyRefused(MailRefused):
    """The server took the message for some of its recipients (``delivered``) and
    refused the others: the message went out, and sending it again would mail the
    delivered ones twice."""

    # a job that fails with it is not retried: the retry would mail the delivered twice
    retry = False

    def __init__(self, message: str, delivered: list[str]) -> None:
        super().__init__(message)
        self.delivered = delivered


def _refused(recipients: Mapping[str, tuple[int, bytes | str]]) -> str:
    """The refused addresses with the server's code and reason, as one line."""
    return ", ".join(
        f"{to} ({code} {reason.decode(errors='replace') if isinstance(reason, bytes) else reason})"
        for to, (code, reason) in recipients.items()
    )


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    starttls: bool
    user: str
    password: str
    sender: str
    ssl: bool = False
    ca_file: str = ""
    allow_plain_auth: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.host)

    @property
    def mode(self) -> str:
        """ "ssl" (implicit TLS), "starttls" or "none"."""
        return "ssl" if self.ssl else ("starttls" if self.starttls else "none")


def password_in_environment() -> bool:
    """With the password in the environment, the server it goes to comes from there too."""
    return bool(os.environ.get(SETTINGS["smtp.password"].env_var))


def mail_form(store: Store) -> MailSettings:
    """What the Settings form shows: the environment's values when they are bound to the
    password (read-only there), else what the workspace stores (never an environment
    override, which saving would copy into the database)."""
    if password_in_environment():
        return mail_settings(store)
    from tracker.settings import stored_setting

    stored = _stored(store)
    return _from(lambda name: stored_setting(name, stored), password="")


def save_mail_settings(
    store: Store, actor: Actor, *, sender: str, host: str, port: int, mode: str, user: str
) -> None:
    """Store the mail settings (managers, via the plan: audited, undoable). With the
    password in the environment only the sender is stored; the rest stays bound to it."""
    from tracker.plan import update_settings

    if mode not in ("ssl", "starttls", "none"):
        raise BadInput(f"encryption {mode!r}: use ssl, starttls or none")
    values: dict[str, object] = {"smtp.sender": sender.strip()}
    if not password_in_environment():
        values.update(
            {
                "smtp.host": host.strip(),
                "smtp.port": int(port),
                "smtp.starttls": mode == "starttls",
                "smtp.ssl": mode == "ssl",
                "smtp.user": user.strip(),
            }
        )
    update_settings(store, actor, values)


def _stored(store: Store) -> dict[str, str]:
    with store.read() as con:
        return dict(con.execute("SELECT name, value FROM settings").fetchall())


def _from(value: Callable[[str], Any], password: str) -> MailSettings:
    """MailSettings from one way of reading a setting by name."""
    return MailSettings(
        host=value("smtp.host"),
        port=int(value("smtp.port")),
        starttls=bool(value("smtp.starttls")),
        ssl=bool(value("smtp.ssl")),
        user=value("smtp.user"),
        password=password,
        sender=value("smtp.sender"),
        ca_file=value("smtp.ca_file"),
        allow_plain_auth=bool(value("smtp.allow_plain_auth")),
    )


def mail_settings(store: Store) -> MailSettings:
    """The settings mail is sent with (the environment first, then the workspace)."""
    stored = _stored(store)
    password = get_setting("smtp.password", stored)
    if password:
        # Bound to its server: stored (dashboard-editable) values do not count.
        stored = {k: v for k, v in stored.items() if k not in BOUND_TO_PASSWORD}
        if SETTINGS["smtp.host"].env_var not in os.environ:
            raise MailError(
                "WAYPOINT_SMTP_PASSWORD is set, so the SMTP server must come from the"
                " environment too: set WAYPOINT_SMTP_HOST (and WAYPOINT_SMTP_PORT,"
                " WAYPOINT_SMTP_USER) beside it"
            )
    return _from(lambda name: get_setting(name, stored), password=password)


def build_message(
    sender: str,
    to: list[str],
    subject: str,
    text: str,
    html: str | None = None,
    images: dict[str, bytes] | None = None,
) -> EmailMessage:
    """A multipart message; ``images`` (content id -> PNG) are attached inline for the HTML
    part, which refers to them as cid:ID."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="waypoint.local")
    # RFC 5322 asks for a Date; without one mail readers show when it arrived, or nothing.
    # The real instant, not WAYPOINT_NOW: this is when the mail is written.
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
        html_part = msg.get_body(preferencelist=("html",))
        assert isinstance(html_part, EmailMessage)  # the alternative added just above
        for cid, png in (images or {}).items():
            # inline: shown where the HTML places it, not listed as an attachment
            # (add_related's default disposition is "attachment")
            html_part.add_related(
                png,
                maintype="image",
                subtype="png",
                cid=f"<{cid}>",
                filename=f"{cid}.png",
                disposition="inline",
            )
    return msg


def send(settings: MailSettings, message: EmailMessage, timeout: float = 30) -> None:
    """Send one message; MailError with the reason (never the password) on failure."""
    encrypted = settings.ssl or settings.starttls
    if settings.user and not encrypted and not settings.allow_plain_auth:
        raise MailError(
            "refusing to send the SMTP password without TLS: turn smtp.starttls or smtp.ssl"
            " on, or set WAYPOINT_SMTP_ALLOW_PLAIN_AUTH=1 for a relay on this machine"
        )
    context = ssl.create_default_context(cafile=settings.ca_file or None)
    try:
        if settings.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        with client as smtp:
            if settings.starttls and not settings.ssl:
                smtp.starttls(context=context)
            if settings.user:
                smtp.login(settings.user, settings.password)
            refused = smtp.send_message(message)
    except ssl.SSLCertVerificationError as exc:
        raise MailError(
            f"the SMTP server {settings.host}:{settings.port} presented a certificate that"
            f" cannot be verified ({exc.verify_message}); nothing was sent. Use its real"
            " name, or trust its CA with WAYPOINT_SMTP_CA_FILE"
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailRefused(
            f"{settings.host}:{settings.port} refused {_refused(exc.recipients)}"
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"mail to {settings.host}:{settings.port} failed: {exc}") from exc
    if refused:
        # smtplib raises only when every recipient is refused; some refused is a
        # return value, and unread it would be a mail lost without a word
        delivered = [
            a for _, a in getaddresses(message.get_all("To", [])) if a and a not in refused
        ]
        raise MailPartlyRefused(
            f"{settings.host}:{settings.port} refused {_refused(refused)}", delivered
        )


def send_test_email(store: Store, actor: Actor, to: str) -> str:
    """Send a short test message to ``to`` with the stored settings (managers only, as
    the mail settings are theirs); returns what happened in one sentence."""
    from tracker.permissions import require_manager

    require_manager(actor, "send a test email")
    to = to.strip()
    if not to or "@" not in to or any(ch in to for ch in "\r\n,;"):
        raise BadInput(f"send to {to!r}: give one email address")
    settings = mail_settings(store)
    if not settings.configured:
        raise BadInput(
            "mail is not configured: set the SMTP host (Settings, or WAYPOINT_SMTP_HOST)"
        )
    mode = "implicit TLS" if settings.ssl else ("STARTTLS" if settings.starttls else "no TLS")
    message = build_message(
        settings.sender,
        [to],
        "Waypoint test email",
        f"This is a test from Waypoint, sent by {actor.name} through"
        f" {settings.host}:{settings.port} ({mode}). The weekly digest and check-in"
        " reminders will arrive the same way.",
    )
    send(settings, message)
    return f"Sent a test email to {to} through {settings.host}:{settings.port} ({mode})."
