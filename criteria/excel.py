"""Read and write criteria.xlsx: sheet Categories(id, name, weight) and sheet Criteria."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from criteria.errors import DataError, Location, raise_all
from criteria.model import ID_PATTERN, Category, CriteriaSet, Criterion, Priority, validate_tree
from criteria.safe import check_text, save_workbook, set_text
from criteria.sheets import as_number, as_text, explain_formulas, open_workbook, read_table, without_repeats

if TYPE_CHECKING:
    # openpyxl is imported where a workbook is written: commands that only read never pay for it.
    from openpyxl.worksheet.worksheet import Worksheet

CATEGORY_SHEETS = ("Categories", "Catégories", "Categorie", "Catégorie")
CRITERIA_SHEETS = ("Criteria", "Critères", "Criteres", "Critère")

CATEGORY_COLUMNS = {
    "id": ("code", "identifiant"),
    "name": ("nom", "libellé", "libelle", "title", "titre"),
    "weight": ("poids", "pondération", "ponderation"),
}
CRITERIA_COLUMNS = {
    "id": ("code", "identifiant", "criterion", "critère"),
    "category": ("catégorie", "categorie", "category id"),
    "title": ("titre", "name", "nom", "libellé"),
    "description": ("descriptif", "détail", "detail"),
    "priority": ("priorité", "priorite", "moscow"),
    "weight": ("poids", "pondération", "ponderation"),
    "how_to_test": ("how to test", "comment tester", "test", "procédure de test"),
}

HEADERS = {
    "en": {
        "Categories": ("id", "name", "weight"),
        "Criteria": ("id", "category", "title", "description", "priority", "weight", "how_to_test"),
    },
    "fr": {
        "Categories": ("id", "nom", "poids"),
        "Criteria": ("id", "catégorie", "titre", "description", "priorité", "poids", "comment tester"),
    },
}
SHEET_TITLES = {"en": ("Categories", "Criteria"), "fr": ("Catégories", "Critères")}

#: The largest weight of a category or criterion: far beyond any real weighting, far below where sums of
#: weights overflow (two weights of 1e308 made every vendor "not assessed").
MAX_WEIGHT = 1_000_000


def shown(value: object, number: float) -> str:
    """A cell's value as the user typed it, or in scientific notation when that is long (1e308 has 309 digits)."""
    text = as_text(value)
    return text if len(text) <= 20 else f"{number:g}"


def read_criteria(path: Path) -> CriteriaSet:
    """Load and validate criteria.xlsx; every problem is reported, with file, sheet and cell."""
    workbook = open_workbook(path)
    errors: list[DataError] = []
    cat_sheet, cat_rows, _ = read_table(
        path, CATEGORY_SHEETS, CATEGORY_COLUMNS, ("id", "weight"), workbook, errors=errors
    )
    categories: list[Category] = []
    category_rows: list[int] = []
    for row in cat_rows:
        cid = _read_id(row.values["id"], row.where(path, cat_sheet, "id"), errors)
        weight = _read_weight(row.values["weight"], row.where(path, cat_sheet, "weight"), errors)
        if cid is not None:
            # A category whose weight is refused stays known (weighing 0, never returned: its error is raised),
            # so that its criteria are not each reported as naming an unknown category.
            categories.append(Category(cid, as_text(row.values.get("name")) or cid, 0.0 if weight is None else weight))
            category_rows.append(row.number)

    crit_sheet, crit_rows, _ = read_table(
        path,
        CRITERIA_SHEETS,
        CRITERIA_COLUMNS,
        ("id", "category", "title", "priority", "weight"),
        workbook,
        errors=errors,
    )
    criteria: list[Criterion] = []
    criterion_rows: list[int] = []
    for row in crit_rows:
        cid = _read_id(row.values["id"], row.where(path, crit_sheet, "id"), errors)
        weight = _read_weight(row.values["weight"], row.where(path, crit_sheet, "weight"), errors)
        title = as_text(row.values["title"])
        if not title:
            errors.append(DataError.of("title_empty", row.where(path, crit_sheet, "title")))
        try:
            priority = Priority.from_alias(row.values["priority"])
        except ValueError:
            where = row.where(path, crit_sheet, "priority")
            errors.append(DataError.of("priority_invalid", where, value=row.values["priority"]))
            priority = None
        if cid is not None and weight is not None and title and priority is not None and not row.refused:
            criteria.append(
                Criterion(
                    id=cid,
                    category=as_text(row.values["category"]),
                    title=title,
                    description=as_text(row.values.get("description")),
                    priority=priority,
                    weight=weight,
                    how_to_test=as_text(row.values.get("how_to_test")),
                )
            )
            criterion_rows.append(row.number)
    # Structural checks run even when some cells were wrong, so one pass reports everything;
    # the checks that need every row wait until all rows could be read.
    sheets = {"Categories": (cat_sheet, category_rows), "Criteria": (crit_sheet, criterion_rows)}
    tree_errors = validate_tree(categories, criteria, complete=not errors)
    errors.extend(_locate(e, path, sheets) for e in tree_errors)
    raise_all(explain_formulas(without_repeats(errors), path, [cat_sheet, crit_sheet]))
    return CriteriaSet(tuple(categories), tuple(criteria))


