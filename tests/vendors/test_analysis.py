"""Tests of the analysis (DESIGN.md section 6) on cases whose answer is worked out by hand in each docstring."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest

from criteria.model import Category, CriteriaSet, Criterion, Priority
from vendors import analysis
from vendors.analysis import (
    FlipWeight,
    LeaveOneOutResult,
    MonteCarloResult,
    SegmentScore,
    SensitivityResult,
    WinnerChange,
    agenda,
    alpha_by_vendor,
    analyse,
    analysis_to_dict,
    disagreements,
    flip_weights,
    leave_one_out,
    monte_carlo,
    segments,
    verdict,
    verdict_text,
)
from vendors.model import Tester as Pilot  # aliased: pytest would try to collect a class named Test*
from vendors.model import Vendor
from vendors.scoring import SCORE_COLUMNS, ScoringParams, ScoringResult, score

Score = float | str | None
Grid = Mapping[str, Mapping[str, Mapping[str, Score]]]

#: users=1, 3 years, no setup: TCO_A = 36 x 10 = 360, TCO_B = 720, TCO_C = 1080.
VENDORS = (
    Vendor("A", "Alpha", price_per_user_month=10.0),
    Vendor("B", "Beta", price_per_user_month=20.0),
)
QUALITY_ONLY = ScoringParams(scale_max=5, users=1, quality_weight=100, price_weight=0)
WITH_PRICE = ScoringParams(scale_max=5, users=1, quality_weight=70, price_weight=30)


def crit(cid: str, cat: str, weight: float = 1.0, priority: Priority = Priority.SHOULD) -> Criterion:
    return Criterion(cid, cat, f"title {cid}", "", priority, weight)


def two_categories(w1: float, w2: float) -> CriteriaSet:
    """K1 holds C1 and K2 holds C2, each criterion of weight 1."""
    return CriteriaSet(
        (Category("K1", "Usage", w1), Category("K2", "Security", w2)), (crit("C1", "K1"), crit("C2", "K2"))
    )


def frame(grid: Grid, comments: Mapping[tuple[str, str, str], str] | None = None) -> pd.DataFrame:
    """Scores frame of the contract from {tester: {vendor: {criterion: score}}}; "N/A" and None (blank) give NaN."""
    comments = comments or {}
    records = []
    for tester, by_vendor in grid.items():
        for vendor, by_criterion in by_vendor.items():
            for criterion, value in by_criterion.items():
                na = value == "N/A"
                records.append(
                    {
                        "tester": tester,
                        "vendor": vendor,
                        "criterion": criterion,
                        "score": math.nan if value is None or na else float(value),
                        "na": na,
                        "comment": comments.get((tester, vendor, criterion), ""),
                    }
                )
    return pd.DataFrame(records, columns=list(SCORE_COLUMNS))


def ranked(criteria: CriteriaSet, grid: Grid, params: ScoringParams = QUALITY_ONLY) -> ScoringResult:
    return score(criteria, VENDORS, frame(grid), params)


# ----------------------------------------------------------------------------------------------------------------
# Disagreement, alpha, agenda


def test_disagreement_sd_and_range_by_hand() -> None:
    """A/C1 = (1, 5): mean 3, sd = sqrt(((1-3)^2 + (5-3)^2) / 1) = sqrt(8), range 4, flagged at 1.5.
    A/C2 = (3, 4): sd = sqrt(0.5), range 1, not flagged. A/C3 has one score and an N/A: no entry.
    B/C1 = (2, 2) and an N/A: sd 0, range 0, n 2. Unknown vendor X and criterion C9 are ignored."""
    criteria = CriteriaSet((Category("K", "k", 1),), (crit("C1", "K"), crit("C2", "K"), crit("C3", "K")))
    scores = frame(
        {
            "t1": {"A": {"C1": 1, "C2": 3, "C3": 2, "C9": 0}, "B": {"C1": 2}, "X": {"C1": 0}},
            "t2": {"A": {"C1": 5, "C2": 4, "C3": "N/A"}, "B": {"C1": 2}, "X": {"C1": 5}},
            "t3": {"B": {"C1": "N/A"}},
        }
    )
    found = disagreements(criteria, VENDORS, scores, 1.5)
    assert [(d.vendor, d.criterion, d.n, d.mean, d.spread, d.flagged) for d in found] == [
        ("A", "C1", 2, 3.0, 4.0, True),
        ("A", "C2", 2, 3.5, 1.0, False),
        ("B", "C1", 2, 2.0, 0.0, False),
    ]
    assert found[0].sd == pytest.approx(math.sqrt(8), rel=1e-15)
    assert found[1].sd == pytest.approx(math.sqrt(0.5), rel=1e-15)
    assert found[2].sd == 0.0


def test_disagreement_threshold_is_inclusive() -> None:
    """sd of (3, 4) is sqrt(0.5); with disagreement_sd = sqrt(0.5) the pair is flagged (sd >= threshold)."""
    criteria = CriteriaSet((Category("K", "k", 1),), (crit("C1", "K"),))
    scores = frame({"t1": {"A": {"C1": 3}}, "t2": {"A": {"C1": 4}}})
    assert [d.flagged for d in disagreements(criteria, VENDORS, scores, math.sqrt(0.5))] == [True]
    assert [d.flagged for d in disagreements(criteria, VENDORS, scores, math.sqrt(0.5) + 1e-9)] == [False]


def test_an_sd_exactly_at_the_threshold_is_flagged_despite_rounding() -> None:
    """(0, 0, 1, 1, 1, 2, 2, 4, 4): mean 5/3, squared deviations 9 x 2 = 18, sd = sqrt(18 / 8) = 1.5 exactly.

    Floating point gets 1.4999999999999998 from the two passes; the pair is flagged and on the agenda all the same.
    """
    criteria = CriteriaSet((Category("K", "k", 1),), (crit("C1", "K"),))
    values = (0, 0, 1, 1, 1, 2, 2, 4, 4)
    scores = frame({f"t{k}": {"A": {"C1": v}} for k, v in enumerate(values)})
    found = disagreements(criteria, VENDORS, scores, 1.5)
    assert found[0].sd == pytest.approx(1.5, abs=1e-12)
    assert found[0].flagged
    result = score(criteria, VENDORS, scores, QUALITY_ONLY)
    points = agenda(criteria, VENDORS, scores, found, result)
    assert [(point.vendor, point.criterion) for point in points] == [("A", "C1")]


def test_alpha_identical_raters_is_one_and_textbook_value() -> None:
    """Vendor A: two testers agree on every criterion (1, 3, 5): no observed disagreement, alpha = 1.

    Vendor B: units (1, 1) and (2, 3). Pairable values 1, 1, 2, 3 (n = 4). Observed: the ordered pairs
    (2, 3) and (3, 2), each (2 - 3)^2 = 1, sum 2. Expected: sum over ordered pairs of distinct values of
    n_c n_k (c - k)^2 = 2(2*1*1) + 2(2*1*4) + 2(1*1*1) = 22, divided by n - 1 = 3. alpha = 1 - 2 / (22/3) = 8/11.
    """
    criteria = CriteriaSet((Category("K", "k", 1),), (crit("C1", "K"), crit("C2", "K"), crit("C3", "K")))
    scores = frame(
        {
            "t1": {"A": {"C1": 1, "C2": 3, "C3": 5}, "B": {"C1": 1, "C2": 2}},
            "t2": {"A": {"C1": 1, "C2": 3, "C3": 5}, "B": {"C1": 1, "C2": 3}},
        }
    )
    alphas = alpha_by_vendor(criteria, VENDORS, scores)
    assert alphas["A"] == 1.0
    assert alphas["B"] == pytest.approx(8 / 11, rel=1e-12)


def test_alpha_is_none_where_undefined() -> None:
    """A: one tester only (no unit with two coders). B: everybody gives 4 (no variation: 0/0). C: no score."""
    vendors = (*VENDORS, Vendor("C", "Gamma", price_per_user_month=30.0))
    criteria = CriteriaSet((Category("K", "k", 1),), (crit("C1", "K"), crit("C2", "K")))
    scores = frame(
        {
            "t1": {"A": {"C1": 1, "C2": 5}, "B": {"C1": 4, "C2": 4}},
            "t2": {"B": {"C1": 4, "C2": 4}},
        }
    )
    assert alpha_by_vendor(criteria, vendors, scores) == {"A": None, "B": None, "C": None}


def test_agenda_orders_by_ranking_then_spread_and_keeps_comments() -> None:
    """A: C1 = (0, 5) sd 3.54, C2 = (1, 4) sd 2.12, means 2.5 -> Q_A = 50, rank 1.
    B: C1 = (0, 4) sd 2.83, C2 = (2, 2) -> Q_B = 40, rank 2. Flagged at 1.5: A/C1, A/C2, B/C1.
    The agenda takes the winner first, widest split first: A/C1, A/C2, then B/C1 (even though 2.83 > 2.12).
    t3's N/A on A/C2 counts for nothing but its comment is on the agenda."""
    criteria = CriteriaSet((Category("K", "k", 1),), (crit("C1", "K"), crit("C2", "K")))
    grid: Grid = {
        "t1": {"A": {"C1": 0, "C2": 1}, "B": {"C1": 0, "C2": 2}},
        "t2": {"A": {"C1": 5, "C2": 4}, "B": {"C1": 4, "C2": 2}},
        "t3": {"A": {"C2": "N/A"}},
    }
    notes = {("t1", "A", "C1"): "too slow", ("t2", "A", "C1"): " excellent ", ("t3", "A", "C2"): "could not log in"}
    scores = frame(grid, notes)
    result = score(criteria, VENDORS, scores, QUALITY_ONLY)
    assert [v.id for v in result.ranked] == ["A", "B"]
    items = agenda(criteria, VENDORS, scores, disagreements(criteria, VENDORS, scores, 1.5), result)
    assert [(i.vendor, i.criterion) for i in items] == [("A", "C1"), ("A", "C2"), ("B", "C1")]
    assert items[0].scores == (("t1", 0.0), ("t2", 5.0))
    assert items[0].comments == (("t1", "too slow"), ("t2", "excellent"))
    assert items[1].scores == (("t1", 1.0), ("t2", 4.0))
    assert items[1].comments == (("t3", "could not log in"),)
    assert items[2].comments == ()
    assert (items[2].n, items[2].mean, items[2].spread) == (2, 2.0, 4.0)


