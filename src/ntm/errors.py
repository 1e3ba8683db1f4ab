"""Problems found in user data, with stable codes, and the errors the core raises.

A `Problem` is what the user sees: which file, sheet and cell, how serious, a stable code that
programs and tests can rely on, and a sentence they can act on (Vietnamese first, English
available). Messages live in the translation catalogue under `problem.<code>`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ntm.i18n import DEFAULT_LANG, t


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"  # news, not a fault: e.g. a unit created in the register


class Code(StrEnum):
    """Stable problem codes. Never rename one: other programs read them."""

    FILE_TOO_LARGE = "file_too_large"
    ARCHIVE_TOO_LARGE = "archive_too_large"
    UNREADABLE_FILE = "unreadable_file"
    NOT_A_WORKBOOK = "not_a_workbook"
    ENCRYPTED_WORKBOOK = "encrypted_workbook"
    TOO_MANY_SHEETS = "too_many_sheets"
    TOO_MANY_ROWS = "too_many_rows"
    PARSE_TIMEOUT = "parse_timeout"
    NO_INDICATOR_TABLE = "no_indicator_table"
    NO_VALUES = "no_values"
    UNKNOWN_INDICATOR = "unknown_indicator"
    AMBIGUOUS_CODE = "ambiguous_code"
    DUPLICATE_CODE = "duplicate_code"
    PERCENT_OUT_OF_RANGE = "percent_out_of_range"
    NEGATIVE_VALUE = "negative_value"
    NUMERATOR_GT_DENOMINATOR = "numerator_gt_denominator"
    NOT_A_NUMBER = "not_a_number"
    NOT_YES_NO = "not_yes_no"
    FORMULA_NO_CACHED_VALUE = "formula_no_cached_value"
    NO_CRITERIA_SET = "no_criteria_set"
    MISSING_COMMUNE = "missing_commune"
    MISSING_VILLAGE = "missing_village"
    MISSING_PERIOD = "missing_period"
    BAD_PERIOD = "bad_period"
    UNKNOWN_REGION = "unknown_region"
    CRITERIA_SET_INCOMPLETE = "criteria_set_incomplete"
    UNKNOWN_CRITERIA_SET = "unknown_criteria_set"
    # a commune's values for a year it did not exist in (merged away / not yet formed, issue 16)
    OUTSIDE_VALIDITY = "outside_validity"
    NO_THRESHOLD = "no_threshold"
    MACRO_WORKBOOK = "macro_workbook"
    # criteria sheets (Excel import of a criteria set)
    CRITERIA_SHEET_INVALID = "criteria_sheet_invalid"
    # returns (Excel reader): added with ntm.returns
    UNSAFE_XML = "unsafe_xml"
    TOO_MANY_CELLS = "too_many_cells"
    INDICATOR_HAS_PARTS = "indicator_has_parts"
    VILLAGE_CODE_FOR_COMMUNE = "village_code_for_commune"
    # office-shaped returns (issue 12): every cell used as meant, or named here
    VERDICT_NOT_A_VALUE = "verdict_not_a_value"
    VERDICT_WITHOUT_ANSWER = "verdict_without_answer"
    AMBIGUOUS_TICK = "ambiguous_tick"
    SHARE_NOT_YES_NO = "share_not_yes_no"
    COMMUNE_CODE_ON_VILLAGE = "commune_code_on_village"
    META_CONFLICT = "meta_conflict"
    COLUMN_IGNORED = "column_ignored"
    COLUMN_NOT_READ = "column_not_read"
    AMBIGUOUS_VALUE_COLUMN = "ambiguous_value_column"
    VALUE_COLUMN_OTHER_YEAR = "value_column_other_year"
    VALUE_WITHOUT_CODE = "value_without_code"
    CODE_FROM_NAME = "code_from_name"
    CRITERION_VERDICT_NOT_USED = "criterion_verdict_not_used"
    NOT_A_VERDICT = "not_a_verdict"
    MONEY_CONVERTED = "money_converted"
    MONEY_UNIT_UNCLEAR = "money_unit_unclear"
    MISSING_REGION = "missing_region"
    MISSING_GROUP = "missing_group"
    REGION_DIFFERS = "region_differs"
    CRITERIA_SET_DIFFERS = "criteria_set_differs"
    READ_ON_STATED_SET = "read_on_stated_set"
    READ_ON_OTHER_SET = "read_on_other_set"
    FORM_OF_OTHER_PERIOD = "form_of_other_period"
    COMMUNE_GROUP_MISSING = "commune_group_missing"
    LEGACY_PERCENT_UNSURE = "legacy_percent_unsure"
    CELL_NOT_USED = "cell_not_used"
    LEGACY_ENCODING = "legacy_encoding"
    # the decision's annex table (ntm.annex)
    ANNEX_UNREADABLE = "annex_unreadable"
    ANNEX_NO_TABLE = "annex_no_table"
    ANNEX_UNKNOWN_COLUMN = "annex_unknown_column"
    ANNEX_ROW_SKIPPED = "annex_row_skipped"
    # the register of units (ntm.register, issue 13)
    COMMUNE_NAME_MATCHED = "commune_name_matched"
    VILLAGE_NAME_MATCHED = "village_name_matched"
    UNKNOWN_VILLAGE = "unknown_village"
    AMBIGUOUS_COMMUNE = "ambiguous_commune"
    COMMUNE_CODE_MISMATCH = "commune_code_mismatch"
    COMMUNE_CODE_NAME_DIFFERS = "commune_code_name_differs"
    REGISTER_NEW_COMMUNE = "register_new_commune"
    REGISTER_NEW_VILLAGES = "register_new_villages"
    VALUES_NOT_REPEATED = "values_not_repeated"


SEVERITY: dict[Code, Severity] = {
    Code.UNKNOWN_INDICATOR: Severity.WARNING,
    Code.CRITERIA_SET_INCOMPLETE: Severity.WARNING,
    Code.UNKNOWN_CRITERIA_SET: Severity.WARNING,
    Code.OUTSIDE_VALIDITY: Severity.WARNING,
    Code.NO_THRESHOLD: Severity.WARNING,
    Code.MISSING_VILLAGE: Severity.WARNING,
    Code.MACRO_WORKBOOK: Severity.WARNING,
    Code.INDICATOR_HAS_PARTS: Severity.WARNING,
    Code.VILLAGE_CODE_FOR_COMMUNE: Severity.WARNING,
    Code.COMMUNE_CODE_ON_VILLAGE: Severity.WARNING,
    Code.COLUMN_IGNORED: Severity.WARNING,
    Code.COLUMN_NOT_READ: Severity.WARNING,
    Code.VALUE_WITHOUT_CODE: Severity.WARNING,
    Code.CODE_FROM_NAME: Severity.WARNING,
    Code.CRITERION_VERDICT_NOT_USED: Severity.WARNING,
    Code.NOT_A_VERDICT: Severity.WARNING,
    Code.MONEY_CONVERTED: Severity.WARNING,
    Code.MISSING_REGION: Severity.WARNING,
    Code.MISSING_GROUP: Severity.WARNING,
    Code.REGION_DIFFERS: Severity.WARNING,
    Code.CRITERIA_SET_DIFFERS: Severity.WARNING,
    Code.READ_ON_STATED_SET: Severity.WARNING,
    Code.READ_ON_OTHER_SET: Severity.WARNING,
    Code.COMMUNE_GROUP_MISSING: Severity.WARNING,
    Code.LEGACY_PERCENT_UNSURE: Severity.WARNING,
    Code.CELL_NOT_USED: Severity.WARNING,
    Code.LEGACY_ENCODING: Severity.WARNING,
    Code.ANNEX_ROW_SKIPPED: Severity.WARNING,
    Code.COMMUNE_NAME_MATCHED: Severity.WARNING,
    Code.VILLAGE_NAME_MATCHED: Severity.WARNING,
    Code.COMMUNE_CODE_NAME_DIFFERS: Severity.WARNING,
    Code.REGISTER_NEW_COMMUNE: Severity.NOTICE,
    Code.REGISTER_NEW_VILLAGES: Severity.NOTICE,
    Code.VALUES_NOT_REPEATED: Severity.NOTICE,
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in the user's data."""

    code: Code
    file: str = ""
    sheet: str = ""
    cell: str = ""
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    severity: Severity | None = None

    @property
    def level(self) -> Severity:
        return self.severity or SEVERITY.get(self.code, Severity.ERROR)

    @property
    def is_error(self) -> bool:
        return self.level is Severity.ERROR

    def message(self, lang: str = DEFAULT_LANG) -> str:
        """The sentence in `lang`. A parameter given in several languages ({"vi": …, "en": …},
        text that comes from data) or written "i18n:KEY" (a catalogue text) is put in in `lang`
        too (`localised`)."""
        return t(f"problem.{self.code.value}", lang, **localised(self.params, lang))

    def where(self) -> str:
        """'file › sheet › cell', leaving out the parts that are not known."""
        return " › ".join(part for part in (self.file, self.sheet, self.cell) if part)

    def to_json(self, lang: str = DEFAULT_LANG) -> dict[str, str]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "severity": self.level.value,
            "code": self.code.value,
            "message": self.message(lang),
        }


