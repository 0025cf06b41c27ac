"""Mail through SMTP (the standard library's smtplib and email packages).

Settings: smtp.host, smtp.port, smtp.starttls, smtp.user, smtp.sender; the password
only from the environment (WAYPOINT_SMTP_PASSWORD). Without smtp.host nothing is sent
and the caller says so in its job message.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from tracker.settings import get_setting
from tracker.store import Store


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    starttls: bool
    user: str
    password: str
    sender: str

    @property
    def configured(self) -> bool:
        return bool(self.host)


def mail_settings(store: Store) -> MailSettings:
    with store.read() as con:
        stored = dict(con.execute("SELECT name, value FROM settings").fetchall())
    return MailSettings(
        host=get_setting("smtp.host", stored),
        port=int(get_setting("smtp.port", stored)),
        starttls=bool(get_setting("smtp.starttls", stored)),
        user=get_setting("smtp.user", stored),
        password=get_setting("smtp.password", stored),
        sender=get_setting("smtp.sender", stored),
    )


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
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
        html_part = msg.get_payload()[-1]
        for cid, png in (images or {}).items():
            html_part.add_related(
                png, maintype="image", subtype="png", cid=f"<{cid}>", filename=f"{cid}.png"
            )
    return msg


def send(settings: MailSettings, message: EmailMessage, timeout: float = 30) -> None:
    with smtplib.SMTP(settings.host, settings.port, timeout=timeout) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.user:
            smtp.login(settings.user, settings.password)
        smtp.send_message(message)
