"""Fixtures for score workbooks: a campaign, its workbook spec and generated sheets, LibreOffice re-saves."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from tender.campaign import Campaign, init_campaign, load_campaign
from tender.collect import expected_of, workbook_spec
from vendors.intake import Expected
from vendors.model import Tester, Vendor
from vendors.workbook import WorkbookSpec, write_workbooks

SOFFICE = "/usr/bin/soffice"


def spec_of(campaign: Campaign, deadline: dt.date | None = None, contact: str = "") -> WorkbookSpec:
    """The workbook spec tender sheets uses, with the deadline and contact optionally replaced."""
    spec = workbook_spec(campaign)
    return replace(spec, deadline=deadline or spec.deadline, contact=contact or spec.contact)


MakeCampaign = Callable[..., Campaign]


@pytest.fixture
def make_campaign(tmp_path: Path) -> MakeCampaign:
    """Factory: a campaign written by init_campaign with its sheets generated in DIR/sheets."""

    def make(
        language: str = "en",
        vendors: tuple[Vendor, ...] | None = None,
        testers: tuple[Tester, ...] | None = None,
        name: str = "c",
        **settings: object,
    ) -> Campaign:
        paths = init_campaign(
            tmp_path / name, language=language, vendors=vendors, testers=testers, extra_settings=dict(settings)
        )
        campaign = load_campaign(paths.root)
        write_workbooks(spec_of(campaign), campaign.testers, campaign.paths.sheets)
        return campaign

    return make


@pytest.fixture
def campaign(make_campaign: MakeCampaign) -> Campaign:
    """An English campaign: 3 vendors (V1-V3), 4 testers (T001-T004), the bundled criteria, sheets generated."""
    return make_campaign(campaign_id="C-test", deadline="2027-03-12", contact="pilot@example.org")


def _soffice_convert(source: Path, fmt: str, outdir: Path) -> Path:
    """Re-save ``source`` with LibreOffice headless as ``fmt`` (xlsx, ods, xls) into ``outdir``.

    Each call gets its own user profile so that parallel runs never share a lock.
    """
    profile = Path("/tmp") / f"rse-tender-lo-{uuid.uuid4().hex}"
    outdir.mkdir(parents=True, exist_ok=True)
    command = [
        SOFFICE,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--convert-to",
        fmt,
        "--outdir",
        str(outdir),
        str(source),
    ]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=180)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    target = outdir / f"{source.stem}.{fmt}"
    assert target.exists(), f"LibreOffice did not write {target}"
    return target


@pytest.fixture
def spec_for() -> Callable[..., WorkbookSpec]:
    """The function building a campaign's workbook spec."""
    return spec_of


@pytest.fixture
def expected_for() -> Callable[[Campaign], Expected]:
    """The function building what intake expects of a campaign's workbooks."""
    return expected_of


@pytest.fixture
def resave() -> Callable[[Path, str, Path], Path]:
    """Re-save a workbook with LibreOffice headless: resave(source, "xlsx" | "ods" | "xls", outdir)."""
    return _soffice_convert
