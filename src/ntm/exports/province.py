"""The province's numbers for a meeting (Tỉnh, issue 17): a deck (PPTX) and tables (XLSX).

    report = ProvinceReport(view, name="Thái Nguyên", source_text=…, as_of_text=…, demo=False,
                            generated=now)
    province_pptx(report); province_xlsx(report)

Both draw one `ntm.views.ProvinceView` (what the Tỉnh page shows), so the page, the slides
and the workbook say the same numbers: communes at standard of how many, the distribution of
criteria met per criteria set, the communes × criteria grid, the communes close to standard
with what blocks them, and the trend per set. The texts shared by both formats are here; the
layouts are `province_pptx.py` and `province_xlsx.py`. Core code: no streamlit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ntm import formatting as fmt
from ntm.exports.model import slug
from ntm.i18n import t
from ntm.views import CloseCommune, CommuneLine, ProvinceView

__all__ = ["ProvinceReport", "province_pptx", "province_xlsx"]


@dataclass(frozen=True)
class ProvinceReport:
    """A province's year as the exports draw it: the view and what is printed around it."""

    view: ProvinceView
    name: str  # the province in words ("Chưa ghi tỉnh" for the communes without one)
    source_text: str  # "báo cáo của các xã (Thái Nguyên)", or the demo's source
    as_of_text: str  # the date the data runs to, written in the language
    demo: bool
    generated: dt.datetime

    @property
    def lang(self) -> str:
        return self.view.lang

    def tr(self, key: str, /, **params: Any) -> str:
        return t(key, self.lang, **params)

    def filename(self, ext: str) -> str:
        return f"ntm-tinh-{slug(self.name)}-{self.view.year}.{ext}"

    @property
    def subtitle(self) -> str:
        return self.tr("export.province.subtitle", province=self.name, year=self.view.year)

    def footer(self) -> str:
        return " · ".join(
            [
                self.tr("chart.source", source=self.source_text),
                self.tr("chart.as_of", date=self.as_of_text),
            ]
        )

    @property
    def filters_text(self) -> str:
        """ "Nhóm xã: 2 · Vùng: tdmnpb", or "" without filters."""
        parts = []
        if self.view.group:
            parts.append(f"{self.tr('ui.province.group')}: {self.view.group}")
        if self.view.region:
            parts.append(f"{self.tr('ui.province.region')}: {self.view.region}")
        return " · ".join(parts)

    @property
    def share_text(self) -> str:
        share = self.view.share
        return fmt.percent(None if share is None else 100 * share, self.lang)

    @property
    def headline_text(self) -> str:
        """ "Số xã đạt chuẩn: 1/6 (16,7%)"."""
        v = self.view
        return self.tr(
            "export.province.headline", at=v.at_standard, total=v.total, share=self.share_text
        )

    def status(self, line: CommuneLine) -> str:
        """Đạt chuẩn / Gần đạt chuẩn / Chưa đạt chuẩn."""
        return self.tr(f"ui.province.status.{line.standing}")

    def set_label(self, set_id: str) -> str:
        return self.view.sets.get(set_id, set_id)

    def no_data_text(self) -> str:
        return ", ".join(self.view.no_data)

    def merged_text(self) -> str:
        return self._pairs(self.view.merged)

    def before_merger_text(self) -> str:
        return self._pairs(self.view.before_merger)

    def _pairs(self, pairs: tuple[tuple[str, str], ...]) -> str:
        return ", ".join(self.tr("ui.province.merged_item", commune=c, into=i) for c, i in pairs)

    def close_rows(self, item: CloseCommune) -> list[list[str]]:
        """One row per unmet indicator (criterion, indicator, value, threshold, gap, villages)
        and per criterion that cannot be judged (its reason)."""
        rows = []
        for crit in item.blockers:
            for ind in crit.indicators:
                villages = "; ".join(
                    v.village
                    + (f" {v.value_text}" if v.status == "unmet" else f" ({v.value_text})")
                    for v in ind.villages
                )
                rows.append(
                    [
                        f"{crit.number} · {crit.name}",
                        f"{ind.code} · {ind.name}",
                        ind.value_text,
                        ind.threshold_text,
                        ind.gap_text,
                        villages or "—",
                    ]
                )
        for unknown in item.unknown:
            rows.append([f"{unknown.number} · {unknown.name}", unknown.reason, "", "", "", ""])
        return rows


def province_pptx(report: ProvinceReport) -> bytes:
    from ntm.exports.province_pptx import build

    return build(report)


def province_xlsx(report: ProvinceReport) -> bytes:
    from ntm.exports.province_xlsx import build

    return build(report)
