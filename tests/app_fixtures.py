"""Helpers shared by the tests that run the app's pages or its command line.

- `use_database(url)`: the app's database is `url` (NTM_DATABASE_URL) with Streamlit's caches
  emptied (they outlive an AppTest); both restored afterwards. Use it with `yield from` in a
  fixture.
- `no_exception(at)`: an AppTest run raised nothing (the message lists what it raised).
- `ntm(*args)`: the `ntm` command run as a subprocess from the repository root.
- `duong_quang_demo(folder)`: the demo as it was before the merger of 1 Jul 2025 (Dương Quang's
  2021-2025 returns, Dương Quang a commune in its own right), for tests of one commune's five
  years on the pages; `seeded_with(folder)`: the app seeds from it (`ntm.demo.folder`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from ntm import demo

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
PREDECESSOR = "Dương Quang"


def duong_quang_demo(folder: Path) -> Path:
    """`folder` filled with Dương Quang's demo returns and its profile without the merger (the
    app lists only communes that exist today: a merged commune is shown within its successor)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(DEMO.glob("duong-quang-*.xlsx")):
        shutil.copy(path, folder / path.name)
    entries = yaml.safe_load((DEMO / "communes.yaml").read_text(encoding="utf-8"))
    own = [e for e in entries if e["name"] == PREDECESSOR]
    for entry in own:
        entry.pop("merged_into", None)
        entry.pop("valid_to", None)
    text = yaml.safe_dump(own, allow_unicode=True, sort_keys=False)
    (folder / "communes.yaml").write_text(text, encoding="utf-8")
    return folder


@contextlib.contextmanager
def seeded_with(folder: Path) -> Iterator[Path]:
    """The app's first use seeds the demo from `folder`."""
    with mock.patch.object(demo, "folder", lambda: folder):
        yield folder


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
