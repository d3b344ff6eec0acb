"""The scoring method of DESIGN.md section 5, checked on hand-worked examples and against scikit-criteria."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest
import scipy.stats

from criteria.catalogue import catalogue
from criteria.model import Category, CriteriaSet, Criterion, Priority
from vendors import model as vendor_model  # not 'Tester' itself: pytest would try to collect it
from vendors import scoring
from vendors.model import Vendor
from vendors.scoring import (
    CriterionResult,
    Knockout,
    PriceError,
    ScoringParams,
    aggregate,
    competition_ranks,
    score,
    score_aggregates,
)

NA = "N/A"


def make_frame(rows: Sequence[tuple[str, str, str, float | str | None]]) -> pd.DataFrame:
    """A scores frame from (tester, vendor, criterion, value); value N/A or None (blank) give NaN."""
    return pd.DataFrame(
        {
            "tester": pd.Series([r[0] for r in rows], dtype="str"),
            "vendor": pd.Series([r[1] for r in rows], dtype="str"),
            "criterion": pd.Series([r[2] for r in rows], dtype="str"),
            "score": pd.Series([r[3] if isinstance(r[3], int | float) else np.nan for r in rows], dtype="float64"),
            "na": pd.Series([r[3] == NA for r in rows], dtype="bool"),
            "comment": pd.Series(["" for _ in rows], dtype="str"),
        }
    )


def grid(vendor: str, criterion: str, values: Sequence[float | str | None], testers: Sequence[str] = ()) -> list:
    """One row per tester (T1, T2, ... unless named) for one (vendor, criterion)."""
    names = testers or [f"T{k + 1}" for k in range(len(values))]
    return [(t, vendor, criterion, v) for t, v in zip(names, values, strict=True)]


# The worked example: two categories, five criteria, four vendors, three testers.
#
# Categories A (W 3) and B (W 1), sum 4. Criteria and effective weights e_i:
#   A1 MUST   w 2   e = 3/4 * 2/4 = 0.375
#   A2 SHOULD w 1   e = 3/4 * 1/4 = 0.1875
#   A3 COULD  w 1   e = 3/4 * 1/4 = 0.1875
#   B1 SHOULD w 1   e = 1/4 * 1/4 = 0.0625
#   B2 MUST   w 3   e = 1/4 * 3/4 = 0.1875
CRITERIA = CriteriaSet(
    (Category("A", "Alpha", 3.0), Category("B", "Beta", 1.0)),
    (
        Criterion("A1", "A", "a1", "", Priority.MUST, 2.0),
        Criterion("A2", "A", "a2", "", Priority.SHOULD, 1.0),
        Criterion("A3", "A", "a3", "", Priority.COULD, 1.0),
        Criterion("B1", "B", "b1", "", Priority.SHOULD, 1.0),
        Criterion("B2", "B", "b2", "", Priority.MUST, 3.0),
    ),
)
# 100 users over 3 years: a year costs 1,200 x price_per_user_month + annual_fixed_cost.
VENDORS = (
    Vendor("V1", "Uno", setup_cost=1000, price_per_user_month=10),  # 1000 + 3 x 12000 = 37000
    Vendor("V2", "Duo", setup_cost=0, price_per_user_month=5),  # 3 x 6000 = 18000
    Vendor("V3", "Tres", price_per_user_month=12, annual_fixed_cost=1000),  # 3 x 15400 = 46200
    Vendor("V4", "Quattro", price_per_user_month=8),  # 3 x 9600 = 28800
)
ROWS = [
    *grid("V1", "A1", [4, 5, NA]),
    *grid("V1", "A2", [3, 3, 3]),
    *grid("V1", "A3", [2, None, None]),
    *grid("V1", "B1", [NA, NA, NA]),
    *grid("V1", "B2", [5, 4, 3]),
    *grid("V2", "A1", [1, 0, 1]),
    *grid("V2", "A2", [5, 5, 5]),
    *grid("V2", "A3", [5, 5, 5]),
    *grid("V2", "B1", [5, 5, 5]),
    *grid("V2", "B2", [5, 5, 5]),
    *grid("V3", "A1", [4, 4, 4]),
    *grid("V3", "A2", [3, 3, 3]),
    *grid("V3", "A3", [NA, NA, NA]),
    *grid("V3", "B1", [5, 5, 5]),
    *grid("V3", "B2", [None, None, None]),
]
PARAMS = ScoringParams(scale_max=5, users=100)


def test_effective_weights_of_the_two_level_tree() -> None:
    """e_i = W_c / sum W * w_i / sum of w_j in c, as written out above CRITERIA."""
    assert CRITERIA.effective_weights() == pytest.approx(
        {"A1": 0.375, "A2": 0.1875, "A3": 0.1875, "B1": 0.0625, "B2": 0.1875}
    )


def test_worked_example_criterion_aggregates() -> None:
    """Mean of the numeric scores; N/A and blanks do not count; sd with ddof 1.

    V1 A1: (4 + 5) / 2 = 4.5, n 2, one N/A, sd = sqrt(((4-4.5)^2 + (5-4.5)^2) / 1) = sqrt(0.5).
    V1 A3: a single score 2, no sd. V1 B1: three N/A, not assessed. V1 B2: 4, sd 1.
    V2 A1: (1 + 0 + 1) / 3 = 2/3, sd = sqrt((1/9 + 4/9 + 1/9) / 2) = sqrt(1/3).
    """
    result = score(CRITERIA, VENDORS, make_frame(ROWS), PARAMS)
    v1 = result.vendor("V1").criteria
    assert v1["A1"] == CriterionResult(4.5, 2, pytest.approx(math.sqrt(0.5)), na=1)
    assert v1["A2"] == CriterionResult(3.0, 3, 0.0, na=0)
    assert v1["A3"] == CriterionResult(2.0, 1, None, na=0)
    assert v1["B1"] == CriterionResult(None, 0, None, na=3)
    assert v1["B2"] == CriterionResult(4.0, 3, 1.0, na=0)
    assert not v1["B1"].assessed
    v2 = result.vendor("V2").criteria
    assert v2["A1"].score == pytest.approx(2 / 3)
    assert v2["A1"].sd == pytest.approx(math.sqrt(1 / 3))
    assert result.vendor("V3").criteria["B2"] == CriterionResult(None, 0, None, na=0)


def test_worked_example_quality_coverage_and_categories() -> None:
    """Quality is renormalised over the assessed criteria.

    V1 assesses A1, A2, A3, B2: coverage = 0.375 + 0.1875 + 0.1875 + 0.1875 = 0.9375;
       sum e s = 0.375*4.5 + 0.1875*3 + 0.1875*2 + 0.1875*4 = 3.375; Q = 100 * 3.375 / (5 * 0.9375) = 72.
       Category A = 100 * (2*4.5 + 1*3 + 1*2) / (5 * 4) = 70; category B = 100 * 3*4 / (5*3) = 80.
    V2 assesses all: Q = 100 * (0.375 * 2/3 + 0.625 * 5) / 5 = 67.5; A = 100 * (4/3 + 10) / 20 = 56.666...
    V3 assesses A1, A2, B1: coverage 0.625; sum e s = 1.5 + 0.5625 + 0.3125 = 2.375; Q = 237.5 / 3.125 = 76.
       Category A = 100 * (2*4 + 3) / (5 * 3) = 73.333..., category B = 100 * 5 / 5 = 100.
    V4 has no score: coverage 0, no quality, no category score.
    """
    result = score(CRITERIA, VENDORS, make_frame(ROWS), PARAMS)
    v1, v2, v3, v4 = (result.vendor(v) for v in ("V1", "V2", "V3", "V4"))
    assert v1.coverage == pytest.approx(0.9375)
    assert v1.quality_score == pytest.approx(72.0)
    assert v1.categories == pytest.approx({"A": 70.0, "B": 80.0})
    assert v2.coverage == pytest.approx(1.0)
    assert v2.quality_score == pytest.approx(67.5)
    assert v2.categories == pytest.approx({"A": 170 / 3, "B": 100.0})
    assert v3.coverage == pytest.approx(0.625)
    assert v3.quality_score == pytest.approx(76.0)
    assert v3.categories == pytest.approx({"A": 220 / 3, "B": 100.0})
    assert v4.coverage == 0.0
    assert not v4.assessed
    assert v4.quality_score is None
    assert v4.categories == {"A": None, "B": None}


def test_worked_example_knockout_and_unassessed_must() -> None:
    """V2 scores MUST A1 at 2/3 < 1.0: eliminated. V3 has no score on MUST B2: a warning, not a knock-out."""
    result = score(CRITERIA, VENDORS, make_frame(ROWS), PARAMS)
    v2, v3 = result.vendor("V2"), result.vendor("V3")
    assert v2.eliminated
    assert v2.knockouts == (Knockout("A1", pytest.approx(2 / 3)),)
    assert v2.rank is None
    assert not v3.eliminated
    assert v3.unassessed_musts == ("B2",)
    assert v3.warnings == ("MUST criterion B2 was not assessed for vendor V3",)
    assert result.vendor("V1").unassessed_musts == ()


def test_worked_example_inverse_price_final_and_rank() -> None:
    """TCO_min over the vendors not eliminated: min(37000, 46200, 28800) = 28800 (V2, 18000, is out).

    Inverse: P1 = 100 * 28800 / 37000 = 77.837..., P3 = 100 * 28800 / 46200 = 62.337..., P4 = 100,
    P2 = min(100, 160) = 100 (capped: eliminated).
    F1 = 0.7 * 72 + 0.3 * 77.8378... = 73.7513...; F3 = 0.7 * 76 + 0.3 * 62.3376... = 71.9012...;
    F2 = 0.7 * 67.5 + 0.3 * 100 = 77.25, but V2 is eliminated. V4 is unassessed: no final score.
    Order: V1 (1), V3 (2), then V2 (eliminated), then V4 (unassessed).
    """
    result = score(CRITERIA, VENDORS, make_frame(ROWS), PARAMS)
    assert [(v.id, v.rank) for v in result.vendors] == [("V1", 1), ("V3", 2), ("V2", None), ("V4", None)]
    expected = {
        "V1": (37000, 100 * 28800 / 37000, 0.7 * 72 + 0.3 * (100 * 28800 / 37000)),
        "V2": (18000, 100.0, 77.25),
        "V3": (46200, 100 * 28800 / 46200, 0.7 * 76 + 0.3 * (100 * 28800 / 46200)),
        "V4": (28800, 100.0, None),
    }
    for vid, (tco, price, final) in expected.items():
        v = result.vendor(vid)
        assert v.tco == pytest.approx(tco)
        assert v.price_score == pytest.approx(price)
        assert v.final_score == (None if final is None else pytest.approx(final))
    assert result.vendor("V1").final_score == pytest.approx(73.75135135135135)
    assert result.vendor("V3").final_score == pytest.approx(71.9012987012987)
    assert result.vendor("V1").tco_by_year == pytest.approx((13000, 12000, 12000))
    assert result.criteria_version == CRITERIA.version()


def test_worked_example_linear_price() -> None:
    """Linear: P = 100 * max(0, 1 - (TCO - 28800) / 28800).

    P1 = 100 * (1 - 8200/28800) = 71.527...; P3 = 100 * (1 - 17400/28800) = 39.583...;
    P2 = min(100, 100 * (1 + 10800/28800)) = 100.
    F1 = 50.4 + 0.3 * 71.527... = 71.8583...; F3 = 53.2 + 0.3 * 39.583... = 65.075.
    """
    params = ScoringParams(scale_max=5, users=100, price_formula="linear")
    result = score(CRITERIA, VENDORS, make_frame(ROWS), params)
    assert result.vendor("V1").price_score == pytest.approx(100 * 20600 / 28800)
    assert result.vendor("V3").price_score == pytest.approx(100 * 11400 / 28800)
    assert result.vendor("V2").price_score == 100.0
    assert result.vendor("V1").final_score == pytest.approx(71.85833333333333)
    assert result.vendor("V3").final_score == pytest.approx(65.075)
    assert [v.rank for v in result.vendors] == [1, 2, None, None]


def test_linear_price_is_zero_beyond_twice_the_cheapest() -> None:
    """TCO 3 x TCO_min: 1 - (3 - 1) = -1, floored at 0."""
    vendors = (Vendor("C", "Cheap", price_per_user_month=1), Vendor("D", "Dear", price_per_user_month=3))
    rows = grid("C", "A1", [3]) + grid("D", "A1", [3])
    result = score(CRITERIA, vendors, make_frame(rows), ScoringParams(5, 10, price_formula="linear"))
    assert result.vendor("D").price_score == 0.0
    assert result.vendor("C").price_score == 100.0


def test_discounted_tco() -> None:
    """r = 10 %, H = 3: TCO_V1 = 1000 + 12000 * (1 + 1/1.1 + 1/1.21) = 33826.446...

    Years: 1000 + 12000 = 13000, 12000 / 1.1 = 10909.09..., 12000 / 1.21 = 9917.35...
    """
    params = ScoringParams(scale_max=5, users=100, discount_rate=0.1)
    result = score(CRITERIA, VENDORS, make_frame(ROWS), params)
    v1 = result.vendor("V1")
    assert v1.tco_by_year == pytest.approx((13000, 12000 / 1.1, 12000 / 1.21))
    assert v1.tco == pytest.approx(1000 + 12000 * (1 + 1 / 1.1 + 1 / 1.21))
    assert v1.tco == pytest.approx(33826.446280991735)


def test_horizon_and_fixed_costs() -> None:
    """H = 5: V3 costs 5 x (12 * 100 * 12 + 1000) = 77000."""
    result = score(CRITERIA, VENDORS, make_frame(ROWS), ScoringParams(5, 100, horizon_years=5))
    assert result.vendor("V3").tco == pytest.approx(77000)
    assert len(result.vendor("V3").tco_by_year) == 5


def test_quality_price_split() -> None:
    """A 50/50 split: F1 = (50 * 72 + 50 * 77.837...) / 100."""
    params = ScoringParams(scale_max=5, users=100, quality_weight=50, price_weight=50)
    result = score(CRITERIA, VENDORS, make_frame(ROWS), params)
    assert result.vendor("V1").final_score == pytest.approx((72 + 100 * 28800 / 37000) / 2)


def test_median_and_trimmed_mean_aggregation() -> None:
    """Eleven scores 0 1 2 3 3 3 4 4 5 5 5: mean 35/11, median 3.

    Trimmed mean: floor(10 % of 11) = 1 score dropped at each end (0 and one 5),
    leaving 1 2 3 3 3 4 4 5 5: 30 / 9 = 3.333...
    """
    values = [5, 3, 0, 4, 5, 1, 3, 2, 5, 4, 3]
    frame = make_frame(grid("V1", "A1", values))
    expected = {"mean": 35 / 11, "median": 3.0, "trimmed_mean": 30 / 9}
    for how, value in expected.items():
        result = score(CRITERIA, VENDORS[:1], frame, ScoringParams(5, 100, aggregation=how))
        assert result.vendor("V1").criteria["A1"].score == pytest.approx(value)
        assert result.vendor("V1").criteria["A1"].n == 11
    assert scipy.stats.trim_mean(values, 0.1) == pytest.approx(30 / 9)


def test_median_of_an_even_count_is_the_middle_pair_mean() -> None:
    """Scores 1 2 4 5: median (2 + 4) / 2 = 3. Nine scores: nothing is trimmed (floor(0.9) = 0)."""
    result = score(
        CRITERIA, VENDORS[:1], make_frame(grid("V1", "A1", [5, 1, 4, 2])), ScoringParams(5, 1, aggregation="median")
    )
    assert result.vendor("V1").criteria["A1"].score == 3.0
    nine = [0, 0, 0, 0, 0, 0, 0, 0, 5]
    trimmed = score(
        CRITERIA, VENDORS[:1], make_frame(grid("V1", "A1", nine)), ScoringParams(5, 1, aggregation="trimmed_mean")
    )
    assert trimmed.vendor("V1").criteria["A1"].score == pytest.approx(5 / 9)


TESTERS = (
    vendor_model.Tester("T1", "One", groups={"level": "staff"}),
    vendor_model.Tester("T2", "Two", groups={"level": "staff"}),
    vendor_model.Tester("T3", "Three", groups={"level": "manager"}),
)


def test_balance_groups_gives_each_group_one_voice() -> None:
    """T1 2 and T2 4 (staff), T3 5 (manager).

    Plain mean: 11 / 3 = 3.666...; balanced: staff mean 3, manager 5, so (3 + 5) / 2 = 4.
    n stays the number of scores (3) and sd the sd of the three scores, sqrt(((-5/3)^2 + (1/3)^2 + (4/3)^2) / 2).
    With median inside each group: staff median (2 + 4) / 2 = 3, manager 5: again 4.
    """
    frame = make_frame(grid("V1", "A1", [2, 4, 5]))
    plain = score(CRITERIA, VENDORS[:1], frame, PARAMS, TESTERS)
    assert plain.vendor("V1").criteria["A1"].score == pytest.approx(11 / 3)
    balanced = score(CRITERIA, VENDORS[:1], frame, ScoringParams(5, 100, balance_groups="level"), TESTERS)
    crit = balanced.vendor("V1").criteria["A1"]
    assert crit.score == pytest.approx(4.0)
    assert crit.n == 3
    assert crit.sd == pytest.approx(math.sqrt((25 / 9 + 1 / 9 + 16 / 9) / 2))
    median = score(
        CRITERIA, VENDORS[:1], frame, ScoringParams(5, 100, aggregation="median", balance_groups="level"), TESTERS
    )
    assert median.vendor("V1").criteria["A1"].score == pytest.approx(4.0)


def test_balance_groups_only_counts_groups_that_scored() -> None:
    """T3 (the only manager) answers N/A: the mean is over the staff group alone, (2 + 4) / 2 = 3."""
    frame = make_frame(grid("V1", "A1", [2, 4, NA]))
    result = score(CRITERIA, VENDORS[:1], frame, ScoringParams(5, 100, balance_groups="level"), TESTERS)
    assert result.vendor("V1").criteria["A1"].score == pytest.approx(3.0)


def test_balance_groups_puts_testers_without_a_group_together() -> None:
    """T4 has no level and T9 is not in testers.xlsx: they form one group (T5, who scored nothing, is not reported).

    Groups: staff (T1 2) -> 2, manager (T3 5) -> 5, ungrouped (T4 1, T9 3) -> 2: (2 + 5 + 2) / 3 = 3.
    """
    testers = (
        *TESTERS,
        vendor_model.Tester("T4", "Four", groups={"level": ""}),
        vendor_model.Tester("T5", "Five (scored nothing)", groups={"level": ""}),
    )
    frame = make_frame(grid("V1", "A1", [2, 5, 1, 3], testers=["T1", "T3", "T4", "T9"]))
    result = score(CRITERIA, VENDORS[:1], frame, ScoringParams(5, 100, balance_groups="level"), testers)
    assert result.vendor("V1").criteria["A1"].score == pytest.approx(3.0)
    assert result.ungrouped_testers == ("T4", "T9")
    assert result.warnings == ("testers with no 'level' value form one group: T4, T9",)


def test_ties_share_a_rank_with_standard_competition_ranking() -> None:
    """X and Y have the same scores and price: both rank 1, Z ranks 3 (1, 1, 3), W 4."""
    vendors = tuple(Vendor(v, v, price_per_user_month=10) for v in ("W", "X", "Y", "Z"))
    rows = grid("W", "A1", [1, 1]) + grid("X", "A1", [4, 5]) + grid("Y", "A1", [5, 4]) + grid("Z", "A1", [3, 3])
    result = score(CRITERIA, vendors, make_frame(rows), PARAMS)
    assert [(v.id, v.rank) for v in result.vendors] == [("X", 1), ("Y", 1), ("Z", 3), ("W", 4)]


def test_competition_ranks_compare_finals_at_nine_decimals() -> None:
    """Float noise below 1e-9 is a tie; a real difference is not."""
    assert competition_ranks([80.0, 70.00000000001, 70.0, 60.0, 70.000001]) == [1, 3, 3, 5, 2]
    assert competition_ranks([]) == []


def test_knockout_threshold_is_inclusive_and_immune_to_float_noise() -> None:
    """A MUST at exactly the threshold stays in; below it, out.

    0 + 0.7 + 1.4 + 1.9 = 4.0, but in floating point the mean is 0.9999999999999999: not a knock-out.
    With knockout_threshold 2.5: scores 2 and 3 (mean 2.5) stay in; 2 and 2.9 (mean 2.45) are out.
    """
    frame = make_frame(grid("V1", "A1", [0.0, 0.7, 1.4, 1.9]))
    result = score(CRITERIA, VENDORS[:1], frame, PARAMS)
    assert not result.vendor("V1").eliminated
    assert result.vendor("V1").rank == 1
    params = ScoringParams(5, 100, knockout_threshold=2.5)
    assert not score(CRITERIA, VENDORS[:1], make_frame(grid("V1", "B2", [2, 3])), params).vendor("V1").eliminated
    out = score(CRITERIA, VENDORS[:1], make_frame(grid("V1", "B2", [2, 2.9])), params).vendor("V1")
    assert out.knockouts == (Knockout("B2", pytest.approx(2.45)),)
    # A SHOULD criterion below the threshold never eliminates.
    assert not score(CRITERIA, VENDORS[:1], make_frame(grid("V1", "A2", [0, 0])), params).vendor("V1").eliminated


def test_all_equal_scores_and_prices_tie_everyone() -> None:
    """Every vendor scores 4 everywhere at the same price: Q = 100 * 4 / 5 = 80, P = 100, F = 86, all rank 1."""
    vendors = tuple(Vendor(v, v, price_per_user_month=7) for v in ("P", "Q", "R"))
    rows = [row for v in ("P", "Q", "R") for c in CRITERIA.ids for row in grid(v, c, [4, 4])]
    result = score(CRITERIA, vendors, make_frame(rows), PARAMS)
    for v in result.vendors:
        assert (v.rank, v.quality_score, v.price_score) == (1, pytest.approx(80.0), 100.0)
        assert v.final_score == pytest.approx(86.0)
        assert all(c.sd == 0.0 for c in v.criteria.values())


def test_one_tester_has_no_sd() -> None:
    """One tester: each aggregate is that tester's score and no sd is defined."""
    rows = [("T1", "V1", c, s) for c, s in zip(CRITERIA.ids, [5, 4, 3, 2, 1], strict=True)]
    result = score(CRITERIA, VENDORS[:1], make_frame(rows), PARAMS)
    v1 = result.vendor("V1")
    assert {c: r.score for c, r in v1.criteria.items()} == {"A1": 5, "A2": 4, "A3": 3, "B1": 2, "B2": 1}
    assert all(r.sd is None and r.n == 1 for r in v1.criteria.values())
    # Q = 20 * (0.375*5 + 0.1875*4 + 0.1875*3 + 0.0625*2 + 0.1875*1) = 20 * 3.5 = 70
    assert v1.quality_score == pytest.approx(70.0)


