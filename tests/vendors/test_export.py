"""The verdict as data: the JSON of DESIGN.md section 7, the tables and the method in words."""

from __future__ import annotations

import json

import pandas as pd
import pytest

# The worked example of test_scoring.py (pytest puts this folder on sys.path).
from test_scoring import CRITERIA, PARAMS, ROWS, VENDORS, make_frame

from criteria.model import Category
from vendors.export import (
    FORMULAS,
    criteria_table,
    method_dict,
    method_text,
    scoring_to_dict,
    vendor_notes,
    vendor_table,
    weight_units,
    with_settings,
)
from vendors.scoring import ScoringParams, score

NNBSP = "\u202f"  # the narrow no-break space French uses to group thousands
NBSP = "\u00a0"


@pytest.fixture(scope="module")
def result():
    return score(CRITERIA, VENDORS, make_frame(ROWS), PARAMS)


def test_json_has_the_keys_of_section_7_at_full_precision(result) -> None:
    data = scoring_to_dict(result, CRITERIA, VENDORS, {"name": "Pilot 2027"})
    assert {"campaign", "vendors", "method", "warnings"} <= set(data)
    campaign = data["campaign"]
    assert (campaign["name"], campaign["criteria_version"], campaign["scale_max"]) == (
        "Pilot 2027",
        CRITERIA.version(),
        5,
    )
    assert (campaign["quality_weight"], campaign["price_weight"]) == (70.0, 30.0)
    assert [c["effective_weight"] for c in campaign["criteria"]] == [0.375, 0.1875, 0.1875, 0.0625, 0.1875]
    assert [v["id"] for v in data["vendors"]] == ["V1", "V3", "V2", "V4"]
    v1 = data["vendors"][0]
    section7 = {"id", "name", "rank", "eliminated", "knockouts", "final_score", "quality_score", "price_score", "tco"}
    assert section7 | {"coverage", "categories", "criteria"} <= set(v1)
    # Full precision: the very floats of the result, not rounded ones.
    assert v1["final_score"] == result.vendor("V1").final_score == 0.7 * 72 + 0.3 * (100 * 28800 / 37000)
    assert v1["price_score"] == 100 * 28800 / 37000
    assert v1["criteria"]["A1"] == {"score": 4.5, "n": 2, "sd": result.vendor("V1").criteria["A1"].sd, "na": 1}
    assert v1["criteria"]["B1"] == {"score": None, "n": 0, "sd": None, "na": 3}
    assert v1["categories"] == {"A": 70.0, "B": 80.0}
    assert v1["offer"] == {"setup_cost": 1000, "price_per_user_month": 10, "annual_fixed_cost": 0.0}
    assert v1["notes"] == []
    v2 = data["vendors"][2]
    assert (v2["rank"], v2["eliminated"], v2["status"]) == (None, True, "eliminated")
    assert v2["knockouts"] == [{"criterion": "A1", "score": 2 / 3}]
    assert v2["notes"] == ["eliminated: MUST A1 scored 0.67 < 1"]
    v4 = data["vendors"][3]
    assert (v4["final_score"], v4["quality_score"], v4["coverage"], v4["status"]) == (None, None, 0.0, "not_assessed")
    assert v4["categories"] == {"A": None, "B": None}


def test_json_round_trips_without_nan(result) -> None:
    """null where undefined: json.dumps refuses NaN, and reading back gives the same structure."""
    data = scoring_to_dict(result, CRITERIA, VENDORS)
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text) == data
    assert data["campaign"]["name"] is None


def test_json_notes_follow_the_language(result) -> None:
    data = scoring_to_dict(result, CRITERIA, VENDORS, language="fr")
    assert data["vendors"][2]["notes"] == [f"éliminé{NBSP}: MUST A1 noté 0,67 < 1"]
    assert data["vendors"][1]["notes"] == ["MUST B2 non évalué"]
    assert data["vendors"][3]["notes"] == ["non évalué (aucune note)"]
    assert data["method"]["text"] == method_text(PARAMS, "fr")


def test_method_object_names_aggregation_normalisation_formulas_and_split() -> None:
    params = ScoringParams(
        scale_max=10, users=50, quality_weight=60, price_weight=40, price_formula="linear", aggregation="trimmed_mean"
    )
    method = method_dict(params)
    assert method["aggregation"]["name"] == "trimmed_mean"
    assert method["aggregation"]["trim_each_side"] == 0.1
    assert method["normalisation"]["scale_max"] == 10
    assert method["split"] == {
        "quality_weight": 60,
        "price_weight": 40,
        "quality_share": 0.6,
        "price_share": 0.4,
        "description": [
            "Final score: F_v = (60 × Q_v + 40 × P_v) / (60 + 40): quality counts for 60% and price for 40%."
        ],
    }
    assert method["formulas"]["price"] == FORMULAS["price.linear"]
    assert "price.inverse" not in method["formulas"]
    assert method["formulas"]["quality"] == "Q_v = 100 * sum_{i in A_v} e_i * s_{v,i} / (S * coverage_v)"
    assert method["text"] == method_text(params)


