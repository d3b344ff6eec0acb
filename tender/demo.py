"""The bundled example: an invented campaign with simulated pilot testers and their filled workbooks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from tender.campaign import Campaign, init_campaign, load_campaign, texts
from vendors.model import Tester, Vendor

GROUP_COLUMNS = {"en": ("department", "level", "generation"), "fr": ("département", "niveau", "génération")}

# How each invented vendor behaves, so that the demo tells a story worth a report:
# (overall strength, price per user per month, setup cost, annual fixed cost,
#  categories where it shines, categories where it is weak).
PROFILES: dict[str, tuple[float, float, float, float, tuple[str, ...], tuple[str, ...]]] = {
    "V1": (3.7, 6.5, 45_000, 18_000, ("CNT", "GOV", "SEC"), ("UX",)),
    "V2": (3.3, 4.2, 15_000, 6_000, ("UX", "INT", "ACT"), ("ADO", "GOV")),
    "V3": (3.6, 5.4, 30_000, 12_000, ("COM", "ADO", "SUP"), ("INT",)),
    "V4": (3.2, 4.1, 60_000, 20_000, ("INT", "SEC", "DEP"), ("UX", "SUP")),
    "V5": (3.0, 4.6, 20_000, 9_000, ("INT", "SRC"), ("COM", "PRO")),
}
# A MUST criterion that one vendor fails, so the demo shows a knock-out with its evidence.
KNOCKOUT = ("V5", "SEC-02")
# Features that split the panel by generation (younger testers love them, older ones do not),
# so the report has a consensus-meeting agenda to show.
EXTRA_NAMES = {"en": ("first version", "draft"), "fr": ("première version", "brouillon")}
POLARISED = (("V1", "ACT-02"), ("V2", "CNT-03"), ("V3", "UX-02"), ("V4", "COM-04"), ("V2", "ADO-01"))


def demo_vendors(language: str) -> tuple[Vendor, ...]:
    """The five invented vendors with their offers."""
    vendors = []
    for item in texts()["vendors"]:
        strength, price, setup, fixed, _, _ = PROFILES[item["id"]]
        vendors.append(
            Vendor(
                id=item["id"],
                name=item["name"],
                setup_cost=setup,
                price_per_user_month=price,
                annual_fixed_cost=fixed,
                extra={"pitch": item["pitch"][language]},
            )
        )
    return tuple(vendors)


def demo_testers(count: int, language: str, seed: int) -> tuple[Tester, ...]:
    """``count`` testers spread evenly over departments, hierarchy levels and generations."""
    data = texts()
    rng = np.random.default_rng(seed)
    columns = GROUP_COLUMNS[language]
    pools = [data["departments"][language], data["levels"][language], data["generations"][language]]
    firsts, lasts = data["first_names"], data["last_names"]
    testers = []
    for i in range(count):
        # Cycling with different periods covers every combination of groups evenly.
        groups = {
            col: pool[(i + k * (i // len(pool))) % len(pool)]
            for k, (col, pool) in enumerate(zip(columns, pools, strict=True))
        }
        first, last = firsts[int(rng.integers(len(firsts)))], lasts[int(rng.integers(len(lasts)))]
        login = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        testers.append(Tester(f"T{i + 1:03d}", f"{first} {last}", f"{_ascii(login)}@valmeyrac.example", groups))
    return tuple(testers)


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


Answers = dict[str, dict[str, tuple[object, str]]]


def simulate_answers(campaign: Campaign, seed: int) -> dict[str, Answers]:
    """What each tester would write: answers[tester][vendor][criterion] = (score, comment).

    Scores follow each vendor's profile, with tester noise, a harsher middle management
    for one vendor and a younger generation fond of another, a few N/A, blanks, scores
    typed as text and comments, as real pilots produce.
    """
    rng = np.random.default_rng(seed)
    language = campaign.settings.language
    scale_max = campaign.settings.scale.max
    comments = texts()["comments"]
    level_col, generation_col = GROUP_COLUMNS[language][1], GROUP_COLUMNS[language][2]
    levels, generations = texts()["levels"][language], texts()["generations"][language]
    latent: dict[tuple[str, str], float] = {}
    for vendor in campaign.vendors:
        strength, _, _, _, strong, weak = PROFILES.get(vendor.id, (3.0, 0, 0, 0, (), ()))
        for crit in campaign.criteria.criteria:
            bonus = 0.8 if crit.category in strong else -0.9 if crit.category in weak else 0.0
            latent[vendor.id, crit.id] = strength + bonus + rng.normal(0, 0.45)
    if KNOCKOUT[0] in {v.id for v in campaign.vendors} and KNOCKOUT[1] in campaign.criteria.ids:
        latent[KNOCKOUT] = 0.3
    answers: dict[str, Answers] = {}
    for tester in campaign.testers:
        leniency = rng.normal(0, 0.35)
        per_vendor: Answers = {}
        for vendor in campaign.vendors:
            bias = leniency
            if vendor.id == "V2" and tester.groups.get(level_col) == levels[1]:
                bias -= 1.4  # middle managers distrust the lightweight mobile-first product
            if vendor.id == "V2" and tester.groups.get(generation_col) == generations[3]:
                bias += 0.8
            if vendor.id == "V1" and tester.groups.get(generation_col) == generations[0]:
                bias += 0.5
            rows: dict[str, tuple[object, str]] = {}
            young = tester.groups.get(generation_col) in generations[2:]
            for crit in campaign.criteria.criteria:
                draw = rng.random()
                if draw < 0.03:
                    rows[crit.id] = ("N/A", "")
                    continue
                if draw < 0.05:
                    rows[crit.id] = (None, "")
                    continue
                split = (1.8 if young else -1.8) if (vendor.id, crit.id) in POLARISED else 0.0
                noisy = latent[vendor.id, crit.id] + bias + split + rng.normal(0, 0.7)
                value = float(np.clip(np.rint(noisy), 0, scale_max))
                score: object = int(value) if rng.random() > 0.05 else str(int(value))
                rows[crit.id] = (score, _comment(rng, comments, language, value, scale_max))
            per_vendor[vendor.id] = rows
        answers[tester.id] = per_vendor
    return answers


def _comment(
    rng: np.random.Generator,
    comments: Mapping[str, Mapping[str, list[str]]],
    language: str,
    value: float,
    scale_max: float,
) -> str:
    if rng.random() > 0.08:
        return ""
    mood = "positive" if value >= 0.8 * scale_max else "negative" if value <= 0.4 * scale_max else "neutral"
    pool = comments[mood][language]
    return str(pool[int(rng.integers(len(pool)))])


def create_demo_campaign(root: Path, language: str, n_testers: int, seed: int, force: bool) -> Campaign:
    """Write the invented campaign (settings, catalogue, vendors, testers) and load it."""
    init_campaign(
        root,
        language=language,
        force=force,
        vendors=demo_vendors(language),
        testers=demo_testers(n_testers, language, seed),
        extra_settings={"deadline": "2027-03-31", "contact": "pilote-rse@valmeyrac.example", "users": 2400},
    )
    return load_campaign(root)


def fill_inbox(
    campaign: Campaign, seed: int, progress: Callable[[int], None] | None = None, mistakes: bool = True
) -> list[Path]:
    """Fill every tester's generated workbook as the tester would, and drop it in inbox/.

    With ``mistakes``, as in a real pilot, the first tester also sent an earlier version
    (to be superseded) and the second one, after their workbook, a version with typing mistakes
    (to be rejected, and sent back to them: their earlier workbook stays the current one).
    """
    import os

    from vendors.workbook import fill_workbook

    answers = simulate_answers(campaign, seed)
    inbox = campaign.paths.inbox
    inbox.mkdir(parents=True, exist_ok=True)
    written = []
    for tester in campaign.testers:
        template = campaign.paths.sheets / f"{tester.id}.xlsx"
        written.append(fill_workbook(template, inbox / f"{tester.id}.xlsx", answers[tester.id]))
        if progress:
            progress(1)
    if not mistakes:
        return written
    first, second = campaign.testers[0].id, campaign.testers[1].id
    early = {vendor: dict(rows) for vendor, rows in answers[first].items()}
    vendor = next(iter(early))
    early[vendor] = {criterion: (None, "") for criterion in early[vendor]}  # not yet scored
    draft = {vendor: dict(rows) for vendor, rows in answers[second].items()}
    criteria = list(draft[vendor])
    draft[vendor][criteria[0]] = ("great", "")  # not a score
    draft[vendor][criteria[1]] = (7, "")  # above the scale
    early_name, draft_name = EXTRA_NAMES[campaign.settings.language]
    extras = [
        fill_workbook(campaign.paths.sheets / f"{first}.xlsx", inbox / f"{first} ({early_name}).xlsx", early),
        fill_workbook(campaign.paths.sheets / f"{second}.xlsx", inbox / f"{second} ({draft_name}).xlsx", draft),
    ]
    # Collect takes files oldest first, as they were sent: the early version before the first tester's workbook,
    # the draft after the second tester's (a draft sent before a good workbook would need nothing more).
    for path, shift in zip(extras, (-3600, 3600), strict=True):
        stamp = (inbox / f"{first}.xlsx").stat().st_mtime + shift
        os.utime(path, (stamp, stamp))
    return written + extras