def test_one_vendor_is_its_own_cheapest() -> None:
    """A single vendor: P = 100, F = 0.7 Q + 30, rank 1."""
    result = score(CRITERIA, VENDORS[:1], make_frame(grid("V1", "A1", [3])), PARAMS)
    v1 = result.vendor("V1")
    assert (v1.rank, v1.price_score, v1.quality_score) == (1, 100.0, pytest.approx(60.0))
    assert v1.final_score == pytest.approx(0.7 * 60 + 30)


def test_zero_weights() -> None:
    """Category Z weighs 0 and criterion A0 weighs 0 within A.

    e: A0 = 0, A1 = 1 (all of A), Z1 = 0. A vendor scored only on A0 and Z1 has coverage 0 and is
    not ranked, yet its category Z score is defined from w_i: 100 * 5 / 5 = 100; category A,
    where only A0 (w 0) is assessed, has no score.
    """
    criteria = CriteriaSet(
        (Category("A", "A", 2.0), Category("Z", "Z", 0.0)),
        (
            Criterion("A0", "A", "a0", "", Priority.COULD, 0.0),
            Criterion("A1", "A", "a1", "", Priority.SHOULD, 1.0),
            Criterion("Z1", "Z", "z1", "", Priority.SHOULD, 1.0),
        ),
    )
    assert criteria.effective_weights() == {"A0": 0.0, "A1": 1.0, "Z1": 0.0}
    vendors = (Vendor("G", "G", price_per_user_month=1), Vendor("H", "H", price_per_user_month=1))
    rows = grid("G", "A0", [5]) + grid("G", "Z1", [5]) + grid("H", "A1", [2]) + grid("H", "Z1", [0])
    result = score(criteria, vendors, make_frame(rows), PARAMS)
    g, h = result.vendor("G"), result.vendor("H")
    assert (g.coverage, g.quality_score, g.rank, g.final_score) == (0.0, None, None, None)
    assert g.categories == {"A": None, "Z": 100.0}
    assert (h.coverage, h.quality_score, h.rank) == (1.0, pytest.approx(40.0), 1)
    assert h.categories == {"A": pytest.approx(40.0), "Z": 0.0}


