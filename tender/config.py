"""tender.yaml: every campaign setting, its default, and validation that names the bad key."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from criteria.errors import ConfigError
from criteria.model import Scale

MAX_CONFIG_BYTES = 1024 * 1024
LANGUAGES = ("en", "fr")
PRICE_FORMULAS = ("inverse", "linear")
AGGREGATIONS = ("mean", "median", "trimmed_mean")
MAX_SCALE_VALUES = 101


@dataclass(frozen=True)
class Sensitivity:
    """Monte Carlo settings of the sensitivity analysis (DESIGN.md section 6)."""

    draws: int = 10_000
    delta: float = 0.25
    seed: int = 0


@dataclass(frozen=True)
class Settings:
    """The validated content of tender.yaml."""

    name: str
    users: int
    organisation: str = ""
    deadline: dt.date | None = None
    campaign_id: str = ""
    language: str = "en"
    currency: str = "EUR"
    scale: Scale = field(default_factory=Scale)
    quality_weight: float = 70.0
    price_weight: float = 30.0
    horizon_years: int = 3
    discount_rate: float = 0.0
    price_formula: str = "inverse"
    knockout_threshold: float = 1.0
    aggregation: str = "mean"
    balance_groups: str | None = None
    disagreement_sd: float = 1.5
    sensitivity: Sensitivity = field(default_factory=Sensitivity)
    context: str = ""
    objectives: str = ""
    instructions: str = ""
    tester_instructions: str = ""
    contact: str = ""


#: Every key, its default as written in YAML, and its meaning: the single source of the docs.
KEYS: dict[str, tuple[str, str]] = {
    "name": ("(required)", "name of the tender, shown on every document and workbook"),
    "organisation": ('""', "the buying organisation"),
    "deadline": ("none", "date (YYYY-MM-DD) by which testers return their workbooks"),
    "campaign_id": ("derived from name", "identifier written into every workbook; never change it once sheets are out"),
    "language": ("en", "fr or en, for every document and workbook"),
    "currency": ("EUR", "ISO 4217 code, formatted per language"),
    "scale": ("{max: 5, step: 1}", "scoring scale of testers: scores from 0 to max in steps of step"),
    "quality_weight": ("70", "weight of quality in the final score"),
    "price_weight": ("30", "weight of price in the final score"),
    "users": ("(required)", "number of users, for the cost model"),
    "horizon_years": ("3", "years of subscription counted in the total cost of ownership"),
    "discount_rate": ("0", "yearly discount rate applied to later years' costs (0.05 = 5 %)"),
    "price_formula": ("inverse", "inverse (100 x cheapest / cost) or linear (100 x (1 - gap to cheapest))"),
    "knockout_threshold": ("1.0", "a MUST criterion scored below this eliminates the vendor"),
    "aggregation": ("mean", "how testers' scores combine: mean, median or trimmed_mean (10 % each side)"),
    "balance_groups": ("none", "a testers.xlsx group column; each group then counts equally"),
    "disagreement_sd": ("1.5", "standard deviation from which testers are said to disagree"),
    "sensitivity": ("{draws: 10000, delta: 0.25, seed: 0}", "Monte Carlo draws, weight perturbation, seed"),
    "context": ('""', "context of the tender, printed in the specification"),
    "objectives": ('""', "objectives of the project, printed in the specification"),
    "instructions": ('""', "how vendors answer, printed in the specification"),
    "tester_instructions": ('""', "how testers fill their workbook, printed on its first sheet"),
    "contact": ('""', "who receives the filled workbooks (name or e-mail)"),
}


def load_settings(path: Path) -> Settings:
    """Read and validate tender.yaml; any problem is a ConfigError naming the key."""
    if not path.exists():
        raise ConfigError(f"{path} not found; run 'tender init' to create a campaign")
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path.name} is larger than 1 MiB; is it the right file?")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except UnicodeDecodeError:
        raise ConfigError(f"{path.name} is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path.name} is not valid YAML{where}: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name} must be a mapping of keys to values")
    return settings_from_dict(data, path.name)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A SafeLoader that refuses a key given twice: YAML would silently keep the last value."""


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ConfigError(f"tender.yaml: key '{key}' is given twice (line {key_node.start_mark.line + 1})")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)


