"""Helpers shared by the tests that run the app's pages or its command line.

- `use_database(url)`: the app's database is `url` (NTM_DATABASE_URL) with Streamlit's caches
  emptied (they outlive an AppTest); both restored afterwards. Use it with `yield from` in a
  fixture.
- `no_exception(at)`: an AppTest run raised nothing (the message lists what it raised).
- `ntm(*args)`: the `ntm` command run as a subprocess from the repository root.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def use_database(url: str) -> Iterator[str]:
    before = os.environ.get("NTM_DATABASE_URL")
    os.environ["NTM_DATABASE_URL"] = url
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        yield url
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
        if before is None:
            os.environ.pop("NTM_DATABASE_URL", None)
        else:
            os.environ["NTM_DATABASE_URL"] = before


def no_exception(at: AppTest) -> None:
    assert not at.exception, "\n".join(str(e.value) for e in at.exception)


def ntm(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # type: ignore[call-overload]
        [sys.executable, "-m", "ntm.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        **kwargs,
    )
