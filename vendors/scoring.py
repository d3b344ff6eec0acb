"""The normative scoring method of DESIGN.md section 5, as pure functions over frozen data.

INTERFACE CONTRACT (shared by the ledger, the analysis, the reports and the CLI):

The scores frame (``pd.DataFrame``) that the ledger returns for the current
submissions, one row per (tester, vendor, criterion) present in a workbook:

    tester     str      tester ID
    vendor     str      vendor ID
    criterion  str      criterion ID
    score      float64  the numeric score, NaN when N/A or blank
    na         bool     True when the tester wrote N/A ("could not assess")
    comment    str      the tester's comment ("" when none)

Only rows with a non-NaN score count towards n_{v,i}.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from criteria.model import CriteriaSet
from vendors.model import Tester, Vendor

SCORE_COLUMNS = ("tester", "vendor", "criterion", "score", "na", "comment")


@dataclass(frozen=True)
class ScoringParams:
    """The settings of tender.yaml that the method uses, as plain typed values."""

    scale_max: float
    users: int
    quality_weight: float = 70.0
    price_weight: float = 30.0
    horizon_years: int = 3
    discount_rate: float = 0.0
    price_formula: str = "inverse"
    knockout_threshold: float = 1.0
    aggregation: str = "mean"
    balance_groups: str | None = None


@dataclass(frozen=True)
class CriterionResult:
    """Aggregate of one criterion for one vendor: s_{v,i}, n_{v,i} and the sample sd."""

    score: float | None
    n: int
    sd: float | None


@dataclass(frozen=True)
class Knockout:
    """A MUST criterion whose aggregate fell below the knock-out threshold."""

    criterion: str
    score: float


@dataclass(frozen=True)
class VendorResult:
    """Everything the method says about one vendor."""

    id: str
    name: str
    rank: int | None
    eliminated: bool
    knockouts: tuple[Knockout, ...]
    final_score: float | None
    quality_score: float | None
    price_score: float | None
    tco: float | None
    tco_by_year: tuple[float, ...]
    coverage: float
    categories: Mapping[str, float | None]
    criteria: Mapping[str, CriterionResult]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScoringResult:
    """The verdict: vendors sorted by rank (unranked last), with the parameters used."""

    params: ScoringParams
    criteria_version: str
    vendors: tuple[VendorResult, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)


def score(
    criteria: CriteriaSet,
    vendors: Sequence[Vendor],
    scores: pd.DataFrame,
    params: ScoringParams,
    testers: Sequence[Tester] = (),
) -> ScoringResult:
    """Apply DESIGN.md section 5 to the current scores (``testers`` is needed for balance_groups)."""
    raise NotImplementedError("scoring engine: issue 4")
