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

The engine works on integer codes and ``numpy.bincount`` rather than on
Python loops, so that 2,000 testers x 10 vendors x 120 criteria (2.4 million
rows) score in a fraction of a second; the analysis calls it many times.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from criteria.errors import TenderError
from criteria.model import CriteriaSet, Priority
from vendors.model import Tester, Vendor

SCORE_COLUMNS = ("tester", "vendor", "criterion", "score", "na", "comment")
AGGREGATIONS = ("mean", "median", "trimmed_mean")
PRICE_FORMULAS = ("inverse", "linear")
#: Share of the scores dropped at each end by ``trimmed_mean`` (rounded down, as scipy.stats.trim_mean does).
TRIM = 0.1
#: Final scores are compared at this many decimals, so that float noise never splits a tie.
RANK_DECIMALS = 9


class PriceError(TenderError):
    """Prices in vendors.xlsx are missing or zero while the price counts in the final score."""

    exit_code = 2

    def __init__(self, problems: Sequence[tuple[str, str, str]], price_weight: float, language: str = "en") -> None:
        #: (vendor id, vendor name, vendors.xlsx column) for each problem found.
        self.problems = tuple(problems)
        self.price_weight = price_weight
        words = PRICE_WORDS.get(language, PRICE_WORDS["en"])
        weight = f"{price_weight:g}" if language == "en" else f"{price_weight:g}".replace(".", ",")
        parts = [
            words["no_price" if column == "price_per_user_month" else "zero_total"].format(id=vid, name=name)
            for vid, name, column in self.problems
        ]
        super().__init__(words["message"].format(parts=words["join"].join(parts), weight=weight))

    def localized(self, language: str) -> PriceError:
        """The same problems in the words of ``language``."""
        return PriceError(self.problems, self.price_weight, language)


PRICE_WORDS = {
    "en": {
        "join": "; ",
        "no_price": "vendor {id} ({name}) has no price_per_user_month",
        "zero_total": "vendor {id} ({name}) costs 0 in total (setup_cost, price_per_user_month and "
        "annual_fixed_cost are all 0)",
        "message": "vendors.xlsx: {parts}. The price weighs {weight} in the final score, so every vendor needs a "
        "cost above 0: fill column price_per_user_month (0 for a flat-fee offer) and the other cost columns, or set "
        "price_weight: 0 in tender.yaml",
    },
    "fr": {
        "join": " ; ",
        "no_price": "le fournisseur {id} ({name}) n'a pas de prix par utilisateur par mois",
        "zero_total": "le fournisseur {id} ({name}) coûte 0 au total (frais de mise en place, prix par utilisateur "
        "par mois et coût fixe annuel valent tous 0)",
        "message": "vendors.xlsx : {parts}. Le prix pèse {weight} dans la note finale : chaque fournisseur doit donc "
        "coûter plus de 0. Remplissez la colonne « prix par utilisateur par mois » (0 pour une offre forfaitaire) et "
        "les autres colonnes de coût, ou mettez price_weight: 0 dans tender.yaml",
    },
}


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

    def __post_init__(self) -> None:
        # Settings are validated when tender.yaml is read; these guard programming errors only.
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation {self.aggregation!r} is not one of {', '.join(AGGREGATIONS)}")
        if self.price_formula not in PRICE_FORMULAS:
            raise ValueError(f"price_formula {self.price_formula!r} is not one of {', '.join(PRICE_FORMULAS)}")
        if not self.scale_max > 0:
            raise ValueError("scale_max must be greater than 0")
        if self.quality_weight < 0 or self.price_weight < 0 or self.quality_weight + self.price_weight <= 0:
            raise ValueError("quality_weight and price_weight must be >= 0 and not both 0")


@dataclass(frozen=True)
class CriterionResult:
    """Aggregate of one criterion for one vendor: s_{v,i}, n_{v,i} and the sample sd."""

    score: float | None
    n: int
    sd: float | None
    #: how many testers answered N/A (they do not count in n).
    na: int = 0

    @property
    def assessed(self) -> bool:
        """True when at least one tester gave a numeric score (i is in A_v)."""
        return self.n > 0


