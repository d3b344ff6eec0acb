"""Files of `tender score`: JSON, formula-safe CSV (UTF-8 with BOM) and XLSX with a Method sheet, written atomically."""

from __future__ import annotations

import json
import math
import re
import textwrap
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from criteria.safe import (
    CREATOR,
    check_text,
    csv_safe,
    print_on_a4,
    save_workbook,
    set_text,
    write_bytes_atomic,
    write_text_atomic,
)
from tender.results import MESSAGES, Evaluation, evaluation_to_dict, ranking_table
from vendors.export import (
    FORMULAS,
    LABELS,
    colon,
    criteria_table,
    method_text,
    vendor_table,
)

FORMATS = ("table", "json", "csv", "xlsx")
#: Display formats of XLSX columns, by canonical name; values keep full precision.
NUMBER_FORMATS = {
    "final_score": "0.00",
    "quality_score": "0.00",
    "price_score": "0.00",
    "tco": "#,##0.00",
    "coverage": "0.0%",
    "effective_weight": "0.0000",
    "score": "0.00",
    "sd": "0.00",
    "contribution": "0.00",
}


def score_output(evaluation: Evaluation, fmt: str, output: Path | None) -> str:
    """Produce `tender score` in ``fmt``; return what to print (the content itself, or the files written)."""
    if fmt == "table":
        return _text_or_file(ranking_table(evaluation), output, evaluation)
    if fmt == "json":
        return _text_or_file(to_json(evaluation), output, evaluation)
    out = evaluation.campaign.paths.out
    if fmt == "csv" and is_stdout(output):
        # Standard output takes one table: the per-vendor one (no byte-order mark in a stream).
        return csv_text(vendor_table(evaluation.result, evaluation.language), "stdout", evaluation.language)
    if fmt == "xlsx" and is_stdout(output):
        raise ValueError("an xlsx workbook cannot be written to standard output")
    if fmt == "csv":
        written = write_csv_exports(evaluation, output or out / "scores.csv")
    elif fmt == "xlsx":
        written = [write_xlsx_export(evaluation, output or out / "scores.xlsx")]
    else:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    return "".join(MESSAGES[evaluation.language]["written"].format(path=p) + "\n" for p in written)


def is_stdout(output: Path | None) -> bool:
    """'-o -' means standard output, as for most command-line tools."""
    return output is not None and str(output) == "-"


def _text_or_file(text: str, output: Path | None, evaluation: Evaluation) -> str:
    if output is None or is_stdout(output):
        return text
    write_text_atomic(output, text)
    return MESSAGES[evaluation.language]["written"].format(path=output) + "\n"


