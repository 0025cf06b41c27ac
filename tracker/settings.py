"""One registry of settings: name, default, type and help.

Precedence: an explicit keyword > the environment (``WAYPOINT_<NAME>``, dots as
underscores) > the workspace's stored value (plan file ``settings:`` or the Settings
page) > the default here. Secrets (the SMTP password) are read from the environment
only and are never stored in the database or the plan.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.errors import BadInput
from tracker.text import has_control


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    type: type
    help: str
    secret: bool = False
    # (lowest, highest) allowed for numbers; checked wherever a value comes from.
    bounds: tuple[float, float] | None = None

    @property
    def env_var(self) -> str:
        return "WAYPOINT_" + self.name.upper().replace(".", "_").replace("-", "_")

    def parse(self, raw: Any) -> Any:
        if raw is None:
            return None
        if self.type is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise BadInput(f"setting {self.name}: {raw!r} is not true/false")
        try:
            value = self.type(raw)
        except (TypeError, ValueError) as exc:
            raise BadInput(
                f"setting {self.name}: {raw!r} is not a valid {self.type.__name__}"
            ) from exc
        if self.bounds is not None:
            low, high = self.bounds
            if not (low <= value <= high):  # also refuses NaN
                raise BadInput(
                    f"setting {self.name}: {raw!r} is outside {low:g}..{high:g} ({self.help})"
                )
        problem = _text_problem(self.name, value) if isinstance(value, str) else None
        if problem:
            raise BadInput(f"setting {self.name}: {raw!r} {problem}")
        return value


_SUNDAY_FIRST = re.compile(r"^0*7-(0*[0-6](?:/\d+)?)$")  # "7-1": Sunday to Monday


def cron_expr(expr: str) -> str:
    """``expr`` as a schedule is read: five fields as Debian cron reads them (cronsim): 0
    and 7 are Sunday, days of the month and of the week together mean either unless one
    starts with *, a day no month has is refused. A weekday range starting at 7 ("7-1")
    starts on Sunday as 0, as schedules stored before read it. Raises ValueError."""
    import datetime as dt

    from cronsim import CronSim, CronSimError

    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(
            f"a schedule has 5 fields (minute hour day month weekday), not {len(fields)}"
        )
    fields[4] = ",".join(_SUNDAY_FIRST.sub(r"0-\1", p) for p in fields[4].split(","))
    expr = " ".join(fields)
    try:
        CronSim(expr, dt.datetime.now(dt.UTC))
    except CronSimError as exc:
        raise ValueError(str(exc)) from exc
    return expr


def cron_next(expr: str, timezone: Any, start: Any) -> Any:
    """The first time at or after ``start`` that ``expr`` (as ``cron_expr`` gives it)
    names, on ``timezone``'s clock (a time a clock change skips runs when the clock
    comes back to it), or None when none comes in 50 years."""
    import datetime as dt

    from cronsim import CronSim

    start = start.astimezone(timezone)
    # cronsim answers strictly after a whole second: from the second before ``start``
    times = CronSim(expr, start - dt.timedelta(seconds=1))
    try:
        found = next(times)
        while found < start:
            found = next(times)
    except StopIteration:
        return None
    return found


def cron_problem(expr: str) -> str | None:
    """Why ``expr`` is no schedule, or None, as the scheduler's own parser reads it (a
    plan, the Settings page and the environment are checked alike, so a bad schedule is
    refused where it is written instead of silently never running)."""
    try:
        cron_expr(expr)
    except ValueError as exc:
        return f"is not a cron expression ({exc})"
    return None


_HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def _is_host(value: str) -> bool:
    """A host name (labels of letters, digits and hyphens) or an IP address: "bad host"
    was stored, and every mail then failed at the next digest."""
    import ipaddress

    try:
        ipaddress.ip_address(value.removeprefix("[").removesuffix("]"))
        return True
    except ValueError:
        pass
    labels = value.removesuffix(".").split(".")
    return len(value) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in labels)


def _text_problem(name: str, value: str) -> str | None:
    """What is wrong with a text setting's value, or None."""
    if name.startswith("schedule."):
        return cron_problem(value)
    # every mail links to dashboard_url: only a web address, never javascript:
    web = value.startswith(("http://", "https://")) and not (
        has_control(value) or any(c.isspace() for c in value)
    )
    if name == "dashboard_url" and value and not web:
        return "is not a web address (http:// or https://, no spaces)"
    if name == "smtp.host" and value and not _is_host(value):
        return "is not a host name or address (smtp.example.com, 192.0.2.1; no spaces)"
    if name == "smtp.sender" and value:
        from email.utils import parseaddr

        if has_control(value) or "@" not in parseaddr(value)[1]:
            return "is not one email address (waypoint@example.com)"
    return None


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in [
        Setting(
            "on_track_pace",
            0.9,
            float,
            "Pace at or above which a KPI is on track.",
            bounds=(0.0, 1.0),
        ),
        Setting(
            "at_risk_pace",
            0.7,
            float,
            "Pace at or above which a KPI is at risk (below: off track).",
            bounds=(0.0, 1.0),
        ),
        Setting(
            "schedule.inbox_import", "*/5 * * * *", str, "Cron: import files dropped in the inbox."
        ),
        Setting(
            "schedule.weekly_digest",
            "0 8 * * mon",
            str,
            "Cron: mail last week's review to managers.",
        ),
        Setting(
            "schedule.checkin_reminders",
            "0 9 * * *",
            str,
            "Cron: remind owners whose check-in periods end tomorrow (made up while still on time).",
        ),
        Setting("schedule.nightly_backup", "30 2 * * *", str, "Cron: back up the database."),
        Setting("backup.keep", 7, int, "How many nightly backups to keep.", bounds=(1, 3650)),
        Setting(
            "smtp.host",
            "",
            str,
            "SMTP server for the digest and reminders: a host name or IP address, checked"
            " when stored (empty: mail is not sent).",
        ),
        Setting("smtp.port", 587, int, "SMTP port.", bounds=(1, 65535)),
        Setting("smtp.starttls", True, bool, "Use STARTTLS (certificate verified)."),
        Setting("smtp.ssl", False, bool, "Use implicit TLS (port 465) instead of STARTTLS."),
        Setting("smtp.user", "", str, "SMTP user name."),
        Setting(
            "smtp.password",
            "",
            str,
            "SMTP password (environment only: WAYPOINT_SMTP_PASSWORD).",
            secret=True,
        ),
        Setting("smtp.sender", "waypoint@localhost", str, "From address of Waypoint's mail."),
        Setting(
            "smtp.ca_file",
            "",
            str,
            "CA bundle that signs the SMTP server's certificate, when it is not a public CA"
            " (environment only).",
            secret=True,
        ),
        Setting(
            "smtp.allow_plain_auth",
            False,
            bool,
            "Allow sending the password without TLS (environment only; a local relay).",
            secret=True,
        ),
        Setting("dashboard_url", "http://localhost:8501", str, "Link used in emails."),
        Setting(
            "upload.max_mb",
            50,
            int,
            "Largest file the dashboard accepts for import, in MB.",
            bounds=(1, 2000),
        ),
        Setting(
            "data_dir",
            "",
            str,
            "Folder for inbox/, reports/ and backups/ (default: the database's folder).",
        ),
    ]
}


