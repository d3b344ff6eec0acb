"""What is asked: priorities, the scoring scale, categories, criteria and their effective weights."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from criteria.errors import DataError, Location

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")


class Priority(str, Enum):
    """MoSCoW priority of a criterion; MUST criteria are eliminatory."""

    MUST = "MUST"
    SHOULD = "SHOULD"
    COULD = "COULD"

    @classmethod
    def from_alias(cls, value: object) -> Priority:
        """Parse the spellings people type in a spreadsheet, in English or French."""
        text = str(value).strip().upper() if value is not None else ""
        aliases = {
            "MUST": cls.MUST,
            "M": cls.MUST,
            "MANDATORY": cls.MUST,
            "OBLIGATOIRE": cls.MUST,
            "ELIMINATOIRE": cls.MUST,
            "ÉLIMINATOIRE": cls.MUST,
            "SHOULD": cls.SHOULD,
            "S": cls.SHOULD,
            "IMPORTANT": cls.SHOULD,
            "COULD": cls.COULD,
            "C": cls.COULD,
            "OPTIONAL": cls.COULD,
            "OPTIONNEL": cls.COULD,
            "SOUHAITABLE": cls.COULD,
            "FACULTATIF": cls.COULD,
        }
        try:
            return aliases[text]
        except KeyError:
            raise ValueError(f"priority {value!r} is not one of MUST, SHOULD, COULD") from None


@dataclass(frozen=True)
class Scale:
    """The testers' scoring scale: numbers from 0 to ``max`` in steps of ``step``."""

    max: float = 5
    step: float = 1

    def __post_init__(self) -> None:
        if not self.max > 0:
            raise ValueError("scale max must be greater than 0")
        if not self.step > 0 or self.step > self.max:
            raise ValueError("scale step must be greater than 0 and at most max")
        # Exact decimal arithmetic so that 0.1-style steps are judged correctly.
        ratio = Decimal(str(self.max)) / Decimal(str(self.step))
        if ratio != ratio.to_integral_value():
            raise ValueError("scale max must be a multiple of step")

    @property
    def values(self) -> tuple[float, ...]:
        """Every valid score, ascending."""
        count = int(Decimal(str(self.max)) / Decimal(str(self.step)))
        step = Decimal(str(self.step))
        return tuple(float(step * k) for k in range(count + 1))

    def is_valid(self, score: float) -> bool:
        """True if ``score`` is within [0, max] and on the step."""
        if not 0 <= score <= self.max:
            return False
        ratio = Decimal(str(score)) / Decimal(str(self.step))
        return ratio == ratio.to_integral_value()

    @staticmethod
    def label(value: float) -> str:
        """A score written without a useless '.0' (4 rather than 4.0); a huge one as Python writes it (1e+308).

        Only whole numbers below 10**15 are written out in digits: 1e308 typed in a score cell would otherwise
        be quoted back as a 309-digit integer.
        """
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else str(number)


@dataclass(frozen=True)
class Category:
    """A group of criteria with a relative weight W_c."""

    id: str
    name: str
    weight: float


@dataclass(frozen=True)
class Criterion:
    """One requirement: scored by testers, weighted within its category."""

    id: str
    category: str
    title: str
    description: str
    priority: Priority
    weight: float
    how_to_test: str = ""


