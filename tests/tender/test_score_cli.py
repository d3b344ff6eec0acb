"""`tender score`: the ranking table, JSON at full precision, formula-safe CSV and XLSX, clear errors."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

import tender.results
from criteria.excel import write_criteria
from criteria.model import Category, CriteriaSet, Criterion, Priority
from tender.campaign import init_campaign, load_campaign
from tender.cli import cli
from tender.results import campaign_info, evaluate, evaluation_to_dict, scoring_params
from vendors import model as vendor_model  # not 'Tester' itself: pytest would try to collect it
from vendors.analysis import analysis_to_dict
from vendors.export import method_text, scoring_to_dict
from vendors.model import Vendor
from vendors.scoring import score

NBSP, NNBSP = "\u00a0", "\u202f"
HOSTILE = "=SUM(1+2)"

# Categories Q (W 2) and S (W 1); criteria Q1 (MUST), Q2, S1 of weight 1: e = 1/3 each.
CRITERIA = CriteriaSet(
    (Category("Q", "Quality", 2.0), Category("S", "Service", 1.0)),
    (
        Criterion("Q1", "Q", "Single sign-on", "", Priority.MUST, 1.0),
        Criterion("Q2", "Q", "Mobile app", "", Priority.SHOULD, 1.0),
        Criterion("S1", "S", "Support", "", Priority.SHOULD, 1.0),
    ),
)
# 100 users, 3 years: A 3 x 12000 = 36000, B 3 x 14400 = 43200, C 3 x 9600 = 28800.
VENDORS = (
    Vendor("A", "Alpha", price_per_user_month=10),
    Vendor("B", HOSTILE, price_per_user_month=12),
    Vendor("C", "Gamma", price_per_user_month=8),
)
TESTERS = (
    vendor_model.Tester("T1", "One", "one@example.org", {"level": "staff"}),
    vendor_model.Tester("T2", "Two", "two@example.org", {"level": "manager"}),
)
# A: s = 4.5, 3, 4 -> Q = 100 * 11.5 / 15 = 76.67; P = 100; F = 0.7 * 76.67 + 30 = 83.67.
# B: s = 3, 5, 5 -> Q = 100 * 13 / 15 = 86.67; P = 100 * 36000 / 43200 = 83.33; F = 60.67 + 25 = 85.67.
# C: MUST Q1 = (0 + 1) / 2 = 0.5 < 1: eliminated; s = 0.5, 5, 5 -> Q = 100 * 10.5 / 15 = 70;
#    its P is capped at 100 (100 * 36000 / 28800 = 125); F = 49 + 30 = 79, but it has no rank.
ROWS = [
    ("T1", "A", "Q1", 4),
    ("T2", "A", "Q1", 5),
    ("T1", "A", "Q2", 3),
    ("T2", "A", "Q2", 3),
    ("T1", "A", "S1", 4),
    ("T2", "A", "S1", "N/A"),
    ("T1", "B", "Q1", 3),
    ("T2", "B", "Q1", 3),
    ("T1", "B", "Q2", 5),
    ("T2", "B", "Q2", 5),
    ("T1", "B", "S1", 5),
    ("T2", "B", "S1", 5),
    ("T1", "C", "Q1", 0),
    ("T2", "C", "Q1", 1),
    ("T1", "C", "Q2", 5),
    ("T1", "C", "S1", 5),
]


def frame(rows: Sequence[tuple[str, str, str, object]]) -> pd.DataFrame:
    """The scores frame of vendors/scoring.py, as the ledger returns it."""
    return pd.DataFrame(
        {
            "tester": pd.Series([r[0] for r in rows], dtype="str"),
            "vendor": pd.Series([r[1] for r in rows], dtype="str"),
            "criterion": pd.Series([r[2] for r in rows], dtype="str"),
            "score": pd.Series([r[3] if isinstance(r[3], int | float) else np.nan for r in rows], dtype="float64"),
            "na": pd.Series([r[3] == "N/A" for r in rows], dtype="bool"),
            "comment": pd.Series(["" for _ in rows], dtype="str"),
        }
    )


def make_campaign(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: str = "en",
    vendors: Sequence[Vendor] = VENDORS,
    criteria: CriteriaSet = CRITERIA,
    **settings: object,
) -> Path:
    """A campaign with the criteria, vendors and testers above (or others with the same IDs), whose ledger holds ROWS."""
    root = tmp_path / "c"
    init_campaign(root, language=language, vendors=vendors, testers=TESTERS, extra_settings={"users": 100, **settings})
    write_criteria(criteria, root / "criteria.xlsx", language)
    monkeypatch.setattr(tender.results, "load_scores", lambda campaign: frame(ROWS))
    return root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["score", *args])
    return result.exit_code, result.output


def test_table_in_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_campaign(tmp_path, monkeypatch)
    code, output = run(str(root))
    assert code == 0
    lines = output.splitlines()
    assert lines[0] == (
        "Enterprise social network — pilot evaluation 2027: ranking of 3 vendors from 2 testers' workbooks "
        f"(criteria version {CRITERIA.version()})"
    )
    assert lines[2:7] == [
        "Rank  Vendor         Final  Quality   Price      TCO  Coverage  Knock-outs and warnings",
        "----  -------------  -----  -------  ------  -------  --------  ----------------------------------",
        f"   1  {HOSTILE} (B)  85.67    86.67   83.33  €43,200      100%",
        "   2  Alpha (A)      83.67    76.67  100.00  €36,000      100%",
        "   —  Gamma (C)      79.00    70.00  100.00  €28,800      100%  eliminated: MUST Q1 scored 0.5 < 1",
    ]
    assert lines[8] == "Method:"
    assert "- Final score: F_v = (70 × Q_v + 30 × P_v) / (70 + 30): quality counts for 70% and price for 30%." in lines


def test_table_in_french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_campaign(tmp_path, monkeypatch, language="fr")
    code, output = run(str(root))
    assert code == 0
    lines = output.splitlines()
    assert (
        lines[2] == "Rang  Fournisseur    Finale  Qualité    Prix       TCO  Couverture  Éliminations et avertissements"
    )
    assert lines[4] == f"   1  {HOSTILE} (B)   85,67    86,67   83,33  43{NNBSP}200{NBSP}€       100{NBSP}%"
    assert lines[6].endswith(f"éliminé{NBSP}: MUST Q1 noté 0,5 < 1")
    assert lines[8] == f"Méthode{NBSP}:"


def test_json_is_the_library_result_at_full_precision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CLI and library agree to the last bit; the document has the keys of DESIGN.md section 7."""
    root = make_campaign(tmp_path, monkeypatch)
    code, output = run(str(root), "--format", "json")
    assert code == 0
    data = json.loads(output)
    campaign = load_campaign(root)
    expected = score(CRITERIA, VENDORS, frame(ROWS), scoring_params(campaign.settings), TESTERS)
    assert [v["id"] for v in data["vendors"]] == ["B", "A", "C"]
    for got, want in zip(data["vendors"], expected.vendors, strict=True):
        assert (got["rank"], got["eliminated"]) == (want.rank, want.eliminated)
        assert (got["final_score"], got["quality_score"], got["price_score"]) == (
            want.final_score,
            want.quality_score,
            want.price_score,
        )
        assert (got["tco"], got["coverage"]) == (want.tco, want.coverage)
    assert data["vendors"][0]["price_score"] == 100 * 36000 / 43200
    assert data["vendors"][2]["knockouts"] == [{"criterion": "Q1", "score": 0.5}]
    assert data["vendors"][1]["criteria"]["S1"] == {"score": 4.0, "n": 1, "sd": None, "na": 1}
    head = data["campaign"]
    assert (head["name"], head["language"], head["currency"], head["scale_max"]) == (
        "Enterprise social network — pilot evaluation 2027",
        "en",
        "EUR",
        5.0,
    )
    assert (head["criteria_version"], head["testers_with_scores"]) == (CRITERIA.version(), 2)
    assert head["workbook_version"] == CRITERIA.sheet_version()
    assert data["method"]["text"] == method_text(expected.params, "en")
    evaluation = evaluate(campaign)
    assert data == json.loads(json.dumps(evaluation_to_dict(evaluation)))
    # The campaign layer only adds keys to the documents of the scoring and the analysis: none renamed, none
    # with another value (DESIGN.md section 7).
    assert evaluation.analysis is not None
    library = scoring_to_dict(
        evaluation.result, campaign.criteria, campaign.vendors, campaign_info(campaign), evaluation.language
    )
    library.update(analysis_to_dict(evaluation.analysis, evaluation.language))
    assert_only_added(json.loads(json.dumps(library)), data)


