"""Cài đặt: the commune profile (region/group, criteria set, village sets) and the database."""

from __future__ import annotations

from ntm.auth import Action, User, require
from ntm.storage import CommuneProfile
from ntm.ui.services.common import clear_caches, criteria_sets, db_url, store
from ntm.village_sets import clashing_codes, overlaps, shown_codes


def village_set_clashes(profile_: CommuneProfile) -> list[dict[str, str]]:
    """Each chosen village set sharing codes with a commune set it would be read beside (the
    commune's own set, or every national set of the years it covers): a return could not say
    which set such a value belongs to, so the choice is refused (ntm.village_sets)."""
    sets = criteria_sets()
    found = []
    for village_id in profile_.village_sets:
        vset = sets.get(village_id)
        if vset is None:
            continue
        if profile_.criteria_set and profile_.criteria_set in sets:
            beside = [sets[profile_.criteria_set]]
        else:
            beside = [s for s in sets.values() if s.level == "commune" and overlaps(s, vset)]
        for commune_set in beside:
            codes = clashing_codes(commune_set, vset)
            if codes:
                found.append(
                    {
                        "village_set": vset.id,
                        "commune_set": commune_set.id,
                        "codes": shown_codes(codes),
                    }
                )
    return found


def save_profile(profile_: CommuneProfile, user: User | None) -> None:
    """Create or change a commune profile (admin); PermissionDenied otherwise.

    The region or group and the set in force decide every threshold, so this is an admin
    write like a criteria edit; the audit log names the user.
    """
    who = require(user, Action.EDIT_COMMUNE)
    assert who is not None
    store().save_commune(profile_, user=who.name)
    clear_caches()


def safe_db_url(user: User | None) -> str:
    """The database URL with any password hidden (shown on Cài đặt to a logged-in reader, or
    anyone when NTM_OPEN_RECORDS is set; PermissionDenied otherwise)."""
    from ntm.storage.engine import shown_url

    require(user, Action.VIEW_RECORDS)
    return shown_url(db_url())
