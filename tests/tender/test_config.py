"""Tests of tender.yaml: defaults, and one clear error naming each bad key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from criteria.errors import ConfigError
from tender.config import KEYS, Settings, load_settings, render_settings, settings_from_dict


def test_defaults_match_design() -> None:
    s = settings_from_dict({"name": "RSE", "users": 100})
    assert (s.language, s.currency, s.scale.max, s.scale.step) == ("en", "EUR", 5, 1)
    assert (s.quality_weight, s.price_weight, s.horizon_years, s.discount_rate) == (70, 30, 3, 0)
    assert (s.price_formula, s.knockout_threshold, s.aggregation, s.balance_groups) == ("inverse", 1.0, "mean", None)
    assert s.disagreement_sd == 1.5
    assert (s.sensitivity.draws, s.sensitivity.delta, s.sensitivity.seed) == (10_000, 0.25, 0)
    assert s.campaign_id.startswith("C-")
    assert s.campaign_id == settings_from_dict({"name": "RSE", "users": 1}).campaign_id


def test_every_setting_is_documented() -> None:
    assert set(KEYS) == set(Settings.__dataclass_fields__)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"users": 10}, "tender.yaml: key 'name' is required"),
        ({"name": "x"}, "tender.yaml: key 'users' is required"),
        ({"name": "x", "users": 0}, "tender.yaml: key 'users' must be a whole number >= 1 (found 0)"),
        ({"name": "x", "users": "many"}, "tender.yaml: key 'users' must be a whole number (found 'many')"),
        ({"name": "x", "users": 1, "langage": "fr"}, "tender.yaml: unknown key 'langage' (did you mean 'language'?)"),
        ({"name": "x", "users": 1, "language": "de"}, "tender.yaml: key 'language' must be one of en, fr (found 'de')"),
        (
            {"name": "x", "users": 1, "currency": "EURO"},
            "tender.yaml: key 'currency' must be an ISO 4217 currency code such as EUR, USD or CHF (found 'EURO')",
        ),
        (
            {"name": "x", "users": 1, "price_formula": "log"},
            "tender.yaml: key 'price_formula' must be one of inverse, linear (found 'log')",
        ),
        (
            {"name": "x", "users": 1, "discount_rate": 1.5},
            "tender.yaml: key 'discount_rate' must be a number >= 0 and < 1 (found 1.5)",
        ),
        (
            {"name": "x", "users": 1, "scale": {"max": 5, "step": 2}},
            "tender.yaml: key 'scale': scale max must be a multiple of step",
        ),
        (
            {"name": "x", "users": 1, "scale": {"maximum": 5}},
            "tender.yaml: unknown key 'scale.maximum' (expected max, step)",
        ),
        (
            {"name": "x", "users": 1, "knockout_threshold": 6},
            "tender.yaml: key 'knockout_threshold' must be a number >= 0 and <= 5 (found 6)",
        ),
        (
            {"name": "x", "users": 1, "sensitivity": {"draws": 0}},
            "tender.yaml: key 'sensitivity.draws' must be a whole number >= 1 and <= 1000000 (found 0)",
        ),
        (
            {"name": "x", "users": 1, "quality_weight": 0, "price_weight": 0},
            "tender.yaml: key 'quality_weight' and 'price_weight' cannot both be 0",
        ),
        (
            {"name": "x", "users": 1, "deadline": "31/03/2027"},
            "tender.yaml: key 'deadline' must be a date written YYYY-MM-DD (found '31/03/2027')",
        ),
        (
            {"name": "x", "users": 1, "disagreement_sd": True},
            "tender.yaml: key 'disagreement_sd' must be a number (found True)",
        ),
    ],
)
def test_bad_values_name_the_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_dict(data)
    assert str(info.value) == message


def test_yaml_syntax_error_gives_line(tmp_path: Path) -> None:
    path = tmp_path / "tender.yaml"
    path.write_text("name: x\nusers: [1\n")
    with pytest.raises(ConfigError, match=r"^tender.yaml is not valid YAML at line \d+, column \d+"):
        load_settings(path)


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "tender.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="^tender.yaml must be a mapping of keys to values$"):
        load_settings(path)


def test_rendered_template_reloads_and_documents_every_key(tmp_path: Path) -> None:
    text = render_settings({"name": "Pilote RSE", "users": 2400, "language": "fr", "deadline": "2027-03-31"})
    for key in KEYS:
        assert f"{key}:" in text
    path = tmp_path / "tender.yaml"
    path.write_text(text)
    s = load_settings(path)
    assert (s.name, s.users, s.language, s.deadline) == ("Pilote RSE", 2400, "fr", dt.date(2027, 3, 31))
    # Only the given keys are active; the others are comments.
    assert set(yaml.safe_load(text)) == {"name", "users", "language", "deadline"}


def test_a_key_given_twice_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "tender.yaml"
    path.write_text("name: x\nusers: 10\nusers: 12\n")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == "tender.yaml: key 'users' is given twice (line 3)"


def test_uncommenting_every_default_keeps_the_defaults(tmp_path: Path) -> None:
    text = render_settings({"name": "RSE", "users": 50})
    uncommented = "\n".join(
        line[2:] if line.startswith("# ") and line[2:].split(":")[0] in KEYS else line for line in text.splitlines()
    )
    path = tmp_path / "tender.yaml"
    path.write_text(uncommented)
    assert set(yaml.safe_load(uncommented)) == set(KEYS)
    assert load_settings(path) == settings_from_dict({"name": "RSE", "users": 50})


FR = {"language": "fr", "name": "x", "users": 1}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"language": "fr", "users": 10}, "tender.yaml : la clé « name » est obligatoire"),
        ({**FR, "users": 0}, "tender.yaml : la clé « users » doit être un nombre entier >= 1 (trouvé 0)"),
        ({**FR, "langage": "en"}, "tender.yaml : clé inconnue « langage » (vouliez-vous dire « language » ?)"),
        (
            {**FR, "discount_rate": 1.5},
            "tender.yaml : la clé « discount_rate » doit être un nombre >= 0 et < 1 (trouvé 1.5)",
        ),
        (
            {**FR, "scale": {"max": 5, "step": 2}},
            "tender.yaml : clé « scale » : le maximum de l'échelle doit être un multiple du pas",
        ),
        ({**FR, "scale": {"maximum": 5}}, "tender.yaml : clé inconnue « scale.maximum » (attendu : max, step)"),
        (
            {**FR, "deadline": "31/03/2027"},
            "tender.yaml : la clé « deadline » doit être une date écrite AAAA-MM-JJ (trouvé '31/03/2027')",
        ),
        (
            {**FR, "price_formula": "log"},
            "tender.yaml : la clé « price_formula » doit être l'une des valeurs inverse, linear (trouvé 'log')",
        ),
        (
            {**FR, "quality_weight": 0, "price_weight": 0},
            "tender.yaml : les clés « quality_weight » et « price_weight » ne peuvent pas valoir 0 toutes les deux",
        ),
        # The language must be understood first: an unknown one keeps the messages in English.
        ({**FR, "language": "de"}, "tender.yaml: key 'language' must be one of en, fr (found 'de')"),
        (
            {**FR, "language": " FR ", "users": "many"},
            "tender.yaml : la clé « users » doit être un nombre entier (trouvé 'many')",
        ),
    ],
)
def test_a_french_campaign_gets_its_errors_in_french(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_dict(data)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("language: fr\nname: x\nusers: [1\n", r"^tender.yaml n'est pas un YAML valide à la ligne \d+, colonne \d+ : "),
        (
            'language: "fr"\nname: x\nusers: 10\nusers: 12\n',
            r"^tender.yaml : la clé « users » est donnée deux fois \(ligne 4\)$",
        ),
        ("name: x\nusers: 10\nusers: 12\n", r"^tender.yaml: key 'users' is given twice \(line 3\)$"),
    ],
)
def test_file_errors_speak_the_language_the_file_declares(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "tender.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(path)


def test_both_languages_have_every_message() -> None:
    from tender.config import MESSAGES

    assert MESSAGES["fr"].keys() == MESSAGES["en"].keys()
