"""Safe output: text that can never become a formula, and atomic file writes."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from criteria.errors import UnsafeTextError

# XML 1.0 forbids these in a workbook; tab, LF and CR are allowed in a cell.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Characters that make Excel, LibreOffice or a CSV importer start a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def check_text(value: str, what: str) -> str:
    """Return ``value`` if it can be written to a file, else raise naming ``what``."""
    if _SURROGATE.search(value):
        raise UnsafeTextError(f"{what} contains an invalid character (a lone surrogate); retype it")
    match = _CONTROL.search(value)
    if match:
        code = f"U+{ord(match.group()):04X}"
        raise UnsafeTextError(f"{what} contains the control character {code}; remove it")
    return value


def csv_safe(value: Any) -> Any:
    """Neutralise a string a spreadsheet would read as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def set_text(cell: Any, value: str) -> Any:
    """Put ``value`` in an openpyxl cell as plain text, never as a formula."""
    cell.value = value
    # openpyxl turns any string starting with '=' into a formula; force the string type.
    cell.data_type = "s"
    return cell


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` only on success.

    A crash while writing leaves the previous file untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        # mkstemp creates owner-only files; give outputs the usual permissions (0666 minus umask).
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_bytes_atomic(target: Path | str, data: bytes) -> Path:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_text_atomic(target: Path | str, text: str) -> Path:
    """Write UTF-8 ``text`` to ``target`` atomically."""
    return write_bytes_atomic(target, text.encode("utf-8"))