def to_json(evaluation: Evaluation) -> str:
    """The JSON document at full precision; NaN can never appear (undefined values are null)."""
    return json.dumps(evaluation_to_dict(evaluation), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_csv(frame: pd.DataFrame, path: Path, language: str = "en") -> Path:
    """Write ``frame`` as CSV, UTF-8 with a BOM (Excel then reads accents), no cell read as a formula.

    A control character or a lone surrogate is refused, naming its column and row, before the file is touched.
    """
    return write_bytes_atomic(path, csv_text(frame, Path(path).name, language).encode("utf-8-sig"))


#: Field separator and decimal mark of a CSV file, as the spreadsheet programs of each language expect them:
#: Excel and LibreOffice set up in French split fields on ';' and read '2,5' as a number.
CSV_STYLE = {"en": (",", "."), "fr": (";", ",")}
#: Yes/no cells as the spreadsheet programs of each language read them back as booleans (French Excel and
#: LibreOffice take VRAI and FAUX; English ones take True and False, which pandas writes).
CSV_BOOLEANS = {"fr": {True: "VRAI", False: "FAUX"}}


def csv_text(frame: pd.DataFrame, name: str, language: str = "en") -> str:
    """``frame`` as CSV text in which no cell can be read as a formula; ``name`` (the file) is shown in errors.

    Separator and decimal mark follow ``language`` (:data:`CSV_STYLE`).
    """
    for column in frame.columns:
        check_text(str(column), f"{name}, header")
    safe = frame.rename(columns=lambda c: csv_safe(str(c)))
    booleans = CSV_BOOLEANS.get(language)
    for column, original in zip(safe.columns, frame.columns, strict=True):
        if booleans is not None and pd.api.types.is_bool_dtype(safe[column]):
            safe[column] = safe[column].map(booleans)
            continue
        if not pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_bool_dtype(safe[column]):
            for row, value in enumerate(safe[column], start=2):
                if isinstance(value, str):
                    check_text(value, f"{name}, column {original}, row {row}")
            safe[column] = safe[column].map(csv_safe)
    # CRLF ends the records (RFC 4180): a value holding a bare CR is then quoted instead of splitting its row.
    separator, decimal = CSV_STYLE.get(language, CSV_STYLE["en"])
    return str(safe.to_csv(index=False, lineterminator="\r\n", sep=separator, decimal=decimal))


def write_csv_exports(evaluation: Evaluation, target: Path) -> list[Path]:
    """The per-vendor table at ``target``, the per-criterion table and the method beside it."""
    language = evaluation.language
    target = Path(target)
    criteria_path = target.with_name(f"{target.stem}-criteria{target.suffix or '.csv'}")
    method_path = target.with_name(f"{target.stem}-method.txt")
    write_csv(vendor_table(evaluation.result, language), target, language)
    write_csv(criteria_table(evaluation.result, evaluation.campaign.criteria, language), criteria_path, language)
    write_text_atomic(method_path, "\n".join(_method_lines(evaluation)) + "\n")
    return [target, criteria_path, method_path]


def _method_lines(evaluation: Evaluation) -> list[str]:
    """The Method sheet and file: what was scored, the method in words, then the formulas."""
    result, settings = evaluation.result, evaluation.campaign.settings
    head = [
        f"{settings.name} ({settings.campaign_id})",
        f"{LABELS[evaluation.language]['criteria_version']}{colon(evaluation.language)} {result.criteria_version}",
        "",
        LABELS[evaluation.language]["method"],
    ]
    formulas = [f"{key}: {formula}" for key, formula in FORMULAS.items() if not key.startswith("price.")]
    formulas.append(f"price ({result.params.price_formula}): {FORMULAS['price.' + result.params.price_formula]}")
    return [*head, *method_text(result.params, evaluation.language), "", *formulas]


def write_xlsx_export(evaluation: Evaluation, target: Path) -> Path:
    """One workbook: sheet of vendors, sheet of (vendor, criterion) rows, and a Method sheet.

    Category columns are headed by the category's name (and ID), amounts show the campaign's currency, columns
    are as wide as their content (within bounds), and the document says it comes from rse-tender for the campaign.
    """
    language = evaluation.language
    labels = LABELS[language]
    settings = evaluation.campaign.settings
    result, criteria = evaluation.result, evaluation.campaign.criteria
    # openpyxl is imported here, where a workbook is written: the other formats never pay for it.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    headers = {
        f"category:{c.id}": f"{labels['category']}{colon(language)} {c.name} ({c.id})" for c in criteria.categories
    }
    headers["tco"] = labels["tco_in"].format(currency=settings.currency)
    formats = {**NUMBER_FORMATS, "tco": currency_format(settings.currency, language)}
    sheets = [
        (labels["vendors"], vendor_table(result), vendor_table(result, language)),
        (labels["criteria"], criteria_table(result, criteria), criteria_table(result, criteria, language)),
    ]
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = CREATOR
    workbook.properties.title = check_text(settings.name, "campaign name")
    for title, canonical, shown in sheets:
        _write_sheet(workbook.create_sheet(title), shown, list(canonical.columns), headers, formats)
    method = workbook.create_sheet(labels["method"])
    method.column_dimensions["A"].width = 140
    print_on_a4(method)
    for row, text in enumerate(_method_lines(evaluation), start=1):
        cell = set_text(method.cell(row=row, column=1), check_text(text, f"{target.name} sheet {method.title}"))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    method["A1"].font = Font(bold=True)
    save_workbook(workbook, target)
    return Path(target)


#: Bounds of an XLSX column's width, in characters: content longer than the widest wraps in its cell.
COLUMN_WIDTH = (10, 60)
#: A header wraps on several lines: beyond this length it widens its column no further (its longest word aside).
HEADER_WIDTH = 20
#: Height of one line of text in a row, in points (11-point Calibri, openpyxl's default font).
LINE_HEIGHT = 15