def _locate(error: DataError, path: Path, sheets: dict[str, tuple[str, list[int]]]) -> DataError:
    """Point a structural error at its sheet and, when it is about one item, at that item's row."""
    sheet, rows = sheets[error.where.sheet or "Criteria"]
    row = rows[error.item] if error.item is not None else None
    return error.at(Location(path, sheet, row=row))


def _read_id(value: object, where: Location, errors: list[DataError]) -> str | None:
    text = as_text(value)
    if not text:
        errors.append(DataError.of("id_empty", where))
        return None
    if not ID_PATTERN.match(text):
        errors.append(DataError.of("id_invalid", where, id=text))
        return None
    return text


def _read_weight(value: object, where: Location, errors: list[DataError]) -> float | None:
    number = as_number(value)
    if number is None or number < 0:
        errors.append(DataError.of("weight_invalid", where, value=as_text(value)))
        return None
    if number > MAX_WEIGHT:
        errors.append(DataError.of("weight_too_large", where, value=shown(value, number), limit=MAX_WEIGHT))
        return None
    return number


def write_criteria(criteria: CriteriaSet, path: Path, language: str = "en") -> Path:
    """Write criteria.xlsx for people to edit (headers in ``language``), atomically."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    headers = HEADERS[language]
    cat_title, crit_title = SHEET_TITLES[language]
    wb = Workbook()
    ws = wb.active
    ws.title = cat_title
    _header(ws, headers["Categories"], (12, 48, 10))
    for cat in criteria.categories:
        _row(ws, (cat.id, cat.name, cat.weight))
    ws2 = wb.create_sheet(crit_title)
    _header(ws2, headers["Criteria"], (10, 10, 40, 70, 11, 9, 60))
    for c in criteria.criteria:
        _row(ws2, (c.id, c.category, c.title, c.description, c.priority.value, c.weight, c.how_to_test))
    picker = DataValidation(type="list", formula1='"MUST,SHOULD,COULD"', allow_blank=False)
    ws2.add_data_validation(picker)
    picker.add(f"E2:E{max(2, len(criteria.criteria) + 200)}")
    save_workbook(wb, path)
    return path


def _header(ws: Worksheet, titles: tuple[str, ...], widths: tuple[int, ...]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F4E79")
    for index, (title, width) in enumerate(zip(titles, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=index)
        set_text(cell, title)
        cell.font, cell.fill = bold, fill
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"


def _row(ws: Worksheet, values: tuple[object, ...]) -> None:
    from openpyxl.styles import Alignment

    row = ws.max_row + 1
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=index)
        if isinstance(value, str):
            set_text(cell, check_text(value, f"{ws.title} row {row}"))
        else:
            cell.value = value
        cell.alignment = wrap
