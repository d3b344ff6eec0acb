"""Score workbooks for pilot testers (DESIGN.md section 4): build the template once, save one copy per tester."""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from criteria.messages import DATE_LOCALES
from criteria.model import CriteriaSet, Scale
from criteria.safe import CREATOR, check_text, print_on_a4, save_workbook, set_text, sync_folder, write_bytes_atomic
from vendors.model import Tester, Vendor

if TYPE_CHECKING:
    # openpyxl is imported where a workbook is written: reading ones (tender collect) never pays for it.
    from openpyxl.worksheet.worksheet import Worksheet

#: Bumped whenever the layout below changes; intake refuses versions it does not know.
TEMPLATE_VERSION = "1"

# The layout shared with vendors/intake.py. Row and column numbers are 1-based.
META_SHEET = "tender-meta"
META_SIGNATURE = "rse-tender workbook metadata"
META_VALUES_COLUMN = 5  # column E of the metadata sheet: the drop-down's valid values
VENDOR_ID_ROW, VENDOR_ID_COLUMN = 1, 2  # cell B1 of a vendor sheet holds the vendor ID (locked)
HEADER_ROW = 3
FIRST_ROW = 4
ID_COLUMN, CATEGORY_COLUMN, TITLE_COLUMN, HOW_COLUMN, SCORE_COLUMN, COMMENT_COLUMN = 1, 2, 3, 4, 5, 6
NA_TEXT = "N/A"

# Unique markers replaced per tester in the saved template (see WorkbookTemplate.render).
_TESTER_ID = "TENDERPLACEHOLDERTESTERID"
_TESTER_NAME = "TENDERPLACEHOLDERTESTERNAME"
_TESTER_KEY = "TENDERPLACEHOLDERTESTERKEY"
_SHARED_STRINGS = "xl/sharedStrings.xml"

_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_WIDTHS = {ID_COLUMN: 11, CATEGORY_COLUMN: 22, TITLE_COLUMN: 38, HOW_COLUMN: 60, SCORE_COLUMN: 12, COMMENT_COLUMN: 50}

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "instructions_sheet": "Instructions",
        "tester": "Tester",
        "deadline": "Deadline",
        "no_deadline": "see your invitation",
        "how_to_test": "How to test",
        "default_test": "Use each product for your real daily work, then score every criterion.",
        "how_to_fill": "How to fill in this workbook",
        "fill_1": "Each vendor has its own sheet: use the tabs at the bottom of the window.",
        "fill_2": "For every criterion, carry out the test described in the column 'How to test', "
        "then choose your score in the column 'Score' from the drop-down list.",
        "fill_3": "Choose N/A if you could not assess a criterion; leave the score empty only if you did not test it.",
        "fill_4": "The column 'Comment' is optional but very useful: say what struck you, good or bad.",
        "fill_5": "Only the Score and Comment cells can be edited. Do not add, delete or rename sheets or rows.",
        "scale": "Scoring scale",
        "score": "Score",
        "meaning": "Meaning",
        "na_meaning": "Could not assess (the criterion does not count for this vendor)",
        "return": "Returning your workbook",
        "return_text": "Save the workbook as it is (.xlsx; .ods and .xls are also accepted) and send it to "
        "{contact} by {deadline}. You may send it again later: the latest version you send replaces "
        "the previous ones.",
        "return_text_open": "Save the workbook as it is (.xlsx; .ods and .xls are also accepted) and send it to "
        "{contact} by the date given in your invitation. You may send it again later: the latest version you "
        "send replaces the previous ones.",
        "footer": "&A, page &P of &N",
        "team": "the project team",
        "vendors": "Vendors in this workbook",
        "sheet": "Sheet",
        "vendor": "Vendor",
        "hint": "Score each criterion in column E ({scale} or N/A) and add a comment in column F.",
        "id": "ID",
        "category": "Category",
        "criterion": "Criterion",
        "comment": "Comment",
        "prompt_title": "Score",
        "prompt": "{scale}, or N/A if you could not assess.",
        "error_title": "Invalid score",
        "error": "Choose a value from the list: {scale}, or N/A.",
        "scale_text": "0 to {max}",
        "scale_step_text": "0 to {max} in steps of {step}",
    },
    "fr": {
        "instructions_sheet": "Consignes",
        "tester": "Testeur",
        "deadline": "Date limite",
        "no_deadline": "voir votre invitation",
        "how_to_test": "Comment tester",
        "default_test": "Utilisez chaque produit pour votre travail réel, puis notez chaque critère.",
        "how_to_fill": "Comment remplir ce classeur",
        "fill_1": "Chaque fournisseur a sa propre feuille : utilisez les onglets en bas de la fenêtre.",
        "fill_2": "Pour chaque critère, réalisez le test décrit dans la colonne « Comment tester », "
        "puis choisissez votre note dans la colonne « Note » à l'aide de la liste déroulante.",
        "fill_3": "Choisissez N/A si vous n'avez pas pu évaluer un critère ; ne laissez la note vide "
        "que si vous ne l'avez pas testé.",
        "fill_4": "La colonne « Commentaire » est facultative mais très utile : dites ce qui vous a marqué, "
        "en bien ou en mal.",
        "fill_5": "Seules les cellules Note et Commentaire sont modifiables. N'ajoutez, ne supprimez et ne "
        "renommez ni feuille ni ligne.",
        "scale": "Échelle de notation",
        "score": "Note",
        "meaning": "Signification",
        "na_meaning": "Impossible à évaluer (le critère ne compte pas pour ce fournisseur)",
        "return": "Renvoyer votre classeur",
        "return_text": "Enregistrez le classeur tel quel (.xlsx ; .ods et .xls sont aussi acceptés) et "
        "envoyez-le à {contact} au plus tard le {deadline}. Vous pourrez le renvoyer plus tard : la "
        "dernière version envoyée remplace les précédentes.",
        "return_text_open": "Enregistrez le classeur tel quel (.xlsx ; .ods et .xls sont aussi acceptés) et "
        "envoyez-le à {contact} avant la date indiquée dans votre invitation. Vous pourrez le renvoyer plus "
        "tard : la dernière version envoyée remplace les précédentes.",
        "footer": "&A, page &P sur &N",
        "team": "l'équipe projet",
        "vendors": "Fournisseurs de ce classeur",
        "sheet": "Feuille",
        "vendor": "Fournisseur",
        "hint": "Notez chaque critère en colonne E ({scale} ou N/A) et ajoutez un commentaire en colonne F.",
        "id": "ID",
        "category": "Catégorie",
        "criterion": "Critère",
        "comment": "Commentaire",
        "prompt_title": "Note",
        "prompt": "{scale}, ou N/A si vous n'avez pas pu évaluer.",
        "error_title": "Note invalide",
        "error": "Choisissez une valeur de la liste : {scale}, ou N/A.",
        "scale_text": "de 0 à {max}",
        "scale_step_text": "de 0 à {max} par pas de {step}",
    },
}

