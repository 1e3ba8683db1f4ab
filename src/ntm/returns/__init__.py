"""Excel return → tidy values (DESIGN §4). `read_return` never raises on bad user data.

What happens to a file, in order:

1. Safety, before any parsing: size (`Limits.max_file_bytes`); the container is sniffed by its
   first bytes (zip → .xlsx/.xlsm; OLE → .xls, or a password-protected .xlsx when it holds an
   "EncryptedPackage" stream; anything else, e.g. CSV or HTML renamed .xlsx, is refused). For a
   zip, the central directory is checked (claimed inflated size, compression ratio, encrypted
   members), the sheet count is read from xl/workbook.xml, then every XML member is inflated in
   small chunks (so a forged size cannot make one read explode; zipfile checks each CRC) and
   refused if it declares a DOCTYPE or ENTITY. Each worksheet's used area (last row, last
   column) is checked before calamine builds its dense grid.
2. The same pass over the worksheet XML records the cells that carry a percent number format and
   the formula cells without a cached value (calamine gives values only). Values are read with
   python-calamine (fast; also legacy .xls, which has no format information), from a copy of the
   zip whose already inflated parts are stored, so that no XML is inflated twice.
3. Metadata: a "Thông tin" sheet and label/value rows above each table (labels matched without
   regard to case, diacritics, Unicode form, spacing or a trailing colon). The period chooses the
   criteria set unless one is given (or the return names a shipped set).
4. Tables: a header row within the first 30 rows; long layout (code + value and/or numerator and
   denominator columns, one unit per sheet) or wide layout (code + one column per village, a
   "Toàn xã" column for the commune). A header cell spanning sub-headers on the next row (either
   Giá trị/Tử số/Mẫu số or village names) is followed.
5. Codes ("2.1", "2,1", "TC2.1", "Chỉ tiêu 2.1", "12.2a", "12.2 (nữ)"; a number 17.1 that may be
   17.10 is resolved by the row's indicator name, then by the neighbouring rows, else
   AMBIGUOUS_CODE), values by the indicator's kind (yes/no phrases, percent formats and
   spellings, decimal comma), then `ntm.validation.check_rows`.
"""

from ntm.returns.cells import a1
from ntm.returns.codes import parse_code_text
from ntm.returns.container import DEFAULT_LIMITS, MB, Guard, Limits, guard_workbook
from ntm.returns.labels import fold, header_role, label_key, yes_no
from ntm.returns.layout import find_table
from ntm.returns.meta import parse_period, resolve_key
from ntm.returns.numbers import parse_number_text
from ntm.returns.reader import read_return
from ntm.returns.values import cell_number
from ntm.returns.xmlscan import is_percent_format

_Guard = Guard  # the name tests used before the package

__all__ = [
    "DEFAULT_LIMITS",
    "MB",
    "Guard",
    "Limits",
    "a1",
    "cell_number",
    "find_table",
    "fold",
    "guard_workbook",
    "header_role",
    "is_percent_format",
    "label_key",
    "parse_code_text",
    "parse_number_text",
    "parse_period",
    "read_return",
    "resolve_key",
    "yes_no",
]
