"""A TrueType font with Vietnamese glyphs for the PDF report and the image footnotes.

Looked up in this order: `NTM_FONT` (a .ttf file; its bold sibling is guessed from the name),
Noto Sans (Debian `fonts-noto-core`), DejaVu Sans (`fonts-dejavu-core`), Liberation Sans, then
whatever `fc-match` returns for "Noto Sans" / "DejaVu Sans". A candidate is accepted only if
it really has the Vietnamese letters (ư, ơ, ạ, ệ, ữ, đ, …): a font without them would print
empty boxes. When none is found, `FontNotFoundError` says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FONT_ENV = "NTM_FONT"
# Every letter a Vietnamese text needs beyond ASCII (precomposed, NFC).
VIETNAMESE = "ăâđêôơưĂÂĐÊÔƠƯáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"

_CANDIDATES: list[tuple[str, str]] = [
    (
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
    ),
]
_FC_FAMILIES = ("Noto Sans", "DejaVu Sans", "Liberation Sans")

INSTALL_HINT = (
    "Không tìm thấy phông chữ có đủ dấu tiếng Việt (Noto Sans hoặc DejaVu Sans). "
    "Cài đặt: `make system-deps` hoặc `apt-get install fonts-noto-core`, "
    f"hoặc đặt {FONT_ENV}=/đường/dẫn/tới/phông.ttf. "
    "No font with Vietnamese letters was found (Noto Sans or DejaVu Sans): install "
    f"fonts-noto-core or set {FONT_ENV} to a .ttf file."
)


class FontNotFoundError(RuntimeError):
    """No usable font with Vietnamese glyphs on this machine."""


@dataclass(frozen=True)
class FontPair:
    regular: Path
    bold: Path  # the regular file again when the family has no bold


def has_vietnamese(path: Path) -> bool:
    """True when the TrueType font at `path` maps every Vietnamese letter."""
    return covers(path, VIETNAMESE)


def _bold_sibling(regular: Path) -> Path:
    name = regular.name
    for a, b in (("-Regular", "-Bold"), ("Regular", "Bold"), (".ttf", "-Bold.ttf")):
        if a in name:
            candidate = regular.with_name(name.replace(a, b, 1))
            if candidate.is_file():
                return candidate
    return regular


def _fc_match(family: str) -> Path | None:
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "-f", "%{file}", f"{family}:style=Regular"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(out) if out.endswith((".ttf", ".TTF")) and Path(out).is_file() else None


SYMBOLS = "✓✗▲▼≥≤→"  # used by the reports; Noto Sans has none of them, DejaVu Sans has all
_SYMBOL_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
)
ASCII_SYMBOLS = {"✓": "+", "✗": "x", "▲": "+", "▼": "-", "≥": ">=", "≤": "<=", "→": "->"}


def covers(path: Path, chars: str) -> bool:
    try:
        from fontTools.ttLib import TTFont

        with TTFont(str(path), lazy=True, fontNumber=0) as font:
            cmap = font.getBestCmap() or {}
    except Exception:
        return False
    return all(ord(ch) in cmap for ch in chars)


@cache
def symbol_font() -> Path | None:
    """A font for ✓ ✗ ▲ ▼ ≥ ≤ → when the main font lacks them (None: write them in ASCII)."""
    for candidate in _SYMBOL_CANDIDATES:
        path = Path(candidate)
        if path.is_file() and covers(path, SYMBOLS):
            return path
    found = _fc_match("DejaVu Sans")
    return found if found is not None and covers(found, SYMBOLS) else None


@cache
def find_font() -> FontPair:
    """The first usable font pair (cached). Raises FontNotFoundError with what to install."""
    override = os.environ.get(FONT_ENV)
    if override:
        path = Path(override)
        if not path.is_file():
            raise FontNotFoundError(f"{FONT_ENV}={override!r}: không có tệp này (no such file).")
        if not has_vietnamese(path):
            raise FontNotFoundError(
                f"{FONT_ENV}={override!r}: phông này thiếu chữ tiếng Việt có dấu "
                "(the font lacks Vietnamese letters)."
            )
        return FontPair(path, _bold_sibling(path))
    for regular, bold in _CANDIDATES:
        r = Path(regular)
        if r.is_file() and has_vietnamese(r):
            b = Path(bold)
            return FontPair(r, b if b.is_file() and has_vietnamese(b) else r)
    for family in _FC_FAMILIES:
        found = _fc_match(family)
        if found is not None and has_vietnamese(found):
            return FontPair(found, _bold_sibling(found))
    raise FontNotFoundError(INSTALL_HINT)
