"""Text helpers every layer shares: names as stored (NFC) and folded keys for comparing.

One place for diacritic folding (the reader's labels, the unit register, file-name slugs and
sort keys all use `fold` or `strip_marks`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")


def nfc(text: object) -> str:
    """A name as stored: NFC, without format or control characters (bidi overrides,
    zero-width spaces, byte-order marks), surrounding and repeated spaces removed."""
    return _nfc(text if type(text) is str else str(text))


@lru_cache(maxsize=16384)  # a return repeats its names and units on every sheet
def _nfc(text: str) -> str:
    value = unicodedata.normalize("NFC", text)
    if not value.isprintable():
        value = "".join(
            " " if ch.isspace() else ch
            for ch in value
            if ch.isspace() or unicodedata.category(ch) not in ("Cf", "Cc")
        )
    return " ".join(value.split())


def strip_marks(text: str) -> str:
    """`text` without diacritics, case kept: "Đôn Phong" → "Don Phong"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower case, no diacritics (đ → d), one space between words: for comparing labels."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.replace("đ", "d").replace("Đ", "d").casefold()
    return _SPACES.sub(" ", bare).strip()
