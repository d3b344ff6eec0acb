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
        ({"name": "x", "users": 0}, "tender.yaml: key 'users' must be a whole number >= 1 and <= 10000000 (found 0)"),
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
        # Numbers no tender reaches, which overflowed the cost model or the weights.
        (
            {"name": "x", "users": 99999999999999999999999999999},
            "tender.yaml: key 'users' must be a whole number >= 1 and <= 10000000 (found 99999999999999999999999999999)",
        ),
        (
            {"name": "x", "users": 1, "quality_weight": 1e308},
            "tender.yaml: key 'quality_weight' must be a number >= 0 and <= 1000000 (found 1e+308)",
        ),
        (
            {"name": "x", "users": 1, "price_weight": 1_000_001},
            "tender.yaml: key 'price_weight' must be a number >= 0 and <= 1000000 (found 1000001)",
        ),
        # Listing 5e300 possible scores would never end.
        (
            {"name": "x", "users": 1, "scale": {"max": 5, "step": 1e-300}},
            "tender.yaml: key 'scale' gives 5.000e+300 possible scores; use at most 101 (e.g. max: 10, step: 0.5)",
        ),
        # A bad value is quoted short, whatever its size.
        (
            {"name": "x", "users": "9" * 5000},
            f"tender.yaml: key 'users' must be a whole number (found '{'9' * 27}...{'9' * 28}')",
        ),
        (
            {"name": "x", "users": 10**5000},
            "tender.yaml: key 'users' must be a whole number >= 1 and <= 10000000 (found 1.000e+5000)",
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
        (
            {**FR, "users": 0},
            "tender.yaml : la clé « users » doit être un nombre entier >= 1 et <= 10000000 (trouvé 0)",
        ),
        (
            {**FR, "users": 99999999999999999999999999999},
            "tender.yaml : la clé « users » doit être un nombre entier >= 1 et <= 10000000 "
            "(trouvé 99999999999999999999999999999)",
        ),
        (
            {**FR, "quality_weight": 1e308},
            "tender.yaml : la clé « quality_weight » doit être un nombre >= 0 et <= 1000000 (trouvé 1e+308)",
        ),
        (
            {**FR, "scale": {"max": 5, "step": 1e-300}},
            "tender.yaml : la clé « scale » donne 5.000e+300 notes possibles ; en prévoir au plus 101 "
            "(par exemple max: 10, step: 0.5)",
        ),
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
        # A list as a key: the duplicate check must not fail on it.
        ("name: x\nusers: 10\n[a]: 1\n", r"^tender.yaml is not valid YAML at line 3, column 1: found unhashable key$"),
        (
            "language: fr\nname: x\n[a]: 1\n",
            r"^tender.yaml n'est pas un YAML valide à la ligne 3, colonne 1 : found unhashable key$",
        ),
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


#: A few lines of aliases that would expand into a billion values.
BOMB = "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10) if i else 'x'}]\n" for i in range(9))
#: The required keys, to put before a value under test.
BASE = "name: x\nusers: 10\n"

