"""The shipped knowledge file covers the whole article and says whose claim each quote is."""

from __future__ import annotations

from bot.engine.article import parse_article
from bot.engine.sides import other_side, voice
from bot.engine.text import fold_typography


def test_every_sentence_and_caption_is_a_source(matcher):
    knowledge = matcher.knowledge
    quotes = [fold_typography(s.quote) for e in knowledge.entries for s in e.sources]
    parsed = parse_article(knowledge.article.text)
    uncovered = [
        sentence for sentence, _ in parsed.sentences()
        if not any(q in fold_typography(sentence) or fold_typography(sentence) in q for q in quotes)
    ]
    assert not uncovered
    assert any("AMMAN (Reuters)" in q for q in quotes)  # the dateline too


def test_contested_entries_carry_each_side(matcher):
    """A contested entry quotes each side, or shows the other side from the entries on its point."""
    knowledge = matcher.knowledge
    contested = [e for e in knowledge.entries if e.contested]
    assert any(e.id == "who-controls-palmyra" for e in contested)
    for entry in contested:
        other = other_side(entry, knowledge.by_id, knowledge.article.publisher)
        assert len({voice(s.claimant) for s in (*entry.sources, *other)}) >= 2, entry.id
        if not other:  # it carries every side itself, and says so
            assert "conflict" in entry.answer or "doesn't say" in entry.answer or "claim" in entry.answer


def test_captions_are_credited_to_sana_via_ap(matcher):
    article = matcher.knowledge.article
    assert [c.credit for c in article.captions] == ["SANA via AP", "SANA via AP"]
    for entry in matcher.knowledge.entries:
        for source in entry.sources:
            if "This photo released" in source.quote or "torn to pieces" in source.quote:
                assert source.claimant.key == "sana_ap", entry.id


def test_metadata(matcher):
    article = matcher.knowledge.article
    assert (article.publisher, article.dateline, article.republished_by, article.truncated) == (
        "Reuters", "Amman", "Hamodia", True)
    assert "To Read The Full Story" not in article.text and "Hamodia Logo" not in article.text
