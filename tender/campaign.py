"""The campaign folder: where each file lives, loading it whole, and creating a new one."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml

from criteria.catalogue import catalogue
from criteria.errors import CampaignError, ConfigError, DataError, MultiDataError
from criteria.excel import read_criteria, write_criteria
from criteria.model import CriteriaSet
from criteria.safe import write_text_atomic
from tender.config import MESSAGES, Settings, load_settings, render_settings, spoken_language
from vendors.io import group_columns, read_testers, read_vendors, write_testers, write_vendors
from vendors.model import Tester, Vendor

_T = TypeVar("_T")


@dataclass(frozen=True)
class Paths:
    """Every file and folder of a campaign (DESIGN.md section 3)."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / "tender.yaml"

    @property
    def criteria(self) -> Path:
        return self.root / "criteria.xlsx"

    @property
    def vendors(self) -> Path:
        return self.root / "vendors.xlsx"

    @property
    def testers(self) -> Path:
        return self.root / "testers.xlsx"

    @property
    def sheets(self) -> Path:
        return self.root / "sheets"

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def state(self) -> Path:
        return self.root / ".tender"

    @property
    def ledger(self) -> Path:
        return self.state / "ledger.sqlite"

    @property
    def archive(self) -> Path:
        return self.state / "archive"

    @property
    def inputs(self) -> tuple[Path, ...]:
        """The four files a user edits."""
        return (self.config, self.criteria, self.vendors, self.testers)

    @property
    def written(self) -> tuple[Path, ...]:
        """The folders rse-tender writes files into (atomically, through temporary files beside them)."""
        return (self.root, self.sheets, self.out, self.state, self.archive)


@dataclass(frozen=True)
class Campaign:
    """A loaded, validated campaign."""

    paths: Paths
    settings: Settings
    criteria: CriteriaSet
    vendors: tuple[Vendor, ...]
    testers: tuple[Tester, ...]

    @property
    def group_columns(self) -> tuple[str, ...]:
        """The tester group columns used for segments."""
        return group_columns(self.testers)


#: What is wrong with a campaign folder, in the campaign's language (English when it has none yet).
FOLDER_MESSAGES = {
    "en": {
        "incomplete": "{root} is not a complete campaign: {missing} missing; create one with 'tender init'",
        "exists": "{root} already holds a campaign ({existing}); use --force to overwrite it",
    },
    "fr": {
        "incomplete": "{root} n'est pas une campagne complète : il manque {missing} ; "
        "créez-en une avec « tender init »",
        "exists": "{root} contient déjà une campagne ({existing}) ; ajoutez --force pour la remplacer",
    },
}


def load_campaign(root: Path) -> Campaign:
    """Load every file of the campaign in ``root`` and check they agree with each other."""
    paths = Paths(Path(root))
    if not paths.root.is_dir():
        raise CampaignError(f"campaign folder {paths.root} does not exist; create one with 'tender init {paths.root}'")
    missing = [p.name for p in paths.inputs if not p.exists()]
    if missing:
        words = FOLDER_MESSAGES[spoken_language(paths.config)]
        raise CampaignError(words["incomplete"].format(root=paths.root, missing=", ".join(missing)))
    settings = load_settings(paths.config)
    # Each file is read even when an earlier one has problems: one run names them all (errors are data).
    errors: list[DataError] = []
    criteria = _read(read_criteria, paths.criteria, errors)
    vendors = _read(read_vendors, paths.vendors, errors)
    testers = _read(read_testers, paths.testers, errors)
    if errors:
        flat = [e for error in errors for e in (error.errors if isinstance(error, MultiDataError) else [error])]
        # The loaders word their problems in English; the campaign's language is known here.
        raise (flat[0] if len(flat) == 1 else MultiDataError(flat)).localized(settings.language)
    # Without errors every file was read.
    assert criteria is not None
    assert vendors is not None
    assert testers is not None
    columns = group_columns(testers)
    if settings.balance_groups and settings.balance_groups not in columns:
        words = MESSAGES[settings.language]
        known = ", ".join(columns) or words["no_groups"]
        raise ConfigError(words["balance_groups"].format(column=settings.balance_groups, known=known))
    return Campaign(paths, settings, criteria, vendors, testers)


def _read(loader: Callable[[Path], _T], path: Path, errors: list[DataError]) -> _T | None:
    """``loader(path)``, or None with its problems added to ``errors``."""
    try:
        return loader(path)
    except DataError as error:
        errors.append(error)
        return None


