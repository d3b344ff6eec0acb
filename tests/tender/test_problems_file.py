"""out/collect-problems.xlsx says in its document properties that rse-tender wrote it, and what it is."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tender.collect import Collected, write_problems
from vendors.intake import Problem


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Rejected workbooks: problems to fix"), ("fr", "Classeurs refusés\u00a0: problèmes à corriger")],
)
def test_document_properties(tmp_path: Path, language: str, title: str) -> None:
    rejected = [
        Collected(
            tmp_path / "T001.xlsx",
            "",
            "rejected",
            "T001",
            (Problem("T001.xlsx", None, None, "not a workbook", "an xlsx file"),),
        )
    ]
    target = write_problems(rejected, tmp_path / "collect-problems.xlsx", language)
    properties = openpyxl.load_workbook(target).properties
    assert (properties.creator, properties.title) == ("rse-tender", title)