def assert_only_added(before: object, after: object, where: str = "") -> None:
    """``after`` holds every key of ``before`` with the same value, at any depth; it may hold more keys."""
    if isinstance(before, dict):
        assert isinstance(after, dict), where
        for key, value in before.items():
            assert key in after, f"{where}.{key} is gone"
            assert_only_added(value, after[key], f"{where}.{key}")
    elif isinstance(before, list):
        assert isinstance(after, list), where
        assert len(after) == len(before), where
        for k, (old, new) in enumerate(zip(before, after, strict=True)):
            assert_only_added(old, new, f"{where}[{k}]")
    else:
        assert after == before, where


def test_json_states_every_setting_behind_its_figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scale step, the disagreement threshold and the Monte Carlo settings sit beside the other settings."""
    root = make_campaign(
        tmp_path,
        monkeypatch,
        scale={"max": 5, "step": 0.5},
        disagreement_sd=0.5,
        sensitivity={"draws": 500, "delta": 0.1, "seed": 7},
        knockout_threshold=0.25,
        horizon_years=2,
        discount_rate=0.05,
        price_formula="linear",
        aggregation="median",
    )
    code, output = run(str(root), "--format", "json")
    assert code == 0, output
    data = json.loads(output)
    head = data["campaign"]
    settings = {key: head[key] for key in head if key not in {"categories", "criteria"}}
    assert list(settings) == [
        *("name", "organisation", "campaign_id", "language", "currency", "deadline", "criteria_version"),
        *("scale_max", "scale_step", "quality_weight", "price_weight", "users", "horizon_years", "discount_rate"),
        *("price_formula", "knockout_threshold", "aggregation", "balance_groups", "disagreement_sd"),
        *("sensitivity_draws", "sensitivity_delta", "sensitivity_seed", "testers_with_scores", "workbook_version"),
    ]
    assert (head["scale_max"], head["scale_step"], head["disagreement_sd"]) == (5.0, 0.5, 0.5)
    assert (head["sensitivity_draws"], head["sensitivity_delta"], head["sensitivity_seed"]) == (500, 0.1, 7)
    assert (head["knockout_threshold"], head["horizon_years"], head["discount_rate"]) == (0.25, 2, 0.05)
    assert (head["price_formula"], head["aggregation"]) == ("linear", "median")
    # The figures these settings explain.
    monte_carlo = data["sensitivity"]["monte_carlo"]
    assert (monte_carlo["draws"], monte_carlo["delta"], monte_carlo["seed"]) == (500, 0.1, 7)
    # A's and C's Q1 (scores 4 and 5, 0 and 1) have an sd of 0.71: flagged at 0.5, not at the default 1.5.
    flagged = {(d["vendor"], d["criterion"]) for d in data["disagreements"] if d["flagged"]}
    assert flagged == {("A", "Q1"), ("C", "Q1")}
    assert all(d["flagged"] == (round(d["sd"], 9) >= head["disagreement_sd"]) for d in data["disagreements"])


def test_json_sensitivity_weights_say_their_unit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``weight`` stays a share; ``share`` and ``raw_weight`` say both units, and relative_change is W' / W - 1.

    Q weighs 2 of 3 (share 2/3): B stays first up to a share of 6/7, reached with the weight of S (1) unchanged
    by a weight of 6 for Q, three times its 2: relative_change 2. S's flip at 1/7 is a weight of 1/3 (-2/3).
    """
    root = make_campaign(tmp_path, monkeypatch)
    data = json.loads(run(str(root), "--format", "json")[1])
    raw = {c["id"]: c["weight"] for c in data["campaign"]["categories"]}
    items = {item["category"]: item for item in data["sensitivity"]["weights"]}
    assert list(items["Q"]) == [
        *("category", "weight", "share", "raw_weight", "flip_weight", "flip_share", "flip_raw_weight"),
        *("relative_change", "new_winners", "within_delta"),
    ]
    for cid, item in items.items():
        assert item["share"] == item["weight"] == pytest.approx(raw[cid] / sum(raw.values()))
        assert item["raw_weight"] == raw[cid]
        assert item["flip_share"] == item["flip_weight"]
        # The README's definition: the raw weight that gives the flip share, the other raw weights unchanged.
        rest = sum(raw.values()) - raw[cid]
        assert item["flip_raw_weight"] == pytest.approx(item["flip_share"] * rest / (1 - item["flip_share"]))
        assert item["relative_change"] == pytest.approx(item["flip_raw_weight"] / item["raw_weight"] - 1)
    assert (items["Q"]["share"], items["Q"]["raw_weight"]) == (pytest.approx(2 / 3), 2.0)
    assert (items["Q"]["flip_share"], items["Q"]["flip_raw_weight"]) == (pytest.approx(6 / 7), pytest.approx(6.0))
    assert items["Q"]["relative_change"] == pytest.approx(2.0)
    assert (items["S"]["flip_raw_weight"], items["S"]["relative_change"]) == (
        pytest.approx(1 / 3),
        pytest.approx(-2 / 3),
    )