@dataclass(frozen=True)
class Knockout:
    """A MUST criterion whose aggregate fell below the knock-out threshold."""

    criterion: str
    score: float


@dataclass(frozen=True)
class VendorResult:
    """Everything the method says about one vendor.

    ``tco_by_year[y - 1]`` is the discounted cost of year y, the setup cost counted in year 1,
    so that ``sum(tco_by_year) == tco``. ``unassessed_musts`` lists the MUST criteria nobody
    scored for this vendor (the warning of DESIGN.md section 5).
    """

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
    unassessed_musts: tuple[str, ...] = ()

    @property
    def assessed(self) -> bool:
        """False for a vendor with coverage 0, which is not ranked."""
        return self.coverage > 0


@dataclass(frozen=True)
class ScoringResult:
    """The verdict: vendors sorted by rank (unranked last), with the parameters used.

    ``unknown_vendors`` and ``unknown_criteria`` are IDs found in the scores but not in the
    campaign (their rows are ignored); ``ungrouped_testers`` are testers with no value in the
    ``balance_groups`` column (they form one group of their own); ``unknown_testers`` are
    testers whose scores the caller left out because the campaign no longer lists them.
    """

    params: ScoringParams
    criteria_version: str
    vendors: tuple[VendorResult, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    unknown_vendors: tuple[str, ...] = ()
    unknown_criteria: tuple[str, ...] = ()
    ungrouped_testers: tuple[str, ...] = ()
    unknown_testers: tuple[str, ...] = ()

    def vendor(self, vendor_id: str) -> VendorResult:
        """The result of one vendor (KeyError if unknown)."""
        for result in self.vendors:
            if result.id == vendor_id:
                return result
        raise KeyError(vendor_id)

    @property
    def ranked(self) -> tuple[VendorResult, ...]:
        """The vendors that have a rank, best first."""
        return tuple(v for v in self.vendors if v.rank is not None)


@dataclass(frozen=True)
class Aggregates:
    """Per (vendor, criterion) arrays of shape (n_vendors, n_criteria), NaN where undefined."""

    vendor_ids: tuple[str, ...]
    criterion_ids: tuple[str, ...]
    score: np.ndarray
    n: np.ndarray
    sd: np.ndarray
    na: np.ndarray
    unknown_vendors: tuple[str, ...] = ()
    unknown_criteria: tuple[str, ...] = ()
    ungrouped_testers: tuple[str, ...] = ()


def aggregate(
    scores: pd.DataFrame,
    vendor_ids: Sequence[str],
    criterion_ids: Sequence[str],
    aggregation: str = "mean",
    groups: Mapping[str, str] | None = None,
) -> Aggregates:
    """s_{v,i}, n_{v,i}, the sample sd and the N/A count of every (vendor, criterion).

    Parameters
    ----------
    scores
        The scores frame of the contract above (extra columns are ignored).
    vendor_ids, criterion_ids
        The rows and columns of the result; score rows naming other IDs are ignored.
    aggregation
        ``mean``, ``median`` or ``trimmed_mean`` (10 % of the scores dropped at each end,
        rounded down).
    groups
        Tester ID -> group value, for ``balance_groups``: s_{v,i} is then the plain mean, over
        the groups that scored (v, i), of each group's aggregate. Testers missing from the
        mapping, or with an empty value, form one group of their own.
    """
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"aggregation {aggregation!r} is not one of {', '.join(AGGREGATIONS)}")
    missing = [c for c in ("tester", "vendor", "criterion", "score", "na") if c not in scores.columns]
    if missing:
        raise ValueError(f"the scores frame lacks column(s) {', '.join(missing)}")
    n_v, n_c = len(vendor_ids), len(criterion_ids)
    size = n_v * n_c
    v = id_codes(scores["vendor"], vendor_ids)
    c = id_codes(scores["criterion"], criterion_ids)
    x = scores["score"].to_numpy(dtype=float, na_value=np.nan)
    known = (v >= 0) & (c >= 0)
    unknown_vendors = _absent(scores["vendor"], v)
    unknown_criteria = _absent(scores["criterion"], c)

    valid = known & ~np.isnan(x)
    key = v[valid] * n_c + c[valid]
    values = x[valid]
    n = np.bincount(key, minlength=size)
    na_flags = scores["na"].to_numpy(dtype=bool, na_value=False) & known
    na = np.bincount(v[na_flags] * n_c + c[na_flags], minlength=size)

    # Sample sd in two passes (mean, then squared deviations) to avoid cancellation.
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(key, weights=values, minlength=size) / n
        squares = np.bincount(key, weights=(values - mean[key]) ** 2, minlength=size)
        sd = np.where(n >= 2, np.sqrt(squares / (n - 1)), np.nan)

    ungrouped: tuple[str, ...] = ()
    if groups is None:
        score = mean if aggregation == "mean" else _aggregate(key, values, size, aggregation)
    else:
        tester_ids = list(groups)
        t = id_codes(scores["tester"], tester_ids)
        # Group code per known tester; one extra code for testers with no group value.
        label_codes, uniques = pd.factorize(pd.Series([groups[tid] or None for tid in tester_ids], dtype=object))
        n_g = len(uniques) + 1
        lookup = np.append(np.where(label_codes >= 0, label_codes, n_g - 1), n_g - 1)
        g = lookup[t[valid]]
        # Reported: the testers who scored something and fell into the extra group.
        scored = np.unique(t[valid])
        without = {tester_ids[k] for k in scored if k >= 0 and label_codes[k] < 0}
        ungrouped = tuple(sorted(without | set(_absent(scores["tester"][valid], t[valid]))))
        per_group = _aggregate(key * n_g + g, values, size * n_g, aggregation).reshape(size, n_g)
        with np.errstate(invalid="ignore"):
            # Plain mean over the groups that scored the pair: each group counts once.
            counted = ~np.isnan(per_group)
            score = np.where(counted, per_group, 0.0).sum(axis=1) / counted.sum(axis=1)
    score = np.where(n > 0, score, np.nan)
    shape = (n_v, n_c)
    return Aggregates(
        tuple(vendor_ids),
        tuple(criterion_ids),
        score.reshape(shape),
        n.reshape(shape),
        sd.reshape(shape),
        na.reshape(shape),
        unknown_vendors,
        unknown_criteria,
        ungrouped,
    )


