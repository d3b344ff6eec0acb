"""Read and write vendors.xlsx and testers.xlsx, reporting every problem with its cell."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from criteria.errors import DataError, Location, raise_all
from criteria.excel import shown
from criteria.model import ID_PATTERN, id_clash
from criteria.safe import check_text, save_workbook, set_text
from criteria.sheets import Row, as_number, as_text, explain_formulas, read_table, without_repeats
from vendors.model import Tester, Vendor

VENDOR_COLUMNS = {
    "id": ("code", "identifiant", "vendor id"),
    "name": ("nom", "vendor", "fournisseur", "raison sociale"),
    "setup_cost": ("setup", "frais de mise en place", "cout de mise en place", "one-off cost"),
    "price_per_user_month": ("price per user per month", "prix par utilisateur par mois", "prix utilisateur mois"),
    "annual_fixed_cost": ("annual fixed", "cout fixe annuel", "frais fixes annuels"),
}
TESTER_COLUMNS = {
    "id": ("code", "identifiant", "tester id", "testeur"),
    "name": ("nom", "full name", "nom complet"),
    "email": ("e-mail", "mail", "courriel", "adresse e-mail"),
}
VENDOR_HEADERS = {
    "en": ("id", "name", "setup_cost", "price_per_user_month", "annual_fixed_cost"),
    "fr": ("id", "nom", "frais de mise en place", "prix par utilisateur par mois", "coût fixe annuel"),
}
TESTER_HEADERS = {"en": ("id", "name", "email"), "fr": ("id", "nom", "courriel")}
#: The largest setup cost, price per user per month or annual fixed cost: far beyond any real offer, far
#: below where the total cost of ownership overflows (1e308 gave a TCO of €∞ and broke the JSON export).
MAX_COST = 1e12


def read_vendors(path: Path) -> tuple[Vendor, ...]:
    """Load vendors.xlsx: one vendor per row, costs as numbers (blank setup/fixed costs are 0)."""
    errors: list[DataError] = []
    sheet, rows, extra_columns = read_table(
        path,
        ("Vendors", "Fournisseurs", "Vendeurs"),
        VENDOR_COLUMNS,
        ("id", "name"),
        first_if_missing=True,
        errors=errors,
    )
    vendors: list[Vendor] = []
    placed: list[tuple[str, Location]] = []  # each ID with its cell, for a repeated one
    for row in rows:
        vid = _read_id(row, path, sheet, errors)
        if vid:
            placed.append((vid, row.where(path, sheet, "id")))
        name = as_text(row.values["name"])
        if not name:
            errors.append(DataError.of("vendor_name_empty", row.where(path, sheet, "name")))
        costs = {
            key: _read_cost(row, key, path, sheet, errors)
            for key in ("setup_cost", "price_per_user_month", "annual_fixed_cost")
        }
        if vid and name and not row.refused:
            vendors.append(
                Vendor(
                    id=vid,
                    name=name,
                    setup_cost=costs["setup_cost"] or 0.0,
                    price_per_user_month=costs["price_per_user_month"],
                    annual_fixed_cost=costs["annual_fixed_cost"] or 0.0,
                    extra={k: as_text(row.extra[k]) for k in extra_columns},
                )
            )
    _check_unique(placed, "vendor", errors)
    if not rows:
        errors.append(DataError.of("no_vendor", Location(path, sheet)))
    raise_all(explain_formulas(without_repeats(errors), path, [sheet]))
    return tuple(vendors)


def read_testers(path: Path) -> tuple[Tester, ...]:
    """Load testers.xlsx: id, name, email and any number of group columns."""
    errors: list[DataError] = []
    sheet, rows, group_columns = read_table(
        path, ("Testers", "Testeurs", "Pilotes"), TESTER_COLUMNS, ("id",), first_if_missing=True, errors=errors
    )
    testers: list[Tester] = []
    placed: list[tuple[str, Location]] = []
    for row in rows:
        tid = _read_id(row, path, sheet, errors)
        if tid:
            placed.append((tid, row.where(path, sheet, "id")))
        email = as_text(row.values.get("email"))
        if email and "@" not in email:
            errors.append(DataError.of("email_invalid", row.where(path, sheet, "email"), email=email))
        if tid and not row.refused:
            testers.append(
                Tester(
                    id=tid,
                    name=as_text(row.values.get("name")) or tid,
                    email=email,
                    groups={g: as_text(row.extra[g]) for g in group_columns},
                )
            )
    _check_unique(placed, "tester", errors)
    if not rows:
        errors.append(DataError.of("no_tester", Location(path, sheet)))
    raise_all(explain_formulas(without_repeats(errors), path, [sheet]))
    return tuple(testers)


def group_columns(testers: Sequence[Tester]) -> tuple[str, ...]:
    """The group columns of testers.xlsx (e.g. department, level, generation), in file order."""
    return tuple(testers[0].groups) if testers else ()


def _read_id(row: Row, path: Path, sheet: str, errors: list[DataError]) -> str:
    text = as_text(row.values["id"])
    if not text:
        errors.append(DataError.of("id_empty", row.where(path, sheet, "id")))
    elif not ID_PATTERN.match(text):
        errors.append(DataError.of("id_invalid", row.where(path, sheet, "id"), id=text))
        return ""
    return text


_CURRENCY = re.compile(r"[€$£¥]|\b(?:EUR|USD|GBP|CHF)\b", re.IGNORECASE)


def _read_cost(row: Row, key: str, path: Path, sheet: str, errors: list[DataError]) -> float | None:
    if key not in row.values or as_text(row.values[key]) == "":
        return None
    value = row.values[key]
    if isinstance(value, str):
        # People type amounts as they read them: "€ 12 000", "300 EUR".
        value = _CURRENCY.sub("", value)
    number = as_number(value)
    if number is None or number < 0:
        errors.append(
            DataError.of("cost_invalid", row.where(path, sheet, key), column=key, value=as_text(row.values[key]))
        )
        return None
    if number > MAX_COST:
        where = row.where(path, sheet, key)
        errors.append(
            DataError.of("amount_too_large", where, column=key, value=shown(row.values[key], number), limit=MAX_COST)
        )
        return None
    return number


def _check_unique(ids: list[tuple[str, Location]], what: str, errors: list[DataError]) -> None:
    """An error at the cell of every ID that repeats an earlier one (exactly or but for case)."""
    spellings: dict[str, str] = {}
    for item, where in ids:
        if (clash := id_clash(what, item, spellings)) is not None:
            errors.append(clash.at(where))


def write_vendors(vendors: Sequence[Vendor], path: Path, language: str = "en") -> Path:
    """Write vendors.xlsx (headers in ``language``) atomically."""
    extra = list(dict.fromkeys(k for v in vendors for k in v.extra))
    rows = [
        (v.id, v.name, v.setup_cost, v.price_per_user_month, v.annual_fixed_cost, *(v.extra.get(k, "") for k in extra))
        for v in vendors
    ]
    return _write_table(
        path, "Fournisseurs" if language == "fr" else "Vendors", (*VENDOR_HEADERS[language], *extra), rows
    )


def write_testers(testers: Sequence[Tester], path: Path, language: str = "en") -> Path:
    """Write testers.xlsx (headers in ``language``, then the group columns) atomically."""
    groups = list(group_columns(testers))
    rows = [(t.id, t.name, t.email, *(t.groups.get(g, "") for g in groups)) for t in testers]
    return _write_table(path, "Testeurs" if language == "fr" else "Testers", (*TESTER_HEADERS[language], *groups), rows)


def _write_table(path: Path, title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    # openpyxl is imported here, where a workbook is written: commands that only read never pay for it.
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = title
    bold, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E79")
    for col, header in enumerate(headers, start=1):
        cell = set_text(ws.cell(row=1, column=col), check_text(str(header), f"{path.name} header"))
        cell.font, cell.fill = bold, fill
        ws.column_dimensions[get_column_letter(col)].width = max(12, min(40, len(str(header)) + 4))
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col)
            if isinstance(value, str):
                set_text(cell, check_text(value, f"{path.name} row {r}"))
            else:
                cell.value = value
    ws.freeze_panes = "A2"
    save_workbook(wb, path)
    return path
