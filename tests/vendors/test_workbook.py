"""Score workbook templates: layout, protection, drop-down, hidden metadata, per-tester copies, safety."""

from __future__ import annotations

import dataclasses
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import defusedxml.ElementTree as SafeET
import openpyxl
import pytest
from python_calamine import CalamineWorkbook, SheetVisibleEnum

from criteria.model import Scale
from tender.campaign import Campaign
from tender.collect import campaign_secret
from vendors import model
from vendors.model import Vendor
from vendors.workbook import (
    META_SHEET,
    META_SIGNATURE,
    TEMPLATE_VERSION,
    WorkbookSpec,
    build_template,
    fill_workbook,
    format_deadline,
    scale_text,
    sheet_titles,
    write_workbooks,
)
from vendors.workbook import tester_key as key_of  # aliased: pytest would collect a function named test*

SpecFor = Callable[[Campaign], WorkbookSpec]
Resave = Callable[[Path, str, Path], Path]


def test_sheets_in_order_with_hidden_metadata(campaign: Campaign) -> None:
    wb = openpyxl.load_workbook(campaign.paths.sheets / "T001.xlsx")
    assert wb.sheetnames == ["Instructions", "Vendor A", "Vendor B", "Vendor C", META_SHEET]
    assert [ws.sheet_state for ws in wb.worksheets] == ["visible"] * 4 + ["veryHidden"]
    assert wb.active.title == "Instructions"
    meta = wb[META_SHEET]
    rows = [tuple(c.value for c in row[:3]) for row in meta.iter_rows(min_row=1, max_row=13)]
    key = key_of(campaign_secret(campaign.paths.state), "C-test", "T001")
    assert rows == [
        (META_SIGNATURE, None, None),
        ("campaign_id", "C-test", None),
        ("campaign_name", campaign.settings.name, None),
        ("criteria_version", campaign.criteria.sheet_version(), None),
        ("tester_id", "T001", None),
        ("template_version", TEMPLATE_VERSION, None),
        ("language", "en", None),
        ("scale_max", "5", None),
        ("scale_step", "1", None),
        ("tester_key", key, None),
        ("vendor", "V1", "Vendor A"),
        ("vendor", "V2", "Vendor B"),
        ("vendor", "V3", "Vendor C"),
    ]
    assert [meta.cell(row=r, column=5).value for r in range(1, 9)] == ["values", 0, 1, 2, 3, 4, 5, "N/A"]


def test_vendor_sheet_rows_locks_and_drop_down(campaign: Campaign) -> None:
    wb = openpyxl.load_workbook(campaign.paths.sheets / "T002.xlsx")
    ws = wb["Vendor B"]
    criteria = campaign.criteria.criteria
    last = 3 + len(criteria)
    assert (ws["A1"].value, ws["B1"].value, ws["C1"].value) == ("Vendor", "V2", "Vendor B")
    assert [c.value for c in ws[3]] == ["ID", "Category", "Criterion", "How to test", "Score", "Comment"]
    names = {c.id: c.name for c in campaign.criteria.categories}
    body = [tuple(c.value for c in row[:4]) for row in ws.iter_rows(min_row=4, max_row=last)]
    assert body == [(c.id, names[c.category], c.title, c.how_to_test) for c in criteria]
    assert ws.max_row == last
    # The contract: on each criterion row the first unlocked cell is the score, the next the comment.
    for row in range(4, last + 1):
        unlocked = [c.column_letter for c in ws[row] if not c.protection.locked]
        assert unlocked == ["E", "F"], row
    assert all(c.protection.locked for row in ws.iter_rows(min_row=1, max_row=3) for c in row)
    assert ws.protection.sheet is True
    assert ws.protection.password is None
    assert ws.protection.formatColumns is False
    assert wb.security.lockStructure is True
    assert wb.security.workbookPassword is None
    assert ws.freeze_panes == "A4"
    assert {k: ws.column_dimensions[k].width for k in "ABCDEF"} == {
        "A": 11,
        "B": 22,
        "C": 38,
        "D": 60,
        "E": 12,
        "F": 50,
    }
    assert ws["D4"].alignment.wrap_text is True
    assert ws["F4"].alignment.wrap_text is True
    (validation,) = ws.data_validations.dataValidation
    assert validation.type == "list"
    assert validation.formula1 == f"'{META_SHEET}'!$E$2:$E$8"
    assert str(validation.sqref) == f"E4:E{last}"
    assert validation.allow_blank is True
    assert validation.showErrorMessage is True
    assert validation.error == "Choose a value from the list: 0 to 5, or N/A."
    assert validation.prompt == "0 to 5, or N/A if you could not assess."


