"""Tests of vendors.xlsx and testers.xlsx: costs as numbers, and errors that name the cell."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from criteria.errors import DataError, MultiDataError
from tender.campaign import init_campaign
from tender.cli import cli
from vendors.io import read_testers, read_vendors, write_testers, write_vendors
from vendors.model import Vendor

VENDORS = (
    Vendor("V1", "Agorana", 45_000, 6.5, 18_000),
    Vendor("V2", "Colibri", 0, 4.0, 0),
)


def edit(path: Path, cell: str, value: object) -> None:
    wb = openpyxl.load_workbook(path)
    wb.worksheets[0][cell] = value
    wb.save(path)


def test_round_trip(tmp_path: Path) -> None:
    path = write_vendors(VENDORS, tmp_path / "vendors.xlsx")
    assert read_vendors(path) == VENDORS


def test_costs_no_offer_reaches_are_refused_all_at_once(tmp_path: Path) -> None:
    """A price of 1e308 passed: the TCO became €∞ and the JSON export failed on it."""
    path = write_vendors(VENDORS, tmp_path / "vendors.xlsx")
    edit(path, "D2", 1e308)
    edit(path, "C3", "€ 2 000 000 000 000")  # as people type amounts
    edit(path, "E3", 1e12)  # the bound itself is an amount
    with pytest.raises(MultiDataError) as info:
        read_vendors(path)
    assert str(info.value).splitlines() == [
        "2 problems found:",
        "price_per_user_month '1e+308' is not an amount between 0 and 1,000,000,000,000 "
        "(vendors.xlsx, sheet Vendors, cell D2)",
        "setup_cost '€ 2 000 000 000 000' is not an amount between 0 and 1,000,000,000,000 "
        "(vendors.xlsx, sheet Vendors, cell C3)",
    ]
    assert str(info.value.localized("fr")).splitlines() == [
        "2 problèmes relevés :",
        "prix par utilisateur par mois '1e+308' n'est pas un montant compris entre 0 et "
        "1\u00a0000\u00a0000\u00a0000\u00a0000 (vendors.xlsx, feuille Vendors, cellule D2)",
        "frais de mise en place '€ 2 000 000 000 000' n'est pas un montant compris entre 0 et "
        "1\u00a0000\u00a0000\u00a0000\u00a0000 (vendors.xlsx, feuille Vendors, cellule C3)",
    ]


def test_an_error_moved_to_another_cell_keeps_its_words(tmp_path: Path) -> None:
    path = write_vendors(VENDORS, tmp_path / "vendors.xlsx")
    edit(path, "D2", 1e13)
    with pytest.raises(DataError) as info:
        read_vendors(path)
    moved = info.value.localized("fr").at(info.value.where, item=3)
    assert (moved.message, moved.item) == (
        "prix par utilisateur par mois '10000000000000' n'est pas un montant compris entre 0 et "
        "1\u00a0000\u00a0000\u00a0000\u00a0000",
        3,
    )


@pytest.mark.parametrize(
    ("language", "line"),
    [
        (
            "en",
            "Error: price_per_user_month '1e+308' is not an amount between 0 and 1,000,000,000,000 "
            "(vendors.xlsx, sheet Vendors, cell D2)\n",
        ),
        (
            "fr",
            "Erreur : prix par utilisateur par mois '1e+308' n'est pas un montant compris entre 0 et "
            "1\u00a0000\u00a0000\u00a0000\u00a0000 (vendors.xlsx, feuille Fournisseurs, cellule D2)\n",
        ),
    ],
)
def test_check_refuses_an_infinite_price_in_the_campaign_language(tmp_path: Path, language: str, line: str) -> None:
    root = init_campaign(tmp_path / "c", language=language, vendors=VENDORS).root
    edit(root / "vendors.xlsx", "D2", 1e308)
    result = CliRunner().invoke(cli, ["check", str(root)])
    assert (result.exit_code, result.output) == (2, line)


def test_a_formula_without_a_computed_value_is_named_not_read_as_no_price(tmp_path: Path) -> None:
    """openpyxl writes formulas without computing them: the reader saw an empty price, i.e. "no offer"."""
    path = write_vendors(VENDORS, tmp_path / "vendors.xlsx")
    edit(path, "D2", "=12*3")  # price: empty to the reader, so silently "no price" before
    edit(path, "A3", '="V"&2')  # ID: "ID is empty" before
    with pytest.raises(MultiDataError) as info:
        read_vendors(path)
    assert str(info.value).splitlines() == [
        "2 problems found:",
        """the formula ="V"&2 has no computed value: open and save the file in Excel or LibreOffice, or type the """
        "value (vendors.xlsx, sheet Vendors, cell A3)",
        "the formula =12*3 has no computed value: open and save the file in Excel or LibreOffice, or type the value "
        "(vendors.xlsx, sheet Vendors, cell D2)",
    ]
    assert str(info.value.localized("fr")).splitlines()[2] == (
        "la formule =12*3 n'a pas de valeur calculée : ouvrez et enregistrez le fichier dans Excel ou LibreOffice, "
        "ou tapez la valeur (vendors.xlsx, feuille Vendors, cellule D2)"
    )


def test_a_formula_saved_by_libreoffice_is_read_as_its_value(
    tmp_path: Path, resave: Callable[[Path, str, Path], Path]
) -> None:
    path = write_vendors(VENDORS, tmp_path / "vendors.xlsx")
    edit(path, "D2", "=12*3")
    edit(path, "B3", '="Vendor "&"B"')
    saved = resave(path, "xlsx", tmp_path / "saved")
    vendors = read_vendors(saved)
    assert (vendors[0].price_per_user_month, vendors[1].name) == (36.0, "Vendor B")


def test_text_that_starts_with_an_equals_sign_is_not_a_formula(tmp_path: Path) -> None:
    path = write_vendors((Vendor("V1", "=Best offer", price_per_user_month=2.0),), tmp_path / "vendors.xlsx")
    edit(path, "E2", "=1+1")  # a real formula elsewhere makes the file worth a closer look
    with pytest.raises(DataError) as info:
        read_vendors(path)
    assert "cell E2" in str(info.value)
    edit(path, "E2", 0)
    assert read_vendors(path)[0].name == "=Best offer"


#: A vendor name that, printed raw, sets a terminal's window title (OSC 0 ... BEL).
HOSTILE = "Evil\x1b]0;PWNED\x07"


def xlsx_escaped(text: str) -> str:
    """``text`` as an xlsx file carries a control character (ESC is '_x001B_'), which the reader decodes.

    openpyxl refuses a real control character in a cell (IllegalCharacterError); a hand-edited or hostile file
    carries the escape, as here.
    """
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", lambda m: f"_x{ord(m.group()):04X}_", text)


def test_control_characters_in_vendors_are_refused_at_their_cell(tmp_path: Path) -> None:
    """`Evil_x001B_]0;PWNED_x0007_` passed `tender check`; `tender score` then printed the escape sequence."""
    from python_calamine import CalamineWorkbook

    extra = {"offer": "ok"}
    vendors = (
        Vendor("V1", "Agorana", 45_000, 6.5, 18_000, extra=extra),
        Vendor("V2", "Colibri", 0, 4.0, 0, extra=extra),
        Vendor("V3", "Dorado", 0, 4.0, 0, extra=extra),
    )
    path = write_vendors(vendors, tmp_path / "vendors.xlsx")
    edit(path, "B2", xlsx_escaped(HOSTILE))  # name
    edit(path, "A3", xlsx_escaped("V\x012"))  # ID
    edit(path, "F3", xlsx_escaped("see\x1b[2J"))  # an extra column, which the exports carry
    edit(path, "G1", xlsx_escaped("note\x1b"))  # an extra column's title
    edit(path, "G4", xlsx_escaped("late\x1b"))  # and a value under that title
    edit(path, "C4", xlsx_escaped("100\x07"))  # a cost typed as text
    edit(path, "F4", "tab\tand\nnew line are text")  # what check_text allows stays allowed
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1][1] == HOSTILE
    with pytest.raises(MultiDataError) as info:
        read_vendors(path)
    assert str(info.value).splitlines() == [
        "6 problems found:",
        "header contains a control character (U+001B); remove it (vendors.xlsx, sheet Vendors, cell G1)",
        "name contains a control character (U+001B); remove it (vendors.xlsx, sheet Vendors, cell B2)",
        "id contains a control character (U+0001); remove it (vendors.xlsx, sheet Vendors, cell A3)",
        "offer contains a control character (U+001B); remove it (vendors.xlsx, sheet Vendors, cell F3)",
        "setup_cost contains a control character (U+0007); remove it (vendors.xlsx, sheet Vendors, cell C4)",
        # the column of a refused title is named by its escaped spelling, never printed raw
        "'note\\x1b' contains a control character (U+001B); remove it (vendors.xlsx, sheet Vendors, cell G4)",
    ]
    assert str(info.value.localized("fr")).splitlines() == [
        "6 problèmes relevés :",
        "en-tête contient un caractère de contrôle (U+001B) ; supprimez-le (vendors.xlsx, feuille Vendors, cellule G1)",
        "nom contient un caractère de contrôle (U+001B) ; supprimez-le (vendors.xlsx, feuille Vendors, cellule B2)",
        "id contient un caractère de contrôle (U+0001) ; supprimez-le (vendors.xlsx, feuille Vendors, cellule A3)",
        "offer contient un caractère de contrôle (U+001B) ; supprimez-le (vendors.xlsx, feuille Vendors, cellule F3)",
        "frais de mise en place contient un caractère de contrôle (U+0007) ; supprimez-le (vendors.xlsx, "
        "feuille Vendors, cellule C4)",
        "'note\\x1b' contient un caractère de contrôle (U+001B) ; supprimez-le (vendors.xlsx, feuille Vendors, "
        "cellule G4)",
    ]
    assert not any(c in str(info.value) for c in "\x1b\x07\x01")


def test_control_characters_in_testers_are_refused_at_their_cell(tmp_path: Path) -> None:
    """Names, e-mails and group columns reach the workbooks, the exports and the report."""
    from python_calamine import CalamineWorkbook

    from vendors.model import Tester  # imported here: pytest would try to collect a class named Test* at the top

    testers = (
        Tester("T1", "Ann", "ann@example.org", {"department": "IT"}),
        Tester("T2", "Bob", "bob@example.org", {"department": "HR"}),
    )
    path = write_testers(testers, tmp_path / "testers.xlsx")
    edit(path, "B2", xlsx_escaped(HOSTILE))  # name
    edit(path, "C2", xlsx_escaped("ann@example.org\x1b"))  # e-mail
    edit(path, "D3", xlsx_escaped("H\x1bR"))  # group column
    assert CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1][1] == HOSTILE
    with pytest.raises(MultiDataError) as info:
        read_testers(path)
    assert str(info.value).splitlines() == [
        "3 problems found:",
        "name contains a control character (U+001B); remove it (testers.xlsx, sheet Testers, cell B2)",
        "email contains a control character (U+001B); remove it (testers.xlsx, sheet Testers, cell C2)",
        "department contains a control character (U+001B); remove it (testers.xlsx, sheet Testers, cell D3)",
    ]
    assert str(info.value.localized("fr")).splitlines() == [
        "3 problèmes relevés :",
        "nom contient un caractère de contrôle (U+001B) ; supprimez-le (testers.xlsx, feuille Testers, cellule B2)",
        "courriel contient un caractère de contrôle (U+001B) ; supprimez-le (testers.xlsx, feuille Testers, "
        "cellule C2)",
        "department contient un caractère de contrôle (U+001B) ; supprimez-le (testers.xlsx, feuille Testers, "
        "cellule D3)",
    ]
