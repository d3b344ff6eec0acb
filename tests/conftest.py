"""Shared fixtures: a fresh campaign folder made by the real `init` code, a recorder of os.fsync."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tender.campaign import init_campaign


@pytest.fixture
def campaign_dir(tmp_path: Path) -> Path:
    """An English campaign freshly written by init_campaign."""
    return init_campaign(tmp_path / "campaign", language="en").root


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """The (device, inode) of everything os.fsync is called on, in order."""
    real_fsync = os.fsync
    calls: list[tuple[int, int]] = []

    def recording_fsync(fd: int) -> None:
        info = os.fstat(fd)
        calls.append((info.st_dev, info.st_ino))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    return calls
