"""Cell addresses and the small conversions every part of the reader uses."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ntm.text import nfc


@lru_cache(maxsize=1024)
def column_letters(col: int) -> str:
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@lru_cache(maxsize=65536)  # every value row names its cell
def a1(row: int, col: int) -> str:
    """A1 reference of a zero-based (row, col)."""
    return f"{column_letters(col)}{row + 1}"


def column_index(letters: bytes | str) -> int:
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(raw: Any) -> str:
    if raw == "":  # most notes
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return nfc(raw) if not is_empty(raw) else ""


def name_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(value)
