"""One translation catalogue for every user-facing text (core problems, UI labels, chart titles).

The catalogue is every `locale/*.yaml` file merged (one file per area, so that problems, screens,
charts and exports can be edited apart): key -> {vi: ..., en: ...}. A key defined twice is an
error. Vietnamese is the default
language; English is available everywhere. A test checks that every key has both languages and
that every key used in the code exists.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import yaml

Lang = Literal["vi", "en"]
LANGUAGES: tuple[Lang, ...] = ("vi", "en")
DEFAULT_LANG: Lang = "vi"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    folder = resources.files("ntm").joinpath("locale")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".yaml"):
            continue
        data = yaml.safe_load(entry.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"locale/{entry.name} must be a mapping of key -> {{vi, en}}")
        for key, value in data.items():
            if key in merged:
                raise ValueError(f"locale/{entry.name}: key {key!r} is defined twice")
            merged[key] = value
    return merged


def t(key: str, lang: str = DEFAULT_LANG, /, **params: object) -> str:
    """The text for `key` in `lang`, with `{name}` placeholders filled from `params`.

    An unknown key raises KeyError: a missing translation is a bug, not something to hide.
    """
    entry = catalogue()[key]
    template = entry.get(lang) or entry[DEFAULT_LANG]
    return template.format(**params) if params else template