def workspace_currency(con: Any) -> str:
    """The workspace's currency (ISO 4217), read on an open connection: USD before a plan
    names one."""
    row = con.execute("SELECT currency FROM workspace").fetchall()
    return (row[0][0] if row and row[0][0] else "USD").upper()


def is_private_setting(name: str) -> bool:
    """A setting only managers read: the mail server's (its name, port, user, sender);
    assistants' and viewers' plan exports and audit log leave them out."""
    return name.startswith("smtp.")


def get_setting(name: str, stored: dict[str, str] | None = None, *, override: Any = None) -> Any:
    """Resolve one setting by precedence; raises BadInput for an unknown name."""
    setting = SETTINGS.get(name)
    if setting is None:
        raise BadInput(f"unknown setting {name!r}; known: {', '.join(sorted(SETTINGS))}")
    if override is not None:
        return setting.parse(override)
    env = os.environ.get(setting.env_var)
    if env is not None:
        return setting.parse(env)
    if not setting.secret and stored and name in stored:
        return setting.parse(stored[name])
    return setting.default


def pace_order_problem(on_track: float, at_risk: float) -> str | None:
    """Why two pace thresholds cannot stand together, or None: a KPI is at risk below the
    on-track pace, so at_risk_pace must not exceed on_track_pace (each within bounds is
    not enough; the pair decides every status)."""
    if at_risk > on_track:
        return (
            f"at_risk_pace ({at_risk:g}) is above on_track_pace ({on_track:g}); a KPI is at"
            " risk below the on-track pace, so at_risk_pace must not exceed it"
        )
    return None


