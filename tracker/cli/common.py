"""What every command shares: the store, the acting person, options and output."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from tracker.errors import BadInput
from tracker.records import Actor
from tracker.store import Store

F = TypeVar("F", bound=Callable[..., Any])


def echo(message: str | None = None, *, err: bool = False, nl: bool = True) -> None:
    """click.echo for text that may hold what people typed or files carried (a metric
    named in a reject, a plan's field): no escape sequence reaches the terminal."""
    from tracker.text import terminal_text

    click.echo(None if message is None else terminal_text(message), err=err, nl=nl)


class AppContext:
    def __init__(self, db: str | None, as_person: str | None) -> None:
        self.db = db
        self.as_person = as_person
        self._store: Store | None = None
        # a command that only reads: a missing database file is a mistyped --db
        self.reads_only = False

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(
                self.db,
                on_wait=lambda msg: echo(msg, err=True),
                on_recover=lambda msg: echo(f"Note: {msg}", err=True),
            )
            if self.reads_only:
                self.require_database()
                if self.as_person is not None:
                    # an unknown --as is a typo, not the local manager's view
                    self.actor()
        return self._store

    def _no_database_yet(self) -> bool:
        path = self.store.path
        return str(path) != ":memory:" and not path.exists()

    def require_database(self) -> None:
        """A command that only reads refuses a database file that does not exist (a
        mistyped --db) instead of creating an empty one there."""
        path = self.store.path
        if self._no_database_yet():
            raise BadInput(
                f"no database at {path}; check --db (or $WAYPOINT_DB), or create one with"
                " `waypoint init` or `waypoint demo`"
            )

    def check_as(self) -> None:
        """``init`` and ``demo`` act as no one, but a ``--as`` naming no person of the
        workspace is a typo all the same: refused before anything is created."""
        if self.as_person is None:
            return
        if self._no_database_yet():
            from tracker.errors import NotFound

            raise NotFound(
                f"--as {self.as_person}: no such person: {self.store.path} holds no workspace yet"
                " (run the command without --as)"
            )
        self.actor()

    def actor(self) -> Actor:
        """The person acting: ``--as`` (before or after the command), else the local
        manager."""
        from tracker.permissions import resolve_actor

        return resolve_actor(self.store, self.as_person)


pass_app = click.make_pass_decorator(AppContext)


def _acting_as(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    app = ctx.find_object(AppContext)  # the group's; every command runs under it
    if value is not None and app is not None:  # after the command wins over before it
        app.as_person = value


def as_option(func: F) -> F:
    """``--as PERSON`` after the command, as before it: every command takes it, so
    ``waypoint status --as ben`` reads as ben (a reading command refuses an unknown
    name, and shows only what that role may see). ``app.actor()`` is the person."""
    return click.option(
        "--as",
        metavar="PERSON",
        help="Act as this person, with their role.",
        expose_value=False,
        callback=_acting_as,
    )(func)


class JsonRun:
    """Whether this run asked for --json and has written its document yet: a command
    that fails before writing one still owes the script its document (the error)."""

    wanted = False
    emitted = False


def _remember_json(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    JsonRun.wanted = JsonRun.wanted or bool(value)
    return value


def limit_option(default: int, help_text: str) -> Callable[[F], F]:
    """``--limit N``: at least 1 (a negative one reached the database as SQL's error)."""
    return click.option(
        "--limit",
        type=click.IntRange(1, 1_000_000),
        default=default,
        show_default=True,
        help=help_text,
    )


def json_option(func: F) -> F:
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="One JSON document on stdout.",
        callback=_remember_json,
    )(func)


def emit_error_json(message: str, exit_code: int) -> None:
    """The one document of a --json run that failed before it wrote its own:
    ``{"error": MESSAGE, "exit_code": N}`` (the message is on stderr as well)."""
    if JsonRun.wanted and not JsonRun.emitted:
        emit_json({"error": message, "exit_code": exit_code})


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(value: str | None, option: str = "--day", *, kept: bool = True) -> dt.date | None:
    """A day typed as YYYY-MM-DD; with ``kept`` (a day stored or judged: --day, --as-of)
    within the days Waypoint keeps, 1970 to 2100. A filter's bound (--from, --to,
    --since) may be any day: it only narrows what is stored.

    Only that form: Python also reads 2026-W49 (that week's Monday) and 20261201, and
    `log --day 2026-W49` meant "this week" logged on a Monday nobody chose; imports and
    plans refuse both. A day past 2100 (--as-of 9999-12-31) overflowed Python's dates
    in the audit and acknowledgements (exit 1)."""
    if value is None:
        return None
    from tracker.periods import FIRST_DAY, LAST_DAY

    try:
        if not _ISO_DAY.fullmatch(value):
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise BadInput(f"{option} {value!r}: not a date; use YYYY-MM-DD") from exc
    if kept and not FIRST_DAY <= day <= LAST_DAY:
        raise BadInput(f"{option} {value}: outside {FIRST_DAY} to {LAST_DAY}; check the date")
    return day


def parse_week(value: str | None) -> str | None:
    """``--week``: an ISO week such as ``2026-w5`` -> its label ``2026-W05``."""
    if value is None:
        return None
    from tracker.periods import Period, PeriodOutOfRange

    try:
        week = Period.parse(value)
    except PeriodOutOfRange as exc:
        raise BadInput(f"--week {value!r}: {exc.reason}") from exc
    except BadInput:
        week = None
    if week is None or week.kind != "week":
        raise BadInput(f"--week {value!r}: use an ISO week such as 2026-W05")
    return week.label


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "as_dict"):
        return value.as_dict()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def emit_json(data: Any) -> None:
    """Write one JSON document on stdout (NaN/inf never appear: they become null).

    No indentation: it would force json's pure-Python encoder (0.2 s for 1,000 KPIs).
    """
    try:
        text = json.dumps(data, default=_default, ensure_ascii=False, allow_nan=False)
    except ValueError:  # a NaN or infinity somewhere: walk the data once to null them
        text = json.dumps(_finite(data), default=_default, ensure_ascii=False)
    sys.stdout.write(text + "\n")
    JsonRun.emitted = True


def _finite(value: Any) -> Any:
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def ask(problem: str, question: str) -> None:
    """Ask on a terminal; without one, refuse (exit 2) and say to use --yes."""
    if sys.stdin.isatty() and sys.stderr.isatty():
        echo(problem, err=True)
        if click.confirm(question, default=False, err=True):
            return
        raise BadInput("Nothing was changed.")
    raise BadInput(f"{problem}\n(No terminal to ask: run again with --yes to go ahead.)")


def console() -> Any:
    """A rich console; wide enough for tables when the output is a pipe or a file."""
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 160)


