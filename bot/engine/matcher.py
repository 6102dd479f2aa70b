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
4. Conflicts sink a match (`Matcher.conflicts`), from what the knowledge file
   knows: a question asking an attribute only some entries give (`STRICT_KINDS`:
   "who leads", "how far", "how old", "what is a") isn't answered by the others,
   nor by one whose phrasings ask it only of other things ("how far is Palmyra
   from *Damascus*" is not the silo's "how far is the silo from Palmyra"); one
   naming an actor, place or thing (`_things`: aliases, claimants, the article's
   proper nouns) that neither the entry's phrasings nor its answer name isn't
   answered by it; and one whose subject names first a claimant, whole or in part,
   other than the ones the entry's phrasings have doing the thing isn't either
   ("how many strikes did the *Syrian* air force launch" is not Russia's 64), nor
   one whose actor the entry has doing something else while someone else does
   what is asked ("when did IS *retake* Palmyra": the army retook it, IS lost it).
   Such an entry may still be suggested.
5. The best remaining entry is judged by a calibrated model (`confidence`): the
   probability that its answer is right, from its score, coverage, closeness of
   wording, lead over the runner-up and the like. It is the answer when that
   probability reaches `confidence.ANSWER_PROBABILITY`, and the confidence shown
   is that probability in percent. Otherwise entries scoring SUGGEST_AT or more
   become "did you mean" suggestions. A question equal, after normalising, to
   one of the file's phrasings is answered by that entry before any of this.
   Every answer is a curated entry, with its sources.

The scoring constants were chosen by grid search (eval/tune.py) and the model
fitted (eval/fit.py) on the `tune` halves of the curated and blind sets;
`python -m bot eval --split holdout` reports the halves they were not chosen on,
and `python -m bot eval --heldout` the sets never read while building.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from rapidfuzz import fuzz, process

from . import confidence
from .analyzer import (
    ADVERBS,
    COMMON_WORD,
    EVERYDAY_WORD,
    KINDS,
    STOP_WORDS,
    STRICT_KINDS,
    WH_WORDS,
    Analysis,
    Analyzer,
    Speller,
    english_frequency,
)
from .gc_pause import gc_paused
from .knowledge import Entry, Knowledge, Source
from .text import fold_typography, normalize, split_sentences

COVERAGE_WEIGHT = 0.6
COVERAGE_AT = 0.5  # a near miss worth "not sure, did you mean" covers this much of the question
UNKNOWN_WORD_WEIGHT = 1.0
COMMON_WORD_WEIGHT = 0.3
ABSENT_WEIGHT = 1.5
SUGGEST_AT = 40
MAX_SUGGESTIONS = 3
MAX_QUERY_WORDS = 48  # a 4,000-character paste is judged on its first words
MAX_QUERY_CHARS = MAX_QUERY_WORDS * 40  # and on its first characters when read whole
MAX_CANDIDATES = 200
# words that ask and never name what is asked about ("say" and the aliases read as it: "who said that" asks
# who made a claim, and names none)
_ASKING_WORDS = WH_WORDS | {"whom", "whose", "many", "much", "long", "old", "far", "come", "name", "named",
                            "called", "say", "said", "claim"}
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

    @classmethod
    def nothing(cls, question: str) -> Match:
        """No answer and nothing to offer: the article doesn't say."""
        return cls(question=question, answered=False, entry=None, answer=None, sources=(), score=0, suggestions=())

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": self.answer,
            "matched": self.entry.question if self.entry else None,
            "score": self.score,
            "sources": [source.to_json() for source in self.sources],
            "suggestions": [entry.question for entry in self.suggestions],
        }


@dataclass(frozen=True, slots=True)
class Verdict:
    """A match and how it was decided: the entry the confidence model judged (answered
    or not) and the features it read, for fitting and checking the model (eval/fit.py)."""

    match: Match
    judged: Entry | None
    features: tuple[float, ...]  # empty when nothing was judged, or the question was a phrasing word for word


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
    said: frozenset[str]  # terms of its phrasings and of the curator's answer: what the entry is about
    phrasing_terms: tuple[frozenset[str], ...]  # each phrasing's terms, for the closest single phrasing
    texts: tuple[str, ...]  # its phrasings' wording (stemmed, aliases rewritten, every word kept)
    agents: frozenset[str]  # who its phrasings have doing the thing: "did *Russia* bomb Islamic State"
    # who does what in its phrasings: ("Syrian army", "recaptured") from "when did the syrian army retake palmyra"
    deeds: frozenset[tuple[frozenset[str], str]]
    claimed: frozenset[str]  # the terms of its sources' claimants: whose account it gives
    kinds: frozenset[str]  # the kinds of question its phrasings ask ("how many", "who"...)
    sourced: bool  # it quotes the article: its answer names who made each claim, so it answers "who said"
    # for each rare attribute it gives ("how far"), the terms of the phrasings that ask it
    strict: tuple[tuple[str, frozenset[str]], ...]
    counts: frozenset[str]  # what its "how many" phrasings count
    identifies: frozenset[str]  # what its "which"/"what" phrasings ask to identify
    evidence: frozenset[int]  # indices of the article sentences it quotes


class _Scored(NamedTuple):
    """One entry's fit to a question."""

    score: float
    own: float  # similarity to the entry's own question, the tie-breaker
    coverage: float
    entry: int  # the entry's position in the knowledge file
    similarity: float = 0.0  # to the entry's closest phrasing

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


def _record(entry: Entry, analyse: _Analyses, quotes: _Quotes, actors: _Actors) -> _Record:
    phrasings = [analyse(text) for text in (entry.question, *entry.alternates)]
    asked = frozenset().union(*(p.terms for p in phrasings))
    # the article's words (quotes) count, not the curator's answer: its "the article
    # doesn't name the agency" must not make "what is the agency's name" look covered
    evidence = [quotes.context(source.quote) for source in entry.sources]
    quoted = frozenset().union(*(terms for _, terms in evidence))
    answer = analyse(entry.answer)  # its words also help typo correction
    sorted_phrasings = tuple(dict.fromkeys(" ".join(sorted(p.terms)) for p in phrasings))
    phrasing_terms = tuple(frozenset(p.split()) for p in sorted_phrasings)
    doing = [(actors.agent(p.subject), p.subject) for p in phrasings]  # who each phrasing has doing the thing
    agents = frozenset().union(*(agent for agent, _ in doing))
    deeds = frozenset((agent, deed) for agent, subject in doing if agent and (deed := _deed(subject, agent)))
    return _Record(
        # token-sorted once here, so scoring is a plain ratio (= rapidfuzz's token_sort_ratio)
        phrasings=sorted_phrasings,
        terms=asked | quoted,
        asked=asked,
        said=asked | frozenset(answer.terms),
        phrasing_terms=phrasing_terms,
        texts=tuple(dict.fromkeys(p.wording for p in phrasings)),
        agents=agents,
        deeds=deeds,
        claimed=frozenset(term for source in entry.sources for term in analyse(source.claimant.name).terms),
        kinds=frozenset().union(*(p.kinds for p in phrasings)),
        sourced=bool(entry.sources),
        strict=tuple((kind, frozenset().union(*(p.terms for p in phrasings if kind in p.kinds)))
                     for kind in sorted(STRICT_KINDS) if any(kind in p.kinds for p in phrasings)),
        counts=frozenset(p.counted for p in phrasings if p.counted),
        identifies=frozenset(p.identified for p in phrasings if p.identified),
        evidence=frozenset().union(*(where for where, _ in evidence)),
    )


# "who said ...", "says who", "according to whom": asks who made a claim (stemmed, so "says" and "claimed" are
# there too, and a knowledge file's aliases of "say", like "announced", read as it)
_WHO_SAID = re.compile(r"\bwho (?:say|said|claim)\b|\b(?:say|said) who\b|\baccording to whom?\b")
_CLAUSE_END = re.compile(r"(?<=[.?!:;])\s+|\n+")
# words by which a clause leans on the rest of its message ("Regarding the monitoring centre: where is *it*?",
# "did palmyra fall? what happened *after*"): such a clause means nothing alone
_LEANING = frozenset([
    "it", "its", "they", "them", "their", "he", "him", "his", "she", "her", "there", "that", "this", "those", "these",
    "after", "then", "next", "else",
])
# words of a clause about the asker, not the article ("*I* read it twice and still don't get it", "good evening",
# "for *my* grandson's project"): the only kind of clause an asking clause may be read without
_ASKER = frozenset([
    "i", "im", "ive", "id", "me", "my", "mine", "we", "us", "our", "you", "your", "hi", "hello", "hey", "please",
    "thanks", "thank", "sorry", "evening", "morning", "afternoon",
])


def _asking_clause(text: str) -> str | None:
    """The clause of a message that may be read alone, if any: the one clause that asks something on its
    own (it ends with "?" or holds a question word, and points back at nothing), when every other clause
    is about the asker ("I read it twice and still don't get it: who controls palmyra?"). A clause naming
    a topic ("Civilians: how many died?", "In 2012: who controlled Palmyra?") or a second question ("what
    about the civilians? how many died?") keeps the message whole."""
    clauses = list(dict.fromkeys(c.strip() for c in _CLAUSE_END.split(text[:MAX_QUERY_CHARS]) if c.strip()))
    if len(clauses) < 2:
        return None
    asking, rest = [], []
    for clause in clauses:
        words = set(normalize(clause).split())
        if (clause.endswith("?") or words & WH_WORDS) and not words & _LEANING:
            asking.append(clause)
        else:
            rest.append(words)
    return asking[0] if len(asking) == 1 and all(words & _ASKER for words in rest) else None


# a word's first letters stand for it: two forms of a name share them ("syria", "syrian"; "russia", "russian"),
# as two forms of a word do ("admitted", "admits")
STEM_PREFIX = 5
# saying is every claimant's deed: whose account is asked is the attribution checks' business (stems, with and
# without a knowledge file's aliases of "say")
_CLAIMING = frozenset(["say", "said", "claim"])


def _deed(subject: tuple[str, ...], agent: frozenset[str]) -> str | None:
    """The word right after the agent's name, when the subject opens with it, adverbs skipped: what the
    agent does (None when it says something, or the subject opens otherwise: "burned-flag *photo*")."""
    if not subject or subject[0] not in agent:
        return None
    rest = [word for word in subject if word not in agent and word not in ADVERBS]
    return rest[0] if rest and rest[0] not in _CLAIMING else None


def _same_actor(one: frozenset[str], other: frozenset[str]) -> bool:
    """Two namings of an actor that share a word, or a word's first letters ("syria", "syrian")."""
    return any(a[:STEM_PREFIX] == b[:STEM_PREFIX] for a in one for b in other)


def _form(wording: str) -> frozenset[str]:
    """The function words a question is asked with: "did", "what if", "how"."""
    return frozenset(word for word in wording.split() if word in STOP_WORDS or word in WH_WORDS)


def _overlap(one: frozenset[str], other: frozenset[str]) -> float:
    return len(one & other) / len(one | other) if one or other else 1.0


def _things(knowledge: Knowledge, analyzer: Analyzer, records: list[_Record]) -> frozenset[str]:
    """Terms that name an actor, place or thing: what a question can be about that an entry is not.

    Taken from what the knowledge file knows: its aliases' and acronyms' canonical phrases,
    its claimants' names, and the words the article capitalises inside a sentence (Aleppo,
    Interfax, Thursday). Everyday English words ("first", "control", a claimant "near"
    Aleppo) and question words are left out, and so is any term a third of the entries
    are asked with (Palmyra): it tells no entry from another.
    """
    names = [*knowledge.aliases, *knowledge.acronyms.values(), *(c.name for c in knowledge.claimants.values())]
    for paragraph in knowledge.article.text.split("\n")[1:]:  # the headline is all capitals
        for sentence in split_sentences(paragraph):
            names += [word for word in sentence.split()[1:] if word[:1].isupper()]
    named: set[str] = set()
    for text in names:
        words = [w for w in analyzer.words(text) if english_frequency(w) < COMMON_WORD]
        named.update(analyzer.analyse(words).terms)
    question_words = {analyzer.stem(word)
                      for phrases in KINDS.values() for phrase in phrases for word in phrase.split()}
    spread = Counter(term for record in records for term in record.asked)
    return frozenset(t for t in named - question_words if spread[t] * 3 <= len(records))


class _Actors:
    """Whoever makes claims in the article, and how a question names who does what it asks."""

    def __init__(self, knowledge: Knowledge, analyzer: Analyzer) -> None:
        """Each actor is the terms naming it: every claimant's name, and every alias's canonical
        phrase inside one ("Islamic State" in "A news agency linked to Islamic State", "Russia"
        in "Russia's Defense Ministry"). Its naming words are those rarer than everyday English
        ("Syrian", "Russia", "ministry"; not "news", "near")."""
        names = [claimant.name for claimant in knowledge.claimants.values()]
        named = [frozenset(analyzer.terms_of(name)) for name in names]
        found = {terms for terms in named if terms}
        for canonical in knowledge.aliases:
            if (terms := frozenset(analyzer.terms_of(canonical))) and any(terms <= name for name in named):
                found.add(terms)
                names.append(canonical)
        self.actors = tuple(sorted(found, key=sorted))
        rare = [w for name in names for w in analyzer.words(name) if english_frequency(w) < COMMON_WORD]
        self._naming = frozenset(analyzer.analyse(rare).terms) & frozenset().union(*self.actors)

    def agent(self, subject: tuple[str, ...]) -> frozenset[str]:
        """Who the subject of a question names first: the longest actor named there whole that
        has that first naming word, else the word alone ("did the *Syrian* air force strike",
        not Russia; "did *Russia's Defense Ministry* say"). Empty when it names no actor."""
        first = next((word for word in subject if word in self._naming), None)
        if first is None:
            return frozenset()
        whole = [actor for actor in self.actors if first in actor and actor <= frozenset(subject)]
        return max(whole, key=len, default=frozenset({first}))


@dataclass(frozen=True, slots=True)
class _Asked:
    """What conflict checks need of a question, worked out once for all its candidates."""

    strict_kinds: frozenset[str]
    terms: frozenset[str]  # those the knowledge or the article uses ("how far *away*" asks nothing more)
    things: frozenset[str]
    agent: frozenset[str]
    deed: str | None  # what the agent does, when one is named: "when did IS *retake* Palmyra"
    attribution: frozenset[str]  # the actor of "according to X", if X names one

    @staticmethod
    def of(asked: Analysis, terms: Iterable[str], matcher: Matcher) -> _Asked:
        agent = matcher._actors.agent(asked.subject)
        return _Asked(asked.kinds & STRICT_KINDS, frozenset(terms) & matcher._known, frozenset(terms) & matcher._things,
                      agent, _deed(asked.subject, agent) if agent else None, matcher._actors.agent(asked.attributed))


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
        self._actors = _Actors(knowledge, analyzer)
        self._records = [_record(entry, analyse, quotes, self._actors) for entry in entries]
        frequency: Counter[str] = Counter()
        postings: dict[str, list[int]] = defaultdict(list)
        having: dict[str, list[int]] = defaultdict(list)
        for index, record in enumerate(self._records):
            frequency.update(record.terms)
            for term in record.terms:
                having[term].append(index)
            # candidates come from the terms people ask with; quotes are shared by many
            # entries, so their terms would make every entry a candidate
            for term in record.asked:
                postings[term].append(index)
        total = max(len(entries), 1)
        self._idf = {w: math.log((total + 1) / (df + 0.5)) + 1 for w, df in frequency.items()}
        self._unknown_idf = math.log((total + 1) / 0.5) + 1
        self._postings = {w: tuple(ids) for w, ids in postings.items()}
        # entries with the term anywhere in what coverage counts: to rank candidates
        self._having = {w: tuple(ids) for w, ids in having.items()}
        self._sorted_terms = sorted(self._postings)  # for autocomplete's half-typed words
        self._index_of = {entry.id: index for index, entry in enumerate(entries)}
        self._questions = [normalize(entry.question) for entry in entries]
        self._question_index = {question: index for index, question in enumerate(self._questions)}
        self._sorted_questions = sorted(self._question_index)
        # a question the file has word for word goes to its entry (the first, if two shared one)
        self._exact: dict[str, int] = {}
        for index, entry in enumerate(entries):
            for text in (entry.question, *entry.alternates):
                self._exact.setdefault(normalize(text), index)
        self._things = _things(knowledge, analyzer, self._records)
        # a question of only question words names no topic ("whats his name", "how many?", "why"),
        # so no entry can be its answer on its own
        self._asking = frozenset(analyzer.stem(word) for word in _ASKING_WORDS)

        article_terms = {t for paragraph in knowledge.article.text.split("\n") for t in analyse(paragraph).terms}
        self._known = frozenset(self._idf).union(article_terms, *(record.said for record in self._records))
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

    def _shares(self, candidates: set[int], weighted: list[tuple[str, float]]) -> dict[int, float]:
        """The weight of the query terms each candidate's entry has, added up in the query's order.

        A large file gives thousands of candidates: those having each term are then found
        through the index of entries by term rather than by asking every candidate."""
        found = dict.fromkeys(candidates, 0.0)
        many = len(candidates) > MAX_CANDIDATES
        for term, weight in weighted:
            having = (candidates.intersection(self._having.get(term, ())) if many
                      else [index for index in candidates if term in self._records[index].terms])
            for index in having:
                found[index] += weight
        return found

    def _score(self, index: int, found: float, total: float, query: str) -> _Scored:
        """How well the entry fits the query, of whose `total` weight it has `found`; zero when it
        can't reach SUGGEST_AT.

        Coverage is the weighted share of the query's terms the entry has. Terms it
        lacks weigh ABSENT_WEIGHT times more: each is a sign the question is about
        something else ("how many militants died *in March*").
        """
        record = self._records[index]
        coverage = found / (found + ABSENT_WEIGHT * (total - found))
        if 100 * COVERAGE_WEIGHT * coverage + 100 * (1 - COVERAGE_WEIGHT) < SUGGEST_AT:
            return _Scored(0.0, 0.0, 0.0, index)
        phrasings = record.phrasings
        similarity = process.extractOne(query, phrasings, scorer=fuzz.ratio)[1]
        score = 100 * COVERAGE_WEIGHT * coverage + (1 - COVERAGE_WEIGHT) * similarity
        return _Scored(score, fuzz.ratio(query, phrasings[0]), coverage, index, similarity)

    def _rival(self, ranked: list[_Scored]) -> _Scored | None:
        """The best entry after the first that is not an equally right answer (related, or
        quoting the same sentence): how far the first leads it says how clear the choice is."""
        best = ranked[0]
        return next((s for s in ranked[1:] if not self._same_evidence(best.entry, s.entry)), None)

    def _same_evidence(self, first: int, second: int) -> bool:
        """Related entries, or entries quoting the same article sentence: either is a right answer."""
        one, other = self.knowledge.entries[first], self.knowledge.entries[second]
        return (other.id in one.related or one.id in other.related
                or bool(self._records[first].evidence & self._records[second].evidence))

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

    def conflicts(self, index: int, asked: Analysis, terms: Iterable[str]) -> tuple[str, ...]:
        """Why the entry can't answer this question, if it can't: the question asks an attribute
        only other entries give ("who leads", "how far", "what is a") or that the entry gives
        only of other things, names an actor, place or thing that neither the entry's phrasings
        nor its answer ever name, or has as subject a claimant the entry's phrasings never do."""
        return self._conflicts(self._records[index], _Asked.of(asked, terms, self))

    @staticmethod
    def _conflicts(record: _Record, asked: _Asked) -> tuple[str, ...]:
        found = [f"asks {kind}" for kind in sorted(asked.strict_kinds - record.kinds)]
        # a rare attribute of something its phrasings don't ask it of: "how far is Palmyra from
        # *Damascus*" is not the silo's "how far is the silo from Palmyra"
        found += [f"asks {kind} of {', '.join(sorted(asked.terms - terms))}"
                  for kind, terms in record.strict if kind in asked.strict_kinds and not asked.terms <= terms]
        found += [f"names {term}" for term in sorted(asked.things - record.said)]
        if record.agents and asked.agent and not asked.agent & record.agents:
            found.append("is about someone else")  # "how many strikes did the Syrian army launch": not Russia's 64
        elif asked.deed is not None:  # "when did IS retake Palmyra": the entry has the army retake it, IS lose it
            doers = [agent for agent, deed in record.deeds if deed == asked.deed]
            theirs = any(_same_actor(agent, asked.agent) for agent, _ in record.deeds)
            if doers and theirs and not any(_same_actor(agent, asked.agent) for agent in doers):
                found.append("has someone else do it")
        if asked.attribution and not asked.attribution & record.claimed:
            found.append("is someone else's account")  # "how many strikes according to the Observatory"
        return tuple(found)

    def _features(self, best: _Scored, rival: _Scored | None, weighted: list[tuple[str, float]],
                  asked: Analysis, real: set[str], passed_over: bool, wording: str) -> tuple[float, ...]:
        """What the confidence model reads of the best entry (`confidence.FEATURES`, in order)."""
        record = self._records[best.entry]
        total = sum(weight for _, weight in weighted) or 1.0
        asked_coverage = sum(weight for term, weight in weighted if term in record.asked) / total
        terms = {term for term, _ in weighted}
        single, recall = max(
            (sum(weight for term, weight in weighted if term in phrasing) / total,
             len(phrasing & terms) / len(phrasing) if phrasing else 0.0)
            for phrasing in record.phrasing_terms)
        margin = min(best.score - rival.score, 30.0) / 30 if rival else 1.0
        unknown = sum(weight for term, weight in weighted if term not in self._idf) / total
        record_kinds = record.kinds
        return (
            best.score / 100, best.coverage, asked_coverage, single, recall, best.similarity / 100,
            best.own / 100, margin, unknown,
            float(any(term not in self._known for term in terms & real)),
            float(bool(record_kinds and asked.kinds - record_kinds)),
            min(len(terms), 8) / 8,
            float(passed_over),
            self._wording(best.entry, wording) / 100,
        )

    def _wording(self, index: int, wording: str) -> float:
        """Similarity of the question's wording, every word kept, to the entry's closest phrasing."""
        return process.extractOne(wording, self._records[index].texts, scorer=fuzz.ratio)[1]

    def _by_wording(self, ranked: list[_Scored], wording: str) -> list[_Scored]:
        """Entries tied on score put in order of how closely a phrasing words the question:
        "did isis retake palmyra" has the terms of "what if isis retakes palmyra" too."""
        tied = [s for s in ranked if s.score == ranked[0].score]
        if len(tied) == 1:
            return ranked
        form = _form(wording)

        def closeness(scored: _Scored) -> tuple[float, float]:
            """The phrasing asked in the most similar form (its function words: "did", "what if"),
            then with the most similar wording."""
            return max((_overlap(form, _form(text)), fuzz.ratio(wording, text))
                       for text in self._records[scored.entry].texts)

        tied.sort(key=closeness, reverse=True)
        return tied + ranked[len(tied):]

    def explain(self, question: str) -> Verdict:
        """The match for a question, with the entry the confidence model judged and what it read.

        A message that finds no answer whole, whose one asking clause comes with clauses about the
        asker only ("I read it twice and still don't get it: who controls Palmyra?"), is answered as
        that clause would be asked alone, unless the whole message conflicts with the entry it finds.
        """
        whole = self._explain(question)
        clause = None if whole.match.answered else _asking_clause(question)
        if clause is None:
            return whole
        found = self._explain(clause)
        if not found.match.answered or found.judged is None or self._conflicts_whole(found.judged, question):
            return whole
        return dataclasses.replace(found, match=dataclasses.replace(found.match, question=question))

    def _conflicts_whole(self, entry: Entry, question: str) -> bool:
        """Whether the whole message names something the entry a clause found can't answer."""
        words = self.analyzer.words(question)[: MAX_QUERY_WORDS * 3]
        asked = self.analyzer.analyse([self.speller.correct(word) for word in words])
        return bool(self.conflicts(self._index_of[entry.id], asked, asked.terms[:MAX_QUERY_WORDS]))

    def _explain(self, question: str) -> Verdict:
        entries = self.knowledge.entries
        exact = self._exact.get(normalize(question[:MAX_QUERY_CHARS]))
        if exact is not None:
            entry = entries[exact]
            return Verdict(Match(question=question, answered=True, entry=entry, answer=entry.answer,
                                 sources=entry.sources, score=round(100 * confidence.EXACT_PROBABILITY),
                                 suggestions=()),
                           entry, ())
        typed = [self.speller.correct(word) for word in self.analyzer.words(question)[: MAX_QUERY_WORDS * 3]]
        asked = self.analyzer.analyse(typed)
        terms = asked.terms[:MAX_QUERY_WORDS]
        if not terms:
            return Verdict(Match.nothing(question), None, ())
        common = {self.analyzer.stem(word) for word in typed if english_frequency(word) >= COMMON_WORD}
        query = " ".join(sorted(terms))
        weighted = [(t, self._weight(t, common)) for t in terms]
        candidates = self._candidates(terms)
        shares = self._shares(candidates, weighted)
        pool: Iterable[int] = candidates
        if len(candidates) > MAX_CANDIDATES:  # keep those sharing the most query weight (ties: set order)
            pool = sorted(candidates, key=shares.__getitem__, reverse=True)[:MAX_CANDIDATES]
        total = sum(weight for _, weight in weighted)
        scored = sorted((self._score(i, shares[i], total, query) for i in pool), key=_Scored.best_first)
        facts = _Asked.of(asked, terms, self)
        answerable = [s for s in scored
                      if self._answers_kind(s.entry, asked) and not self._conflicts(self._records[s.entry], facts)]
        features: tuple[float, ...] = ()
        chance = 0.0
        wording = asked.wording[:500]
        topical = bool(set(terms) - self._asking)
        if not topical:  # a question naming no topic may get suggestions, never an answer
            answerable = []
        if answerable:
            answerable = self._by_wording(answerable, wording)
            # real English words, not slang or typos: one the article never uses is a topic it lacks
            real = {self.analyzer.stem(word) for word in typed if english_frequency(word) >= EVERYDAY_WORD}
            passed_over = answerable[0].entry != scored[0].entry
            features = self._features(answerable[0], self._rival(answerable), weighted, asked, real, passed_over,
                                      wording)
            chance = confidence.probability(features)
            if chance >= confidence.ANSWER_PROBABILITY:
                entry = entries[answerable[0].entry]
                return Verdict(Match(question=question, answered=True, entry=entry, answer=entry.answer,
                                     sources=entry.sources, score=round(100 * chance), suggestions=()),
                               entry, features)
        suggestions = tuple(entries[s.entry] for s in scored[:MAX_SUGGESTIONS] if s.score >= SUGGEST_AT)
        # a near miss, worth a "did you mean", only when the closest entry could answer this kind
        # of question: "what kind of jets", close to the jets entry, is what the article doesn't say;
        # a question naming no topic is always one: it is unclear, not something the article lacks
        # (a tie the wording put in another order is no closer entry set aside); "who said X" is always a kind
        # the closest entry can answer when it quotes the article, since its answer names each quote's claimant
        closest_can_answer = (bool(answerable) and answerable[0].score >= scored[0].score) or (
            bool(scored) and self._records[scored[0].entry].sourced and bool(_WHO_SAID.search(wording))
            and not self._conflicts(self._records[scored[0].entry], facts))
        unsure = bool(suggestions) and (not topical or (closest_can_answer and scored[0].coverage >= COVERAGE_AT))
        match = Match(question=question, answered=False, entry=None, answer=None, sources=(),
                      score=round(100 * chance), suggestions=suggestions, unsure=unsure)
        return Verdict(match, entries[answerable[0].entry] if answerable else None, features)

    def asks_kind(self, entry: Entry, kind: str) -> bool:
        """Whether one of the entry's phrasings asks this kind of question ("how far", "when"): its answer
        gives that."""
        index = self._index_of.get(entry.id)
        return index is not None and kind in self._records[index].kinds

    def match(self, question: str) -> Match:
        """Answer one question. Pure: the same question always gets the same result."""
        return self.explain(question).match

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