def test_price_weight_zero_needs_no_price() -> None:
    """With p = 0, F = Q and a vendor without price is fine (TCO undefined)."""
    vendors = (Vendor("V1", "Uno"), Vendor("V2", "Duo", price_per_user_month=2))
    rows = grid("V1", "A1", [5]) + grid("V2", "A1", [4])
    result = score(CRITERIA, vendors, make_frame(rows), ScoringParams(5, 100, quality_weight=1, price_weight=0))
    v1, v2 = result.vendor("V1"), result.vendor("V2")
    assert (v1.tco, v1.tco_by_year, v1.price_score, v1.final_score, v1.rank) == (None, (), None, 100.0, 1)
    assert (v2.tco, v2.price_score, v2.final_score, v2.rank) == (7200, 100.0, 80.0, 2)


def test_quality_weight_zero_ranks_on_price() -> None:
    """With q = 0, F = P: the cheaper vendor wins whatever its quality."""
    rows = grid("V1", "A1", [5]) + grid("V4", "A1", [1])
    vendors = (VENDORS[0], VENDORS[3])
    result = score(CRITERIA, vendors, make_frame(rows), ScoringParams(5, 100, quality_weight=0, price_weight=1))
    assert [(v.id, v.rank) for v in result.vendors] == [("V4", 1), ("V1", 2)]
    assert result.vendor("V1").final_score == pytest.approx(100 * 28800 / 37000)


