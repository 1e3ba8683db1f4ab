"""Crosswalks between criteria sets of successive periods (criteria/crosswalks/*.yaml).

A crosswalk is a reading aid for charts that cross a change of criteria set (2025 → 2026): it
says which older criterion or indicator continues as which newer one. Attainment is always
judged on the set in force for the year, never through a crosswalk. Where there is no
mapping, a chart says "không so sánh được" (not comparable) instead of drawing a line through.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ntm.criteria import CRITERIA_DIR
from ntm.errors import CriteriaError

CROSSWALK_DIR = CRITERIA_DIR / "crosswalks"


class Pair(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: str = Field(alias="from")
    target: str = Field(alias="to")
    note: str = ""
    verified: bool = False


class Unmapped(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: str = Field(alias="from")
    candidates: list[str] = Field(default_factory=list)
    note: str = ""


class Crosswalk(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    from_set: str
    to_set: str
    pairs: list[Pair] = Field(default_factory=list)
    criteria_pairs: list[Pair] = Field(default_factory=list)
    unmapped: list[Unmapped] = Field(default_factory=list)

    def criterion_targets(self, number: str) -> list[str]:
        """The newer criteria an older criterion continues as (empty: not comparable)."""
        return [p.target for p in self.criteria_pairs if p.source == number]

    def indicator_targets(self, code: str) -> list[str]:
        return [p.target for p in self.pairs if p.source == code]

    def comparable_criteria(self) -> dict[str, list[str]]:
        """Newer criterion → the older criteria that map onto it."""
        out: dict[str, list[str]] = {}
        for pair in self.criteria_pairs:
            out.setdefault(pair.target, []).append(pair.source)
        return out


def load_crosswalk(path: Path) -> Crosswalk:
    try:
        return Crosswalk.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (ValidationError, yaml.YAMLError) as exc:
        raise CriteriaError(str(path), [("(file)", str(exc))]) from None


@cache
def crosswalks(directory: Path = CROSSWALK_DIR) -> tuple[Crosswalk, ...]:
    return tuple(load_crosswalk(p) for p in sorted(directory.glob("*.yaml")))


def crosswalk_between(from_set: str, to_set: str) -> Crosswalk | None:
    for walk in crosswalks():
        if walk.from_set == from_set and walk.to_set == to_set:
            return walk
    return None
