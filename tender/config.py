"""tender.yaml: every campaign setting, its default, and validation that names the bad key."""

from __future__ import annotations

import datetime as dt
import math
import re
import reprlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import yaml

from criteria.errors import ConfigError
from criteria.model import Scale

MAX_CONFIG_BYTES = 1024 * 1024
_T = TypeVar("_T")
LANGUAGES = ("en", "fr")
PRICE_FORMULAS = ("inverse", "linear")
AGGREGATIONS = ("mean", "median", "trimmed_mean")
MAX_SCALE_VALUES = 101
#: Upper bounds far beyond any real tender, far below where the cost model and the weights overflow or lose
#: precision: a typo such as 99999999999999999999 is refused with its key rather than scored as garbage.
MAX_USERS = 10_000_000
MAX_WEIGHT = 1_000_000
#: How deeply tender.yaml may nest values; its deepest key (scale.max) is two levels down.
MAX_DEPTH = 20

#: Every configuration error, in both languages: a campaign whose tender.yaml says `language: fr` gets them in
#: French (the language is read before anything else is checked).
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "missing": "{path} not found; run 'tender init' to create a campaign",
        "too_big": "{name} is larger than 1 MiB; is it the right file?",
        "not_utf8": "{name} is not UTF-8 text",
        "yaml": "{name} is not valid YAML{where}: {problem}",
        "yaml_where": " at line {line}, column {column}",
        "not_mapping": "{name} must be a mapping of keys to values",
        "twice": "{name}: key '{key}' is given twice (line {line})",
        "alias": "{name}: alias '*{alias}' is not supported; write the value out in full (line {line})",
        "too_deep": "{name}: values are nested more than {limit} levels deep (line {line})",
        "unknown": "{source}: unknown key '{key}'{hint}",
        "hint": " (did you mean '{match}'?)",
        "unknown_sub": "{source}: unknown key '{key}.{sub}' (expected {allowed})",
        "must_be": "{source}: key '{key}' must be {expected} (found {value})",
        "required": "{source}: key '{key}' is required",
        "empty": "{source}: key '{key}' is required and cannot be empty",
        "both_zero": "{source}: key 'quality_weight' and 'price_weight' cannot both be 0",
        "scale": "{source}: key 'scale': {reason}",
        "scale_values": "{source}: key 'scale' gives {count} possible scores; use at most {limit} "
        "(e.g. max: 10, step: 0.5)",
        "text": "text",
        "number": "a number",
        "number_in": "a number {bounds}",
        "whole": "a whole number",
        "whole_in": "a whole number {bounds}",
        "one_of": "one of {options}",
        "date": "a date written YYYY-MM-DD",
        "currency": "an ISO 4217 currency code such as EUR, USD or CHF",
        "mapping": "a mapping with keys {keys}",
        "and": " and ",
        "balance_groups": "tender.yaml: key 'balance_groups' names column {column!r}, which testers.xlsx does not "
        "have (group columns: {known})",
        "no_groups": "none",
        "many": "{source}: {count} problems found:",
    },
    "fr": {
        "missing": "{path} introuvable ; lancez « tender init » pour créer une campagne",
        "too_big": "{name} dépasse 1 Mio ; est-ce le bon fichier ?",
        "not_utf8": "{name} n'est pas un texte UTF-8",
        "yaml": "{name} n'est pas un YAML valide{where} : {problem}",
        "yaml_where": " à la ligne {line}, colonne {column}",
        "not_mapping": "{name} doit être une liste de clés et de valeurs",
        "twice": "{name} : la clé « {key} » est donnée deux fois (ligne {line})",
        "alias": "{name} : l'alias « *{alias} » n'est pas pris en charge ; écrivez la valeur en entier (ligne {line})",
        "too_deep": "{name} : les valeurs sont imbriquées sur plus de {limit} niveaux (ligne {line})",
        "unknown": "{source} : clé inconnue « {key} »{hint}",
        "hint": " (vouliez-vous dire « {match} » ?)",
        "unknown_sub": "{source} : clé inconnue « {key}.{sub} » (attendu : {allowed})",
        "must_be": "{source} : la clé « {key} » doit être {expected} (trouvé {value})",
        "required": "{source} : la clé « {key} » est obligatoire",
        "empty": "{source} : la clé « {key} » est obligatoire et ne peut pas être vide",
        "both_zero": "{source} : les clés « quality_weight » et « price_weight » ne peuvent pas valoir 0 toutes les "
        "deux",
        "scale": "{source} : clé « scale » : {reason}",
        "scale_values": "{source} : la clé « scale » donne {count} notes possibles ; en prévoir au plus {limit} "
        "(par exemple max: 10, step: 0.5)",
        "text": "du texte",
        "number": "un nombre",
        "number_in": "un nombre {bounds}",
        "whole": "un nombre entier",
        "whole_in": "un nombre entier {bounds}",
        "one_of": "l'une des valeurs {options}",
        "date": "une date écrite AAAA-MM-JJ",
        "currency": "un code de devise ISO 4217 comme EUR, USD ou CHF",
        "mapping": "un ensemble de clés parmi {keys}",
        "and": " et ",
        "balance_groups": "tender.yaml : la clé « balance_groups » désigne la colonne {column!r}, absente de "
        "testers.xlsx (colonnes de groupe : {known})",
        "no_groups": "aucune",
        "many": "{source} : {count} problèmes relevés :",
    },
}
#: What Scale says when max and step do not fit, in words for each language.
SCALE_REASONS = {
    "scale max must be a multiple of step": {"fr": "le maximum de l'échelle doit être un multiple du pas"},
    "scale step must be greater than 0 and at most max": {
        "fr": "le pas de l'échelle doit être supérieur à 0 et au plus égal au maximum"
    },
    "scale max must be greater than 0": {"fr": "le maximum de l'échelle doit être supérieur à 0"},
}
_LANGUAGE_LINE = re.compile(r"^language\s*:\s*[\"']?\s*(en|fr)\b", re.IGNORECASE | re.MULTILINE)