def test_missing_and_zero_prices_are_one_clear_error() -> None:
    """Every vendor lacking a price, or costing 0 in total, is named with its vendors.xlsx column."""
    vendors = (Vendor("V1", "Uno"), Vendor("V2", "Duo", price_per_user_month=0), VENDORS[2])
    with pytest.raises(PriceError) as caught:
        score(CRITERIA, vendors, make_frame(grid("V3", "A1", [3])), PARAMS)
    assert str(caught.value) == (
        "vendors.xlsx: vendor V1 (Uno) has no price_per_user_month; vendor V2 (Duo) costs 0 in total "
        "(setup_cost, price_per_user_month and annual_fixed_cost are all 0). The price weighs 30 in the final "
        "score, so every vendor needs a cost above 0: fill column price_per_user_month (0 for a flat-fee offer) "
        "and the other cost columns, or set price_weight: 0 in tender.yaml"
    )
    assert caught.value.exit_code == 2
    assert caught.value.problems == (("V1", "Uno", "price_per_user_month"), ("V2", "Duo", "total"))
    french = caught.value.localized("fr")
    assert str(french) == (
        "vendors.xlsx : le fournisseur V1 (Uno) n'a pas de prix par utilisateur par mois ; le fournisseur V2 (Duo) "
        "coûte 0 au total (frais de mise en place, prix par utilisateur par mois et coût fixe annuel valent tous 0). "
        "Le prix pèse 30 dans la note finale : chaque fournisseur doit donc coûter plus de 0. Remplissez la colonne "
        "« prix par utilisateur par mois » (0 pour une offre forfaitaire) et les autres colonnes de coût, ou mettez "
        "price_weight: 0 dans tender.yaml"
    )
    assert (french.problems, french.exit_code) == (caught.value.problems, 2)
    assert "pèse 0,5 dans" in str(PriceError(caught.value.problems, 0.5, "fr"))