def environment_override(name: str) -> tuple[str, str] | None:
    """(variable, its text) when the server's environment sets setting ``name``: the
    value in effect, whatever the workspace stores (``get_setting``'s precedence). A
    form that edits the stored value says so, or a manager saves a change that does
    nothing until the variable is unset."""
    var = SETTINGS[name].env_var
    value = os.environ.get(var)
    return (var, value) if value is not None else None


def stored_setting(name: str, stored: dict[str, str]) -> Any:
    """The value the workspace holds (or the default), the environment left out: what a
    form edits, so saving it never copies an environment override into the database."""
    setting = SETTINGS[name]
    return setting.parse(stored[name]) if name in stored else setting.default


def validate_stored(name: str, raw: Any, *, folder: Path | None = None) -> str:
    """Check a value before it is stored; returns its text form. ``folder``: the
    database's folder, when the caller knows it (an absolute data_dir is checked
    against it)."""
    setting = SETTINGS.get(name)
    if setting is None:
        raise BadInput(f"unknown setting {name!r}; known: {', '.join(sorted(SETTINGS))}")
    if setting.secret:
        raise BadInput(f"setting {name} is a secret: set {setting.env_var} in the environment")
    value = setting.parse(raw)
    if name == "data_dir" and value:
        _inside_the_database_folder(str(value), folder)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _inside_the_database_folder(path: str, folder: Path | None) -> None:
    """A stored data_dir is a folder inside the database's folder: refused when stored,
    not first noticed when every file job fails (the jobs check the resolved folder
    again, which also catches a symlink leading out). A relative path may not climb out
    with `..`; an absolute one is checked against ``folder`` when it is known."""
    normal = os.path.normpath(path)
    if os.path.isabs(path):
        outside = folder is not None and not Path(path).resolve().is_relative_to(folder.resolve())
    else:
        outside = normal == ".." or normal.startswith(".." + os.sep)
    if outside:
        raise BadInput(
            f"setting data_dir: {path!r} is outside the database's folder; give a folder"
            " inside it, relative to it (e.g. 'data'), or set WAYPOINT_DATA_DIR in the"
            " environment to go elsewhere"
        )


def settings_table() -> str:
    """docs/settings.md's table, generated from this registry (`cog -r docs/settings.md`)."""
    lines = [
        "| setting | environment | default | allowed | what it does |",
        "| --- | --- | --- | --- | --- |",
    ]
    for s in SETTINGS.values():
        default = "(empty)" if s.default == "" else str(s.default).lower()
        allowed = f"{s.bounds[0]:g} to {s.bounds[1]:g}" if s.bounds else s.type.__name__
        where = " Environment only." if s.secret and "nvironment only" not in s.help else ""
        lines.append(f"| `{s.name}` | `{s.env_var}` | `{default}` | {allowed} | {s.help}{where} |")
    return "\n".join(lines) + "\n"
