"""Text typed in the legacy TCVN3 (ABC) encoding, converted to Unicode (reference §2b).

Old workbooks typed with the ".VnTime" fonts store Vietnamese letters as single bytes that
show as Latin-1 look-alikes: "M· chØ tiªu" is "Mã chỉ tiêu". A cell is taken as TCVN3 only
when it holds a character that Unicode Vietnamese never uses (µ, ¸, ·, Ø, ª, ® …) and none
beyond Latin-1; then every byte of it is read through the table. Capitals typed with the
".VnTimeH" fonts share the small letters' codes, so they come out in small letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# TCVN 5712:1993 (VN3, "ABC"): the code of each Vietnamese letter.
_TABLE = {
    "à": 0xB5, "á": 0xB8, "ả": 0xB6, "ã": 0xB7, "ạ": 0xB9,
    "ă": 0xA8, "ằ": 0xBB, "ắ": 0xBE, "ẳ": 0xBC, "ẵ": 0xBD, "ặ": 0xC6,
    "â": 0xA9, "ầ": 0xC7, "ấ": 0xCA, "ẩ": 0xC8, "ẫ": 0xC9, "ậ": 0xCB,
    "đ": 0xAE,
    "è": 0xCC, "é": 0xD0, "ẻ": 0xCE, "ẽ": 0xCF, "ẹ": 0xD1,
    "ê": 0xAA, "ề": 0xD2, "ế": 0xD5, "ể": 0xD3, "ễ": 0xD4, "ệ": 0xD6,
    "ì": 0xD7, "í": 0xDD, "ỉ": 0xD8, "ĩ": 0xDC, "ị": 0xDE,
    "ò": 0xDF, "ó": 0xE3, "ỏ": 0xE1, "õ": 0xE2, "ọ": 0xE4,
    "ô": 0xAB, "ồ": 0xE5, "ố": 0xE8, "ổ": 0xE6, "ỗ": 0xE7, "ộ": 0xE9,
    "ơ": 0xAC, "ờ": 0xEA, "ớ": 0xED, "ở": 0xEB, "ỡ": 0xEC, "ợ": 0xEE,
    "ù": 0xEF, "ú": 0xF3, "ủ": 0xF1, "ũ": 0xF2, "ụ": 0xF4,
    "ư": 0xAD, "ừ": 0xF5, "ứ": 0xF8, "ử": 0xF6, "ữ": 0xF7, "ự": 0xF9,
    "ỳ": 0xFA, "ý": 0xFD, "ỷ": 0xFB, "ỹ": 0xFC, "ỵ": 0xFE,
    "Ă": 0xA1, "Â": 0xA2, "Đ": 0xA7, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6,
}  # fmt: skip
_DECODE = {code: letter for letter, code in _TABLE.items()}
# Latin-1 letters that Unicode Vietnamese uses too: on their own they prove nothing.
_VIETNAMESE_LATIN1 = frozenset("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
# Guillemets are ô and ằ in TCVN3 but quotation marks elsewhere: they do not prove it alone.
_SURE = "".join(
    sorted(chr(c) for c in _DECODE if chr(c) not in _VIETNAMESE_LATIN1 and chr(c) not in "«»")
)
_SURE_CHAR = re.compile(f"[{re.escape(_SURE)}]")
_BEYOND_LATIN1 = re.compile("[^\x00-\xff]")
# The same test on the UTF-8 bytes of a workbook part (shared strings): a sure character is
# \xc2 followed by one of these (Vietnamese text never has them, bar the no-break space).
MAYBE_IN_XML = re.compile(
    b"\xc2[" + re.escape(bytes(sorted({ord(ch) for ch in _SURE if 0xA0 < ord(ch) < 0xC0}))) + b"]"
)


def is_tcvn3(text: str) -> bool:
    """Whether a cell's text is TCVN3 shown as Latin-1."""
    return _SURE_CHAR.search(text) is not None and _BEYOND_LATIN1.search(text) is None


def to_unicode(text: str) -> str:
    return text.translate(_DECODE)


@dataclass
class Converted:
    count: int = 0
    before: str = ""
    after: str = ""


def convert_sheets(sheets: list[list[list[object]]]) -> Converted:
    """Convert the TCVN3 text of a workbook in place. When no cell holds a character beyond
    Latin-1 (no Unicode Vietnamese anywhere) and one is surely TCVN3, every cell with a
    character above ASCII is TCVN3 ("Néi dung" has no sure character of its own); in a book
    that mixes the two, only the cells that are surely TCVN3 are converted."""
    found = Converted()
    candidates: list[tuple[list[object], int, str]] = []
    unicode_seen = sure_seen = False
    for rows in sheets:
        for row in rows:
            for c, value in enumerate(row):
                if type(value) is not str or value.isascii():
                    continue
                if _BEYOND_LATIN1.search(value):
                    unicode_seen = True
                    continue
                sure = _SURE_CHAR.search(value) is not None
                sure_seen = sure_seen or sure
                candidates.append((row, c, value) if sure else (row, -1 - c, value))
    if not sure_seen:
        return found
    for row, c, value in candidates:
        if c < 0:
            if unicode_seen:
                continue
            c = -1 - c
        row[c] = to_unicode(value)
        if not found.count:
            found.before, found.after = value, to_unicode(value)
        found.count += 1
    return found