def test_a_flat_fee_offer_is_a_valid_price() -> None:
    """price_per_user_month 0 with an annual fixed cost: TCO = 500 + 3 * 2000 = 6500."""
    vendors = (Vendor("F", "Flat", setup_cost=500, price_per_user_month=0, annual_fixed_cost=2000),)
    result = score(CRITERIA, vendors, make_frame(grid("F", "A1", [3])), PARAMS)
    assert result.vendor("F").tco == 6500


def test_all_vendors_eliminated_have_no_price_reference() -> None:
    """Nobody is left to set TCO_min: no price score, no final score, no rank."""
    rows = grid("V1", "A1", [0]) + grid("V2", "A1", [0])
    result = score(CRITERIA, VENDORS[:2], make_frame(rows), PARAMS)
    assert [(v.id, v.eliminated, v.price_score, v.final_score, v.rank) for v in result.vendors] == [
        ("V1", True, None, None, None),
        ("V2", True, None, None, None),
    ]


def test_no_scores_at_all() -> None:
    """An empty frame (nothing collected yet): every vendor is unassessed, nothing is ranked."""
    result = score(CRITERIA, VENDORS, make_frame([]), PARAMS)
    assert result.ranked == ()
    assert all(not v.assessed and v.quality_score is None for v in result.vendors)
    assert [v.id for v in result.vendors] == ["V1", "V2", "V3", "V4"]
    assert result.vendor("V1").unassessed_musts == ("A1", "B2")


