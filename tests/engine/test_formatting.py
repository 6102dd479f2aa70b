"""Answers as text: quotation marks around quotes, never doubled."""

from __future__ import annotations

from bot.engine.formatting import in_quotes, render_plain


def test_a_quote_gets_quotation_marks_once():
    assert in_quotes("Syrian troops are fighting.") == "\u201cSyrian troops are fighting.\u201d"
    quoting = "\u201cDespite heavy losses,\u201d Interfax quoted a statement."
    assert in_quotes(quoting) == quoting


def test_no_answer_doubles_its_quotation_marks(matcher):
    for entry in matcher.knowledge.entries:
        text = render_plain(matcher.answer_entry(entry), matcher.knowledge.article)
        assert "\u201c\u201c" not in text and "\u201d\u201d" not in text, entry.id
