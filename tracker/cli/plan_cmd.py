"""plan apply / plan export."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import click

from tracker.cli.common import (
    AppContext,
    as_option,
    dry_run_store,
    echo,
    pass_app,
    write_output,
)

if TYPE_CHECKING:
    from tracker.models import Plan
    from tracker.store import Store

SHOW = 50  # items listed one by one; a 10,000-KPI plan gets a summary


@click.group("plan")
def plan_group() -> None:
    """Plan as code: the workspace, people, metrics, objectives, campaigns and KPIs."""


@plan_group.command("apply")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
@click.option(
    "--yes",
    is_flag=True,
    help="Apply even if it sets back changes made since the file's export, or archives a"
    " section the file leaves out.",
)
@click.option(
    "--prune", is_flag=True, help="Also archive metrics the file leaves out that hold values."
)
@as_option
@pass_app
def apply_cmd(app: AppContext, file: str, dry_run: bool, yes: bool, prune: bool) -> None:
    """Validate FILE whole and apply it in one transaction (one change `undo` takes back).

    A file exported before later changes lists what it would set back and asks first
    (or needs --yes); metrics that hold values stay unless --prune.
    """
    from tracker.plan import read_plan_file, validate_plan

    data, source = read_plan_file(file)
    plan = validate_plan(data, source)  # before touching the database at all
    sections = set(data) if isinstance(data, dict) else None
    with dry_run_store(app.store, dry_run) as store:
        _apply(app, store, plan, source, sections, dry_run=dry_run, yes=yes, prune=prune)


def _apply(
    app: AppContext,
    store: Store,
    plan: Plan,
    source: str,
    sections: set[str] | None,
    *,
    dry_run: bool,
    yes: bool,
    prune: bool,
) -> None:
    from tracker.cli.common import ask
    from tracker.permissions import resolve_actor
    from tracker.plan import NeedsConfirmation, apply_plan

    with store.session():
        actor = resolve_actor(store, app.as_person)
        apply = functools.partial(
            apply_plan,
            store,
            plan,
            actor,
            dry_run=dry_run,
            sections=sections,
            prune=prune,
            source=source,
        )
        try:
            changes = apply(confirm=yes)
        except NeedsConfirmation as exc:
            if dry_run:  # nothing is written: say what it would need, and show it all
                echo(f"Note: {exc} A real apply asks first (or needs --yes).", err=True)
            else:
                ask(str(exc), "Apply it anyway?")
            changes = apply(confirm=True)
    verb = "Would apply" if dry_run else "Applied"
    tail = (
        f" (change {changes.change}; `waypoint undo {changes.change}` takes it back)"
        if changes.change
        else ""
    )
    echo(f"{verb} {source}: {changes.summary()}.{tail}")
    listed = [
        (label, item)
        for label, items in (
            ("create", changes.created),
            ("update", changes.updated),
            ("archive", changes.archived),
            ("keep", changes.kept),
        )
        for item in items
    ]
    for label, item in listed[:SHOW]:
        fields = changes.changed_fields.get(item) if label == "update" else None
        echo(f"  {label} {item}" + (f" ({', '.join(fields)})" if fields else ""))
    if len(listed) > SHOW:
        echo(f"  ... and {len(listed) - SHOW:,} more")
    for note in changes.notes:
        echo(f"Note: {note}.")


@plan_group.command("export")
@click.option("--out", type=click.Path(), metavar="FILE", help="Write to FILE instead of stdout.")
@as_option
@pass_app
def export_cmd(app: AppContext, out: str | None) -> None:
    """Write the stored plan as YAML (export -> apply changes nothing). For anyone but a
    manager, people's emails, hourly rates and sign-in pins are left out."""
    from tracker.plan import export_plan

    app.require_database()  # an export of a mistyped --db is no empty plan
    text = export_plan(app.store, app.actor())
    if out:
        write_output(out, text, app.store, "the plan")
    else:
        echo(text, nl=False)
