"""Reading returned workbooks: accepted whole, or rejected with every problem located (file, sheet, cell)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import pickle
import string
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from criteria.model import Scale
from tender.campaign import Campaign, load_campaign
from vendors.intake import MESSAGES, Expected, Intake, Problem, ScoreRow, file_problem, parse_score, read_workbook
from vendors.workbook import META_SHEET, fill_workbook

ExpectedFor = Callable[[Campaign], Expected]
Resave = Callable[[Path, str, Path], Path]
MakeCampaign = Callable[..., Campaign]

SCORE_EXPECTED = "a whole number from 0 to 5, N/A or an empty cell"


def blank_rows(campaign: Campaign) -> list[ScoreRow]:
    return [ScoreRow(v.id, c, None, False, "") for v in campaign.vendors for c in campaign.criteria.ids]


def edit(source: Path, target: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    """Edit a workbook with openpyxl the way a determined tester would (protection does not stop openpyxl)."""
    wb = openpyxl.load_workbook(source)
    change(wb)
    wb.save(target)
    return target


@pytest.fixture
def expected(campaign: Campaign, expected_for: ExpectedFor) -> Expected:
    return expected_for(campaign)


@pytest.fixture
def template(campaign: Campaign) -> Path:
    return campaign.paths.sheets / "T001.xlsx"


def test_one_answer_is_enough_and_every_row_is_read(
    campaign: Campaign, template: Path, expected: Expected, tmp_path: Path
) -> None:
    path = fill_workbook(template, tmp_path / "T001.xlsx", {"V2": {"PRO-01": ("N/A", "")}})
    result = read_workbook(path, expected)
    rows = blank_rows(campaign)
    rows[len(campaign.criteria.ids)] = ScoreRow("V2", "PRO-01", None, True, "")  # V2's first criterion
    assert result == Intake("T001.xlsx", "T001", tuple(rows), ())
    assert result.accepted


def test_numbers_text_numbers_and_na(template: Path, expected: Expected, tmp_path: Path) -> None:
    answers = {
        "V1": {
            "PRO-01": (4, "Easy"),
            "PRO-02": ("3", ""),
            "PRO-03": (" 2 ", ""),
            "PRO-04": ("N/A", "no access"),
            "PRO-05": ("n/a", ""),
            "PRO-06": ("NA", ""),
        },
        "V2": {"PRO-01": (0, ""), "PRO-02": (5.0, "  Great  "), "PRO-03": ("5,0", "")},
    }
    path = fill_workbook(template, tmp_path / "mine.xlsx", answers)
    result = read_workbook(path, expected, name="T001 (2).xlsx")
    assert result.accepted
    assert result.file == "T001 (2).xlsx"
    rows = {(r.vendor, r.criterion): r for r in result.rows}
    assert [rows["V1", c] for c in ("PRO-01", "PRO-02", "PRO-03", "PRO-04", "PRO-05", "PRO-06")] == [
        ScoreRow("V1", "PRO-01", 4.0, False, "Easy"),
        ScoreRow("V1", "PRO-02", 3.0, False, ""),
        ScoreRow("V1", "PRO-03", 2.0, False, ""),
        ScoreRow("V1", "PRO-04", None, True, "no access"),
        ScoreRow("V1", "PRO-05", None, True, ""),
        ScoreRow("V1", "PRO-06", None, True, ""),
    ]
    assert [rows["V2", c] for c in ("PRO-01", "PRO-02", "PRO-03")] == [
        ScoreRow("V2", "PRO-01", 0.0, False, ""),
        ScoreRow("V2", "PRO-02", 5.0, False, "Great"),
        ScoreRow("V2", "PRO-03", 5.0, False, ""),
    ]
    assert rows["V3", "PRO-01"] == ScoreRow("V3", "PRO-01", None, False, "")
    assert len(result.rows) == 3 * len(expected.criteria)


def test_decimal_comma_on_a_half_point_scale(
    make_campaign: MakeCampaign, expected_for: ExpectedFor, tmp_path: Path
) -> None:
    campaign = make_campaign(name="half", scale={"max": 5, "step": 0.5})
    answers = {"V1": {"PRO-01": ("4,5", ""), "PRO-02": ("4.5", ""), "PRO-03": (3.5, ""), "PRO-04": ("0,5", "")}}
    path = fill_workbook(campaign.paths.sheets / "T002.xlsx", tmp_path / "half.xlsx", answers)
    result = read_workbook(path, expected_for(campaign))
    assert [r.score for r in result.rows[:5]] == [4.5, 4.5, 3.5, 0.5, None]
    off_step = fill_workbook(
        campaign.paths.sheets / "T002.xlsx", tmp_path / "off.xlsx", {"V2": {"PRO-01": ("4,25", "")}}
    )
    assert read_workbook(off_step, expected_for(campaign)).problems == (
        Problem("off.xlsx", "Vendor B", "E4", '"4,25"', "a score from 0 to 5 in steps of 0.5, N/A or an empty cell"),
    )


def test_every_bad_score_is_reported_with_its_cell(template: Path, expected: Expected, tmp_path: Path) -> None:
    answers = {
        "V1": {
            "PRO-01": (7, ""),
            "PRO-02": (-1, ""),
            "PRO-03": (4.5, ""),
            "PRO-04": ("abc", ""),
            "PRO-05": (True, ""),
            "PRO-06": (dt.date(2027, 4, 5), ""),
            "COM-01": (3, "fine"),
        },
        "V3": {"PRO-01": ("4,5", ""), "PRO-02": ("N/A!", ""), "PRO-03": ("5 stars", "")},
    }
    path = fill_workbook(template, tmp_path / "bad.xlsx", answers)
    result = read_workbook(path, expected)
    assert not result.accepted
    assert result.tester == "T001"
    assert result.rows == ()
    assert result.problems == (
        Problem("bad.xlsx", "Vendor A", "E4", "7", SCORE_EXPECTED),
        Problem("bad.xlsx", "Vendor A", "E5", "-1", SCORE_EXPECTED),
        Problem("bad.xlsx", "Vendor A", "E6", "4.5", SCORE_EXPECTED),
        Problem("bad.xlsx", "Vendor A", "E7", '"abc"', SCORE_EXPECTED),
        Problem("bad.xlsx", "Vendor A", "E8", "TRUE", SCORE_EXPECTED),
        Problem("bad.xlsx", "Vendor A", "E9", "2027-04-05", SCORE_EXPECTED),
        Problem("bad.xlsx", "Vendor C", "E4", '"4,5"', SCORE_EXPECTED),
        Problem("bad.xlsx", "Vendor C", "E5", '"N/A!"', SCORE_EXPECTED),
        Problem("bad.xlsx", "Vendor C", "E6", '"5 stars"', SCORE_EXPECTED),
    )


def test_extra_missing_duplicated_rows(template: Path, expected: Expected, tmp_path: Path) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        a = wb["Vendor A"]
        a.insert_rows(6)
        a["A6"], a["E6"] = "PRO-99", 3
        wb["Vendor B"].delete_rows(6)  # PRO-03
        c = wb["Vendor C"]
        last = c.max_row
        c[f"A{last + 1}"], c[f"E{last + 1}"] = "PRO-01", 2
        c[f"E{last + 2}"] = 4
        c[f"F{last + 3}"] = "a note below the table"

    path = edit(template, tmp_path / "rows.xlsx", change)
    last = 3 + len(expected.criteria)
    assert read_workbook(path, expected).problems == (
        Problem(
            "rows.xlsx",
            "Vendor A",
            "A6",
            "criterion ID 'PRO-99'",
            "one of the criterion IDs of this campaign; do not add or edit rows",
        ),
        Problem(
            "rows.xlsx", "Vendor B", None, "no row for criterion PRO-03", "one row per criterion; do not delete rows"
        ),
        Problem(
            "rows.xlsx",
            "Vendor C",
            f"A{last + 1}",
            "criterion PRO-01 a second time (first in row 4)",
            "each criterion once; delete the copied row",
        ),
        Problem(
            "rows.xlsx",
            "Vendor C",
            f"E{last + 2}",
            "the score 4 on a row without a criterion ID",
            "scores only on the rows of the criteria",
        ),
    )


def test_renamed_and_swapped_sheets_are_identified_by_the_locked_vendor_id(
    template: Path, expected: Expected, tmp_path: Path
) -> None:
    filled = fill_workbook(template, tmp_path / "f.xlsx", {"V1": {"PRO-01": (5, "")}, "V2": {"PRO-01": (1, "")}})

    def change(wb: openpyxl.Workbook) -> None:
        wb["Vendor A"].title = "My favourite"
        wb["Vendor B"].title = "tmp"
        wb["Vendor C"].title = "Vendor B"
        wb["tmp"].title = "Vendor C"

    result = read_workbook(edit(filled, tmp_path / "renamed.xlsx", change), expected)
    assert result.accepted
    scores = {(r.vendor, r.criterion): r.score for r in result.rows}
    assert (scores["V1", "PRO-01"], scores["V2", "PRO-01"], scores["V3", "PRO-01"]) == (5.0, 1.0, None)


def test_deleted_copied_and_erased_vendor_sheets(template: Path, expected: Expected, tmp_path: Path) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        del wb["Vendor B"]
        wb.copy_worksheet(wb["Vendor A"])
        wb["Vendor C"]["B1"] = None

    path = edit(template, tmp_path / "sheets.xlsx", change)
    assert read_workbook(path, expected).problems == (
        Problem(
            "sheets.xlsx",
            "Vendor C",
            "B1",
            "an empty cell",
            "the vendor ID V3 of this sheet; do not edit this cell",
        ),
        Problem(
            "sheets.xlsx",
            "Vendor A Copy",
            "B1",
            "a second sheet for vendor V1 (the first is sheet 'Vendor A')",
            "one sheet per vendor; delete the copy",
        ),
        Problem(
            "sheets.xlsx",
            None,
            None,
            "no sheet for vendor V2 (Vendor B)",
            "one sheet per vendor; do not delete or replace sheets",
        ),
    )


def test_a_vendor_cell_edited_to_another_vendor_is_blamed_on_its_own_sheet(
    template: Path, expected: Expected, tmp_path: Path
) -> None:
    """'Vendor A' says V2 in B1 while 'Vendor B' rightly says V2: the edit is on 'Vendor A', not a copy on 'Vendor B'."""

    def change(wb: openpyxl.Workbook) -> None:
        wb["Vendor A"]["B1"] = "V2"

    path = edit(template, tmp_path / "edited.xlsx", change)
    assert read_workbook(path, expected).problems == (
        Problem("edited.xlsx", "Vendor A", "B1", '"V2"', "the vendor ID V1 of this sheet; do not edit this cell"),
    )


def test_workbook_of_another_campaign(template: Path, expected: Expected, tmp_path: Path) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        wb[META_SHEET]["B2"] = "C-other"
        wb["Vendor A"]["E4"] = 9  # not reported: the rows of another campaign mean nothing here

    result = read_workbook(edit(template, tmp_path / "other.xlsx", change), expected)
    assert result.problems == (
        Problem(
            "other.xlsx",
            META_SHEET,
            "B2",
            "campaign 'C-other'",
            "campaign 'C-test': this workbook belongs to another campaign",
        ),
    )
    assert result.tester == "T001"


def test_outdated_criteria_version(
    campaign: Campaign, template: Path, expected_for: ExpectedFor, tmp_path: Path
) -> None:
    old_version = campaign.criteria.sheet_version()
    wb = openpyxl.load_workbook(campaign.paths.criteria)
    wb["Criteria"]["C2"] = "Another first criterion"  # the procurement team rewrites a criterion after sending
    wb.save(campaign.paths.criteria)
    changed = load_campaign(campaign.paths.root)
    new_version = changed.criteria.sheet_version()
    assert new_version != old_version
    assert read_workbook(template, expected_for(changed)).problems == (
        Problem(
            "T001.xlsx",
            META_SHEET,
            "B4",
            f"criteria version '{old_version}'",
            f"criteria version '{new_version}': the criteria changed after this workbook was sent; send the tester "
            "a new workbook ('tender sheets --force') and ask them to copy their scores into it",
        ),
    )


def test_unknown_tester_is_reported_with_the_other_problems(template: Path, expected: Expected, tmp_path: Path) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        wb[META_SHEET]["B5"] = "T999"
        wb["Vendor B"]["E5"] = 6

    result = read_workbook(edit(template, tmp_path / "who.xlsx", change), expected)
    assert result.problems == (
        Problem("who.xlsx", META_SHEET, "B5", "tester ID 'T999'", "a tester ID listed in testers.xlsx"),
        Problem("who.xlsx", "Vendor B", "E5", "6", SCORE_EXPECTED),
    )
    assert result.tester == "T999"


def test_scale_changed_after_the_sheets_went_out(template: Path, expected: Expected) -> None:
    wider = dataclasses.replace(expected, scale=Scale(10, 0.5))
    assert read_workbook(template, wider).problems == (
        Problem(
            "T001.xlsx",
            META_SHEET,
            "B8",
            "a scale from 0 to 5",
            "the scale of the campaign, from 0 to 10 (step 0.5); send the tester a new workbook",
        ),
    )


def test_metadata_sheet_deleted_or_renamed(template: Path, expected: Expected, tmp_path: Path) -> None:
    def delete(wb: openpyxl.Workbook) -> None:
        del wb[META_SHEET]

    def rename(wb: openpyxl.Workbook) -> None:
        wb[META_SHEET].title = "whatever"

    gone = read_workbook(edit(template, tmp_path / "gone.xlsx", delete), expected)
    assert gone == Intake(
        "gone.xlsx",
        None,
        (),
        (
            Problem(
                "gone.xlsx",
                None,
                None,
                "no hidden sheet 'tender-meta'",
                "the workbook generated by 'tender sheets' for this campaign; send the tester a new one",
            ),
        ),
    )
    filled = fill_workbook(template, tmp_path / "filled.xlsx", {"V1": {"PRO-01": (3, "")}})
    assert read_workbook(edit(filled, tmp_path / "renamed.xlsx", rename), expected).accepted


def test_metadata_value_erased(template: Path, expected: Expected, tmp_path: Path) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        wb[META_SHEET]["B6"] = None

    assert read_workbook(edit(template, tmp_path / "meta.xlsx", change), expected).problems == (
        Problem(
            "meta.xlsx",
            META_SHEET,
            "B6",
            "no value for 'template_version'",
            "the template_version written when the workbook was generated",
        ),
    )


ANSWERS = {
    "V1": {"PRO-01": (4, "Quick to set up"), "PRO-02": ("3", ""), "PRO-03": ("N/A", ""), "SEC-01": (0, "")},
    "V2": {"PRO-01": (5, "Émile a trouvé ça « génial »"), "COM-02": ("2", "")},
    "V3": {"PRO-01": (1, "")},
}
BAD_ANSWERS = {"V1": {"PRO-01": (7, ""), "PRO-02": ("abc", "")}, "V2": {"PRO-03": (-2, "")}}


@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_workbook_resaved_by_libreoffice_reads_the_same(
    template: Path, expected: Expected, tmp_path: Path, resave: Resave, fmt: str
) -> None:
    original = fill_workbook(template, tmp_path / "T001-scores.xlsx", ANSWERS)
    converted = resave(original, fmt, tmp_path / "lo")
    before, after = read_workbook(original, expected), read_workbook(converted, expected)
    assert before.accepted
    assert after.accepted
    assert after.tester == "T001"
    assert after.rows == before.rows
    rows = {(r.vendor, r.criterion): r for r in after.rows}
    assert rows["V2", "PRO-01"] == ScoreRow("V2", "PRO-01", 5.0, False, "Émile a trouvé ça « génial »")
    assert rows["V1", "PRO-03"] == ScoreRow("V1", "PRO-03", None, True, "")


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_bad_workbook_resaved_by_libreoffice_has_the_same_problems(
    template: Path, expected: Expected, tmp_path: Path, resave: Resave, fmt: str
) -> None:
    original = fill_workbook(template, tmp_path / "bad.xlsx", BAD_ANSWERS)
    converted = resave(original, fmt, tmp_path / "lo")
    assert read_workbook(converted, expected, name="bad.xlsx").problems == (
        Problem("bad.xlsx", "Vendor A", "E4", "7", SCORE_EXPECTED),
        Problem("bad.xlsx", "Vendor A", "E5", '"abc"', SCORE_EXPECTED),
        Problem("bad.xlsx", "Vendor B", "E6", "-2", SCORE_EXPECTED),
    )


def test_french_campaign_reports_in_french(
    make_campaign: MakeCampaign, expected_for: ExpectedFor, tmp_path: Path
) -> None:
    campaign = make_campaign(language="fr", name="fr")
    path = fill_workbook(campaign.paths.sheets / "T004.xlsx", tmp_path / "T004.xlsx", {"V3": {"PRO-02": ("4,5", "")}})
    (problem,) = read_workbook(path, expected_for(campaign)).problems
    whole = "un nombre entier de 0 à 5, N/A ou une cellule vide"
    assert problem == Problem("T004.xlsx", "Fournisseur C", "E5", '"4,5"', whole)
    assert problem.describe("fr") == f'T004.xlsx, feuille Fournisseur C, cellule E5 : trouvé "4,5" ; attendu {whole}'


# ---------------------------------------------------------------------------------------- safety pre-checks


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def only_problem(path: Path, expected: Expected) -> tuple[str, str]:
    result = read_workbook(path, expected)
    assert result.tester is None
    assert result.rows == ()
    (problem,) = result.problems
    assert (problem.file, problem.sheet, problem.cell) == (path.name, None, None)
    return problem.found, problem.expected


def test_not_a_workbook_suffix(expected: Expected, tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("PRO-01,4\n")
    assert only_problem(path, expected) == ("a file of type '.csv'", "a workbook saved as .xlsx, .xlsm, .ods or .xls")


def test_file_too_large(expected: Expected, tmp_path: Path) -> None:
    path = tmp_path / "huge.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(21 * 2**20))
    assert only_problem(path, expected) == ("a file of 21.0 MiB", "a workbook of at most 20 MiB")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"just some text", "unknown format"),
        (zip_bytes({"readme.txt": b"hello"}), "not an Office document"),
        (zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text"}), "not a spreadsheet document"),
        (b"PK\x03\x04" + bytes(100), "File is not a zip file"),
    ],
)
def test_not_a_readable_workbook(expected: Expected, tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(data)
    assert only_problem(path, expected) == (
        f"a file that is not a readable workbook ({reason})",
        "the workbook you received, saved as .xlsx, .ods or .xls",
    )


def test_parser_failure_is_a_problem_not_a_crash(expected: Expected, tmp_path: Path) -> None:
    path = tmp_path / "hollow.xlsx"
    path.write_bytes(zip_bytes({"[Content_Types].xml": b"<Types/>"}))
    found, _ = only_problem(path, expected)
    assert found.startswith("a file that is not a readable workbook (")


def test_decompression_bomb(expected: Expected, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": bytes(8 * 2**20)}))
    found, wanted = only_problem(path, expected)
    ratio = 8 * 2**20 // zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").compress_size
    assert found == f"a part (xl/worksheets/sheet1.xml) that unpacks to {ratio} times its compressed size"
    assert wanted == "an ordinary workbook (parts unpack to at most 100 times their size)"


def test_password_protected_workbook(expected: Expected, tmp_path: Path) -> None:
    path = tmp_path / "secret.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512) + "EncryptionInfo".encode("utf-16-le"))
    assert only_problem(path, expected) == (
        "a workbook protected by a password",
        "the workbook saved without a password",
    )


@pytest.mark.parametrize("saved_by", ["openpyxl", "xlsx", "ods"])
def test_data_far_outside_the_table(
    template: Path, expected: Expected, tmp_path: Path, resave: Resave, saved_by: str
) -> None:
    """The problem names the sheet and the cell that holds the data, as for any cell: not the farthest row of the
    sheet (the last criterion's) in the farthest column, which holds nothing."""

    def change(wb: openpyxl.Workbook) -> None:
        wb["Vendor B"]["AB5"] = "x"

    path = edit(template, tmp_path / "far.xlsx", change)
    if saved_by != "openpyxl":
        path = resave(path, saved_by, tmp_path / "lo")
    result = read_workbook(path, expected)
    assert (result.tester, result.rows) == (None, ())
    assert result.problems == (
        Problem(
            path.name,
            "Vendor B",
            "AB5",
            "data outside the table of criteria",
            "data only in the table of criteria (at most 9999 rows and 26 columns)",
        ),
    )
    assert result.problems[0].describe("en").startswith(f"{path.name}, sheet Vendor B, cell AB5: found data outside")


def test_problems_stored_before_refusals_had_a_place_still_load() -> None:
    """The ledger keeps the problems of rejected files as dicts: those written when a refusal named no sheet load."""
    wanted = "data only in the table of criteria (at most 9999 rows and 26 columns)"
    for stored in (
        {"file": "far.xlsx", "found": "data up to cell AB68", "expected": wanted},
        {"file": "far.xlsx", "sheet": None, "cell": None, "found": "data up to cell AB68", "expected": wanted},
    ):
        problem = Problem.from_dict(stored)
        assert problem == Problem("far.xlsx", None, None, "data up to cell AB68", wanted)
        assert problem.describe("en") == f"far.xlsx: found data up to cell AB68; expected {wanted}"
    placed = Problem("far.xlsx", "Vendor B", "AB5", "data outside the table of criteria", wanted)
    assert Problem.from_dict(placed.as_dict()) == placed


def test_file_problem_in_both_languages() -> None:
    assert file_problem("a.xlsx", "en", "unreadable", reason="Permission denied") == Problem(
        "a.xlsx", None, None, "a file that cannot be read (Permission denied)", "a file the collecting account can read"
    )
    assert file_problem("a.xlsx", "fr", "unreadable", reason="x").found == "un fichier illisible (x)"


# ------------------------------------------------------------------------------------------ scores and texts


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        (None, (None, False)),
        ("", (None, False)),
        ("   ", (None, False)),
        (4, (4.0, False)),
        (4.0, (4.0, False)),
        (0, (0.0, False)),
        (-0.0, (0.0, False)),
        ("4", (4.0, False)),
        (" 5 ", (5.0, False)),
        ("N/A", (None, True)),
        ("n/a", (None, True)),
        ("Na", (None, True)),
        (" NA ", (None, True)),
        ("4,5", None),
        (4.5, None),
        (6, None),
        (-1, None),
        ("abc", None),
        ("N/A.", None),
        (True, None),
        (dt.date(2027, 1, 1), None),
        (float("nan"), None),
        (float("inf"), None),
    ],
)
def test_parse_score_on_the_default_scale(raw: object, parsed: tuple[float | None, bool] | None) -> None:
    assert parse_score(raw, Scale(5, 1)) == parsed


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [("4,5", (4.5, False)), ("4.5", (4.5, False)), (0.5, (0.5, False)), ("4,25", None), (10.5, None)],
)
def test_parse_score_on_a_half_point_scale(raw: object, parsed: tuple[float | None, bool] | None) -> None:
    assert parse_score(raw, Scale(10, 0.5)) == parsed