# ----------------------------------------------------------------------------------------------------------------
# Monte Carlo


def test_monte_carlo_share_matches_the_integral() -> None:
    """W = (1.1, 1); A scores 5 on C1 (K1) and 0 on C2, B the reverse; price weight 0, so F = Q.

    Q_A = 100 W1 / (W1 + W2) and Q_B = 100 W2 / (W1 + W2): A is first iff 1.1 u1 > u2 with u1, u2 uniform
    on [0.5, 1.5] (delta = 0.5). P = integral over u1 of clip(1.1 u1 - 0.5, 0, 1)
    = [0.55 u^2 - 0.5 u] from 1/2 to 15/11 + (3/2 - 15/11) = 15/44 + 9/80 + 3/22 = 519/880 = 0.58977.
    With 200,000 draws the standard error is 0.0011; the tolerance is 0.005."""
    result = ranked(two_categories(1.1, 1.0), {"t1": {"A": {"C1": 5, "C2": 0}, "B": {"C1": 0, "C2": 5}}})
    mc = monte_carlo(two_categories(1.1, 1.0), result, draws=200_000, delta=0.5, seed=0)
    assert mc.first_place_share["A"] == pytest.approx(519 / 880, abs=0.005)
    assert mc.first_place_share["A"] + mc.first_place_share["B"] == pytest.approx(1.0, abs=1e-12)
    assert mc.winner_share == mc.first_place_share["A"]