def test_instructions_sheet_in_english(campaign: Campaign) -> None:
    ws = openpyxl.load_workbook(campaign.paths.sheets / "T003.xlsx")["Instructions"]
    texts = [(c.value, ws.cell(row=c.row, column=2).value) for c in ws["A"] if c.value is not None]
    assert texts[0] == (campaign.settings.name, None)
    assert ("Tester", "Nadia Dubois (T003)") in texts
    assert ("Deadline", "12 March 2027") in texts
    col_b = [c.value for c in ws["B"] if c.value is not None]
    assert campaign.settings.tester_instructions in col_b
    scale_rows = [(c.value, ws.cell(row=c.row, column=2).value) for c in ws["A"] if c.value in (0, 1, 2, 3, 4, 5)]
    assert scale_rows == [
        (0, "Absent, or does not work at all"),
        (1, "Very poor: present but unusable in daily work"),
        (2, "Poor: works only partly, with real obstacles"),
        (3, "Acceptable: does the job, with some effort"),
        (4, "Good: easy and reliable"),
        (5, "Excellent: beyond what was expected"),
    ]
    assert ("N/A", "Could not assess (the criterion does not count for this vendor)") in texts
    assert (
        "Save the workbook as it is (.xlsx; .ods and .xls are also accepted) and send it to "
        "pilot@example.org by 12 March 2027. You may send it again later: the latest version you send "
        "replaces the previous ones." in col_b
    )
    assert ws.protection.sheet is True


def test_french_workbook(make_campaign: Callable[..., Campaign]) -> None:
    campaign = make_campaign(language="fr", deadline="2027-03-12")
    wb = openpyxl.load_workbook(campaign.paths.sheets / "T001.xlsx")
    assert wb.sheetnames == ["Consignes", "Fournisseur A", "Fournisseur B", "Fournisseur C", META_SHEET]
    ws = wb["Fournisseur A"]
    assert [c.value for c in ws[3]] == ["ID", "Catégorie", "Critère", "Comment tester", "Note", "Commentaire"]
    assert (
        ws["C2"].value == "Notez chaque critère en colonne E (de 0 à 5 ou N/A) et ajoutez un commentaire en colonne F."
    )
    intro = wb["Consignes"]
    pairs = {c.value: intro.cell(row=c.row, column=2).value for c in intro["A"] if c.value is not None}
    assert pairs["Date limite"] == "12 mars 2027"
    assert pairs["Testeur"] == "Camille Martin (T001)"
    assert pairs[4] == "Bien : simple et fiable"
    assert wb[META_SHEET]["B7"].value == "fr"


