"""Cài đặt's sections, one module each, drawn in this order by screens/cai_dat.py:

- `profile`: the commune profile (code, region or group, criteria set, village sets, villages).
- `criteria_sets`: the sets in use, what an incomplete set in force lacks, the sheet download.
- `criteria_import`: a criteria sheet imported from Excel (a new set or a new revision).
- `annex`: the decision's annex as published: upload, review, correct, approve.
- `thresholds`: thresholds edited in place (each save a new revision, audited).
- `change_log`: the criteria change log and the database's details (records, a login).

Each module imports what it draws from `ntm.ui` (never `ntm.ui.widgets`, which re-exports
`profile.key_options`).
"""

FLASH = "criteria_flash"  # a success message to show once after a save and rerun
