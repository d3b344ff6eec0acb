"""Tests of the bundled RSE catalogue: size, balance of priorities, both languages aligned."""

from __future__ import annotations

from collections import Counter

import pytest

from criteria.catalogue import catalogue, scale_labels
from criteria.model import Priority, Scale, validate_tree
from criteria.safe import FORMULA_PREFIXES


@pytest.mark.parametrize("language", ["en", "fr"])
def test_catalogue_is_large_and_sound(language: str) -> None:
    cs = catalogue(language)
    assert len(cs.categories) >= 10
    assert len(cs.criteria) >= 50
    assert validate_tree(list(cs.categories), list(cs.criteria)) == []
    for c in cs.criteria:
        assert all((c.title, c.description, c.how_to_test)), c.id
        for text in (c.title, c.description, c.how_to_test):
            assert not text.startswith(FORMULA_PREFIXES), c.id
    counts = Counter(c.priority for c in cs.criteria)
    assert set(counts) == {Priority.MUST, Priority.SHOULD, Priority.COULD}
    assert 0.1 <= counts[Priority.MUST] / len(cs.criteria) <= 0.35


def test_languages_share_ids_weights_and_version() -> None:
    en, fr = catalogue("en"), catalogue("fr")
    assert en.ids == fr.ids
    assert [c.weight for c in en.criteria] == [c.weight for c in fr.criteria]
    assert [c.title for c in en.criteria] != [c.title for c in fr.criteria]
    # Titles differ, so the version (which hashes titles) differs: a French and an English
    # campaign are different campaigns.
    assert en.version() != fr.version()


def test_catalogue_covers_the_expected_topics() -> None:
    names = " ".join(c.name.lower() for c in catalogue("en").categories)
    for topic in (
        "profile",
        "communit",
        "activity",
        "search",
        "content",
        "adoption",
        "integration",
        "security",
        "governance",
        "deployment",
        "support",
    ):
        assert topic in names, topic


def test_unknown_language() -> None:
    with pytest.raises(ValueError, match="language 'de' is not one of en, fr"):
        catalogue("de")


def test_scale_labels_map_any_scale_onto_anchors() -> None:
    five = scale_labels(Scale(5, 1), "fr")
    assert list(five) == [0, 1, 2, 3, 4, 5]
    assert five[0].startswith("Absent")
    assert five[5].startswith("Excellent")
    ten = scale_labels(Scale(10, 1), "en")
    assert len(ten) == 11
    assert ten[10] == five_en(5)
    assert ten[0] == five_en(0)
    assert ten[8] == five_en(4)
    # A score between two anchors is not rounded onto one of them (0.5 used to read like 0).
    assert ten[3] == "Between very poor and poor"
    halves = scale_labels(Scale(5, 0.5), "fr")
    assert halves[0.5] == "Entre absent et très insuffisant"
    assert halves[4.5] == "Entre bien et excellent"
    assert halves[4] == five[4]
    assert len(set(halves.values())) == 11


def five_en(value: int) -> str:
    return scale_labels(Scale(5, 1), "en")[value]
