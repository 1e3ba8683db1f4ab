"""The only bridge between the screens and the core (DESIGN §2): reads, writes, caching.

    from ntm.ui import services
    ov = services.overview(commune, year, lang)     # ntm.views.Overview, cached

The screens call `services.<name>` for every name below; each lives in the module of its
screen, and this package re-exports them all:

- `common`: the database (`store`, `db_url`), the caches (`clear_caches`,
  `follow_other_writers`), communes and criteria sets, and the commune assessed once for all
  its years (`commune_assessment`: `ntm.views.commune_assessment`, cached), its years, its
  provenance (`data_info`, `chart_source`);
- `figures`: `figure(key, build, …)`, a chart built once and kept while the data caches
  hold (building a plotly figure is most of a cached page run);
- `overview` (Tổng quan, with a merged commune's `history` and `predecessor_years`), `village`
  (Thôn), `criterion` (Tiêu chí, with `predecessor_indicators` and `criterion_links`):
  `st.cache_data` around the `ntm.views` calls; the statuses, gaps and thresholds are
  `ntm.attainment`'s, the view models `ntm.views`', and nothing is computed in this package;
- `province` (Tỉnh): the whole store judged once (`ntm.views.province_source`, a resource
  per data version) and each province view and export cached;
- `upload` (Nhập liệu: template, reading with the configured limits, storing), `data` (Dữ
  liệu: uploads, revisions, originals, restore/delete), `settings` (Cài đặt: the profile).

Writes take the logged-in `ntm.auth.User` and check it with `ntm.auth.require` before touching
the database (PermissionDenied otherwise); every write clears the caches.
"""

from ntm.attainment import MET, NO_THRESHOLD, UNMET, Assessment
from ntm.auth import User
from ntm.criteria import CriteriaSet
from ntm.errors import NoCriteriaSetError, Problem
from ntm.resolve import Choices
from ntm.selfcheck import Disagreement
from ntm.storage import REPLACE, CommuneProfile, ImportOutcome, RevisionRef, Store
from ntm.ui.services.common import (
    PART_COLUMNS,
    XLSX_MIME,
    DataInfo,
    assessment,
    chart_source,
    clear_caches,
    commune_assessment,
    commune_key,
    commune_names,
    communes,
    criteria_for,
    criteria_sets,
    data_info,
    db_url,
    follow_other_writers,
    load_demo_visibly,
    no_set_message,
    periods,
    profile,
    store,
    user_sets,
    village_assessment,
    village_set_in_force,
    village_sets_of,
    whole_commune,
)
from ntm.ui.services.criterion import (
    CriterionLink,
    IndicatorChoice,
    IndicatorView,
    criterion_links,
    indicator,
    indicator_choices,
    predecessor_indicators,
)
from ntm.ui.services.data import (
    delete_revision,
    original,
    restore,
    revisions,
    upload_problems,
    uploads,
)
from ntm.ui.services.figures import figure
from ntm.ui.services.overview import (
    Blocker,
    Overview,
    history,
    overview,
    predecessor_years,
    self_check,
    shown_kind,
)
from ntm.ui.services.province import (
    NO_PROVINCE,
    ProvinceView,
    province_chart_source,
    province_export,
    province_filters,
    province_name,
    province_view,
    province_years,
    provinces,
)
from ntm.ui.services.settings import safe_db_url, save_profile, village_set_clashes
from ntm.ui.services.upload import (
    problems_frame,
    read_upload,
    save_upload,
    template_bytes,
    template_name,
    too_many_files,
    upload_settings,
    values_summary,
)
from ntm.ui.services.village import (
    VillageSetView,
    VillageView,
    set_without_indicators,
    village,
    village_origins,
    village_set_view,
    villages_of,
)
from ntm.values import VALUE_COLUMNS, ReadResult

__all__ = [
    "MET",
    "NO_PROVINCE",
    "NO_THRESHOLD",
    "PART_COLUMNS",
    "REPLACE",
    "UNMET",
    "VALUE_COLUMNS",
    "XLSX_MIME",
    "Assessment",
    "Blocker",
    "Choices",
    "CommuneProfile",
    "CriteriaSet",
    "CriterionLink",
    "DataInfo",
    "Disagreement",
    "ImportOutcome",
    "IndicatorChoice",
    "IndicatorView",
    "NoCriteriaSetError",
    "Overview",
    "Problem",
    "ProvinceView",
    "ReadResult",
    "RevisionRef",
    "Store",
    "User",
    "VillageSetView",
    "VillageView",
    "assessment",
    "chart_source",
    "clear_caches",
    "commune_assessment",
    "commune_key",
    "commune_names",
    "communes",
    "criteria_for",
    "criteria_sets",
    "criterion_links",
    "data_info",
    "db_url",
    "delete_revision",
    "figure",
    "follow_other_writers",
    "history",
    "indicator",
    "indicator_choices",
    "load_demo_visibly",
    "no_set_message",
    "original",
    "overview",
    "periods",
    "predecessor_indicators",
    "predecessor_years",
    "problems_frame",
    "profile",
    "province_chart_source",
    "province_export",
    "province_filters",
    "province_name",
    "province_view",
    "province_years",
    "provinces",
    "read_upload",
    "restore",
    "revisions",
    "safe_db_url",
    "save_profile",
    "save_upload",
    "self_check",
    "set_without_indicators",
    "shown_kind",
    "store",
    "template_bytes",
    "template_name",
    "too_many_files",
    "upload_problems",
    "upload_settings",
    "uploads",
    "user_sets",
    "values_summary",
    "village",
    "village_assessment",
    "village_origins",
    "village_set_clashes",
    "village_set_in_force",
    "village_set_view",
    "village_sets_of",
    "villages_of",
    "whole_commune",
]
