"""waypoint serve [--port N] [--host H] [--demo] [--secrets FILE]: dashboard + scheduler."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from tracker.cli.common import AppContext, as_option, echo, pass_app

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def streamlit_args(app: Path, port: int, host: str, max_mb: int, secrets: str | None) -> list[str]:
    """The server flags Waypoint always runs with (tests check them)."""
    args = [
        sys.executable,
        "-m",
        "dashboard.server",  # Streamlit's command line, after preloading the pages' modules
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.address",
        host,
        "--server.headless",
        "true",
        "--server.enableXsrfProtection",
        "true",  # never off: uploads are writes
        "--server.maxUploadSize",
        str(max_mb),
        "--server.runOnSave",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.showErrorDetails",
        "none",  # no tracebacks in users' browsers
        "--client.toolbarMode",
        "minimal",
        # a table's own CSV download and copy keep a name typed as =HYPERLINK(...) a
        # formula for the spreadsheet that opens it; `waypoint export` neutralises them
        "--client.disableDataExport",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--theme.base",
        "light",
    ]
    if secrets:
        args += ["--secrets.files", str(Path(secrets).resolve())]
    return args


@click.command("serve")
@click.option("--port", type=click.IntRange(1, 65535), default=8501, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 for a LAN; set up sign-in first).",
)
@click.option(
    "--demo", is_flag=True, help="Load the demo workspace first if the database is empty."
)
@click.option(
    "--secrets",
    type=click.Path(),
    metavar="FILE",
    envvar="WAYPOINT_SECRETS",
    help="A secrets.toml with an [auth] section for sign-in (docs/auth.md).",
)
@click.option(
    "--no-auth",
    is_flag=True,
    help="Serve without sign-in on a non-loopback address (everyone is the manager).",
)
@click.option("--no-scheduler", is_flag=True, help="Run the dashboard without scheduled jobs.")
@as_option
@pass_app
def serve_cmd(
    app: AppContext,
    port: int,
    host: str,
    demo: bool,
    secrets: str | None,
    no_auth: bool,
    no_scheduler: bool,
) -> None:
    """Start the dashboard and the scheduler with one command."""
    from tracker.plan import stored_workspace
    from tracker.settings import get_setting
    from tracker.signin import sign_in_for_serve

    # Decided before anything starts: sign-in that was asked for and cannot work stops
    # here (exit 2) instead of letting every visitor in as the manager.
    sign_in = sign_in_for_serve(secrets, host, no_auth)
    store = app.store
    store.init()
    if demo and stored_workspace(store) is None:
        from tracker.demo import load_demo

        summary = load_demo(store)
        echo(f"Loaded the demo workspace {summary['workspace']!r} into {store.path}.")
    with store.read() as con:
        stored = dict(con.execute("SELECT name, value FROM settings").fetchall())
    max_mb = int(get_setting("upload.max_mb", stored))
    env = {
        **os.environ,
        "WAYPOINT_DB": str(store.path.resolve()),
        "WAYPOINT_AUTH": sign_in.mode,
        # Streamlit's lines reach a service's log (a file or pipe, not a terminal) as they
        # are printed, not when a buffer fills: a child killed after the stop's grace
        # period took its last lines with it
        "PYTHONUNBUFFERED": "1",
    }
    acting = None
    if app.as_person and sign_in.mode == "local":
        # `waypoint --as KEY serve`: preview the dashboard as that person (local mode only;
        # with sign-in, who you are comes from your sign-in, never from a flag).
        acting = app.actor()  # an unknown person stops here, with exit 2
        env["WAYPOINT_AS"] = app.as_person
    echo(f"Waypoint on http://{host}:{port}  (database {store.path}; Ctrl+C to stop)")
    echo(sign_in.banner(host, port, acting))
    secrets_file = str(sign_in.secrets) if sign_in.secrets else None
    # The scheduler runs here, in the serve process, from before the first request to
    # the end; Streamlit runs as a child that SIGTERM or Ctrl+C stops as well.
    from jobs.service import serve_with_jobs

    code = serve_with_jobs(
        streamlit_args(APP, port, host, max_mb, secrets_file),
        env,
        store.path,
        jobs=not no_scheduler,
        say=click.echo,
    )
    if code not in (0, -2, -15, 130, 143):
        raise SystemExit(code)
