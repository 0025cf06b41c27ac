"""log, values, delete, undo, redo, changes: entries and taking changes back."""

from __future__ import annotations

from typing import Any

import click

from tracker.cli.common import (
    AppContext,
    as_option,
    ask,
    echo,
    emit_json,
    json_option,
    limit_option,
    parse_day,
    pass_app,
)


def _num(value: float | None) -> str:
    """A stored value as typed: six significant digits (10.25 h stays 10.25, not 10.2)."""
    from tracker.formats import number

    return number(value, 6)


class PlainNumber(click.ParamType):
    """A number as people write it (4, 2.5, -5, 1e3): not Python's 1_000 nor "nan"."""

    name = "number"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, float):
            return value
        text = str(value).strip()
        try:
            if "_" in text:
                raise ValueError
            return float(text)
        except ValueError:
            self.fail(f"{text!r} is not a number (write it like 4, 2.5 or -5)", param, ctx)


# A negative VALUE (`log net-subs -5`) is a value, not an unknown option.
@click.command("log", context_settings={"ignore_unknown_options": True})
@click.argument("metric")
@click.argument("value", type=PlainNumber())
@click.option("--day", metavar="DAY", help="Day of the value (default: today, workspace time).")
@click.option(
    "--set",
    "replace",
    is_flag=True,
    help="Replace the day's manual value instead of adding an entry to it.",
)
@click.option(
    "--for",
    "for_person",
    metavar="PERSON",
    help="Whose hours or work it is (default: you); a manager may log for others.",
)
@click.option("--by", "by_person", metavar="PERSON", hidden=True)
@click.option("--note", metavar="TEXT", help="A short note kept with the entry.")
@click.option("--yes", is_flag=True, help="Store an unusual value without asking.")
@json_option
@as_option
@pass_app
def log_cmd(
    app: AppContext,
    metric: str,
    value: float,
    day: str | None,
    replace: bool,
    for_person: str | None,
    by_person: str | None,
    note: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Record one entry: VALUE of METRIC.

    For a flow metric (leads, hours) the day's manual value is the sum of its entries:
    logging 2 in the morning and 1 in the afternoon makes 3. For a stock metric
    (followers) the latest entry counts. --set replaces the day's manual value instead.
    Refused (exit 2): a future day, a negative value where the metric does not allow
    it, and an unusual value (more than 10 times the largest daily value of the last 8
    weeks) unless you confirm it or give --yes. `waypoint undo` takes the entry back.
    """
    from tracker.checks import OutlierNeedsConfirmation
    from tracker.cli.common import ask
    from tracker.entries import log_entry

    store = app.store
    with store.session():
        actor = app.actor()
        kwargs: dict[str, Any] = dict(
            day=parse_day(day),
            mode="set" if replace else "add",
            for_person=for_person or by_person,
            note=note,
        )
        try:
            result = log_entry(store, actor, metric, value, confirm_outlier=yes, **kwargs)
        except OutlierNeedsConfirmation as exc:
            ask(str(exc), "Store it anyway?")
            result = log_entry(store, actor, metric, value, confirm_outlier=True, **kwargs)
    if as_json:
        emit_json(result.as_dict())
        return
    verb = "Set" if result.mode == "set" else "Logged"
    # a flow entry adds to its day (+2); a stock entry is the level itself
    sign = "" if result.mode == "set" or value < 0 or result.behaviour == "stock" else "+"
    echo(
        f"{verb} {result.name} {sign}{_num(result.value)} on {result.day}"
        f" (entry {result.entry}, change {result.change})."
    )
    parts = [f"The day's manual value is {_num(result.day_manual)}"]
    if result.day_value is not None and result.day_value != result.day_manual:
        parts.append(f"with every source the day counts {_num(result.day_value)}")
    echo("; ".join(parts) + ".")
    if result.replaced:
        gone = ", ".join(f"{_num(e.value)} (entry {e.id})" for e in result.replaced)
        echo(f"Replaced: {gone}.")
    if result.outlier:
        echo("Stored as an unusual value: the audit shows it until it is acknowledged.")
    for warning in result.warnings:
        echo(f"Warning: {warning}", err=True)
    echo(f"Take it back with `waypoint undo {result.change}`.")


@click.command("values")
@click.argument("metric")
@click.option("--from", "start", metavar="DAY", help="First day (default: all).")
@click.option("--to", "end", metavar="DAY", help="Last day (default: all).")
@json_option
@as_option
@pass_app
def values_cmd(
    app: AppContext, metric: str, start: str | None, end: str | None, as_json: bool
) -> None:
    """The stored values and entries of METRIC, each with its id, source, author and
    note, and the value each day counts. Delete one with `waypoint delete ID`."""
    from tracker.entries import metric_values

    data = metric_values(
        app.store,
        metric,
        parse_day(start, "--from", kept=False),
        parse_day(end, "--to", kept=False),
    )
    if as_json:
        emit_json(data.as_dict())
        return
    from rich.markup import escape
    from rich.table import Table

    from tracker.cli.common import console
    from tracker.clock import workspace_timezone
    from tracker.formats import local_stamp
    from tracker.names import people_names
    from tracker.records import LOCAL_MANAGER
    from tracker.text import printable

    counted = dict(data.days)
    people = people_names(app.store)
    zone = workspace_timezone(app.store)  # times on the workspace's clock, as everywhere
    table = Table(title=f"{escape(data.name)} ({escape(data.metric)})", title_justify="left")
    for col in (
        "id",
        "day",
        "value",
        "source",
        "by",
        "for",
        f"recorded ({zone})",
        "note",
        "day counts",
    ):
        table.add_column(col, justify="right" if col in ("id", "value", "day counts") else "left")
    last_day = None
    for e in data.entries:
        day_total = _num(counted.get(e.day)) if e.day != last_day else ""
        last_day = e.day
        table.add_row(
            str(e.id),
            e.day.isoformat(),
            _num(e.value),
            escape(e.source),
            # people by name; no author stored: the command line's local manager wrote it
            escape(
                people.get(e.recorded_by, e.recorded_by) if e.recorded_by else LOCAL_MANAGER.name
            ),
            escape(people.get(e.for_person, e.for_person) if e.for_person else "–")
            if e.for_person != e.recorded_by
            else "",
            local_stamp(e.recorded_at, zone),
            escape(printable(e.note)),
            day_total,
        )
    out = console()
    out.print(table)
    if not data.entries:
        # values outside the days asked for are not "none stored yet"
        between = " ".join(f"{word} {day}" for word, day in (("from", start), ("to", end)) if day)
        out.print(f"No values of {escape(data.name)} {between or 'stored yet'}.")


@click.command("delete")
@click.argument("ids", nargs=-1, required=True, type=click.IntRange(1, 2**63 - 1))
@as_option
@pass_app
def delete_cmd(app: AppContext, ids: tuple[int, ...]) -> None:
    """Delete stored values by ID (see `waypoint values METRIC`), as one change.

    Only the value's author or a manager may; `waypoint undo` brings them back.
    """
    from tracker.entries import delete_values

    store = app.store
    with store.session():
        change = delete_values(store, app.actor(), list(ids))
    n = len(set(ids))  # an id given twice is one value, deleted once
    echo(
        f"Deleted {n} value{'s' if n != 1 else ''} (change {change});"
        f" `waypoint undo {change}` brings {'them' if n != 1 else 'it'} back."
    )


@click.command("undo")
@click.argument("change", required=False, type=click.IntRange(1, 2**63 - 1))
@click.option("--yes", is_flag=True, help="Take back a plan apply without asking.")
@as_option
@pass_app
def undo_cmd(app: AppContext, change: int | None, yes: bool) -> None:
    """Take back CHANGE (default: your last change): an entry, a set, a deletion, a
    whole import or a plan apply. Its author or a manager may; `waypoint redo CHANGE`
    brings it back. See `waypoint changes` for the ids. Without CHANGE, a plan apply
    is taken back only after you confirm it (or with --yes)."""
    from tracker.changes import default_undo, undo

    store = app.store
    with store.session():
        actor = app.actor()
        if change is None and not yes:
            last = default_undo(store, actor)
            if last is not None and last.kind == "plan":
                # one keystroke must not archive a whole plan: named, or confirmed
                ask(
                    f"Your last change is a plan apply: change {last.id} ({last.summary})."
                    " Undoing it takes back every plan item it added or changed.",
                    f"Undo change {last.id}?",
                )
                change = last.id
        done = undo(store, actor, change)
    echo(f"Undone: {done.summary} (change {done.id}).")
    echo(f"Bring it back with `waypoint redo {done.target}`.")


@click.command("redo")
@click.argument("change", required=False, type=click.IntRange(1, 2**63 - 1))
@as_option
@pass_app
def redo_cmd(app: AppContext, change: int | None) -> None:
    """Bring back CHANGE after it was undone (default: your last undo)."""
    from tracker.changes import redo

    store = app.store
    with store.session():
        done = redo(store, app.actor(), change)
    echo(f"Redone: {done.summary} (change {done.id}).")


@click.command("changes")
@click.option("--mine", is_flag=True, help="Only the changes of the person acting (--as).")
@click.option("--metric", metavar="KEY", help="Only changes that touched this metric.")
@limit_option(30, "At most this many.")
@json_option
@as_option
@pass_app
def changes_cmd(
    app: AppContext,
    mine: bool,
    metric: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Recent changes that `waypoint undo` can take back, newest first."""
    from tracker.changes import list_changes

    store = app.store
    with store.session():
        acting = app.actor()  # an unknown --as is refused, --mine or not
        who = acting.key if mine else None
        rows = list_changes(store, actor=who, limit=limit, metric=metric)
    if as_json:
        emit_json({"changes": [c.as_dict() for c in rows]})
        return
    from rich.markup import escape
    from rich.table import Table

    from tracker.cli.common import console
    from tracker.clock import workspace_timezone
    from tracker.formats import local_stamp

    zone = workspace_timezone(store)  # times on the workspace's clock, as everywhere
    table = Table(title="Changes (newest first)", title_justify="left")
    for col in ("id", f"when ({zone})", "who", "what", "state"):
        table.add_column(col)
    for c in rows:
        state = "in effect" if c.in_effect else f"undone by {c.undone_by}"
        when = local_stamp(c.at, zone)
        table.add_row(str(c.id), when, escape(c.actor), escape(c.summary), state)
    console().print(table)
