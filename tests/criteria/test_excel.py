"""Tests of criteria.xlsx: round trip, French headers, and errors that name the cell."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from criteria.catalogue import catalogue
from criteria.errors import DataError, MultiDataError
from criteria.excel import read_criteria, write_criteria


@pytest.mark.parametrize("language", ["en", "fr"])
def test_round_trip(tmp_path: Path, language: str) -> None:
    original = catalogue(language)
    path = write_criteria(original, tmp_path / "criteria.xlsx", language)
    assert read_criteria(path) == original


def edit(path: Path, sheet_index: int, cell: str, value: object) -> None:
    wb = openpyxl.load_workbook(path)
    wb.worksheets[sheet_index][cell] = value
    wb.save(path)


def test_every_bad_cell_is_reported(tmp_path: Path) -> None:
    path = write_criteria(catalogue("en"), tmp_path / "criteria.xlsx")
    edit(path, 1, "E2", "WANT")  # priority
    edit(path, 1, "F3", "heavy")  # weight
    edit(path, 1, "A4", "bad id!")  # id
    with pytest.raises(MultiDataError) as info:
        read_criteria(path)
    text = str(info.value)
    assert text.splitlines()[0] == "3 problems found:"
    assert "priority 'WANT' is not one of MUST, SHOULD, COULD (criteria.xlsx, sheet Criteria, cell E2)" in text
    assert "weight 'heavy' is not a number >= 0 (criteria.xlsx, sheet Criteria, cell F3)" in text
    assert "ID 'bad id!' is not valid" in text
    assert "cell A4" in text


def test_missing_column_and_sheet(tmp_path: Path) -> None:
    path = write_criteria(catalogue("en"), tmp_path / "criteria.xlsx")
    edit(path, 1, "F1", "importance")
    with pytest.raises(
        DataError, match=r"missing column\(s\) weight in the header row \(criteria.xlsx, sheet Criteria, row 1\)"
    ):
        read_criteria(path)
    wb = openpyxl.load_workbook(path)
    wb.worksheets[0].title = "Other"
    wb.save(path)
    with pytest.raises(DataError, match="sheet 'Categories' is missing"):
        read_criteria(path)


def test_french_headers_and_text_numbers_are_accepted(tmp_path: Path) -> None:
    path = write_criteria(catalogue("fr"), tmp_path / "criteria.xlsx", "fr")
    edit(path, 1, "F2", "2,5")  # a decimal comma typed as text
    edit(path, 1, "E2", "obligatoire")
    cs = read_criteria(path)
    first = cs.criteria[0]
    assert first.weight == 2.5
    assert first.priority.value == "MUST"


def test_tree_errors_name_the_file(tmp_path: Path) -> None:
    path = write_criteria(catalogue("en"), tmp_path / "criteria.xlsx")
    edit(path, 1, "B2", "NOPE")
    with pytest.raises(DataError) as info:
        read_criteria(path)
    assert str(info.value) == "criterion PRO-01 names an unknown category 'NOPE' (criteria.xlsx, sheet Criteria, row 2)"


def test_one_pass_reports_cell_and_structure_problems(tmp_path: Path) -> None:
    """Unknown category (B2), duplicate ID (A5 = A2's ID), bad priority (E7) and weight (F8): all four at once."""
    path = write_criteria(catalogue("en"), tmp_path / "criteria.xlsx")
    edit(path, 1, "B2", "XYZ")
    edit(path, 1, "A5", "PRO-01")
    edit(path, 1, "E7", "maybe")
    edit(path, 1, "F8", "x")
    with pytest.raises(MultiDataError) as info:
        read_criteria(path)
    assert str(info.value).splitlines() == [
        "4 problems found:",
        "priority 'maybe' is not one of MUST, SHOULD, COULD (criteria.xlsx, sheet Criteria, cell E7)",
        "weight 'x' is not a number >= 0 (criteria.xlsx, sheet Criteria, cell F8)",
        "criterion PRO-01 names an unknown category 'XYZ' (criteria.xlsx, sheet Criteria, row 2)",
        "criterion ID 'PRO-01' is used twice (criteria.xlsx, sheet Criteria, row 5)",
    ]


def test_not_a_spreadsheet(tmp_path: Path) -> None:
    bogus = tmp_path / "criteria.xlsx"
    bogus.write_text("hello")
    with pytest.raises(DataError, match=r"^cannot be read as a spreadsheet .*\(criteria.xlsx\)$"):
        read_criteria(bogus)


def test_weights_no_tender_reaches_are_refused_all_at_once(tmp_path: Path) -> None:
    """Two category weights of 1e308 overflowed their sum: every vendor came out "not assessed"."""
    path = write_criteria(catalogue("en"), tmp_path / "criteria.xlsx")
    edit(path, 0, "C2", 1e308)
    edit(path, 0, "C3", "2000000")  # typed as text
    edit(path, 1, "F4", 1_000_001)
    edit(path, 1, "F5", 1_000_000)  # the bound itself is a weight
    with pytest.raises(MultiDataError) as info:
        read_criteria(path)
    # The criteria of the two refused categories are not reported as naming an unknown category.
    assert str(info.value).splitlines() == [
        "3 problems found:",
        "weight '1e+308' is not a number between 0 and 1,000,000 (criteria.xlsx, sheet Categories, cell C2)",
        "weight '2000000' is not a number between 0 and 1,000,000 (criteria.xlsx, sheet Categories, cell C3)",
        "weight '1000001' is not a number between 0 and 1,000,000 (criteria.xlsx, sheet Criteria, cell F4)",
    ]
    assert str(info.value.localized("fr")).splitlines() == [
        "3 problèmes relevés :",
        "le poids '1e+308' n'est pas un nombre compris entre 0 et 1\u00a0000\u00a0000 "
        "(criteria.xlsx, feuille Categories, cellule C2)",
        "le poids '2000000' n'est pas un nombre compris entre 0 et 1\u00a0000\u00a0000 "
        "(criteria.xlsx, feuille Categories, cellule C3)",
        "le poids '1000001' n'est pas un nombre compris entre 0 et 1\u00a0000\u00a0000 "
        "(criteria.xlsx, feuille Criteria, cellule F4)",
    ]


def test_formula_weights_without_a_computed_value_are_named(tmp_path: Path) -> None:
    """Weights written as formulas by a program that does not calculate read as '' ("weight '' is not a number")."""
    path = write_criteria(catalogue("en"), tmp_path / "criteria.xlsx")
    edit(path, 0, "C2", "=10")
    edit(path, 1, "F3", "=SUM(1,2)")
    with pytest.raises(MultiDataError) as info:
        read_criteria(path)
    assert str(info.value).splitlines() == [
        "2 problems found:",
        "the formula =10 has no computed value: open and save the file in Excel or LibreOffice, or type the value "
        "(criteria.xlsx, sheet Categories, cell C2)",
        "the formula =SUM(1,2) has no computed value: open and save the file in Excel or LibreOffice, or type the "
        "value (criteria.xlsx, sheet Criteria, cell F3)",
    ]


#: A title that, printed raw, sets a terminal's window title (OSC 0 ... BEL).
HOSTILE = "Evil\x1b]0;PWNED\x07"


def xlsx_escaped(text: str) -> str:
    """``text`` as an xlsx file carries a control character (ESC is '_x001B_'), which the reader decodes.

    openpyxl refuses a real control character in a cell (IllegalCharacterError); a hand-edited or hostile file
    carries the escape, as here.
    """
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", lambda m: f"_x{ord(m.group()):04X}_", text)


def test_control_characters_in_any_text_are_refused_at_their_cell(tmp_path: Path) -> None:
    """A control character passed `tender check` and reached the terminal through `tender score`."""
    from python_calamine import CalamineWorkbook

    path = write_criteria(catalogue("en"), tmp_path / "criteria.xlsx")
    wb = openpyxl.load_workbook(path)
    categories, criteria = wb.worksheets
    categories["B2"] = xlsx_escaped(HOSTILE)  # category name
    criteria["A2"] = xlsx_escaped("C\x1b1")  # ID
    criteria["C3"] = xlsx_escaped(HOSTILE)  # title
    criteria["D4"] = xlsx_escaped("line\x08back")  # description
    criteria["G5"] = xlsx_escaped("how\x7f")  # how to test
    criteria["B6"] = xlsx_escaped("COL\x1b")  # category of a criterion
    criteria["D7"] = "tab\tand\nnew line are text"  # what check_text allows stays allowed
    wb.save(path)
    # The reader decodes the escape to the real character: what the loader must refuse.
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Criteria").to_python()[2][2] == HOSTILE
    with pytest.raises(MultiDataError) as info:
        read_criteria(path)
    assert str(info.value).splitlines() == [
        "6 problems found:",
        "name contains a control character (U+001B); remove it (criteria.xlsx, sheet Categories, cell B2)",
        "id contains a control character (U+001B); remove it (criteria.xlsx, sheet Criteria, cell A2)",
        "title contains a control character (U+001B); remove it (criteria.xlsx, sheet Criteria, cell C3)",
        "description contains a control character (U+0008); remove it (criteria.xlsx, sheet Criteria, cell D4)",
        "how_to_test contains a control character (U+007F); remove it (criteria.xlsx, sheet Criteria, cell G5)",
        "category contains a control character (U+001B); remove it (criteria.xlsx, sheet Criteria, cell B6)",
    ]
    assert str(info.value.localized("fr")).splitlines() == [
        "6 problèmes relevés :",
        "nom contient un caractère de contrôle (U+001B) ; supprimez-le (criteria.xlsx, feuille Categories, cellule B2)",
        "id contient un caractère de contrôle (U+001B) ; supprimez-le (criteria.xlsx, feuille Criteria, cellule A2)",
        "titre contient un caractère de contrôle (U+001B) ; supprimez-le (criteria.xlsx, feuille Criteria, cellule C3)",
        "description contient un caractère de contrôle (U+0008) ; supprimez-le (criteria.xlsx, feuille Criteria, "
        "cellule D4)",
        "comment tester contient un caractère de contrôle (U+007F) ; supprimez-le (criteria.xlsx, feuille Criteria, "
        "cellule G5)",
        "catégorie contient un caractère de contrôle (U+001B) ; supprimez-le (criteria.xlsx, feuille Criteria, "
        "cellule B6)",
    ]


def test_a_control_character_in_a_header_is_named_with_the_missing_column(tmp_path: Path) -> None:
    """A header that looks like 'weight' but hides a control character: both problems, not only the missing column."""
    path = write_criteria(catalogue("en"), tmp_path / "criteria.xlsx")
    edit(path, 1, "F1", xlsx_escaped("weight\x1b"))
    with pytest.raises(MultiDataError) as info:
        read_criteria(path)
    assert str(info.value.localized("fr")).splitlines() == [
        "2 problèmes relevés :",
        "en-tête contient un caractère de contrôle (U+001B) ; supprimez-le (criteria.xlsx, feuille Criteria, "
        "cellule F1)",
        "colonne(s) poids absente(s) de la ligne d'en-tête (criteria.xlsx, feuille Criteria, ligne 1)",
    ]
