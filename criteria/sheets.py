"""Read a table from a spreadsheet (xlsx, ods, xls) without trusting type inference."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from criteria.errors import DataError, Location, raise_all
from criteria.safe import UNSAFE_CHARACTERS

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls")
MAX_CAMPAIGN_FILE_BYTES = 20 * 1024 * 1024


def normalise(text: object) -> str:
    """Fold case, accents and spacing so that 'Catégorie ' matches 'categorie'."""
    folded = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(folded.replace("_", " ").lower().split())


@dataclass(frozen=True)
class Row:
    """One data row: its 1-based row number and its values keyed by canonical column."""

    number: int
    values: Mapping[str, Any]
    letters: Mapping[str, str]
    extra: Mapping[str, Any]
    #: the columns (keys of ``values``, titles of ``extra``) whose text was refused (see :func:`unsafe_text`):
    #: their value is None here, their error is with the table's, the row is not to be used
    refused: frozenset[str] = frozenset()

    def where(self, path: Path, sheet: str, key: str | None = None) -> Location:
        """The location of this row, or of one of its cells."""
        if key is None:
            return Location(path, sheet, row=self.number)
        return Location(path, sheet, cell=f"{self.letters[key]}{self.number}")


def column_letter(number: int) -> str:
    """The letters of a 1-based column number (1 -> A, 27 -> AA), without importing openpyxl for it."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def open_workbook(path: Path) -> Any:
    """Open a spreadsheet with calamine, turning its failures into one clear error."""
    from python_calamine import CalamineWorkbook

    if not path.exists():
        raise DataError.of("file_not_found", Location(path))
    if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
        raise DataError.of("not_spreadsheet", Location(path), suffixes=", ".join(SPREADSHEET_SUFFIXES))
    if path.stat().st_size > MAX_CAMPAIGN_FILE_BYTES:
        raise DataError.of("file_too_big", Location(path), limit=MAX_CAMPAIGN_FILE_BYTES // 2**20)
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several unrelated types for broken files
        raise DataError.of("unreadable", Location(path), reason=str(exc)) from None


def find_sheet(workbook: Any, path: Path, names: Sequence[str], first_if_missing: bool = False) -> str:
    """The actual name of the first sheet matching one of ``names`` (case and accents ignored)."""
    wanted = [normalise(n) for n in names]
    for actual in workbook.sheet_names:
        if normalise(actual) in wanted:
            return str(actual)
    if first_if_missing and workbook.sheet_names:
        return str(workbook.sheet_names[0])
    raise DataError.of("sheet_missing", Location(path), sheet=names[0], found=", ".join(workbook.sheet_names))


def read_table(
    path: Path,
    sheet_names: Sequence[str],
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str],
    workbook: Any = None,
    first_if_missing: bool = False,
    *,
    errors: list[DataError],
) -> tuple[str, list[Row], list[str]]:
    """Read a header row and the data rows under it.

    ``columns`` maps each canonical key to the header spellings accepted for it.
    Returns the sheet's actual name, the non-empty rows and the names of the
    extra columns (kept in each row's ``extra``). Missing required columns are
    one error listing them all. With ``first_if_missing``, a workbook whose
    sheets have other names is read from its first sheet.

    Every text of the table (header and data) that cannot be written safely (control characters, lone
    surrogates: :func:`criteria.safe.check_text`) is an error added to ``errors``, at its cell; such a data cell
    reads as None and its row says so (``Row.refused``), so that no hostile text goes further than the loader.
    """
    workbook = workbook if workbook is not None else open_workbook(path)
    sheet = find_sheet(workbook, path, sheet_names, first_if_missing)
    ws = workbook.get_sheet_by_name(sheet)
    grid = ws.to_python(skip_empty_area=False)
    # Skip leading blank rows: people often leave a title or a gap above the header.
    header_index = next((i for i, r in enumerate(grid) if any(_is_present(v) for v in r)), None)
    if header_index is None:
        raise DataError.of("sheet_empty", Location(path, sheet))
    header = grid[header_index]
    lookup = {normalise(alias): key for key, aliases in columns.items() for alias in (key, *aliases)}
    positions: dict[str, int] = {}
    extra_positions: dict[str, int] = {}
    refused_titles: list[DataError] = []  # raised with a problem of the header (a refused title may be its cause)
    for index, title in enumerate(header):
        if not _is_present(title):
            continue
        if (problem := unsafe_text(title)) is not None:
            where = Location(path, sheet, cell=f"{column_letter(index + 1)}{header_index + 1}")
            refused_titles.append(DataError.of(problem[0], where, column="header", **problem[1]))
        key = lookup.get(normalise(title))
        if key is None:
            extra_positions[str(title).strip()] = index
        elif key in positions:
            where = Location(path, sheet, cell=f"{column_letter(index + 1)}{header_index + 1}")
            raise_all([*refused_titles, DataError.of("column_twice", where, title=title)])
        else:
            positions[key] = index
    missing = [k for k in required if k not in positions]
    if missing:
        where = Location(path, sheet, row=header_index + 1)
        raise_all([*refused_titles, DataError.of("columns_missing", where, columns=tuple(missing))])
    errors.extend(refused_titles)
    letters = {k: column_letter(i + 1) for k, i in positions.items()}
    # A column is named in an error as the file's header says it; a title refused itself, by its escaped spelling.
    named = {**{k: k for k in positions}, **{t: t if unsafe_text(t) is None else repr(t) for t in extra_positions}}
    rows: list[Row] = []
    for offset, raw in enumerate(grid[header_index + 1 :], start=header_index + 2):
        if not any(_is_present(v) for v in raw):
            continue
        values = {k: _cell(raw, i) for k, i in positions.items()}
        extra = {k: _cell(raw, i) for k, i in extra_positions.items()}
        refused: set[str] = set()
        for cells, places in ((values, positions), (extra, extra_positions)):
            for name, value in cells.items():
                if (problem := unsafe_text(value)) is not None:
                    where = Location(path, sheet, cell=f"{column_letter(places[name] + 1)}{offset}")
                    errors.append(DataError.of(problem[0], where, column=named[name], **problem[1]))
                    cells[name] = None
                    refused.add(name)
        rows.append(Row(offset, values, letters, extra, frozenset(refused)))
    return sheet, rows, list(extra_positions)