@dataclass(frozen=True)
class CriteriaSet:
    """The two-level weighted tree of categories and criteria, validated."""

    categories: tuple[Category, ...]
    criteria: tuple[Criterion, ...]
    _by_id: dict[str, Criterion] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {c.id: c for c in self.criteria})

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this ID (KeyError if unknown)."""
        return self._by_id[criterion_id]

    def category(self, category_id: str) -> Category:
        """The category with this ID (KeyError if unknown)."""
        for cat in self.categories:
            if cat.id == category_id:
                return cat
        raise KeyError(category_id)

    def in_category(self, category_id: str) -> tuple[Criterion, ...]:
        """The criteria of one category, in catalogue order."""
        return tuple(c for c in self.criteria if c.category == category_id)

    @property
    def ids(self) -> tuple[str, ...]:
        """Criterion IDs in catalogue order."""
        return tuple(c.id for c in self.criteria)

    def effective_weights(self) -> dict[str, float]:
        """e_i = (W_c / sum W) * (w_i / sum of w_j in c), DESIGN.md section 5.

        A category whose criteria all weigh 0 contributes nothing.
        """
        total = sum(c.weight for c in self.categories)
        result: dict[str, float] = {}
        for cat in self.categories:
            members = self.in_category(cat.id)
            inner = sum(c.weight for c in members)
            for crit in members:
                share = cat.weight / total if total else 0.0
                result[crit.id] = share * (crit.weight / inner) if inner else 0.0
        return result

    def version(self) -> str:
        """A short hash of everything that changes how workbooks are read and scored."""
        payload = {
            "categories": [[c.id, c.name, c.weight] for c in self.categories],
            "criteria": [[c.id, c.category, c.title, c.priority.value, c.weight] for c in self.criteria],
        }
        digest = hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        return digest.hexdigest()[:12]

    def sheet_version(self) -> str:
        """A short hash of what testers are asked (the criteria and their categories, not their weights).

        Written into every score workbook: a workbook made before a weight or a priority changed is still
        an answer to the same questions, so it is still accepted; one made before a criterion was added,
        removed, renamed or moved is not.
        """
        payload = {
            "categories": [[c.id, c.name] for c in self.categories],
            "criteria": [[c.id, c.category, c.title] for c in self.criteria],
        }
        digest = hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        return "q" + digest.hexdigest()[:11]


def id_clash(what: str, item: str, spellings: dict[str, str]) -> DataError | None:
    """Record the ID ``item`` in ``spellings`` (case-folded -> first spelling); the problem if it repeats one.

    ``what`` (category, criterion, vendor, tester) names the ID's kind in the message; the
    caller places the error with :meth:`DataError.at`.

    IDs are compared exactly everywhere (workbooks, ledger, reports), so two that differ only by case
    ('pro-01' and 'PRO-01') would be two criteria to the method and one to a reader: both are refused.
    """
    key = item.casefold()
    earlier = spellings.get(key)
    if earlier is None:
        spellings[key] = item
        return None
    if earlier == item:
        return DataError.of("id_twice", what=what, id=item)
    return DataError.of("id_case", what=what, id=item, earlier=earlier)


def validate_tree(categories: list[Category], criteria: list[Criterion], complete: bool = True) -> list[DataError]:
    """Every structural problem of a criteria tree, as data (empty list if it is sound).

    Each error names its table (sheet "Categories" or "Criteria") and, when it is about
    one item, that item's position in its list as ``item``. With ``complete=False`` (some rows could not be read),
    the checks that need every row (empty category, zero total weight) are skipped.
    """
    on_categories, on_criteria = Location(sheet="Categories"), Location(sheet="Criteria")
    errors: list[DataError] = []
    if complete and not categories:
        errors.append(DataError.of("no_category", on_categories))
    if complete and not criteria:
        errors.append(DataError.of("no_criterion", on_criteria))
    seen: set[str] = set()
    spellings: dict[str, str] = {}
    for k, cat in enumerate(categories):
        if (clash := id_clash("category", cat.id, spellings)) is not None:
            errors.append(clash.at(on_categories, k))
        seen.add(cat.id)
        if cat.weight < 0:
            errors.append(DataError.of("category_negative", on_categories, k, id=cat.id, weight=cat.weight))
    if complete and categories and sum(c.weight for c in categories) <= 0:
        errors.append(DataError.of("category_weights_zero", on_categories))
    criterion_spellings: dict[str, str] = {}
    for k, crit in enumerate(criteria):
        if (clash := id_clash("criterion", crit.id, criterion_spellings)) is not None:
            errors.append(clash.at(on_criteria, k))
        if crit.category not in seen:
            near = spellings.get(crit.category.casefold())
            values = {"id": crit.id, "category": crit.category}
            if near is None:
                errors.append(DataError.of("criterion_unknown_category", on_criteria, k, **values))
            else:
                errors.append(DataError.of("criterion_unknown_category_near", on_criteria, k, near=near, **values))
        if crit.weight < 0:
            errors.append(DataError.of("criterion_negative", on_criteria, k, id=crit.id, weight=crit.weight))
    if not complete:
        return errors
    for k, cat in enumerate(categories):
        members = [c for c in criteria if c.category == cat.id]
        if not members:
            errors.append(DataError.of("category_empty", on_categories, k, id=cat.id))
        elif cat.weight > 0 and sum(c.weight for c in members) <= 0:
            errors.append(DataError.of("category_criteria_zero", on_categories, k, id=cat.id))
    return errors
