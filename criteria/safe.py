"""Safe output: text that can never become a formula, and atomic file writes."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from criteria.errors import UnsafeTextError

# XML 1.0 forbids these in a workbook; tab, LF and CR are allowed in a cell.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: Every character check_text refuses, either kind.
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
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


#: The author every workbook rse-tender writes for people gives in its document properties.
CREATOR = "rse-tender"


def print_on_a4(ws: Any) -> None:
    """Print an openpyxl sheet on A4, one page wide and as many pages tall as needed.

    Without a paper size the file says Letter, the format's default, and LibreOffice prints on it.
    """
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


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


def _temporary(target: Path) -> tuple[int, str]:
    """Create a hidden temporary file beside ``target`` (its folder made if missing): (descriptor, name)."""
    with naming(target, os.path.join(target.parent, f".{target.name}.")):
        return _create_temporary(target)


def _create_temporary(target: Path) -> tuple[int, str]:
    try:
        return tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except (FileNotFoundError, NotADirectoryError):
        # Make the folder; where a file stands in its way, the error names that file, not a temporary name.
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            # mkdir says 'File exists' or names a folder it could not make: name the file where a folder must be.
            blocker = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
            if blocker is None:
                raise
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(blocker)) from None
        return tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` only on success.

    A crash while writing leaves the previous file untouched.
    """
    target = Path(target)
    fd, tmp_name = _temporary(target)
    os.close(fd)
    try:
        with naming(target, tmp_name):
            yield Path(tmp_name)
            fd = os.open(tmp_name, os.O_RDONLY)
            try:
                _settle(fd)
            finally:
                os.close(fd)
            os.replace(tmp_name, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
    sync_folder(target.parent)


def write_bytes_atomic(target: Path | str, data: bytes, *, sync_name: bool = True) -> Path:
    """Write ``data`` to ``target`` atomically, and durably: the file, then its new name (see sync_folder).

    Written through the descriptor ``mkstemp`` returns (no second open, no path lookups): `tender collect`
    archives every file this way and `tender sheets` writes every workbook, so each system call counts.
    Those two write many files into one folder: they pass ``sync_name=False`` and sync the folder once.
    """
    target = Path(target)
    fd, tmp_name = _temporary(target)
    try:
        with naming(target, tmp_name):
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                _settle(fd)
            finally:
                os.close(fd)
            os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    if sync_name:
        sync_folder(target.parent)
    return target


def sync_folder(folder: Path | str) -> None:
    """Put the renames made in ``folder`` on disk: sync the folder itself, as POSIX requires for a new name to last.

    A file synced then renamed survives a power cut only once its folder's entry is synced too;
    ext4 happens to commit both together, other file systems (XFS, btrfs) need not. Every atomic
    write of this module ends with it; the archive calls it once per batch, before the ledger
    records the batch's files as collected: "archived before anything else" must hold after a
    crash. Where a folder cannot be synced (a file system without that
    operation, Windows), nothing is done; an I/O error names the folder.
    """
    if os.name == "nt":
        return  # Windows cannot open a folder as a file; NTFS journals the rename itself
    with naming(Path(folder), str(folder)):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        except OSError as exc:
            if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            # this file system has no folder sync
        finally:
            os.close(fd)


def save_workbook(workbook: Any, target: Path | str) -> Path:
    """Save an openpyxl workbook to ``target`` atomically.

    Built in memory, then written like any file: on a full disk the one error names
    ``target``, where openpyxl writing to the file itself would leave a half-written zip
    that complains again on stderr when it is collected.
    """
    buffer = io.BytesIO()
    workbook.save(buffer)
    return write_bytes_atomic(target, buffer.getvalue())


@contextlib.contextmanager
def naming(target: Path, temporary: str) -> Iterator[None]:
    """Make an OSError raised while writing ``target`` name it (``temporary``: the temporary file, or its prefix).

    A write to a full disk raises an OSError without a file name (os.write, a library's
    file object), and one about the temporary file names a file the user never asked for;
    the error names the file the user will look for instead, so that the CLI says which
    file could not be written.
    """
    try:
        yield
    except OSError as exc:
        # mkstemp names its file by absolute path, whatever the caller gave: compare absolute paths.
        if exc.filename is None or os.path.abspath(exc.filename).startswith(os.path.abspath(temporary)):
            raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from exc
        raise


def _settle(fd: int) -> None:
    """Flush a finished temporary file to disk and give it the usual permissions (0666 minus umask)."""
    os.fsync(fd)
    # mkstemp creates owner-only files.
    os.fchmod(fd, 0o666 & ~_umask())


#: Temporary files this module (mkstemp: '.<target>.<8 characters>.tmp') and the archive's streaming copy
#: ('.incoming.<8 characters>') leave behind when a run is killed between writing and renaming.
_DEBRIS = re.compile(r"^\.(?:.+\.[a-z0-9_]{8}\.tmp|incoming\.[a-z0-9_]{8})$")
#: A temporary file older than this cannot belong to a run still writing it.
DEBRIS_AGE_SECONDS = 3600.0


def sweep_debris(folders: Iterable[Path], now: float | None = None) -> tuple[Path, ...]:
    """Remove the temporary files an interrupted run left in ``folders`` (not their subfolders); return them.

    Only names this module creates, and only files untouched for an hour: a run writing at this moment keeps its
    own. The targets themselves were never replaced by a partial file (the rename is the last step).
    """
    limit = (time.time() if now is None else now) - DEBRIS_AGE_SECONDS
    removed = []
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if _DEBRIS.match(entry.name) and entry.is_file(follow_symlinks=False):
                try:
                    if entry.stat(follow_symlinks=False).st_mtime < limit:
                        os.unlink(entry.path)
                        removed.append(Path(entry.path))
                except FileNotFoundError:  # another run swept it first
                    continue
    return tuple(removed)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_text_atomic(target: Path | str, text: str) -> Path:
    """Write UTF-8 ``text`` to ``target`` atomically."""
    return write_bytes_atomic(target, text.encode("utf-8"))
