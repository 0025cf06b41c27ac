"""Waypoint's dashboard: `waypoint serve` runs `streamlit run dashboard/app.py`.

Who you are decides which pages exist (st.navigation); the services in tracker/ check
the role again on every write, so a hidden page is never the only protection.
"""

from __future__ import annotations

import inspect
import sys
from contextlib import ExitStack
from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the project root.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard import state, ui  # noqa: E402
from dashboard.navigation import PAGES as ALL_PAGES  # noqa: E402
from dashboard.navigation import pages_for  # noqa: E402
from tracker.errors import WaypointError  # noqa: E402
from tracker.records import Actor  # noqa: E402

PAGES = Path(__file__).parent / "app_pages"
OUTSIDE = {spec.name for spec in ALL_PAGES if spec.works_outside}

st.set_page_config(page_title="Waypoint", page_icon=":material/explore:", layout="wide")


def page(name: str, title: str, icon: str, default: bool = False) -> st.Page:
    # The default page is served at "/"; its own path must not take "/summary" from
    # the alias below.
    path = f"{name}-home" if default else name
    return st.Page(PAGES / f"{name}.py", title=title, icon=icon, url_path=path, default=default)


def summary_alias() -> list[st.Page]:
    """`/summary` opens the Summary too (the default page lives at `/`, and links or
    bookmarks to /summary showed "Page not found"). Hidden from the menu; Streamlit
    before 1.55 cannot hide a page, so there the alias is left out."""
    if "visibility" not in inspect.signature(st.Page).parameters:
        return []
    return [
        st.Page(
            PAGES / "summary.py",
            title="Summary",
            url_path="summary",
            visibility="hidden",  # type: ignore[call-arg]
        )
    ]


def sign_in_page() -> None:
    st.title(":material/explore: Waypoint")
    st.write("Sign in with your work account to see your workspace.")
    if st.button("Sign in", type="primary", key="auth_sign_in"):
        st.login()


def refused_page() -> None:
    st.title(":material/explore: Waypoint")
    email = getattr(st.user, "email", "this account")
    from tracker.report import md_escape

    st.error(
        f"{md_escape(str(email))} is not a member of this workspace. Ask a manager to add you to the plan"
        " (people, with this email), then sign in again."
    )
    if st.button("Sign out", key="auth_refused_sign_out"):
        st.logout()


def main() -> None:
    # The database file is opened once per rerun and held until the page is drawn: every
    # open costs about 30 ms (DuckDB reads the catalog), and a rerun used to open it three
    # or four times (the actor, the revision, each page section). It is still released
    # between reruns, so an idle dashboard never blocks the CLI or the scheduler, and
    # before a page that works outside the database (navigation.PageSpec.works_outside).
    with ExitStack() as held:
        try:
            held.enter_context(state.store().session())
            actor = state.current_actor()
        except WaypointError as exc:
            st.error(str(exc).replace("[", "\\[").replace("<", "\\<"))
            st.stop()
        current = _navigate(actor)
        if current.url_path in OUTSIDE:
            held.close()
        ui.show_flash()
        try:
            current.run()
        except WaypointError as exc:
            # a refusal that reaches a page's reads (settings the environment crossed, a
            # database another version wrote) is said in words: serve hides tracebacks,
            # which would leave the person an error without its message
            st.error(ui.text(str(exc)))


def _navigate(actor: Actor | None) -> StreamlitPage:
    """The page this rerun shows (st.navigation's answer), the menu and sidebar drawn."""
    if actor is None:
        signed_in = state.auth_configured() and st.user.get("is_logged_in", False)
        return st.navigation(
            [st.Page(refused_page if signed_in else sign_in_page, title="Sign in")],
            position="hidden",
        )
    st.session_state["actor"] = actor
    role = actor.role
    sections = {
        section: [page(s.name, s.title, s.icon, default=s.name == "summary") for s in specs]
        for section, specs in pages_for(role).items()
    }
    sections["Review"] += summary_alias()
    with st.sidebar:
        if state.auth_configured():
            st.caption(f"Signed in as {ui.text(actor.name)} ({role})")
            if st.button("Sign out", key="auth_sign_out"):
                st.logout()
        else:
            who = "the workspace's manager" if role == "manager" else f"previewing as {role}"
            st.caption(
                f"Local single-user mode: you are {ui.text(actor.name)}, {who}. Configure sign-in"
                " in .streamlit/secrets.toml (docs/auth.md)."
            )
    current = st.navigation(sections)
    # Assistants land on My week. Not by making it the default page: a default page has
    # no URL of its own, and reminder mails link to /my_week.
    if role == "assistant" and current.url_path == "" and "landed" not in st.session_state:
        st.session_state["landed"] = True
        st.switch_page(sections["Work"][0])  # My week
    st.session_state["landed"] = True
    return current


main()
