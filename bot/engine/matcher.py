"""Find the entry a question means, or decide that the article doesn't say.

How a question is scored against an entry:

1. Both become terms through the same `Analyzer`: normalising, the knowledge
   file's acronyms and aliases, Snowball stems, stop words and chat filler
   dropped. A question's words are first spell-corrected against the
   knowledge's own words (`Speller`), except real English words.
2. *Coverage* is the IDF-weighted share of the question's terms that the entry
   has, in any of its phrasings (question and alternates) or in the article
   sentences it quotes. The curator's answer text doesn't count: its "the
   article doesn't name the agency" must not cover "name". Terms the entry
   lacks weigh ABSENT_WEIGHT times more; a term no entry has weighs
   UNKNOWN_WORD_WEIGHT times the rarest one, which is what sinks "how many
   *civilians* died", and COMMON_WORD_WEIGHT of that when it is an everyday
   English word ("such", "made"), more often phrasing than topic.
   *Similarity* is rapidfuzz's token-sort ratio to the entry's closest phrasing.
   score = 100 * COVERAGE_WEIGHT * coverage + (1 - COVERAGE_WEIGHT) * similarity.
3. An entry may answer only the kinds of question its phrasings ask
   (`analyzer.KINDS`: "how many", "when", "where", "who", "why", "what kind",
   a name...): "how many troops did Russia send" is not answered by "did Russia
   send troops". A "how many" must count what the entry's "how many" count,
   and a "which statues" must be about what its "which" ask about.
4. The best such entry is the answer when its score reaches ANSWER_AT, its
   coverage COVERAGE_AT, and it leads the runner-up (`_is_clear`). Otherwise
   entries scoring SUGGEST_AT or more become "did you mean" suggestions. Every
   answer is a curated entry, with its sources: a fall-back quoting the one
   article sentence that holds every term of the question was measured (it
   answered 3 questions in 800 and moved neither accuracy) and dropped.

The constants were chosen by grid search (eval/tune.py): the highest sum of
in-scope and abstention accuracy on the `tune` half of the curated and blind
evaluation sets, among settings that keep the curated set's 95 % floors.
`python -m bot eval --split holdout` reports the half they were not chosen on,
and eval/blind/e.yaml was never read while building any of this.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from rapidfuzz import fuzz, process

from .analyzer import COMMON_WORD, STOP_WORDS, Analysis, Analyzer, Speller, english_frequency
from .gc_pause import gc_paused
from .knowledge import Entry, Knowledge, Source
from .text import fold_typography, normalize, split_sentences

COVERAGE_WEIGHT = 0.6
COVERAGE_AT = 0.5
UNKNOWN_WORD_WEIGHT = 1.0
COMMON_WORD_WEIGHT = 0.3
ABSENT_WEIGHT = 1.5
ANSWER_AT = 87
MARGIN = 3
SUGGEST_AT = 40
MAX_SUGGESTIONS = 3
MAX_QUERY_WORDS = 48  # a 4,000-character paste is judged on its first words
MAX_CANDIDATES = 200
MAX_POSTINGS = 5000  # terms in more entries than this don't pick candidates


@dataclass(frozen=True, slots=True)
class Match:
    """The result of one question: an answer, or an honest abstention."""

    question: str
    answered: bool  # with an entry, always: every answer is a curated entry
    entry: Entry | None
    answer: str | None
    sources: tuple[Source, ...]
    score: int
    suggestions: tuple[Entry, ...]
    # no answer, but the question's words are all ones the knowledge uses: a near
    # miss to ask "did you mean" about, rather than something the article doesn't say
    unsure: bool = False

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": self.answer,
            "matched": self.entry.question if self.entry else None,
            "score": self.score,
            "sources": [{"quote": s.quote, "attributed_to": s.claimant.name} for s in self.sources],
            "suggestions": [entry.question for entry in self.suggestions],
        }


def _asks_about(thing: str | None, asked_of_entry: frozenset[str]) -> bool:
    """An entry whose phrasings count or identify other things can't say how many or which of this one."""
    return thing is None or not asked_of_entry or thing in asked_of_entry


def _with_prefix(ordered: list[str], prefix: str, most: int) -> list[str]:
    """Up to `most` strings of a sorted list that start with `prefix`."""
    start = bisect.bisect_left(ordered, prefix)
    return list(itertools.takewhile(lambda text: text.startswith(prefix), ordered[start:start + most]))


