"""Shared test set-up."""

import os

# The tests' app databases are named by URL (a temporary SQLite file each); like the README's
# default database they start from the bundled demo returns. Tests of the rule itself override it.
os.environ.setdefault("NTM_SEED_DEMO", "1")
