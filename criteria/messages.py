"""The words of the campaign files' problems (criteria, vendors, testers) in English and French."""

from __future__ import annotations

from collections.abc import Mapping

#: One entry per kind of problem; ``{name}`` fields are filled from the error's values.
DATA_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "file_not_found": "file not found",
        "not_spreadsheet": "not a spreadsheet; expected one of {suffixes}",
        "file_too_big": "file is larger than {limit} MiB",
        "unreadable": "cannot be read as a spreadsheet ({reason})",
        "sheet_missing": "sheet {sheet!r} is missing (sheets found: {found})",
        "sheet_empty": "sheet is empty; a header row is expected",
        "column_twice": "column {title!r} appears twice",
        "columns_missing": "missing column(s) {columns} in the header row",
        "id_empty": "ID is empty",
        "id_invalid": "ID {id!r} is not valid; use letters, digits, '-', '_' or '.' (at most 40)",
        "id_twice": "{what} ID {id!r} is used twice",
        "id_case": "{what} ID {id!r} differs from {earlier!r} only by case; give them different IDs or one spelling",
        "weight_invalid": "weight {value!r} is not a number >= 0",
        "weight_too_large": "weight {value!r} is not a number between 0 and {limit}",
        "formula_without_value": "the formula {formula} has no computed value: open and save the file in Excel or "
        "LibreOffice, or type the value",
        "amount_too_large": "{column} {value!r} is not an amount between 0 and {limit}",
        "title_empty": "title is empty",
        "priority_invalid": "priority {value!r} is not one of MUST, SHOULD, COULD",
        "no_category": "there is no category",
        "no_criterion": "there is no criterion",
        "category_negative": "category {id} has a negative weight {weight}",
        "category_weights_zero": "the category weights add up to 0; at least one must be positive",
        "criterion_unknown_category": "criterion {id} names an unknown category {category!r}",
        "criterion_unknown_category_near": "criterion {id} names an unknown category {category!r} "
        "(did you mean {near!r}?)",
        "criterion_negative": "criterion {id} has a negative weight {weight}",
        "category_empty": "category {id} has no criterion",
        "category_criteria_zero": "the criteria of category {id} weigh 0 in total; at least one must be positive",
        "vendor_name_empty": "vendor name is empty",
        "no_vendor": "there is no vendor",
        "cost_invalid": "{column} {value!r} is not an amount >= 0",
        "email_invalid": "e-mail {email!r} has no '@'",
        "no_tester": "there is no tester",
        "text_control": "{column} contains a control character ({code}); remove it",
        "text_surrogate": "{column} contains an invalid character (a lone surrogate); retype it",
        "key_control": "{source}: key '{key}' contains a control character ({code}); remove it",
        "key_surrogate": "{source}: key '{key}' contains an invalid character (a lone surrogate); retype it",
        "ledger_damaged": "the ledger {path} is damaged ({reason}); the files it recorded are kept in {archive}",
        "ledger_other_campaign": "the ledger {path} holds the workbooks of campaign {recorded!r}, not of "
        "{campaign!r}: put back campaign_id: {recorded} in tender.yaml, or move {folder} aside to start this "
        "campaign afresh",
        "ledger_foreign_object": "the ledger {path} holds the {kind} {name!r}, which rse-tender did not create "
        "(the file was changed by hand or tampered with), so it is not used: restore it from a backup, or move it "
        "aside and collect again the files kept in {archive}",
    },
    "fr": {
        "file_not_found": "fichier introuvable",
        "not_spreadsheet": "ce n'est pas un classeur ; extensions attendues : {suffixes}",
        "file_too_big": "le fichier dépasse {limit} Mio",
        "unreadable": "illisible comme classeur ({reason})",
        "sheet_missing": "la feuille {sheet!r} manque (feuilles présentes : {found})",
        "sheet_empty": "la feuille est vide ; une ligne d'en-tête est attendue",
        "column_twice": "la colonne {title!r} figure deux fois",
        "columns_missing": "colonne(s) {columns} absente(s) de la ligne d'en-tête",
        "id_empty": "l'identifiant est vide",
        "id_invalid": "l'identifiant {id!r} n'est pas valide ; lettres, chiffres, '-', '_' ou '.' (40 au plus)",
        "id_twice": "l'identifiant de {what} {id!r} est employé deux fois",
        "id_case": "l'identifiant de {what} {id!r} ne diffère de {earlier!r} que par la casse ; "
        "donnez-leur des identifiants distincts ou une seule graphie",
        "weight_invalid": "le poids {value!r} n'est pas un nombre >= 0",
        "weight_too_large": "le poids {value!r} n'est pas un nombre compris entre 0 et {limit}",
        "formula_without_value": "la formule {formula} n'a pas de valeur calculée : ouvrez et enregistrez le fichier "
        "dans Excel ou LibreOffice, ou tapez la valeur",
        "amount_too_large": "{column} {value!r} n'est pas un montant compris entre 0 et {limit}",
        "title_empty": "le titre est vide",
        "priority_invalid": "la priorité {value!r} n'est pas l'une de MUST, SHOULD, COULD",
        "no_category": "il n'y a aucune catégorie",
        "no_criterion": "il n'y a aucun critère",
        "category_negative": "la catégorie {id} a un poids négatif ({weight})",
        "category_weights_zero": "les poids des catégories font 0 au total ; au moins un doit être positif",
        "criterion_unknown_category": "le critère {id} renvoie à une catégorie inconnue {category!r}",
        "criterion_unknown_category_near": "le critère {id} renvoie à une catégorie inconnue {category!r} "
        "(vouliez-vous dire {near!r} ?)",
        "criterion_negative": "le critère {id} a un poids négatif ({weight})",
        "category_empty": "la catégorie {id} n'a aucun critère",
        "category_criteria_zero": "les critères de la catégorie {id} pèsent 0 au total ; au moins un doit être positif",
        "vendor_name_empty": "le nom du fournisseur est vide",
        "no_vendor": "il n'y a aucun fournisseur",
        "cost_invalid": "{column} {value!r} n'est pas un montant >= 0",
        "email_invalid": "le courriel {email!r} n'a pas de '@'",
        "no_tester": "il n'y a aucun testeur",
        "text_control": "{column} contient un caractère de contrôle ({code}) ; supprimez-le",
        "text_surrogate": "{column} contient un caractère invalide (un demi-codet isolé) ; retapez-le",
        "key_control": "{source} : la clé « {key} » contient un caractère de contrôle ({code}) ; supprimez-le",
        "key_surrogate": "{source} : la clé « {key} » contient un caractère invalide (un demi-codet isolé) ; "
        "retapez-le",
        "ledger_damaged": "le registre {path} est endommagé ({reason}) ; les fichiers qu'il a enregistrés sont "
        "conservés dans {archive}",
        "ledger_other_campaign": "le registre {path} contient les classeurs de la campagne {recorded!r}, pas de "
        "{campaign!r} : remettez campaign_id: {recorded} dans tender.yaml, ou déplacez {folder} pour repartir de "
        "zéro avec cette campagne",
        "ledger_foreign_object": "le registre {path} contient l'objet {name!r} ({kind}), que rse-tender n'a pas "
        "créé (le fichier a été modifié à la main ou falsifié) : il n'est pas utilisé ; restaurez-le depuis une "
        "sauvegarde, ou mettez-le de côté et collectez à nouveau les fichiers conservés dans {archive}",
    },
}