_BLUE = "1F4E79"


@dataclass(frozen=True)
class _Styles:
    """The openpyxl styles of the template, built on first use (not at import)."""

    header_font: Any
    header_fill: Any
    input_fill: Any
    wrap: Any
    box: Any
    unlocked: Any


@cache
def _styles() -> _Styles:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    thin = Side(style="thin", color="BFBFBF")
    return _Styles(
        header_font=Font(bold=True, color="FFFFFF"),
        header_fill=PatternFill("solid", fgColor=_BLUE),
        input_fill=PatternFill("solid", fgColor="FFF2CC"),
        wrap=Alignment(wrap_text=True, vertical="top"),
        box=Border(left=thin, right=thin, top=thin, bottom=thin),
        unlocked=Protection(locked=False),
    )


@dataclass(frozen=True)
class WorkbookSpec:
    """Everything a score workbook shows, as plain typed values taken from the campaign."""

    campaign_id: str
    campaign_name: str
    criteria: CriteriaSet
    vendors: tuple[Vendor, ...]
    scale: Scale
    scale_labels: Mapping[float, str]
    language: str = "en"
    organisation: str = ""
    deadline: dt.date | None = None
    tester_instructions: str = ""
    contact: str = ""
    #: the campaign's secret (tender/collect.py campaign_secret): each workbook carries the key it gives its
    #: tester, so that a workbook edited to name another tester is refused (empty: no key is written)
    secret: bytes = b""

    @property
    def criteria_version(self) -> str:
        """The hash of the criteria written into every workbook: what testers are asked, not the weights."""
        return self.criteria.sheet_version()


def tester_key(secret: bytes, campaign_id: str, tester_id: str) -> str:
    """The key a tester's workbook carries: an HMAC of the campaign's secret, so only `tender sheets` can make it.

    A tester (or a vendor who saw one workbook) can edit the hidden tester ID of a workbook, but cannot
    compute the key of another tester without the secret kept in the campaign's .tender folder. Empty
    without a secret.
    """
    if not secret:
        return ""
    import hashlib
    import hmac

    message = f"{campaign_id}\x00{tester_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:24]