def currency_format(currency: str, language: str) -> str:
    """The Excel number format of amounts in ``currency`` as ``language`` writes them: symbol, its place, decimals.

    English puts the symbol first ('"€"#,##0.00'), French after a no-break space ('#,##0.00" €"'); a symbol
    made of letters is kept apart from the digits ('"CHF "#,##0.00'), as CLDR's currency spacing does. The
    grouping and decimal marks are those of the spreadsheet's own locale, as Excel always does.
    """
    from babel import Locale
    from babel.numbers import get_currency_precision, get_currency_symbol

    pattern = Locale.parse(language).currency_formats["standard"].pattern.split(";")[0]
    symbol = get_currency_symbol(currency, locale=language).replace('"', "")
    digits = get_currency_precision(currency)
    number = "#,##0" + ("." + "0" * digits if digits else "")
    found = re.fullmatch(r"([^#0,.]*)[#0,.]+([^#0,.]*)", pattern)
    before, after = found.groups() if found else ("", "\u00a0¤")
    before, after = before.replace("¤", symbol), after.replace("¤", symbol)
    if before and _spaced(before[-1]):
        before += "\u00a0"
    if after and _spaced(after[0]):
        after = "\u00a0" + after
    return (f'"{before}"' if before else "") + number + (f'"{after}"' if after else "")


def _spaced(character: str) -> bool:
    """Whether a currency symbol ending (or starting) with ``character`` needs a space before the digits."""
    return not unicodedata.category(character).startswith(("S", "Z"))


def _shown_length(value: Any, number_format: str | None) -> int:
    """About how many characters a cell shows: the longest line of a text, a number as its format writes it."""
    if value is None:
        return 0
    if isinstance(value, str):
        return max((len(line) for line in value.splitlines()), default=0)
    if isinstance(value, bool):
        return 5  # TRUE, FALSE, VRAI, FAUX
    if not isinstance(value, int | float):
        return len(str(value))
    if not number_format:
        return min(len(str(value)), 11)  # Excel's General format shows at most 11 characters
    literals = "".join(re.findall(r'"([^"]*)"', number_format))
    code = re.sub(r'"[^"]*"', "", number_format)
    percent = code.endswith("%")
    decimals = len(code.rstrip("%").split(".", 1)[1]) if "." in code else 0
    grouping = "," if "," in code else ""
    text = f"{value * 100 if percent else value:{grouping}.{decimals}f}"
    return len(text) + len(literals) + int(percent)


def _header_length(header: str) -> int:
    longest_word = max((len(word) for word in header.split()), default=0)
    return max(longest_word, min(len(header), HEADER_WIDTH))


def _write_sheet(
    ws: Any,
    frame: pd.DataFrame,
    canonical: Sequence[str],
    headers: Mapping[str, str] | None = None,
    number_formats: Mapping[str, str] = NUMBER_FORMATS,
) -> None:
    """``frame`` with its labelled columns (or ``headers``, by canonical name), each as wide as its content."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E79")
    wrap = Alignment(wrap_text=True, vertical="top")
    shown = [(headers or {}).get(name, str(label)) for name, label in zip(canonical, frame.columns, strict=True)]
    for col, header in enumerate(shown, start=1):
        cell = set_text(ws.cell(row=1, column=col), check_text(header, f"sheet {ws.title} header"))
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
    formats = [number_formats.get("score" if name.startswith("category:") else name) for name in canonical]
    lengths = [_header_length(header) for header in shown]
    low, high = COLUMN_WIDTH
    wrapped: dict[int, list[tuple[int, str]]] = {1: list(enumerate(shown, start=1))}
    for r, values in enumerate(frame.itertuples(index=False, name=None), start=2):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col)
            value = _plain(value)
            if isinstance(value, str):
                set_text(cell, check_text(value, f"sheet {ws.title} row {r}"))
                if _shown_length(value, None) > high - 2 or "\n" in value:
                    cell.alignment = wrap  # a long text wraps in its column instead of running over the next
                    wrapped.setdefault(r, []).append((col, value))
            else:
                cell.value = value
                if value is not None and formats[col - 1]:
                    cell.number_format = formats[col - 1]
            lengths[col - 1] = max(lengths[col - 1], _shown_length(value, formats[col - 1]))
    widths = [max(low, min(high, length + 2)) for length in lengths]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, cells in wrapped.items():
        # Spreadsheets do not always grow a row to its wrapped text (LibreOffice printing does not): say its height.
        lines = max(_line_count(text, widths[col - 1]) for col, text in cells)
        if lines > 1:
            ws.row_dimensions[r].height = LINE_HEIGHT * lines
    ws.freeze_panes = "A2"
    # Printed as the committee would: A4 landscape, one page wide, the column titles on every page.
    print_on_a4(ws)
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "1:1"


def _line_count(text: str, width: float) -> int:
    """Lines that ``text`` takes once wrapped in a column ``width`` characters wide (with a margin)."""
    return sum(len(textwrap.wrap(line, max(1, int(width) - 2))) or 1 for line in text.splitlines() or [""])


def _plain(value: Any) -> Any:
    """A numpy or pandas scalar as the Python value openpyxl writes; missing values as an empty cell."""
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
