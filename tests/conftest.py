"""Shared test set-up: the repository's src/ is importable even without an editable install."""