def format_number(value: float, language: str) -> str:
    """A score as people write it: 4 rather than 4.0, and 4,5 in French."""
    text = Scale.label(value)
    return text.replace(".", ",") if language == "fr" else text


def scale_text(scale: Scale, language: str) -> str:
    """The valid range in words, e.g. '0 to 5' or 'de 0 à 10 par pas de 0,5'."""
    texts = TEXTS[language]
    maximum = format_number(scale.max, language)
    if scale.step == 1:
        return texts["scale_text"].format(max=maximum)
    return texts["scale_step_text"].format(max=maximum, step=format_number(scale.step, language))


def format_deadline(deadline: dt.date | None, language: str) -> str:
    """The deadline as a long date in ``language``."""
    if deadline is None:
        return TEXTS[language]["no_deadline"]
    from babel.dates import format_date

    return str(format_date(deadline, format="long", locale=DATE_LOCALES[language]))


def sheet_titles(vendors: Sequence[Vendor], language: str) -> dict[str, str]:
    """A valid, unique sheet title per vendor ID (Excel: at most 31 characters, no []:*?/\\)."""
    taken = {TEXTS[language]["instructions_sheet"].lower(), META_SHEET}
    titles: dict[str, str] = {}
    for vendor in vendors:
        base = _INVALID_SHEET_CHARS.sub(" ", vendor.name).strip().strip("'").strip() or vendor.id
        base = " ".join(base.split())[:31].strip()
        title, counter = base, 2
        while title.lower() in taken:
            suffix = f" ({counter})"
            title, counter = base[: 31 - len(suffix)].rstrip() + suffix, counter + 1
        taken.add(title.lower())
        titles[vendor.id] = title
    return titles


@dataclass(frozen=True)
class WorkbookTemplate:
    """A saved template (xlsx members) whose tester fields are placeholders, ready to personalise."""

    members: tuple[tuple[zipfile.ZipInfo, bytes], ...]
    #: names of the members holding a placeholder (openpyxl writes strings inline, in the sheets).
    personal: frozenset[str]
    campaign_id: str = ""
    secret: bytes = b""

    def render(self, tester: Tester) -> bytes:
        """The workbook of one tester: the template with this tester's ID and name filled in."""
        # html.escape, not xml.sax.saxutils.escape (the same three replacements): saxutils imports urllib.request,
        # http.client and ssl, 15 ms at the start of every `tender collect` and `tender sheets`.
        tester_id = html.escape(check_text(tester.id, f"tester ID {tester.id!r}"), quote=False)
        name = html.escape(check_text(tester.name, f"name of tester {tester.id}"), quote=False)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for info, data in self.members:
                if info.filename in self.personal:
                    key = tester_key(self.secret, self.campaign_id, tester.id)
                    text = data.decode("utf-8").replace(_TESTER_ID, tester_id).replace(_TESTER_NAME, name)
                    text = text.replace(_TESTER_KEY, key)
                    data = text.encode("utf-8")
                archive.writestr(info, data)
        return buffer.getvalue()


def build_template(spec: WorkbookSpec) -> WorkbookTemplate:
    """Build the workbook once with openpyxl; per-tester copies only change the tester fields."""
    if spec.language not in TEXTS:
        raise ValueError(f"language {spec.language!r} is not one of {', '.join(TEXTS)}")
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.protection import WorkbookProtection

    titles = sheet_titles(spec.vendors, spec.language)
    wb = Workbook()
    _instructions_sheet(wb.active, spec, titles)
    last = _meta_sheet(wb.create_sheet(META_SHEET), spec, titles)
    column = get_column_letter(META_VALUES_COLUMN)
    values_ref = f"'{META_SHEET}'!${column}$2:${column}${last}"
    for index, vendor in enumerate(spec.vendors):
        # Vendor sheets go between the instructions and the hidden metadata sheet.
        _vendor_sheet(wb.create_sheet(titles[vendor.id], index + 1), spec, vendor, values_ref)
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    wb.properties.creator = CREATOR
    wb.properties.title = check_text(spec.campaign_name, "campaign name")
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        members = tuple((info, archive.read(info)) for info in archive.infolist())
    markers = (_TESTER_ID.encode(), _TESTER_NAME.encode(), _TESTER_KEY.encode())
    personal = frozenset(i.filename for i, data in members if any(marker in data for marker in markers))
    text = b"".join(data for info, data in members if info.filename in personal)
    # The placeholders must appear exactly where the template put them, or render() would miss or over-replace.
    if tuple(text.count(marker) for marker in markers) != (2, 1, 1):
        raise ValueError("a campaign text contains a reserved placeholder word; change it")
    return WorkbookTemplate(members, personal, spec.campaign_id, spec.secret)