def test_monte_carlo_without_perturbation_keeps_the_winner() -> None:
    """delta = 0: every draw is the ranking itself, so A has all the first places."""
    result = ranked(two_categories(1.1, 1.0), {"t1": {"A": {"C1": 5, "C2": 0}, "B": {"C1": 0, "C2": 5}}})
    mc = monte_carlo(two_categories(1.1, 1.0), result, draws=1000, delta=0.0, seed=3)
    assert mc.first_place_share == {"A": 1.0, "B": 0.0}
    assert mc.winner_share == 1.0


def test_monte_carlo_is_reproducible_and_independent_of_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same seed, same shares, whatever the block size; another seed gives other draws."""
    criteria = two_categories(1.05, 1.0)
    result = ranked(criteria, {"t1": {"A": {"C1": 5, "C2": 0}, "B": {"C1": 0, "C2": 5}}})
    first = monte_carlo(criteria, result, draws=5000, delta=0.25, seed=7)
    assert monte_carlo(criteria, result, draws=5000, delta=0.25, seed=7) == first
    monkeypatch.setattr(analysis, "_DRAW_BLOCK", 7)
    assert monte_carlo(criteria, result, draws=5000, delta=0.25, seed=7) == first
    assert monte_carlo(criteria, result, draws=5000, delta=0.25, seed=8) != first


def test_monte_carlo_price_half_is_perturbed() -> None:
    """One category; Q_A = 100, Q_B = 50; P_A = 50 (TCO 720 vs 360), P_B = 100; q = p = 50.

    F_A - F_B = (50 uq * 50 - 50 up * 50) / (...): A is first iff uq > up, probability 1/2 by symmetry.
    Base: uq = up = 1 gives a tie, so both rank first and there is no single winner."""
    criteria = CriteriaSet((Category("K", "k", 1),), (crit("C1", "K"),))
    vendors = (Vendor("A", "Alpha", price_per_user_month=20.0), Vendor("B", "Beta", price_per_user_month=10.0))
    params = ScoringParams(scale_max=5, users=1, quality_weight=50, price_weight=50)
    result = score(criteria, vendors, frame({"t1": {"A": {"C1": 5}, "B": {"C1": 2.5}}}), params)
    assert [v.rank for v in result.vendors] == [1, 1]
    mc = monte_carlo(criteria, result, draws=100_000, delta=0.25, seed=0)
    assert mc.first_place_share["A"] == pytest.approx(0.5, abs=0.01)
    assert mc.winner_share is None


def test_monte_carlo_ignores_eliminated_vendors() -> None:
    """B fails its MUST criterion (0 < 1): it is not ranked and has no share, whatever the weights."""
    criteria = CriteriaSet((Category("K", "k", 1),), (crit("M", "K", priority=Priority.MUST), crit("C1", "K")))
    result = ranked(criteria, {"t1": {"A": {"M": 2, "C1": 2}, "B": {"M": 0, "C1": 5}}})
    mc = monte_carlo(criteria, result, draws=100, delta=0.25, seed=0)
    assert mc.first_place_share == {"A": 1.0}


# ----------------------------------------------------------------------------------------------------------------
# Flip weights


def test_flip_weight_quality_only_by_hand() -> None:
    """W = (3, 1); A: C1 4, C2 1; B: C1 2, C2 5; F = Q. With x the share of K1:
    F_A = 100 (4x + 1(1-x)) / 5 = 20 (1 + 3x), F_B = 20 (2x + 5(1-x)) = 20 (5 - 3x).
    At x0 = 3/4: 65 vs 55. They cross at 1 + 3x = 5 - 3x, x = 2/3: K1 flips at 2/3 (as a change of W1 alone,
    with W2 = 1: W1 = 2, i.e. -1/3), K2 at 1 - 2/3 = 1/3 (W2 = 1.5, i.e. +1/2)."""
    criteria = two_categories(3, 1)
    result = ranked(criteria, {"t1": {"A": {"C1": 4, "C2": 1}, "B": {"C1": 2, "C2": 5}}})
    k1, k2 = flip_weights(criteria, result, delta=0.25)
    assert (k1.category, k1.weight, k1.new_winners, k1.within_delta) == ("K1", 0.75, ("B",), False)
    assert k1.flip_weight == pytest.approx(2 / 3, abs=1e-12)
    assert k1.relative_change == pytest.approx(-1 / 3, abs=1e-12)
    assert (k2.category, k2.weight, k2.new_winners, k2.within_delta) == ("K2", 0.25, ("B",), False)
    assert k2.flip_weight == pytest.approx(1 / 3, abs=1e-12)
    assert k2.relative_change == pytest.approx(0.5, abs=1e-12)
    k1, k2 = flip_weights(criteria, result, delta=0.4)
    assert (k1.within_delta, k2.within_delta) == (True, False)


def test_flip_weight_with_price_by_hand() -> None:
    """Same scores with q = 70, p = 30, P_A = 100 (TCO 360), P_B = 50 (TCO 720):
    F_A = 0.7 * 20 (1 + 3x) + 30 = 44 + 42x, F_B = 0.7 * 20 (5 - 3x) + 15 = 85 - 42x; equal at x = 41/84."""
    criteria = two_categories(3, 1)
    result = ranked(criteria, {"t1": {"A": {"C1": 4, "C2": 1}, "B": {"C1": 2, "C2": 5}}}, WITH_PRICE)
    k1, k2 = flip_weights(criteria, result, delta=0.25)
    assert k1.flip_weight == pytest.approx(41 / 84, abs=1e-12)
    assert k2.flip_weight == pytest.approx(43 / 84, abs=1e-12)
    assert k1.new_winners == k2.new_winners == ("B",)


def test_flip_weight_at_the_ends_of_the_range() -> None:
    """A is assessed on C1 only (5: Q_A = 100 for any positive K1 share); B scores 4 everywhere (Q_B = 80).
    A keeps first place until K1 weighs nothing: at K1 = 0 (and K2 = 100 %), A has no assessed criterion
    left and B wins. So K1 flips at 0 (-100 %) and K2 at 1 (no finite relative change)."""
    criteria = two_categories(1, 1)
    result = ranked(criteria, {"t1": {"A": {"C1": 5}, "B": {"C1": 4, "C2": 4}}})
    k1, k2 = flip_weights(criteria, result, delta=0.25)
    assert (k1.flip_weight, k1.relative_change, k1.new_winners) == (0.0, -1.0, ("B",))
    assert (k2.flip_weight, k2.relative_change, k2.new_winners) == (1.0, None, ("B",))


def test_flip_weight_none_when_the_winner_dominates() -> None:
    """A beats B on every criterion: no weight in [0, 1] changes the winner."""
    criteria = two_categories(1, 2)
    result = ranked(criteria, {"t1": {"A": {"C1": 4, "C2": 5}, "B": {"C1": 3, "C2": 1}}})
    assert flip_weights(criteria, result, delta=0.25) == (
        FlipWeight("K1", 1 / 3, None, None, (), False),
        FlipWeight("K2", 2 / 3, None, None, (), False),
    )


def test_flip_weight_none_on_a_tie() -> None:
    """A and B both score 3 everywhere: there is no single winner to dethrone."""
    criteria = two_categories(1, 1)
    result = ranked(criteria, {"t1": {"A": {"C1": 3, "C2": 3}, "B": {"C1": 3, "C2": 3}}})
    assert [f.flip_weight for f in flip_weights(criteria, result, delta=0.25)] == [None, None]


# ----------------------------------------------------------------------------------------------------------------
# Leave one tester out


def test_leave_one_out_mean_finds_the_decisive_tester() -> None:
    """One criterion. t1: A 5, B 0; t2 and t3: A 2, B 4. Means: A 3, B 8/3: A wins.
    Without t1: A 2, B 4, B wins. Without t2 (or t3): A 3.5, B 2, A still wins. t4 only wrote N/A."""
    criteria = CriteriaSet((Category("K", "k", 1),), (crit("C1", "K"),))
    scores = frame(
        {
            "t1": {"A": {"C1": 5}, "B": {"C1": 0}},
            "t2": {"A": {"C1": 2}, "B": {"C1": 4}},
            "t3": {"A": {"C1": 2}, "B": {"C1": 4}},
            "t4": {"A": {"C1": "N/A"}},
        }
    )
    result = score(criteria, VENDORS, scores, QUALITY_ONLY)
    loo = leave_one_out(criteria, VENDORS, (), scores, QUALITY_ONLY, result)
    assert loo == LeaveOneOutResult("incremental", 3, (WinnerChange("t1", ("B",)),))


def test_leave_one_out_through_a_knockout_and_the_price() -> None:
    """M is a MUST criterion. A: M = (0, 1, 1), mean 2/3 < 1: A is eliminated and B (the only eligible
    vendor, P_B = 100) wins with Q_B = 100 (0.5*3 + 0.5*2) / 5 = 50, F_B = 0.7*50 + 0.3*100 = 65.
    Without t1: A's M = 1, not eliminated, Q_A = 100 (0.5*1 + 0.5*5) / 5 = 60, P_A = 100 and now P_B = 50:
    F_A = 72 > F_B = 50. Without t2 or t3, A's M = 0.5 and A stays eliminated."""
    criteria = CriteriaSet((Category("K", "k", 1),), (crit("M", "K", priority=Priority.MUST), crit("S", "K")))
    grid: Grid = {
        tester: {"A": {"M": m, "S": 5}, "B": {"M": 3, "S": 2}} for tester, m in (("t1", 0), ("t2", 1), ("t3", 1))
    }
    result = ranked(criteria, grid, WITH_PRICE)
    assert [(v.id, v.rank, v.eliminated) for v in result.vendors] == [("B", 1, False), ("A", None, True)]
    assert result.vendors[0].final_score == 65.0
    loo = leave_one_out(criteria, VENDORS, (), frame(grid), WITH_PRICE, result)
    assert loo.changes == (WinnerChange("t1", ("A",)),)