def id_codes(column: pd.Series, ids: Sequence[str]) -> np.ndarray:
    """The position of each value of ``column`` in ``ids`` (-1 when absent), without a Python loop.

    Shared with vendors/analysis.py. Looking the values up in an index of the column's own
    dtype is about 40 % faster than through object arrays on pandas' string columns.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        # A categorical column is already coded: translate its few categories only.
        lookup = pd.Index(list(ids), dtype=object).get_indexer(column.cat.categories.astype(object))
        codes = column.cat.codes.to_numpy()
        return np.where(codes >= 0, np.append(lookup, -1)[codes], -1)
    index = pd.Index(list(ids), dtype=column.dtype if pd.api.types.is_string_dtype(column.dtype) else object)
    return index.get_indexer(column)


def _absent(column: pd.Series, codes: np.ndarray) -> tuple[str, ...]:
    """The distinct values of ``column`` whose code is -1 (IDs the campaign does not know)."""
    missing = codes < 0
    if not missing.any():
        return ()
    return tuple(sorted(set(column.to_numpy(dtype=object)[missing].astype(str))))


#: Above this many histogram cells, median and trimmed mean sort the scores instead.
_MAX_HISTOGRAM = 20_000_000


def _aggregate(key: np.ndarray, values: np.ndarray, size: int, how: str) -> np.ndarray:
    """The aggregate of ``values`` for each key in range(size); NaN for keys with no value."""
    n = np.bincount(key, minlength=size)
    if how == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.bincount(key, weights=values, minlength=size) / n
    if not len(values):
        # No score at all (nothing collected yet, or a group whose testers returned no workbook): the
        # histogram would have no column, and argmax over an empty row raises.
        return np.full(size, np.nan)
    # Scores sit on a few scale values: a per-key histogram avoids sorting millions of rows.
    codes, uniques = pd.factorize(values, sort=True)
    if size * len(uniques) <= _MAX_HISTOGRAM:
        counts = np.bincount(key * len(uniques) + codes, minlength=size * len(uniques)).reshape(size, len(uniques))
        return _from_histogram(counts, np.asarray(uniques, dtype=float), n, how)
    return _from_sorted(key, values, n, size, how)


def _from_histogram(counts: np.ndarray, uniques: np.ndarray, n: np.ndarray, how: str) -> np.ndarray:
    """Median or trimmed mean per row of a histogram over the sorted distinct values."""
    cumulative = counts.cumsum(axis=1)
    result = np.full(len(n), np.nan)
    has = n > 0
    if not has.any():
        return result
    if how == "median":
        low = (cumulative[has] > ((n[has] - 1) // 2)[:, None]).argmax(axis=1)
        high = (cumulative[has] > (n[has] // 2)[:, None]).argmax(axis=1)
        result[has] = (uniques[low] + uniques[high]) / 2
        return result
    # trimmed_mean: keep the scores ranked cut+1 .. n-cut, cut = floor(10 % of n).
    cut = (n // 10)[:, None]
    kept_cumulative = np.clip(cumulative, cut, n[:, None] - cut) - cut
    kept = np.diff(kept_cumulative, axis=1, prepend=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        result[has] = (kept[has] @ uniques) / kept[has].sum(axis=1)
    return result


def _from_sorted(key: np.ndarray, values: np.ndarray, n: np.ndarray, size: int, how: str) -> np.ndarray:
    """Median or trimmed mean per key by sorting (used for many distinct values)."""
    order = np.lexsort((values, key))
    key_sorted, sorted_values = key[order], values[order]
    starts = np.concatenate(([0], np.cumsum(n)[:-1]))
    result = np.full(size, np.nan)
    if how == "median":
        has = n > 0
        low = starts[has] + (n[has] - 1) // 2
        high = starts[has] + n[has] // 2
        result[has] = (sorted_values[low] + sorted_values[high]) / 2
        return result
    cut = n // 10
    position = np.arange(len(key_sorted)) - starts[key_sorted]
    kept = (position >= cut[key_sorted]) & (position < (n - cut)[key_sorted])
    kept_n = np.bincount(key_sorted[kept], minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(key_sorted[kept], weights=sorted_values[kept], minlength=size) / kept_n


def tco(vendor: Vendor, users: int, horizon_years: int = 3, discount_rate: float = 0.0) -> tuple[float, ...] | None:
    """The discounted cost of each year (setup in year 1), or None when the per-user price is missing.

    TCO_v = setup_cost + sum over y = 1..H of (12 U price_per_user_month + annual_fixed_cost) / (1 + r)^(y - 1).
    """
    if vendor.price_per_user_month is None:
        return None
    yearly = 12 * users * vendor.price_per_user_month + vendor.annual_fixed_cost
    years = [yearly / (1 + discount_rate) ** (y - 1) for y in range(1, horizon_years + 1)]
    years[0] += vendor.setup_cost
    return tuple(years)


def price_score(cost: float, cheapest: float, formula: str, eliminated: bool = False) -> float:
    """P_v from a vendor's TCO and the lowest TCO of the vendors not eliminated (``cheapest`` > 0)."""
    if cost <= 0:
        # Only an eliminated vendor can cost less than the cheapest one; its score is capped anyway.
        return 100.0
    if formula == "inverse":
        value = 100 * cheapest / cost
    else:
        value = 100 * max(0.0, 1 - (cost - cheapest) / cheapest)
    return min(100.0, value) if eliminated else value


