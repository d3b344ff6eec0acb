"""The analysis of DESIGN.md section 6: disagreement and the consensus agenda, segments, sensitivity of the ranking.

Every function is pure: it reads the scores frame of :mod:`vendors.scoring` (columns tester, vendor, criterion,
score, na, comment) and the :class:`~vendors.scoring.ScoringResult` of the same scores, and returns frozen data.
The heavy parts are vectorised with numpy so that 2,000 testers x 10 vendors x 120 criteria with 10,000 Monte
Carlo draws take well under a second (``benchmarks/bench_analysis.py``).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np
import pandas as pd
from babel.numbers import format_decimal
from numpy.polynomial import polynomial as poly

from criteria.model import CriteriaSet, Priority
from vendors.io import group_columns
from vendors.model import Tester, Vendor
from vendors.scoring import (
    RANK_DECIMALS,
    Aggregates,
    ScoringParams,
    ScoringResult,
    id_codes,
    score,
    score_aggregates,
)

#: A winner is "clear" only if it keeps first place in at least this share of the Monte Carlo draws.
CLEAR_WINNER_SHARE = 0.9
#: Final scores are compared at the decimals of the ranking itself (one source of truth).
ROUND_DECIMALS = RANK_DECIMALS
#: Monte Carlo draws are processed in blocks of this size to bound memory (the results do not depend on it).
_DRAW_BLOCK = 100_000
#: Methods of the leave-one-tester-out analysis.
INCREMENTAL = "incremental"
RECOMPUTED = "recomputed"


# --------------------------------------------------------------------------------------------------------------
# Result objects


@dataclass(frozen=True)
class Disagreement:
    """Spread of the scores that testers gave one vendor on one criterion (only where n >= 2)."""

    vendor: str
    criterion: str
    n: int
    mean: float
    sd: float
    spread: float
    flagged: bool


@dataclass(frozen=True)
class AgendaItem:
    """One point of the consensus meeting: a flagged (vendor, criterion) with who scored what and why."""

    vendor: str
    criterion: str
    n: int
    mean: float
    sd: float
    spread: float
    scores: tuple[tuple[str, float], ...]
    comments: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SegmentScore:
    """One vendor as seen by one group of testers only."""

    quality_score: float | None
    rank: int | None
    eliminated: bool
    coverage: float


@dataclass(frozen=True)
class GroupResult:
    """The verdict of one group (e.g. level = manager): how many testers scored, and each vendor."""

    group: str
    testers: int
    vendors: Mapping[str, SegmentScore]


@dataclass(frozen=True)
class SegmentResult:
    """One group column of testers.xlsx: its groups, and the vendors whose rank differs between them."""

    column: str
    groups: tuple[GroupResult, ...]
    divergent: tuple[str, ...]


@dataclass(frozen=True)
class MonteCarloResult:
    """Shares of first places when category weights and the quality/price split are perturbed at random."""

    draws: int
    delta: float
    seed: int
    first_place_share: Mapping[str, float]
    winner_share: float | None


@dataclass(frozen=True)
class FlipWeight:
    """The nearest share of one category's weight (others rescaled in proportion) at which the winner changes.

    ``weight`` and ``flip_weight`` are shares of the total category weight, in [0, 1]; ``flip_weight`` is None
    when the winner holds over the whole range. ``relative_change`` is the same move said as a change of this
    category's own weight with the others unchanged (0.2 = +20 %); ``within_delta`` tells whether that change
    is within the +/- delta of the Monte Carlo.
    """

    category: str
    weight: float
    flip_weight: float | None
    relative_change: float | None
    new_winners: tuple[str, ...]
    within_delta: bool


@dataclass(frozen=True)
class WinnerChange:
    """A tester whose removal changes the winner, and the winner(s) without them."""

    tester: str
    winners: tuple[str, ...]


@dataclass(frozen=True)
class LeaveOneOutResult:
    """Leave-one-tester-out: how it was computed, how many testers were tried, which ones change the winner."""

    method: str
    testers: int
    changes: tuple[WinnerChange, ...]


@dataclass(frozen=True)
class Verdict:
    """Clear winner or not; ``reasons`` are codes: no_ranked, tie, monte_carlo, weights, testers."""

    robust: bool
    winner: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class SensitivityResult:
    """How much the ranking depends on the weights and on single testers."""

    winners: tuple[str, ...]
    monte_carlo: MonteCarloResult
    weights: tuple[FlipWeight, ...]
    leave_one_out: LeaveOneOutResult


@dataclass(frozen=True)
class AnalysisResult:
    """Everything of DESIGN.md section 6, with the names needed to say it in words."""

    disagreement_sd: float
    disagreements: tuple[Disagreement, ...]
    reliability: Mapping[str, float | None]
    agenda: tuple[AgendaItem, ...]
    segments: tuple[SegmentResult, ...]
    sensitivity: SensitivityResult
    verdict: Verdict
    vendor_names: Mapping[str, str]
    category_names: Mapping[str, str]
    criterion_titles: Mapping[str, str]


# --------------------------------------------------------------------------------------------------------------
# The scores frame as integer codes, shared by the vectorised steps


@dataclass(frozen=True)
class _Encoded:
    """The scores frame as integer codes.

    ``row_*`` hold one code per row of the frame (-1 for a vendor or criterion the campaign does not know);
    ``tester``, ``cell`` (vendor * I + criterion) and ``value`` describe the numeric scores of known pairs only.
    """

    vendor_ids: tuple[str, ...]
    criterion_ids: tuple[str, ...]
    tester_ids: tuple[str, ...]
    row_tester: np.ndarray
    row_vendor: np.ndarray
    row_criterion: np.ndarray
    row_cell: np.ndarray
    tester: np.ndarray
    cell: np.ndarray
    value: np.ndarray

    @property
    def n_cells(self) -> int:
        return len(self.vendor_ids) * len(self.criterion_ids)


def _encode(scores: pd.DataFrame, vendor_ids: Sequence[str], criterion_ids: Sequence[str]) -> _Encoded:
    vendor = id_codes(scores["vendor"], vendor_ids)
    criterion = id_codes(scores["criterion"], criterion_ids)
    tester, tester_ids = pd.factorize(scores["tester"].to_numpy(dtype=object), sort=False)
    value = scores["score"].to_numpy(dtype=float, na_value=np.nan)
    known = (vendor >= 0) & (criterion >= 0) & (tester >= 0)
    row_cell = np.where(known, vendor * len(criterion_ids) + criterion, -1)
    keep = known & ~np.isnan(value)
    return _Encoded(
        vendor_ids=tuple(vendor_ids),
        criterion_ids=tuple(criterion_ids),
        tester_ids=tuple(str(t) for t in tester_ids),
        row_tester=tester,
        row_vendor=vendor,
        row_criterion=criterion,
        row_cell=row_cell,
        tester=tester[keep],
        cell=row_cell[keep],
        value=value[keep],
    )


def _coded_frame(enc: _Encoded, scores: pd.DataFrame) -> pd.DataFrame:
    """The known rows of ``scores`` with categorical ID columns, which :func:`score` reads without hashing.

    Lets the segments and the recomputing leave-one-out run the method many times on subsets cheaply.
    """
    known = enc.row_cell >= 0
    return pd.DataFrame(
        {
            "tester": pd.Categorical.from_codes(enc.row_tester[known], categories=list(enc.tester_ids)),
            "vendor": pd.Categorical.from_codes(enc.row_vendor[known], categories=list(enc.vendor_ids)),
            "criterion": pd.Categorical.from_codes(enc.row_criterion[known], categories=list(enc.criterion_ids)),
            "score": scores["score"].to_numpy(dtype=float, na_value=np.nan)[known],
            "na": scores["na"].to_numpy(dtype=bool, na_value=False)[known],
        }
    )


@dataclass(frozen=True)
class _CellStats:
    """Count, mean, sample sd (ddof 1), min and max of every (vendor, criterion) cell, flattened."""

    n: np.ndarray
    total: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    low: np.ndarray
    high: np.ndarray


def _cell_stats(enc: _Encoded) -> _CellStats:
    size = enc.n_cells
    n = np.bincount(enc.cell, minlength=size)
    total = np.bincount(enc.cell, weights=enc.value, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        # Two passes (mean, then squared deviations) rather than sum of squares: no cancellation.
        squares = np.bincount(enc.cell, weights=(enc.value - mean[enc.cell]) ** 2, minlength=size)
        sd = np.where(n >= 2, np.sqrt(squares / (n - 1)), np.nan)
    low = np.full(size, np.inf)
    high = np.full(size, -np.inf)
    np.minimum.at(low, enc.cell, enc.value)
    np.maximum.at(high, enc.cell, enc.value)
    return _CellStats(n, total, mean, sd, low, high)


# --------------------------------------------------------------------------------------------------------------
# Disagreement and the consensus agenda


def disagreements(
    criteria: CriteriaSet, vendors: Sequence[Vendor], scores: pd.DataFrame, threshold: float
) -> tuple[Disagreement, ...]:
    """Sd (ddof 1) and range of every (vendor, criterion) scored by at least two testers, flagged at ``threshold``.

    In vendor order, then criterion order. Rows of unknown vendors or criteria are ignored.
    """
    enc = _encode(scores, [v.id for v in vendors], criteria.ids)
    return _disagreements(enc, _cell_stats(enc), threshold)


def _disagreements(enc: _Encoded, stats: _CellStats, threshold: float) -> tuple[Disagreement, ...]:
    n_crit = len(enc.criterion_ids)
    result = []
    # Compared at 9 decimals, as knock-outs and ranks are: scores (0, 0, 1, 1, 1, 2, 2, 4, 4) have an sd of
    # exactly 1.5, which floating point computes as 1.4999999999999998.
    limit = round(threshold, 9)
    for cell in np.flatnonzero(stats.n >= 2):
        sd = float(stats.sd[cell])
        result.append(
            Disagreement(
                vendor=enc.vendor_ids[cell // n_crit],
                criterion=enc.criterion_ids[cell % n_crit],
                n=int(stats.n[cell]),
                mean=float(stats.mean[cell]),
                sd=sd,
                spread=float(stats.high[cell] - stats.low[cell]),
                flagged=round(sd, 9) >= limit,
            )
        )
    return tuple(result)


def alpha_by_vendor(criteria: CriteriaSet, vendors: Sequence[Vendor], scores: pd.DataFrame) -> dict[str, float | None]:
    """Krippendorff's alpha (interval metric) per vendor: testers are the coders, criteria the units.

    None where alpha is undefined: no criterion scored by two testers, or no variation at all among the
    pairable scores (then observed and expected disagreement are both 0).
    """
    enc = _encode(scores, [v.id for v in vendors], criteria.ids)
    return _alpha_by_vendor(enc)


def _alpha_by_vendor(enc: _Encoded) -> dict[str, float | None]:
    result: dict[str, float | None] = {vid: None for vid in enc.vendor_ids}
    if not len(enc.value):
        return result
    # The library accepts value counts (unit x value) directly: build them for every vendor with one bincount
    # instead of handing it a dense tester x criterion matrix per vendor.
    codes, uniques = pd.factorize(enc.value, sort=True)
    domain = np.asarray(uniques, dtype=float)
    k = len(domain)
    counts = np.bincount(enc.cell * k + codes, minlength=enc.n_cells * k).reshape(
        len(enc.vendor_ids), len(enc.criterion_ids), k
    )
    for index, vid in enumerate(enc.vendor_ids):
        value_counts = counts[index]
        if k < 2 or not (value_counts.sum(axis=1) >= 2).any():
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            alpha = krippendorff.alpha(value_counts=value_counts, value_domain=domain, level_of_measurement="interval")
        if math.isfinite(alpha):
            result[vid] = float(alpha)
    return result


def agenda(
    criteria: CriteriaSet,
    vendors: Sequence[Vendor],
    scores: pd.DataFrame,
    items: Sequence[Disagreement],
    result: ScoringResult,
) -> tuple[AgendaItem, ...]:
    """The flagged pairs as a consensus-meeting agenda: vendors in ranking order, then largest sd first."""
    enc = _encode(scores, [v.id for v in vendors], criteria.ids)
    return _agenda(enc, scores, items, result)


def _agenda(
    enc: _Encoded, scores: pd.DataFrame, items: Sequence[Disagreement], result: ScoringResult
) -> tuple[AgendaItem, ...]:
    flagged = [d for d in items if d.flagged]
    if not flagged:
        return ()
    n_crit = len(enc.criterion_ids)
    vendor_pos = {vid: k for k, vid in enumerate(enc.vendor_ids)}
    crit_pos = {cid: k for k, cid in enumerate(enc.criterion_ids)}
    cells = {vendor_pos[d.vendor] * n_crit + crit_pos[d.criterion] for d in flagged}
    rows = np.flatnonzero(np.isin(enc.row_cell, list(cells)))
    values = scores["score"].to_numpy(dtype=float)[rows]
    comments = scores["comment"].to_numpy(dtype=object)[rows]
    by_cell: dict[int, tuple[list[tuple[str, float]], list[tuple[str, str]]]] = {c: ([], []) for c in cells}
    for row, value, comment in zip(rows, values, comments, strict=True):
        given, said = by_cell[int(enc.row_cell[row])]
        tester = enc.tester_ids[enc.row_tester[row]]
        if not math.isnan(value):
            given.append((tester, float(value)))
        if isinstance(comment, str) and comment.strip():
            said.append((tester, comment.strip()))
    # The meeting starts with the vendors that matter most (ranked first), then the widest splits.
    order = {v.id: k for k, v in enumerate(result.vendors)}
    flagged.sort(key=lambda d: (order.get(d.vendor, len(order)), -d.sd, crit_pos[d.criterion]))
    agenda_items = []
    for d in flagged:
        given, said = by_cell[vendor_pos[d.vendor] * n_crit + crit_pos[d.criterion]]
        agenda_items.append(
            AgendaItem(
                vendor=d.vendor,
                criterion=d.criterion,
                n=d.n,
                mean=d.mean,
                sd=d.sd,
                spread=d.spread,
                scores=tuple(sorted(given, key=lambda pair: (pair[1], pair[0]))),
                comments=tuple(sorted(said)),
            )
        )
    return tuple(agenda_items)


# --------------------------------------------------------------------------------------------------------------
# Segments


def segments(
    criteria: CriteriaSet,
    vendors: Sequence[Vendor],
    testers: Sequence[Tester],
    scores: pd.DataFrame,
    params: ScoringParams,
) -> tuple[SegmentResult, ...]:
    """For each group column of testers.xlsx, each vendor's quality score and rank from one group's testers only.

    Each group is scored by the method itself on that group's rows only: :func:`vendors.scoring.score`, or, for
    the plain mean, :func:`vendors.scoring.score_aggregates` on the group's sums and counts taken in one pass
    for every group of a column (the same numbers, without re-reading the scores once per group). Testers with
    a blank value in a column belong to no group of that column. A vendor is ``divergent`` when its rank (None
    if eliminated) differs between the groups that assessed it.
    """
    enc = _encode(scores, [v.id for v in vendors], criteria.ids)
    return _segments(enc, scores, criteria, vendors, testers, params)


def _segments(
    enc: _Encoded,
    scores: pd.DataFrame,
    criteria: CriteriaSet,
    vendors: Sequence[Vendor],
    testers: Sequence[Tester],
    params: ScoringParams,
    coded: pd.DataFrame | None = None,
) -> tuple[SegmentResult, ...]:
    position = {tid: k for k, tid in enumerate(enc.tester_ids)}
    scored = np.bincount(enc.tester, minlength=len(enc.tester_ids)) > 0
    by_sums = params.aggregation == "mean" and not params.balance_groups
    result = []
    for column in group_columns(testers):
        # Group number of each tester of the scores (-1: no group in this column, or not in testers.xlsx).
        group_of = np.full(len(enc.tester_ids), -1, dtype=np.int64)
        names: list[str] = []
        for tester in testers:
            value = str(tester.groups.get(column) or "").strip()
            if not value:
                continue
            if value not in names:
                names.append(value)
            if tester.id in position:
                group_of[position[tester.id]] = names.index(value)
        if by_sums:
            verdicts = _group_verdicts_by_sums(enc, group_of, len(names), criteria, vendors, params)
        else:
            if coded is None:
                coded = _coded_frame(enc, scores)
            tester_codes = coded["tester"].cat.codes.to_numpy()
            # One extra slot for code -1 (a row without tester), never a member.
            lookup = np.append(group_of, -1)[tester_codes]
            verdicts = [score(criteria, vendors, coded[lookup == g], params, testers) for g in range(len(names))]
        groups = tuple(
            GroupResult(
                group=name,
                testers=int((scored & (group_of == g)).sum()),
                vendors={
                    v.id: SegmentScore(v.quality_score, v.rank, v.eliminated, v.coverage) for v in verdict.vendors
                },
            )
            for g, (name, verdict) in enumerate(zip(names, verdicts, strict=True))
        )
        divergent = []
        for vendor in vendors:
            seen = {g.vendors[vendor.id].rank for g in groups if g.vendors[vendor.id].coverage > 0}
            if len(seen) > 1:
                divergent.append(vendor.id)
        result.append(SegmentResult(column, groups, tuple(divergent)))
    return tuple(result)


def _group_verdicts_by_sums(
    enc: _Encoded,
    group_of: np.ndarray,
    n_groups: int,
    criteria: CriteriaSet,
    vendors: Sequence[Vendor],
    params: ScoringParams,
) -> list[ScoringResult]:
    """The method on each group's testers, for the plain mean: s_vi = sum / count over the group's scores.

    Only what the ranking reads is filled in: the sd and N/A counts of these aggregates are left out (NaN, 0).
    """
    group = group_of[enc.tester]
    inside = group >= 0
    key = group[inside] * enc.n_cells + enc.cell[inside]
    size = n_groups * enc.n_cells
    shape = (n_groups, len(enc.vendor_ids), len(enc.criterion_ids))
    # Summed in the order of the rows, as the method does, so that the means are the same to the last bit.
    count = np.bincount(key, minlength=size).reshape(shape)
    total = np.bincount(key, weights=enc.value[inside], minlength=size).reshape(shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / count, np.nan)
    blank_sd = np.full(shape[1:], np.nan)
    no_na = np.zeros(shape[1:], dtype=np.int64)
    return [
        score_aggregates(
            criteria,
            vendors,
            Aggregates(enc.vendor_ids, enc.criterion_ids, mean[g], count[g], blank_sd, no_na),
            params,
        )
        for g in range(n_groups)
    ]


# --------------------------------------------------------------------------------------------------------------
# Sensitivity to the weights: Monte Carlo and flip weights


def winners(result: ScoringResult) -> tuple[str, ...]:
    """The vendor(s) ranked first (several on a tie, none when no vendor is ranked)."""
    return tuple(v.id for v in result.vendors if v.rank == 1)


@dataclass(frozen=True)
class _WeightModel:
    """Final scores of the ranked vendors as a function of the category weights and the quality/price split.

    With a[v, c] = sum over assessed i in c of (w_i / sum_c w) s_vi and b[v, c] the same without s_vi,
    Q_v = 100 sum_c W_c a[v, c] / (S sum_c W_c b[v, c]); the price score does not depend on the weights.
    """

    vendors: tuple[str, ...]
    categories: tuple[str, ...]
    weights: np.ndarray
    a: np.ndarray
    b: np.ndarray
    price: np.ndarray
    quality_weight: float
    price_weight: float
    scale_max: float

    def finals(
        self, weights: np.ndarray, quality: np.ndarray | None = None, price: np.ndarray | None = None
    ) -> np.ndarray:
        """F for each row of ``weights`` (draws x categories); NaN where a vendor has nothing left assessed."""
        num = weights @ self.a.T
        den = weights @ self.b.T
        with np.errstate(invalid="ignore", divide="ignore"):
            q_score = np.where(den > 0, 100.0 * num / (self.scale_max * den), np.nan)
        q = self.quality_weight * (np.ones(len(weights)) if quality is None else quality)
        p = self.price_weight * (np.ones(len(weights)) if price is None else price)
        # A price weight of 0 leaves F defined even if a price score is missing.
        price_part = np.where(p[:, None] > 0, p[:, None] * self.price[None, :], 0.0)
        return (q[:, None] * q_score + price_part) / (q + p)[:, None]


def _weight_model(criteria: CriteriaSet, result: ScoringResult) -> _WeightModel:
    ranked = [v for v in result.vendors if v.rank is not None]
    cats = criteria.categories
    a = np.zeros((len(ranked), len(cats)))
    b = np.zeros((len(ranked), len(cats)))
    for c, cat in enumerate(cats):
        members = criteria.in_category(cat.id)
        inner = sum(m.weight for m in members)
        if inner <= 0:
            continue
        for row, vendor in enumerate(ranked):
            for crit in members:
                cr = vendor.criteria.get(crit.id)
                if cr is not None and cr.n >= 1 and cr.score is not None:
                    share = crit.weight / inner
                    a[row, c] += share * cr.score
                    b[row, c] += share
    price = np.array([np.nan if v.price_score is None else v.price_score for v in ranked], dtype=float)
    return _WeightModel(
        vendors=tuple(v.id for v in ranked),
        categories=tuple(c.id for c in cats),
        weights=np.array([c.weight for c in cats], dtype=float),
        a=a,
        b=b,
        price=price,
        quality_weight=result.params.quality_weight,
        price_weight=result.params.price_weight,
        scale_max=result.params.scale_max,
    )


def _first_places(finals: np.ndarray) -> np.ndarray:
    """Boolean (rows x vendors): who ranks first, ties included, comparing scores rounded as the ranking does."""
    rounded = np.round(finals, ROUND_DECIMALS)
    rounded = np.where(np.isnan(rounded), -np.inf, rounded)
    if rounded.shape[-1] == 0:
        return np.zeros(rounded.shape, dtype=bool)
    best = rounded.max(axis=-1, keepdims=True)
    return (rounded == best) & np.isfinite(rounded)


def monte_carlo(
    criteria: CriteriaSet, result: ScoringResult, *, draws: int, delta: float, seed: int
) -> MonteCarloResult:
    """First-place share of each ranked vendor over ``draws`` random perturbations of the weights.

    Each category weight and both halves of the quality/price split are multiplied by independent factors
    drawn uniformly in [1 - delta, 1 + delta] (numpy's default generator seeded with ``seed``, so the result is
    reproducible). Eliminated and unassessed vendors keep their status. On a tie for first place in a draw, every
    tied vendor counts as first, as in the ranking.
    """
    model = _weight_model(criteria, result)
    first = np.zeros(len(model.vendors))
    rng = np.random.default_rng(seed)
    n_cat = len(model.categories)
    # Blocks drawn one after another from the same generator give the same numbers as one big draw.
    for start in range(0, draws, _DRAW_BLOCK):
        size = min(_DRAW_BLOCK, draws - start)
        factors = rng.uniform(1.0 - delta, 1.0 + delta, size=(size, n_cat + 2))
        finals = model.finals(model.weights * factors[:, :n_cat], factors[:, n_cat], factors[:, n_cat + 1])
        first += _first_places(finals).sum(axis=0)
    share = {vid: float(first[k] / draws) for k, vid in enumerate(model.vendors)}
    top = winners(result)
    return MonteCarloResult(
        draws=draws,
        delta=delta,
        seed=seed,
        first_place_share=share,
        winner_share=share[top[0]] if len(top) == 1 else None,
    )


def flip_weights(criteria: CriteriaSet, result: ScoringResult, *, delta: float) -> tuple[FlipWeight, ...]:
    """Per category, the nearest share of the total weight at which the winner changes (None if it never does).

    The category's share x moves over [0, 1] while the other categories keep their proportions. Each vendor's
    final score is then a ratio of linear functions of x, so F_winner(x) - F_v(x) = 0 is a quadratic after
    multiplying by the (positive) denominators: its roots in [0, 1] are the only places where first place can
    change hands. The winner is checked between consecutive roots and at the ends of the range (where a vendor
    can lose every assessed criterion, e.g. at x = 1 for a category it was not assessed on).
    """
    model = _weight_model(criteria, result)
    top = winners(result)
    total = float(model.weights.sum())
    flips = []
    for c, cat in enumerate(model.categories):
        x0 = float(model.weights[c] / total) if total > 0 else 0.0
        rest = total - float(model.weights[c])
        if len(top) != 1 or rest <= 0:
            # No single winner to dethrone, or no other category to move the weight to.
            flips.append(FlipWeight(cat, x0, None, None, (), False))
            continue
        flips.append(_flip_one(model, c, x0, rest, model.vendors.index(top[0]), delta))
    return tuple(flips)


def _flip_one(model: _WeightModel, c: int, x0: float, rest: float, w: int, delta: float) -> FlipWeight:
    others = model.weights.copy()
    others[c] = 0.0
    others /= rest
    unit = np.zeros(len(model.weights))
    unit[c] = 1.0

    def weights_at(xs: np.ndarray) -> np.ndarray:
        return xs[:, None] * unit[None, :] + (1.0 - xs[:, None]) * others[None, :]

    alpha = model.quality_weight / (model.quality_weight + model.price_weight)
    beta = model.price_weight / (model.quality_weight + model.price_weight)
    kappa = 100.0 * alpha / model.scale_max
    num = [np.array([others @ model.a[v], model.a[v, c] - others @ model.a[v]]) for v in range(len(model.vendors))]
    den = [np.array([others @ model.b[v], model.b[v, c] - others @ model.b[v]]) for v in range(len(model.vendors))]
    points = [0.0, 1.0, x0]
    for v in range(len(model.vendors)):
        if v == w:
            continue
        gap = kappa * poly.polysub(poly.polymul(num[w], den[v]), poly.polymul(num[v], den[w]))
        if beta > 0:
            gap = poly.polyadd(gap, beta * (model.price[w] - model.price[v]) * poly.polymul(den[w], den[v]))
        if not np.isfinite(gap).all():
            continue
        # Coefficients that are rounding noise would turn a line into a parabola with a spurious root.
        gap = np.trim_zeros(np.where(np.abs(gap) <= 1e-12 * np.abs(gap).max(initial=0.0), 0.0, gap), "b")
        if len(gap) < 2:
            continue
        for root in poly.polyroots(gap):
            if abs(root.imag) <= 1e-9 and -1e-12 <= root.real <= 1.0 + 1e-12:
                points.append(min(max(float(root.real), 0.0), 1.0))
    grid = np.unique(np.array(points))
    mids = (grid[:-1] + grid[1:]) / 2.0
    at_points = _first_places(model.finals(weights_at(grid)))
    at_mids = _first_places(model.finals(weights_at(mids)))

    def holds(first: np.ndarray) -> bool:
        return bool(first[w]) and int(first.sum()) == 1

    def named(first: np.ndarray) -> tuple[str, ...]:
        return tuple(model.vendors[k] for k in np.flatnonzero(first))

    start = int(np.searchsorted(grid, x0))
    candidates: list[tuple[float, tuple[str, ...]]] = []
    for k in range(start, len(grid) - 1):  # upwards: the interval (grid[k], grid[k + 1])
        if not holds(at_mids[k]):
            candidates.append((float(grid[k]), named(at_mids[k])))
            break
    else:
        if x0 < 1.0 and not holds(at_points[-1]):
            candidates.append((1.0, named(at_points[-1])))
    for k in range(start, 0, -1):  # downwards: the interval (grid[k - 1], grid[k])
        if not holds(at_mids[k - 1]):
            candidates.append((float(grid[k]), named(at_mids[k - 1])))
            break
    else:
        if x0 > 0.0 and not holds(at_points[0]):
            candidates.append((0.0, named(at_points[0])))
    if not candidates:
        return FlipWeight(model.categories[c], x0, None, None, (), False)
    flip, new = min(candidates, key=lambda item: abs(item[0] - x0))
    relative = None
    if 0.0 < x0 and flip < 1.0:
        # The same share reached by changing this category's weight alone: W' = x rest / (1 - x).
        relative = flip * (1.0 - x0) / (x0 * (1.0 - flip)) - 1.0
    within = relative is not None and abs(relative) <= delta + 1e-12
    return FlipWeight(model.categories[c], x0, flip, relative, new, within)


# --------------------------------------------------------------------------------------------------------------
# Sensitivity to single testers


def leave_one_out(
    criteria: CriteriaSet,
    vendors: Sequence[Vendor],
    testers: Sequence[Tester],
    scores: pd.DataFrame,
    params: ScoringParams,
    result: ScoringResult,
) -> LeaveOneOutResult:
    """The testers whose removal changes the winner (each tester removed alone, all their scores at once).

    With ``aggregation: mean`` and no ``balance_groups`` this is incremental and vectorised: each tester's
    contribution is subtracted from the per-(vendor, criterion) sums and counts, and the changes of each
    vendor's weighted quality sum, coverage and knock-outs are summed per (tester, vendor) in one pass over the
    scores; price scores and the ranking are then redone for every tester at once. With median, trimmed_mean or
    balance_groups a tester's removal moves the aggregates in ways that sums cannot express, so the method
    (:func:`vendors.scoring.score`) is rerun without each tester in turn: exact, but about T times slower.
    """
    enc = _encode(scores, [v.id for v in vendors], criteria.ids)
    return _leave_one_out(enc, criteria, vendors, testers, scores, params, result, _cell_stats(enc))


def _leave_one_out(
    enc: _Encoded,
    criteria: CriteriaSet,
    vendors: Sequence[Vendor],
    testers: Sequence[Tester],
    scores: pd.DataFrame,
    params: ScoringParams,
    result: ScoringResult,
    stats: _CellStats,
    coded: pd.DataFrame | None = None,
) -> LeaveOneOutResult:
    base = winners(result)
    scored = np.bincount(enc.tester, minlength=len(enc.tester_ids)) > 0
    if params.aggregation == "mean" and not params.balance_groups:
        incremental = _leave_one_out_mean(enc, criteria, params, result, stats, scored, base)
        if incremental is not None:
            return incremental
    if coded is None:
        coded = _coded_frame(enc, scores)
    tester_codes = coded["tester"].cat.codes.to_numpy()
    changes = []
    for index in np.flatnonzero(scored):
        without = winners(score(criteria, vendors, coded[tester_codes != index], params, testers))
        if without != base:
            changes.append(WinnerChange(enc.tester_ids[index], without))
    return LeaveOneOutResult(RECOMPUTED, int(scored.sum()), tuple(changes))


#: Above this many (tester, cell) pairs, duplicates are looked for by hashing rather than with a flag per pair.
_MAX_PAIR_COUNT = 64_000_000
#: Scores per block in the vectorised leave-one-out (a few MiB of temporaries per block).
_BLOCK = 1 << 17


def _tester_cells(enc: _Encoded, n_testers: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """(tester, cell, the tester's total and count in that cell) in blocks of rows, each pair once.

    A tester who scored the same pair twice (possible only in a hand-made frame) has both scores leave together.
    """
    rows = len(enc.cell)
    pairs = n_testers * enc.n_cells
    if pairs <= _MAX_PAIR_COUNT:
        seen = np.zeros(pairs, dtype=bool)
        for start in range(0, rows, _BLOCK):
            block = slice(start, start + _BLOCK)
            seen[enc.tester[block].astype(np.int64) * enc.n_cells + enc.cell[block]] = True
        unique = int(np.count_nonzero(seen)) == rows
    else:
        unique = pd.Index(enc.tester.astype(np.int64) * enc.n_cells + enc.cell).is_unique
    if unique:
        for start in range(0, rows, _BLOCK):
            block = slice(start, start + _BLOCK)
            tester, value = enc.tester[block], enc.value[block]
            yield tester.astype(np.int64), enc.cell[block], value, np.ones(len(value), dtype=np.int64)
        return
    pair, inverse = np.unique(enc.tester.astype(np.int64) * enc.n_cells + enc.cell, return_inverse=True)
    yield pair // enc.n_cells, pair % enc.n_cells, np.bincount(inverse, weights=enc.value), np.bincount(inverse)


def _leave_one_out_mean(
    enc: _Encoded,
    criteria: CriteriaSet,
    params: ScoringParams,
    result: ScoringResult,
    stats: _CellStats,
    scored: np.ndarray,
    base: tuple[str, ...],
) -> LeaveOneOutResult | None:
    """Vectorised leave-one-out for the mean; None if its own baseline does not reproduce ``result``."""
    n_vendors, n_crit = len(enc.vendor_ids), len(enc.criterion_ids)
    n_testers = len(enc.tester_ids)
    weights = criteria.effective_weights()
    e = np.tile(np.array([weights[cid] for cid in enc.criterion_ids], dtype=float), n_vendors)
    must = np.tile(
        np.array([criteria.criterion(cid).priority is Priority.MUST for cid in enc.criterion_ids]), n_vendors
    )
    by_id = {v.id: v for v in result.vendors}
    tco = np.array(
        [np.nan if vid not in by_id or by_id[vid].tco is None else by_id[vid].tco for vid in enc.vendor_ids],
        dtype=float,
    )
    threshold = params.knockout_threshold

    # The method's own quantities per cell, then per vendor.
    n, total = stats.n, stats.total
    assessed = n > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(assessed, total / n, 0.0)
        knocked = assessed & must & (np.round(s, ROUND_DECIMALS) < threshold)
    counted = assessed & (e > 0)

    def per_vendor(values: np.ndarray) -> np.ndarray:
        return values.reshape(n_vendors, n_crit).sum(axis=1)

    quality_sum, coverage = per_vendor(e * s), per_vendor(e * assessed)
    counted_v, knocked_v = per_vendor(counted.astype(np.int64)), per_vendor(knocked.astype(np.int64))
    base_first = _first_places(
        _finals_from_sums(quality_sum[None], coverage[None], counted_v[None], knocked_v[None], tco, params)
    )[0]
    if tuple(enc.vendor_ids[k] for k in np.flatnonzero(base_first)) != tuple(sorted(base, key=enc.vendor_ids.index)):
        # Safety net: if this shortcut cannot reproduce the method's own winner, recompute instead.
        return None

    # One entry per (tester, cell): what the cell becomes without that tester. The scores are taken in blocks
    # of _BLOCK rows: the dozen temporaries of each block stay in the processor's cache and are reused, where
    # temporaries of millions of rows would each be fresh memory (page faults on the first call).
    size = n_testers * n_vendors
    sums = np.zeros((4, size))
    for tester, cell, own_total, own_count in _tester_cells(enc, n_testers):
        left = n[cell] - own_count
        remains = left > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            s_without = np.where(remains, (total[cell] - own_total) / left, 0.0)
            knocked_without = remains & must[cell] & (np.round(s_without, ROUND_DECIMALS) < threshold)
        slot = tester * n_vendors + cell // n_crit
        sums[0] += np.bincount(slot, weights=e[cell] * (s_without - s[cell]), minlength=size)
        sums[1] += np.bincount(slot, weights=np.where(remains, 0.0, e[cell]), minlength=size)
        sums[2] += np.bincount(slot, weights=(~remains & counted[cell]).astype(float), minlength=size)
        sums[3] += np.bincount(slot, weights=knocked_without.astype(float) - knocked[cell], minlength=size)
    quality_change, coverage_change, counted_change, knocked_change = sums.reshape(4, n_testers, n_vendors)
    finals = _finals_from_sums(
        quality_sum[None] + quality_change,
        coverage[None] - coverage_change,
        counted_v[None] - counted_change.round().astype(np.int64),
        knocked_v[None] + knocked_change.round().astype(np.int64),
        tco,
        params,
    )
    first = _first_places(finals)
    changed = (first != base_first[None]).any(axis=1) & scored
    changes = tuple(
        WinnerChange(enc.tester_ids[k], tuple(enc.vendor_ids[j] for j in np.flatnonzero(first[k])))
        for k in np.flatnonzero(changed)
    )
    return LeaveOneOutResult(INCREMENTAL, int(scored.sum()), changes)


def _finals_from_sums(
    quality_sum: np.ndarray,
    coverage: np.ndarray,
    counted: np.ndarray,
    knocked: np.ndarray,
    tco: np.ndarray,
    params: ScoringParams,
) -> np.ndarray:
    """DESIGN.md section 5 from per-vendor sums (... x vendors): F, or NaN for a vendor that is not ranked.

    ``quality_sum`` is sum(e_i s_vi) and ``coverage`` sum(e_i) over the assessed criteria, ``counted`` how many
    assessed criteria weigh more than 0 (coverage > 0 without float noise), ``knocked`` how many knock-outs.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        quality = np.where(counted > 0, 100.0 * quality_sum / (params.scale_max * coverage), np.nan)
    eliminated = knocked > 0
    eligible = ~eliminated & np.isfinite(tco)
    cheapest = np.where(eligible, tco, np.inf).min(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        if params.price_formula == "linear":
            price = 100.0 * np.maximum(0.0, 1.0 - (tco - cheapest) / cheapest)
        else:
            price = 100.0 * cheapest / tco
    q, p = params.quality_weight, params.price_weight
    finals = (q * quality + p * price) / (q + p) if p > 0 else quality
    return np.where(eliminated | ~(counted > 0), np.nan, finals)


# --------------------------------------------------------------------------------------------------------------
# Everything together, the verdict and its words


def analyse(
    criteria: CriteriaSet,
    vendors: Sequence[Vendor],
    testers: Sequence[Tester],
    scores: pd.DataFrame,
    params: ScoringParams,
    scoring_result: ScoringResult,
    *,
    disagreement_sd: float,
    draws: int,
    delta: float,
    seed: int,
) -> AnalysisResult:
    """DESIGN.md section 6 in one call: disagreement, agenda, segments, sensitivity and the verdict."""
    enc = _encode(scores, [v.id for v in vendors], criteria.ids)
    stats = _cell_stats(enc)
    spread = _disagreements(enc, stats, disagreement_sd)
    sensitivity = SensitivityResult(
        winners=winners(scoring_result),
        monte_carlo=monte_carlo(criteria, scoring_result, draws=draws, delta=delta, seed=seed),
        weights=flip_weights(criteria, scoring_result, delta=delta),
        leave_one_out=_leave_one_out(enc, criteria, vendors, testers, scores, params, scoring_result, stats),
    )
    return AnalysisResult(
        disagreement_sd=disagreement_sd,
        disagreements=spread,
        reliability=_alpha_by_vendor(enc),
        agenda=_agenda(enc, scores, spread, scoring_result),
        segments=_segments(enc, scores, criteria, vendors, testers, params),
        sensitivity=sensitivity,
        verdict=verdict(sensitivity),
        vendor_names={v.id: v.name for v in vendors},
        category_names={c.id: c.name for c in criteria.categories},
        criterion_titles={c.id: c.title for c in criteria.criteria},
    )


def verdict(sensitivity: SensitivityResult) -> Verdict:
    """Clear winner when one vendor is first, keeps first place in at least 90 % of the draws, and no single
    category weight within +/- delta and no single tester left out changes the winner."""
    top = sensitivity.winners
    if not top:
        return Verdict(False, None, ("no_ranked",))
    if len(top) > 1:
        return Verdict(False, None, ("tie",))
    reasons = []
    share = sensitivity.monte_carlo.winner_share
    if share is None or share < CLEAR_WINNER_SHARE:
        reasons.append("monte_carlo")
    if any(f.within_delta for f in sensitivity.weights):
        reasons.append("weights")
    if sensitivity.leave_one_out.changes:
        reasons.append("testers")
    return Verdict(not reasons, top[0], tuple(reasons))


_TEXTS = {
    "en": {
        "clear": (
            "Clear winner: {winner}. It ranks first in {share} of {draws} draws with every weight varied by "
            "±{delta}; no single category weight changed by up to ±{delta}, and no single tester left out, "
            "changes the winner."
        ),
        "alone": (
            "Only one vendor is ranked: {winner}. The others are eliminated or not assessed, so no weight and no "
            "tester can change first place; the ranking compares it with no competitor."
        ),
        "not_robust": "No robust winner: {reasons}.",
        "no_ranked": "no vendor is ranked (every vendor is eliminated or not assessed)",
        "tie": "{names} tie for first place",
        "monte_carlo": "{winner} ranks first in only {share} of {draws} draws with every weight varied by ±{delta}",
        "weights": "setting the weight of {category} to {flip} of the total instead of {weight} makes {new} win",
        "testers_one": "leaving out tester {ids} makes {new} win",
        "testers_many": "leaving out any one of {count} testers ({ids}) changes the winner",
        "and": " and ",
        "then": "; ",
        "nobody": "no vendor",
    },
    "fr": {
        "clear": (
            "Vainqueur net\u00a0: {winner}. Il arrive premier dans {share} des {draws} tirages où chaque pondération "
            "varie de ±{delta}\u00a0; ni une pondération de catégorie modifiée d'au plus ±{delta}, ni le retrait "
            "d'un seul testeur ne change le vainqueur."
        ),
        "alone": (
            "Un seul fournisseur est classé\u00a0: {winner}. Les autres sont éliminés ou non évalués\u00a0: aucune "
            "pondération ni aucun testeur ne peut changer la première place, et le classement ne le compare à "
            "aucun concurrent."
        ),
        "not_robust": "Pas de vainqueur robuste\u00a0: {reasons}.",
        "no_ranked": "aucun fournisseur n'est classé (tous sont éliminés ou non évalués)",
        "tie": "{names} sont ex aequo en première place",
        "monte_carlo": (
            "{winner} n'arrive premier que dans {share} des {draws} tirages où chaque pondération varie de ±{delta}"
        ),
        "weights": "porter le poids de la catégorie {category} à {flip} du total au lieu de {weight} fait gagner {new}",
        "testers_one": "retirer le testeur {ids} fait gagner {new}",
        "testers_many": "retirer un seul des {count} testeurs suivants change le vainqueur\u00a0: {ids}",
        "and": " et ",
        "then": "\u00a0; ",
        "nobody": "aucun fournisseur",
    },
}
_MAX_LISTED = 5


def _percent(value: float, language: str) -> str:
    number = format_decimal(value * 100.0, format="#,##0.#", locale=language)
    return f"{number}\u202f%" if language == "fr" else f"{number}%"


def verdict_text(analysis: AnalysisResult, language: str) -> str:
    """The verdict as one plain-language sentence in ``language`` (en or fr), with its reasons."""
    texts = _TEXTS[language]
    sens = analysis.sensitivity
    mc = sens.monte_carlo

    def name(vid: str) -> str:
        return analysis.vendor_names.get(vid, vid)

    def names(ids: Sequence[str]) -> str:
        return texts["and"].join(name(v) for v in ids) if ids else texts["nobody"]

    common = {
        "draws": format_decimal(mc.draws, locale=language),
        "delta": _percent(mc.delta, language),
        "share": _percent(mc.winner_share or 0.0, language),
        "winner": name(analysis.verdict.winner or ""),
    }
    if analysis.verdict.robust:
        # One ranked vendor keeps first place whatever the weights: robust, but with no one to beat.
        alone = len(mc.first_place_share) == 1
        return texts["alone" if alone else "clear"].format(**common)
    parts = []
    for reason in analysis.verdict.reasons:
        if reason == "no_ranked":
            parts.append(texts["no_ranked"])
        elif reason == "tie":
            parts.append(texts["tie"].format(names=names(sens.winners)))
        elif reason == "monte_carlo":
            parts.append(texts["monte_carlo"].format(**common))
        elif reason == "weights":
            for flip in sens.weights:
                if flip.within_delta and flip.flip_weight is not None:
                    parts.append(
                        texts["weights"].format(
                            category=analysis.category_names.get(flip.category, flip.category),
                            flip=_percent(flip.flip_weight, language),
                            weight=_percent(flip.weight, language),
                            new=names(flip.new_winners),
                        )
                    )
        elif reason == "testers":
            changes = sens.leave_one_out.changes
            if len(changes) == 1:
                parts.append(texts["testers_one"].format(ids=changes[0].tester, new=names(changes[0].winners)))
            else:
                ids = ", ".join(c.tester for c in changes[:_MAX_LISTED]) + (", …" if len(changes) > _MAX_LISTED else "")
                parts.append(texts["testers_many"].format(count=len(changes), ids=ids))
    return texts["not_robust"].format(reasons=texts["then"].join(parts))


_TABLE = {
    "en": {
        "disagreement": "Disagreement (pairs whose scores have a standard deviation of {sd} or more): {flagged} of "
        "{pairs} vendor-criterion pairs scored by two testers or more",
        "agenda": "Consensus agenda:",
        "more": "… and {count} more (all of them in the JSON output)",
        "alpha": "Agreement between testers (Krippendorff's alpha, interval): {values}",
        "segments": "Segments (rank and quality score from each group's testers only; "
        "* = rank differs between groups):",
        "out": "eliminated",
        "no_segments": "Segments: testers.xlsx has no group column.",
        "sensitivity": "Sensitivity:",
        "monte_carlo": "Every weight varied by ±{delta} ({draws} draws, seed {seed}), share of first places: {shares}",
        "flips": "Share of one category's weight at which the winner changes (others in proportion): {flips}",
        "flip": "{category} {weight} → {flip} ({new} wins)",
        "rest": "no change for the other {count} categories",
        "rest_one": "no change for the other category",
        "flips_none": "The winner holds whatever the weight of any single category (others in proportion)",
        "loo_none": "Leaving out one tester ({count} tried): the winner never changes",
        "loo": "Leaving out one tester ({count} tried) changes the winner: {changes}",
        "loo_one": "{tester} → {new}",
        "verdict": "Verdict: {text}",
    },
    "fr": {
        "disagreement": "Désaccords (paires dont les notes ont un écart type d'au moins {sd})\u00a0: {flagged} sur "
        "{pairs} paires fournisseur-critère notées par au moins deux testeurs",
        "agenda": "Ordre du jour de la réunion de consensus\u00a0:",
        "more": "… et {count} de plus (toutes dans la sortie JSON)",
        "alpha": "Accord entre testeurs (alpha de Krippendorff, intervalles)\u00a0: {values}",
        "segments": "Segments (rang et note de qualité d'après les seuls testeurs de chaque groupe\u00a0; "
        "* = rang différent selon les groupes)\u00a0:",
        "out": "éliminé",
        "no_segments": "Segments\u00a0: testers.xlsx n'a pas de colonne de groupe.",
        "sensitivity": "Sensibilité\u00a0:",
        "monte_carlo": "Chaque pondération variée de ±{delta} ({draws} tirages, graine {seed}), part des premières "
        "places\u00a0: {shares}",
        "flips": "Part du poids d'une catégorie à laquelle le vainqueur change (les autres au prorata)\u00a0: {flips}",
        "flip": "{category} {weight} → {flip} ({new} gagne)",
        "rest": "aucun changement pour les {count} autres catégories",
        "rest_one": "aucun changement pour l'autre catégorie",
        "flips_none": "Le vainqueur tient quelle que soit la pondération d'une seule catégorie (les autres au prorata)",
        "loo_none": "Retrait d'un testeur ({count} essayés)\u00a0: le vainqueur ne change jamais",
        "loo": "Le retrait d'un testeur ({count} essayés) change le vainqueur\u00a0: {changes}",
        "loo_one": "{tester} → {new}",
        "verdict": "Verdict\u00a0: {text}",
    },
}
_AGENDA_HEAD = {
    "en": ("Vendor", "Criterion", "n", "Mean", "SD", "Range", "Scores given"),
    "fr": ("Fournisseur", "Critère", "n", "Moyenne", "Écart type", "Étendue", "Notes données"),
}
#: At most this many agenda points in the table; the JSON output has them all.
AGENDA_LINES = 10
_DASH = "—"


def _fixed(value: float | None, language: str, digits: int = 2) -> str:
    if value is None or not math.isfinite(value):
        return _DASH
    return format_decimal(value, format="#,##0." + "0" * digits, locale=language)


def _plain(value: float, language: str) -> str:
    """A score as people write it: no useless decimals, the language's decimal mark (4.5, 4,5)."""
    return format_decimal(value, format="#,##0.##", locale=language)


def _columns(rows: Sequence[Sequence[str]], right: set[int], indent: str = "  ") -> list[str]:
    """Rows of cells aligned in columns (numbers to the right)."""
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [c.rjust(w) if k in right else c.ljust(w) for k, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def analysis_table(analysis: AnalysisResult, language: str, width: int = 100) -> list[str]:
    """The analysis as short text sections for `tender score`: agenda, segments, sensitivity, verdict."""
    texts = _TABLE[language]

    def vendor(vid: str) -> str:
        return f"{analysis.vendor_names.get(vid, vid)} ({vid})"

    def vendors(ids: Sequence[str]) -> str:
        return _TEXTS[language]["and"].join(vendor(v) for v in ids) if ids else _TEXTS[language]["nobody"]

    def wrapped(text: str, bullet: bool = True) -> list[str]:
        first = "- " if bullet else ""
        return textwrap.wrap(text, width, initial_indent=first, subsequent_indent="  ", break_on_hyphens=False)

    then = _TEXTS[language]["then"]
    colon = "\u00a0:" if language == "fr" else ":"

    label = format_decimal(analysis.disagreement_sd, format="#,##0.##", locale=language)
    flagged = sum(1 for d in analysis.disagreements if d.flagged)
    out = wrapped(
        texts["disagreement"].format(sd=label, flagged=flagged, pairs=len(analysis.disagreements)), bullet=False
    )
    if analysis.agenda:
        out.append(texts["agenda"])
        rows = [list(_AGENDA_HEAD[language])]
        said = []
        for item in analysis.agenda[:AGENDA_LINES]:
            given = then.join(_plain(v, language) for _, v in item.scores)
            title = analysis.criterion_titles.get(item.criterion, "")
            rows.append(
                [
                    vendor(item.vendor),
                    f"{item.criterion} {title}".strip()[:40],
                    str(item.n),
                    _fixed(item.mean, language),
                    _fixed(item.sd, language),
                    _plain(item.spread, language),
                    given if len(given) <= 40 else given[:39] + "…",
                ]
            )
            quotes = then.join(
                f"{tester}{colon} «\u00a0{text}\u00a0»" if language == "fr" else f'{tester}: "{text}"'
                for tester, text in item.comments
            )
            # Cut by hand: textwrap.shorten would turn the no-break spaces of French into plain ones.
            said.append(quotes if len(quotes) <= width - 6 else quotes[: width - 7] + "…")
        aligned = _columns(rows, right={2, 3, 4, 5})
        out.append(aligned[0])
        for line, quotes in zip(aligned[1:], said, strict=True):
            out.append(line)
            if quotes:
                out.append("      " + quotes)
        if len(analysis.agenda) > AGENDA_LINES:
            out.append("  " + texts["more"].format(count=len(analysis.agenda) - AGENDA_LINES))
    alphas = then.join(f"{vendor(vid)} {_fixed(a, language)}" for vid, a in analysis.reliability.items())
    out += wrapped(texts["alpha"].format(values=alphas), bullet=False)

    out.append("")
    if not analysis.segments:
        out.append(texts["no_segments"])
    else:
        out += wrapped(texts["segments"], bullet=False)
        for seg in analysis.segments:
            rows = [[seg.column, *(f"{g.group} ({g.testers})" for g in seg.groups)]]
            for vid in analysis.vendor_names:
                cells = []
                for group in seg.groups:
                    found = group.vendors.get(vid)
                    if found is None or found.coverage <= 0:
                        cells.append(_DASH)
                    else:
                        rank = texts["out"] if found.eliminated else (_DASH if found.rank is None else str(found.rank))
                        cells.append(f"{rank} ({_fixed(found.quality_score, language, 1)})")
                mark = "* " if vid in seg.divergent else "  "
                rows.append([mark + vendor(vid), *cells])
            out += _columns(rows, right=set())

    out += ["", texts["sensitivity"]]
    sens = analysis.sensitivity
    mc = sens.monte_carlo
    shares = sorted(mc.first_place_share.items(), key=lambda item: -item[1])
    share_text = ", ".join(f"{vendor(vid)} {_percent(share, language)}" for vid, share in shares if share > 0)
    out += wrapped(
        texts["monte_carlo"].format(
            delta=_percent(mc.delta, language),
            draws=format_decimal(mc.draws, locale=language),
            seed=mc.seed,
            shares=share_text or _TEXTS[language]["nobody"],
        )
    )
    if sens.weights and len(sens.winners) == 1:
        # Only the categories that can change the winner are named; the others are counted.
        moves = [f for f in sens.weights if f.flip_weight is not None]
        parts = [
            texts["flip"].format(
                category=analysis.category_names.get(f.category, f.category),
                weight=_percent(f.weight, language),
                flip=_percent(f.flip_weight or 0.0, language),
                new=vendors(f.new_winners),
            )
            for f in moves
        ]
        rest = len(sens.weights) - len(moves)
        if rest:
            parts.append(texts["rest_one"] if rest == 1 else texts["rest"].format(count=rest))
        flips = then.join(parts)
        out += wrapped(texts["flips"].format(flips=flips) if moves else texts["flips_none"])
    loo = sens.leave_one_out
    if loo.changes:
        changes = ", ".join(texts["loo_one"].format(tester=c.tester, new=vendors(c.winners)) for c in loo.changes)
        out += wrapped(texts["loo"].format(count=loo.testers, changes=changes))
    else:
        out += wrapped(texts["loo_none"].format(count=loo.testers))
    out += wrapped(texts["verdict"].format(text=verdict_text(analysis, language)), bullet=False)
    return out


def _number(value: float | None) -> float | None:
    """Full precision for JSON, None where undefined (NaN or infinite)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def analysis_to_dict(analysis: AnalysisResult, language: str | None = None) -> dict[str, object]:
    """The JSON keys of DESIGN.md section 7 for the analysis (``disagreements``, ``segments``, ``sensitivity``)
    plus ``reliability`` (alpha per vendor) and ``agenda``; the verdict text is added when ``language`` is given."""
    sens = analysis.sensitivity
    mc = sens.monte_carlo
    verdict_dict: dict[str, object] = {
        "robust": analysis.verdict.robust,
        "winner": analysis.verdict.winner,
        "reasons": list(analysis.verdict.reasons),
    }
    if language is not None:
        verdict_dict["text"] = verdict_text(analysis, language)
    return {
        "disagreements": [
            {
                "vendor": d.vendor,
                "criterion": d.criterion,
                "n": d.n,
                "mean": _number(d.mean),
                "sd": _number(d.sd),
                "range": _number(d.spread),
                "flagged": d.flagged,
            }
            for d in analysis.disagreements
        ],
        "reliability": {vid: _number(alpha) for vid, alpha in analysis.reliability.items()},
        "agenda": [
            {
                "vendor": item.vendor,
                "criterion": item.criterion,
                "title": analysis.criterion_titles.get(item.criterion),
                "n": item.n,
                "mean": _number(item.mean),
                "sd": _number(item.sd),
                "range": _number(item.spread),
                "scores": [{"tester": t, "score": s} for t, s in item.scores],
                "comments": [{"tester": t, "comment": c} for t, c in item.comments],
            }
            for item in analysis.agenda
        ],
        "segments": {
            seg.column: {
                "groups": {
                    group.group: {
                        "testers": group.testers,
                        "vendors": {
                            vid: {
                                "quality_score": _number(s.quality_score),
                                "rank": s.rank,
                                "eliminated": s.eliminated,
                                "coverage": _number(s.coverage),
                            }
                            for vid, s in group.vendors.items()
                        },
                    }
                    for group in seg.groups
                },
                "divergent": list(seg.divergent),
            }
            for seg in analysis.segments
        },
        "sensitivity": {
            "winners": list(sens.winners),
            "monte_carlo": {
                "draws": mc.draws,
                "delta": mc.delta,
                "seed": mc.seed,
                "first_place_share": {vid: _number(s) for vid, s in mc.first_place_share.items()},
                "winner_share": _number(mc.winner_share),
            },
            "weights": [
                {
                    "category": f.category,
                    "weight": _number(f.weight),
                    "flip_weight": _number(f.flip_weight),
                    "relative_change": _number(f.relative_change),
                    "new_winners": list(f.new_winners),
                    "within_delta": f.within_delta,
                }
                for f in sens.weights
            ],
            "leave_one_out": {
                "method": sens.leave_one_out.method,
                "testers": sens.leave_one_out.testers,
                "changes": [{"tester": c.tester, "winners": list(c.winners)} for c in sens.leave_one_out.changes],
            },
            "verdict": verdict_dict,
        },
    }