@dataclass(frozen=True, slots=True)
class _Record:
    """Everything the matcher knows of one entry, built once from the knowledge file."""

    phrasings: tuple[str, ...]  # question first, then alternates: each its terms token-sorted, no repeats
    terms: frozenset[str]  # terms of its phrasings and of the article sentences it quotes
    asked: frozenset[str]  # terms of its phrasings only: what people ask it with
    kinds: frozenset[str]  # the kinds of question its phrasings ask ("how many", "who"...)
    counts: frozenset[str]  # what its "how many" phrasings count
    identifies: frozenset[str]  # what its "which"/"what" phrasings ask to identify
    evidence: frozenset[int]  # indices of the article sentences it quotes


class _Scored(NamedTuple):
    """One entry's fit to a question."""

    score: float
    own: float  # similarity to the entry's own question, the tie-breaker
    coverage: float
    entry: int  # the entry's position in the knowledge file

    def best_first(self) -> tuple[float, float, float, int]:
        """Sort key: highest score; on a tie, own question closest, then more coverage, then file order."""
        return (-self.score, -self.own, -self.coverage, self.entry)

    def ahead_of(self, other: _Scored) -> bool:
        """Strictly better score, or the same score and a closer own question."""
        return self.score > other.score or (self.score == other.score and self.own > other.own)


