"""Find the entry a question means, or decide that the article doesn't say.

How a question is scored against an entry:

1. Both sides go through the same pipeline: `normalize`, the knowledge file's
   acronyms and aliases rewritten to one canonical phrase, stop words dropped,
   plural "s" trimmed. A query word the knowledge has never seen is corrected
   to the nearest known word with the same first letter, within one edit (two
   from 8 letters; OSA distance, so swapped letters are one edit). Words under
   5 letters are never corrected: too many are other English words.
2. For each of the entry's phrasings (question and alternates):
   *coverage* is the IDF-weighted share of the query's content words found in
   that phrasing (full weight) or elsewhere in the entry, its other phrasings
   or its quotes (OTHER_WORD_WEIGHT). The curator's answer text doesn't count:
   its "the article doesn't name the agency" must not cover "name". A word no
   entry uses weighs UNKNOWN_WORD_WEIGHT times the rarest word, which is what
   sinks "how many *civilians* died".
   *similarity* is rapidfuzz's token-sort ratio to the phrasing.
   score = 100 * COVERAGE_WEIGHT * coverage + (1 - COVERAGE_WEIGHT) * similarity,
   and the entry takes its best phrasing.
3. The best entry is the answer when its score reaches ANSWER_AT, its coverage
   COVERAGE_AT, and it beats the runner-up by MARGIN, or the runner-up is
   related or quotes the same words (then either is a right answer).
   Otherwise entries scoring SUGGEST_AT or more become "did you mean"
   suggestions. Failing an entry, an article sentence holding every content
   word of the question (two at least), and no other sentence doing so, is
   quoted with the attribution of the entry that quotes it.

The constants were chosen by grid search (eval/tune.py) on the `tune` half of
eval/questions.yaml, the tie broken towards the simpler rule; `python -m bot
eval --split holdout` reports the half they were not chosen on.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .gc_pause import gc_paused
from .knowledge import Entry, Knowledge, Source
from .text import fold_typography, normalize, split_sentences

COVERAGE_WEIGHT = 0.5
OTHER_WORD_WEIGHT = 0.8
COVERAGE_AT = 0.5
UNKNOWN_WORD_WEIGHT = 2.5
ANSWER_AT = 74
MARGIN = 2
SUGGEST_AT = 40
MAX_SUGGESTIONS = 3
MAX_QUERY_WORDS = 48  # a 4,000-character paste is judged on its first words
MAX_CANDIDATES = 200
MAX_POSTINGS = 5000  # words in more entries than this don't pick candidates

# Function words that say nothing about which fact is meant. Question words
# (who, where, when, why, how) are kept: "where is Palmyra" and "what is
# Palmyra" ask different things, and IDF already gives common words little weight.
STOP_WORDS = frozenset(
    """a an the of in on at to for from by with about into onto than then as and or but so if
    is are was were be been being am do does did done doing has have had having will would
    shall should can could may might must what whats which whom whose that this these those
    it its it's they them their there here i me my you your u ur we us our he him his she her
    one ones any some all just also very really even still ever tell say says said saying told
    know knows explain please pls plz thanks thank hey hi yo lol bro guys article story text
    according got get gets getting give gives r ya ok okay wtf omg like quick quickly brief
    briefly wait hmm um uh well anyway actually basically literally guess think wonder wondering
    curious question someone anyone somebody anybody something anything thing stuff""".split()
)


@dataclass(frozen=True, slots=True)
class Match:
    """The result of one question: an answer, or an honest abstention."""

    question: str
    answered: bool
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


_NOT_PLURAL = frozenset({"news", "series", "species", "means", "lens", "gas", "always", "perhaps", "towards"})


def _same_evidence(first: Entry, second: Entry) -> bool:
    """Related entries, or entries quoting the same words: either is a right answer."""
    if second.id in first.related or first.id in second.related:
        return True
    return bool({s.quote for s in first.sources} & {s.quote for s in second.sources})


def _shouting(text: str) -> bool:
    """All-caps text ("WHERE IS PALMYRA"), where a short form like IS is just a word."""
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) > len(letters) / 2


def _stem(word: str) -> str:
    if word in _NOT_PLURAL:
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


class Matcher:
    """An index over one Knowledge; immutable after construction, so safe to share."""

    def __init__(self, knowledge: Knowledge) -> None:
        with gc_paused():
            self._build(knowledge)

    def _build(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self._acronyms = [
            (re.compile(rf"\b{re.escape(short)}\b"), f" {phrase} ")
            for short, phrase in knowledge.acronyms.items()
        ]
        variants = {
            normalize(variant): normalize(canonical)
            for canonical, forms in knowledge.aliases.items()
            for variant in forms
        }
        variants = {v: c for v, c in variants.items() if v and v != c}
        self._aliases = variants
        self._alias_re = (
            re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(variants, key=len, reverse=True))) + r")\b")
            if variants else None
        )

        entries = knowledge.entries
        # per entry: each question/alternate as (content string, its words), and all the entry's words
        self._phrasings: list[list[tuple[str, frozenset[str]]]] = []
        self._words_of: list[frozenset[str]] = []
        frequency: Counter[str] = Counter()
        postings: dict[str, list[int]] = defaultdict(list)
        # Typo correction knows every word the knowledge uses, before stemming and
        # alias rewriting; each distinct text is processed once (quotes repeat).
        raw_words: Counter[str] = Counter(STOP_WORDS)
        seen: dict[str, list[str]] = {}

        def content(text: str) -> list[str]:
            found = seen.get(text)
            if found is None:
                words = self._words(text)
                raw_words.update(words)
                found = seen[text] = self._content_of(words)
            return found

        for index, entry in enumerate(entries):
            phrasings = [content(text) for text in (entry.question, *entry.alternates)]
            # the article's words (quotes) count, not the curator's answer: its "the article
            # doesn't name the agency" must not make "what is the agency's name" look covered
            quoted = frozenset(w for source in entry.sources for w in content(source.quote))
            everything = quoted.union(*phrasings)
            content(entry.answer)  # its words still help typo correction
            # token-sorted once here, so scoring is a plain ratio (= rapidfuzz's token_sort_ratio)
            self._phrasings.append([(" ".join(sorted(words)), frozenset(words)) for words in phrasings])
            self._words_of.append(everything)
            frequency.update(everything)
            # candidates come from the words people ask with; quotes are shared by many
            # entries, so their words would make every entry a candidate
            for word in frozenset().union(*phrasings):
                postings[word].append(index)
        total = max(len(entries), 1)
        self._idf = {w: math.log((total + 1) / (df + 0.5)) + 1 for w, df in frequency.items()}
        self._unknown_idf = math.log((total + 1) / 0.5) + 1
        self._postings = {w: tuple(ids) for w, ids in postings.items()}

        for canonical, forms in knowledge.aliases.items():
            for text in (canonical, *forms):
                raw_words.update(normalize(text).split())
        self._vocabulary = frozenset(raw_words)
        self._by_length: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word, _ in raw_words.most_common():  # most frequent first: ties go to the common word
            if len(word) >= 4 and word not in STOP_WORDS:
                self._by_length[word[0], len(word)].append(word)

        self._sentences = self._article_sentences()

    # -- the text pipeline ---------------------------------------------------

    def _words(self, text: str) -> list[str]:
        """Normalized words, with case-sensitive acronyms (IS) spelled out first."""
        acronyms = [(pattern, phrase) for pattern, phrase in self._acronyms if pattern.search(text)]
        if acronyms and not _shouting(text):
            for pattern, phrase in acronyms:
                text = pattern.sub(phrase, text)
        return normalize(text).split()

    def _content_of(self, words: list[str]) -> list[str]:
        """Content words, aliases rewritten, in order, without repeats."""
        text = " ".join(words)
        if self._alias_re is not None:
            text = self._alias_re.sub(lambda m: self._aliases[m.group(0)], text)
        stemmed = (_stem(w) for w in text.split() if w not in STOP_WORDS)
        return list(dict.fromkeys(w for w in stemmed if w not in STOP_WORDS))

    def _content(self, text: str) -> list[str]:
        return self._content_of(self._words(text))

    def _correct(self, word: str) -> str:
        """The known word a typo was meant to be, or the word itself.

        Only words of 5+ letters are corrected, within one edit (two from 8
        letters), keeping the first letter: short words and changed first
        letters are more often other English words ("right" is not "fight").
        """
        if word in self._vocabulary or len(word) < 5 or word.isdigit():
            return word
        limit = 1 if len(word) < 8 else 2
        best: tuple[int, str] | None = None
        for length in range(len(word) - limit, len(word) + limit + 1):
            pool = self._by_length.get((word[0], length))
            if not pool:
                continue
            found = process.extractOne(word, pool, scorer=OSA.distance, score_cutoff=limit)
            if found and (best is None or found[1] < best[0]):
                best = (found[1], found[0])
        return best[1] if best else word

    # -- scoring ------------------------------------------------------------

    def _candidates(self, words: list[str]) -> Iterable[int]:
        ranked = sorted((w for w in words if w in self._postings), key=lambda w: len(self._postings[w]))
        picked: set[int] = set()
        for word in ranked:
            ids = self._postings[word]
            if len(ids) > MAX_POSTINGS and picked:
                break
            picked.update(ids[:MAX_POSTINGS])
            if len(picked) >= MAX_CANDIDATES * 10:
                break
        return picked

    def _score(self, index: int, weighted: list[tuple[str, float]], query: str) -> tuple[float, float]:
        """(score, coverage) of the entry's best phrasing; (0, 0) when it can't reach SUGGEST_AT.

        Query words in that phrasing count fully; words only in the entry's other
        phrasings or its quotes count OTHER_WORD_WEIGHT.
        """
        total = sum(weight for _, weight in weighted)
        words_of_entry = self._words_of[index]
        in_entry = sum(weight for word, weight in weighted if word in words_of_entry) / total
        if 100 * COVERAGE_WEIGHT * in_entry + 100 * (1 - COVERAGE_WEIGHT) < SUGGEST_AT:
            return 0.0, 0.0
        best = (0.0, 0.0)
        for text, words in self._phrasings[index]:
            here = sum(weight for word, weight in weighted if word in words) / total
            coverage = OTHER_WORD_WEIGHT * in_entry + (1 - OTHER_WORD_WEIGHT) * here
            score = 100 * COVERAGE_WEIGHT * coverage + (1 - COVERAGE_WEIGHT) * fuzz.ratio(query, text)
            if score > best[0]:
                best = (score, coverage)
        return best

    def match(self, question: str) -> Match:
        """Answer one question. Pure: the same question always gets the same result."""
        typed = self._words(question)[: MAX_QUERY_WORDS * 3]
        words = self._content_of([self._correct(word) for word in typed])[:MAX_QUERY_WORDS]
        if not words:
            return Match(question, False, None, None, (), 0, ())
        query = " ".join(sorted(words))
        weighted = [(w, self._idf.get(w, self._unknown_idf * UNKNOWN_WORD_WEIGHT)) for w in words]
        candidates = self._candidates(words)
        if len(candidates) > MAX_CANDIDATES:  # keep those sharing the most query weight
            candidates = sorted(
                candidates, key=lambda i: -sum(weight for w, weight in weighted if w in self._words_of[i])
            )[:MAX_CANDIDATES]
        scored = sorted(((*self._score(i, weighted, query), i) for i in candidates), key=lambda p: (-p[0], p[2]))
        entries = self.knowledge.entries
        if scored:
            best_score, coverage, best = scored[0]
            runner_up = scored[1] if len(scored) > 1 else (0.0, 0.0, -1)
            clear = best_score - runner_up[0] >= MARGIN or (
                runner_up[2] >= 0 and _same_evidence(entries[best], entries[runner_up[2]])
            )
            if best_score >= ANSWER_AT and coverage >= COVERAGE_AT and clear:
                entry = entries[best]
                return Match(question, True, entry, entry.answer, entry.sources, round(best_score), ())
        suggestions = tuple(entries[i] for s, _, i in scored[:MAX_SUGGESTIONS] if s >= SUGGEST_AT)
        top = round(scored[0][0]) if scored else 0
        unsure = bool(suggestions) and scored[0][1] >= COVERAGE_AT
        if (sentence := self._sentence_for(words)) is not None:
            text, source = sentence
            answer = f"No entry answers that directly; the article says: \u201c{text}\u201d"
            return Match(question, True, None, answer, (source,), top, suggestions)
        return Match(question, False, None, None, (), top, suggestions, unsure)

    def answer_entry(self, entry: Entry) -> Match:
        """The answer for an entry the user picked by hand (a "did you mean" button)."""
        return Match(entry.question, True, entry, entry.answer, entry.sources, 100, ())

    def complete(self, typed: str, limit: int = 25) -> list[str]:
        """Questions for an autocomplete box: the closest to what is typed so far, best first."""
        questions = [entry.question for entry in self.knowledge.entries]
        typed = normalize(typed)
        if not typed:
            return questions[:limit]
        found = process.extract(typed, questions, scorer=fuzz.WRatio, processor=normalize, limit=limit)
        return [question for question, _, _ in found]

    # -- sentence fall-back -----------------------------------------------------

    def _article_sentences(self) -> list[tuple[frozenset[str], str, Source]]:
        """Each article sentence an entry quotes, with that entry's attribution."""
        out = []
        article = self.knowledge.article
        paragraphs = [p for p in article.text.split("\n") if p.strip()]
        quoted = [(fold_typography(s.quote), s) for e in self.knowledge.entries for s in e.sources]
        for paragraph in paragraphs:
            for sentence in split_sentences(paragraph):
                folded = fold_typography(sentence)
                # the source quoting most of this sentence says whose claim it is
                owners = [(len(q), s) for q, s in quoted if q in folded or folded in q]
                if not owners or len(folded) < 40:
                    continue
                source = max(owners, key=lambda pair: pair[0])[1]
                out.append((frozenset(self._content(sentence)), sentence, Source(sentence, source.claimant)))
        return out

    def _sentence_for(self, words: list[str]) -> tuple[str, Source] | None:
        if len(words) < 2:
            return None
        hits = [(len(tokens), text, source) for tokens, text, source in self._sentences
                if all(w in tokens for w in words)]
        if len(hits) != 1:  # none, or ambiguous between sentences
            return None
        _, text, source = hits[0]
        return text, source
