"""How the deck's text is laid out on its slides: how many of an unmet criterion's indicator
rows fit beside its chart and on how many slides, and the lines of the changes slide."""

from __future__ import annotations

from collections.abc import Sequence

from pptx.dml.color import RGBColor

from ntm.exports.pptx_shapes import (
    BLOCKER_PT,
    CHANGE_PT,
    CONTENT_BOTTOM,
    CONTENT_TOP,
    INK,
    MARGIN,
    MUTED,
    SLIDE_W,
    TABLE_PT,
    TABLE_PT_WIDE,
    TABLE_W_WITH_CHART,
    _row,
    _row_height,
    _table_widths,
    _text_height,
)
from ntm.exports.report import PartLine, Report, StatusChange, UnmetCriterion, shorten


def unmet_layout(r: Report, item: UnmetCriterion) -> tuple[float, float, list[list[PartLine]]]:
    """Table width (in), table type size (pt) and the rows of each slide of an unmet
    criterion: beside a chart when one of its indicators has village values, else full width
    in larger type."""
    charted = any(item.chartable(p) for p in item.lines)
    width = TABLE_W_WITH_CHART if charted else SLIDE_W - 2 * MARGIN
    size = TABLE_PT if charted else TABLE_PT_WIDE
    return width, size, unmet_pages(r, item, _table_widths(width), width, size)


def unmet_pages(
    r: Report,
    item: UnmetCriterion,
    widths: Sequence[float],
    width: float,
    size: float = TABLE_PT,
) -> list[list[PartLine]]:
    """Split an unmet criterion's rows (each with its villages' line) into slides whose
    estimated height fits the content area."""
    budget = CONTENT_BOTTOM - CONTENT_TOP - 0.35
    header = _row_height(["x"] * len(widths), widths, size)
    first_extra = (
        _text_height(
            r.tr("export.unmet.already_met", codes=", ".join(item.met_codes)), width, BLOCKER_PT - 2
        )
        if item.met_codes
        else 0.0
    )
    blockers_title = _text_height(r.tr("export.unmet.blockers"), width, BLOCKER_PT + 2)
    pages: list[list[PartLine]] = [[]]
    used = header + first_extra
    has_blockers = False
    for p in item.lines:
        held = item.blockers_of(p.code)
        row = _row_height(_row(p), widths, size)
        villages = _text_height(r.blocker_line(p.code, held), width, BLOCKER_PT) if held else 0.0

        def need(with_title: bool, row: float = row, villages: float = villages) -> float:
            return row + villages + (blockers_title if with_title else 0.0)

        if pages[-1] and used + need(bool(held) and not has_blockers) > budget:
            pages.append([])
            used, has_blockers = header, False
        used += need(bool(held) and not has_blockers)
        pages[-1].append(p)
        has_blockers = has_blockers or bool(held)
    return pages


def change_items(
    r: Report, items: Sequence[StatusChange], mark: str, chars: int, limit: int
) -> list[tuple[str, float, bool, RGBColor]]:
    if not items:
        return [(r.tr("export.changes.none"), CHANGE_PT, False, MUTED)]
    out: list[tuple[str, float, bool, RGBColor]] = [
        (
            f"{mark} {r.tr('export.criterion', number=c.number, name=shorten(c.name, chars))}",
            CHANGE_PT,
            False,
            INK,
        )
        for c in items[:limit]
    ]
    if len(items) > limit:
        rest = ", ".join(c.number for c in items[limit:])
        out.append((r.tr("export.headline.more_criteria", list=rest), CHANGE_PT - 2, False, MUTED))
    return out


# --- entry point -------------------------------------------------------------------------------
