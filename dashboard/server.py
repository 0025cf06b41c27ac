"""`python -m dashboard.server run APP [flags]`: Streamlit's own command line, started
after loading what the pages draw with.

Streamlit runs page scripts in the server process, so the first visitor of a fresh
server waits while the script imports Plotly, pandas, DuckDB and the tracker services
(about a second on this project's machine, before the title shows). Importing them
here, before the server listens, moves that wait to start-up, where nobody is looking
at a blank page. Nothing else changes: the arguments go to Streamlit untouched.
"""

from __future__ import annotations

import logging
import sys


def preload() -> None:
    """The modules the Summary (the page everyone opens first) and its services use, and
    the one-time work of their first use (measured with cProfile on a cold server's first
    visit: 0.33 s importing the plan models and pydantic, 0.23 s building Plotly's layout
    validators, 0.15 s in Streamlit's check for a bare `python app.py` run)."""
    import pandas  # noqa: F401
    import streamlit.delta_generator
    import streamlit.elements.plotly_chart  # noqa: F401

    import charts

    # The pages' cached functions are declared here, before Streamlit's runtime exists:
    # Streamlit then warns "No runtime found, using MemoryCacheStorageManager", which
    # reads like a fault in the start-up output. The runtime that starts next serves
    # them as usual, so the one warning is not shown.
    caching = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    level = caching.level
    caching.setLevel(logging.ERROR)
    try:
        import dashboard.state  # noqa: F401
        import dashboard.ui  # noqa: F401
    finally:
        caching.setLevel(level)
    import tracker.checkins  # noqa: F401
    import tracker.plan  # noqa: F401  (the plan models: who is using the dashboard)
    import tracker.progress  # noqa: F401
    import tracker.report  # noqa: F401
    import tracker.vanity  # noqa: F401

    charts.progress_bars([])  # Plotly builds each property validator on first use
    # Streamlit warns, once per process, when a script is run without `streamlit run`;
    # finding out walks the whole stack reading every frame's source file. This process
    # is `streamlit run`, so the answer is known: the flag says the check was done.
    streamlit.delta_generator._use_warning_has_been_displayed = True  # noqa: SLF001


def main() -> None:
    preload()
    from streamlit.web.cli import main as streamlit_main

    sys.argv = ["streamlit", *sys.argv[1:]]
    streamlit_main()


if __name__ == "__main__":
    main()