#: The keys of the errors :func:`unsafe_text` finds.
UNSAFE_TEXT = ("text_control", "text_surrogate")


def unsafe_text(value: Any) -> tuple[str, dict[str, Any]] | None:
    """The problem (key of criteria/messages.py, values) of a cell's text that cannot be written safely, or None.

    The rule is :func:`criteria.safe.check_text`'s, the one every writer applies: a text it refuses here is one
    a command would refuse later (or print to a terminal). The character named is the first one it refuses.
    """
    found = UNSAFE_CHARACTERS.search(value) if isinstance(value, str) else None
    if found is None:
        return None
    char = found.group()
    if unicodedata.category(char) == "Cs":
        return "text_surrogate", {}  # a lone surrogate: an invalid character
    return "text_control", {"code": f"U+{ord(char):04X}"}


def without_repeats(errors: list[DataError]) -> list[DataError]:
    """``errors`` less those at a cell whose text was refused: that cell is reported once, for its text."""
    refused = {(e.where.path, e.where.sheet, e.where.cell) for e in errors if e.key in UNSAFE_TEXT}
    return [e for e in errors if e.key in UNSAFE_TEXT or (e.where.path, e.where.sheet, e.where.cell) not in refused]


def _cell(raw: Sequence[Any], index: int) -> Any:
    return raw[index] if index < len(raw) else None


def _is_present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """A cell as text: '' for blank, '12' (not '12.0') for a whole number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()


def as_number(value: Any) -> float | None:
    """A cell as a finite number: accepts 4, '4', '4.5', '4,5' and ' 1 200 '; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        if "_" in text:  # float() reads '0_4' as 4: a digit separator of Python, not of anyone typing a number
            return None
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def explain_formulas(errors: list[DataError], path: Path, sheets: Sequence[str]) -> list[DataError]:
    """``errors`` of ``path``, with every formula of ``sheets`` that has no computed value reported as such.

    The reader sees such a cell as empty (a program such as openpyxl wrote the formula and
    nothing computed it), so a price would silently read as "no price" and a weight as an
    empty value. An error already at that cell is replaced by this one; the others are added.
    Costs one search of the file's worksheets at C speed when it holds no formula.
    """
    if path.suffix.lower() not in (".xlsx", ".xlsm") or not _holds_formulas(path):
        return errors
    uncomputed = _uncomputed(path, sheets)
    if not uncomputed:
        return errors
    explained = []
    for error in errors:
        where = error.where
        key = (where.sheet or "", where.cell or "")
        if where.path is not None and Path(where.path) == path and key in uncomputed:
            formula = uncomputed.pop(key)
            explained.append(DataError.of("formula_without_value", where, error.item, formula=formula))
        else:
            explained.append(error)
    for (sheet, cell), formula in uncomputed.items():
        explained.append(DataError.of("formula_without_value", Location(path, sheet, cell=cell), formula=formula))
    return explained


#: A formula tag in a worksheet's XML, with or without a namespace prefix (<f>, <f t="shared" ...>, <x:f>).
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")


def _holds_formulas(path: Path) -> bool:
    """Whether any worksheet of an .xlsx file holds a formula; True when the file cannot tell (look closer)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.filename.startswith("xl/worksheets/"):
                    continue
                with archive.open(info) as stream:
                    tail = b""
                    while chunk := stream.read(2**20):
                        if _FORMULA_TAG.search(tail + chunk):
                            return True
                        tail = chunk[-64:]  # a tag cut between two chunks
    except (OSError, zipfile.BadZipFile, EOFError, ValueError):
        return True
    return False


def _uncomputed(path: Path, sheets: Sequence[str]) -> dict[tuple[str, str], str]:
    """(sheet, cell) -> formula (cut to 40 characters) of every formula of ``sheets`` without a computed value."""
    import warnings

    from openpyxl import load_workbook

    found: dict[tuple[str, str], str] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
            # Not read-only: its empty cells carry no coordinate, and only files that hold formulas come here.
            formulas = load_workbook(path)
            values = load_workbook(path, data_only=True)
    except Exception:  # the file was read once already; a second reader's failure only means no explanation
        return found
    try:
        for sheet in sheets:
            if sheet not in formulas.sheetnames:
                continue
            # A formula is a cell of type 'f' (text typed as '=x' is a string); an array formula keeps its text apart.
            written = {
                cell.coordinate: str(getattr(cell.value, "text", cell.value))
                for row in formulas[sheet].iter_rows()
                for cell in row
                if cell.data_type == "f"
            }
            computed = values[sheet]
            for cell, text in written.items():
                if computed[cell].value is None:
                    found[(sheet, cell)] = text if len(text) <= 40 else text[:39] + "…"
    except Exception:  # a damaged part: no explanation, the errors found by the reader stand
        return found
    finally:
        formulas.close()
        values.close()
    return found