class _Analyses:
    """Each distinct text analysed once (quotes and answers repeat); remembers which texts it saw."""

    def __init__(self, analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self._seen: dict[str, tuple[list[str], Analysis]] = {}

    def __call__(self, text: str) -> Analysis:
        found = self._seen.get(text)
        if found is None:
            words = self._analyzer.words(text)
            found = self._seen[text] = (words, self._analyzer.analyse(words))
        return found[1]

    def word_counts(self) -> Counter[str]:
        """Every word of every distinct text seen, counted once per text."""
        counts: Counter[str] = Counter()
        for words, _ in self._seen.values():
            counts.update(words)
        return counts


class _Quotes:
    """The article sentences a quote comes from, and their terms: a quote is read with
    its whole sentences ("who released the photo of the burnt flag" is about the caption
    sentence, though the entry quotes only its credit)."""

    def __init__(self, article_text: str, analyse: _Analyses) -> None:
        self._sentences = [fold_typography(sentence) for paragraph in article_text.split("\n")
                           for sentence in split_sentences(paragraph)]
        self._analyse = analyse
        self._seen: dict[str, tuple[frozenset[int], frozenset[str]]] = {}

    def context(self, quote: str) -> tuple[frozenset[int], frozenset[str]]:
        found = self._seen.get(quote)
        if found is None:
            folded = fold_typography(quote)
            around = frozenset(i for i, s in enumerate(self._sentences) if folded in s or s in folded)
            texts = [self._sentences[i] for i in around] or [folded]
            found = self._seen[quote] = (around, frozenset(t for text in texts for t in self._analyse(text).terms))
        return found


def _record(entry: Entry, analyse: _Analyses, quotes: _Quotes) -> _Record:
    phrasings = [analyse(text) for text in (entry.question, *entry.alternates)]
    asked = frozenset().union(*(p.terms for p in phrasings))
    # the article's words (quotes) count, not the curator's answer: its "the article
    # doesn't name the agency" must not make "what is the agency's name" look covered
    evidence = [quotes.context(source.quote) for source in entry.sources]
    quoted = frozenset().union(*(terms for _, terms in evidence))
    analyse(entry.answer)  # its words still help typo correction
    return _Record(
        # token-sorted once here, so scoring is a plain ratio (= rapidfuzz's token_sort_ratio)
        phrasings=tuple(dict.fromkeys(" ".join(sorted(p.terms)) for p in phrasings)),
        terms=asked | quoted,
        asked=asked,
        kinds=frozenset().union(*(p.kinds for p in phrasings)),
        counts=frozenset(p.counted for p in phrasings if p.counted),
        identifies=frozenset(p.identified for p in phrasings if p.identified),
        evidence=frozenset().union(*(where for where, _ in evidence)),
    )


class Matcher:
    """An index over one Knowledge; immutable after construction, so safe to share."""

    def __init__(self, knowledge: Knowledge) -> None:
        with gc_paused():
            self._build(knowledge)

    def _build(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self.analyzer = analyzer = Analyzer(knowledge.acronyms, knowledge.aliases)
        entries = knowledge.entries
        analyse = _Analyses(analyzer)
        quotes = _Quotes(knowledge.article.text, analyse)
        self._records = [_record(entry, analyse, quotes) for entry in entries]
        frequency: Counter[str] = Counter()
        postings: dict[str, list[int]] = defaultdict(list)
        for index, record in enumerate(self._records):
            frequency.update(record.terms)
            # candidates come from the terms people ask with; quotes are shared by many
            # entries, so their terms would make every entry a candidate
            for term in record.asked:
                postings[term].append(index)
        total = max(len(entries), 1)
        self._idf = {w: math.log((total + 1) / (df + 0.5)) + 1 for w, df in frequency.items()}
        self._unknown_idf = math.log((total + 1) / 0.5) + 1
        self._postings = {w: tuple(ids) for w, ids in postings.items()}
        self._sorted_terms = sorted(self._postings)  # for autocomplete's half-typed words
        self._questions = [normalize(entry.question) for entry in entries]
        self._question_index = {question: index for index, question in enumerate(self._questions)}
        self._sorted_questions = sorted(self._question_index)
        # typo correction knows every word the knowledge uses, before stemming and alias rewriting
        raw_words: Counter[str] = Counter(STOP_WORDS)
        raw_words.update(analyse.word_counts())
        for canonical, forms in knowledge.aliases.items():
            for text in (canonical, *forms):
                raw_words.update(normalize(text).split())
        self.speller = Speller(raw_words)

    # -- scoring ------------------------------------------------------------

    def _candidates(self, terms: Sequence[str]) -> set[int]:
        ranked = sorted((t for t in terms if t in self._postings), key=lambda t: len(self._postings[t]))
        picked: set[int] = set()
        for term in ranked:
            ids = self._postings[term]
            if len(ids) > MAX_POSTINGS and picked:
                break
            picked.update(ids[:MAX_POSTINGS])
            if len(picked) >= MAX_CANDIDATES * 10:
                break
        return picked

    def _score(self, index: int, weighted: list[tuple[str, float]], query: str) -> _Scored:
        """How well the entry fits the query; zero when it can't reach SUGGEST_AT.

        Coverage is the weighted share of the query's terms the entry has. Terms it
        lacks weigh ABSENT_WEIGHT times more: each is a sign the question is about
        something else ("how many militants died *in March*").
        """
        record = self._records[index]
        found = sum(weight for term, weight in weighted if term in record.terms)
        coverage = found / (found + ABSENT_WEIGHT * (sum(weight for _, weight in weighted) - found))
        if 100 * COVERAGE_WEIGHT * coverage + 100 * (1 - COVERAGE_WEIGHT) < SUGGEST_AT:
            return _Scored(0.0, 0.0, 0.0, index)
        phrasings = record.phrasings
        similarity = process.extractOne(query, phrasings, scorer=fuzz.ratio)[1]
        score = 100 * COVERAGE_WEIGHT * coverage + (1 - COVERAGE_WEIGHT) * similarity
        return _Scored(score, fuzz.ratio(query, phrasings[0]), coverage, index)

    def _is_clear(self, ranked: list[_Scored]) -> bool:
        """Whether the best entry is a confident answer: good enough, and ahead of the rest.

        The lead it needs over the runner-up shrinks to nothing as it nears a perfect
        match; a tie on score goes to the entry whose own question is closest, and a
        runner-up with the same evidence (related, or quoting the same sentence) is no rival.
        """
        best = ranked[0]
        if best.score < ANSWER_AT or best.coverage < COVERAGE_AT:
            return False
        if len(ranked) == 1:
            return True
        runner_up = ranked[1]
        if self._same_evidence(best.entry, runner_up.entry):
            return True
        lead = best.score - runner_up.score
        return lead >= MARGIN * (100 - best.score) / (100 - ANSWER_AT) and best.ahead_of(runner_up)

    def _same_evidence(self, first: int, second: int) -> bool:
        """Related entries, or entries quoting the same article sentence: either is a right answer."""
        one, other = self.knowledge.entries[first], self.knowledge.entries[second]
        return other.id in one.related or one.id in other.related or bool(self._records[first].evidence & self._records[second].evidence)

    def _weight(self, term: str, common: set[str]) -> float:
        """IDF for a term the knowledge uses; for one it doesn't, more than the rarest term,
        less when it is an everyday English word ("such", "made"), more often phrasing than topic."""
        if (idf := self._idf.get(term)) is not None:
            return idf
        return self._unknown_idf * UNKNOWN_WORD_WEIGHT * (COMMON_WORD_WEIGHT if term in common else 1.0)

    def _answers_kind(self, index: int, asked: Analysis) -> bool:
        """Whether the entry answers this kind of question, about the thing it asks about.

        An entry with no phrasing of a kind, no "how many" or no "which", doesn't bar it.
        """
        record = self._records[index]
        if asked.kinds and record.kinds and not asked.kinds & record.kinds:
            return False
        return _asks_about(asked.counted, record.counts) and _asks_about(asked.identified, record.identifies)

    def match(self, question: str) -> Match:
        """Answer one question. Pure: the same question always gets the same result."""
        typed = [self.speller.correct(word) for word in self.analyzer.words(question)[: MAX_QUERY_WORDS * 3]]
        asked = self.analyzer.analyse(typed)
        common = {self.analyzer.stem(word) for word in typed if english_frequency(word) >= COMMON_WORD}
        terms = asked.terms[:MAX_QUERY_WORDS]
        if not terms:
            return Match(question=question, answered=False, entry=None, answer=None, sources=(), score=0, suggestions=())
        query = " ".join(sorted(terms))
        weighted = [(t, self._weight(t, common)) for t in terms]
        candidates = self._candidates(terms)
        pool: Iterable[int] = candidates
        if len(candidates) > MAX_CANDIDATES:  # keep those sharing the most query weight
            pool = sorted(
                candidates, key=lambda i: -sum(weight for t, weight in weighted if t in self._records[i].terms)
            )[:MAX_CANDIDATES]
        scored = sorted((self._score(i, weighted, query) for i in pool), key=_Scored.best_first)
        entries = self.knowledge.entries
        answerable = [s for s in scored if self._answers_kind(s.entry, asked)]
        if answerable and self._is_clear(answerable):
            best = answerable[0]
            entry = entries[best.entry]
            return Match(question=question, answered=True, entry=entry, answer=entry.answer, sources=entry.sources,
                         score=round(best.score), suggestions=())
        suggestions = tuple(entries[s.entry] for s in scored[:MAX_SUGGESTIONS] if s.score >= SUGGEST_AT)
        top = round(scored[0].score) if scored else 0
        # a near miss, worth a "did you mean", only when the closest entry could answer this kind
        # of question: "what kind of jets", close to the jets entry, is what the article doesn't say
        closest_can_answer = bool(answerable) and answerable[0].entry == scored[0].entry
        unsure = bool(suggestions) and closest_can_answer and scored[0].coverage >= COVERAGE_AT
        return Match(question=question, answered=False, entry=None, answer=None, sources=(), score=top,
                     suggestions=suggestions, unsure=unsure)

    def answer_entry(self, entry: Entry) -> Match:
        """The answer for an entry the user picked by hand (a "did you mean" button)."""
        return Match(question=entry.question, answered=True, entry=entry, answer=entry.answer, sources=entry.sources,
                     score=100, suggestions=())

    def complete(self, typed: str, limit: int = 25) -> list[str]:
        """Questions for an autocomplete box: the closest to what is typed so far, best first.

        Called on every keystroke, so on a large file only the entries that share a
        term (or, for the word being typed, a term's beginning) are ranked.
        """
        entries = self.knowledge.entries
        typed = normalize(typed)
        if not typed:
            return [entry.question for entry in entries[:limit]]
        if len(entries) <= MAX_CANDIDATES * 10:
            pool: Iterable[int] = range(len(entries))
        else:
            last = self.analyzer.stem(typed.split()[-1])
            terms = [*self.analyzer.terms_of(typed), *_with_prefix(self._sorted_terms, last, 20)]
            pool = {*self._candidates(terms),
                    *(self._question_index[q] for q in _with_prefix(self._sorted_questions, typed, limit))}
        choices = {index: self._questions[index] for index in pool}
        found = process.extract(typed, choices, scorer=fuzz.WRatio, limit=limit)
        return [entries[index].question for _, _, index in found]
