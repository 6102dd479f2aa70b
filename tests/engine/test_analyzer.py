"""The text pipeline: one set of terms for every way of writing a thing, and typos fixed but words kept."""

from __future__ import annotations

import pytest

from bot.engine.analyzer import Analyzer, Speller


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(
        acronyms={"IS": "islamic state"},
        aliases={
            "islamic state": ["isis", "daesh"],
            "recaptured": ["retake", "took back"],
            "syrian observatory": ["observatory", "the monitor"],
            "monitoring center": ["monitoring centre"],
            "what": ["wat"],
        },
    )


def terms(analyzer: Analyzer, text: str) -> tuple[str, ...]:
    return analyzer.terms_of(text)


def test_every_inflection_of_an_alias_meets_its_canonical_phrase(analyzer):
    canonical = terms(analyzer, "was palmyra recaptured")
    for variant in ["did they retake palmyra", "retaking palmyra", "they retook palmyra? took back palmyra"]:
        assert set(terms(analyzer, variant)) & set(canonical) >= {"palmyra"}
    assert terms(analyzer, "retaking palmyra") == terms(analyzer, "recaptured palmyra")
    assert terms(analyzer, "took back palmyra") == terms(analyzer, "recaptured palmyra")


def test_other_names_and_the_case_sensitive_acronym(analyzer):
    expected = terms(analyzer, "islamic state")
    assert terms(analyzer, "ISIS") == terms(analyzer, "Daesh") == expected
    assert terms(analyzer, "what is IS") == expected
    assert terms(analyzer, "is it") == ()  # lower-case "is" is the verb
    assert terms(analyzer, "WHERE IS PALMYRA") == terms(analyzer, "where is palmyra")  # shouting is not the acronym


def test_a_canonical_phrase_is_never_split_by_a_shorter_alias(analyzer):
    assert terms(analyzer, "Russia's monitoring centre") == terms(analyzer, "russia monitoring center")
    assert "observatori" not in terms(analyzer, "the monitoring center")


def test_stop_words_and_chat_filler_carry_no_meaning(analyzer):
    assert terms(analyzer, "yo tbh can u pls tell me abt palmyra lol") == terms(analyzer, "palmyra")
    assert terms(analyzer, "reportedly") == ()  # a stop word is not stemmed into a content word
    assert terms(analyzer, "") == () and terms(analyzer, "???") == ()


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("how many strikes", {"how many"}),
        ("wat day was it", {"when"}),
        ("when did it start", {"when"}),
        ("what time did it start", {"what time"}),
        ("how old are the ruins", {"how old"}),
        ("where is it", {"where"}),
        ("who said so", {"who"}),
        ("what's the name of the agency", {"name"}),
        ("what kind of jets", {"what kind"}),
        ("should the west intervene", {"opinion"}),
        ("what did russia say", set()),
        ("did russia send troops", set()),
        ("how far is the silo from palmyra", {"how far"}),
        ("who leads isis", {"leader"}),
        ("what's a grain silo", {"definition"}),
    ],
)
def test_question_kinds(analyzer, question, kinds):
    assert analyzer.analyse(analyzer.words(question)).kinds == kinds


def test_what_a_how_many_counts_and_a_which_identifies(analyzer):
    assert analyzer.analyse(analyzer.words("how many troops did Russia send")).counted == "troop"
    assert analyzer.analyse(analyzer.words("which statues were destroyed")).identified == "statu"
    assert analyzer.analyse(analyzer.words("which day was it")).identified is None  # a kind of its own


def test_speller_ties_go_to_the_more_frequent_word_whatever_its_length():
    speller = Speller({"strikes": 40, "stakes": 1})
    assert speller.correct("strkes") == "strikes"  # one edit from both: an insertion and a substitution


def test_speller_fixes_typos_but_not_real_words():
    speller = Speller({"russia": 5, "airstrikes": 3, "observatory": 2, "palmyra": 9, "according": 1})
    assert speller.correct("rusia") == "russia"
    assert speller.correct("airstrkies") == "airstrikes"
    assert speller.correct("obsevatory") == "observatory"
    assert speller.correct("palmira") == "palmyra"
    assert speller.correct("acording") == "according"
    for word in ["tanks", "president", "iran", "biased", "weather"]:  # English words mean what they say
        assert speller.correct(word) == word
    assert speller.correct("ruusia") == "russia"
    assert speller.correct("xyz") == "xyz" and speller.correct("4000") == "4000"


def test_the_subject_is_who_does_what_is_asked_in_order(analyzer):
    def subject(text: str) -> tuple[str, ...]:
        return analyzer.analyse(analyzer.words(text)).subject

    assert subject("how many strikes did the syrian army launch")[:2] == analyzer.terms_of("syrian army")
    assert subject("how many strikes did Russia launch") == ("russia", "launch")
    assert subject("did isis bomb russia") == analyzer.terms_of("isis bomb russia")  # in order: who acts first
    assert subject("when was it") == () and subject("") == ()


def test_wording_keeps_every_word_after_aliases(analyzer):
    assert analyzer.analyse(analyzer.words("did isis retake palmyra")).wording == "did islam state recaptur palmyra"


def test_according_to_names_whose_account_is_asked_for(matcher):
    def attributed(text: str) -> tuple[str, ...]:
        return matcher.analyzer.analyse(matcher.analyzer.words(text)).attributed

    assert attributed("how many died according to the Russian defense ministry") == ("russia", "defens", "ministri")
    assert attributed("according to reuters who holds palmyra") == ("reuter",)
    assert attributed("who holds palmyra") == ()
