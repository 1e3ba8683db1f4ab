"""Criteria sets: the schema (pydantic), loading from criteria/*.yaml, choosing the set for a year.

A criteria set is data (DESIGN §3). This module knows the *kinds* of rule the data may use and
nothing about any particular decision. Threshold look-up rules:

- A threshold rule may name a `key` (a region of Decision 318/QĐ-TTg or a commune group of
  Decision 51/2025/QĐ-TTg) and/or a `year`; the most specific rule that matches wins
  (key+year, then key, then year, then the general rule with neither).
- `value: null` means "to be supplied by the user": the indicator is then reported as having no
  threshold, never guessed (e.g. criterion 10 income and 11 poverty of Decision 318).
- `applies: false` means the part is not required for that key (e.g. criterion 5 in the Red
  River Delta and South-East needs only the level-1 share).
- `when_denominator_at_most: N` makes a rule apply only when the denominator is at most N
  (criterion 5: ≥ 50% of schools at level 1 when the commune has at most 3 schools).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ntm import paths
from ntm.errors import CriteriaError, NoCriteriaSetError

CRITERIA_DIR = paths.criteria_dir()

Kind = Literal["boolean", "percent", "number", "count", "money"]
Direction = Literal[">=", "<=", "=="]
Scope = Literal["village", "commune"]
# How a commune value is made from its villages' values (DESIGN §3).
Aggregation = Literal["ratio", "sum", "all", "min", "max", "mean", "share", "commune_only"]
Level = Literal["commune", "village"]
KeyedBy = Literal["region", "group"]

KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
AGGREGATIONS: tuple[str, ...] = Aggregation.__args__  # type: ignore[attr-defined]
GENERAL_KEY = "general"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    vi: str
    en: str = ""

    def get(self, lang: str) -> str:
        return (self.en if lang == "en" else self.vi) or self.vi


def _text(value: object) -> object:
    """A plain string stands for the Vietnamese text."""
    return {"vi": value} if isinstance(value, str) else value


TextField = Annotated[Text, Field()]


class ThresholdRule(_Model):
    key: str | None = None
    year: int | None = None
    value: float | bool | None = None
    applies: bool = True
    when_denominator_at_most: float | None = None
    verified: bool = False
    source: str = ""

    def specificity(self) -> int:
        return (2 if self.key is not None else 0) + (1 if self.year is not None else 0)


class Part(_Model):
    """One measured value of an indicator that has several (12.2 men/women; 17.1 two shares)."""

    code: str
    name: Text
    unit: str = ""
    kind: Kind = "percent"
    direction: Direction = ">="
    thresholds: list[ThresholdRule] = Field(default_factory=list)
    informational: bool = False  # measured, shown, never judged (e.g. the number of schools)

    _to_text = field_validator("name", mode="before")(_text)


class Indicator(_Model):
    code: str
    name: Text
    unit: str = ""
    kind: Kind
    direction: Direction = ">="
    scope: Scope = "commune"
    aggregation: Aggregation = "commune_only"
    thresholds: list[ThresholdRule] = Field(default_factory=list)
    parts: list[Part] = Field(default_factory=list)
    note: str = ""

    _to_text = field_validator("name", mode="before")(_text)

    @model_validator(mode="after")
    def _consistent(self) -> Indicator:
        if self.kind == "boolean" and self.direction != "==":
            raise ValueError("a boolean indicator's direction is '==' (the required answer)")
        if self.scope == "commune" and self.aggregation != "commune_only":
            raise ValueError(
                "an indicator with scope 'commune' must use aggregation 'commune_only'"
            )
        if self.scope == "village" and self.aggregation == "commune_only":
            raise ValueError("an indicator with scope 'village' needs an aggregation rule")
        if self.parts and self.thresholds:
            raise ValueError("an indicator with parts carries its thresholds on the parts")
        if self.aggregation == "ratio" and self.kind != "percent":
            raise ValueError("aggregation 'ratio' is for percent indicators")
        if self.aggregation == "all" and self.kind != "boolean":
            raise ValueError("aggregation 'all' is for boolean indicators")
        if self.aggregation == "share" and self.kind != "percent":
            raise ValueError(
                "aggregation 'share' gives a percent of villages: kind must be percent"
            )
        return self

    @property
    def measured(self) -> list[Part]:
        """The values a return carries for this indicator: its parts, or itself as one part."""
        if self.parts:
            return list(self.parts)
        return [
            Part(
                code=self.code,
                name=self.name,
                unit=self.unit,
                kind=self.kind,
                direction=self.direction,
                thresholds=self.thresholds,
            )
        ]

    @property
    def verified(self) -> bool:
        rules = [r for part in self.measured for r in part.thresholds]
        return bool(rules) and all(r.verified for r in rules)


class Criterion(_Model):
    number: str
    name: Text
    indicators: list[Indicator]

    _to_text = field_validator("name", mode="before")(_text)


class KeyDef(_Model):
    id: str
    name: Text
    # What a region or group is (Decision 51/2025/QĐ-TTg defines the commune groups): shown in
    # Cài đặt beside the choice and in the warning for a commune without one.
    definition: Text = Field(default_factory=lambda: Text(vi=""))

    _to_text = field_validator("name", "definition", mode="before")(_text)


class LegalBasis(_Model):
    decision: str
    date: dt.date
    annex: str = ""
    amended_by: list[str] = Field(default_factory=list)
    in_force: dt.date | None = None


class Years(_Model):
    first: int
    last: int


class CriteriaSet(_Model):
    id: str
    title: Text
    legal_basis: LegalBasis
    years: Years
    # "village": a province's set for its villages (thôn/bản), e.g. Bắc Kạn's Decision
    # 902/QĐ-UBND; each village is then also judged on it (ntm.village_sets). `province` names
    # the province that issued it ("" for a national set).
    level: Level = "commune"
    province: str = ""
    keyed_by: KeyedBy
    keys: list[KeyDef]
    complete: bool
    # What an incomplete set lacks, each note in its languages ({vi, en}; a plain string is the
    # Vietnamese alone): a sentence is never shown with both languages in it.
    missing: list[Text] = Field(default_factory=list)
    expected_indicators: int | None = None
    criteria: list[Criterion]
    # 0 = the shipped file in criteria/; n = revision n stored in the database (set by storage,
    # never written in a file). An assessment records the revision it used.
    revision: int = 0

    _to_text = field_validator("title", mode="before")(_text)

    @field_validator("missing", mode="before")
    @classmethod
    def _missing_texts(cls, value: object) -> object:
        return [_text(v) for v in value] if isinstance(value, list) else value

    def missing_text(self, lang: str) -> str:
        """What the set lacks, in `lang` (each note falls back to Vietnamese)."""
        return " ".join(m.get(lang) for m in self.missing)

    def problems(self) -> list[tuple[str, str]]:
        """Cross-field problems, each with its path in the document (all of them, not the first)."""
        found: list[tuple[str, str]] = []
        key_ids = {k.id for k in self.keys}
        seen: dict[str, str] = {}

        def claim(code: str, where: str) -> None:
            if code in seen:
                found.append((where, f"code {code!r} already used at {seen[code]}"))
            else:
                seen[code] = where

        def check_rules(rules: list[ThresholdRule], code: str, kind: str, where: str) -> None:
            for r, rule in enumerate(rules):
                if rule.key is not None and rule.key not in key_ids:
                    found.append(
                        (
                            f"{where}.{r}.key",
                            f"indicator {code}: threshold key "
                            f"{rule.key!r} is not one of the set's {self.keyed_by}s "
                            f"{sorted(key_ids)}",
                        )
                    )
                if rule.value is not None and isinstance(rule.value, bool) != (kind == "boolean"):
                    found.append(
                        (
                            f"{where}.{r}.value",
                            f"indicator {code}: a {kind} threshold cannot be {rule.value!r}",
                        )
                    )

        for c, criterion in enumerate(self.criteria):
            for i, ind in enumerate(criterion.indicators):
                base = f"criteria.{c}.indicators.{i}"
                claim(ind.code, f"{base}.code")
                check_rules(ind.thresholds, ind.code, ind.kind, f"{base}.thresholds")
                for p, part in enumerate(ind.parts):
                    claim(part.code, f"{base}.parts.{p}.code")
                    if part.kind == "boolean" and part.direction != "==":
                        found.append(
                            (f"{base}.parts.{p}.direction", "a boolean value's direction is '=='")
                        )
                    check_rules(
                        part.thresholds, part.code, part.kind, f"{base}.parts.{p}.thresholds"
                    )
        if self.years.first > self.years.last:
            found.append(("years.first", "years.first is after years.last"))
        if not self.complete and not self.missing:
            found.append(("missing", "an incomplete set must say what is missing"))
        return found

    # --- look-ups -------------------------------------------------------------------------
    def indicators(self) -> list[tuple[Criterion, Indicator]]:
        return [(c, i) for c in self.criteria for i in c.indicators]

    def indicator(self, code: str) -> Indicator | None:
        return self._by_code().get(code)

    def _by_code(self) -> dict[str, Indicator]:
        return {i.code: i for _, i in self.indicators()}

    def measured_codes(self) -> dict[str, tuple[Indicator, Part]]:
        """Every code a return may carry (indicator codes and part codes)."""
        out: dict[str, tuple[Indicator, Part]] = {}
        for _, ind in self.indicators():
            for part in ind.measured:
                out[part.code] = (ind, part)
        return out

    def key_ids(self) -> list[str]:
        return [k.id for k in self.keys]

    def covers(self, year: int) -> bool:
        return self.years.first <= year <= self.years.last

    def indicator_count(self) -> int:
        return sum(len(c.indicators) for c in self.criteria)

    def unverified_count(self) -> int:
        return sum(1 for _, i in self.indicators() if not i.verified)


def pick_threshold(
    rules: Iterable[ThresholdRule], key: str | None, year: int, denominator: float | None = None
) -> ThresholdRule | None:
    """The most specific rule for (key, year); `None` when no rule applies.

    A rule for the general key applies to every key that has no rule of its own.
    """
    best: ThresholdRule | None = None
    best_rank = (-1, -1)
    for rule in rules:
        if rule.key not in (None, GENERAL_KEY) and rule.key != key:
            continue
        if rule.year is not None and rule.year != year:
            continue
        conditional = rule.when_denominator_at_most is not None
        if conditional and (denominator is None or denominator > rule.when_denominator_at_most):  # type: ignore[operator]
            continue
        keyed = rule.key not in (None, GENERAL_KEY)
        rank = ((2 if keyed else 0) + (1 if rule.year is not None else 0), 1 if conditional else 0)
        if rank > best_rank:
            best, best_rank = rule, rank
    return best


# --- loading --------------------------------------------------------------------------------


def _error_details(exc: ValidationError) -> list[tuple[str, str]]:
    return [(".".join(str(p) for p in err["loc"]) or "(top)", err["msg"]) for err in exc.errors()]


def parse_set(data: object, source: str) -> CriteriaSet:
    """Validate a decoded criteria document. Raises CriteriaError naming `source` and the path."""
    try:
        crit = CriteriaSet.model_validate(data)
    except ValidationError as exc:
        raise CriteriaError(source, _error_details(exc)) from None
    problems = crit.problems()
    if problems:
        raise CriteriaError(source, problems)
    return crit


def load_file(path: Path) -> CriteriaSet:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CriteriaError(str(path), [("(file)", f"not valid YAML: {exc}")]) from None
    crit = parse_set(data, str(path))
    if crit.id != path.stem:
        raise CriteriaError(
            str(path), [("id", f"id {crit.id!r} differs from file name {path.stem!r}")]
        )
    return crit


@cache
def shipped_sets(directory: Path = CRITERIA_DIR) -> dict[str, CriteriaSet]:
    """Every set in criteria/*.yaml by id (cached: the files are read-only at run time)."""
    return {p.stem: load_file(p) for p in sorted(directory.glob("*.yaml"))}


def get_set(set_id: str, extra: dict[str, CriteriaSet] | None = None) -> CriteriaSet:
    sets = {**shipped_sets(), **(extra or {})}
    try:
        return sets[set_id]
    except KeyError:
        raise KeyError(f"unknown criteria set {set_id!r}; known: {sorted(sets)}") from None


def choose_set(
    year: int,
    *,
    known: Mapping[str, CriteriaSet],
    forced: CriteriaSet | None = None,
    own: str | None = None,
) -> CriteriaSet:
    """The commune set that judges `year`: the one forced (`--criteria`), else the commune's
    own set (chosen on Cài đặt, when `known`), else the set in force for the year. `known`:
    the shipped sets with those users imported or edited in place of their shipped file.
    The reader and the assessment both choose here, so a return is read against the set that
    judges it. Raises NoCriteriaSetError."""
    if forced is not None:
        return forced
    if own and own in known and known[own].level == "commune":
        return known[own]
    return set_for_year(year, "commune", list(known.values()))


def set_for_year(
    year: int, level: Level = "commune", sets: Iterable[CriteriaSet] | None = None
) -> CriteriaSet:
    """The national set in force for `year` at `level`. Raises NoCriteriaSetError if none."""
    candidates = [
        s
        for s in (sets if sets is not None else shipped_sets().values())
        if s.level == level and s.covers(year)
    ]
    if not candidates:
        raise NoCriteriaSetError(year, level)
    # Prefer a complete set, then the most recent decision.
    candidates.sort(key=lambda s: (s.complete, s.legal_basis.date), reverse=True)
    return candidates[0]