def test_problem_sentences_and_round_trip() -> None:
    problem = Problem("T001.xlsx", "Vendor A", "E7", '"abc"', SCORE_EXPECTED)
    assert problem.describe("en") == f'T001.xlsx, sheet Vendor A, cell E7: found "abc"; expected {SCORE_EXPECTED}'
    assert Problem("x.xlsx", None, None, "f", "e").describe("fr") == "x.xlsx : trouvé f ; attendu e"
    assert Problem.from_dict(problem.as_dict()) == problem
    assert str(problem.where) == "T001.xlsx, sheet Vendor A, cell E7"


def test_messages_exist_in_both_languages_with_the_same_fields() -> None:
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    assert MESSAGES["en"].keys() == MESSAGES["fr"].keys()
    for code, (found, wanted) in MESSAGES["en"].items():
        french = MESSAGES["fr"][code]
        assert (fields(found), fields(wanted)) == (fields(french[0]), fields(french[1])), code
        # The fields may not shadow the sheet and cell of the problem itself.
        assert not (fields(found) | fields(wanted)) & {"code", "sheet", "cell"}, code


def test_vendor_sheet_renamed_like_the_instructions_is_still_found(
    template: Path, expected: Expected, tmp_path: Path
) -> None:
    filled = fill_workbook(template, tmp_path / "f.xlsx", {"V1": {"PRO-01": (3, "")}})

    def change(wb: openpyxl.Workbook) -> None:
        del wb["Instructions"]
        wb["Vendor A"].title = "Instructions"

    result = read_workbook(edit(filled, tmp_path / "odd.xlsx", change), expected)
    assert result.accepted
    assert result.rows[0] == ScoreRow("V1", "PRO-01", 3.0, False, "")


