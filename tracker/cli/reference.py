"""The command reference in docs/cli.md, generated from the commands themselves (cog).

`cog -r docs/cli.md` rewrites the table; a test runs `cog --check` so the page can never
drift from what `waypoint COMMAND --help` says.
"""

from __future__ import annotations

import re

import click

from tracker.cli import COMMANDS, cli


def _rows(ctx: click.Context, name: str, command: click.Command) -> list[tuple[str, str]]:
    if isinstance(command, click.Group):
        rows: list[tuple[str, str]] = []
        for sub in command.list_commands(ctx):
            sub_command = command.get_command(ctx, sub)
            if sub_command is not None and not sub_command.hidden:
                rows += _rows(ctx, f"{name} {sub}", sub_command)
        return rows
    sub_ctx = click.Context(command, info_name=name, parent=ctx)
    usage = " ".join(command.collect_usage_pieces(sub_ctx))
    usage = usage.replace("[OPTIONS]", "").strip()
    options = [
        _option(p, sub_ctx)
        for p in command.params
        if isinstance(p, click.Option) and not p.hidden and p.opts[0] not in ("--help", "-h")
    ]
    synopsis = " ".join(part for part in (f"waypoint {name}", usage, *options) if part)
    return [(synopsis, purpose(command))]


def _option(option: click.Option, ctx: click.Context) -> str:
    """``[--note TEXT]``; a required option (checkin's ``--confidence``, acknowledge's
    ``--reason``) without the brackets that say "optional"."""
    text = option.opts[0]
    if not (option.is_flag or option.count):
        text += f" {option.make_metavar(ctx)}"
    return text if option.required else f"[{text}]"


def purpose(command: click.Command) -> str:
    """The first sentence of a command's help (click's own short help differs between
    versions: 8.2 cut "(e.g. ...)" in half)."""
    if command.short_help:
        return command.short_help
    paragraph = " ".join((command.help or "").strip().split("\n\n")[0].split())
    match = re.search(r"(?<!e\.g)(?<!i\.e)\.(\s|$)", paragraph)
    return paragraph[: match.start() + 1] if match else paragraph


def command_table() -> str:
    """A Markdown table: one row per command (and sub-command), its synopsis and purpose."""
    ctx = click.Context(cli, info_name="waypoint")
    lines = ["| command | does |", "| --- | --- |"]
    for name in sorted(COMMANDS):
        command = cli.get_command(ctx, name)
        if command is None:
            continue
        for synopsis, purpose in _rows(ctx, name, command):
            cells = [synopsis.replace("|", "\\|"), purpose.replace("|", "\\|")]
            lines.append(f"| `{cells[0]}` | {cells[1]} |")
    return "\n".join(lines) + "\n"