#: The kinds of ID (``{what}``) and the columns (``{column}``, ``{columns}``) as the messages name them;
#: the columns in French as the French headers of the files say them.
TERMS: dict[str, dict[str, str]] = {
    "en": {},
    "fr": {
        "category": "catégorie",
        "criterion": "critère",
        "vendor": "fournisseur",
        "tester": "testeur",
        "name": "nom",
        "weight": "poids",
        "title": "titre",
        "priority": "priorité",
        "how_to_test": "comment tester",
        "email": "courriel",
        "setup_cost": "frais de mise en place",
        "price_per_user_month": "prix par utilisateur par mois",
        "annual_fixed_cost": "coût fixe annuel",
        "header": "en-tête",
    },
}

#: The locale that writes dates in each language: English dates the European way (31 March 2027, not March 31,
#: 2027), as a tender published in Europe does; numbers keep each language's own separators.
DATE_LOCALES = {"en": "en_GB", "fr": "fr"}

#: The words of a location ("criteria.xlsx, sheet Criteria, cell C4") and of a list of problems.
PLACES: dict[str, dict[str, str]] = {
    "en": {"sheet": "sheet", "cell": "cell", "row": "row", "column": "column", "many": "{count} problems found:"},
    "fr": {
        "sheet": "feuille",
        "cell": "cellule",
        "row": "ligne",
        "column": "colonne",
        "many": "{count} problèmes relevés :",
    },
}


def say(language: str, key: str, values: Mapping[str, object]) -> str:
    """The message ``key`` in ``language`` (English for a language without words), filled with ``values``.

    ``what`` and ``column`` are terms of :data:`TERMS`; ``columns`` is a sequence of them.
    """
    words = DATA_MESSAGES.get(language, DATA_MESSAGES["en"])
    terms = TERMS.get(language, {})
    filled = dict(values)
    for name in ("what", "column"):
        if name in filled:
            filled[name] = terms.get(str(filled[name]), filled[name])
    limit = filled.get("limit")
    if isinstance(limit, int | float) and not isinstance(limit, bool) and limit >= 10_000:
        # Large bounds are grouped as each language writes them: 1,000,000 / 1 000 000 (no-break spaces).
        filled["limit"] = f"{limit:,.0f}".replace(",", "\u00a0" if language == "fr" else ",")
    columns = filled.get("columns")
    if isinstance(columns, (list, tuple)):
        filled["columns"] = ", ".join(terms.get(str(c), str(c)) for c in columns)
    return words[key].format(**filled)


def place_words(language: str) -> dict[str, str]:
    """The words of a location and of a list of problems in ``language`` (English for an unknown one)."""
    return PLACES.get(language, PLACES["en"])