#: (text of tender.yaml, the error after "tender.yaml: ", the same in French after "tender.yaml : ").
UNBUILDABLE = [
    # Values that PyYAML fails to build (datetime refuses the day, int() the letters) stay text,
    # so that validation names their key instead of a traceback.
    pytest.param(
        BASE + "deadline: 2027-02-30",
        "key 'deadline' must be a date written YYYY-MM-DD (found '2027-02-30')",
        "la clé « deadline » doit être une date écrite AAAA-MM-JJ (trouvé '2027-02-30')",
        id="impossible-day",
    ),
    pytest.param(
        BASE + "deadline: 2027-13-45",
        "key 'deadline' must be a date written YYYY-MM-DD (found '2027-13-45')",
        "la clé « deadline » doit être une date écrite AAAA-MM-JJ (trouvé '2027-13-45')",
        id="impossible-month",
    ),
    pytest.param(
        BASE + "quality_weight: 2027-02-30",
        "key 'quality_weight' must be a number (found '2027-02-30')",
        "la clé « quality_weight » doit être un nombre (trouvé '2027-02-30')",
        id="date-as-weight",
    ),
    pytest.param(
        "name: x\nusers: !!int abc",
        "key 'users' must be a whole number (found 'abc')",
        "la clé « users » doit être un nombre entier (trouvé 'abc')",
        id="int-tag",
    ),
    pytest.param(
        "name: x\nusers: !!float x",
        "key 'users' must be a whole number (found 'x')",
        "la clé « users » doit être un nombre entier (trouvé 'x')",
        id="float-tag",
    ),
    pytest.param(
        BASE + "disagreement_sd: !!bool maybe",
        "key 'disagreement_sd' must be a number (found 'maybe')",
        "la clé « disagreement_sd » doit être un nombre (trouvé 'maybe')",
        id="bool-tag",
    ),
    pytest.param(
        BASE + "deadline: !!timestamp soon",
        "key 'deadline' must be a date written YYYY-MM-DD (found 'soon')",
        "la clé « deadline » doit être une date écrite AAAA-MM-JJ (trouvé 'soon')",
        id="timestamp-tag",
    ),
    pytest.param(
        "name: " + "[" * 2000,
        "values are nested more than 20 levels deep (line 1)",
        "les valeurs sont imbriquées sur plus de 20 niveaux (ligne 1)",
        id="deep-list",
    ),
    pytest.param(
        "users: 10\nname: " + "{a: " * 30 + "b" + "}" * 30,
        "values are nested more than 20 levels deep (line 2)",
        "les valeurs sont imbriquées sur plus de 20 niveaux (ligne 2)",
        id="deep-mapping",
    ),
    pytest.param(
        BOMB + "name: *a8\nusers: 10",
        "alias '*a0' is not supported; write the value out in full (line 2)",
        "l'alias « *a0 » n'est pas pris en charge ; écrivez la valeur en entier (ligne 2)",
        id="alias-bomb",
    ),
]


