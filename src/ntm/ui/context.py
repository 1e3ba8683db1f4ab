"""What every screen and shared widget starts from: the `Context` a page reads first (language,
commune, year, presentation mode), `md()` for user text, and the choices kept across pages.

Choices that survive switching pages live under plain session-state keys (`ntm.ui.state`); the
widget that edits one has its own key, primed with the current value, and copies it back in its
`on_change` callback (Streamlit forgets a widget's key on a page that does not draw it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from ntm import formatting as fmt
from ntm.i18n import t
from ntm.ui import state


def md(text: object) -> str:
    """User text made safe for st.markdown (see formatting.escape_markdown)."""
    return fmt.escape_markdown(text)


@dataclass
class Context:
    """What every page reads first: language, commune, year, presentation mode."""

    lang: str
    commune: str | None
    year: int | None
    years: list[int]
    present: bool

    def tr(self, key: str, **params: object) -> str:
        return t(key, self.lang, **params)


# --- keeping choices across pages ------------------------------------------------------------


def keep(key: str) -> None:
    """on_change: the widget's value becomes the kept choice `key`."""
    state.put(key, st.session_state[state.widget_key(key)])


def prime(key: str, value: Any) -> str:
    """The widget key for a persistent choice, primed with its current value."""
    wkey = state.widget_key(key)
    if st.session_state.get(wkey) != value:
        st.session_state[wkey] = value
    return wkey


def choose(key: str, options: list[Any], default: Any = None) -> Any:
    """The persistent choice `key` made valid for `options` (first option if unset/stale)."""
    current = state.get(key)
    if current not in options:
        current = default if default in options else (options[0] if options else None)
        state.put(key, current)
    return current


def kept(widget: Callable[..., Any], key: str, value: Any, label: str, **kwargs: Any) -> Any:
    """`widget` (st.selectbox, st.segmented_control …) editing the kept choice `key`, primed
    with `value`; `kwargs` are the widget's own (options, format_func …)."""
    return widget(label, key=prime(key, value), on_change=keep, args=(key,), **kwargs)


def pick(
    ctx: Context,
    key: str,
    options: list[Any],
    label_key: str,
    format_func: Callable[[Any], str] = str,
) -> Any:
    """A selectbox over `options` whose choice is kept across pages under `key`."""
    current = choose(key, options)
    kept(st.selectbox, key, current, ctx.tr(label_key), options=options, format_func=format_func)
    return state.get(key)
