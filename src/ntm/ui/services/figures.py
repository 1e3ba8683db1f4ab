"""Figures kept while the data they are drawn from stays cached (issue 17).

Building a plotly figure validates every property it is given: the two charts of Tổng quan
took about two thirds of a cached page run (≈ 50 of ≈ 80 ms on the benchmark's province, the
rest being Streamlit and the tables). A figure is a pure function of a view model, itself
cached by `st.cache_data` (keyed by database, commune, year and language), and of its framing
(title, source, date, size). `figure(key, build, *data, **framing)` keeps the built figure in
this process for as long as Streamlit's data caches hold:

- the memo key is the database URL, a token made by a `st.cache_data` function (`_token`),
  the builder, `key` (what the caller says `data` is: e.g. ("overview", commune, year)) and
  the framing keywords; clearing the data caches (every write through `clear_caches`, a write
  elsewhere seen by `follow_other_writers`) makes a new token, so no figure outlives the data
  it was drawn from;
- `st.cache_data` itself cannot keep figures: it pickles them, and unpickling a figure
  validates it all over again;
- the figures are shared by every session of the process and never changed after they are
  built (`st.plotly_chart` reads a figure: it serialises a copy); at most `KEPT` are kept,
  the least recently used dropped first.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import streamlit as st

from ntm.ui.services.common import db_url

F = TypeVar("F")
KEPT = 256  # a few charts per commune-year, language and size; a figure is ≈ 50-200 kB

_figures: OrderedDict[tuple[Hashable, ...], Any] = OrderedDict()
_lock = threading.Lock()


@st.cache_data(show_spinner=False)
def _token(url: str) -> str:
    """A new value each time the data caches are cleared (see the module)."""
    return uuid.uuid4().hex


def _frozen(value: Any) -> Hashable:
    """A keyword's value as part of a memo key (lists and mappings as tuples)."""
    if isinstance(value, dict):
        return tuple((k, _frozen(v)) for k, v in sorted(value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def figure(key: Hashable, build: Callable[..., F], *data: Any, **framing: Any) -> F:
    """`build(*data, **framing)`, kept while the data caches hold (see the module). `key`
    names what the positional `data` is drawn from; the keywords are part of the memo key
    (text, numbers, and lists or mappings of them)."""
    url = db_url()
    try:
        memo = (url, _token(url), build, key, _frozen(framing))
        hash(memo)
    except TypeError:  # a keyword that cannot be part of a key: build every time
        return build(*data, **framing)
    with _lock:
        if memo in _figures:
            _figures.move_to_end(memo)
            return _figures[memo]
    made = build(*data, **framing)
    with _lock:
        _figures[memo] = made
        while len(_figures) > KEPT:
            _figures.popitem(last=False)
    return made


def clear() -> None:
    """Forget every kept figure (tests)."""
    with _lock:
        _figures.clear()
