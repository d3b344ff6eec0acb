"""The logical structure (tags) of a PDF, read back with pypdf for the tests of the rendered documents."""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject


def structure_of(data: bytes) -> tuple[dict[str, int], list[str]]:
    """The structure types of a tagged PDF (how many of each) and the alternative texts of its figures."""
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    kinds: dict[str, int] = {}
    alts: list[str] = []
    pending = [root["/StructTreeRoot"]]
    while pending:
        node = pending.pop().get_object()
        if isinstance(node, ArrayObject):
            pending.extend(node)
        elif isinstance(node, DictionaryObject):
            if "/S" in node:
                kinds[str(node["/S"])] = kinds.get(str(node["/S"]), 0) + 1
            if "/Alt" in node:
                alts.append(str(node["/Alt"]))
            if "/K" in node:
                pending.append(node["/K"])
    return kinds, alts