def test_leave_one_out_of_the_only_tester_leaves_no_winner() -> None:
    """With a single tester, removing them leaves nothing assessed: no vendor is ranked."""
    criteria = two_categories(1, 1)
    grid: Grid = {"t1": {"A": {"C1": 4, "C2": 4}, "B": {"C1": 3, "C2": 3}}}
    loo = leave_one_out(criteria, VENDORS, (), frame(grid), QUALITY_ONLY, ranked(criteria, grid))
    assert loo.changes == (WinnerChange("t1", ()),)


def test_leave_one_out_median_recomputes() -> None:
    """Median of three. t1: A 5, B 1; t2: A 4, B 3; t3: A 1, B 5. Medians A 4, B 3: A wins.
    Without t1: A (4, 1) -> 2.5, B (3, 5) -> 4: B. Without t2: A (5, 1) -> 3, B (1, 5) -> 3: a tie.
    Without t3: A 4.5, B 2: A."""
    criteria = CriteriaSet((Category("K", "k", 1),), (crit("C1", "K"),))
    params = ScoringParams(scale_max=5, users=1, quality_weight=100, price_weight=0, aggregation="median")
    scores = frame({t: {"A": {"C1": a}, "B": {"C1": b}} for t, a, b in (("t1", 5, 1), ("t2", 4, 3), ("t3", 1, 5))})
    result = score(criteria, VENDORS, scores, params)
    loo = leave_one_out(criteria, VENDORS, (), scores, params, result)
    assert loo == LeaveOneOutResult("recomputed", 3, (WinnerChange("t1", ("B",)), WinnerChange("t2", ("A", "B"))))


