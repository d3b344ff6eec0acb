"""Tests of formula-safe text and atomic writes."""

from __future__ import annotations

import errno
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from criteria import safe
from criteria.errors import UnsafeTextError
from criteria.safe import (
    atomic_path,
    check_text,
    csv_safe,
    save_workbook,
    set_text,
    sync_folder,
    write_bytes_atomic,
    write_text_atomic,
)


def test_set_text_never_writes_a_formula(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    hostile = ['=HYPERLINK("http://evil","x")', "+1+1", "-2", "@SUM(A1)", "=1+1"]
    for row, text in enumerate(hostile, start=1):
        set_text(wb.active.cell(row=row, column=1), text)
    path = tmp_path / "t.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        sheet_xml = zf.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    back = openpyxl.load_workbook(path).active
    assert [back.cell(row=r, column=1).value for r in range(1, 6)] == hostile


@pytest.mark.parametrize("value", ["=cmd", "+x", "-x", "@x", "\tx", "\rx"])
def test_csv_safe_prefixes(value: str) -> None:
    assert csv_safe(value) == "'" + value


def test_csv_safe_leaves_numbers_and_plain_text() -> None:
    assert csv_safe(-3.5) == -3.5
    assert csv_safe("Agorana") == "Agorana"


def test_check_text_refuses_control_characters_and_surrogates() -> None:
    with pytest.raises(UnsafeTextError, match=r"^vendor name contains the control character U\+0007; remove it$"):
        check_text("bell\x07", "vendor name")
    with pytest.raises(UnsafeTextError, match="lone surrogate"):
        check_text("bad\ud800", "comment")
    assert check_text("line1\nline2\ttab", "x") == "line1\nline2\ttab"


def test_atomic_write_keeps_previous_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_text_atomic(target, "v1")

    def crash() -> None:
        with atomic_path(target) as tmp:
            tmp.write_text("partial")
            raise RuntimeError("crash while writing")

    with pytest.raises(RuntimeError):
        crash()
    assert target.read_text() == "v1"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def full_disk(*args: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")  # as os.write and os.fsync say it: no file name


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda target: write_bytes_atomic(target, b"new"), id="bytes"),
        pytest.param(lambda target: write_text_atomic(target, "new"), id="text"),
        pytest.param(lambda target: save_workbook(openpyxl.Workbook(), target), id="workbook"),
    ],
)
def test_a_full_disk_names_the_file_and_keeps_the_previous_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write: Callable[[Path], object]
) -> None:
    target = tmp_path / "out.xlsx"
    target.write_text("v1")
    monkeypatch.setattr(safe, "_settle", full_disk)
    with pytest.raises(OSError, match="No space left on device") as raised:
        write(target)
    assert (raised.value.errno, raised.value.filename) == (errno.ENOSPC, str(target))
    assert raised.value.strerror == "No space left on device"
    assert target.read_text() == "v1"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_sync_folder_syncs_the_folder_itself(tmp_path: Path, synced: list[tuple[int, int]]) -> None:
    write_bytes_atomic(tmp_path / "a.xlsx", b"a")
    synced.clear()  # the file's own sync and its folder's; what follows must sync the folder
    sync_folder(tmp_path)
    folder = os.stat(tmp_path)
    assert synced == [(folder.st_dev, folder.st_ino)]


def _identity(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_dev, info.st_ino


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda target: write_bytes_atomic(target, b"new"), id="bytes"),
        pytest.param(lambda target: write_text_atomic(target, "new"), id="text"),
        pytest.param(lambda target: save_workbook(openpyxl.Workbook(), target), id="workbook"),
    ],
)
def test_an_atomic_write_syncs_the_file_then_its_folder(
    tmp_path: Path, synced: list[tuple[int, int]], write: Callable[[Path], object]
) -> None:
    target = tmp_path / "out" / "spec.html"
    write(target)
    assert synced == [_identity(target), _identity(target.parent)]


def test_atomic_path_syncs_the_file_then_its_folder(tmp_path: Path, synced: list[tuple[int, int]]) -> None:
    target = tmp_path / "report.pdf"
    with atomic_path(target) as tmp:
        tmp.write_bytes(b"%PDF")
    assert synced == [_identity(target), _identity(tmp_path)]


def test_a_write_among_many_leaves_the_folder_to_its_caller(tmp_path: Path, synced: list[tuple[int, int]]) -> None:
    target = tmp_path / "T001.xlsx"
    write_bytes_atomic(target, b"a", sync_name=False)
    assert synced == [_identity(target)]