def test_intake_survives_pickling_between_processes() -> None:
    rows = (ScoreRow("V1", "PRO-01", 4.0, False, "ok"), ScoreRow("V1", "PRO-02", None, True, ""))
    intake = Intake("a.xlsx", "T001", rows, (Problem("a.xlsx", "Vendor A", "E4", "7", "x"),))
    back = pickle.loads(pickle.dumps(intake))
    assert back == intake
    assert all(type(row) is ScoreRow for row in back.rows)


def test_blank_workbook_is_rejected_with_one_problem(
    template: Path, expected: Expected, make_campaign: MakeCampaign, expected_for: ExpectedFor, tmp_path: Path
) -> None:
    """Nothing scored anywhere (comments do not count) is the blank copy, not a return; one N/A is an answer."""
    assert read_workbook(template, expected, name="blank_T001.xlsx") == Intake(
        "blank_T001.xlsx",
        "T001",
        (),
        (
            Problem(
                "blank_T001.xlsx",
                None,
                None,
                "no score in the whole workbook (every score cell is empty)",
                "at least one score or N/A; is this the filled version of the workbook?",
            ),
        ),
    )
    comments_only = fill_workbook(template, tmp_path / "c.xlsx", {"V1": {"PRO-01": ("", "will test next week")}})
    assert [p.found for p in read_workbook(comments_only, expected).problems] == [
        "no score in the whole workbook (every score cell is empty)"
    ]
    one_na = fill_workbook(template, tmp_path / "na.xlsx", {"V3": {"SEC-01": ("n/a", "")}})
    one_zero = fill_workbook(template, tmp_path / "zero.xlsx", {"V1": {"PRO-01": (0, "")}})
    assert (read_workbook(one_na, expected).accepted, read_workbook(one_zero, expected).accepted) == (True, True)
    french = make_campaign(language="fr", name="fr")
    (problem,) = read_workbook(french.paths.sheets / "T001.xlsx", expected_for(french)).problems
    assert problem.describe("fr") == (
        "T001.xlsx : trouvé aucune note dans tout le classeur (toutes les cellules de note sont vides) ; attendu au "
        "moins une note ou N/A ; est-ce bien la version remplie du classeur ?"
    )