def _spoken(text: str) -> str:
    """The language a tender.yaml's text asks for; read from its line alone, even when YAML cannot parse the file."""
    spoken = _LANGUAGE_LINE.search(text)
    return spoken.group(1).lower() if spoken else "en"


def spoken_language(path: Path) -> str:
    """The language of the campaign whose tender.yaml is ``path``, at a glance; 'en' when it cannot tell.

    For words printed around an error (which may be that the file is broken): never raises.
    """
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            return "en"
        return _spoken(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return "en"


def _error(language: str, code: str, **values: Any) -> ConfigError:
    return ConfigError(MESSAGES[language][code].format(**values))


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
    "quality_weight": ("70", "weight of quality in the final score (0 to 1,000,000)"),
    "price_weight": ("30", "weight of price in the final score (0 to 1,000,000)"),
    "users": ("(required)", "number of users, for the cost model (1 to 10,000,000)"),
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
    """Read and validate tender.yaml; any problem is a ConfigError naming the key, in the campaign's language."""
    if not path.exists():
        raise _error("en", "missing", path=path)
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise _error("en", "too_big", name=path.name)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _error("en", "not_utf8", name=path.name) from None
    language = _spoken(text)
    try:
        data = yaml.load(text, Loader=_SettingsLoader)  # a SafeLoader subclass
    except _DuplicateKeyError as twice:
        raise _error(language, "twice", name=path.name, key=twice.key, line=twice.line) from None
    except _AliasError as alias:
        raise _error(language, "alias", name=path.name, alias=alias.alias, line=alias.line) from None
    except _TooDeepError as deep:
        raise _error(language, "too_deep", name=path.name, limit=MAX_DEPTH, line=deep.line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = MESSAGES[language]["yaml_where"].format(line=mark.line + 1, column=mark.column + 1) if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise _error(language, "yaml", name=path.name, where=where, problem=problem) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _error(language, "not_mapping", name=path.name)
    return settings_from_dict(data, path.name)


class _DuplicateKeyError(Exception):
    """A key given twice in tender.yaml (raised inside the YAML loader, worded by load_settings)."""

    def __init__(self, key: object, line: int) -> None:
        super().__init__(key)
        self.key, self.line = key, line


class _AliasError(Exception):
    """An alias (*name) in tender.yaml: refused, so that a few lines can never expand into billions of values."""

    def __init__(self, alias: str, line: int) -> None:
        super().__init__(alias)
        self.alias, self.line = alias, line


class _TooDeepError(Exception):
    """Values nested deeper than MAX_DEPTH: refused before the recursive composer exhausts Python's stack."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _SettingsLoader(yaml.SafeLoader):
    """A SafeLoader for tender.yaml that never fails on a value, so that validation can name its key.

    It refuses a key given twice (YAML would silently keep the last value), aliases and deep nesting;
    a scalar that looks like a date, number or boolean but is not one (2027-02-30, !!int abc) stays text.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent):
            raise _AliasError(str(event.anchor), line)
        if self.depth >= MAX_DEPTH:
            raise _TooDeepError(line)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[object] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            twice = key in seen
        except TypeError:  # a list or mapping as a key: the words PyYAML's own check would use
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
            ) from None
        if twice:
            raise _DuplicateKeyError(key, key_node.start_mark.line + 1)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


