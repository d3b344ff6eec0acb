"""`tender score` shows the analysis of DESIGN.md section 6: JSON keys and a short table section each."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import tender.results
from criteria.excel import write_criteria
from criteria.model import Category, CriteriaSet, Criterion, Priority
from tender.campaign import init_campaign, load_campaign
from tender.cli import cli
from tender.results import evaluate, scoring_params
from vendors import model as vendor_model  # not 'Tester' itself: pytest would try to collect it
from vendors.analysis import analyse, analysis_to_dict
from vendors.export import weight_units
from vendors.model import Vendor
from vendors.scoring import score

NBSP, NNBSP = "\u00a0", "\u202f"

# W = (3, 1), one criterion per category: F = Q (price weight 0).
CRITERIA = CriteriaSet(
    (Category("K1", "Usage", 3.0), Category("K2", "Security", 1.0)),
    (
        Criterion("C1", "K1", "Mobile app", "", Priority.SHOULD, 1.0),
        Criterion("C2", "K2", "Single sign-on", "", Priority.SHOULD, 1.0),
    ),
)
VENDORS = (Vendor("A", "Alpha", price_per_user_month=10), Vendor("B", "Beta", price_per_user_month=12))
TESTERS = (
    vendor_model.Tester("T1", "One", "one@example.org", {"level": "staff"}),
    vendor_model.Tester("T2", "Two", "two@example.org", {"level": "manager"}),
)
# A: C1 = (5, 3), C2 = (1, 1): Q_A = 100 (0.75 * 4 + 0.25 * 1) / 5 = 65.
# B: C1 = (0, 3), C2 = (5, 5): Q_B = 100 (0.75 * 1.5 + 0.25 * 5) / 5 = 47.5. A wins.
# B/C1 has sd sqrt(4.5) = 2.12 >= 1.5: the only point of the agenda.
# staff (T1): Q_A = 80, Q_B = 25; manager (T2): Q_A = 50, Q_B = 70: both vendors change rank.
# Without T1: Q_A = 50 < Q_B = 70, so T1 alone decides the winner.
# K1's share x: F_A = 20 (1 + 3x), F_B = 20 (1.5x + 5 (1 - x)), equal at x = 8/13 = 61.5 %.
ROWS = [
    ("T1", "A", "C1", 5.0, ""),
    ("T1", "A", "C2", 1.0, ""),
    ("T1", "B", "C1", 0.0, "crashes on login"),
    ("T1", "B", "C2", 5.0, ""),
    ("T2", "A", "C1", 3.0, ""),
    ("T2", "A", "C2", 1.0, ""),
    ("T2", "B", "C1", 3.0, ""),
    ("T2", "B", "C2", 5.0, ""),
]


def frame(rows: list[tuple[str, str, str, float, str]]) -> pd.DataFrame:
    """The scores frame of vendors/scoring.py, as the ledger returns it."""
    return pd.DataFrame(
        {
            "tester": pd.Series([r[0] for r in rows], dtype="str"),
            "vendor": pd.Series([r[1] for r in rows], dtype="str"),
            "criterion": pd.Series([r[2] for r in rows], dtype="str"),
            "score": pd.Series([r[3] for r in rows], dtype="float64"),
            "na": pd.Series([False for _ in rows], dtype="bool"),
            "comment": pd.Series([r[4] for r in rows], dtype="str"),
        }
    )


def make_campaign(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: str = "en",
    rows: list[tuple[str, str, str, float, str]] = ROWS,
    **settings: object,
) -> Path:
    """A campaign with the criteria, vendors and testers above, whose ledger holds ``rows``."""
    root = tmp_path / "c"
    init_campaign(
        root,
        language=language,
        vendors=VENDORS,
        testers=TESTERS,
        extra_settings={"users": 100, "price_weight": 0, **settings},
    )
    write_criteria(CRITERIA, root / "criteria.xlsx", language)
    monkeypatch.setattr(tender.results, "load_scores", lambda campaign: frame(rows))
    return root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["score", *args])
    return result.exit_code, result.output


def test_json_has_the_analysis_at_full_precision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_campaign(tmp_path, monkeypatch)
    code, output = run(str(root), "--format", "json")
    assert code == 0
    data = json.loads(output)
    assert {"campaign", "vendors", "disagreements", "segments", "sensitivity", "reliability", "agenda"} <= set(data)
    assert [(d["vendor"], d["criterion"], d["flagged"]) for d in data["disagreements"]] == [
        ("A", "C1", False),
        ("A", "C2", False),
        ("B", "C1", True),
        ("B", "C2", False),
    ]
    assert data["disagreements"][2]["sd"] == math.sqrt(4.5)
    assert data["agenda"][0]["comments"] == [{"tester": "T1", "comment": "crashes on login"}]
    assert data["segments"]["level"]["divergent"] == ["A", "B"]
    manager = data["segments"]["level"]["groups"]["manager"]["vendors"]
    assert (manager["A"]["rank"], manager["A"]["quality_score"], manager["B"]["rank"]) == (2, 50.0, 1)
    sens = data["sensitivity"]
    assert sens["winners"] == ["A"]
    assert sens["weights"][0]["flip_weight"] == pytest.approx(8 / 13, abs=1e-12)
    assert sens["leave_one_out"]["changes"] == [{"tester": "T1", "winners": ["B"]}]
    assert sens["verdict"] == {
        "robust": False,
        "winner": "A",
        "reasons": ["testers"],
        "text": "No robust winner: leaving out tester T1 makes Beta win.",
    }
    # CLI and library agree to the last bit.
    campaign = load_campaign(root)
    params = scoring_params(campaign.settings)
    result = score(CRITERIA, VENDORS, frame(ROWS), params, TESTERS)
    library = analyse(
        CRITERIA, VENDORS, TESTERS, frame(ROWS), params, result, disagreement_sd=1.5, draws=10_000, delta=0.25, seed=0
    )
    expected = json.loads(json.dumps(analysis_to_dict(library, "en")))
    # The CLI adds each category weight's units (share, raw weight) to the library's, changing none of its keys.
    expected["sensitivity"]["weights"] = weight_units(expected["sensitivity"]["weights"], CRITERIA.categories)
    assert {key: data[key] for key in expected} == expected


def test_table_sections_in_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_campaign(tmp_path, monkeypatch)
    code, output = run(str(root))
    assert code == 0
    lines = output.splitlines()
    assert lines[lines.index("Consensus agenda:") - 2 :] == [
        "Disagreement (pairs whose scores have a standard deviation of 1.5 or more): 1 of 4 vendor-criterion",
        "  pairs scored by two testers or more",
        "Consensus agenda:",
        "  Vendor    Criterion      n  Mean    SD  Range  Scores given",
        "  Beta (B)  C1 Mobile app  2  1.50  2.12      3  0; 3",
        '      T1: "crashes on login"',
        "Agreement between testers (Krippendorff's alpha, interval): Alpha (A) 0.73; Beta (B) 0.60",
        "",
        "Segments (rank and quality score from each group's testers only; * = rank differs between groups):",
        "  level        staff (1)  manager (1)",
        "  * Alpha (A)  1 (80.0)   2 (50.0)",
        "  * Beta (B)   2 (25.0)   1 (70.0)",
        "",
        "Sensitivity:",
        "- Every weight varied by ±25% (10,000 draws, seed 0), share of first places: Alpha (A) 100%",
        "- Share of one category's weight at which the winner changes (others in proportion): Usage 75% →",
        "  61.5% (Beta (B) wins); Security 25% → 38.5% (Beta (B) wins)",
        "- Leaving out one tester (2 tried) changes the winner: T1 → Beta (B)",
        "Verdict: No robust winner: leaving out tester T1 makes Beta win.",
    ]
    # The ranking and the method come first, unchanged.
    assert lines[4].startswith("   1  Alpha (A)  65.00    65.00")
    assert lines.index("Method:") < lines.index("Consensus agenda:")


def test_table_sections_in_french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_campaign(tmp_path, monkeypatch, language="fr")
    code, output = run(str(root))
    assert code == 0
    lines = output.splitlines()
    start = lines.index(f"Ordre du jour de la réunion de consensus{NBSP}:")
    assert lines[start + 1 : start + 5] == [
        "  Fournisseur  Critère        n  Moyenne  Écart type  Étendue  Notes données",
        f"  Beta (B)     C1 Mobile app  2     1,50        2,12        3  0{NBSP}; 3",
        f"      T1{NBSP}: «{NBSP}crashes on login{NBSP}»",
        f"Accord entre testeurs (alpha de Krippendorff, intervalles){NBSP}: Alpha (A) 0,73{NBSP}; Beta (B) 0,60",
    ]
    assert "  * Alpha (A)  1 (80,0)   2 (50,0)" in lines
    assert lines[-1] == f"Verdict{NBSP}: Pas de vainqueur robuste{NBSP}: retirer le testeur T1 fait gagner Beta."


def test_settings_of_tender_yaml_reach_the_analysis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """disagreement_sd 2.5 flags nothing (the widest sd is 2.12); sensitivity {draws, delta, seed} are used.

    With delta = 0.9 the factors u1, u2 are uniform on [0.1, 1.9] and A is first iff 15 u1 > 8 u2:
    P(u2 >= 1.875 u1) = integral from 0.1 to 1.9/1.875 of (1.9 - 1.875 u) du / 1.8^2 = 0.24137, so A keeps
    0.75863 of the first places (standard error 0.003 with 20,000 draws). Both flips are within ±90 %."""
    sensitivity = {"draws": 20_000, "delta": 0.9, "seed": 5}
    root = make_campaign(tmp_path, monkeypatch, disagreement_sd=2.5, sensitivity=sensitivity)
    data = json.loads(run(str(root), "--format", "json")[1])
    assert [d["flagged"] for d in data["disagreements"]] == [False] * 4
    assert data["agenda"] == []
    mc = data["sensitivity"]["monte_carlo"]
    assert (mc["draws"], mc["delta"], mc["seed"]) == (20_000, 0.9, 5)
    assert mc["winner_share"] == pytest.approx(1 - 0.241371, abs=0.012)
    assert [w["within_delta"] for w in data["sensitivity"]["weights"]] == [True, True]
    assert data["sensitivity"]["verdict"]["reasons"] == ["monte_carlo", "weights", "testers"]
    # Seeded: the same command gives the same document.
    assert json.loads(run(str(root), "--format", "json")[1]) == data
    table = run(str(root))[1].splitlines()
    assert (
        "Disagreement (pairs whose scores have a standard deviation of 2.5 or more): 0 of 4 vendor-criterion" in table
    )
    assert "Consensus agenda:" not in table


def test_nothing_collected_says_no_vendor_is_ranked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_campaign(tmp_path, monkeypatch, rows=[])
    evaluation = evaluate(load_campaign(root))
    assert evaluation.analysis is not None
    assert evaluation.analysis.verdict.reasons == ("no_ranked",)
    code, output = run(str(root))
    assert code == 0
    assert output.splitlines()[-1] == (
        "Verdict: No robust winner: no vendor is ranked (every vendor is eliminated or not assessed)."
    )
    data = json.loads(run(str(root), "--format", "json")[1])
    assert (data["disagreements"], data["agenda"], data["sensitivity"]["winners"]) == ([], [], [])
    assert data["reliability"] == {"A": None, "B": None}
