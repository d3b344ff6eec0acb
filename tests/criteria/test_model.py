"""Tests of priorities, the scale, effective weights and the criteria version."""

from __future__ import annotations

import pytest

from criteria.model import Category, CriteriaSet, Criterion, Priority, Scale, validate_tree


def crit(cid: str, cat: str, weight: float, priority: Priority = Priority.SHOULD) -> Criterion:
    return Criterion(cid, cat, f"title {cid}", "", priority, weight)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MUST", Priority.MUST),
        (" must ", Priority.MUST),
        ("Obligatoire", Priority.MUST),
        ("éliminatoire", Priority.MUST),
        ("should", Priority.SHOULD),
        ("C", Priority.COULD),
        ("souhaitable", Priority.COULD),
        ("Facultatif", Priority.COULD),
    ],
)
def test_priority_aliases(text: str, expected: Priority) -> None:
    assert Priority.from_alias(text) is expected


def test_priority_unknown_names_the_value() -> None:
    with pytest.raises(ValueError, match="priority 'WANT' is not one of MUST, SHOULD, COULD"):
        Priority.from_alias("WANT")


def test_scale_values_and_steps() -> None:
    assert Scale(5, 1).values == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0)
    half = Scale(2, 0.5)
    assert half.values == (0.0, 0.5, 1.0, 1.5, 2.0)
    assert half.is_valid(1.5)
    assert not half.is_valid(1.2)
    assert not half.is_valid(2.5)
    assert not half.is_valid(-0.5)
    tenth = Scale(1, 0.1)
    assert tenth.is_valid(0.3)  # 0.3 / 0.1 is not exact in binary floating point


def test_scale_rejects_max_not_multiple_of_step() -> None:
    with pytest.raises(ValueError, match="multiple of step"):
        Scale(5, 2)


def test_effective_weights_two_levels() -> None:
    """W = (A: 3, B: 1); in A w = (1, 3); in B w = (2,).

    e_A1 = 3/4 * 1/4 = 0.1875; e_A2 = 3/4 * 3/4 = 0.5625; e_B1 = 1/4 * 2/2 = 0.25.
    """
    cs = CriteriaSet(
        (Category("A", "a", 3), Category("B", "b", 1)),
        (crit("A1", "A", 1), crit("A2", "A", 3), crit("B1", "B", 2)),
    )
    assert cs.effective_weights() == pytest.approx({"A1": 0.1875, "A2": 0.5625, "B1": 0.25})
    assert sum(cs.effective_weights().values()) == pytest.approx(1.0)


def test_version_changes_with_weights_not_with_description() -> None:
    base = CriteriaSet((Category("A", "a", 1),), (crit("A1", "A", 1),))
    reweighted = CriteriaSet((Category("A", "a", 1),), (crit("A1", "A", 2),))
    described = CriteriaSet(
        (Category("A", "a", 1),), (Criterion("A1", "A", "title A1", "new text", Priority.SHOULD, 1),)
    )
    assert base.version() != reweighted.version()
    assert base.version() == described.version()
    assert len(base.version()) == 12


def test_sheet_version_follows_what_testers_answer_not_the_weighting() -> None:
    base = CriteriaSet((Category("A", "a", 1),), (crit("A1", "A", 1),))
    same_questions = [
        CriteriaSet((Category("A", "a", 5),), (crit("A1", "A", 2),)),  # weights
        CriteriaSet((Category("A", "a", 1),), (Criterion("A1", "A", "title A1", "other", Priority.MUST, 1),)),
    ]
    other_questions = [
        CriteriaSet((Category("A", "a", 1),), (Criterion("A1", "A", "renamed", "", Priority.SHOULD, 1),)),
        CriteriaSet((Category("A", "a", 1),), (crit("A1", "A", 1), crit("A2", "A", 1))),  # one more
        CriteriaSet((Category("A", "a", 1),), (crit("B1", "A", 1),)),  # another ID
        CriteriaSet((Category("A", "renamed", 1),), (crit("A1", "A", 1),)),  # the category's name
    ]
    assert all(s.sheet_version() == base.sheet_version() for s in same_questions)
    assert len({base.sheet_version(), *(s.sheet_version() for s in other_questions)}) == 5
    # Never confused with the full version, which covers the weighting.
    assert base.sheet_version() != base.version()
    assert base.sheet_version().startswith("q")
    assert len(base.sheet_version()) == 12