def _or_text(construct: Callable[[yaml.SafeLoader, yaml.Node], Any]) -> Callable[[yaml.SafeLoader, yaml.Node], Any]:
    """``construct``, keeping the scalar as written when it fails (e.g. datetime refuses 2027-02-30)."""

    def construct_or_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        # What PyYAML's constructors let escape: ValueError (bad date, bad digits, int beyond 4300 digits),
        # KeyError (!!bool x), AttributeError (!!timestamp x).
        except (ValueError, KeyError, AttributeError):
            return loader.construct_scalar(node)  # type: ignore[arg-type]  # only scalars get here

    return construct_or_text


_SettingsLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)
for _kind in ("bool", "int", "float", "timestamp"):
    _tag = f"tag:yaml.org,2002:{_kind}"
    _SettingsLoader.add_constructor(_tag, _or_text(yaml.SafeLoader.yaml_constructors[_tag]))


def settings_from_dict(data: dict[str, Any], source: str = "tender.yaml") -> Settings:
    """Validate a mapping of settings; raise one ConfigError naming every bad key (errors are data)."""
    known = {f.name for f in fields(Settings)}
    spoken = data.get("language")
    language = spoken.strip().lower() if isinstance(spoken, str) and spoken.strip().lower() in LANGUAGES else "en"
    v = _Validator(source, data, language)
    for key in data:
        if key not in known:
            match = _closest(str(key), known)
            hint = MESSAGES[language]["hint"].format(match=match) if match else ""
            shown = key
            if isinstance(key, str) and not key.isprintable():
                # Spelled out rather than printed: a terminal would act on an escape sequence in the key.
                shown = key.encode("unicode_escape").decode("ascii")
            v.errors.append(_error(language, "unknown", source=source, key=shown, hint=hint))
    name = v.get(v.text, "", "name", required=True)
    quality_weight = v.get(v.number, None, "quality_weight", 70.0, minimum=0, maximum=MAX_WEIGHT)
    price_weight = v.get(v.number, None, "price_weight", 30.0, minimum=0, maximum=MAX_WEIGHT)
    if quality_weight is not None and price_weight is not None and quality_weight + price_weight <= 0:
        v.errors.append(v.error("both_zero"))
    checked = len(v.errors)
    scale = v.get(v.scale, Scale())
    # A knock-out threshold is bounded by the scale only when the scale itself is valid (no follow-on error).
    scale_max = scale.max if len(v.errors) == checked else None
    settings = Settings(
        name=name,
        users=v.get(v.integer, 1, "users", None, minimum=1, maximum=MAX_USERS),
        organisation=v.get(v.text, "", "organisation"),
        deadline=v.get(v.date, None, "deadline"),
        campaign_id=v.get(v.text, "", "campaign_id") or _derive_id(name),
        language=v.get(v.choice, "en", "language", "en", LANGUAGES),
        currency=v.get(v.currency, "EUR"),
        scale=scale,
        quality_weight=quality_weight or 0.0,
        price_weight=price_weight or 0.0,
        horizon_years=v.get(v.integer, 3, "horizon_years", 3, minimum=1, maximum=30),
        discount_rate=v.get(v.number, 0.0, "discount_rate", 0.0, minimum=0, maximum=1, open_max=True),
        price_formula=v.get(v.choice, "inverse", "price_formula", "inverse", PRICE_FORMULAS),
        knockout_threshold=v.get(v.number, 1.0, "knockout_threshold", 1.0, minimum=0, maximum=scale_max),
        aggregation=v.get(v.choice, "mean", "aggregation", "mean", AGGREGATIONS),
        balance_groups=v.get(v.text, "", "balance_groups") or None,
        disagreement_sd=v.get(v.number, 1.5, "disagreement_sd", 1.5, minimum=0, open_min=True),
        sensitivity=v.get(v.sensitivity, Sensitivity()),
        context=v.get(v.text, "", "context"),
        objectives=v.get(v.text, "", "objectives"),
        instructions=v.get(v.text, "", "instructions"),
        tester_instructions=v.get(v.text, "", "tester_instructions"),
        contact=v.get(v.text, "", "contact"),
    )
    if len(v.errors) == 1:
        raise v.errors[0]
    if v.errors:
        lines = [MESSAGES[language]["many"].format(source=source, count=len(v.errors)), *map(str, v.errors)]
        raise ConfigError("\n".join(lines))
    return settings