def write_output(path: str, text: str, store: Store, what: str) -> None:
    """Write a command's --out FILE (tracker.outfiles: whole, never through a link, never
    the ``store``'s own database or log; a name that cannot be written is bad input
    naming it, exit 2) and say so."""
    from tracker.outfiles import write_atomically

    if path == "-":  # standard output, as for `export --out -`
        echo(text, nl=False)
        return
    write_atomically(
        path,
        lambda part: part.write_text(text, encoding="utf-8"),
        keep_off=store.own_files(),
    )
    say_wrote(f"{what} to {path}", path)


def say_wrote(what: str, path: str) -> None:
    """ "Wrote ..." after an --out; on stderr when the file itself went to a stream, so
    ``--out /dev/stdout > plan.yaml`` holds only the plan."""
    from tracker.outfiles import is_stream

    echo(f"Wrote {what}.", err=is_stream(path))


@contextmanager
def dry_run_store(store: Store, dry_run: bool) -> Iterator[Store]:
    """The database a command works on: ``store``, or for a dry run on a database that
    does not exist yet an empty one of its own, deleted after: a dry run writes nothing,
    not even the file it would create (a mistyped --db was left behind as a new, empty
    workspace)."""
    if not dry_run or store.path.exists():
        yield store
        return
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="waypoint-dry-run-") as folder:
        yield Store(Path(folder) / "new.duckdb")