@pytest.mark.parametrize("histogram", [True, False])
@pytest.mark.parametrize("balance", [None, "level"])
@pytest.mark.parametrize("aggregation", ["mean", "median", "trimmed_mean"])
def test_every_aggregation_survives_no_scores(
    aggregation: str, balance: str | None, histogram: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No numeric score at all (an empty frame, or only N/A and blanks): nothing is assessed, nothing crashes.

    The median used to take the argmax of a histogram with no column (ValueError: attempt to get argmax of
    an empty sequence), e.g. for a segment group whose only tester returned no workbook.
    """
    if not histogram:
        monkeypatch.setattr(scoring, "_MAX_HISTOGRAM", 0)
    params = ScoringParams(5, 100, aggregation=aggregation, balance_groups=balance)
    for frame in (make_frame([]), make_frame(grid("V1", "A1", [NA, None, NA]))):
        result = score(CRITERIA, VENDORS, frame, params, TESTERS)
        assert result.ranked == ()
        assert [(v.id, v.coverage, v.quality_score, v.final_score) for v in result.vendors] == [
            ("V1", 0.0, None, None),
            ("V2", 0.0, None, None),
            ("V3", 0.0, None, None),
            ("V4", 0.0, None, None),
        ]
        assert result.vendor("V1").criteria["A1"] == CriterionResult(None, 0, None, 0 if len(frame) == 0 else 2)


@pytest.mark.parametrize("histogram", [True, False])
@pytest.mark.parametrize("balance", [None, "level"])
@pytest.mark.parametrize("aggregation", ["mean", "median", "trimmed_mean"])
def test_every_aggregation_skips_the_pairs_and_groups_without_scores(
    aggregation: str, balance: str | None, histogram: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only V1 A1 and V2 A1 are scored, by the staff (T1 2, T2 4); the manager T3 returned nothing.

    Mean, median and trimmed mean (nothing trimmed from two scores) all give 3 and 4.5; the manager group,
    which has no score, is skipped by balance_groups rather than counted. V1 and V2 have coverage e_A1 = 0.375,
    Q = 100 * 3 / 5 = 60 and 90; V3 and V4 are not assessed.
    """
    if not histogram:
        monkeypatch.setattr(scoring, "_MAX_HISTOGRAM", 0)
    frame = make_frame(grid("V1", "A1", [2, 4]) + grid("V2", "A1", [5, 4]))
    params = ScoringParams(5, 100, price_weight=0, aggregation=aggregation, balance_groups=balance)
    result = score(CRITERIA, VENDORS, frame, params, TESTERS)
    assert [(v.id, v.rank, v.coverage, v.quality_score) for v in result.vendors] == [
        ("V2", 1, 0.375, 90.0),
        ("V1", 2, 0.375, 60.0),
        ("V3", None, 0.0, None),
        ("V4", None, 0.0, None),
    ]
    assert [result.vendor(v).criteria["A1"].score for v in ("V1", "V2")] == [3.0, 4.5]


def test_coverage_of_the_catalogue_fully_assessed_is_exactly_one() -> None:
    """The 65 effective weights of the bundled catalogue add up to 1.0000000000000002 in floats: a vendor
    scored on every criterion has coverage exactly 1.0 (not above), and the quality is unchanged (3 of 5: 60)."""
    for language in ("en", "fr"):
        criteria = catalogue(language)
        frame = make_frame([("T1", "V1", cid, 3) for cid in criteria.ids])
        result = score(criteria, VENDORS[:1], frame, PARAMS)
        assert result.vendor("V1").coverage == 1.0
        assert result.vendor("V1").quality_score == pytest.approx(60.0, abs=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_coverage_stays_within_zero_and_one(seed: int) -> None:
    """Any subset of the catalogue's criteria assessed: 0 <= coverage <= 1, exactly 0 and 1 at the ends, and
    equal to the sum of the assessed effective weights up to float noise."""
    criteria = catalogue("en")
    rng = np.random.default_rng(seed)
    weights = criteria.effective_weights()
    chosen = [cid for cid in criteria.ids if rng.random() < 0.9]
    frame = make_frame([("T1", "V1", cid, 3) for cid in chosen])
    coverage = score(criteria, VENDORS[:1], frame, PARAMS).vendor("V1").coverage
    assert 0.0 <= coverage <= 1.0
    assert coverage == pytest.approx(math.fsum(weights[cid] for cid in chosen), abs=1e-12)
    if len(chosen) == len(criteria.ids):
        assert coverage == 1.0


def test_scores_for_unknown_ids_are_ignored_and_reported() -> None:
    """Rows naming a vendor or criterion the campaign does not have do not count."""
    rows = grid("V1", "A1", [3]) + grid("V9", "A1", [5]) + grid("V1", "Q7", [5])
    result = score(CRITERIA, VENDORS[:1], make_frame(rows), PARAMS)
    assert result.vendor("V1").criteria["A1"].n == 1
    assert (result.unknown_vendors, result.unknown_criteria) == (("V9",), ("Q7",))
    assert result.warnings == (
        "scores for unknown vendors were ignored: V9",
        "scores for unknown criteria were ignored: Q7",
    )


def test_categorical_and_object_columns_give_the_same_result() -> None:
    """The ledger may hand over str, object or categorical ID columns."""
    frame = make_frame(ROWS)
    expected = score(CRITERIA, VENDORS, frame, PARAMS)
    as_category = frame.astype({"tester": "category", "vendor": "category", "criterion": "category"})
    as_object = frame.astype({"tester": object, "vendor": object, "criterion": object})
    assert score(CRITERIA, VENDORS, as_category, PARAMS) == expected
    assert score(CRITERIA, VENDORS, as_object, PARAMS) == expected
    # A categorical column with categories the campaign does not know.
    extra = make_frame([*ROWS, ("T1", "V7", "A1", 2)]).astype({"vendor": "category"})
    assert score(CRITERIA, VENDORS, extra, PARAMS).unknown_vendors == ("V7",)


def test_score_aggregates_reuses_aggregates() -> None:
    """score() is aggregate() then score_aggregates(); the aggregates must match the vendors."""
    frame = make_frame(ROWS)
    agg = aggregate(frame, [v.id for v in VENDORS], CRITERIA.ids)
    assert score_aggregates(CRITERIA, VENDORS, agg, PARAMS) == score(CRITERIA, VENDORS, frame, PARAMS)
    with pytest.raises(ValueError, match="other vendors or criteria"):
        score_aggregates(CRITERIA, VENDORS[:2], agg, PARAMS)


def test_invalid_parameters_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="aggregation 'mode'"):
        ScoringParams(5, 1, aggregation="mode")
    with pytest.raises(ValueError, match="price_formula 'log'"):
        ScoringParams(5, 1, price_formula="log")
    with pytest.raises(ValueError, match="not both 0"):
        ScoringParams(5, 1, quality_weight=0, price_weight=0)
    with pytest.raises(ValueError, match="lacks column"):
        aggregate(pd.DataFrame({"vendor": []}), ["V1"], ["A1"])


def random_frame(
    rng: np.random.Generator,
    n_testers: int,
    vendors: Sequence[str],
    criteria: Sequence[str],
    step: float,
    missing: float,
) -> pd.DataFrame:
    """Random scores on a grid of ``step`` (0 to 5), with a share ``missing`` of N/A."""
    tt, vv, cc = (
        a.ravel()
        for a in np.meshgrid(np.arange(n_testers), np.arange(len(vendors)), np.arange(len(criteria)), indexing="ij")
    )
    values = rng.integers(0, int(5 / step) + 1, tt.size) * step
    na = rng.random(tt.size) < missing
    values[na] = np.nan
    return pd.DataFrame(
        {
            "tester": pd.Series([f"T{t}" for t in tt], dtype="str"),
            "vendor": pd.Series(np.asarray(vendors, dtype=object)[vv], dtype="str"),
            "criterion": pd.Series(np.asarray(criteria, dtype=object)[cc], dtype="str"),
            "score": values,
            "na": na,
            "comment": "",
        }
    )


@pytest.mark.parametrize("how", ["mean", "median", "trimmed_mean"])
@pytest.mark.parametrize("histogram", [True, False])
def test_aggregate_matches_a_pandas_and_scipy_reference(
    how: str, histogram: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Random frames: the vectorised aggregates equal a plain groupby (both the histogram and sorting paths)."""
    if not histogram:
        monkeypatch.setattr(scoring, "_MAX_HISTOGRAM", 0)
    rng = np.random.default_rng(7)
    reference = {"mean": np.mean, "median": np.median, "trimmed_mean": lambda x: scipy.stats.trim_mean(x, 0.1)}[how]
    for n_testers, step in ((1, 1.0), (9, 0.5), (23, 0.1)):
        vendors, criteria = ["a", "b", "c"], [f"c{i}" for i in range(6)]
        frame = random_frame(rng, n_testers, vendors, criteria, step, missing=0.3)
        agg = aggregate(frame, vendors, criteria, how)
        grouped = frame.dropna(subset=["score"]).groupby(["vendor", "criterion"])["score"]
        expected = grouped.agg(lambda x: reference(x.to_numpy()))
        sd = grouped.std(ddof=1)
        for (v, c), value in expected.items():
            i, j = vendors.index(v), criteria.index(c)
            assert agg.score[i, j] == pytest.approx(value)
            assert agg.n[i, j] == grouped.size()[(v, c)]
            if agg.n[i, j] >= 2:
                assert agg.sd[i, j] == pytest.approx(sd[(v, c)])
        assert int(agg.n.sum()) == int(frame["score"].notna().sum())
        assert int(agg.na.sum()) == int(frame["na"].sum())


@pytest.mark.parametrize("seed", range(6))
def test_weighted_sum_ranking_matches_scikit_criteria(seed: int) -> None:
    """Random campaigns (full scores, inverse price) ranked by skcriteria's WeightedSumModel.

    The decision matrix holds s_{v,i} (a plain groupby mean, computed here) with weights
    q/(q+p) * 100 * e_i / S (e_i computed here from the raw weights), and the TCO as a
    minimised criterion, which skcriteria inverts to 1/TCO, with weight p/(q+p) * 100 * TCO_min.
    The weighted sum is then exactly F_v, so both the scores and the ranks must agree.
    """
    # A test-only dependency (scikit-criteria); imported here so that the other tests run without it.
    import skcriteria as skc
    from skcriteria.agg.simple import WeightedSumModel
    from skcriteria.pipelines import mkpipe
    from skcriteria.preprocessing.invert_objectives import InvertMinimize

    rng = np.random.default_rng(seed)
    n_cat, n_crit, n_vendors = int(rng.integers(2, 6)), int(rng.integers(6, 25)), int(rng.integers(2, 9))
    cat_weights = rng.integers(0, 10, n_cat).astype(float)
    cat_weights[0] += 1
    categories = tuple(Category(f"K{k}", f"K{k}", float(w)) for k, w in enumerate(cat_weights))
    owner = [k % n_cat for k in range(n_crit)]
    crit_weights = rng.integers(1, 6, n_crit).astype(float)
    criteria = CriteriaSet(
        categories,
        tuple(
            Criterion(f"C{i}", f"K{owner[i]}", "t", "", Priority.SHOULD, float(crit_weights[i])) for i in range(n_crit)
        ),
    )
    vendors = tuple(
        Vendor(
            f"V{v}", f"V{v}", setup_cost=float(rng.integers(0, 5000)), price_per_user_month=float(rng.uniform(2, 12))
        )
        for v in range(n_vendors)
    )
    q, p = float(rng.integers(1, 10)), float(rng.integers(1, 10))
    params = ScoringParams(scale_max=5, users=int(rng.integers(10, 3000)), quality_weight=q, price_weight=p)
    frame = random_frame(rng, int(rng.integers(3, 30)), [v.id for v in vendors], criteria.ids, 1.0, missing=0.0)
    result = score(criteria, vendors, frame, params)

    means = (
        frame.groupby(["vendor", "criterion"])["score"]
        .mean()
        .unstack()
        .loc[[v.id for v in vendors], list(criteria.ids)]
    )
    e = np.array(
        [
            cat_weights[owner[i]]
            / cat_weights.sum()
            * crit_weights[i]
            / crit_weights[[j for j in range(n_crit) if owner[j] == owner[i]]].sum()
            for i in range(n_crit)
        ]
    )
    tcos = np.array([v.setup_cost + 3 * 12 * params.users * v.price_per_user_month for v in vendors])
    matrix = np.column_stack([means.to_numpy(), tcos])
    weights = np.append(q / (q + p) * 100 * e / 5, p / (q + p) * 100 * tcos.min())
    dm = skc.mkdm(
        matrix=matrix, objectives=[max] * n_crit + [min], weights=weights, alternatives=[v.id for v in vendors]
    )
    ranking = mkpipe(InvertMinimize(), WeightedSumModel()).evaluate(dm)

    ours = {v.id: v for v in result.vendors}
    for vid, value, rank in zip(ranking.alternatives, ranking.e_.score, ranking.rank_, strict=True):
        assert ours[vid].final_score == pytest.approx(value, rel=1e-9)
        assert ours[vid].rank == rank


def test_two_thousand_testers_score_fast() -> None:
    """2,000 testers x 10 vendors x 120 criteria (2.4 million rows, str columns as the ledger gives).

    The target is well under 0.3 s (about 0.18 s measured); the bound here is loose so that a busy
    machine does not fail it, while a per-row Python loop (tens of seconds) would.
    """
    import time

    rng = np.random.default_rng(3)
    categories = tuple(Category(f"K{k}", f"K{k}", float(k + 1)) for k in range(12))
    criteria = CriteriaSet(
        categories,
        tuple(
            Criterion(f"C{i:03d}", f"K{i % 12}", "t", "", Priority.MUST if i % 10 == 0 else Priority.SHOULD, 1.0)
            for i in range(120)
        ),
    )
    vendors = tuple(Vendor(f"V{v}", f"V{v}", price_per_user_month=5.0 + v) for v in range(10))
    frame = random_frame(rng, 2000, [v.id for v in vendors], criteria.ids, 1.0, missing=0.1)
    assert len(frame) == 2_400_000
    params = ScoringParams(scale_max=5, users=2400)
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        result = score(criteria, vendors, frame, params)
        timings.append(time.perf_counter() - start)
    assert min(timings) < 1.0
    assert sum(v.criteria["C001"].n for v in result.vendors) == int(
        frame.loc[frame["criterion"] == "C001", "score"].notna().sum()
    )
