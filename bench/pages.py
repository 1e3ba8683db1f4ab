"""A screen's server-side time, cold and cached, next to Streamlit's own floor (issue 17).

A page runs headless under Streamlit's AppTest: its service calls, figure building and
rendering, with the session state a visitor would have (language, commune, year …).

- `measure_page(path, session, repeats)`: per repeat, the page cold (Streamlit's data caches
  cleared, as after any write: the figures kept by `ntm.ui.services.figure` go with them),
  then cached (the same page again), then the two floor pages: the medians in ms.
- The floors, measured in the same loop: `EMPTY_PAGE` (one line of text: what any page costs
  under AppTest) and `PLOTLY_PAGE` (a bare Streamlit page drawing one small plotly figure,
  built in the run as any page builds its figures). A page's ratio to them says what our code
  adds to what Streamlit and plotly cost anyway.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

EMPTY_PAGE = "import streamlit as st\nst.write('ok')\n"
PLOTLY_PAGE = (
    "import plotly.graph_objects as go\n"
    "import streamlit as st\n"
    "st.plotly_chart(go.Figure(go.Bar(x=['a', 'b', 'c'], y=[1, 3, 2])))\n"
)
Check = Callable[[Any], str | None]  # an AppTest after its run → what is wrong, or None


def _timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run_page(path: Path, session: Mapping[str, Any], check: Check | None = None) -> Any:
    """One headless run of the screen at `path` with `session` in its session state; raises
    on an exception in the page or when `check` says what is wrong."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(path), default_timeout=120)
    for key, value in session.items():
        at.session_state[key] = value
    at.run()
    if at.exception:
        raise RuntimeError(f"{path.name} failed: " + "; ".join(str(e.value) for e in at.exception))
    wrong = check(at) if check is not None else None
    if wrong:
        raise RuntimeError(f"{path.name}: {wrong}")
    return at


def run_script(script: str) -> None:
    """One headless run of a page given as text (the floors)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(script, default_timeout=120)
    at.run()
    if at.exception:
        raise RuntimeError("; ".join(str(e.value) for e in at.exception))


def measure_page(
    path: Path,
    session: Mapping[str, Any],
    repeats: int,
    check: Check | None = None,
    after_write: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Cold and cached ms of the screen at `path`, and of the floor pages, medians of
    `repeats` runs each (after one run of each: the process's first run opens the store).
    `after_write`: what else a write makes the page compute again, besides Streamlit's data
    caches (e.g. a resource kept per data version), dropped before each cold run."""
    import streamlit as st

    run_page(path, session, check)
    run_script(EMPTY_PAGE)
    run_script(PLOTLY_PAGE)
    cold, cached, empty, plotly = [], [], [], []
    for _ in range(repeats):
        st.cache_data.clear()
        if after_write is not None:
            after_write()
        cold.append(_timed(lambda: run_page(path, session, check)))
        cached.append(_timed(lambda: run_page(path, session, check)))
        empty.append(_timed(lambda: run_script(EMPTY_PAGE)))
        plotly.append(_timed(lambda: run_script(PLOTLY_PAGE)))

    def ms(xs: list[float]) -> float:
        return round(statistics.median(xs) * 1000, 1)

    return {
        "cold_ms": ms(cold),
        "cached_ms": ms(cached),
        "empty_page_ms": ms(empty),
        "plotly_page_ms": ms(plotly),
        # Median of the ratios of each repeat's runs (made one after the other: a shared
        # machine's load moves them together).
        "vs_empty_ratio": _ratio(cached, empty, 1),
        "vs_plotly_ratio": _ratio(cached, plotly, 2),
    }


def _ratio(ours: list[float], floor: list[float], digits: int) -> float:
    return round(statistics.median(a / b for a, b in zip(ours, floor, strict=True)), digits)