def test_method_text_states_the_parameters_in_english() -> None:
    params = ScoringParams(scale_max=5, users=2400, discount_rate=0.035, knockout_threshold=1.5)
    lines = method_text(params, "en")
    assert len(lines) == 8
    assert lines[3] == (
        "Knock-out: a vendor whose score on an assessed MUST criterion is below 1.5 (compared at 9 decimals) is "
        "eliminated; a MUST criterion nobody assessed is reported as a warning."
    )
    assert lines[4] == (
        "Total cost of ownership over 3 years for 2,400 users, later years discounted at 3.5% a year: "
        "TCO_v = setup_cost + Σ_(y=1..3) (12 × 2,400 × price_per_user_month + annual_fixed_cost) / (1 + 0.035)^(y−1)."
    )
    assert lines[5].startswith("Price score (inverse formula): P_v = 100 × TCO_min / TCO_v")


def test_method_text_in_french_with_balanced_groups() -> None:
    params = ScoringParams(scale_max=5, users=2400, aggregation="median", balance_groups="niveau")
    lines = method_text(params, "fr")
    assert len(lines) == 9
    assert lines[1].startswith(f"Note du critère s_(v,i){NBSP}: médiane des notes numériques (de 0 à 5)")
    assert lines[2].startswith(f"Les notes sont équilibrées selon la colonne «{NBSP}niveau{NBSP}» des testeurs")
    assert f"pour 2{NNBSP}400{NBSP}utilisateurs" in lines[5]
    assert lines[8].startswith(f"Classement{NBSP}: les fournisseurs ni éliminés ni non évalués")
    with pytest.raises(ValueError, match="language 'de'"):
        method_text(params, "de")


def test_vendor_table_canonical(result) -> None:
    table = vendor_table(result)
    assert list(table.columns) == [
        "rank",
        "vendor",
        "name",
        "status",
        "final_score",
        "quality_score",
        "price_score",
        "tco",
        "coverage",
        "knockouts",
        "warnings",
        "category:A",
        "category:B",
    ]
    assert table["vendor"].tolist() == ["V1", "V3", "V2", "V4"]
    assert table["rank"].tolist() == [1, 2, pd.NA, pd.NA]
    assert table["status"].tolist() == ["ranked", "ranked", "eliminated", "not_assessed"]
    assert table["tco"].tolist() == [37000, 46200, 18000, 28800]
    assert table["knockouts"].tolist() == ["", "", f"A1 ({2 / 3!r})", ""]
    assert table["warnings"].tolist() == ["", "B2", "", "A1, B2"]
    assert table["final_score"].iloc[0] == result.vendor("V1").final_score
    assert pd.isna(table["quality_score"].iloc[3])
    assert table["category:A"].tolist()[:3] == pytest.approx([70, 220 / 3, 170 / 3])


def test_vendor_table_for_people_in_french(result) -> None:
    table = vendor_table(result, "fr")
    assert list(table.columns)[:5] == ["Rang", "ID fournisseur", "Fournisseur", "Statut", "Note finale (0-100)"]
    assert list(table.columns)[-2:] == ["Catégorie A", "Catégorie B"]
    assert table["Statut"].tolist() == ["classé", "classé", "éliminé", "non évalué"]
    assert table["Éliminations"].tolist() == ["", "", f"éliminé{NBSP}: MUST A1 noté 0,67 < 1", ""]
    assert table["Avertissements"].tolist() == ["", "MUST B2 non évalué", "", "non évalué (aucune note)"]


def test_criteria_table_contributions_add_up_to_quality(result) -> None:
    """contribution = 100 e_i s / (S coverage): V1 A1 = 100 * 0.375 * 4.5 / (5 * 0.9375) = 36."""
    table = criteria_table(result, CRITERIA)
    assert len(table) == len(VENDORS) * len(CRITERIA.criteria)
    row = table[(table["vendor"] == "V1") & (table["criterion"] == "A1")].iloc[0]
    assert (row["score"], row["n"], row["na"], row["contribution"]) == (4.5, 2, 1, pytest.approx(36.0))
    assert (row["priority"], row["weight"], row["effective_weight"], row["knockout"]) == ("MUST", 2.0, 0.375, False)
    for v in result.vendors:
        mine = table[table["vendor"] == v.id]
        if v.quality_score is None:
            assert mine["contribution"].isna().all()
        else:
            assert mine["contribution"].sum() == pytest.approx(v.quality_score)
    knocked = table[table["knockout"]]
    assert list(zip(knocked["vendor"], knocked["criterion"], strict=True)) == [("V2", "A1")]
    assert table.loc[(table["vendor"] == "V1") & (table["criterion"] == "B1"), "assessed"].tolist() == [False]


