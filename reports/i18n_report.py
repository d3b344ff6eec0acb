"""The fr/en labels of the committee report, keyed by dotted names like those of :mod:`reports.i18n`."""

from __future__ import annotations

from typing import Any

from reports.i18n import message

#: Every message of the report, by key then language. Placeholders are str.format fields.
REPORT: dict[str, dict[str, str]] = {
    # Document.
    "doc.kind": {"en": "Comparative evaluation report", "fr": "Rapport d'évaluation comparative"},
    "doc.subject": {
        "en": "Ranking of the offers, robustness of the verdict and evidence, for the steering committee",
        "fr": "Classement des offres, solidité du verdict et éléments probants, pour le comité de pilotage",
    },
    "doc.issued": {"en": "Issued on", "fr": "Édité le"},
    "doc.version": {"en": "Criteria version", "fr": "Version des critères"},
    "doc.campaign": {"en": "Campaign", "fr": "Campagne"},
    # Files attached to the archival PDF (their descriptions).
    "attach.json": {
        "en": "Results at full precision (tender score --format json)",
        "fr": "Résultats avec toutes leurs décimales (tender score --format json)",
    },
    "attach.vendors": {
        "en": "Results per vendor (tender score --format csv)",
        "fr": "Résultats par fournisseur (tender score --format csv)",
    },
    "attach.criteria": {
        "en": "Results per vendor and criterion (tender score --format csv)",
        "fr": "Résultats par fournisseur et par critère (tender score --format csv)",
    },
    "attach.method": {
        "en": "Method and formulas (tender score --format csv)",
        "fr": "Méthode et formules (tender score --format csv)",
    },
    # Sections.
    "sec.summary": {"en": "Executive summary", "fr": "Synthèse"},
    "sec.ranking": {"en": "Ranking", "fr": "Classement"},
    "sec.categories": {"en": "Comparison by category", "fr": "Comparaison par catégorie"},
    "sec.profiles": {"en": "Profile of each vendor", "fr": "Profil de chaque fournisseur"},
    "sec.costs": {"en": "Costs", "fr": "Coûts"},
    "sec.knockouts": {"en": "Eliminations", "fr": "Éliminations"},
    "sec.agenda": {"en": "Consensus meeting agenda", "fr": "Ordre du jour de la réunion de consensus"},
    "sec.segments": {"en": "Results by group of testers", "fr": "Résultats par groupe de testeurs"},
    "sec.sensitivity": {"en": "Robustness of the ranking", "fr": "Solidité du classement"},
    "sec.montecarlo": {"en": "Random changes of the weights", "fr": "Variations aléatoires des pondérations"},
    "sec.flips": {"en": "Weight that would change the winner", "fr": "Pondération qui changerait le vainqueur"},
    "sec.influence": {"en": "Influential testers", "fr": "Testeurs influents"},
    "sec.method": {"en": "Method and settings", "fr": "Méthode et paramètres"},
    "sec.criteria": {"en": "Scores per criterion", "fr": "Notes par critère"},
    "sec.audit": {"en": "Audit trail of the workbooks", "fr": "Traçabilité des classeurs"},
    # Statuses.
    "status.eliminated": {"en": "eliminated", "fr": "éliminé"},
    "status.eliminated_short": {"en": "elim.", "fr": "élim."},
    "status.unassessed": {"en": "not assessed", "fr": "non évalué"},
    # Columns.
    "col.rank": {"en": "Rank", "fr": "Rang"},
    "col.vendor": {"en": "Vendor", "fr": "Fournisseur"},
    "col.final": {"en": "Final", "fr": "Note finale"},
    "col.quality": {"en": "Quality", "fr": "Qualité"},
    "col.price": {"en": "Price", "fr": "Prix"},
    "col.tco": {"en": "TCO", "fr": "Coût total"},
    "col.coverage": {"en": "Coverage", "fr": "Couverture"},
    "col.id": {"en": "ID", "fr": "Réf."},
    "col.category": {"en": "Category", "fr": "Catégorie"},
    "col.criterion": {"en": "Criterion", "fr": "Critère"},
    "col.weight_share": {"en": "Weight", "fr": "Poids"},
    "col.effective": {"en": "Share", "fr": "Part"},
    "col.setup": {"en": "Setup", "fr": "Mise en place"},
    "col.per_user": {"en": "Per user per month", "fr": "Par utilisateur et par mois"},
    "col.fixed": {"en": "Annual fixed", "fr": "Fixe annuel"},
    "col.alpha": {"en": "Krippendorff's α", "fr": "α de Krippendorff"},
    "col.flagged": {"en": "Disputed criteria", "fr": "Critères en désaccord"},
    "col.overall_rank": {"en": "Overall", "fr": "Global"},
    "col.flip": {"en": "Changes at", "fr": "Bascule à"},
    "col.change": {"en": "Change", "fr": "Variation"},
    "col.new_winner": {"en": "New winner", "fr": "Nouveau vainqueur"},
    "col.tester": {"en": "Tester", "fr": "Testeur"},
    "col.groups": {"en": "Groups", "fr": "Groupes"},
    "col.winner_without": {"en": "Winner without this tester", "fr": "Vainqueur sans ce testeur"},
    "col.received": {"en": "Received (UTC)", "fr": "Reçu (UTC)"},
    "col.file": {"en": "File", "fr": "Fichier"},
    "col.sha": {"en": "SHA-256 (start)", "fr": "SHA-256 (début)"},
    "col.status": {"en": "Status", "fr": "Statut"},
    # Summary.
    "summary.recommended": {"en": "Recommended vendor:", "fr": "Fournisseur recommandé :"},
    "summary.tie": {"en": "Tied in first place:", "fr": "Ex aequo en première place :"},
    "summary.no_winner": {
        "en": "No vendor can be recommended: none is both assessed and not eliminated.",
        "fr": "Aucun fournisseur ne peut être recommandé : aucun n'est à la fois évalué et non éliminé.",
    },
    "summary.final": {"en": "Final score {score} out of 100.", "fr": "Note finale de {score} sur 100."},
    "summary.margin": {
        "en": "It leads {name} ({score}) by {margin} points.",
        "fr": "Il devance {name} ({score}) de {margin} points.",
    },
    "summary.robust": {"en": "Robust verdict.", "fr": "Verdict solide."},
    "summary.fragile": {"en": "Fragile verdict.", "fr": "Verdict fragile."},
    "verdict.no_ranked": {
        "en": "no vendor is ranked (every vendor is eliminated or not assessed)",
        "fr": "aucun fournisseur n'est classé (tous sont éliminés ou non évalués)",
    },
    "verdict.tie": {"en": "{names} tie for first place", "fr": "{names} sont ex aequo en tête"},
    "verdict.monte_carlo": {
        "en": "{winner} comes first in only {share} of {draws} random weightings",
        "fr": "{winner} n'arrive en tête que dans {share} des {draws} pondérations aléatoires",
    },
    "verdict.weights": {
        "en": "changing the weight of one category by less than ±{delta} can change the winner (categories "
        "concerned: {count})",
        "fr": "modifier le poids d'une seule catégorie de moins de ±{delta} peut changer le vainqueur (catégories "
        "concernées : {count})",
    },
    "verdict.testers": {
        "en": "leaving out a single tester can change the winner (testers concerned: {count})",
        "fr": "retirer un seul testeur peut changer le vainqueur (testeurs concernés : {count})",
    },
    "verdict.fragile": {
        "en": "No robust winner: {reasons}. Details in section {section}.",
        "fr": "Pas de vainqueur solide : {reasons}. Détails en section {section}.",
    },
    "verdict.fragile_here": {"en": "No robust winner: {reasons}.", "fr": "Pas de vainqueur solide : {reasons}."},
    "summary.eliminations": {"en": "Eliminations", "fr": "Éliminations"},
    "summary.knocked": {
        "en": "{id} {title}: {score}, below the threshold of {threshold}",
        "fr": "{id} {title} : {score}, sous le seuil de {threshold}",
    },
    "summary.no_elimination": {
        "en": "No vendor was eliminated: every MUST criterion reached the threshold.",
        "fr": "Aucun fournisseur n'a été éliminé : chaque critère MUST a atteint le seuil.",
    },
    "summary.no_elimination_partial": {
        "en": "No vendor was eliminated: every MUST criterion that testers assessed reached the threshold.",
        "fr": "Aucun fournisseur n'a été éliminé : chaque critère MUST évalué par les testeurs a atteint le seuil.",
    },
    "summary.unassessed": {
        "en": "Not assessed by any tester, hence not ranked: {names}.",
        "fr": "Non évalués par les testeurs, donc non classés : {names}.",
    },
    "summary.participation": {"en": "Participation", "fr": "Participation"},
    "summary.participation_text": {
        "en": "Testers who returned a valid workbook: {respondents} of {testers}. Workbooks counted: {accepted}; "
        "scores in all: {scores}. The criteria assessed cover {low} to {high} of the weights, depending on the "
        "vendor.",
        "fr": "Testeurs ayant rendu un classeur valide : {respondents} sur {testers}. Classeurs pris en compte : "
        "{accepted} ; notes au total : {scores}. Les critères évalués couvrent de {low} à {high} des "
        "pondérations selon le fournisseur.",
    },
    "summary.participation_same": {
        "en": "Testers who returned a valid workbook: {respondents} of {testers}. Workbooks counted: {accepted}; "
        "scores in all: {scores}. The criteria assessed cover {low} of the weights for every vendor.",
        "fr": "Testeurs ayant rendu un classeur valide : {respondents} sur {testers}. Classeurs pris en compte : "
        "{accepted} ; notes au total : {scores}. Les critères évalués couvrent {low} des pondérations pour "
        "chaque fournisseur.",
    },
    "summary.rejected_text": {
        "en": "Workbooks rejected: {rejected}; replaced by a later one: {superseded} (see appendix {section}).",
        "fr": "Classeurs rejetés : {rejected} ; remplacés par un envoi plus récent : {superseded} "
        "(voir l'annexe {section}).",
    },
    "summary.warnings": {
        "en": "MUST criteria left unassessed for some vendors: {count} (listed in section {section}).",
        "fr": "Critères MUST non évalués pour certains fournisseurs : {count} (liste en section {section}).",
    },
    "key.final": {"en": "final score of the leader", "fr": "note finale du premier"},
    "key.margin": {"en": "points ahead of the second", "fr": "points d'avance sur le deuxième"},
    "key.share": {"en": "first places over {draws} weightings", "fr": "de premières places sur {draws} pondérations"},
    "key.testers": {"en": "testers took part", "fr": "testeurs ont participé"},
    # Ranking.
    "ranking.intro": {
        "en": "Vendors are ranked by final score, which weighs quality for {quality} and price for {price}. "
        "Eliminated and unassessed vendors are listed last, without a rank.",
        "fr": "Les fournisseurs sont classés par note finale, qui pondère la qualité à {quality} et le prix à "
        "{price}. Les fournisseurs éliminés ou non évalués figurent en fin de tableau, sans rang.",
    },
    "ranking.note": {
        "en": "Scores are out of 100. Coverage is the share of the criteria weights that testers could assess "
        "for the vendor; the quality score is computed over that share.",
        "fr": "Les notes sont sur 100. La couverture est la part des pondérations des critères que les testeurs "
        "ont pu évaluer pour le fournisseur ; la note de qualité est calculée sur cette part.",
    },
    "ranking.chart": {
        "en": "Points of the final score contributed by each category and by the price",
        "fr": "Points de la note finale apportés par chaque catégorie et par le prix",
    },
    "chart.points": {"en": "Points of the final score (out of 100)", "fr": "Points de la note finale (sur 100)"},
    "chart.price": {"en": "Price", "fr": "Prix"},
    "chart.average": {"en": "Average of all vendors", "fr": "Moyenne des fournisseurs"},
    "chart.cost": {"en": "Total cost of ownership ({currency})", "fr": "Coût total de possession ({currency})"},
    "chart.first_places": {
        "en": "Share of first places over {draws} random weightings",
        "fr": "Part des premières places sur {draws} pondérations aléatoires",
    },
    # Categories.
    "categories.intro": {
        "en": "Score of each vendor in each category, out of 100, computed over the criteria of the category "
        "that testers assessed. Darker cells are lower scores; every cell carries its value.",
        "fr": "Note de chaque fournisseur dans chaque catégorie, sur 100, calculée sur les critères de la "
        "catégorie évalués par les testeurs. Plus la case est sombre, plus la note est basse ; chaque case "
        "porte sa valeur.",
    },
    "categories.chart": {"en": "Category scores by vendor", "fr": "Notes par catégorie et par fournisseur"},
    "categories.weights": {"en": "Weight of each category", "fr": "Poids de chaque catégorie"},
    "profiles.intro": {
        "en": "Each chart shows one vendor's category scores, out of 100 (solid line), against the average of all "
        "vendors (dashed line). Axes carry the category IDs listed below. A hollow dot at the centre marks a "
        "category nobody assessed.",
        "fr": "Chaque graphique montre les notes par catégorie d'un fournisseur, sur 100 (trait plein), face à la "
        "moyenne des fournisseurs (tirets). Les axes portent les références de catégorie listées ci-dessous. Un "
        "point creux au centre signale une catégorie que personne n'a évaluée.",
    },
    "profiles.too_few": {
        "en": "A profile chart needs at least three categories; this campaign has {count}. The table of section "
        "{section} compares the categories.",
        "fr": "Un graphique de profil demande au moins trois catégories ; cette campagne en compte {count}. Le "
        "tableau de la section {section} compare les catégories.",
    },
    "profiles.alt": {"en": "Category profile of {name}", "fr": "Profil par catégorie de {name}"},
    # Costs.
    "costs.intro": {
        "en": "Total cost of ownership over {horizon} for {users} users, later years discounted at {rate} "
        "a year. The price score uses the {formula}.",
        "fr": "Coût total de possession sur {horizon} pour {users} utilisateurs, les années suivantes étant "
        "actualisées à {rate} par an. La note de prix suit la {formula}.",
    },
    "costs.chart": {
        "en": "Total cost of ownership: setup and each year of the horizon",
        "fr": "Coût total de possession : mise en place et chaque année de l'horizon",
    },
    "costs.note": {
        "en": "Amounts are rounded to whole units. Each year is discounted and excludes the setup cost; the TCO is "
        "the setup cost plus the years.",
        "fr": "Montants arrondis à l'unité. Chaque année est actualisée et hors mise en place ; le coût total est la "
        "mise en place plus les années.",
    },
    "costs.breakdown": {"en": "Breakdown over the horizon", "fr": "Répartition sur l'horizon"},
    "costs.missing": {
        "en": "Without a price in vendors.xlsx, hence not compared here: {names}.",
        "fr": "Sans prix dans vendors.xlsx, donc non comparés ici : {names}.",
    },
    "costs.none": {
        "en": "No vendor has a price, so costs are not compared.",
        "fr": "Aucun fournisseur n'a de prix : les coûts ne sont pas comparés.",
    },
    "cost.setup": {"en": "Setup", "fr": "Mise en place"},
    "cost.year": {"en": "Year {year}", "fr": "Année {year}"},
    "price.inverse": {"en": "inverse formula", "fr": "formule inverse"},
    "price.linear": {"en": "linear formula", "fr": "formule linéaire"},
    # Knock-outs.
    "knockouts.intro": {
        "en": "A vendor is eliminated when the combined score of one MUST criterion is below {threshold}, "
        "whatever its other scores. Each elimination is shown with the scores and comments behind it.",
        "fr": "Un fournisseur est éliminé dès que la note combinée d'un critère MUST est inférieure à "
        "{threshold}, quelles que soient ses autres notes. Chaque élimination est présentée avec les notes et "
        "commentaires qui la fondent.",
    },
    "knockouts.figures": {
        "en": "Combined score {score} (threshold {threshold}); scores: {n}; standard deviation {sd}; "
        "answered N/A: {na}.",
        "fr": "Note combinée {score} (seuil {threshold}) ; notes : {n} ; écart-type {sd} ; réponses N/A : {na}.",
    },
    "knockouts.none": {"en": "No vendor was eliminated.", "fr": "Aucun fournisseur n'a été éliminé."},
    "knockouts.missing_title": {"en": "MUST criteria not assessed", "fr": "Critères MUST non évalués"},
    "knockouts.missing_intro": {
        "en": "Nobody scored these MUST criteria for the vendor, so they could not eliminate it. Check them "
        "before the decision.",
        "fr": "Personne n'a noté ces critères MUST pour le fournisseur : ils n'ont donc pas pu l'éliminer. "
        "Vérifiez-les avant la décision.",
    },
    "evidence.scores": {"en": "Scores given:", "fr": "Notes données :"},
    "evidence.quote": {"en": "“{text}”", "fr": "« {text} »"},
    "evidence.more_comments": {
        "en": "Other comments, in the results file: {count}.",
        "fr": "Autres commentaires, dans le fichier de résultats : {count}.",
    },
    "evidence.no_comment": {"en": "No comment was written.", "fr": "Aucun commentaire n'a été écrit."},
    # Agenda.
    "agenda.intro": {
        "en": "Testers disagree on a criterion when the standard deviation of their scores reaches {sd}. These "
        "criteria are the agenda of the consensus meeting: the committee hears both sides before deciding. "
        "Krippendorff's alpha measures, for each vendor, how far testers agree overall (1 = full agreement, "
        "0 = no more than chance).",
        "fr": "Les testeurs sont en désaccord sur un critère quand l'écart-type de leurs notes atteint {sd}. Ces "
        "critères forment l'ordre du jour de la réunion de consensus : le comité entend les deux points de vue "
        "avant de trancher. L'alpha de Krippendorff mesure, pour chaque fournisseur, l'accord global entre "
        "testeurs (1 = accord total, 0 = pas mieux que le hasard).",
    },
    "agenda.reliability": {"en": "Agreement between testers", "fr": "Accord entre testeurs"},
    "agenda.flagged_of": {"en": "{flagged} of {pairs}", "fr": "{flagged} sur {pairs}"},
    "agenda.alpha_note": {
        "en": "Below 0.67, agreement is usually judged too weak to rely on single scores.",
        "fr": "En dessous de 0,67, l'accord est en général jugé trop faible pour se fier aux notes isolées.",
    },
    "agenda.items_title": {"en": "Points to discuss", "fr": "Points à discuter"},
    "agenda.shown_all": {
        "en": "Disputed criteria: {total}, by vendor in ranking order, widest disagreement first.",
        "fr": "Critères en désaccord : {total}, par fournisseur dans l'ordre du classement, plus fort désaccord "
        "en premier.",
    },
    "agenda.shown_some": {
        "en": "The {shown} widest disagreements of {total}, by vendor in ranking order; the results file "
        "attached to this report lists them all.",
        "fr": "Les {shown} plus forts désaccords sur {total}, par fournisseur dans l'ordre du classement ; le "
        "fichier de résultats joint au rapport les liste tous.",
    },
    "agenda.figures": {
        "en": "Scores: {n}; mean {mean}, standard deviation {sd}, range {spread}.",
        "fr": "Notes : {n} ; moyenne {mean}, écart-type {sd}, étendue {spread}.",
    },
    "agenda.none": {
        "en": "Testers never disagreed beyond a standard deviation of {sd}: nothing needs a consensus meeting.",
        "fr": "Les testeurs n'ont jamais divergé au-delà d'un écart-type de {sd} : aucune réunion de consensus "
        "n'est nécessaire.",
    },
    # Segments.
    "segments.intro": {
        "en": "Each table recomputes the quality score and the rank of every vendor from one group of testers "
        "only. A vendor whose rank changes from one group to another is marked ●: the groups do not see it "
        "the same way.",
        "fr": "Chaque tableau recalcule la note de qualité et le rang de chaque fournisseur à partir d'un seul "
        "groupe de testeurs. Un fournisseur dont le rang change d'un groupe à l'autre est marqué ● : les "
        "groupes ne le perçoivent pas de la même façon.",
    },
    "segments.legend": {
        "en": "Cells: quality score (rank in the group, by final score: price included, as in the overall "
        "ranking). ▲ better rank than overall, ▼ worse rank than overall.",
        "fr": "Cases : note de qualité (rang dans le groupe, selon la note finale : prix compris, comme au "
        "classement global). ▲ mieux classé qu'au global, ▼ moins bien classé qu'au global.",
    },
    "segments.column": {"en": "By {column}", "fr": "Par {column}"},
    "segments.testers": {"en": "n = {count}", "fr": "n = {count}"},
    "segments.divergent": {
        "en": "Ranked differently depending on the {column}: {names}.",
        "fr": "Classés différemment selon le critère « {column} » : {names}.",
    },
    "segments.stable": {
        "en": "Every group of this column ranks the vendors the same way.",
        "fr": "Tous les groupes de cette colonne classent les fournisseurs de la même façon.",
    },
    # Sensitivity.
    "sensitivity.intro": {
        "en": "A ranking is only worth as much as its resistance to reasonable changes of the weights and of "
        "the panel. Three checks follow.",
        "fr": "Un classement ne vaut que par sa résistance à des changements raisonnables des pondérations et du "
        "panel. Trois vérifications suivent.",
    },
    "montecarlo.text": {
        "en": "The ranking was recomputed {draws} times, each category weight and both halves of the "
        "quality/price split being multiplied by a random factor between −{delta} and +{delta} (seed {seed}).",
        "fr": "Le classement a été recalculé {draws} fois, chaque poids de catégorie et chaque moitié du "
        "partage qualité/prix étant multiplié par un facteur aléatoire entre −{delta} et +{delta} "
        "(graine {seed}).",
    },
    "montecarlo.winner": {
        "en": "{names} comes first in {share} of the draws.",
        "fr": "{names} arrive en tête dans {share} des tirages.",
    },
    "montecarlo.tie": {
        "en": "{names} share the first place, so no single winner's share can be given.",
        "fr": "{names} partagent la première place : aucune part d'un vainqueur unique ne peut être donnée.",
    },
    "montecarlo.shared": {
        "en": "A first place shared in a draw counts for each vendor holding it, so the shares add up to more "
        "than 100%.",
        "fr": "Une première place partagée dans un tirage compte pour chaque fournisseur qui la partage : les "
        "parts dépassent 100 % au total.",
    },
    "montecarlo.chart": {
        "en": "Share of first places under random weights",
        "fr": "Part des premières places sous pondérations aléatoires",
    },
    "flips.text": {
        "en": "For each category, the share of the quality weights at which another vendor would win, the other "
        "categories keeping their proportions. Changes marked ● lie within ±{delta} of the current weight.",
        "fr": "Pour chaque catégorie, la part des pondérations de qualité à partir de laquelle un autre "
        "fournisseur l'emporterait, les autres catégories gardant leurs proportions. Les variations marquées ● "
        "restent dans ±{delta} du poids actuel.",
    },
    "flips.legend": {
        "en": "Change: the same move said as a change of this category's own weight. ●: within ±{delta}.",
        "fr": "Variation : le même changement exprimé sur le poids propre de la catégorie. ● : dans ±{delta}.",
    },
    "flip.none": {"en": "never", "fr": "jamais"},
    "flips.tie": {
        "en": "Not computed: the first place is already shared, so there is no single winner whose place a "
        "weight could change.",
        "fr": "Non calculé : la première place est déjà partagée, il n'y a donc pas de vainqueur unique dont une "
        "pondération pourrait changer la place.",
    },
    "flips.no_winner": {
        "en": "Not computed: no vendor is ranked.",
        "fr": "Non calculé : aucun fournisseur n'est classé.",
    },
    "influence.no_winner": {
        "en": "Not computed: no vendor is ranked, so leaving a tester out cannot change a winner.",
        "fr": "Non calculé : aucun fournisseur n'est classé, le retrait d'un testeur ne peut donc changer aucun "
        "vainqueur.",
    },
    "influence.text": {
        "en": "Each tester in turn was left out and the ranking recomputed (testers tried: {count}).",
        "fr": "Chaque testeur a été retiré à tour de rôle et le classement recalculé (testeurs essayés : {count}).",
    },
    "influence.none": {
        "en": "No single tester changes the winner when left out.",
        "fr": "Le retrait d'un seul testeur ne change jamais le vainqueur.",
    },
    # Method.
    "method.intro": {
        "en": "These are the settings and formulas that produced every figure of this report, so that anyone "
        "can recompute them from the attached results.",
        "fr": "Voici les paramètres et formules qui ont produit chaque chiffre de ce rapport, afin que chacun "
        "puisse les recalculer à partir des résultats joints.",
    },
    "method.settings": {"en": "Settings (tender.yaml)", "fr": "Paramètres (tender.yaml)"},
    "method.weights_title": {"en": "Weights", "fr": "Pondérations"},
    "method.where": {"en": "where:", "fr": "où :"},
    "var.e": {
        "en": "the share of criterion i in the quality score;",
        "fr": "la part du critère i dans la note de qualité ;",
    },
    "var.W": {"en": "the weight of the category c of criterion i;", "fr": "le poids de la catégorie c du critère i ;"},
    "var.w": {
        "en": "the weight of criterion i within its category.",
        "fr": "le poids du critère i au sein de sa catégorie.",
    },
    "method.quality_title": {"en": "Quality score", "fr": "Note de qualité"},
    "var.s.mean": {
        "en": "the mean of the scores testers gave vendor v on criterion i (N/A and blanks do not count);",
        "fr": "la moyenne des notes données au fournisseur v sur le critère i (N/A et cases vides ne comptent pas) ;",
    },
    "var.s.median": {
        "en": "the median of the scores testers gave vendor v on criterion i (N/A and blanks do not count);",
        "fr": "la médiane des notes données au fournisseur v sur le critère i (N/A et cases vides ne comptent pas) ;",
    },
    "var.s.trimmed_mean": {
        "en": "the mean of the scores testers gave vendor v on criterion i after dropping 10 % at each end "
        "(N/A and blanks do not count);",
        "fr": "la moyenne des notes données au fournisseur v sur le critère i après retrait de 10 % à chaque "
        "extrémité (N/A et cases vides ne comptent pas) ;",
    },
    "var.s.balance": {
        "en": "each group of the column '{column}' counts equally, s being the mean of the groups' values;",
        "fr": "chaque groupe de la colonne « {column} » compte à égalité, s étant la moyenne des valeurs des groupes ;",
    },
    "var.A": {
        "en": "the criteria scored at least once for vendor v;",
        "fr": "les critères notés au moins une fois pour le fournisseur v ;",
    },
    "var.C": {
        "en": "the coverage of vendor v, the share of the weights it was assessed on;",
        "fr": "la couverture du fournisseur v, part des pondérations sur laquelle il a été évalué ;",
    },
    "var.S": {"en": "the top of the scoring scale ({max}).", "fr": "le haut de l'échelle de notation ({max})."},
    "method.quality": {
        "en": "A vendor with no criterion assessed is not ranked. Category scores use the same formula within "
        "one category, with the criterion weights of the category.",
        "fr": "Un fournisseur sans aucun critère évalué n'est pas classé. Les notes par catégorie suivent la "
        "même formule au sein d'une catégorie, avec les poids des critères de la catégorie.",
    },
    "method.knockout_title": {"en": "Eliminations", "fr": "Éliminations"},
    "method.knockout": {
        "en": "A MUST criterion assessed for a vendor whose combined score s is below {threshold} eliminates the "
        "vendor, whatever its other scores. Eliminated vendors have no rank.",
        "fr": "Un critère MUST évalué pour un fournisseur dont la note combinée s est inférieure à {threshold} "
        "élimine ce fournisseur, quelles que soient ses autres notes. Les fournisseurs éliminés n'ont pas de rang.",
    },
    "method.tco_title": {"en": "Total cost of ownership", "fr": "Coût total de possession"},
    "var.C0": {"en": "the setup cost;", "fr": "le coût de mise en place ;"},
    "var.m": {"en": "the price per user per month;", "fr": "le prix par utilisateur et par mois ;"},
    "var.Ca": {"en": "the annual fixed cost;", "fr": "le coût fixe annuel ;"},
    "var.H": {"en": "the horizon, {horizon};", "fr": "l'horizon, {horizon} ;"},
    "var.U": {"en": "the number of users, {users};", "fr": "le nombre d'utilisateurs, {users} ;"},
    "var.r": {"en": "the yearly discount rate, {rate}.", "fr": "le taux d'actualisation annuel, {rate}."},
    "method.price_title": {"en": "Price score", "fr": "Note de prix"},
    "method.price.inverse": {
        "en": "TCO_min is the lowest TCO among the vendors not eliminated; eliminated vendors are capped at 100.",
        "fr": "TCO_min est le plus faible coût parmi les fournisseurs non éliminés ; les fournisseurs éliminés "
        "sont plafonnés à 100.",
    },
    "method.price.linear": {
        "en": "TCO_min is the lowest TCO among the vendors not eliminated; an offer twice as expensive or more "
        "scores 0; eliminated vendors are capped at 100.",
        "fr": "TCO_min est le plus faible coût parmi les fournisseurs non éliminés ; une offre deux fois plus "
        "chère ou davantage obtient 0 ; les fournisseurs éliminés sont plafonnés à 100.",
    },
    "method.final_title": {"en": "Final score and rank", "fr": "Note finale et rang"},
    "method.final": {
        "en": "q and p are the quality and price weights ({quality} and {price}). Vendors neither eliminated "
        "nor unassessed are ranked by F_v, highest first; equal scores (to 9 decimals) share a rank (1, 2, 2, 4).",
        "fr": "q et p sont les poids de la qualité et du prix ({quality} et {price}). Les fournisseurs ni "
        "éliminés ni non évalués sont classés par F_v décroissante ; des notes égales (à 9 décimales) partagent "
        "un rang (1, 2, 2, 4).",
    },
    "method.analysis_title": {"en": "Analysis", "fr": "Analyse"},
    "method.disagreement": {
        "en": "Disagreement: for each vendor and criterion scored at least twice, the sample standard deviation "
        "(n − 1) and the range of the scores; criteria at or above {sd} are put on the agenda. Agreement per "
        "vendor: Krippendorff's alpha, interval metric.",
        "fr": "Désaccord : pour chaque fournisseur et chaque critère noté au moins deux fois, l'écart-type "
        "d'échantillon (n − 1) et l'étendue des notes ; les critères à {sd} ou plus sont inscrits à l'ordre du "
        "jour. Accord par fournisseur : alpha de Krippendorff, métrique d'intervalle.",
    },
    "method.segments": {
        "en": "Segments: for each group column of testers.xlsx, quality scores and ranks recomputed from the "
        "testers of each group only.",
        "fr": "Segments : pour chaque colonne de groupe de testers.xlsx, notes de qualité et rangs recalculés à "
        "partir des seuls testeurs de chaque groupe.",
    },
    "method.montecarlo": {
        "en": "Random weights: {draws} draws (seed {seed}); each category weight and both halves of the "
        "quality/price split multiplied by an independent uniform factor in [1 − {delta}, 1 + {delta}], then "
        "renormalised.",
        "fr": "Pondérations aléatoires : {draws} tirages (graine {seed}) ; chaque poids de catégorie et chaque "
        "moitié du partage qualité/prix multipliés par un facteur uniforme indépendant dans "
        "[1 − {delta}, 1 + {delta}], puis renormalisés.",
    },
    "method.flips": {
        "en": "Weight that changes the winner: for each category, the nearest share of the weights (the other "
        "categories rescaled in proportion) at which the winner changes, if any.",
        "fr": "Pondération qui change le vainqueur : pour chaque catégorie, la part des pondérations la plus "
        "proche (les autres catégories ajustées en proportion) à laquelle le vainqueur change, s'il en existe "
        "une.",
    },
    "method.loo": {
        "en": "Influential testers: the ranking recomputed without each tester in turn; those whose removal "
        "changes the winner are listed.",
        "fr": "Testeurs influents : le classement recalculé sans chaque testeur à tour de rôle ; ceux dont le "
        "retrait change le vainqueur sont listés.",
    },
    "set.scale": {"en": "Scoring scale", "fr": "Échelle de notation"},
    "set.scale_value": {"en": "0 to {max}, step {step}", "fr": "de 0 à {max}, pas de {step}"},
    "set.aggregation": {"en": "Aggregation of scores", "fr": "Agrégation des notes"},
    "agg.mean": {"en": "mean", "fr": "moyenne"},
    "agg.median": {"en": "median", "fr": "médiane"},
    "agg.trimmed_mean": {"en": "trimmed mean (10 % each side)", "fr": "moyenne tronquée (10 % de chaque côté)"},
    "set.balance": {"en": "Groups counted equally", "fr": "Groupes comptés à égalité"},
    "set.none": {"en": "none", "fr": "aucun"},
    "set.split": {"en": "Quality / price", "fr": "Qualité / prix"},
    "set.users": {"en": "Users", "fr": "Utilisateurs"},
    "set.horizon": {"en": "Cost horizon", "fr": "Horizon des coûts"},
    "set.years": {"en": "{years} years", "fr": "{years} ans"},
    "set.year": {"en": "1 year", "fr": "1 an"},
    "set.discount": {"en": "Discount rate", "fr": "Taux d'actualisation"},
    "set.price_formula": {"en": "Price formula", "fr": "Formule de prix"},
    "set.knockout": {"en": "Elimination threshold (MUST)", "fr": "Seuil d'élimination (MUST)"},
    "set.disagreement": {"en": "Disagreement threshold (sd)", "fr": "Seuil de désaccord (écart-type)"},
    "set.montecarlo": {"en": "Random weights", "fr": "Pondérations aléatoires"},
    "set.mc_value": {
        "en": "{draws} draws, ±{delta}, seed {seed}",
        "fr": "{draws} tirages, ±{delta}, graine {seed}",
    },
    "set.currency": {"en": "Currency", "fr": "Devise"},
    "set.version": {"en": "Criteria version", "fr": "Version des critères"},
    "set.sheet_version": {"en": "Workbook version (no weights)", "fr": "Version des classeurs (sans poids)"},
    # Per-criterion appendix.
    "criteria.intro": {
        "en": "For each criterion and vendor: the combined score on the testers' scale, then the number of "
        "scores and their standard deviation. Share is the criterion's share of the quality score.",
        "fr": "Pour chaque critère et chaque fournisseur : la note combinée sur l'échelle des testeurs, puis le "
        "nombre de notes et leur écart-type. La part est celle du critère dans la note de qualité.",
    },
    "criteria.cell": {"en": "score · n · sd", "fr": "note · n · é.-t."},
    "criteria.legend": {
        "en": "–: not assessed, or fewer than two scores for the standard deviation. ×: MUST criterion below "
        "the elimination threshold.",
        "fr": "– : non évalué, ou moins de deux notes pour l'écart-type. × : critère MUST sous le seuil d'élimination.",
    },
    # Audit trail.
    "audit.intro": {
        "en": "Every workbook collected, in the order received. Accepted: {accepted}; rejected: {rejected}; "
        "replaced by a later workbook of the same tester: {superseded}. Only accepted workbooks count.",
        "fr": "Chaque classeur reçu, dans l'ordre d'arrivée. Acceptés : {accepted} ; rejetés : {rejected} ; "
        "remplacés par un classeur plus récent du même testeur : {superseded}. Seuls les classeurs acceptés "
        "comptent.",
    },
    "audit.accepted": {"en": "accepted", "fr": "accepté"},
    "audit.rejected": {"en": "rejected", "fr": "rejeté"},
    "audit.superseded": {"en": "superseded", "fr": "remplacé"},
    "audit.more_problems": {"en": "Other problems: {count}.", "fr": "Autres problèmes : {count}."},
    "audit.note": {
        "en": "Each file is archived under its full SHA-256 in the campaign's .tender/archive folder.",
        "fr": "Chaque fichier est archivé sous son SHA-256 complet dans le dossier .tender/archive de la campagne.",
    },
    "audit.empty": {"en": "No workbook has been collected yet.", "fr": "Aucun classeur n'a encore été reçu."},
}


def report_text(key: str, language: str, **values: Any) -> str:
    """The report message ``key`` in ``language``, with ``{placeholders}`` filled from ``values``.

    Raises KeyError naming the key if it is unknown, ValueError if the language is not fr or en.
    """
    return message(REPORT, key, language, kind="report message", **values)
