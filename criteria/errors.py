"""The error hierarchy shared by every layer: one base class, data errors that say where."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from criteria.messages import place_words, say


class TenderError(Exception):
    """Base class of every error the user must act on."""

    #: exit code the CLI uses for this error (2: usage or configuration).
    exit_code = 2

    def localized(self, language: str) -> TenderError:
        """The same error in the words of ``language``, for those that carry their problem as data; else itself."""
        return self


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
        return self.describe("en")

    def describe(self, language: str) -> str:
        """The location in words of ``language``: "criteria.xlsx, sheet Criteria, cell C4"."""
        words = place_words(language)
        parts: list[str] = []
        if self.path is not None:
            parts.append(Path(self.path).name)
        if self.sheet is not None:
            parts.append(f"{words['sheet']} {self.sheet}")
        if self.cell is not None:
            parts.append(f"{words['cell']} {self.cell}")
        else:
            if self.row is not None:
                parts.append(f"{words['row']} {self.row}")
            if self.column is not None:
                parts.append(f"{words['column']} {self.column}")
        return ", ".join(parts)


class DataError(TenderError):
    """A value in a campaign spreadsheet is missing or invalid; says where.

    Built with :meth:`of`, an error keeps the key of its words in criteria/messages.py and
    their values, so that the layer that knows the campaign's language can word it again
    (:meth:`localized`); loaders stay free of any language setting.
    """

    def __init__(
        self, message: str, where: Location | None = None, item: int | None = None, language: str = "en"
    ) -> None:
        self.message = message
        self.where = where or Location()
        #: position of the item concerned in the list that was checked, so a loader can point at its row
        self.item = item
        #: the key of the words in criteria/messages.py and their values (None: a message of its own)
        self.key: str | None = None
        self.values: dict[str, object] = {}
        place = self.where.describe(language)
        super().__init__(f"{message} ({place})" if place else message)

    @classmethod
    def of(cls, key: str, where: Location | None = None, item: int | None = None, **values: object) -> DataError:
        """The problem ``key`` of criteria/messages.py, in English until :meth:`localized`."""
        error = cls(say("en", key, values), where, item)
        error.key, error.values = key, values
        return error

    def at(self, where: Location, item: int | None = None) -> DataError:
        """The same problem at another place (e.g. once a loader knows the item's row), for ``item`` if given."""
        return self._again(self.message, where, self.item if item is None else item)

    def localized(self, language: str) -> DataError:
        """The same problem in the words of ``language``; a message without a key keeps its words."""
        message = say(language, self.key, self.values) if self.key is not None else self.message
        return self._again(message, self.where, self.item, language)

    def _again(self, message: str, where: Location, item: int | None, language: str = "en") -> DataError:
        error = DataError(message, where, item, language)
        error.key, error.values = self.key, self.values
        return error


class MultiDataError(DataError):
    """Several data errors found in one pass; the message lists them all."""

    def __init__(self, errors: list[DataError], language: str = "en") -> None:
        self.errors = list(errors)
        lines = [str(e) for e in self.errors]
        header = place_words(language)["many"].format(count=len(lines))
        text = "\n".join([header, *lines]) if len(lines) > 1 else lines[0]
        TenderError.__init__(self, text)
        self.message = text
        self.where = Location()
        self.item = None
        self.key, self.values = None, {}

    def localized(self, language: str) -> MultiDataError:
        """Every problem in the words of ``language``."""
        return MultiDataError([e.localized(language) for e in self.errors], language)


def raise_all(errors: list[DataError]) -> None:
    """Raise the collected errors at once, if any (errors are data: report them all)."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise MultiDataError(errors)