def final_score(quality: float | None, price: float | None, quality_weight: float, price_weight: float) -> float | None:
    """F_v = (q Q_v + p P_v) / (q + p); None for an unassessed vendor (or a missing P_v when p > 0)."""
    if quality is None:
        return None
    if price_weight == 0:
        return quality
    if price is None:
        return None
    return (quality_weight * quality + price_weight * price) / (quality_weight + price_weight)


def competition_ranks(finals: Sequence[float]) -> list[int]:
    """Standard competition ranking (1, 2, 2, 4) of scores, highest first, compared at 9 decimals."""
    rounded = [round(f, RANK_DECIMALS) for f in finals]
    return [1 + sum(other > mine for other in rounded) for mine in rounded]


def score(
    criteria: CriteriaSet,
    vendors: Sequence[Vendor],
    scores: pd.DataFrame,
    params: ScoringParams,
    testers: Sequence[Tester] = (),
) -> ScoringResult:
    """Apply DESIGN.md section 5 to the current scores (``testers`` is needed for balance_groups)."""
    groups = None
    if params.balance_groups:
        groups = {t.id: t.groups.get(params.balance_groups, "") for t in testers}
    agg = aggregate(scores, [v.id for v in vendors], criteria.ids, params.aggregation, groups)
    return score_aggregates(criteria, vendors, agg, params)


