"""A chart drawn through `services.figure` is built once and kept while Streamlit's data caches
hold (issue 17: building the figures was most of a cached Tổng quan run); it is built again
when the caches are cleared (every write clears them), and for other data or other framing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from app_fixtures import use_database

from ntm.ui import services
from ntm.ui.services import figures


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    figures.clear()
    yield from use_database(f"sqlite:///{tmp_path / 'ntm.db'}")
    figures.clear()


class Builder:
    """Counts its builds; each build is a new object, as a plotly figure would be."""

    def __init__(self) -> None:
        self.builds = 0

    def __call__(self, data: Any, **framing: Any) -> object:
        self.builds += 1
        return object()


FIRST = (("overview", "An Hải", 2025), {"title": "Tiến độ", "rows": ["Thôn 1", "Thôn 2"]})

# (what changes between two calls, the second call's key and framing, caches cleared between,
# whether the second call gets the first's figure)
CASES = [
    ("nothing", FIRST, False, True),
    ("nothing, but a write cleared the data caches", FIRST, True, False),
    ("the data (another year)", ((*FIRST[0][:2], 2024), FIRST[1]), False, False),
    ("the framing (title)", (FIRST[0], {**FIRST[1], "title": "Progress"}), False, False),
    ("the framing (a list)", (FIRST[0], {**FIRST[1], "rows": ["Thôn 1"]}), False, False),
]


@pytest.mark.parametrize(("change", "second", "cleared", "same"), CASES, ids=[c[0] for c in CASES])
def test_a_figure_is_kept_until_its_data_or_framing_changes(
    database: str,
    change: str,
    second: tuple[tuple[Any, ...], dict[str, Any]],
    cleared: bool,
    same: bool,
) -> None:
    build = Builder()
    first = services.figure(FIRST[0], build, "data", **FIRST[1])
    if cleared:
        st.cache_data.clear()
    again = services.figure(second[0], build, "data", **second[1])
    assert (again is first) is same
    assert build.builds == (1 if same else 2)


def test_a_framing_that_cannot_be_a_key_is_built_every_time(database: str) -> None:
    build = Builder()
    services.figure("key", build, "data", style={1, 2})
    services.figure("key", build, "data", style={1, 2})
    assert build.builds == 2


def test_at_most_kept_figures_are_kept(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The least recently used figure goes first."""
    monkeypatch.setattr(figures, "KEPT", 2)
    build = Builder()
    a = services.figure("a", build, "data")
    services.figure("b", build, "data")
    assert services.figure("a", build, "data") is a  # a used again: b is now the oldest
    services.figure("c", build, "data")
    assert services.figure("a", build, "data") is a
    services.figure("b", build, "data")
    assert build.builds == 4  # a, b, c, then b again