def settings_from_dict(data: dict[str, Any], source: str = "tender.yaml") -> Settings:
    """Validate a mapping of settings; raise ConfigError naming the first bad key."""
    known = {f.name for f in fields(Settings)}
    for key in data:
        if key not in known:
            hint = _closest(str(key), known)
            raise ConfigError(f"{source}: unknown key '{key}'{hint}")
    v = _Validator(source, data)
    name = v.text("name", required=True)
    quality_weight = v.number("quality_weight", 70.0, minimum=0)
    price_weight = v.number("price_weight", 30.0, minimum=0)
    if quality_weight + price_weight <= 0:
        raise ConfigError(f"{source}: key 'quality_weight' and 'price_weight' cannot both be 0")
    scale = v.scale()
    settings = Settings(
        name=name,
        users=v.integer("users", None, minimum=1),
        organisation=v.text("organisation"),
        deadline=v.date("deadline"),
        campaign_id=v.text("campaign_id") or _derive_id(name),
        language=v.choice("language", "en", LANGUAGES),
        currency=v.currency(),
        scale=scale,
        quality_weight=quality_weight,
        price_weight=price_weight,
        horizon_years=v.integer("horizon_years", 3, minimum=1, maximum=30),
        discount_rate=v.number("discount_rate", 0.0, minimum=0, maximum=1, open_max=True),
        price_formula=v.choice("price_formula", "inverse", PRICE_FORMULAS),
        knockout_threshold=v.number("knockout_threshold", 1.0, minimum=0, maximum=scale.max),
        aggregation=v.choice("aggregation", "mean", AGGREGATIONS),
        balance_groups=v.text("balance_groups") or None,
        disagreement_sd=v.number("disagreement_sd", 1.5, minimum=0, open_min=True),
        sensitivity=v.sensitivity(),
        context=v.text("context"),
        objectives=v.text("objectives"),
        instructions=v.text("instructions"),
        tester_instructions=v.text("tester_instructions"),
        contact=v.text("contact"),
    )
    return settings


def _derive_id(name: str) -> str:
    import hashlib

    return "C-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]


def _closest(key: str, known: set[str]) -> str:
    import difflib

    match = difflib.get_close_matches(key, sorted(known), n=1)
    return f" (did you mean '{match[0]}'?)" if match else ""