@pytest.mark.parametrize(
    ("code", "raises"),
    [
        pytest.param(errno.EIO, True, id="I/O error: named"),
        pytest.param(errno.EINVAL, False, id="no folder sync on this file system: ignored"),
    ],
)
def test_sync_folder_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, raises: bool) -> None:
    def failing_fsync(fd: int) -> None:
        raise OSError(code, os.strerror(code))  # as os.fsync says it: no file name

    monkeypatch.setattr(os, "fsync", failing_fsync)
    if raises:
        with pytest.raises(OSError, match=os.strerror(code)) as raised:
            sync_folder(tmp_path)
        assert (raised.value.errno, raised.value.filename) == (code, str(tmp_path))
    else:
        sync_folder(tmp_path)
    with pytest.raises(FileNotFoundError) as missing:
        sync_folder(tmp_path / "gone")
    assert missing.value.filename == str(tmp_path / "gone")


def test_a_relative_target_is_named_not_its_absolute_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mkstemp names its file by absolute path: a refusal in a relative out/ must still name out/scores.xlsx."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()

    def refused(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "out" / ".scores.xlsx.abcd1234.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", refused)
    with pytest.raises(PermissionError) as raised:
        write_bytes_atomic(Path("out") / "scores.xlsx", b"x")
    assert raised.value.filename == str(Path("out") / "scores.xlsx")


@pytest.mark.parametrize("below", ["", "sub"])
def test_a_file_where_a_folder_must_be_is_named_as_not_a_folder(tmp_path: Path, below: str) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    with pytest.raises(NotADirectoryError) as raised:
        write_bytes_atomic(blocker / below / "x.csv", b"x")
    assert (raised.value.errno, raised.value.filename) == (errno.ENOTDIR, str(blocker))


def test_atomic_path_names_the_target_not_its_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"

    def write() -> None:
        with atomic_path(target) as tmp:
            tmp.unlink()
            tmp.read_bytes()  # an error about the temporary file, as a library writing it would raise

    with pytest.raises(FileNotFoundError) as raised:
        write()
    assert (type(raised.value), raised.value.filename) == (FileNotFoundError, str(target))
    assert not list(tmp_path.iterdir())


def test_atomic_write_gives_usual_permissions(tmp_path: Path) -> None:
    import os
    import stat

    old = os.umask(0o022)
    try:
        target = write_text_atomic(tmp_path / "report.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_sweep_removes_only_old_debris_of_this_module(tmp_path: Path) -> None:
    import os
    import time

    from criteria.safe import DEBRIS_AGE_SECONDS, sweep_debris

    old = time.time() - DEBRIS_AGE_SECONDS - 60
    names = {
        ".report.pdf.k_7w_ol1.tmp": True,  # a PDF killed between write and rename
        ".incoming.ab12cd34": True,  # the archive's streaming copy of a large file
        ".report.pdf.zz9y8x7w.tmp-fresh": False,  # not the pattern
        "report.pdf": False,  # a real output
        ".hidden.tmp": False,  # someone else's file
    }
    for name in names:
        (tmp_path / name).write_text("x")
        os.utime(tmp_path / name, (old, old))
    fresh = tmp_path / ".scores.csv.a1b2c3d4.tmp"  # a run writing right now
    fresh.write_text("x")
    (tmp_path / "sub").mkdir()
    deep = tmp_path / "sub" / ".x.csv.a1b2c3d4.tmp"  # subfolders are not searched
    deep.write_text("x")
    os.utime(deep, (old, old))
    removed = sweep_debris([tmp_path, tmp_path / "missing"])
    assert sorted(p.name for p in removed) == sorted(n for n, gone in names.items() if gone)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*(n for n, gone in names.items() if not gone), fresh.name, "sub"]
    )
    assert deep.exists()


def test_unsafe_characters_are_exactly_those_check_text_refuses() -> None:
    from criteria.errors import UnsafeTextError
    from criteria.safe import UNSAFE_CHARACTERS, check_text

    for code in [*range(0x00, 0x2100), *range(0xD700, 0xE100), 0xFFFD, 0x1F600]:
        char = chr(code)
        try:
            check_text(char, "x")
            refused = False
        except UnsafeTextError:
            refused = True
        assert (UNSAFE_CHARACTERS.search(char) is not None) == refused, hex(code)