def score_aggregates(
    criteria: CriteriaSet, vendors: Sequence[Vendor], agg: Aggregates, params: ScoringParams
) -> ScoringResult:
    """The verdict from already aggregated criterion scores.

    Lets the analysis re-weigh the same aggregates many times (sensitivity) without reading
    the scores again; ``agg`` must come from :func:`aggregate` over the same vendors and criteria,
    with the aggregation and groups of ``params``.
    """
    crit_ids = criteria.ids
    if agg.vendor_ids != tuple(v.id for v in vendors) or agg.criterion_ids != crit_ids:
        raise ValueError("the aggregates were computed for other vendors or criteria")
    weights = criteria.effective_weights()
    e = np.array([weights[i] for i in crit_ids], dtype=float)
    w = np.array([c.weight for c in criteria.criteria], dtype=float)
    must = np.array([c.priority is Priority.MUST for c in criteria.criteria], dtype=bool)
    scale = float(params.scale_max)

    assessed = agg.n > 0
    s = np.where(assessed, agg.score, 0.0)
    covered = (assessed * e).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        quality = np.where(covered > 0, 100 * (e * s).sum(axis=1) / (scale * covered), np.nan)
    coverage = _coverage(covered, (~assessed * e).sum(axis=1))
    categories = _category_scores(criteria, assessed, s, w, scale)
    # Compared at 9 decimals so that a mean of 0.1-step scores equal to the threshold is not a knock-out.
    knocked = must & assessed & (np.round(agg.score, RANK_DECIMALS) < params.knockout_threshold)
    unassessed_must = must & ~assessed

    costs = [tco(v, params.users, params.horizon_years, params.discount_rate) for v in vendors]
    if params.price_weight > 0:
        problems = [
            (v.id, v.name, "price_per_user_month" if years is None else "total")
            for v, years in zip(vendors, costs, strict=True)
            if years is None or math.fsum(years) <= 0
        ]
        if problems:
            raise PriceError(problems, params.price_weight)
    totals = [None if years is None else math.fsum(years) for years in costs]
    eliminated = [bool(knocked[k].any()) for k in range(len(vendors))]
    reference = [t for t, out in zip(totals, eliminated, strict=True) if t is not None and not out]
    cheapest = min(reference) if reference else None

    prices: list[float | None] = [
        None
        if total is None or cheapest is None or cheapest <= 0
        else price_score(total, cheapest, params.price_formula, out)
        for total, out in zip(totals, eliminated, strict=True)
    ]
    qualities = [None if math.isnan(value) else float(value) for value in quality]
    finals = [
        final_score(qual, price, params.quality_weight, params.price_weight)
        for qual, price in zip(qualities, prices, strict=True)
    ]
    rankable = {k: final for k, final in enumerate(finals) if final is not None and not eliminated[k]}
    ranks = dict(zip(rankable, competition_ranks(list(rankable.values())), strict=True))

    results: list[VendorResult] = []
    for k, vendor in enumerate(vendors):
        crit_results = {
            cid: CriterionResult(
                score=float(agg.score[k, j]) if assessed[k, j] else None,
                n=int(agg.n[k, j]),
                sd=None if math.isnan(agg.sd[k, j]) else float(agg.sd[k, j]),
                na=int(agg.na[k, j]),
            )
            for j, cid in enumerate(crit_ids)
        }
        knockouts = tuple(Knockout(crit_ids[j], float(agg.score[k, j])) for j in np.flatnonzero(knocked[k]))
        missing_musts = tuple(crit_ids[j] for j in np.flatnonzero(unassessed_must[k]))
        warnings = tuple(f"MUST criterion {cid} was not assessed for vendor {vendor.id}" for cid in missing_musts)
        results.append(
            VendorResult(
                id=vendor.id,
                name=vendor.name,
                rank=ranks.get(k),
                eliminated=eliminated[k],
                knockouts=knockouts,
                final_score=finals[k],
                quality_score=qualities[k],
                price_score=prices[k],
                tco=totals[k],
                tco_by_year=costs[k] or (),
                coverage=float(coverage[k]),
                categories={cat.id: categories[cat.id][k] for cat in criteria.categories},
                criteria=crit_results,
                warnings=warnings,
                unassessed_musts=missing_musts,
            )
        )
    order = sorted(range(len(results)), key=lambda k: _sort_key(results[k], k))
    notes = []
    if agg.unknown_vendors:
        notes.append(f"scores for unknown vendors were ignored: {', '.join(agg.unknown_vendors)}")
    if agg.unknown_criteria:
        notes.append(f"scores for unknown criteria were ignored: {', '.join(agg.unknown_criteria)}")
    if agg.ungrouped_testers:
        notes.append(
            f"testers with no {params.balance_groups!r} value form one group: {', '.join(agg.ungrouped_testers)}"
        )
    return ScoringResult(
        params=params,
        criteria_version=criteria.version(),
        vendors=tuple(results[k] for k in order),
        warnings=tuple(notes),
        unknown_vendors=agg.unknown_vendors,
        unknown_criteria=agg.unknown_criteria,
        ungrouped_testers=agg.ungrouped_testers,
    )