def test_ids_that_differ_only_by_case_are_refused() -> None:
    """Everything compares IDs exactly: 'pro-01' beside 'PRO-01' would be two criteria that read as one."""
    cats = [Category("K1", "a", 1), Category("k1", "b", 1)]
    crits = [crit("PRO-01", "K1", 1), crit("pro-01", "K1", 1), crit("X1", "k1", 1)]
    messages = [e.message for e in validate_tree(cats, crits)]
    assert "category ID 'k1' differs from 'K1' only by case; give them different IDs or one spelling" in messages
    assert (
        "criterion ID 'pro-01' differs from 'PRO-01' only by case; give them different IDs or one spelling" in messages
    )
    only = [Category("K1", "a", 1)]
    hinted = [e.message for e in validate_tree(only, [crit("A1", "k1", 1)], complete=False)]
    assert hinted == ["criterion A1 names an unknown category 'k1' (did you mean 'K1'?)"]
    assert [e.message for e in validate_tree(only, [crit("A1", "K9", 1)], complete=False)] == [
        "criterion A1 names an unknown category 'K9'"
    ]


def test_validate_tree_reports_every_problem() -> None:
    cats = [Category("A", "a", 1), Category("A", "dup", 1), Category("E", "empty", 1)]
    crits = [crit("X1", "A", 1), crit("X1", "A", 1), crit("Z1", "NOPE", 1), crit("N1", "A", -1)]
    messages = [e.message for e in validate_tree(cats, crits)]
    assert "category ID 'A' is used twice" in messages
    assert "criterion ID 'X1' is used twice" in messages
    assert "criterion Z1 names an unknown category 'NOPE'" in messages
    assert "criterion N1 has a negative weight -1" in messages
    assert "category E has no criterion" in messages


def test_a_data_error_is_worded_again_in_french_with_its_place() -> None:
    from criteria.errors import DataError, Location, MultiDataError

    where = Location("criteria.xlsx", "Critères", row=4, column="F")
    error = DataError.of("weight_invalid", where, value="x")
    assert str(error) == "weight 'x' is not a number >= 0 (criteria.xlsx, sheet Critères, row 4, column F)"
    french = error.localized("fr")
    assert str(french) == "le poids 'x' n'est pas un nombre >= 0 (criteria.xlsx, feuille Critères, ligne 4, colonne F)"
    assert french.where == where
    # A message of its own (no catalogue key) keeps its words; only the place is translated.
    plain = DataError("schema 3 is newer than this tender", Location("ledger.sqlite"))
    assert str(plain.localized("fr")) == "schema 3 is newer than this tender (ledger.sqlite)"
    both = MultiDataError([error, DataError.of("no_vendor", Location("vendors.xlsx", "Fournisseurs"))]).localized("fr")
    assert str(both).splitlines() == [
        "2 problèmes relevés :",
        "le poids 'x' n'est pas un nombre >= 0 (criteria.xlsx, feuille Critères, ligne 4, colonne F)",
        "il n'y a aucun fournisseur (vendors.xlsx, feuille Fournisseurs)",
    ]


def test_every_message_has_french_words_with_the_same_fields() -> None:
    import string

    from criteria.messages import DATA_MESSAGES

    assert DATA_MESSAGES["fr"].keys() == DATA_MESSAGES["en"].keys()
    for key, english in DATA_MESSAGES["en"].items():
        fields = {f for _, f, _, _ in string.Formatter().parse(english) if f}
        french = {f for _, f, _, _ in string.Formatter().parse(DATA_MESSAGES["fr"][key]) if f}
        assert fields == french, key


def test_a_score_label_is_short_even_for_a_huge_number() -> None:
    """A score cell holding 1e308 is quoted back in a problem: as 1e+308, not as 309 digits."""
    assert [Scale.label(v) for v in (4.0, 4.5, 0.0, 1e308, -1e20, 123_456_789_012_345.0)] == [
        "4",
        "4.5",
        "0",
        "1e+308",
        "-1e+20",
        "123456789012345",
    ]
