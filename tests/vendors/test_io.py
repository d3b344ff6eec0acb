"""Tests of vendors.xlsx and testers.xlsx: costs as numbers, and errors that name the cell."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from criteria.errors import DataError, MultiDataError
from tender.campaign import init_campaign
from tender.cli import cli
from vendors.io import read_vendors, write_vendors
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
