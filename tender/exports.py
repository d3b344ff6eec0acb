"""Files of `tender score`: JSON, formula-safe CSV (UTF-8 with BOM) and XLSX with a Method sheet, written atomically."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from criteria.safe import check_text, csv_safe, save_workbook, set_text, write_bytes_atomic, write_text_atomic
from tender.results import MESSAGES, Evaluation, evaluation_to_dict, ranking_table
from vendors.export import FORMULAS, LABELS, colon, criteria_table, method_text, vendor_table

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
    """One workbook: sheet of vendors, sheet of (vendor, criterion) rows, and a Method sheet."""
    language = evaluation.language
    labels = LABELS[language]
    result, criteria = evaluation.result, evaluation.campaign.criteria
    # openpyxl is imported here, where a workbook is written: the other formats never pay for it.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    sheets = [
        (labels["vendors"], vendor_table(result), vendor_table(result, language)),
        (labels["criteria"], criteria_table(result, criteria), criteria_table(result, criteria, language)),
    ]
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, canonical, shown in sheets:
        _write_sheet(workbook.create_sheet(title), shown, list(canonical.columns))
    method = workbook.create_sheet(labels["method"])
    method.column_dimensions["A"].width = 140
    for row, text in enumerate(_method_lines(evaluation), start=1):
        cell = set_text(method.cell(row=row, column=1), check_text(text, f"{target.name} sheet {method.title}"))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    method["A1"].font = Font(bold=True)
    save_workbook(workbook, target)
    return Path(target)


def _write_sheet(ws: Any, frame: pd.DataFrame, canonical: Sequence[str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E79")
    for col, header in enumerate(frame.columns, start=1):
        cell = set_text(ws.cell(row=1, column=col), check_text(str(header), f"sheet {ws.title} header"))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(col)].width = max(10, min(40, len(str(header)) + 2))
    formats = [NUMBER_FORMATS.get("score" if name.startswith("category:") else name) for name in canonical]
    for r, values in enumerate(frame.itertuples(index=False, name=None), start=2):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col)
            value = _plain(value)
            if isinstance(value, str):
                set_text(cell, check_text(value, f"sheet {ws.title} row {r}"))
            else:
                cell.value = value
                if value is not None and formats[col - 1]:
                    cell.number_format = formats[col - 1]
    ws.freeze_panes = "A2"


def _plain(value: Any) -> Any:
    """A numpy or pandas scalar as the Python value openpyxl writes; missing values as an empty cell."""
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
