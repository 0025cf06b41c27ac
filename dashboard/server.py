"""`python -m dashboard.server run APP [flags]`: Streamlit's own command line, started
after loading what the pages draw with.

Streamlit runs page scripts in the server process, so the first visitor of a fresh
server waits while the script imports Plotly, pandas, DuckDB and the tracker services
(about a second on this project's machine, before the title shows). Importing them
here, before the server listens, moves that wait to start-up, where nobody is looking
at a blank page. Nothing else changes: the arguments go to Streamlit untouched.
"""

from __future__ import annotations

import sys


def preload() -> None:
    """The modules the Summary (the page everyone opens first) and its services use."""
    import pandas  # noqa: F401
    import streamlit.elements.plotly_chart  # noqa: F401

    import charts  # noqa: F401  (Plotly's figure factory)
    import dashboard.state  # noqa: F401
    import dashboard.ui  # noqa: F401
    import tracker.checkins  # noqa: F401
    import tracker.progress  # noqa: F401
    import tracker.report  # noqa: F401
    import tracker.vanity  # noqa: F401


def main() -> None:
    preload()
    from streamlit.web.cli import main as streamlit_main

    sys.argv = ["streamlit", *sys.argv[1:]]
    streamlit_main()


if __name__ == "__main__":
    main()