def test_output_file_holds_what_stdout_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_campaign(tmp_path, monkeypatch)
    target = tmp_path / "verdict.json"
    code, output = run(str(root), "--format", "json", "-o", str(target))
    assert (code, output) == (0, f"Written: {target}\n")
    assert target.read_text(encoding="utf-8") == run(str(root), "--format", "json")[1]
    table = tmp_path / "ranking.txt"
    assert run(str(root), "-o", str(table)) == (0, f"Written: {table}\n")
    assert table.read_text(encoding="utf-8") == run(str(root))[1]


def test_csv_exports_are_formula_safe_utf8_with_bom_in_the_french_style(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_campaign(tmp_path, monkeypatch, language="fr")
    code, output = run(str(root), "--format", "csv")
    out = root / "out"
    files = [out / "scores.csv", out / "scores-criteria.csv", out / "scores-method.txt"]
    assert code == 0
    assert output == "".join(f"Fichier écrit{NBSP}: {path}\n" for path in files)
    raw = files[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    # A French campaign: fields split on ';' and decimal commas, as French Excel reads them.
    assert raw.decode("utf-8-sig").splitlines()[0].startswith("Rang;")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert [r["ID fournisseur"] for r in rows] == ["B", "A", "C"]
    assert rows[0]["Fournisseur"] == "'" + HOSTILE
    assert rows[0]["Rang"] == "1"
    assert rows[2]["Rang"] == ""
    final = rows[0]["Note finale (0-100)"]
    assert "," in final
    assert float(final.replace(",", ".")) == 0.7 * (100 * 13 / 15) + 0.3 * (100 * 36000 / 43200)
    assert rows[2]["Statut"] == "éliminé"
    assert rows[2]["Éliminations"] == f"éliminé{NBSP}: MUST Q1 noté 0,5 < 1"
    criteria_rows = list(csv.DictReader(io.StringIO(files[1].read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert len(criteria_rows) == 9
    assert {r["Fournisseur"] for r in criteria_rows if r["ID fournisseur"] == "B"} == {"'" + HOSTILE}
    s1 = next(r for r in criteria_rows if (r["ID fournisseur"], r["ID critère"]) == ("A", "S1"))
    assert (s1["Note s_v,i"], s1["Nombre de notes (n)"], s1["Réponses N/A"], s1["Écart type"]) == ("4,0", "1", "1", "")
    # Yes/no cells in the words French spreadsheets read back as booleans.
    assert {r["Évalué"] for r in criteria_rows} == {"VRAI"}
    assert {r["Éliminatoire non atteint"] for r in criteria_rows} == {"VRAI", "FAUX"}
    method = files[2].read_text(encoding="utf-8").splitlines()
    assert method[1] == f"Version des critères{NBSP}: {CRITERIA.version()}"
    assert method[4:12] == method_text(scoring_params(load_campaign(root).settings), "fr")
    assert method[-1] == "price (inverse): P_v = 100 * TCO_min / TCO_v"


def test_csv_to_a_chosen_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_campaign(tmp_path, monkeypatch)
    code, output = run(str(root), "--format", "csv", "-o", str(tmp_path / "x" / "verdict.csv"))
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == [
        "verdict-criteria.csv",
        "verdict-method.txt",
        "verdict.csv",
    ]
    # An English campaign keeps commas between fields and decimal points.
    rows = list(csv.DictReader(io.StringIO((tmp_path / "x" / "verdict.csv").read_text(encoding="utf-8-sig"))))
    assert float(rows[0]["Final score (0-100)"]) == pytest.approx(85.6667, abs=1e-4)
    assert "." in rows[0]["Final score (0-100)"]


def test_xlsx_export_has_tables_and_a_method_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_campaign(tmp_path, monkeypatch, price_formula="linear")
    code, output = run(str(root), "--format", "xlsx")
    target = root / "out" / "scores.xlsx"
    assert (code, output) == (0, f"Written: {target}\n")
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames == ["Vendors", "Criteria", "Method"]
    vendors = workbook["Vendors"]
    assert [c.value for c in vendors[1]][:4] == ["Rank", "Vendor ID", "Vendor", "Status"]
    name = vendors["C2"]
    assert (name.value, name.data_type) == (HOSTILE, "s")  # text, never a formula
    # Linear: P_B = 100 * (1 - 7200 / 36000) = 80; F_B = 0.7 * 86.67 + 24 = 84.67, still first.
    assert vendors["G2"].value == pytest.approx(80.0)
    assert vendors["E2"].value == pytest.approx(0.7 * 100 * 13 / 15 + 24)
    assert vendors["E2"].number_format == "0.00"
    assert vendors["A4"].value is None
    assert (workbook.properties.creator, workbook.properties.title) == (
        "rse-tender",
        "Enterprise social network — pilot evaluation 2027",
    )
    criteria = workbook["Criteria"]
    assert criteria.max_row == 1 + 9
    # Printed on A4 landscape, one page wide, with the column titles on every page (openpyxl says Letter otherwise).
    for sheet in (vendors, criteria):
        setup = sheet.page_setup
        assert (str(setup.paperSize), setup.orientation, setup.fitToWidth, setup.fitToHeight) == (
            "9",
            "landscape",
            1,
            0,
        )
        assert sheet.print_title_rows == "$1:$1"
    assert str(workbook["Method"].page_setup.paperSize) == "9"
    method = [row[0] for row in workbook["Method"].iter_rows(values_only=True)]
    assert method[4:12] == method_text(scoring_params(load_campaign(root).settings), "en")
    assert method[9].startswith("Price score (linear formula)")


LONG_NAME = "Alpha Collaboration Suite for Large Enterprises"  # 47 characters
LONG_TITLE = "Mobile app for iOS and Android with offline reading, push notifications and single sign-on"


@pytest.mark.parametrize(
    ("language", "currency", "tco_header", "tco_format", "categories"),
    [
        ("en", "EUR", "TCO (EUR)", '"€"#,##0.00', ["Category: Quality (Q)", "Category: Service (S)"]),
        (
            "fr",
            "EUR",
            "Coût total (TCO, EUR)",
            f'#,##0.00"{NBSP}€"',
            [f"Catégorie{NBSP}: Quality (Q)", f"Catégorie{NBSP}: Service (S)"],
        ),
        ("en", "JPY", "TCO (JPY)", '"¥"#,##0', ["Category: Quality (Q)", "Category: Service (S)"]),
        ("en", "CHF", "TCO (CHF)", f'"CHF{NBSP}"#,##0.00', ["Category: Quality (Q)", "Category: Service (S)"]),
    ],
)
def test_xlsx_columns_fit_their_content_and_say_names_and_currency(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    currency: str,
    tco_header: str,
    tco_format: str,
    categories: list[str],
) -> None:
    """Vendor names and criterion titles are not cut: columns are as wide as their content, up to 60 characters,
    beyond which the text wraps; category columns give the category's name; the TCO shows the currency."""
    vendors = (Vendor("A", LONG_NAME, price_per_user_month=10), *VENDORS[1:])
    long = CRITERIA.criteria[1]
    criteria = CriteriaSet(
        CRITERIA.categories,
        (
            CRITERIA.criteria[0],
            Criterion(long.id, long.category, LONG_TITLE, "", long.priority, long.weight),
            CRITERIA.criteria[2],
        ),
    )
    root = make_campaign(tmp_path, monkeypatch, language, vendors, criteria, currency=currency)
    code, output = run(str(root), "--format", "xlsx")
    assert code == 0, output
    workbook = openpyxl.load_workbook(root / "out" / "scores.xlsx")
    assert (workbook.properties.creator, workbook.properties.title) == (
        "rse-tender",
        load_campaign(root).settings.name,
    )
    sheet, criteria_sheet = workbook.worksheets[:2]
    headers = [c.value for c in sheet[1]]
    assert headers[-2:] == categories
    assert headers[7] == tco_header
    assert {sheet.cell(row=r, column=8).number_format for r in (2, 3, 4)} == {tco_format}

    def width(ws: Any, column: int) -> float:
        return float(ws.column_dimensions[get_column_letter(column)].width)

    # The vendor names (column C) fit their column, on one line; so do the vendor names of the other sheet.
    assert len(LONG_NAME) < width(sheet, 3) <= 60
    assert not any(c.alignment.wrap_text for c in sheet["C"][1:])
    titles = [c.value for c in criteria_sheet["D"][1:]]
    assert LONG_TITLE in titles
    assert len(LONG_TITLE) > 60
    assert width(criteria_sheet, 4) == 60  # the longest title would make it wider: it wraps instead
    wrapped = [c for c in criteria_sheet["D"][1:] if c.value == LONG_TITLE]
    assert len(wrapped) == 3  # one row per vendor
    assert all(c.alignment.wrap_text for c in wrapped)
    assert all(criteria_sheet.row_dimensions[c.row].height >= 30 for c in wrapped)
    assert width(criteria_sheet, 2) > len(LONG_NAME)
    # Numbers need no more than their own width: a score column stays narrow.
    assert width(sheet, 5) <= 25


def test_missing_prices_are_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The placeholder vendors of 'tender init' have no price yet."""
    root = tmp_path / "c"
    init_campaign(root)
    monkeypatch.setattr(tender.results, "load_scores", lambda campaign: frame([]))
    code, output = run(str(root))
    assert code == 2
    assert output == (
        "Error: vendors.xlsx: vendor V1 (Vendor A) has no price_per_user_month; vendor V2 (Vendor B) has no "
        "price_per_user_month; vendor V3 (Vendor C) has no price_per_user_month. The price weighs 30 in the final "
        "score, so every vendor needs a cost above 0: fill column price_per_user_month (0 for a flat-fee offer) and "
        "the other cost columns, or set price_weight: 0 in tender.yaml\n"
    )


def test_nothing_collected_yet_reads_the_real_ledger(tmp_path: Path) -> None:
    """Without any collected workbook, every vendor is listed as not assessed, and nothing is ranked.

    No vendor is eliminated, so TCO_min is C's 28800 and P_A = 100 * 28800 / 36000 = 80.
    """
    root = tmp_path / "c"
    init_campaign(root, vendors=VENDORS, testers=TESTERS, extra_settings={"users": 100})
    write_criteria(CRITERIA, root / "criteria.xlsx", "en")
    evaluation = evaluate(load_campaign(root))
    assert len(evaluation.scores) == 0
    assert [(v.id, v.rank, v.assessed) for v in evaluation.result.vendors] == [
        ("A", None, False),
        ("B", None, False),
        ("C", None, False),
    ]
    code, output = run(str(root))
    assert code == 0
    assert (
        output.splitlines()[4]
        == "   —  Alpha (A)          —        —   80.00  €36,000        0%  not assessed (no score)"
    )


def test_balance_groups_setting_reaches_the_method(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """tender.yaml's aggregation and balance_groups become the scoring parameters."""
    root = make_campaign(tmp_path, monkeypatch, aggregation="median", balance_groups="level", discount_rate=0.05)
    params = scoring_params(load_campaign(root).settings)
    assert (params.aggregation, params.balance_groups, params.discount_rate, params.users) == (
        "median",
        "level",
        0.05,
        100,
    )
    data = json.loads(run(str(root), "--format", "json")[1])
    assert data["method"]["aggregation"]["balance_groups"] == "level"
    # Discounted at 5 %: A costs 12000 * (1 + 1/1.05 + 1/1.05^2).
    assert data["vendors"][1]["tco"] == pytest.approx(12000 * (1 + 1 / 1.05 + 1 / 1.05**2))


@pytest.mark.parametrize("aggregation", ["mean", "median", "trimmed_mean"])
@pytest.mark.parametrize("balance", [None, "level"])
def test_a_group_without_a_workbook_is_not_assessed_in_its_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, aggregation: str, balance: str | None
) -> None:
    """T2, the only manager, has not returned a workbook: the manager segment has no score, for every
    aggregation (the median used to crash with a traceback), and the title speaks of one tester's workbook.

    T1 alone: A 4, 3, 4 -> Q = 100 * 11 / 15 = 73.33, F = 0.7 * 73.33 + 30 = 81.33; B Q 86.67, F 85.67; C is
    knocked out by its 0 on MUST Q1.
    """
    settings: dict[str, object] = {"aggregation": aggregation}
    if balance:
        settings["balance_groups"] = balance
    root = make_campaign(tmp_path, monkeypatch, **settings)
    monkeypatch.setattr(tender.results, "load_scores", lambda campaign: frame([r for r in ROWS if r[0] == "T1"]))
    code, output = run(str(root))
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == (
        "Enterprise social network — pilot evaluation 2027: ranking of 3 vendors from 1 tester's workbook "
        f"(criteria version {CRITERIA.version()})"
    )
    assert lines[4:7] == [
        f"   1  {HOSTILE} (B)  85.67    86.67   83.33  €43,200      100%",
        "   2  Alpha (A)      81.33    73.33  100.00  €36,000      100%",
        "   —  Gamma (C)      76.67    66.67  100.00  €28,800      100%  eliminated: MUST Q1 scored 0 < 1",
    ]
    segment = lines.index("  level            staff (1)          manager (0)")
    assert lines[segment + 1 : segment + 4] == [
        "    Alpha (A)      2 (73.3)           —",
        f"    {HOSTILE} (B)  1 (86.7)           —",
        "    Gamma (C)      eliminated (66.7)  —",
    ]
    data = json.loads(run(str(root), "--format", "json")[1])
    manager = data["segments"]["level"]["groups"]["manager"]
    assert manager["testers"] == 0
    assert manager["vendors"]["A"] == {"quality_score": None, "rank": None, "eliminated": False, "coverage": 0.0}


@pytest.mark.parametrize(
    ("language", "vendors", "testers", "expected"),
    [
        ("en", 1, 1, "ranking of 1 vendor from 1 tester's workbook ("),
        ("en", 3, 2, "ranking of 3 vendors from 2 testers' workbooks ("),
        ("en", 3, 0, "ranking of 3 vendors from 0 testers' workbooks ("),
        ("fr", 1, 1, f"classement de 1{NBSP}fournisseur d'après le classeur de 1{NBSP}testeur ("),
        ("fr", 3, 2, f"classement de 3{NBSP}fournisseurs d'après les classeurs de 2{NBSP}testeurs ("),
        ("fr", 3, 0, f"classement de 3{NBSP}fournisseurs d'après le classeur de 0{NBSP}testeur ("),
    ],
)
def test_title_counts_in_the_singular_and_plural(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str, vendors: int, testers: int, expected: str
) -> None:
    """One vendor and one tester's workbook are singular in English and French; French 0 is singular too."""
    root = tmp_path / "c"
    init_campaign(root, language=language, vendors=VENDORS[:vendors], testers=TESTERS, extra_settings={"users": 100})
    write_criteria(CRITERIA, root / "criteria.xlsx", language)
    scorers = ("T1", "T2")[:testers]
    rows = [r for r in ROWS if r[0] in scorers and r[1] in {v.id for v in VENDORS[:vendors]}]
    monkeypatch.setattr(tender.results, "load_scores", lambda campaign: frame(rows))
    code, output = run(str(root))
    assert code == 0
    version = CRITERIA.version()
    assert output.splitlines()[0] == (
        f"Enterprise social network — pilot evaluation 2027: {expected}criteria version {version})"
        if language == "en"
        else f"Réseau social d'entreprise — évaluation pilote 2027{NBSP}: {expected}version des critères {version})"
    )


def test_json_coverage_of_the_bundled_catalogue_is_exactly_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every criterion of the bundled catalogue scored: coverage is 1.0 in the JSON, never 1.0000000000000002."""
    root = tmp_path / "c"
    init_campaign(root, vendors=VENDORS, testers=TESTERS, extra_settings={"users": 100})
    ids = load_campaign(root).criteria.ids
    assert len(ids) == 65
    rows = [(t, v.id, cid, 3) for t in ("T1", "T2") for v in VENDORS for cid in ids]
    monkeypatch.setattr(tender.results, "load_scores", lambda campaign: frame(rows))
    code, output = run(str(root), "--format", "json")
    assert code == 0
    data = json.loads(output)
    assert [v["coverage"] for v in data["vendors"]] == [1.0, 1.0, 1.0]
    assert [g["coverage"] for g in data["segments"]["level"]["groups"]["staff"]["vendors"].values()] == [1.0] * 3


def test_bad_format_and_missing_campaign(tmp_path: Path) -> None:
    code, output = run(str(tmp_path), "--format", "pdf")
    assert code == 2
    assert "Invalid value for '--format': 'pdf' is not one of 'table', 'json', 'csv', 'xlsx'." in output
    code, output = run(str(tmp_path / "nowhere"))
    assert code == 2
    assert output == (
        f"Error: campaign folder {tmp_path / 'nowhere'} does not exist; "
        f"create one with 'tender init {tmp_path / 'nowhere'}'\n"
    )


def test_help() -> None:
    result = CliRunner().invoke(cli, ["score", "--help"])
    assert result.exit_code == 0
    assert "--format [table|json|csv|xlsx]" in result.output
    assert "FILE-criteria.csv" in result.output


def test_dash_as_output_means_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """'-o -' prints the JSON or the table, as without -o, and writes no file named '-'."""
    root = make_campaign(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)  # a file named '-' would land here
    code, output = run(str(root), "--format", "json", "-o", "-")
    assert (code, output) == (0, run(str(root), "--format", "json")[1])
    assert json.loads(output)["vendors"][0]["id"] == "B"
    assert run(str(root), "-o", "-") == (0, run(str(root))[1])
    assert not (tmp_path / "-").exists()


def test_dash_as_output_for_csv_prints_the_vendor_table_and_refuses_xlsx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_campaign(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    code, output = run(str(root), "--format", "csv", "-o", "-")
    assert code == 0
    assert not output.startswith("\ufeff")  # no byte-order mark in a stream
    rows = list(csv.DictReader(io.StringIO(output)))
    assert [r["Vendor ID"] for r in rows] == ["B", "A", "C"]
    assert rows[0]["Vendor"] == "'" + HOSTILE  # formula-safe on stdout too
    # The same table as the file that --format csv writes (the test runner shows CRLF as LF).
    run(str(root), "--format", "csv")
    written = (root / "out" / "scores.csv").read_bytes().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(written))) == list(csv.reader(io.StringIO(output)))
    code, output = run(str(root), "--format", "xlsx", "-o", "-")
    assert code == 2
    assert output.splitlines()[-1] == "Error: --format xlsx writes a workbook: give a file name with -o, not '-'"
    assert not (tmp_path / "-").exists()
