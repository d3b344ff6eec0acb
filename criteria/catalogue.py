"""The bundled RSE criteria catalogue and scale meanings, in English and French."""

from __future__ import annotations

import math
from functools import cache
from importlib import resources
from typing import Any

import yaml

from criteria.model import Category, CriteriaSet, Criterion, Priority, Scale

LANGUAGES = ("en", "fr")


@cache
def _load(name: str) -> Any:
    text = resources.files("criteria").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def catalogue(language: str = "en") -> CriteriaSet:
    """The bundled catalogue of RSE criteria, with its texts in ``language``."""
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    data = _load("catalogue.yaml")
    categories: list[Category] = []
    criteria: list[Criterion] = []
    for cat in data["categories"]:
        categories.append(Category(cat["id"], cat["name"][language], float(cat["weight"])))
        for crit in cat["criteria"]:
            criteria.append(
                Criterion(
                    id=crit["id"],
                    category=cat["id"],
                    title=crit["title"][language],
                    description=crit["description"][language],
                    priority=Priority.from_alias(crit["priority"]),
                    weight=float(crit["weight"]),
                    how_to_test=crit["how_to_test"][language],
                )
            )
    return CriteriaSet(tuple(categories), tuple(criteria))


def scale_labels(scale: Scale, language: str = "en") -> dict[float, str]:
    """The meaning of every valid score, mapped proportionally onto the 0-5 anchors.

    A score on an anchor takes its words; one between two anchors (4.5 with half steps, 3 on a
    0-10 scale) lies between their short names ('Between good and excellent'), rather than being
    rounded onto one of them.
    """
    anchors = _load("scale.yaml")
    labels: dict[float, str] = {}
    for value in scale.values:
        position = value / scale.max * 5
        nearest = round(position)
        if math.isclose(position, nearest, abs_tol=1e-9):
            labels[value] = anchors[nearest][language]
        else:
            low, high = (
                anchors[math.floor(position)]["short"][language],
                anchors[math.ceil(position)]["short"][language],
            )
            labels[value] = anchors["between"][language].format(low=low, high=high)
    return labels