def test_blank_workbook_with_another_problem_reports_only_that_problem(
    template: Path, expected: Expected, tmp_path: Path
) -> None:
    """The blank check comes last: a workbook that cannot be accepted anyway is not told it is empty too."""

    def change(wb: openpyxl.Workbook) -> None:
        wb[META_SHEET]["B5"] = "T999"

    assert read_workbook(edit(template, tmp_path / "who.xlsx", change), expected).problems == (
        Problem("who.xlsx", META_SHEET, "B5", "tester ID 'T999'", "a tester ID listed in testers.xlsx"),
    )


@pytest.mark.parametrize(("raw", "shown"), [(4.5, "4.5"), ("0,5", '"0,5"'), ("4.5", '"4.5"'), (7, "7")])
def test_off_step_score_on_a_whole_number_scale_says_whole_number(
    template: Path, expected: Expected, tmp_path: Path, raw: object, shown: str
) -> None:
    path = fill_workbook(template, tmp_path / "T001.xlsx", {"V2": {"PRO-02": (raw, "")}})
    assert read_workbook(path, expected).problems == (
        Problem("T001.xlsx", "Vendor B", "E5", shown, "a whole number from 0 to 5, N/A or an empty cell"),
    )


def test_a_workbook_moved_to_another_testers_name_is_refused(
    campaign: Campaign, expected: Expected, tmp_path: Path
) -> None:
    """The hidden tester ID is easy to edit; the key beside it cannot be made without the campaign's secret."""
    assert expected.secret  # the campaign's sheets were made with its secret
    filled = fill_workbook(campaign.paths.sheets / "T002.xlsx", tmp_path / "mine.xlsx", {"V1": {"PRO-01": (5, "")}})
    assert read_workbook(filled, expected).accepted

    def impersonate(wb: openpyxl.Workbook) -> None:
        wb[META_SHEET]["B5"] = "T001"  # T002 sends a workbook in T001's name

    forged = read_workbook(edit(filled, tmp_path / "T001.xlsx", impersonate), expected)
    assert forged.problems == (
        Problem(
            "T001.xlsx",
            META_SHEET,
            "B10",
            "a workbook that was not issued to tester T001 (its tester key does not match)",
            "the workbook the project team sent to T001, returned by them: a workbook cannot be moved to another "
            "tester's name",
        ),
    )

    def unkeyed(wb: openpyxl.Workbook) -> None:
        wb[META_SHEET]["B10"] = None  # no key at all, as in a workbook made before the campaign had a secret

    (old,) = read_workbook(edit(filled, tmp_path / "old.xlsx", unkeyed), expected).problems
    assert (old.cell, old.found) == (
        "B5",
        "a workbook without a tester key (made before this campaign's workbooks carried one)",
    )
    # A campaign without a secret (workbooks made by an earlier version) checks no key...
    assert read_workbook(
        edit(filled, tmp_path / "old.xlsx", unkeyed), dataclasses.replace(expected, secret=b"")
    ).accepted
    # ... but a keyed workbook is not let through unchecked when the secret is gone (.tender moved aside).
    (lost,) = read_workbook(filled, dataclasses.replace(expected, secret=b"")).problems
    assert (lost.cell, lost.found) == (
        "B10",
        "a tester key, but this campaign has no secret to check it with (.tender/secret is missing)",
    )


def test_a_second_score_column_is_refused_even_hidden(campaign: Campaign, expected: Expected, tmp_path: Path) -> None:
    """A hidden column titled "Score" before the visible one: the scores read would not be those shown."""
    filled = fill_workbook(campaign.paths.sheets / "T001.xlsx", tmp_path / "T001.xlsx", {"V1": {"PRO-01": (3, "")}})

    def hidden_column(wb: openpyxl.Workbook) -> None:
        sheet = wb["Vendor A"]
        sheet.insert_cols(5)
        sheet["E3"] = "Score"
        for row in range(4, sheet.max_row + 1):
            sheet.cell(row=row, column=5, value=0)
        sheet.column_dimensions["E"].hidden = True

    result = read_workbook(edit(filled, tmp_path / "T001-hidden.xlsx", hidden_column), expected)
    assert result.problems == (
        Problem(
            "T001-hidden.xlsx",
            "Vendor A",
            "F3",
            "a second column titled as the score column (the first is at E3)",
            "one score column: remove the column you added (it may be hidden)",
        ),
    )
