"""`ntm report --format table`: each commune's year for people, from the view models Tổng quan
shows (`ntm.views`): the headline (criteria met X/N and the change since the previous year,
villages at standard), every criterion with its status, what blocks the unmet ones (value,
threshold, gap, villages behind) and what cannot be judged yet, and why.

The year is `--period`, else each commune's latest; all years are assessed, so the change
since the previous year is known. `--commune` of a commune formed by a merger prints each
predecessor's year first, under "Dương Quang (trước sáp nhập)", judged on its own profile.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ntm import formatting as fmt
from ntm import views
from ntm.i18n import t
from ntm.views import CommuneAssessment


def print_views(store: Any, period: int | None, commune: str | None, lang: str) -> None:
    judged = views.assess_store(store, commune=commune)
    names = [commune] if commune is not None else judged.names()
    blocks = []
    for name in names:
        ca = judged.of(name)
        # `--commune` of a merged commune: each predecessor's own year first, under its own
        # name (issue 16); without `--commune` the predecessors are communes of the list.
        units = [
            (views.before_label(p.name, lang), p.assessment)
            for p in (views.lineage(ca) if commune is not None else [])
        ]
        for label, unit in [*units, (None, ca)]:
            years = views.years(unit)
            year = period if period is not None else (max(years) if years else None)
            if year is None or year not in years:
                continue
            lines = commune_lines(unit, year, lang)
            blocks.append("\n".join([label, *lines] if label else lines))
    if blocks:
        print("\n\n".join(blocks))


def commune_lines(ca: CommuneAssessment, year: int, lang: str) -> list[str]:
    """The commune's year as lines of text (empty when it has no data that year)."""
    top = views.headline(ca, year)
    crit = views.criteria_set_of(ca, year)
    if top is None or crit is None:
        return []
    lines = [
        t("cli.report.title", lang, commune=ca.commune, year=year),
        t("cli.report.criteria_set", lang, title=crit.title.get(lang), set_id=crit.id),
        _count(t("ui.overview.criteria_met", lang), top.met, top.total, top.change, lang),
        _count(
            t("ui.overview.villages_at_standard", lang),
            top.villages_at_standard,
            top.villages_total,
            top.village_change,
            lang,
        ),
        "",
        _criteria_table(ca, year, lang),
        "",
        t("ui.overview.blockers", lang, year=year),
    ]
    blocked = views.blockers(ca, year, lang)
    if not blocked:
        lines.append("  " + t("ui.overview.no_blockers", lang))
    for item in blocked:
        lines.append(f"  {t('ui.criterion_label', lang, number=item.number)} · {item.name}")
        for ind in item.indicators:
            text = t(
                "ui.overview.sentence",
                lang,
                code=ind.code,
                name=ind.name,
                value=ind.value_text,
                threshold=ind.threshold_text,
            )
            if ind.gap_text != fmt.MISSING:
                text += t("ui.overview.sentence_gap", lang, gap=ind.gap_text)
            if ind.villages:
                behind = "; ".join(views.village_sentence(v, lang) for v in ind.villages)
                text += t("ui.overview.sentence_villages", lang, villages=behind)
            lines.append(f"    - {text}")
    unknown = views.unknown(ca, year, lang)
    if unknown:
        lines += ["", t("ui.overview.unknown", lang)]
        lines += [f"  {u.number} · {u.name}: {u.reason}" for u in unknown]
    return lines


def _count(label: str, n: int, total: int, change: Any, lang: str) -> str:
    text = f"{label}: {n}/{total}"
    if change is not None:
        since = t("ui.overview.since", lang, year=change.since)
        text += f" ({fmt.change(change.by, lang, since).text})"
    return text


def _criteria_table(ca: CommuneAssessment, year: int, lang: str) -> str:
    rows = [
        {
            t("ui.col.criterion", lang): c.number,
            t("ui.col.name", lang): c.name,
            t("ui.col.status", lang): fmt.status_label(c.status, lang),
            t("cli.report.villages_met", lang): (
                f"{c.villages_met}/{c.villages_total}" if c.villages_total is not None else ""
            ),
        }
        for c in views.criteria(ca, year, lang)
    ]
    frame = pd.DataFrame(rows)
    return frame.to_string(index=False) if len(frame) else ""
