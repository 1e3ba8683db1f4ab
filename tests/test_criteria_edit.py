"""Editing a threshold makes a new set revision, changes the assessment, and is audited."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ntm.attainment import assess
from ntm.criteria import get_set
from ntm.criteria_edit import apply_changes, changes_between, thresholds_frame
from ntm.storage import Store
from ntm.values import make_values

SET_ID = "vn-ntm-xa-2021-2025"


def _commune_42(value: float) -> pd.DataFrame:
    return make_values(
        [{"commune": "Xã A", "village": None, "period": 2024, "code": "4.2", "value": value}]
    )


def test_table_shows_the_threshold_for_the_region() -> None:
    table = thresholds_frame(get_set(SET_ID), "tdmnpb").set_index("code")
    assert table.loc["15.3", "threshold"] == 24.0  # TDMNPB stunting ≤ 24 (verified)
    assert bool(table.loc["15.3", "verified"]) is True
    assert table.loc["4.2", "threshold"] == 98.0
    assert "5a" not in table.index  # the number of schools is not judged


def test_edited_threshold_changes_the_assessment(tmp_path: Path) -> None:
    crit = get_set(SET_ID)
    table = thresholds_frame(crit, "tdmnpb")
    table.loc[table["code"] == "4.2", ["threshold", "verified", "source"]] = [
        95.0,
        True,
        "QĐ 318 Phụ lục I, bản chính",
    ]
    changes = changes_between(crit, "tdmnpb", table)
    assert [(c.code, c.before, c.after) for c in changes] == [("4.2", 98.0, 95.0)]
    edited = apply_changes(crit, changes)

    keys = {"Xã A": "tdmnpb"}
    before = assess(_commune_42(96.0), keys=keys, criteria=crit).to_json()["units"][0]
    after = assess(_commune_42(96.0), keys=keys, criteria=edited).to_json()["units"][0]
    assert before["indicators"]["4.2"]["met"] is False
    assert after["indicators"]["4.2"]["met"] is True
    # Other regions keep the general threshold.
    other = assess(_commune_42(96.0), keys={"Xã A": "dbsh"}, criteria=edited).to_json()
    assert other["units"][0]["indicators"]["4.2"]["threshold"] == 98.0

    store = Store(f"sqlite:///{tmp_path / 'edit.db'}").migrate()
    assert store.save_criteria_set(crit, user="quantri") == 1
    assert store.save_criteria_set(edited, user="quantri") == 2
    stored = store.criteria_set(SET_ID)
    assert stored.revision == 2
    result = assess(_commune_42(96.0), keys=keys, extra_sets=[stored]).to_json()
    assert result["units"][0]["criteria_set_revision"] == 2
    assert result["units"][0]["indicators"]["4.2"]["met"] is True
    assert store.criteria_set(SET_ID, revision=1).revision == 1  # the old revision stays
    audit = store.audit(5)
    row = audit[audit["action"] == "criteria_set.revised"].iloc[0]
    assert row["user"] == "quantri"
