"""Shared fixtures for the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    """Where the data from outside the project lives (``../shared/data`` beside the checkout)."""
    return Path(os.environ.get("SHARINGCITY_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data():
    """Return a function giving a folder of ``../shared/data``, skipping the test when it is absent."""

    def folder(name: str) -> Path:
        path = shared_data_dir() / name
        if not path.is_dir():
            pytest.skip(f"shared data folder {path} is absent; see DEVELOPERS notes in README")
        return path

    return folder