def write_workbooks(
    spec: WorkbookSpec,
    testers: Sequence[Tester],
    outdir: Path,
    progress: Callable[[int], None] | None = None,
) -> tuple[Path, ...]:
    """Write ``<tester id>.xlsx`` for every tester into ``outdir``, each atomically.

    Every text is checked before the first file is written: a bad name stops the run with
    no workbook half sent.
    """
    template = build_template(spec)
    for tester in testers:
        check_text(tester.id, f"tester ID {tester.id!r}")
        check_text(tester.name, f"name of tester {tester.id}")
    written: list[Path] = []
    for tester in testers:
        target = Path(outdir) / f"{tester.id}.xlsx"
        written.append(write_bytes_atomic(target, template.render(tester), sync_name=False))
        if progress is not None:
            progress(1)
    if written:
        # The workbooks' names are made durable once for the folder, not once per workbook.
        sync_folder(Path(outdir))
    return tuple(written)


def _text(ws: Worksheet, row: int, column: int, value: str, what: str) -> None:
    cell = ws.cell(row=row, column=column)
    set_text(cell, check_text(value, what))
    cell.alignment = _styles().wrap


def _instructions_sheet(ws: Worksheet, spec: WorkbookSpec, titles: Mapping[str, str]) -> None:
    from openpyxl.styles import Alignment, Font

    texts = TEXTS[spec.language]
    ws.title = texts["instructions_sheet"]
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 90
    ws.sheet_view.showGridLines = False
    row = 1
    _text(ws, row, 1, spec.campaign_name, "campaign name")
    ws.cell(row=row, column=1).font = Font(bold=True, size=15, color=_BLUE)
    ws.cell(row=row, column=1).alignment = Alignment(vertical="top")
    if spec.organisation:
        row += 1
        _text(ws, row, 1, spec.organisation, "organisation")
        ws.cell(row=row, column=1).alignment = Alignment(vertical="top")
    row += 2
    deadline = format_deadline(spec.deadline, spec.language)
    for label, value in ((texts["tester"], f"{_TESTER_NAME} ({_TESTER_ID})"), (texts["deadline"], deadline)):
        _label(ws, row, label)
        _text(ws, row, 2, value, label)
        row += 1
    row += 1
    steps = [texts[f"fill_{k}"] for k in range(1, 6)]
    sections = (
        (texts["how_to_test"], [spec.tester_instructions or texts["default_test"]]),
        (texts["how_to_fill"], [f"{k}. {s}" for k, s in enumerate(steps, start=1)]),
    )
    for heading, paragraphs in sections:
        _heading(ws, row, heading)
        row += 1
        for paragraph in paragraphs:
            _text(ws, row, 2, paragraph, heading)
            ws.row_dimensions[row].height = _height(paragraph, 90)
            row += 1
        row += 1
    _heading(ws, row, texts["scale"])
    row += 1
    _table_header(ws, row, (texts["score"], texts["meaning"]))
    row += 1
    for score in spec.scale.values:
        ws.cell(row=row, column=1, value=_number(score)).alignment = Alignment(horizontal="left")
        _text(ws, row, 2, spec.scale_labels.get(score, ""), "scale label")
        row += 1
    _text(ws, row, 1, NA_TEXT, "N/A")
    _text(ws, row, 2, texts["na_meaning"], "N/A")
    row += 2
    _heading(ws, row, texts["return"])
    row += 1
    contact = spec.contact or texts["team"]
    # Without a deadline the sentence points to the invitation rather than reading "by see your invitation".
    paragraph = texts["return_text" if spec.deadline else "return_text_open"].format(contact=contact, deadline=deadline)
    _text(ws, row, 2, paragraph, "contact")
    ws.row_dimensions[row].height = _height(paragraph, 90)
    row += 2
    _heading(ws, row, texts["vendors"])
    row += 1
    _table_header(ws, row, (texts["sheet"], texts["vendor"]))
    for vendor in spec.vendors:
        row += 1
        _text(ws, row, 1, titles[vendor.id], "sheet title")
        _text(ws, row, 2, vendor.name, f"name of vendor {vendor.id}")
    print_on_a4(ws)
    _protect(ws)