def test_half_point_scale_lists_every_value(make_campaign: Callable[..., Campaign]) -> None:
    campaign = make_campaign(scale={"max": 10, "step": 0.5})
    wb = openpyxl.load_workbook(campaign.paths.sheets / "T001.xlsx")
    meta = wb[META_SHEET]
    values = [meta.cell(row=r, column=5).value for r in range(2, 24)]
    assert values == [k / 2 if k % 2 else k // 2 for k in range(21)] + ["N/A"]
    (validation,) = wb["Vendor A"].data_validations.dataValidation
    assert validation.formula1 == f"'{META_SHEET}'!$E$2:$E$23"
    assert (meta["B8"].value, meta["B9"].value) == ("10", "0.5")
    assert wb["Vendor A"]["C2"].value == (
        "Score each criterion in column E (0 to 10 in steps of 0.5 or N/A) and add a comment in column F."
    )


def test_campaign_strings_never_become_formulas(campaign: Campaign, tmp_path: Path, spec_for: SpecFor) -> None:
    spec = dataclasses.replace(
        spec_for(campaign),
        campaign_name='=HYPERLINK("http://evil.example", "click")',
        vendors=(Vendor("V1", "=1+1"), Vendor("V2", "+cmd|' /C calc'!A0"), Vendor("V3", "@SUM(A1)")),
        contact="-2+3",
    )
    testers = (model.Tester("T001", "=2*3"),)
    (path,) = write_workbooks(spec, testers, tmp_path)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                root = SafeET.fromstring(archive.read(name))  # every member is well-formed XML
                assert not [e for e in root.iter() if e.tag.endswith("}f")], name
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[1:4] == ["=1+1", "+cmd|' C calc'!A0", "@SUM(A1)"]
    assert wb["=1+1"]["C1"].value == "=1+1"
    assert wb["=1+1"]["C1"].data_type == "s"
    assert wb["Instructions"]["A1"].value == spec.campaign_name
    assert wb["Instructions"]["A1"].data_type == "s"
    assert wb["Instructions"]["B4"].value == "=2*3 (T001)"


def test_each_tester_gets_own_id_and_escaped_name(campaign: Campaign, tmp_path: Path, spec_for: SpecFor) -> None:
    testers = (model.Tester("T9", 'Ann & <Bob> "O\'Neil"'), model.Tester("T10", "Zoé Ünal"))
    paths = write_workbooks(spec_for(campaign), testers, tmp_path)
    assert [p.name for p in paths] == ["T9.xlsx", "T10.xlsx"]
    for path, tester in zip(paths, testers, strict=True):
        wb = openpyxl.load_workbook(path)
        assert wb[META_SHEET]["B5"].value == tester.id
        assert wb["Instructions"]["B4"].value == f"{tester.name} ({tester.id})"


def test_workbooks_are_synced_one_by_one_then_their_folder_once(
    campaign: Campaign, tmp_path: Path, synced: list[tuple[int, int]], spec_for: SpecFor
) -> None:
    """Each workbook reaches the disk before its rename; the names are made durable by one sync of the folder."""
    testers = tuple(model.Tester(f"P{i}", f"Person {i}") for i in range(3))
    paths = write_workbooks(spec_for(campaign), testers, tmp_path)
    assert synced == [(p.stat().st_dev, p.stat().st_ino) for p in (*paths, tmp_path)]


def test_template_is_built_once_for_many_testers(
    campaign: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec_for: SpecFor
) -> None:
    saves: list[object] = []
    original = openpyxl.Workbook.save
    monkeypatch.setattr(openpyxl.Workbook, "save", lambda self, target: saves.append(target) or original(self, target))
    testers = tuple(model.Tester(f"P{i:03d}", f"Person {i}") for i in range(500))
    ticks: list[int] = []
    paths = write_workbooks(spec_for(campaign), testers, tmp_path, progress=ticks.append)
    assert len(saves) == 1
    assert len(paths) == 500
    assert sum(ticks) == 500
    for index in (0, 250, 499):
        book = CalamineWorkbook.from_path(str(paths[index]))
        grid = book.get_sheet_by_name(META_SHEET).to_python()
        assert grid[4][:2] == ["tester_id", f"P{index:03d}"]


def test_reserved_placeholder_in_a_campaign_text_is_refused(campaign: Campaign, spec_for: SpecFor) -> None:
    spec = dataclasses.replace(spec_for(campaign), contact="TENDERPLACEHOLDERTESTERID")
    with pytest.raises(ValueError, match="reserved placeholder"):
        build_template(spec)


def test_sheet_titles_are_valid_and_unique() -> None:
    vendors = (
        Vendor("A", "Acme [EU]: cloud/*?"),
        Vendor("B", "An extremely long vendor name that goes on"),
        Vendor("C", "Same"),
        Vendor("D", "same"),
        Vendor("E", "Instructions"),
        Vendor("F", "'quoted'"),
        Vendor("G", "[]"),
    )
    assert sheet_titles(vendors, "en") == {
        "A": "Acme EU cloud",
        "B": "An extremely long vendor name t",
        "C": "Same",
        "D": "same (2)",
        "E": "Instructions (2)",
        "F": "quoted",
        "G": "G",
    }


def test_number_and_date_wording() -> None:
    assert scale_text(Scale(5, 1), "en") == "0 to 5"
    assert scale_text(Scale(10, 0.5), "fr") == "de 0 à 10 par pas de 0,5"
    assert format_deadline(None, "fr") == "voir votre invitation"


def test_libreoffice_reopens_the_template(campaign: Campaign, tmp_path: Path, resave: Resave) -> None:
    source = campaign.paths.sheets / "T001.xlsx"
    ods = resave(source, "ods", tmp_path / "ods")
    book = CalamineWorkbook.from_path(str(ods))
    assert book.sheet_names == ["Instructions", "Vendor A", "Vendor B", "Vendor C", META_SHEET]
    visibility = [m.visible for m in book.sheets_metadata]
    assert visibility == [SheetVisibleEnum.Visible] * 4 + [SheetVisibleEnum.Hidden]
    grid = book.get_sheet_by_name("Vendor A").to_python()
    assert grid[0][:3] == ["Vendor", "V1", "Vendor A"]
    assert grid[3][0] == campaign.criteria.ids[0]


def test_fill_workbook_types_like_a_tester(campaign: Campaign, tmp_path: Path) -> None:
    answers = {
        "V1": {"PRO-01": (4, "Good"), "PRO-02": ("4,5", ""), "PRO-03": ("N/A", "could not test")},
        "V3": {"PRO-01": (None, "=1+1"), "PRO-02": (2.5, "")},
    }
    target = fill_workbook(campaign.paths.sheets / "T001.xlsx", tmp_path / "filled.xlsx", answers)
    wb = openpyxl.load_workbook(target)
    a, c = wb["Vendor A"], wb["Vendor C"]
    assert [(a[f"E{r}"].value, a[f"F{r}"].value) for r in (4, 5, 6, 7)] == [
        (4, "Good"),
        ("4,5", None),
        ("N/A", "could not test"),
        (None, None),
    ]
    assert a["E5"].data_type == "s"
    assert (c["E4"].value, c["F4"].value, c["F4"].data_type) == (None, "=1+1", "s")
    assert c["E5"].value == 2.5
    assert wb[META_SHEET].sheet_state == "veryHidden"
    assert a.protection.sheet is True


def test_fill_workbook_refuses_unknown_vendor_or_criterion(campaign: Campaign, tmp_path: Path) -> None:
    template = campaign.paths.sheets / "T001.xlsx"
    with pytest.raises(ValueError, match=r"^T001.xlsx has no sheet for vendor\(s\) V9$"):
        fill_workbook(template, tmp_path / "x.xlsx", {"V9": {"PRO-01": (1, "")}})
    with pytest.raises(ValueError, match=r"^T001.xlsx, sheet Vendor A: no row for criterion\(s\) NOPE$"):
        fill_workbook(template, tmp_path / "x.xlsx", {"V1": {"NOPE": (1, "")}})
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize(
    ("language", "sentence"),
    [
        (
            "en",
            "Save the workbook as it is (.xlsx; .ods and .xls are also accepted) and send it to the project team by "
            "the date given in your invitation. You may send it again later: the latest version you send replaces "
            "the previous ones.",
        ),
        (
            "fr",
            "Enregistrez le classeur tel quel (.xlsx ; .ods et .xls sont aussi acceptés) et envoyez-le à l'équipe "
            "projet avant la date indiquée dans votre invitation. Vous pourrez le renvoyer plus tard : la dernière "
            "version envoyée remplace les précédentes.",
        ),
    ],
)
def test_without_a_deadline_the_return_sentence_points_to_the_invitation(
    make_campaign: Callable[..., Campaign], language: str, sentence: str
) -> None:
    """tender init leaves the deadline out: the sentence read "send it to the project team by see your invitation"."""
    campaign = make_campaign(language=language, deadline=None, contact="")
    ws = openpyxl.load_workbook(campaign.paths.sheets / "T001.xlsx").worksheets[0]
    assert sentence in [c.value for c in ws["B"]]


def test_every_sheet_prints_on_a4_and_each_vendor_page_names_its_vendor(campaign: Campaign) -> None:
    wb = openpyxl.load_workbook(campaign.paths.sheets / "T001.xlsx")
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    # Without paperSize a workbook says Letter, the format's default (LibreOffice then prints on Letter).
    assert [str(ws.page_setup.paperSize) for ws in visible] == ["9"] * 4  # 9: A4 in the OOXML numbering
    for ws in visible[1:]:
        assert ws.print_title_rows == "$1:$3"  # the vendor's ID and name, the hint, the column titles
        assert ws.oddFooter.center.text == "&A, page &P of &N"


def test_each_workbook_carries_its_testers_key_and_the_secret_stays_private(campaign: Campaign) -> None:
    secret_file = campaign.paths.state / "secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600  # whoever reads it can make any tester's workbook
    secret = campaign_secret(campaign.paths.state)
    assert len(secret) == 32
    keys = {}
    for tester in ("T001", "T002"):
        meta = openpyxl.load_workbook(campaign.paths.sheets / f"{tester}.xlsx")[META_SHEET]
        keys[tester] = next(row[1].value for row in meta.iter_rows() if row[0].value == "tester_key")
    assert keys == {t: key_of(secret, "C-test", t) for t in keys}
    assert len(set(keys.values())) == 2
    assert key_of(b"", "C-test", "T001") == ""