def test_leave_one_out_removes_every_row_of_a_tester_at_once() -> None:
    """t1 wrote two rows for A/C1 (5 and 5); removing t1 removes both: A (2) loses to B (4).
    Had one row been removed alone, A would have had (5, 2) -> 3.5 and kept first place."""
    criteria = CriteriaSet((Category("K", "k", 1),), (crit("C1", "K"),))
    scores = frame({"t1": {"A": {"C1": 5}, "B": {"C1": 1}}, "t2": {"A": {"C1": 2}, "B": {"C1": 4}}})
    scores = pd.concat([scores, scores.iloc[[0]]], ignore_index=True)
    result = score(criteria, VENDORS, scores, QUALITY_ONLY)
    assert result.vendors[0].id == "A"
    loo = leave_one_out(criteria, VENDORS, (), scores, QUALITY_ONLY, result)
    assert loo.changes == (WinnerChange("t1", ("B",)),)
    assert loo.method == "incremental"


def random_campaign(seed: int) -> tuple[CriteriaSet, tuple[Vendor, ...], pd.DataFrame, ScoringParams]:
    """Eight testers scoring three vendors on six criteria at random (30 % blank), two of them MUST."""
    rng = np.random.default_rng(seed)
    criteria = CriteriaSet(
        (Category("K1", "a", 2), Category("K2", "b", 1)),
        tuple(
            crit(f"C{i}", f"K{1 + i % 2}", float(1 + i % 3), Priority.MUST if i < 2 else Priority.SHOULD)
            for i in range(6)
        ),
    )
    vendors = (*VENDORS, Vendor("C", "Gamma", setup_cost=100.0, price_per_user_month=12.0))
    grid: dict[str, dict[str, dict[str, Score]]] = {
        f"t{t}": {
            v.id: {c: (None if rng.random() < 0.3 else float(rng.integers(0, 6))) for c in criteria.ids}
            for v in vendors
        }
        for t in range(8)
    }
    params = ScoringParams(
        scale_max=5,
        users=3,
        price_weight=float(rng.choice([0, 30])),
        price_formula=str(rng.choice(["inverse", "linear"])),
        knockout_threshold=float(rng.choice([0.5, 1.5])),
    )
    return criteria, vendors, frame(grid), params


