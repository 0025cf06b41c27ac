"""The ``waypoint`` command line: a thin layer over tracker's services.

Commands live in small modules and are imported only when run, so ``waypoint --help``
and quick commands start fast. Errors: a ``WaypointError`` prints its message on
stderr and exits with its code (2 for bad input, 1 otherwise); click's usage errors
exit 2; anything unexpected prints one line (no traceback unless WAYPOINT_DEBUG=1)
and exits 1.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

# command name -> "module:attribute" (modules under tracker.cli)
COMMANDS: dict[str, str] = {
    "init": "core:init_cmd",
    "demo": "core:demo_cmd",
    "plan": "plan_cmd:plan_group",
    "log": "values_cmd:log_cmd",
    "values": "values_cmd:values_cmd",
    "delete": "values_cmd:delete_cmd",
    "undo": "values_cmd:undo_cmd",
    "redo": "values_cmd:redo_cmd",
    "changes": "values_cmd:changes_cmd",
    "check": "core:check_cmd",
    "import": "import_cmd:import_cmd",
    "status": "status_cmd:status_cmd",
    "audit": "audit_cmd:audit_cmd",
    "acknowledge": "audit_cmd:acknowledge_cmd",
    "impact": "impact_cmd:impact_cmd",
    "checkins": "checkin_cmd:checkins_cmd",
    "checkin": "checkin_cmd:checkin_cmd",
    "audit-log": "core:audit_log_cmd",
    "report": "report_cmd:report_group",
    "serve": "serve_cmd:serve_cmd",
    "jobs": "jobs_cmd:jobs_group",
    "export": "core:export_cmd",
    "backup": "core:backup_cmd",
    "restore": "core:restore_cmd",
}
# Commands that need a database that exists (they read, or change what is stored): run
# on a file that does not exist (a mistyped --db), they say so instead of creating an
# empty one. Only init, demo, plan apply, import, log, serve and restore create one
# (`plan export` checks for itself: `plan apply` is in the same group).
READS = {
    "undo",
    "redo",
    "delete",
    "acknowledge",
    "checkin",
    "jobs",
    "values",
    "changes",
    "check",
    "status",
    "audit",
    "impact",
    "checkins",
    "audit-log",
    "report",
    "export",
    "backup",
}


class Failure(click.ClickException):
    """A Waypoint error or an unexpected one, shown as one line with its exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        # click declares exit_code on the class; a per-instance code is how we use it.
        self.exit_code = exit_code  # type: ignore[misc]

    def show(self, file: object = None) -> None:
        from tracker.text import terminal_text

        click.echo(terminal_text(f"Error: {self.format_message()}"), err=True)


class Text(click.types.StringParamType):
    """Text typed on the command line: refused when its bytes are not UTF-8 (a Latin-1
    terminal, a pasted byte), which reached the database as DuckDB's "cannot encode"
    error, exit 1. Paths keep their type (click.Path): a file may have any name."""

    name = "text"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        from tracker.text import not_utf8, terminal_text

        text = super().convert(value, param, ctx)
        if not_utf8(text):
            self.fail(
                f"{terminal_text(text)!r} is not UTF-8 text (a '?' is a byte in another"
                " encoding); type it again in a UTF-8 terminal",
                param,
                ctx,
            )
        return text


TEXT = Text()


def text_params(command: click.Command) -> click.Command:
    """``command`` with every plain-text option and argument (its subcommands' too)
    of type TEXT: one rule for every command, those added later included."""
    for param in command.params:
        if type(param.type) is click.types.StringParamType:
            param.type = TEXT
    if isinstance(command, click.Group) and not isinstance(command, LazyGroup):
        for sub in command.commands.values():
            text_params(sub)
    return command


class LazyGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # the group's own options (--db a folder, --as without a name) are refused here,
        # before any command runs: a --json run still owes its document
        from tracker.cli.common import JsonRun, emit_error_json

        JsonRun.wanted = JsonRun.emitted = False  # one run's (tests run many in one process)
        asked_json = "--json" in args
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if asked_json:
                JsonRun.wanted = True
                emit_error_json(exc.format_message(), exc.exit_code)
            raise

    def invoke(self, ctx: click.Context) -> object:
        from tracker.errors import WaypointError

        # the command's own words, before click parses them: a --json run whose option
        # click refuses (`--limit 0`) still owes its document
        asked_json = "--json" in [*getattr(ctx, "_protected_args", []), *ctx.args]
        try:
            return super().invoke(ctx)
        except WaypointError as exc:
            from tracker.cli.common import emit_error_json

            emit_error_json(str(exc), exc.exit_code)
            raise Failure(str(exc), exc.exit_code) from exc
        except click.UsageError as exc:
            from tracker.cli.common import JsonRun, emit_error_json

            if asked_json:
                JsonRun.wanted = True
                emit_error_json(exc.format_message(), exc.exit_code)
            raise
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except (KeyboardInterrupt, BrokenPipeError):
            raise
        except OSError as exc:
            import errno

            from tracker.errors import is_disk_full

            full = is_disk_full(exc)  # stdout sent to a full disk, say
            if exc.errno != errno.ENAMETOOLONG and not full or os.environ.get("WAYPOINT_DEBUG"):
                raise self._unexpected(exc) from exc
            from tracker.cli.common import emit_error_json
            from tracker.text import file_label

            where = file_label(str(exc.filename or "the output"))
            if full:  # an --out on a full disk (or /dev/full): said as the database says it
                message = (
                    f"The disk is full: {where} was not written. Free some space and try again"
                )
                emit_error_json(message, 1)
                raise Failure(message, 1) from exc
            # a path given on the command line that no file system can hold: bad input
            message = f"{where}: the name is too long for a file"
            emit_error_json(message, 2)
            raise Failure(message, 2) from exc
        except Exception as exc:
            raise self._unexpected(exc) from exc

    @staticmethod
    def _unexpected(exc: Exception) -> Exception:
        """An error no command expected: shown in one line with exit 1 (the error itself
        with WAYPOINT_DEBUG set, for its traceback)."""
        if os.environ.get("WAYPOINT_DEBUG"):
            return exc
        from tracker.cli.common import emit_error_json

        emit_error_json(f"unexpected {type(exc).__name__}: {exc}", 1)
        return Failure(f"unexpected {type(exc).__name__}: {exc}", 1)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(f"tracker.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"tracker.cli.{module_name}":
                return None  # not built yet
            raise
        return text_params(getattr(module, attr))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    envvar="WAYPOINT_DB",
    help="Database file (default: $WAYPOINT_DB, else data/waypoint.duckdb).",
)
@click.option(
    "--as", "as_person", type=TEXT, metavar="PERSON", help="Act as this person, with their role."
)
@click.version_option(package_name="waypoint")
@click.pass_context
def cli(ctx: click.Context, db: str | None, as_person: str | None) -> None:
    """Waypoint: decide what you want to accomplish, then track whether you are."""
    from tracker.cli.common import AppContext

    ctx.obj = AppContext(db=db, as_person=as_person)
    ctx.obj.reads_only = ctx.invoked_subcommand in READS


def main(argv: list[str] | None = None) -> None:
    """The ``waypoint`` entry point: exit 0, 2 for bad input, 1 for anything else."""
    try:
        cli.main(args=argv, prog_name="waypoint", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # the reader stopped early (`waypoint audit-log | head`): no message, exit 1 as
        # the rich tables do; stdout goes nowhere so Python's flush at exit stays quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
