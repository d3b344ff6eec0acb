"""Tests of the campaign folder: init, edit and reload, refusing to overwrite, cross-file checks."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from criteria.catalogue import catalogue
from criteria.errors import CampaignError, ConfigError, DataError
from tender.campaign import init_campaign, load_campaign


@pytest.mark.parametrize("language", ["en", "fr"])
def test_init_then_load(tmp_path: Path, language: str) -> None:
    root = init_campaign(tmp_path / "c", language=language).root
    campaign = load_campaign(root)
    assert campaign.settings.language == language
    assert campaign.criteria == catalogue(language)
    assert [v.id for v in campaign.vendors] == ["V1", "V2", "V3"]
    assert len(campaign.testers) == 4
    assert len(campaign.group_columns) == 3
    assert (root / "inbox").is_dir()
    assert (root / "sheets").is_dir()
    assert (root / "out").is_dir()


def test_edit_and_reload_round_trips(campaign_dir: Path) -> None:
    config = campaign_dir / "tender.yaml"
    config.write_text(config.read_text().replace("# price_formula: inverse", "price_formula: linear"))
    wb = openpyxl.load_workbook(campaign_dir / "vendors.xlsx")
    ws = wb.active
    ws["B2"], ws["D2"], ws["C2"] = "Agorana", "6,5", 12000
    wb.save(campaign_dir / "vendors.xlsx")
    wb = openpyxl.load_workbook(campaign_dir / "criteria.xlsx")
    wb["Criteria"]["F2"] = 4.5
    wb.save(campaign_dir / "criteria.xlsx")
    campaign = load_campaign(campaign_dir)
    assert campaign.settings.price_formula == "linear"
    first = campaign.vendors[0]
    assert (first.name, first.price_per_user_month, first.setup_cost) == ("Agorana", 6.5, 12000)
    assert campaign.criteria.criteria[0].weight == 4.5
    assert campaign.criteria.version() != catalogue("en").version()


def test_init_refuses_to_overwrite(campaign_dir: Path) -> None:
    with pytest.raises(CampaignError, match=r"already holds a campaign .*use --force to overwrite it"):
        init_campaign(campaign_dir)
    init_campaign(campaign_dir, force=True)


def test_missing_files_are_named(campaign_dir: Path) -> None:
    (campaign_dir / "testers.xlsx").unlink()
    with pytest.raises(CampaignError, match="is not a complete campaign: testers.xlsx missing"):
        load_campaign(campaign_dir)
    with pytest.raises(CampaignError, match="does not exist"):
        load_campaign(campaign_dir / "nowhere")


def test_balance_groups_must_name_a_tester_column(campaign_dir: Path) -> None:
    config = campaign_dir / "tender.yaml"
    config.write_text(config.read_text() + "\nbalance_groups: site\n")
    with pytest.raises(ConfigError, match="names column 'site', which testers.xlsx does not have"):
        load_campaign(campaign_dir)


def test_tester_and_vendor_errors_name_cells(campaign_dir: Path) -> None:
    wb = openpyxl.load_workbook(campaign_dir / "testers.xlsx")
    wb.active["C3"] = "not-an-email"
    wb.active["A4"] = "T001"
    wb.save(campaign_dir / "testers.xlsx")
    with pytest.raises(DataError) as info:
        load_campaign(campaign_dir)
    text = str(info.value)
    assert "e-mail 'not-an-email' has no '@' (testers.xlsx, sheet Testers, cell C3)" in text
    assert "tester ID 'T001' is used twice (testers.xlsx, sheet Testers, cell A4)" in text

    wb = openpyxl.load_workbook(campaign_dir / "testers.xlsx")
    wb.active["A4"] = "t002"  # beside T002
    wb.active["C3"] = "ok@example.org"
    wb.save(campaign_dir / "testers.xlsx")
    with pytest.raises(DataError) as info:
        load_campaign(campaign_dir)
    assert str(info.value) == (
        "tester ID 't002' differs from 'T002' only by case; give them different IDs or one spelling "
        "(testers.xlsx, sheet Testers, cell A4)"
    )

    wb = openpyxl.load_workbook(campaign_dir / "vendors.xlsx")
    wb.active["D2"] = "cheap"
    wb.save(campaign_dir / "vendors.xlsx")
    (campaign_dir / "testers.xlsx").unlink()
    init_campaign(campaign_dir, force=True)
    wb = openpyxl.load_workbook(campaign_dir / "vendors.xlsx")
    wb.active["D2"] = "cheap"
    wb.save(campaign_dir / "vendors.xlsx")
    with pytest.raises(
        DataError, match=r"price_per_user_month 'cheap' is not an amount >= 0 \(vendors.xlsx, sheet Vendors, cell D2\)"
    ):
        load_campaign(campaign_dir)


def test_amounts_typed_with_a_currency_are_read(campaign_dir: Path) -> None:
    wb = openpyxl.load_workbook(campaign_dir / "vendors.xlsx")
    ws = wb.active
    ws["C2"], ws["D2"], ws["E2"] = "€ 12 000", "6,50 €", "300 EUR"
    wb.save(campaign_dir / "vendors.xlsx")
    first = load_campaign(campaign_dir).vendors[0]
    assert (first.setup_cost, first.price_per_user_month, first.annual_fixed_cost) == (12000, 6.5, 300)


def test_a_scale_with_too_many_values_is_refused(campaign_dir: Path) -> None:
    config = campaign_dir / "tender.yaml"
    config.write_text(config.read_text() + "\nscale: {max: 100, step: 0.01}\n")
    with pytest.raises(ConfigError) as info:
        load_campaign(campaign_dir)
    assert str(info.value) == (
        "tender.yaml: key 'scale' gives 10001 possible scores; use at most 101 (e.g. max: 10, step: 0.5)"
    )


def french_campaign(tmp_path: Path) -> Path:
    return init_campaign(tmp_path / "campagne", language="fr").root


def load_error(root: Path, file: str, cells: dict[str, object], sheet: str | None = None) -> str:
    """Write ``cells`` into ``sheet`` of ``file`` (its first sheet if None), then the words load_campaign refuses with."""
    wb = openpyxl.load_workbook(root / file)
    ws = wb[sheet] if sheet is not None else wb.active
    for reference, value in cells.items():
        ws[reference] = value
    wb.save(root / file)
    with pytest.raises(DataError) as info:
        load_campaign(root)
    return str(info.value)


def test_a_french_campaign_words_the_problems_of_its_criteria_in_french(tmp_path: Path) -> None:
    root = french_campaign(tmp_path)
    # Columns of the French file: id, catégorie, titre, description, priorité, poids, comment tester.
    assert load_error(root, "criteria.xlsx", {"C2": None, "F3": "lourd", "E4": "peut-être"}, "Critères") == "\n".join(
        [
            "3 problèmes relevés :",
            "le titre est vide (criteria.xlsx, feuille Critères, cellule C2)",
            "le poids 'lourd' n'est pas un nombre >= 0 (criteria.xlsx, feuille Critères, cellule F3)",
            "la priorité 'peut-être' n'est pas l'une de MUST, SHOULD, COULD (criteria.xlsx, feuille Critères, "
            "cellule E4)",
        ]
    )

    sheet = openpyxl.load_workbook(root / "criteria.xlsx")["Critères"]
    criterion, category = sheet["A2"].value, str(sheet["B2"].value)
    repaired = {"C2": "Un titre", "F3": 1, "E4": "MUST", "B2": category.lower()}
    assert load_error(root, "criteria.xlsx", repaired, "Critères") == (
        f"le critère {criterion} renvoie à une catégorie inconnue {category.lower()!r} "
        f"(vouliez-vous dire {category!r} ?) (criteria.xlsx, feuille Critères, ligne 2)"
    )

    # A missing column stops the reading of its sheet at once: that problem comes alone.
    assert load_error(root, "criteria.xlsx", {"C1": "importance"}, "Catégories") == (
        "colonne(s) poids absente(s) de la ligne d'en-tête (criteria.xlsx, feuille Catégories, ligne 1)"
    )


def test_a_french_campaign_words_the_problems_of_its_testers_and_vendors_in_french(tmp_path: Path) -> None:
    root = french_campaign(tmp_path)
    first = openpyxl.load_workbook(root / "testers.xlsx").active["A2"].value
    load_error(root, "testers.xlsx", {"C3": "pas-un-courriel", "A4": first})
    # vendors.xlsx is read before testers.xlsx: its problem comes first, then those of testers.xlsx.
    assert load_error(root, "vendors.xlsx", {"D2": "cher"}) == "\n".join(
        [
            "3 problèmes relevés :",
            "prix par utilisateur par mois 'cher' n'est pas un montant >= 0 (vendors.xlsx, feuille Fournisseurs, "
            "cellule D2)",
            "le courriel 'pas-un-courriel' n'a pas de '@' (testers.xlsx, feuille Testeurs, cellule C3)",
            f"l'identifiant de testeur {first!r} est employé deux fois (testers.xlsx, feuille Testeurs, cellule A4)",
        ]
    )
    assert load_error(root, "vendors.xlsx", {"D2": 6.5}) == "\n".join(
        [
            "2 problèmes relevés :",
            "le courriel 'pas-un-courriel' n'a pas de '@' (testers.xlsx, feuille Testeurs, cellule C3)",
            f"l'identifiant de testeur {first!r} est employé deux fois (testers.xlsx, feuille Testeurs, cellule A4)",
        ]
    )


def test_a_french_campaign_words_a_missing_balance_column_in_french(tmp_path: Path) -> None:
    root = french_campaign(tmp_path)
    config = root / "tender.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\nbalance_groups: site\n", encoding="utf-8")
    # The group columns of testers.xlsx follow id, nom and courriel in its header row.
    columns = ", ".join(str(c.value) for c in openpyxl.load_workbook(root / "testers.xlsx").active[1][3:])
    with pytest.raises(ConfigError) as info:
        load_campaign(root)
    assert str(info.value) == (
        "tender.yaml : la clé « balance_groups » désigne la colonne 'site', absente de testers.xlsx "
        f"(colonnes de groupe : {columns})"
    )


def test_an_english_campaign_keeps_english_words(campaign_dir: Path) -> None:
    assert load_error(campaign_dir, "criteria.xlsx", {"C2": None, "F3": "heavy"}, "Criteria") == "\n".join(
        [
            "2 problems found:",
            "title is empty (criteria.xlsx, sheet Criteria, cell C2)",
            "weight 'heavy' is not a number >= 0 (criteria.xlsx, sheet Criteria, cell F3)",
        ]
    )


def test_every_campaign_file_is_checked_in_one_run(tmp_path: Path) -> None:
    """A problem in criteria.xlsx no longer hides those of vendors.xlsx and testers.xlsx until it is fixed."""
    import openpyxl

    from criteria.errors import MultiDataError

    root = init_campaign(tmp_path / "c", language="fr").root
    for name, cell, value in (("criteria.xlsx", "E2", "WANT"), ("vendors.xlsx", "A2", ""), ("testers.xlsx", "C2", "x")):
        book = openpyxl.load_workbook(root / name)
        book.worksheets[-1 if name == "criteria.xlsx" else 0][cell] = value
        book.save(root / name)
    with pytest.raises(MultiDataError) as info:
        load_campaign(root)
    lines = str(info.value).splitlines()
    assert lines[0] == "3 problèmes relevés :"
    assert [line.rsplit("(", 1)[1].split(",")[0] for line in lines[1:]] == [
        "criteria.xlsx",
        "vendors.xlsx",
        "testers.xlsx",
    ]
