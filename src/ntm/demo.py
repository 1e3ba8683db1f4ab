"""The bundled demo (dữ liệu minh họa): where it is, when it is loaded, how it is recognised.

- Files: the illustrative returns in `ntm.paths.demo_dir()` (written by
  scripts/make_demo_data.py): xã Phong Quang (Thái Nguyên), formed on 1 Jul 2025, its 2026
  return, and its predecessors Dương Quang and Đôn Phong (generic village names) for 2021-2025;
  with `communes.yaml`, the communes' settings and the lineage of Phong Quang's villages.
- When: only into an empty database (no upload at all), and only into the default database (the
  README's first run) unless the `seed_demo` setting says otherwise (ntm.config). `ntm demo`
  loads it before the app serves (the Makefile's `run` does), so the first visitor does not
  wait; the app loads it on first use too, saying so on the page.
- How it is recognised, one rule used by the dashboard badge and by every export: the upload's
  recorded provenance. The demo is stored as uploaded by the reserved name `DEMO_USER`, which
  no account and no `ntm import --user` may take. File names say nothing: a commune's own
  `duong-quang-2025.xlsx` is its real data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from ntm import config, paths
from ntm.storage import CommuneProfile, ImportOutcome, Store, default_url

DEMO_USER = "demo"


class ReservedName(ValueError):
    """A person or account may not be recorded under the demo's name."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(f"{name!r} is reserved for the bundled demo data; choose another name")


def is_reserved(name: str) -> bool:
    return name.strip().casefold() == DEMO_USER


def check_name(name: str) -> str:
    """`name` itself, or ReservedName when it is the demo's (a real upload never carries it)."""
    if is_reserved(name):
        raise ReservedName(name)
    return name


def folder() -> Path:
    return paths.demo_dir()


def wanted(url: str) -> bool:
    """Whether the demo belongs in the database at `url`: the default database only (a database
    named by URL, e.g. a province's server, starts empty), unless `seed_demo` says either way."""
    chosen = config.settings().seed_demo
    return url == default_url() if chosen is None else chosen


def needs_seed(store: Store) -> bool:
    """Nothing was ever uploaded to `store`."""
    return store.uploads(limit=1).empty


def seed(store: Store, source: Path | None = None) -> list[ImportOutcome]:
    """Import the demo returns (as `DEMO_USER`) if the database has no upload at all."""
    if not needs_seed(store):
        return []
    source = source or folder()
    # The communes' settings first (the merger, the province village set the predecessors
    # follow, the village lineage), so the returns are read as they would be for them.
    profiles = source / "communes.yaml"
    if profiles.is_file():
        load_profiles(store, yaml.safe_load(profiles.read_text(encoding="utf-8")) or [])
    return [store.import_file(path, user=DEMO_USER) for path in sorted(source.glob("*.xlsx"))]


def load_profiles(store: Store, entries: list[dict[str, Any]]) -> None:
    """Save each entry as a commune profile (in order: a commune merged into another comes after
    it), then each `villages_from` village of the commune formed by a merger, valid from that
    commune's `valid_from` and recording the predecessor's village it came from."""
    lineage: list[tuple[str, dt.date | None, str, list[str]]] = []
    for entry in entries:
        fields = dict(entry)
        origins = fields.pop("villages_from", None) or {}
        base = store.commune(fields["name"]) or CommuneProfile(name=fields["name"])
        store.save_commune(dataclasses.replace(base, **fields), user=DEMO_USER)
        lineage += [
            (fields["name"], fields.get("valid_from"), origin, list(names))
            for origin, names in origins.items()
        ]
    for commune, since, origin, names in lineage:
        for name in names:
            store.save_village(
                commune, name, valid_from=since, came_from=(origin, name), user=DEMO_USER
            )


def is_demo(uploads: pd.DataFrame) -> bool:
    """Whether `uploads` (rows of `Store.uploads()`: the uploads behind what is shown) hold
    the bundled demo, by their recorded uploader."""
    return bool(len(uploads)) and bool((uploads["user"] == DEMO_USER).any())
