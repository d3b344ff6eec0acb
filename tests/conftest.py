"""Shared fixtures: a fresh campaign folder made by the real `init` code."""

from __future__ import annotations

from pathlib import Path

import pytest

from tender.campaign import init_campaign


@pytest.fixture
def campaign_dir(tmp_path: Path) -> Path:
    """An English campaign freshly written by init_campaign."""
    return init_campaign(tmp_path / "campaign", language="en").root