def _derive_id(name: str) -> str:
    import hashlib

    return "C-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]


def _closest(key: str, known: set[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(key, sorted(known), n=1)
    return match[0] if match else None


class _Validator:
    """Typed accessors over the raw mapping; each failure names its key."""

    def __init__(self, source: str, data: dict[str, Any], language: str = "en") -> None:
        self.source = source
        self.data = data
        self.language = language
        #: every problem found so far: validation goes on past a bad key, so that one run names them all
        self.errors: list[ConfigError] = []

    def get(self, accessor: Callable[..., _T], fallback: _T, *args: Any, **kwargs: Any) -> _T:
        """``accessor(*args, **kwargs)``; on a ConfigError, record it and go on with ``fallback``."""
        try:
            return accessor(*args, **kwargs)
        except ConfigError as error:
            self.errors.append(error)
            return fallback

    def words(self, code: str, **values: Any) -> str:
        return MESSAGES[self.language][code].format(**values)

    def error(self, code: str, **values: Any) -> ConfigError:
        return _error(self.language, code, source=self.source, **values)

    def fail(self, key: str, expected: str, value: Any) -> ConfigError:
        return self.error("must_be", key=key, expected=expected, value=_SHORT.repr(value))

    def text(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error("required", key=key)
            return ""
        if isinstance(value, dt.date):
            value = str(value)  # YAML reads `name: 2027-03-31` as a date; as text it is what was written
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(key, self.words("text"), value)
        text = str(value).strip()
        if required and not text:
            raise self.error("empty", key=key)
        # Held to the rule of the campaign files' texts (criteria.safe.check_text): every one reaches outputs.
        from criteria.messages import say
        from criteria.sheets import unsafe_text

        if (problem := unsafe_text(text)) is not None:
            code = {"text_control": "key_control", "text_surrogate": "key_surrogate"}[problem[0]]
            raise ConfigError(say(self.language, code, {"source": self.source, "key": key, **problem[1]}))
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
            raise self.fail(label, self.words("number"), value)
        low_bad = minimum is not None and (value <= minimum if open_min else value < minimum)
        high_bad = maximum is not None and (value >= maximum if open_max else value > maximum)
        if low_bad or high_bad:
            bounds = _bounds(minimum, maximum, open_min, open_max, self.words("and"))
            raise self.fail(label, self.words("number_in", bounds=bounds), value)
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
            raise self.error("required", key=label)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(label, self.words("whole"), value)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            bounds = _bounds(minimum, maximum, False, False, self.words("and"))
            raise self.fail(label, self.words("whole_in", bounds=bounds), value)
        return value

    def choice(self, key: str, default: str, options: tuple[str, ...]) -> str:
        value = self.data.get(key, default)
        if value is None:
            value = default
        if not isinstance(value, str) or value.strip().lower() not in options:
            raise self.fail(key, self.words("one_of", options=", ".join(options)), value)
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
            raise self.fail(key, self.words("date"), value) from None

    def currency(self) -> str:
        from babel.numbers import list_currencies

        value = self.data.get("currency", "EUR")
        if not isinstance(value, str) or value.strip().upper() not in list_currencies():
            raise self.fail("currency", self.words("currency"), value)
        return value.strip().upper()

    def _mapping(self, key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        """The sub-keys of ``key`` that are allowed (each unknown one recorded as a problem)."""
        value = self.data.get(key) or {}
        if not isinstance(value, dict):
            raise self.fail(key, self.words("mapping", keys=", ".join(allowed)), value)
        for sub in value:
            if sub not in allowed:
                self.errors.append(self.error("unknown_sub", key=key, sub=sub, allowed=", ".join(allowed)))
        return {sub: item for sub, item in value.items() if sub in allowed}

    def scale(self) -> Scale:
        raw = self._mapping("scale", ("max", "step"))
        before = len(self.errors)
        maximum = self.get(
            self.number, 5.0, "max", 5, minimum=0, open_min=True, maximum=100, data=raw, label="scale.max"
        )
        step = self.get(self.number, 1.0, "step", 1, minimum=0, open_min=True, data=raw, label="scale.step")
        if len(self.errors) > before:
            return Scale()  # the bad key is reported; the default scale lets the other keys be checked
        try:
            scale = Scale(maximum, step)
        except ValueError as exc:
            reason = SCALE_REASONS.get(str(exc), {}).get(self.language, str(exc))
            raise self.error("scale", reason=reason) from None
        # Every value becomes a drop-down entry and a line of the instructions: keep it humane.
        # Counted without listing them: step 1e-300 would ask for 5e300 values.
        count = int(Decimal(str(scale.max)) / Decimal(str(scale.step))) + 1
        if count > MAX_SCALE_VALUES:
            raise self.error("scale_values", count=_SHORT.repr(count), limit=MAX_SCALE_VALUES)
        return scale

    def sensitivity(self) -> Sensitivity:
        raw = self._mapping("sensitivity", ("draws", "delta", "seed"))
        label = "sensitivity."
        return Sensitivity(
            draws=self.get(
                self.integer, 10_000, "draws", 10_000, minimum=1, maximum=1_000_000, data=raw, label=f"{label}draws"
            ),
            delta=self.get(
                self.number, 0.25, "delta", 0.25, minimum=0, maximum=1, open_max=True, data=raw, label=f"{label}delta"
            ),
            seed=self.get(self.integer, 0, "seed", 0, minimum=0, data=raw, label=f"{label}seed"),
        )


#: How a bad value is quoted in a message: a 1 MiB string or a huge list must not become a 1 MiB line.
class _Short(reprlib.Repr):
    def repr_int(self, x: int, level: int) -> str:
        # str() refuses a whole number beyond 4,300 digits, which YAML can write in base 60 (1:59:59:...).
        return format(Decimal(x), ".3e") if x.bit_length() > 200 else super().repr_int(x, level)


_SHORT = _Short()
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = 60


def _bounds(minimum: float | None, maximum: float | None, open_min: bool, open_max: bool, joiner: str) -> str:
    parts = []
    if minimum is not None:
        parts.append(f"{'>' if open_min else '>='} {_plain(minimum)}")
    if maximum is not None:
        parts.append(f"{'<' if open_max else '<='} {_plain(maximum)}")
    return joiner.join(parts)


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