def _label(ws: Worksheet, row: int, text: str) -> None:
    from openpyxl.styles import Font

    _text(ws, row, 1, text, "label")
    ws.cell(row=row, column=1).font = Font(bold=True)


def _heading(ws: Worksheet, row: int, text: str) -> None:
    from openpyxl.styles import Alignment, Font

    _text(ws, row, 1, text, "heading")
    ws.cell(row=row, column=1).font = Font(bold=True, size=12, color=_BLUE)
    ws.cell(row=row, column=1).alignment = Alignment(vertical="top")


def _table_header(ws: Worksheet, row: int, titles: Sequence[str]) -> None:
    for column, title in enumerate(titles, start=1):
        _text(ws, row, column, title, "header")
        ws.cell(row=row, column=column).font = _styles().header_font
        ws.cell(row=row, column=column).fill = _styles().header_fill


def _vendor_sheet(ws: Worksheet, spec: WorkbookSpec, vendor: Vendor, values_ref: str) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    style = _styles()
    texts = TEXTS[spec.language]
    scale = scale_text(spec.scale, spec.language)
    _label(ws, VENDOR_ID_ROW, texts["vendor"])
    _text(ws, VENDOR_ID_ROW, VENDOR_ID_COLUMN, vendor.id, "vendor ID")
    ws.cell(row=VENDOR_ID_ROW, column=VENDOR_ID_COLUMN).font = Font(bold=True)
    _text(ws, VENDOR_ID_ROW, TITLE_COLUMN, vendor.name, f"name of vendor {vendor.id}")
    ws.cell(row=VENDOR_ID_ROW, column=TITLE_COLUMN).font = Font(bold=True, size=14, color=_BLUE)
    ws.cell(row=VENDOR_ID_ROW, column=TITLE_COLUMN).alignment = Alignment(vertical="top")
    ws.row_dimensions[VENDOR_ID_ROW].height = 21
    _text(ws, 2, TITLE_COLUMN, texts["hint"].format(scale=scale), "hint")
    ws.cell(row=2, column=TITLE_COLUMN).alignment = Alignment(vertical="top")
    headers = (texts["id"], texts["category"], texts["criterion"], texts["how_to_test"], texts["score"])
    for column, title in enumerate((*headers, texts["comment"]), start=1):
        _text(ws, HEADER_ROW, column, title, "header")
        cell = ws.cell(row=HEADER_ROW, column=column)
        cell.font, cell.fill, cell.border = style.header_font, style.header_fill, style.box
    for column, width in _WIDTHS.items():
        ws.column_dimensions[get_column_letter(column)].width = width
    names = {c.id: c.name for c in spec.criteria.categories}
    row = FIRST_ROW
    for crit in spec.criteria.criteria:
        values = {
            ID_COLUMN: crit.id,
            CATEGORY_COLUMN: names.get(crit.category, crit.category),
            TITLE_COLUMN: crit.title,
            HOW_COLUMN: crit.how_to_test,
        }
        for column, value in values.items():
            _text(ws, row, column, value, f"criterion {crit.id}")
            ws.cell(row=row, column=column).border = style.box
        for column in (SCORE_COLUMN, COMMENT_COLUMN):
            cell = ws.cell(row=row, column=column)
            cell.protection, cell.fill, cell.border, cell.alignment = (
                style.unlocked,
                style.input_fill,
                style.box,
                style.wrap,
            )
        ws.cell(row=row, column=SCORE_COLUMN).alignment = Alignment(horizontal="center", vertical="top")
        ws.row_dimensions[row].height = max(_height(str(v), _WIDTHS[c]) for c, v in values.items() if c != ID_COLUMN)
        row += 1
    last = row - 1
    picker = DataValidation(
        type="list",
        formula1=values_ref,
        allow_blank=True,
        showDropDown=False,  # openpyxl's name is inverted: False shows the in-cell arrow
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle=texts["error_title"],
        error=texts["error"].format(scale=scale),
        promptTitle=texts["prompt_title"],
        prompt=texts["prompt"].format(scale=scale),
    )
    ws.add_data_validation(picker)
    score_letter = get_column_letter(SCORE_COLUMN)
    picker.add(f"{score_letter}{FIRST_ROW}:{score_letter}{max(last, FIRST_ROW)}")
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1)
    ws.page_setup.orientation = "landscape"
    print_on_a4(ws)
    # Every printed page names its vendor (rows 1-3 repeat) and says which page of which sheet it is.
    ws.print_title_rows = f"{VENDOR_ID_ROW}:{HEADER_ROW}"
    ws.oddFooter.center.text = texts["footer"]
    _protect(ws)