@pytest.mark.parametrize(("block", "max_pairs"), [(1 << 17, 64_000_000), (7, 64_000_000), (5, 0)])
@pytest.mark.parametrize("seed", range(12))
def test_leave_one_out_incremental_equals_recomputation(
    seed: int, block: int, max_pairs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The vectorised shortcut for the mean gives exactly what rerunning the method without each tester gives,
    whether the scores fit one block or span many, and whether duplicates are looked for by flags or hashing."""
    monkeypatch.setattr(analysis, "_BLOCK", block)
    monkeypatch.setattr(analysis, "_MAX_PAIR_COUNT", max_pairs)
    criteria, vendors, scores, params = random_campaign(seed)
    result = score(criteria, vendors, scores, params)
    fast = leave_one_out(criteria, vendors, (), scores, params, result)
    monkeypatch.setattr(analysis, "_leave_one_out_mean", lambda *args: None)
    slow = leave_one_out(criteria, vendors, (), scores, params, result)
    assert (fast.method, slow.method) == ("incremental", "recomputed")
    assert fast.changes == slow.changes


def test_random_campaigns_do_exercise_winner_changes() -> None:
    """Guard for the parity test above: over its seeds, some removals do change the winner."""
    changed = 0
    for seed in range(12):
        criteria, vendors, scores, params = random_campaign(seed)
        result = score(criteria, vendors, scores, params)
        changed += len(leave_one_out(criteria, vendors, (), scores, params, result).changes)
    assert changed >= 5


# ----------------------------------------------------------------------------------------------------------------
# Segments


LEVELS = (
    Pilot("t1", "Ann", groups={"level": "staff", "site": "Paris"}),
    Pilot("t2", "Bob", groups={"level": "staff", "site": "Lyon"}),
    Pilot("t3", "Cem", groups={"level": "manager", "site": ""}),
)


def test_segments_by_hand() -> None:
    """M is MUST, S is SHOULD, equal weights; F = Q.
    staff (t1: A 5/5, B 3/3; t2: A 4/4, B 3/3): Q_A = 100 * 4.5 / 5 = 90 (rank 1), Q_B = 60 (rank 2).
    manager (t3: A M 0, S 2; B 4/4): A is knocked out (0 < 1), Q_A = 20; Q_B = 80 (rank 1).
    Both vendors change rank between levels. By site: Paris A 100 / B 60, Lyon A 80 / B 60: same ranks;
    t3 has no site and belongs to no site group."""
    criteria = CriteriaSet((Category("K", "k", 1),), (crit("M", "K", priority=Priority.MUST), crit("S", "K")))
    scores = frame(
        {
            "t1": {"A": {"M": 5, "S": 5}, "B": {"M": 3, "S": 3}},
            "t2": {"A": {"M": 4, "S": 4}, "B": {"M": 3, "S": 3}},
            "t3": {"A": {"M": 0, "S": 2}, "B": {"M": 4, "S": 4}},
        }
    )
    level, site = segments(criteria, VENDORS, LEVELS, scores, QUALITY_ONLY)
    assert (level.column, [g.group for g in level.groups], level.divergent) == (
        "level",
        ["staff", "manager"],
        ("A", "B"),
    )
    staff, manager = level.groups
    assert staff.testers == 2
    assert {v: (s.quality_score, s.rank, s.eliminated) for v, s in staff.vendors.items()} == {
        "A": (90.0, 1, False),
        "B": (60.0, 2, False),
    }
    assert {v: (s.quality_score, s.rank, s.eliminated) for v, s in manager.vendors.items()} == {
        "B": (80.0, 1, False),
        "A": (20.0, None, True),
    }
    assert (site.column, [g.group for g in site.groups], site.divergent) == ("site", ["Paris", "Lyon"], ())
    assert site.groups[0].vendors["A"].quality_score == 100.0
    assert site.groups[1].vendors["A"].quality_score == 80.0


def test_segments_ignore_a_vendor_a_group_did_not_assess() -> None:
    """Managers did not score B at all: B is unassessed there, which is not a difference of rank."""
    criteria = CriteriaSet((Category("K", "k", 1),), (crit("S", "K"),))
    scores = frame({"t1": {"A": {"S": 5}, "B": {"S": 3}}, "t2": {"A": {"S": 4}, "B": {"S": 3}}, "t3": {"A": {"S": 2}}})
    level, _ = segments(criteria, VENDORS, LEVELS, scores, QUALITY_ONLY)
    assert level.groups[1].vendors["B"].coverage == 0.0
    assert level.divergent == ()


NOT_ASSESSED = SegmentScore(None, None, False, 0.0)


@pytest.mark.parametrize("balance", [None, "level"])
@pytest.mark.parametrize("aggregation", ["mean", "median", "trimmed_mean"])
def test_segments_of_a_group_without_a_workbook(aggregation: str, balance: str | None) -> None:
    """t3, the only manager, returned no workbook: the manager group has no tester and no vendor assessed, for
    every aggregation (the median used to raise 'attempt to get argmax of an empty sequence').

    staff (t1: A 5/5, B 3/3; t2: A 4/4, B 3/3): A 4.5 -> Q 90, B 3 -> Q 60 with the mean, the median of two
    and the trimmed mean of two (nothing trimmed). An unassessed group is not a difference of rank.
    """
    criteria = CriteriaSet((Category("K", "k", 1),), (crit("M", "K", priority=Priority.MUST), crit("S", "K")))
    scores = frame(
        {"t1": {"A": {"M": 5, "S": 5}, "B": {"M": 3, "S": 3}}, "t2": {"A": {"M": 4, "S": 4}, "B": {"M": 3, "S": 3}}}
    )
    params = dataclasses.replace(QUALITY_ONLY, aggregation=aggregation, balance_groups=balance)
    level, site = segments(criteria, VENDORS, LEVELS, scores, params)
    staff, manager = level.groups
    assert (staff.testers, manager.testers) == (2, 0)
    assert staff.vendors == {"A": SegmentScore(90.0, 1, False, 1.0), "B": SegmentScore(60.0, 2, False, 1.0)}
    assert manager.vendors == {"A": NOT_ASSESSED, "B": NOT_ASSESSED}
    assert level.divergent == ()
    assert [(g.group, g.testers, g.vendors["A"].quality_score) for g in site.groups] == [
        ("Paris", 1, 100.0),
        ("Lyon", 1, 80.0),
    ]


@pytest.mark.parametrize("balance", [None, "level"])
@pytest.mark.parametrize("aggregation", ["mean", "median", "trimmed_mean"])
def test_analyse_with_no_workbook_at_all(aggregation: str, balance: str | None) -> None:
    """Nothing collected yet: every part of the analysis runs, every group is empty and nobody wins."""
    criteria = two_categories(1, 1)
    scores = frame({})
    params = dataclasses.replace(QUALITY_ONLY, aggregation=aggregation, balance_groups=balance)
    result = score(criteria, VENDORS, scores, params, LEVELS)
    found = analyse(
        criteria, VENDORS, LEVELS, scores, params, result, disagreement_sd=1.5, draws=50, delta=0.25, seed=0
    )
    assert [(s.column, [(g.group, g.testers) for g in s.groups]) for s in found.segments] == [
        ("level", [("staff", 0), ("manager", 0)]),
        ("site", [("Paris", 0), ("Lyon", 0)]),
    ]
    assert all(g.vendors == {"A": NOT_ASSESSED, "B": NOT_ASSESSED} for s in found.segments for g in s.groups)
    assert (found.sensitivity.winners, found.disagreements, found.agenda) == ((), (), ())
    data = analysis_to_dict(found, "en")
    assert data["segments"]["level"]["groups"]["manager"] == {
        "testers": 0,
        "vendors": {v: {"quality_score": None, "rank": None, "eliminated": False, "coverage": 0.0} for v in "AB"},
    }


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("aggregation", ["mean", "median"])
def test_segments_equal_the_method_on_each_group(seed: int, aggregation: str) -> None:
    """Each group's verdict is exactly what score() says on that group's rows (mean: from one-pass sums)."""
    criteria, vendors, scores, params = random_campaign(seed)
    params = dataclasses.replace(params, aggregation=aggregation)
    testers = tuple(Pilot(f"t{t}", "", groups={"level": ("staff", "manager", "")[t % 3]}) for t in range(8))
    (level,) = segments(criteria, vendors, testers, scores, params)
    assert [g.group for g in level.groups] == ["staff", "manager"]
    for group in level.groups:
        ids = [t.id for t in testers if t.groups["level"] == group.group]
        expected = score(criteria, vendors, scores[scores["tester"].isin(ids)], params)
        assert group.vendors == {
            v.id: SegmentScore(v.quality_score, v.rank, v.eliminated, v.coverage) for v in expected.vendors
        }
        assert group.testers == len(ids)


# ----------------------------------------------------------------------------------------------------------------
# Verdict and its words


def sensitivity(
    winners: tuple[str, ...] = ("A",),
    share: float | None = 0.975,
    weights: tuple[FlipWeight, ...] = (),
    changes: tuple[WinnerChange, ...] = (),
) -> SensitivityResult:
    shares = {"A": share or 0.0, "B": 1 - (share or 0.0)}
    return SensitivityResult(
        winners=winners,
        monte_carlo=MonteCarloResult(10_000, 0.25, 0, shares, share),
        weights=weights,
        leave_one_out=LeaveOneOutResult("incremental", 40, changes),
    )


def with_verdict(sens: SensitivityResult) -> analysis.AnalysisResult:
    return analysis.AnalysisResult(
        disagreement_sd=1.5,
        disagreements=(),
        reliability={},
        agenda=(),
        segments=(),
        sensitivity=sens,
        verdict=verdict(sens),
        vendor_names={"A": "Alpha", "B": "Beta"},
        category_names={"K1": "Usage", "K2": "Security"},
        criterion_titles={},
    )


def test_verdict_clear_winner_in_both_languages() -> None:
    result = with_verdict(sensitivity(weights=(FlipWeight("K1", 0.75, 2 / 3, -1 / 3, ("B",), False),)))
    assert result.verdict == analysis.Verdict(True, "A", ())
    assert verdict_text(result, "en") == (
        "Clear winner: Alpha. It ranks first in 97.5% of 10,000 draws with every weight varied by ±25%; no single "
        "category weight changed by up to ±25%, and no single tester left out, changes the winner."
    )
    assert verdict_text(result, "fr") == (
        "Vainqueur net\u00a0: Alpha. Il arrive premier dans 97,5\u202f% des 10\u202f000 tirages où chaque pondération "
        "varie de ±25\u202f%\u00a0; ni une pondération de catégorie modifiée d'au plus ±25\u202f%, ni le retrait d'un "
        "seul testeur ne change le vainqueur."
    )


def test_verdict_of_the_only_ranked_vendor_says_it_had_no_competitor() -> None:
    alone = dataclasses.replace(sensitivity(share=1.0), monte_carlo=MonteCarloResult(10_000, 0.25, 0, {"A": 1.0}, 1.0))
    result = with_verdict(alone)
    assert result.verdict == analysis.Verdict(True, "A", ())
    assert verdict_text(result, "en") == (
        "Only one vendor is ranked: Alpha. The others are eliminated or not assessed, so no weight and no tester "
        "can change first place; the ranking compares it with no competitor."
    )
    assert verdict_text(result, "fr").startswith("Un seul fournisseur est classé\u00a0: Alpha.")


def test_verdict_no_robust_winner_gives_every_reason() -> None:
    sens = sensitivity(
        share=0.62,
        weights=(
            FlipWeight("K1", 0.75, 0.7, -0.2222, ("B",), True),
            FlipWeight("K2", 0.25, 0.5, 2.0, ("B",), False),
        ),
        changes=(WinnerChange("t7", ("B",)),),
    )
    result = with_verdict(sens)
    assert result.verdict == analysis.Verdict(False, "A", ("monte_carlo", "weights", "testers"))
    assert verdict_text(result, "en") == (
        "No robust winner: Alpha ranks first in only 62% of 10,000 draws with every weight varied by ±25%; "
        "setting the weight of Usage to 70% of the total instead of 75% makes Beta win; "
        "leaving out tester t7 makes Beta win."
    )
    assert verdict_text(result, "fr") == (
        "Pas de vainqueur robuste\u00a0: Alpha n'arrive premier que dans 62\u202f% des 10\u202f000 tirages où chaque "
        "pondération varie de ±25\u202f%\u00a0; porter le poids de la catégorie Usage à 70\u202f% du total au lieu de "
        "75\u202f% fait gagner Beta\u00a0; retirer le testeur t7 fait gagner Beta."
    )


def test_verdict_many_testers_tie_and_nobody() -> None:
    many = tuple(WinnerChange(f"t{k}", ("B",)) for k in range(7))
    result = with_verdict(sensitivity(share=0.95, changes=many))
    assert result.verdict.reasons == ("testers",)
    assert verdict_text(result, "en") == (
        "No robust winner: leaving out any one of 7 testers (t0, t1, t2, t3, t4, …) changes the winner."
    )
    tie = with_verdict(sensitivity(winners=("A", "B"), share=None))
    assert tie.verdict == analysis.Verdict(False, None, ("tie",))
    assert verdict_text(tie, "fr") == "Pas de vainqueur robuste\u00a0: Alpha et Beta sont ex aequo en première place."
    nobody = with_verdict(sensitivity(winners=(), share=None))
    assert verdict_text(nobody, "en") == (
        "No robust winner: no vendor is ranked (every vendor is eliminated or not assessed)."
    )


def test_verdict_share_threshold_is_ninety_percent() -> None:
    assert verdict(sensitivity(share=0.9)).robust
    assert not verdict(sensitivity(share=0.8999)).robust


# ----------------------------------------------------------------------------------------------------------------
# Everything together, as JSON


def test_analyse_and_json() -> None:
    """A small campaign end to end; the JSON is strict (no NaN), at full precision, None where undefined.

    W = (3, 1). A: C1 = (5, 3), C2 = (1, 1); B: C1 = (0, 3), C2 = (5, 5).
    Q_A = 100 (0.75 * 4 + 0.25 * 1) / 5 = 65, Q_B = 100 (0.75 * 1.5 + 0.25 * 5) / 5 = 47.5: A wins.
    Disagreement: A/C1 sd sqrt(2) (not flagged), B/C1 sd sqrt(4.5) = 2.12 (flagged: the agenda).
    Alpha A: observed (5 - 3)^2 twice = 8; values 1, 1, 3, 5 give 2(2*4) + 2(2*16) + 2(1*4) = 88 over 3:
    1 - 8 * 3 / 88 = 8/11. Alpha B: observed 2 * 9 = 18; values 0, 3, 5, 5: 2(9) + 2(2*25) + 2(2*4) = 134:
    1 - 18 * 3 / 134 = 40/67.
    K1 share x: F_A = 20 (1 + 3x), F_B = 20 (1.5x + 5 (1 - x)): they cross at x = 8/13 (W1 alone: -7/15).
    Monte Carlo: A wins iff 15 u1 > 8 u2, always true for u in [0.75, 1.25]: share 1.
    Without t1: Q_A = 50, Q_B = 70, B wins; without t2: A still wins. Verdict: not robust, because of t1.
    """
    criteria = two_categories(3, 1)
    scores = frame(
        {
            "t1": {"A": {"C1": 5, "C2": 1}, "B": {"C1": 0, "C2": 5}},
            "t2": {"A": {"C1": 3, "C2": 1}, "B": {"C1": 3, "C2": 5}},
        }
    )
    result = score(criteria, VENDORS, scores, QUALITY_ONLY, LEVELS)
    found = analyse(
        criteria, VENDORS, LEVELS, scores, QUALITY_ONLY, result, disagreement_sd=1.5, draws=2000, delta=0.25, seed=0
    )
    data = json.loads(json.dumps(analysis_to_dict(found, "en"), allow_nan=False))
    assert set(data) == {"disagreements", "reliability", "agenda", "segments", "sensitivity"}
    assert data["disagreements"] == [
        {"vendor": "A", "criterion": "C1", "n": 2, "mean": 4.0, "sd": math.sqrt(2), "range": 2.0, "flagged": False},
        {"vendor": "A", "criterion": "C2", "n": 2, "mean": 1.0, "sd": 0.0, "range": 0.0, "flagged": False},
        {"vendor": "B", "criterion": "C1", "n": 2, "mean": 1.5, "sd": math.sqrt(4.5), "range": 3.0, "flagged": True},
        {"vendor": "B", "criterion": "C2", "n": 2, "mean": 5.0, "sd": 0.0, "range": 0.0, "flagged": False},
    ]
    assert data["reliability"]["A"] == pytest.approx(8 / 11, rel=1e-12)
    assert data["reliability"]["B"] == pytest.approx(40 / 67, rel=1e-12)
    assert data["agenda"] == [
        {
            "vendor": "B",
            "criterion": "C1",
            "title": "title C1",
            "n": 2,
            "mean": 1.5,
            "sd": math.sqrt(4.5),
            "range": 3.0,
            "scores": [{"tester": "t1", "score": 0.0}, {"tester": "t2", "score": 3.0}],
            "comments": [],
        }
    ]
    level = data["segments"]["level"]
    assert level["groups"]["staff"]["testers"] == 2
    assert level["groups"]["staff"]["vendors"]["A"] == {
        "quality_score": 65.0,
        "rank": 1,
        "eliminated": False,
        "coverage": 1.0,
    }
    # Nobody at manager level scored: every vendor is unassessed there, with null scores.
    assert level["groups"]["manager"]["testers"] == 0
    assert level["groups"]["manager"]["vendors"]["A"] == {
        "quality_score": None,
        "rank": None,
        "eliminated": False,
        "coverage": 0.0,
    }
    assert level["divergent"] == []
    sens = data["sensitivity"]
    assert sens["winners"] == ["A"]
    assert sens["monte_carlo"] == {
        "draws": 2000,
        "delta": 0.25,
        "seed": 0,
        "first_place_share": {"A": 1.0, "B": 0.0},
        "winner_share": 1.0,
    }
    k1, k2 = sens["weights"]
    assert (k1["category"], k1["weight"], k1["new_winners"], k1["within_delta"]) == ("K1", 0.75, ["B"], False)
    assert k1["flip_weight"] == pytest.approx(8 / 13, abs=1e-12)
    assert k1["relative_change"] == pytest.approx(-7 / 15, abs=1e-12)
    assert k2["flip_weight"] == pytest.approx(5 / 13, abs=1e-12)
    assert sens["leave_one_out"] == {
        "method": "incremental",
        "testers": 2,
        "changes": [{"tester": "t1", "winners": ["B"]}],
    }
    assert sens["verdict"] == {
        "robust": False,
        "winner": "A",
        "reasons": ["testers"],
        "text": "No robust winner: leaving out tester t1 makes Beta win.",
    }


def test_table_lists_ten_agenda_points_and_counts_the_rest() -> None:
    """Twelve flagged pairs: the table shows the first ten (agenda order) and says two more are in the JSON."""
    items = tuple(
        analysis.AgendaItem("A", f"C{k}", 2, 2.5, 3.5355339059327378, 5.0, (("t1", 0.0), ("t2", 5.0)), ())
        for k in range(12)
    )
    result = dataclasses.replace(with_verdict(sensitivity()), agenda=items)
    lines = analysis.analysis_table(result, "en")
    start = lines.index("Consensus agenda:")
    assert lines[start + 1] == "  Vendor     Criterion  n  Mean    SD  Range  Scores given"
    assert lines[start + 2] == "  Alpha (A)  C0         2  2.50  3.54      5  0; 5"
    assert lines[start + 11] == "  Alpha (A)  C9         2  2.50  3.54      5  0; 5"
    assert lines[start + 12] == "  … and 2 more (all of them in the JSON output)"


def test_table_names_the_categories_that_flip_and_counts_the_others() -> None:
    flips = (
        FlipWeight("K1", 0.75, 2 / 3, -1 / 3, ("B",), False),
        FlipWeight("K2", 0.25, None, None, (), False),
    )
    lines = analysis.analysis_table(with_verdict(sensitivity(weights=flips)), "en")
    start = lines.index(
        "- Share of one category's weight at which the winner changes (others in proportion): Usage 75% →"
    )
    assert lines[start + 1] == "  66.7% (Beta (B) wins); no change for the other category"
    never = (FlipWeight("K1", 0.75, None, None, (), False), FlipWeight("K2", 0.25, None, None, (), False))
    lines = analysis.analysis_table(with_verdict(sensitivity(weights=never)), "fr")
    assert "- Le vainqueur tient quelle que soit la pondération d'une seule catégorie (les autres au prorata)" in lines