@pytest.mark.parametrize(("text", "message", "french"), UNBUILDABLE)
def test_values_yaml_cannot_build_name_their_key(tmp_path: Path, text: str, message: str, french: str) -> None:
    path = tmp_path / "tender.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == f"tender.yaml: {message}"
    # Last, so that the lines named stay the same; the language is read from its line even when YAML fails.
    path.write_text(text + "\nlanguage: fr\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == f"tender.yaml : {french}"


@pytest.mark.parametrize("command", ["check", "score"])
@pytest.mark.parametrize(
    ("language", "line"),
    [
        ("en", "Error: tender.yaml: key 'deadline' must be a date written YYYY-MM-DD (found '2027-02-30')\n"),
        (
            "fr",
            "Erreur : tender.yaml : la clé « deadline » doit être une date écrite AAAA-MM-JJ (trouvé '2027-02-30')\n",
        ),
    ],
)
def test_every_command_says_a_date_that_does_not_exist_in_one_line(
    tmp_path: Path, command: str, language: str, line: str
) -> None:
    from click.testing import CliRunner

    from tender.campaign import init_campaign
    from tender.cli import cli

    root = init_campaign(tmp_path / "c", language=language).root
    config = root / "tender.yaml"
    assert "\ndeadline:" not in config.read_text(encoding="utf-8")  # only commented out: no duplicate key
    config.write_text(config.read_text(encoding="utf-8") + "deadline: 2027-02-30\n", encoding="utf-8")
    result = CliRunner().invoke(cli, [command, str(root)])
    assert (result.exit_code, result.output) == (2, line)


def test_every_bad_key_is_named_in_one_run() -> None:
    data = {
        "name": "x",
        "users": 0,
        "langage": "fr",
        "currency": "EURO",
        "scale": {"max": 5, "maximum": 7},
        "sensitivity": {"draws": 0, "delta": 2},
    }
    with pytest.raises(ConfigError) as info:
        settings_from_dict(data)
    assert str(info.value).splitlines() == [
        "tender.yaml: 6 problems found:",
        "tender.yaml: unknown key 'langage' (did you mean 'language'?)",
        "tender.yaml: unknown key 'scale.maximum' (expected max, step)",
        "tender.yaml: key 'users' must be a whole number >= 1 and <= 10000000 (found 0)",
        "tender.yaml: key 'currency' must be an ISO 4217 currency code such as EUR, USD or CHF (found 'EURO')",
        "tender.yaml: key 'sensitivity.draws' must be a whole number >= 1 and <= 1000000 (found 0)",
        "tender.yaml: key 'sensitivity.delta' must be a number >= 0 and < 1 (found 2)",
    ]


def test_every_bad_key_is_named_in_french_too() -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_dict({"language": "fr", "users": "beaucoup", "price_formula": "log"})
    assert str(info.value).splitlines() == [
        "tender.yaml : 3 problèmes relevés :",
        "tender.yaml : la clé « name » est obligatoire",
        "tender.yaml : la clé « users » doit être un nombre entier (trouvé 'beaucoup')",
        "tender.yaml : la clé « price_formula » doit être l'une des valeurs inverse, linear (trouvé 'log')",
    ]


def test_a_bad_scale_does_not_make_the_knockout_threshold_wrong_too() -> None:
    # On a scale of 10, a threshold of 8 is right: only the scale's own mistake is reported.
    with pytest.raises(ConfigError) as info:
        settings_from_dict({"name": "x", "users": 1, "scale": {"max": 10, "step": 0}, "knockout_threshold": 8})
    assert str(info.value) == "tender.yaml: key 'scale.step' must be a number > 0 (found 0)"


def test_a_name_that_reads_as_a_date_is_kept_as_written(tmp_path: Path) -> None:
    path = tmp_path / "tender.yaml"
    path.write_text("name: 2027-03-31\nusers: 10\ncampaign_id: 2027-04-01 10:30:00\n", encoding="utf-8")
    settings = load_settings(path)
    assert (settings.name, settings.campaign_id) == ("2027-03-31", "2027-04-01 10:30:00")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # YAML's double-quoted escapes make real control characters; printed raw, this one sets a terminal's title.
        (
            'name: "Evil\\e]0;PWNED\\a"\nusers: 10\n',
            "tender.yaml: key 'name' contains a control character (U+001B); remove it",
        ),
        (
            'language: fr\nname: x\nusers: 10\ncontact: "Service\\x07achats"\n',
            "tender.yaml : la clé « contact » contient un caractère de contrôle (U+0007) ; supprimez-le",
        ),
        (
            'name: x\nusers: 10\norganisation: "ACME \\ud800"\n',
            "tender.yaml: key 'organisation' contains an invalid character (a lone surrogate); retype it",
        ),
        (
            'language: fr\nname: x\nusers: 10\ncampaign_id: "\\udc00"\n',
            "tender.yaml : la clé « campaign_id » contient un caractère invalide (un demi-codet isolé) ; retapez-le",
        ),
    ],
)
def test_a_text_with_a_control_character_is_refused_naming_its_key(tmp_path: Path, text: str, message: str) -> None:
    """The texts of tender.yaml reach the documents and the terminal, as those of the campaign's workbooks do."""
    path = tmp_path / "tender.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == message


def test_every_text_with_a_control_character_is_named_in_one_run() -> None:
    data = {"name": "x", "users": 1, "context": "a\x1b", "objectives": "b\x7f", "instructions": "c"}
    with pytest.raises(ConfigError) as info:
        settings_from_dict(data)
    assert str(info.value).splitlines() == [
        "tender.yaml: 2 problems found:",
        "tender.yaml: key 'context' contains a control character (U+001B); remove it",
        "tender.yaml: key 'objectives' contains a control character (U+007F); remove it",
    ]
    # Tabs and line breaks are text (a multi-line context), as check_text allows them.
    settings = settings_from_dict({"name": "x", "users": 1, "context": "one\n\ttwo\r\nthree"})
    assert settings.context == "one\n\ttwo\r\nthree"


def test_an_unknown_key_holding_an_escape_is_spelled_out(tmp_path: Path) -> None:
    path = tmp_path / "tender.yaml"
    path.write_text('name: x\nusers: 1\n"colour\\e]0;PWNED\\a": red\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert str(info.value) == "tender.yaml: unknown key 'colour\\x1b]0;PWNED\\x07'"
