"""The Report every export format draws, under the names callers have always imported.

The Report lives in `ntm.exports.model`, is built from the `ntm.views` models in
`ntm.exports.build`, draws its charts in `ntm.exports.figures`, and is read from the database
in `ntm.exports.provenance`; this module re-exports them.
"""

from ntm.exports.build import build_report, commune_report
from ntm.exports.model import (
    NAME_LIMIT,
    NBSP,
    TITLE_NAME_LIMIT,
    Blocker,
    CriterionLine,
    ExportFigure,
    Line,
    NoDataError,
    PartLine,
    Report,
    UnmetCriterion,
    commune_title,
    shorten,
    slug,
)
from ntm.exports.provenance import data_provenance, report_from_store
from ntm.views import Changes, Headline, StatusChange, VillageChange

__all__ = [
    "NAME_LIMIT",
    "NBSP",
    "TITLE_NAME_LIMIT",
    "Blocker",
    "Changes",
    "CriterionLine",
    "ExportFigure",
    "Headline",
    "Line",
    "NoDataError",
    "PartLine",
    "Report",
    "StatusChange",
    "UnmetCriterion",
    "VillageChange",
    "build_report",
    "commune_report",
    "commune_title",
    "data_provenance",
    "report_from_store",
    "shorten",
    "slug",
]
