"""The NLI model's model-free augmentations (train/nli/augment.py): each rule's label follows
from logic, so each is checked here on sentences written for the test, in both languages."""

from __future__ import annotations

from train.nli import augment
from train.nli.data import LABEL_IDS, Pair

ENT, NEU, CON = (LABEL_IDS[k] for k in ("entailment", "neutral", "contradiction"))

SENTENCES = {
    "en": ["The council was happy with the new bridge.", "Anna Berg has visited the harbour twice.",
           "The harbour is usual for small boats.", "Five ships were unusual visitors there.",
           "The mayor said that the road would close in May.", "Anna Berg likes the town."],
    "sv": ["Rådet var nöjt med den nya bron.", "Anna Berg har besökt hamnen två gånger.",
           "Hamnen är vanlig för små båtar.", "Fem fartyg var ovanliga besökare där.",
           "Borgmästaren sa att vägen skulle stängas i maj.", "Anna Berg gillar staden."],
}


def _pairs() -> list[Pair]:
    return [Pair(s, s, ENT, lang, "test") for lang, ss in SENTENCES.items() for s in ss]


def test_negation_inserted_after_the_auxiliary_and_removed_again() -> None:
    assert augment.negate("The council was happy.", "en") == "The council was not happy."
    assert augment.negate("Rådet var inte nöjt.", "sv") == "Rådet var nöjt."
    assert augment.negate("The council likes it.", "en") is None


def test_not_true_puts_swedish_negation_before_the_finite_verb() -> None:
    names = {"Anna", "Berg"}
    assert augment.not_true("Rådet var inte nöjt.", "sv", names) == \
        "Det är inte sant att rådet inte var nöjt."
    assert augment.not_true("Anna Berg was here.", "en", names) == \
        "It is not true that Anna Berg was here."


def test_double_negation_only_where_the_negation_lands_in_the_main_clause() -> None:
    assert augment._main_clause_aux("The council was happy.", "en")
    assert not augment._main_clause_aux("The mayor said that the road would close.", "en")
    assert not augment._main_clause_aux("Borgmästaren sa att vägen skulle stängas.", "sv")


def test_antonym_needs_both_words_in_the_training_text() -> None:
    vocab = {"usual", "unusual", "vanlig", "ovanlig"}
    assert augment.antonym("The harbour is usual for boats.", "en", vocab) == \
        "The harbour is unusual for boats."
    assert augment.antonym("Hamnen är mycket ovanlig.", "sv", vocab) == "Hamnen är mycket vanlig."
    assert augment.antonym("The harbour is usual for boats.", "en", {"usual"}) is None
    # only a predicative adjective (after a copula) is taken: "unless" in running text is not
    assert augment.antonym("It fails unless it is done.", "en", {"less", "done"}) is None


def test_names_keep_their_capital_inside_another_sentence() -> None:
    names = augment._names(["Then Anna Berg came.", "Det var så.", "Sedan kom det fram."])
    assert {"Anna", "Berg"} <= names
    assert "Det" not in names  # written lowercase mid-sentence
    assert augment.as_condition("Det var så.", names) == "det var så"
    assert augment.as_condition("Anna Berg came.", names) == "Anna Berg came"


def test_labels_follow_from_the_connectives() -> None:
    out = augment.augment(_pairs(), seed=1, per_rule=50, recipe=2)
    by = {}
    for p in out:
        by.setdefault(p.origin, []).append(p)
    for p in by["aug:and"]:
        # a two-sentence premise entails its sentence; one sentence does not entail "S, and C"
        assert (p.label == ENT and p.hypothesis in p.premise) or \
            (p.label == NEU and p.hypothesis.startswith(p.premise.rstrip(".")) and
             p.hypothesis != p.premise)
    for p in by["aug:or"]:
        # S entails "S, or C"; "S, or C" does not entail S
        assert (p.label == ENT and p.hypothesis.startswith(p.premise.rstrip("."))) or \
            (p.label == NEU and p.premise.startswith(p.hypothesis.rstrip(".")))
    for p in by["aug:not-true"]:
        negated_twice = p.hypothesis.count(" not ") + p.hypothesis.count(" inte ") == 2
        assert p.label == (ENT if negated_twice else CON)
    assert {p.label for p in by["aug:antonym"]} == {CON}
    assert {p.lang for p in out} == {"en", "sv"}


def test_recipe_one_is_a_subset_of_recipe_two_and_seeded() -> None:
    one = augment.augment(_pairs(), seed=3, per_rule=50)  # the committed model's recipe
    two = augment.augment(_pairs(), seed=3, per_rule=50, recipe=2)
    assert set(one) <= set(two)
    assert not {p.origin for p in one} & {"aug:and", "aug:or", "aug:not-true", "aug:antonym"}
    assert two == augment.augment(_pairs(), seed=3, per_rule=50, recipe=2)
