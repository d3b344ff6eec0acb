"""The error hierarchy shared by every layer: one base class, data errors that say where."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class TenderError(Exception):
    """Base class of every error the user must act on."""

    #: exit code the CLI uses for this error (2: usage or configuration).
    exit_code = 2


class ConfigError(TenderError):
    """A campaign setting (tender.yaml) is missing, unknown or invalid."""


class CampaignError(TenderError):
    """The campaign folder is missing, incomplete or would be overwritten."""


class UnsafeTextError(TenderError):
    """A string cannot be written safely (control characters, lone surrogates)."""


@dataclass(frozen=True)
class Location:
    """Where a problem is: file, sheet, row (1-based) and column (letter or name)."""

    path: Path | str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.path is not None:
            parts.append(Path(self.path).name)
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet}")
        if self.cell is not None:
            parts.append(f"cell {self.cell}")
        else:
            if self.row is not None:
                parts.append(f"row {self.row}")
            if self.column is not None:
                parts.append(f"column {self.column}")
        return ", ".join(parts)


class DataError(TenderError):
    """A value in a campaign spreadsheet is missing or invalid; says where."""

    def __init__(self, message: str, where: Location | None = None, item: int | None = None) -> None:
        self.message = message
        self.where = where or Location()
        #: position of the item concerned in the list that was checked, so a loader can point at its row
        self.item = item
        text = f"{message} ({self.where})" if str(self.where) else message
        super().__init__(text)


class MultiDataError(DataError):
    """Several data errors found in one pass; the message lists them all."""

    def __init__(self, errors: list[DataError]) -> None:
        self.errors = list(errors)
        lines = [str(e) for e in self.errors]
        text = "\n".join([f"{len(lines)} problems found:", *lines]) if len(lines) > 1 else lines[0]
        TenderError.__init__(self, text)
        self.message = text
        self.where = Location()


def raise_all(errors: list[DataError]) -> None:
    """Raise the collected errors at once, if any (errors are data: report them all)."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise MultiDataError(errors)