def test_criteria_table_for_people(result) -> None:
    table = criteria_table(result, CRITERIA, "en")
    assert list(table.columns) == [
        "Vendor ID",
        "Vendor",
        "Criterion ID",
        "Criterion",
        "Category",
        "Priority",
        "Weight w_i",
        "Effective weight e_i",
        "Assessed",
        "Score s_v,i",
        "Scores (n)",
        "N/A answers",
        "Standard deviation",
        "Knock-out",
        "Contribution to quality",
    ]


def test_vendor_notes(result) -> None:
    assert vendor_notes(result.vendor("V1"), 1.0) == []
    assert vendor_notes(result.vendor("V3"), 1.0) == ["MUST B2 not assessed"]
    assert vendor_notes(result.vendor("V2"), 1.0, "en") == ["eliminated: MUST A1 scored 0.67 < 1"]
    assert vendor_notes(result.vendor("V4"), 1.0, "fr") == ["non évalué (aucune note)"]


def test_result_warnings_are_worded(result) -> None:
    rows = [*ROWS, ("T1", "V9", "A1", 3), ("T1", "V1", "ZZ", 3)]
    noisy = score(CRITERIA, VENDORS, make_frame(rows), PARAMS)
    assert scoring_to_dict(noisy, CRITERIA, VENDORS, language="en")["warnings"] == [
        "Scores for vendors that vendors.xlsx does not list were ignored: V9.",
        "Scores for criteria that criteria.xlsx does not list were ignored: ZZ.",
    ]
    assert scoring_to_dict(result, CRITERIA, VENDORS)["warnings"] == []


def test_settings_are_added_beside_the_others_without_touching_any_key() -> None:
    head = {"name": "Pilot", "scale_max": 5.0, "quality_weight": 70.0, "balance_groups": None, "testers": 2}
    sensitivity = {"draws": 100, "delta": 0.25, "seed": 3}
    data = with_settings(head, scale_step=1, disagreement_sd=1.5, sensitivity=sensitivity)
    assert list(data) == [
        *("name", "scale_max", "scale_step", "quality_weight", "balance_groups", "disagreement_sd"),
        *("sensitivity_draws", "sensitivity_delta", "sensitivity_seed", "testers"),
    ]
    assert (data["scale_step"], data["disagreement_sd"]) == (1.0, 1.5)
    assert (data["sensitivity_draws"], data["sensitivity_delta"], data["sensitivity_seed"]) == (100, 0.25, 3)
    assert {k: data[k] for k in head} == head
    # A key the campaign part already has keeps its value.
    again = with_settings({**head, "scale_step": 0.5}, scale_step=1, disagreement_sd=1.5, sensitivity=sensitivity)
    assert again["scale_step"] == 0.5


def test_sensitivity_weights_in_shares_and_raw_weights() -> None:
    """The reviewer's case: COM weighs 11 of 100 (share 0.11) and the winner changes at a share of 0.365. With
    the other 89 unchanged, that share is a weight of 0.365 x 89 / 0.635 = 51.16: relative_change 3.65 is the
    change of the raw weight (x 4.65), not of the share (x 3.32)."""
    categories = (Category("COM", "Communities", 11.0), Category("REST", "The rest", 89.0))
    flips = [
        {
            "category": "COM",
            "weight": 0.11,
            "flip_weight": 0.365,
            "relative_change": 0.365 * 0.89 / (0.11 * 0.635) - 1,
            "new_winners": ["V3"],
            "within_delta": False,
        },
        {
            "category": "REST",
            "weight": 0.89,
            "flip_weight": None,
            "relative_change": None,
            "new_winners": [],
            "within_delta": False,
        },
    ]
    com, rest = weight_units(flips, categories)
    assert list(com) == [
        *("category", "weight", "share", "raw_weight", "flip_weight", "flip_share", "flip_raw_weight"),
        *("relative_change", "new_winners", "within_delta"),
    ]
    assert {k: com[k] for k in flips[0]} == flips[0]  # nothing changed, only added
    assert (com["share"], com["raw_weight"], com["flip_share"]) == (0.11, 11.0, 0.365)
    assert com["flip_raw_weight"] == pytest.approx(0.365 * 89 / 0.635)
    assert com["relative_change"] == pytest.approx(com["flip_raw_weight"] / com["raw_weight"] - 1)
    assert com["relative_change"] == pytest.approx(3.65, abs=1e-3)
    assert com["flip_share"] / com["share"] == pytest.approx(3.318, abs=1e-3)
    assert (rest["share"], rest["raw_weight"], rest["flip_share"], rest["flip_raw_weight"]) == (0.89, 89.0, None, None)
    # At a flip share of 1 the category would need an infinite weight: no raw weight, never an infinity.
    (whole,) = weight_units([{**flips[0], "flip_weight": 1.0, "relative_change": None}], categories)
    assert whole["flip_raw_weight"] is None