def _meta_sheet(ws: Worksheet, spec: WorkbookSpec, titles: Mapping[str, str]) -> int:
    """Fill the hidden metadata sheet; return the last row of the valid-values list."""
    rows: list[tuple[str, ...]] = [
        (META_SIGNATURE,),
        ("campaign_id", spec.campaign_id),
        ("campaign_name", spec.campaign_name),
        ("criteria_version", spec.criteria_version),
        ("tester_id", _TESTER_ID),
        ("template_version", TEMPLATE_VERSION),
        ("language", spec.language),
        ("scale_max", Scale.label(spec.scale.max)),
        ("scale_step", Scale.label(spec.scale.step)),
        ("tester_key", _TESTER_KEY),
    ]
    rows.extend(("vendor", vendor.id, titles[vendor.id]) for vendor in spec.vendors)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            set_text(ws.cell(row=r, column=c), check_text(value, f"metadata {values[0]}"))
    set_text(ws.cell(row=1, column=META_VALUES_COLUMN), "values")
    valid: list[object] = [_number(v) for v in spec.scale.values]
    for r, item in enumerate([*valid, NA_TEXT], start=2):
        cell = ws.cell(row=r, column=META_VALUES_COLUMN)
        if isinstance(item, str):
            set_text(cell, item)
        else:
            cell.value = item
    # Not listed by the spreadsheet's "Unhide" dialog (an .ods keeps it merely hidden); intake checks it anyway.
    ws.sheet_state = "veryHidden"
    _protect(ws)
    return len(valid) + 2


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _height(text: str, width: float) -> float:
    """Row height (points) that shows ``text`` wrapped in a column ``width`` characters wide."""
    per_line = max(1.0, width * 1.15)
    lines = sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
    return 15.0 * max(1, lines) + 2


def _protect(ws: Worksheet) -> None:
    # No password: protection prevents accidents, not determined edits (DESIGN.md section 4).
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # testers may still widen columns and rows
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


def fill_workbook(template: Path, target: Path, answers: Mapping[str, Mapping[str, tuple[object, str]]]) -> Path:
    """Type answers into a tester's workbook as the tester would, and save it as ``target``.

    ``answers[vendor_id][criterion_id] = (score, comment)``; the score is a number,
    a text such as ``"4,5"`` or ``"N/A"``, or None to leave the cell empty. The
    score goes into the first unlocked cell of the criterion's row and the
    comment into the next one, found through the sheet's protection as the
    workbook contract says.
    """
    from openpyxl import load_workbook

    wb = load_workbook(template)
    sheets: dict[str, Worksheet] = {}
    for ws in wb.worksheets:
        vendor_id = ws.cell(row=VENDOR_ID_ROW, column=VENDOR_ID_COLUMN).value
        if ws.sheet_state == "visible" and isinstance(vendor_id, str):
            sheets[vendor_id] = ws
    unknown = sorted(set(answers) - set(sheets))
    if unknown:
        raise ValueError(f"{template.name} has no sheet for vendor(s) {', '.join(unknown)}")
    for vendor_id, by_criterion in answers.items():
        ws = sheets[vendor_id]
        rows = {
            str(ws.cell(row=r, column=ID_COLUMN).value): r
            for r in range(FIRST_ROW, ws.max_row + 1)
            if ws.cell(row=r, column=ID_COLUMN).value is not None
        }
        missing = sorted(set(by_criterion) - set(rows))
        if missing:
            raise ValueError(f"{template.name}, sheet {ws.title}: no row for criterion(s) {', '.join(missing)}")
        for criterion_id, (score, comment) in by_criterion.items():
            row = rows[criterion_id]
            unlocked = [c for c in ws[row] if c.protection is not None and c.protection.locked is False]
            if len(unlocked) < 2:
                raise ValueError(f"{template.name}, sheet {ws.title}, row {row}: fewer than two unlocked cells")
            score_cell, comment_cell = unlocked[0], unlocked[1]
            if isinstance(score, str):
                set_text(score_cell, score)
            else:
                score_cell.value = score
            if comment:
                set_text(comment_cell, comment)
            else:
                comment_cell.value = None
    save_workbook(wb, target)
    return Path(target)
