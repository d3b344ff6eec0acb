"""The fr/en labels of the documents: a small catalogue of messages keyed by dotted names."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "fr")

# French typography wants a no-break space before ':' ';' and '%'; written as \u00a0 to stay visible.
NBSP = "\u00a0"

#: Labels every document uses.
COMMON: dict[str, dict[str, str]] = {
    "page": {"en": "page", "fr": "page"},
    "page_of": {"en": "of", "fr": "sur"},
    "contents": {"en": "Contents", "fr": "Sommaire"},
    "version": {"en": "Version", "fr": "Version"},
    "total": {"en": "Total", "fr": "Total"},
    "priority.MUST": {"en": "MUST", "fr": "MUST"},
    "priority.SHOULD": {"en": "SHOULD", "fr": "SHOULD"},
    "priority.COULD": {"en": "COULD", "fr": "COULD"},
    "priority.MUST.short": {"en": "eliminatory", "fr": "éliminatoire"},
    "priority.SHOULD.short": {"en": "important", "fr": "important"},
    "priority.COULD.short": {"en": "desirable", "fr": "souhaitable"},
}

#: Labels of the requirements specification (tender spec).
SPEC: dict[str, dict[str, str]] = {
    "spec.kind": {"en": "Requirements specification", "fr": "Cahier des charges"},
    "spec.subject": {
        "en": "Requirements, published weighting and evaluation method",
        "fr": "Exigences, pondération publiée et méthode d'évaluation",
    },
    "spec.issued": {"en": "Issued on", "fr": "Date de publication"},
    "spec.version": {"en": "Criteria version", "fr": "Version des critères"},
    "spec.deadline": {"en": "Pilot scoring deadline", "fr": "Date limite des notations pilotes"},
    "spec.contact": {"en": "Contact", "fr": "Contact"},
    "spec.summary": {
        "en": "{criteria} criteria in {categories} categories, {must} of them eliminatory (MUST)",
        "fr": "{criteria} critères répartis en {categories} catégories, dont {must} éliminatoires (MUST)",
    },
    "spec.written": {
        "en": "Requirements specification written to {path} ({pages} pages).",
        "fr": "Cahier des charges enregistré dans {path} ({pages} pages).",
    },
    "spec.written_html": {
        "en": "The HTML it was rendered from: {path}",
        "fr": "Le HTML dont il est tiré : {path}",
    },
    "spec.version_note": {
        "en": "The criteria version identifies this exact set of criteria and weights. "
        "It is printed on every report of this tender; the scoring workbooks have their own version, that of the "
        "criteria put to the testers, without the weights.",
        "fr": "La version des critères identifie exactement cet ensemble de critères et de pondérations. "
        "Elle figure sur chaque rapport de cette consultation ; les classeurs de notation ont leur propre version, "
        "celle des critères posés aux testeurs, sans les pondérations.",
    },
    "sec.context": {"en": "Context", "fr": "Contexte"},
    "sec.objectives": {"en": "Objectives", "fr": "Objectifs"},
    "sec.weighting": {"en": "Published weighting", "fr": "Pondération publiée"},
    "sec.requirements": {"en": "Functional and technical requirements", "fr": "Exigences fonctionnelles et techniques"},
    "sec.method": {"en": "Evaluation method", "fr": "Méthode d'évaluation"},
    "sec.scale": {"en": "Scoring scale", "fr": "Échelle de notation"},
    "sec.pilot": {"en": "Pilot testing", "fr": "Tests pilotes"},
    "sec.quality": {"en": "Quality score", "fr": "Note de qualité"},
    "sec.knockout": {"en": "Eliminatory criteria", "fr": "Critères éliminatoires"},
    "sec.tco": {"en": "Total cost of ownership", "fr": "Coût total de possession"},
    "sec.price": {"en": "Price score", "fr": "Note de prix"},
    "sec.final": {"en": "Final score and ranking", "fr": "Note finale et classement"},
    "sec.answering": {"en": "Instructions for answering", "fr": "Modalités de réponse"},
    "empty_text": {
        "en": "Not provided (tender.yaml, key '{key}').",
        "fr": "Non renseigné (tender.yaml, clé «{nbsp}{key}{nbsp}»).",
    },
    # Weighting.
    "weighting.intro": {
        "en": "As public procurement rules require, the weights used to compare the offers are published in full "
        "before any offer is received, and they will not change during the evaluation. Each category carries a "
        "weight; within a category, each criterion carries a weight relative to the other criteria of that "
        "category. The share of a criterion in the quality score is the product of the two shares:",
        "fr": "Comme l'exigent les règles de la commande publique, les pondérations utilisées pour comparer les offres "
        "sont publiées intégralement avant la réception des offres et ne changeront pas pendant l'évaluation. "
        "Chaque catégorie porte un poids ; au sein d'une catégorie, chaque critère porte un poids relatif aux autres "
        "critères de la catégorie. La part d'un critère dans la note de qualité est le produit des deux parts :",
    },
    "weighting.split": {
        "en": "The quality score counts for {quality} of the final score, and price for {price}.",
        "fr": "La note de qualité compte pour {quality} de la note finale, et le prix pour {price}.",
    },
    "weighting.table_caption": {
        "en": "Weight of each category in the quality score",
        "fr": "Poids de chaque catégorie dans la note de qualité",
    },
    "col.id": {"en": "ID", "fr": "Réf."},
    "col.category": {"en": "Category", "fr": "Catégorie"},
    "col.criteria": {"en": "Criteria", "fr": "Critères"},
    "col.must": {"en": "of which MUST", "fr": "dont MUST"},
    "col.weight": {"en": "Weight", "fr": "Poids"},
    "col.share": {"en": "Share of quality", "fr": "Part de la qualité"},
    "col.id_priority": {"en": "ID / priority", "fr": "Réf. / priorité"},
    "col.requirement": {"en": "Requirement", "fr": "Exigence"},
    "col.in_category": {"en": "In category", "fr": "Dans la catégorie"},
    "col.overall": {"en": "Overall", "fr": "Global"},
    "col.score": {"en": "Score", "fr": "Note"},
    "col.meaning": {"en": "Meaning", "fr": "Signification"},
    # Requirements.
    "req.intro": {
        "en": "Each requirement has an identifier, to be quoted in every answer, a priority and a weight. "
        "The Weight column gives the criterion's weight within its category; the two percentage columns give "
        "its share of the category and of the whole quality score.",
        "fr": "Chaque exigence porte une référence, à rappeler dans toute réponse, une priorité et un poids. "
        "La colonne Poids donne le poids du critère au sein de sa catégorie ; les deux colonnes de pourcentages "
        "donnent sa part dans la catégorie et dans l'ensemble de la note de qualité.",
    },
    "req.legend.MUST": {
        "en": "eliminatory: an offer whose combined score on this criterion is below {threshold} is rejected, "
        "whatever its other scores.",
        "fr": "éliminatoire : une offre dont la note combinée sur ce critère est inférieure à {threshold} est "
        "écartée, quelles que soient ses autres notes.",
    },
    "req.legend.SHOULD": {
        "en": "important: strongly expected; counts in the score according to its weight.",
        "fr": "important : fortement attendu ; compte dans la note selon son poids.",
    },
    "req.legend.COULD": {
        "en": "desirable: a plus; counts in the score according to its weight.",
        "fr": "souhaitable : un plus ; compte dans la note selon son poids.",
    },
    "req.category_meta": {
        "en": "Category weight {weight}, that is {share} of the quality score · {count} criteria",
        "fr": "Poids de la catégorie {weight}, soit {share} de la note de qualité · {count} critères",
    },
    "req.how_to_test": {"en": "Pilot test:", "fr": "Test pilote :"},
    # Method: scale.
    "scale.intro": {
        "en": "Pilot testers score every criterion of every product on a scale from 0 to {max}{step}. "
        "Each score means:",
        "fr": "Les testeurs du pilote notent chaque critère de chaque produit sur une échelle de 0 à {max}{step}. "
        "Chaque note signifie :",
    },
    "scale.step": {"en": " in steps of {step}", "fr": " par pas de {step}"},
    "scale.na": {
        "en": "N/A (not assessed): the tester could not try the feature. This answer counts neither for nor against "
        "the product. A blank cell means the criterion was not scored.",
        "fr": "N/A (non évalué) : le testeur n'a pas pu essayer la fonction. Cette réponse ne compte ni pour ni "
        "contre le produit. Une cellule vide signifie que le critère n'a pas été noté.",
    },
    # Method: pilot.
    "pilot.text": {
        "en": "Shortlisted vendors provide a pilot platform. A panel of pilot testers drawn from every hierarchical "
        "level, every generation and every department uses each product for real work, following the test "
        "procedure given with each criterion. An enterprise social network only succeeds if it is adopted at every "
        "level, which is why the panel is not limited to IT staff or enthusiasts.",
        "fr": "Les éditeurs retenus mettent à disposition une plateforme pilote. Un panel de testeurs issus de tous "
        "les niveaux hiérarchiques, de toutes les générations et de tous les services utilise chaque produit pour "
        "son travail réel, en suivant la procédure de test indiquée pour chaque critère. Un réseau social "
        "d'entreprise ne réussit que s'il est adopté à tous les niveaux : c'est pourquoi le panel ne se limite ni "
        "à la DSI ni aux volontaires les plus enthousiastes.",
    },
    "pilot.workbook": {
        "en": "Each tester receives a personal scoring workbook, with one sheet per product and one row per "
        "criterion, and returns it to the project team. Every workbook is marked with a version of the criteria "
        "it asks about, so that a workbook answering other criteria can never be counted by mistake.",
        "fr": "Chaque testeur reçoit un classeur de notation personnel, avec une feuille par produit et une ligne "
        "par critère, et le renvoie à l'équipe projet. Chaque classeur est marqué d'une version des critères sur "
        "lesquels il porte, afin qu'un classeur répondant à d'autres critères ne puisse jamais être compté par "
        "erreur.",
    },
    # Method: quality.
    "quality.mean": {
        "en": "For each product and criterion, the testers' scores are combined by their arithmetic mean.",
        "fr": "Pour chaque produit et chaque critère, les notes des testeurs sont combinées par leur moyenne "
        "arithmétique.",
    },
    "quality.median": {
        "en": "For each product and criterion, the testers' scores are combined by their median.",
        "fr": "Pour chaque produit et chaque critère, les notes des testeurs sont combinées par leur médiane.",
    },
    "quality.trimmed_mean": {
        "en": "For each product and criterion, the testers' scores are combined by their mean once the lowest 10 % "
        "and the highest 10 % of the scores are set aside.",
        "fr": "Pour chaque produit et chaque critère, les notes des testeurs sont combinées par leur moyenne, "
        "après avoir écarté les 10 % de notes les plus basses et les 10 % les plus hautes.",
    },
    "quality.balance": {
        "en": "Testers are grouped by their '{column}': the scores of each group are first combined in this way, "
        "then the plain mean of the groups is taken, so that every group counts equally whatever its size.",
        "fr": "Les testeurs sont regroupés selon leur «{nbsp}{column}{nbsp}» : les notes de chaque groupe sont "
        "d'abord combinées ainsi, puis on prend la moyenne simple des groupes, de sorte que chaque groupe compte "
        "autant, quelle que soit sa taille.",
    },
    "quality.formula_intro": {
        "en": "The quality score of a product, from 0 to 100, is the weighted mean of its combined scores:",
        "fr": "La note de qualité d'un produit, de 0 à 100, est la moyenne pondérée de ses notes combinées :",
    },
    # Method: knock-outs.
    "knockout.text": {
        "en": "The {count} criteria marked MUST are eliminatory. A product whose combined score on any MUST "
        "criterion is below {threshold} (on the scale from 0 to {max}) is eliminated: it is not ranked, whatever "
        "its other scores. A MUST criterion that no tester could assess is reported to the committee as a warning.",
        "fr": "Les {count} critères marqués MUST sont éliminatoires. Un produit dont la note combinée sur l'un "
        "d'eux est inférieure à {threshold} (sur l'échelle de 0 à {max}) est éliminé : il n'est pas classé, "
        "quelles que soient ses autres notes. Un critère MUST qu'aucun testeur n'a pu évaluer est signalé au comité.",
    },
    "knockout.list": {"en": "MUST criteria:", "fr": "Critères MUST :"},
    "knockout.none": {
        "en": "This tender has no MUST criterion: no product can be eliminated on a single criterion.",
        "fr": "Cette consultation ne comporte aucun critère MUST : aucun produit ne peut être éliminé sur un seul "
        "critère.",
    },
    # Method: cost.
    "tco.intro": {
        "en": "The total cost of ownership (TCO) of each offer is computed over {years} years for {users} users, "
        "from the prices stated in the offer:",
        "fr": "Le coût total de possession (TCO) de chaque offre est calculé sur {years} ans pour {users} "
        "utilisateurs, à partir des prix indiqués dans l'offre :",
    },
    "tco.no_discount": {
        "en": "Later years are not discounted (r = 0): every year counts at its face value.",
        "fr": "Les années suivantes ne sont pas actualisées (r = 0) : chaque année compte pour sa valeur faciale.",
    },
    "tco.currency": {
        "en": "All amounts are in {currency}, excluding tax.",
        "fr": "Tous les montants sont exprimés en {currency}, hors taxes.",
    },
    # Method: price.
    "price.intro": {
        "en": "The price score, from 0 to 100, compares each offer with the cheapest offer still in competition "
        "(not eliminated):",
        "fr": "La note de prix, de 0 à 100, compare chaque offre à l'offre la moins chère encore en lice (non "
        "éliminée) :",
    },
    "price.inverse": {
        "en": "The cheapest offer scores 100; an offer twice as expensive scores 50.",
        "fr": "L'offre la moins chère obtient 100 ; une offre deux fois plus chère obtient 50.",
    },
    "price.linear": {
        "en": "The cheapest offer scores 100; the score falls by one point for every 1 % above the cheapest offer, "
        "down to 0 for an offer twice as expensive or more.",
        "fr": "L'offre la moins chère obtient 100 ; la note perd un point par tranche de 1 % au-dessus de l'offre la "
        "moins chère, jusqu'à 0 pour une offre deux fois plus chère ou davantage.",
    },
    # Method: final.
    "final.intro": {
        "en": "The final score combines quality and price in the published proportion of {quality} for quality "
        "and {price} for price:",
        "fr": "La note finale combine qualité et prix dans la proportion publiée de {quality} pour la qualité et "
        "{price} pour le prix :",
    },
    "final.rank": {
        "en": "Products that are not eliminated are ranked by final score, highest first; equal scores share the "
        "same rank. The committee also examines how robust the ranking is: disagreement between testers, results "
        "for each group of testers, and how far the weights would have to move to change the winner.",
        "fr": "Les produits non éliminés sont classés par note finale décroissante ; des notes égales partagent le "
        "même rang. Le comité examine aussi la solidité du classement : désaccords entre testeurs, résultats par "
        "groupe de testeurs, et ampleur du changement de pondération qui modifierait le vainqueur.",
    },
    # Answering.
    "answer.ids": {
        "en": "Every answer quotes the identifier of the requirement it addresses. Prices state, in {currency} "
        "excluding tax: the one-off set-up cost, the price per user per month and the annual fixed cost, so "
        "that the total cost of ownership can be computed as described in section {section}.",
        "fr": "Chaque réponse rappelle la référence de l'exigence qu'elle traite. Les prix indiquent, en {currency} "
        "hors taxes : le coût de mise en place, le prix par utilisateur et par mois et le coût fixe annuel, afin "
        "que le coût total de possession puisse être calculé comme décrit en section {section}.",
    },
    "answer.deadline": {
        "en": "Pilot testers return their scoring workbooks by {date}.",
        "fr": "Les testeurs du pilote renvoient leurs classeurs de notation au plus tard le {date}.",
    },
    "answer.contact": {"en": "Contact for questions: {contact}.", "fr": "Contact pour toute question : {contact}."},
    # Meanings of the symbols in the formulas (the symbols themselves are markup in the template).
    "var.where": {"en": "where:", "fr": "où :"},
    "var.category_weight": {"en": "weight of category c", "fr": "poids de la catégorie c"},
    "var.criterion_weight": {
        "en": "weight of criterion i within its category c",
        "fr": "poids du critère i au sein de sa catégorie c",
    },
    "var.share": {
        "en": "share of criterion i in the quality score (section {section})",
        "fr": "part du critère i dans la note de qualité (section {section})",
    },
    "var.combined": {"en": "combined score of criterion i", "fr": "note combinée du critère i"},
    "var.scale_max": {"en": "top of the scale: {max}", "fr": "haut de l'échelle : {max}"},
    "var.assessed": {
        "en": "the criteria that at least one tester could assess",
        "fr": "les critères qu'au moins un testeur a pu évaluer",
    },
    "quality.coverage": {
        "en": "Criteria that no tester could assess are left out and the shares of the others are scaled up in "
        "proportion. The coverage, the sum of the shares assessed, is reported with each score.",
        "fr": "Les critères qu'aucun testeur n'a pu évaluer sont écartés et les parts des autres augmentées en "
        "proportion. La couverture, somme des parts évaluées, accompagne chaque note.",
    },
    "var.setup": {"en": "one-off set-up cost", "fr": "coût de mise en place, payé une fois"},
    "var.per_user": {"en": "price per user per month", "fr": "prix par utilisateur et par mois"},
    "var.fixed": {
        "en": "annual fixed cost (support, hosting, options)",
        "fr": "coût fixe annuel (support, hébergement, options)",
    },
    "var.years": {"en": "number of years counted: {years}", "fr": "nombre d'années comptées : {years}"},
    "var.users": {"en": "number of users: {users}", "fr": "nombre d'utilisateurs : {users}"},
    "var.rate": {"en": "yearly discount rate: {rate}", "fr": "taux d'actualisation annuel : {rate}"},
    "var.tco_min": {
        "en": "lowest TCO among the offers not eliminated",
        "fr": "TCO le plus bas parmi les offres non éliminées",
    },
    "var.quality": {"en": "quality score (section {section})", "fr": "note de qualité (section {section})"},
    "var.price": {"en": "price score (section {section})", "fr": "note de prix (section {section})"},
    "var.split": {
        "en": "the quality/price split: {quality} and {price}",
        "fr": "la répartition qualité/prix : {quality} et {price}",
    },
}

#: Every message, by key then language.
MESSAGES: dict[str, dict[str, str]] = {**COMMON, **SPEC}


def _french_spacing(text: str) -> str:
    # A plain space before a high punctuation sign would let a line break strand it at the start of a line.
    for sign in (" :", " ;", " %", " ?", " !", " »"):
        text = text.replace(sign, NBSP + sign[1:])
    return text.replace("« ", "«" + NBSP)


def message(
    catalogue: dict[str, dict[str, str]], key: str, language: str, /, *, kind: str = "message", **values: Any
) -> str:
    """The message ``key`` of ``catalogue`` in ``language``, with ``{placeholders}`` filled from ``values``.

    Raises KeyError naming the key if it is unknown, ValueError if the language is not fr or en.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    try:
        text = catalogue[key][language]
    except KeyError:
        raise KeyError(f"no {language} {kind} for key {key!r}") from None
    if language == "fr":
        text = _french_spacing(text)
    return text.format(nbsp=NBSP, **values) if values or "{nbsp}" in text else text


def translate(key: str, language: str, /, **values: Any) -> str:
    """A message of the specification and of every document (see :func:`message`)."""
    return message(MESSAGES, key, language, **values)