def check_campaign(root: Path) -> Campaign:
    """Load the campaign and check it is ready to be scored, as `tender score` will need it.

    Beyond loading, this runs the scoring method on no scores at all, which checks what
    only scoring checks (e.g. every vendor has a price when the price counts).
    """
    import pandas as pd

    from tender.results import scoring_params  # imported here: results builds on this module
    from vendors.scoring import SCORE_COLUMNS, score

    campaign = load_campaign(root)
    dtypes = {"score": "float64", "na": "bool"}
    empty = pd.DataFrame({column: pd.Series(dtype=dtypes.get(column, "str")) for column in SCORE_COLUMNS})
    score(campaign.criteria, campaign.vendors, empty, scoring_params(campaign.settings), campaign.testers)
    return campaign


@cache
def texts() -> dict[str, Any]:
    """Bundled example texts (campaign description, vendors, names, comments) in both languages."""
    raw = resources.files("tender").joinpath("data", "demo_texts.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(raw)
    return data


def init_campaign(
    root: Path,
    language: str = "en",
    force: bool = False,
    vendors: tuple[Vendor, ...] | None = None,
    testers: tuple[Tester, ...] | None = None,
    extra_settings: dict[str, Any] | None = None,
) -> Paths:
    """Write a ready-to-edit campaign: tender.yaml, criteria.xlsx, vendors.xlsx, testers.xlsx."""
    paths = Paths(Path(root))
    existing = [p.name for p in paths.inputs if p.exists()]
    if existing and not force:
        words = FOLDER_MESSAGES.get(language, FOLDER_MESSAGES["en"])
        raise CampaignError(words["exists"].format(root=paths.root, existing=", ".join(existing)))
    paths.root.mkdir(parents=True, exist_ok=True)
    for folder in (paths.sheets, paths.inbox, paths.out):
        folder.mkdir(exist_ok=True)
    campaign = texts()["campaign"]
    values: dict[str, Any] = {
        "name": campaign["name"][language],
        "organisation": campaign["organisation"][language],
        "campaign_id": "C-" + secrets.token_hex(5),
        "language": language,
        "currency": "EUR",
        "users": 2400,
        "context": campaign["context"][language],
        "objectives": campaign["objectives"][language],
        "instructions": campaign["instructions"][language],
        "tester_instructions": campaign["tester_instructions"][language],
    }
    values.update(extra_settings or {})
    write_text_atomic(paths.config, render_settings(values))
    write_criteria(catalogue(language), paths.criteria, language)
    write_vendors(vendors or placeholder_vendors(language), paths.vendors, language)
    write_testers(testers or placeholder_testers(language), paths.testers, language)
    return paths


def set_aside_earlier_campaign(root: Path, now: dt.datetime | None = None) -> Path | None:
    """Move an earlier campaign's ledger, archive and inbox into ``root/replaced-<UTC time>/``; return that folder.

    A campaign written again with --force (init or demo) is another campaign (another ID): its
    ledger must start empty, or the new campaign would be refused as someone else's (and the
    earlier testers' workbooks would wait in the inbox). Moved, not deleted: --force may have been
    aimed at a real campaign by mistake. None when there was nothing to move.
    """
    paths = Paths(root)
    earlier = [path for path in (paths.state, paths.inbox) if path.is_dir() and any(path.iterdir())]
    if not earlier:
        return None
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    folder = root / f"replaced-{stamp}"
    folder.mkdir()
    for path in earlier:
        path.rename(folder / path.name)
    paths.inbox.mkdir(exist_ok=True)  # where the new campaign's workbooks will arrive
    return folder


def placeholder_vendors(language: str) -> tuple[Vendor, ...]:
    """Three rows to overwrite with the real candidates and their prices."""
    label = "Fournisseur" if language == "fr" else "Vendor"
    return tuple(Vendor(f"V{i}", f"{label} {chr(64 + i)}") for i in range(1, 4))


def placeholder_testers(language: str) -> tuple[Tester, ...]:
    """A few example testers showing the group columns used for segments."""
    data = texts()
    columns = ("département", "niveau", "génération") if language == "fr" else ("department", "level", "generation")
    rows = []
    for i in range(4):
        groups = dict(
            zip(
                columns,
                (data["departments"][language][i], data["levels"][language][i], data["generations"][language][i]),
                strict=True,
            )
        )
        name = f"{data['first_names'][i]} {data['last_names'][i]}"
        rows.append(Tester(f"T{i + 1:03d}", name, f"tester{i + 1}@example.org", groups))
    return tuple(rows)
