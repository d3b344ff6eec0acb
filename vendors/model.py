"""Who answers and who tests: vendors with their offers, testers with their groups."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Vendor:
    """A vendor and the prices of its offer (currency of the campaign)."""

    id: str
    name: str
    setup_cost: float = 0.0
    price_per_user_month: float | None = None
    annual_fixed_cost: float = 0.0
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Tester:
    """A pilot tester; ``groups`` maps each group column (e.g. level) to this tester's value."""

    id: str
    name: str
    email: str = ""
    groups: Mapping[str, str] = field(default_factory=dict)
