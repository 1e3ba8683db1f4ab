"""Labels a return may use: column headers, metadata labels, answers and verdicts (DESIGN §4).

The words are data (`aliases.yaml` beside this module); this module only loads and looks them
up. Labels are compared as `label_key`s: folded (no case, no diacritics, one space), without
bracketed remarks, a trailing colon or asterisk, or spaces around "/" and ",".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from ntm.text import fold

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_AROUND_SEPARATORS = re.compile(r"\s*([/,;&-])\s*")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=8192)
def label_key(text: str) -> str:
    """`fold` without bracketed remarks, trailing colon/asterisk, or spaces around '/' and ','."""
    s = _BRACKETS.sub(" ", fold(text))
    s = _AROUND_SEPARATORS.sub(r"\1", s)
    return _SPACES.sub(" ", s).strip(" :*.").strip()


def _load() -> dict[str, Any]:
    text = resources.files("ntm.returns").joinpath("aliases.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


_DATA = _load()


def _keys(words: Iterable[Any]) -> frozenset[str]:
    return frozenset(label_key(str(w)) for w in words)


def _roles(table: dict[str, list[Any]]) -> dict[str, str]:
    """{role: [alias, …]} → {label key: role}."""
    return {label_key(str(a)): role for role, aliases in table.items() for a in aliases}


HEADER_ALIASES = _roles(_DATA["headers"])
HEADER_CONTAINS: list[tuple[str, tuple[str, ...]]] = [
    (role, tuple(words)) for role, words in _DATA["header_contains"]
]
# Roles whose cells give context to a row; roles recognised and left out with a note.
LABEL_ROLES = frozenset({"code", "name", "unit", "criterion", "threshold", "row"})
IGNORED_ROLES = frozenset({"plan", "previous", "compare"})
COMMUNE_WORDS = _keys(_DATA["commune_words"])
INFO_SHEETS = _keys(_DATA["info_sheets"])
META_LABELS = _roles(_DATA["meta"])
ANSWERS_YES = _keys(_DATA["answers_yes"])
ANSWERS_NO = _keys(_DATA["answers_no"])
VERDICTS_MET = _keys(_DATA["verdicts_met"])
VERDICTS_UNMET = _keys(_DATA["verdicts_unmet"])
TICKS = _keys(_DATA["ticks"])
VILLAGE_PREFIXES = tuple(
    sorted((label_key(str(p)) for p in _DATA["village_prefixes"]), key=len, reverse=True)
)

# What a yes/no cell says: an answer (the indicator's own yes or no) or a verdict.
ANSWER_YES, ANSWER_NO, VERDICT_MET, VERDICT_UNMET = "yes", "no", "met", "unmet"


@lru_cache(maxsize=4096)
def yes_no_word(text: str) -> str | None:
    """'yes'/'no' for an answer, 'met'/'unmet' for a verdict ("Không đạt" is a verdict, not
    the answer "Không": whole phrases only), None for anything else."""
    key = label_key(text).strip(" .;:!")
    if key in VERDICTS_MET:
        return VERDICT_MET
    if key in VERDICTS_UNMET:
        return VERDICT_UNMET
    if key in ANSWERS_YES:
        return ANSWER_YES
    if key in ANSWERS_NO:
        return ANSWER_NO
    return None


def yes_no(text: str) -> float | None:
    """1.0 / 0.0 for a positively worded yes/no phrase (an answer or a verdict), else None."""
    word = yes_no_word(text)
    if word is None:
        return None
    return 1.0 if word in (ANSWER_YES, VERDICT_MET) else 0.0


def is_tick(text: str) -> bool:
    return label_key(text) in TICKS


@lru_cache(maxsize=4096)
def header_role(text: str) -> str | None:
    """The role of a column header ('code', 'value', ...), or None for an unknown header."""
    key = label_key(text)
    role = HEADER_ALIASES.get(key)
    if role is not None:
        return role
    for role, words in HEADER_CONTAINS:
        if any(w in key for w in words):
            return role
    return None


def village_prefix(text: str) -> str | None:
    """The village word a name starts with ("Thôn 3" → "thon"), or None."""
    key = label_key(text)
    for prefix in VILLAGE_PREFIXES:
        if key.startswith(prefix + " ") and len(key) > len(prefix) + 1:
            return prefix
    return None