def _coverage(covered: np.ndarray, uncovered: np.ndarray) -> np.ndarray:
    """coverage_v as the share of the total weight that is assessed, always within [0, 1].

    The e_i sum to 1 only up to float noise (65 criteria of the catalogue add up to 1.0000000000000002), so the
    plain sum of the assessed ones can exceed 1. covered / (covered + uncovered) is exactly 1.0 when every
    criterion is assessed, exactly 0.0 when none is, and never above 1 since a float sum is never below either
    of its non-negative terms.
    """
    total = covered + uncovered
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.clip(covered / total, 0.0, 1.0), 0.0)


def _category_scores(
    criteria: CriteriaSet, assessed: np.ndarray, s: np.ndarray, w: np.ndarray, scale: float
) -> dict[str, list[float | None]]:
    """Per category and vendor: 100 sum(w_i s_i) / (S sum(w_i)) over the assessed criteria of c."""
    result: dict[str, list[float | None]] = {}
    membership = np.array([c.category for c in criteria.criteria], dtype=object)
    for cat in criteria.categories:
        inside = membership == cat.id
        weight = (assessed[:, inside] * w[inside]).sum(axis=1)
        total = (s[:, inside] * w[inside]).sum(axis=1)
        result[cat.id] = [float(100 * t / (scale * d)) if d > 0 else None for t, d in zip(total, weight, strict=True)]
    return result


def _sort_key(result: VendorResult, index: int) -> tuple[int, int, int]:
    """Ranked vendors by rank, then eliminated, then unassessed; ties keep the order of vendors.xlsx."""
    if result.rank is not None:
        return (0, result.rank, index)
    return (1 if result.eliminated else 2, 0, index)