class _Validator:
    """Typed accessors over the raw mapping; each failure names its key."""

    def __init__(self, source: str, data: dict[str, Any]) -> None:
        self.source = source
        self.data = data

    def fail(self, key: str, expected: str, value: Any) -> ConfigError:
        return ConfigError(f"{self.source}: key '{key}' must be {expected} (found {value!r})")

    def text(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                raise ConfigError(f"{self.source}: key '{key}' is required")
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(key, "text", value)
        text = str(value).strip()
        if required and not text:
            raise ConfigError(f"{self.source}: key '{key}' is required and cannot be empty")
        return text

    def number(
        self,
        key: str,
        default: float,
        minimum: float | None = None,
        maximum: float | None = None,
        open_min: bool = False,
        open_max: bool = False,
        data: dict[str, Any] | None = None,
        label: str | None = None,
    ) -> float:
        source = self.data if data is None else data
        label = label or key
        value = source.get(key, default)
        if value is None:
            value = default
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self.fail(label, "a number", value)
        low_bad = minimum is not None and (value <= minimum if open_min else value < minimum)
        high_bad = maximum is not None and (value >= maximum if open_max else value > maximum)
        if low_bad or high_bad:
            bounds = _bounds(minimum, maximum, open_min, open_max)
            raise self.fail(label, f"a number {bounds}", value)
        return float(value)

    def integer(
        self,
        key: str,
        default: int | None,
        minimum: int | None = None,
        maximum: int | None = None,
        data: dict[str, Any] | None = None,
        label: str | None = None,
    ) -> int:
        source = self.data if data is None else data
        label = label or key
        value = source.get(key, default)
        if value is None:
            raise ConfigError(f"{self.source}: key '{label}' is required")
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(label, "a whole number", value)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise self.fail(label, f"a whole number {_bounds(minimum, maximum, False, False)}", value)
        return value

    def choice(self, key: str, default: str, options: tuple[str, ...]) -> str:
        value = self.data.get(key, default)
        if value is None:
            value = default
        if not isinstance(value, str) or value.strip().lower() not in options:
            raise self.fail(key, f"one of {', '.join(options)}", value)
        return value.strip().lower()

    def date(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise self.fail(key, "a date written YYYY-MM-DD", value) from None

    def currency(self) -> str:
        from babel.numbers import list_currencies

        value = self.data.get("currency", "EUR")
        if not isinstance(value, str) or value.strip().upper() not in list_currencies():
            raise self.fail("currency", "an ISO 4217 currency code such as EUR, USD or CHF", value)
        return value.strip().upper()

    def _mapping(self, key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        value = self.data.get(key) or {}
        if not isinstance(value, dict):
            raise self.fail(key, f"a mapping with keys {', '.join(allowed)}", value)
        for sub in value:
            if sub not in allowed:
                raise ConfigError(f"{self.source}: unknown key '{key}.{sub}' (expected {', '.join(allowed)})")
        return value

    def scale(self) -> Scale:
        raw = self._mapping("scale", ("max", "step"))
        maximum = self.number("max", 5, minimum=0, open_min=True, maximum=100, data=raw, label="scale.max")
        step = self.number("step", 1, minimum=0, open_min=True, data=raw, label="scale.step")
        try:
            scale = Scale(maximum, step)
        except ValueError as exc:
            raise ConfigError(f"{self.source}: key 'scale': {exc}") from None
        # Every value becomes a drop-down entry and a line of the instructions: keep it humane.
        if len(scale.values) > MAX_SCALE_VALUES:
            raise ConfigError(
                f"{self.source}: key 'scale' gives {len(scale.values)} possible scores; "
                f"use at most {MAX_SCALE_VALUES} (e.g. max: 10, step: 0.5)"
            )
        return scale

    def sensitivity(self) -> Sensitivity:
        raw = self._mapping("sensitivity", ("draws", "delta", "seed"))
        return Sensitivity(
            draws=self.integer("draws", 10_000, minimum=1, maximum=1_000_000, data=raw, label="sensitivity.draws"),
            delta=self.number("delta", 0.25, minimum=0, maximum=1, open_max=True, data=raw, label="sensitivity.delta"),
            seed=self.integer("seed", 0, minimum=0, data=raw, label="sensitivity.seed"),
        )


def _bounds(minimum: float | None, maximum: float | None, open_min: bool, open_max: bool) -> str:
    parts = []
    if minimum is not None:
        parts.append(f"{'>' if open_min else '>='} {_plain(minimum)}")
    if maximum is not None:
        parts.append(f"{'<' if open_max else '<='} {_plain(maximum)}")
    return " and ".join(parts)


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


_YAML_DEFAULTS = {"none": "", "derived from name": "", "(required)": ""}


def render_settings(values: dict[str, Any]) -> str:
    """A commented tender.yaml: the given values, then every other key with its default."""
    lines = ["# rse-tender campaign settings. Every key is listed; commented ones use their default.", ""]
    for key, (default, meaning) in KEYS.items():
        lines.append(f"# {meaning} (default: {default})")
        if key in values:
            dumped = yaml.safe_dump({key: values[key]}, allow_unicode=True, sort_keys=False, width=100)
            lines.extend(dumped.rstrip("\n").splitlines())
        else:
            # Written so that removing the '#' gives valid YAML with the same meaning.
            lines.append(f"# {key}: {_YAML_DEFAULTS.get(default, default)}".rstrip())
        lines.append("")
    return "\n".join(lines)
