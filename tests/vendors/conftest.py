"""Fixtures for score workbooks: a campaign, its workbook spec and generated sheets, LibreOffice re-saves."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from criteria.catalogue import scale_labels
from tender.campaign import Campaign, init_campaign, load_campaign
from vendors.intake import Expected
from vendors.model import Tester, Vendor
from vendors.workbook import WorkbookSpec, write_workbooks

SOFFICE = "/usr/bin/soffice"


def spec_of(campaign: Campaign, deadline: dt.date | None = None, contact: str = "") -> WorkbookSpec:
    """The workbook spec of a loaded campaign (what tender sheets passes to vendors/workbook.py)."""
    s = campaign.settings
    return WorkbookSpec(
        campaign_id=s.campaign_id,
        campaign_name=s.name,
        criteria=campaign.criteria,
        vendors=campaign.vendors,
        scale=s.scale,
        scale_labels=scale_labels(s.scale, s.language),
        language=s.language,
        organisation=s.organisation,
        deadline=deadline or s.deadline,
        tester_instructions=s.tester_instructions,
        contact=contact or s.contact,
    )


def expected_of(campaign: Campaign) -> Expected:
    """What intake checks a workbook of this campaign against."""
    s = campaign.settings
    return Expected(
        campaign_id=s.campaign_id,
        criteria_version=campaign.criteria.version(),
        criteria=campaign.criteria.ids,
        vendors={v.id: v.name for v in campaign.vendors},
        testers=frozenset(t.id for t in campaign.testers),
        scale=s.scale,
        language=s.language,
    )


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