# Parameters shown in the reader's language: one given in several languages ({"vi": …, "en":
# …}, text that comes from data), or written "i18n:KEY" (a catalogue text: a label such as "tên
# xã" inside a sentence must not stay Vietnamese in an English message).
I18N_PREFIX = "i18n:"


def _in_languages(value: object) -> bool:
    return isinstance(value, dict) and DEFAULT_LANG in value


def _localised(value: Any, lang: str) -> Any:
    if _in_languages(value):
        return value.get(lang) or value.get(DEFAULT_LANG, "")
    if isinstance(value, str) and value.startswith(I18N_PREFIX):
        return t(value[len(I18N_PREFIX) :], lang)
    return value


def localised(params: dict[str, Any], lang: str) -> dict[str, Any]:
    return {k: _localised(v, lang) for k, v in params.items()}


def has_errors(problems: list[Problem]) -> bool:
    return any(p.is_error for p in problems)


class NtmError(Exception):
    """Base for errors the core raises for the caller to present."""


class CriteriaError(NtmError):
    """A criteria file or sheet is not valid. `details` lists (path, message) pairs."""

    def __init__(self, source: str, details: list[tuple[str, str]]):
        self.source = source
        self.details = details
        lines = "\n".join(f"  {path}: {msg}" for path, msg in details)
        super().__init__(f"{source}: criteria set is not valid:\n{lines}")


class NoCriteriaSetError(NtmError):
    """No criteria set covers the requested year."""

    def __init__(self, year: int, level: str = "commune"):
        self.year = year
        self.level = level
        super().__init__(f"no {level} criteria set covers the year {year}")
