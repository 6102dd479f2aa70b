"""The one text pipeline that questions and knowledge both go through, so they meet on the same terms.

text -> words: `normalize` (case, punctuation, markup), after the knowledge
file's case-sensitive acronyms (IS, US) are spelled out.
words -> terms: each word stemmed (Snowball English: "used", "uses", "using"
all become "use"), the knowledge file's aliases rewritten to one canonical
phrase (matched on stems, so one alias covers every inflection), stop words
and chat filler dropped, repeats dropped.

A question's words are spell-corrected against the knowledge's own words
before they become terms (`Speller`); the knowledge's are not.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA
from spellchecker import SpellChecker

from .text import normalize

# Words that say nothing about which fact is meant: English function words,
# politeness, chat filler and slang. Question words (who, where, when, why,
# how) are kept: "where is Palmyra" and "what is Palmyra" ask different things.
STOP_WORDS = frozenset([
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "about", "into", "onto", "than",
    "then", "as", "and", "or", "but", "so", "if", "nor", "is", "are", "was", "were", "be", "been", "being", "am",
    "do", "does", "did", "done", "doing", "has", "have", "had", "having", "will", "would", "wont", "shall",
    "should", "can", "could", "cant", "may", "might", "must", "ought", "need", "needs", "what", "whats", "which",
    "whom", "whose", "that", "thats", "this", "these", "those", "it", "its", "it's", "they", "them", "their",
    "theirs", "there", "theres", "here", "i", "im", "me", "my", "mine", "you", "youre", "your", "yours", "u", "ur",
    "ure", "we", "us", "our", "ours", "he", "him", "his", "she", "her", "hers", "one", "ones", "any", "some", "all",
    "just", "also", "very", "really", "even", "still", "ever", "yet", "too", "only", "tell", "told", "know",
    "knows", "knew", "explain", "please", "pls", "plz", "thanks", "thank", "thx", "ty", "hey", "hi", "hello", "yo",
    "sup", "lol", "lmao", "rofl", "bro", "bruh", "dude", "man", "guys", "folks", "article", "story", "text",
    "piece", "according", "got", "get", "gets", "getting", "give", "gives", "given", "r", "ya", "ok", "okay", "k",
    "wtf", "omg", "like", "quick", "quickly", "brief", "briefly", "wait", "hmm", "hm", "um", "uh", "eh", "well",
    "anyway", "anyways", "actually", "basically", "literally", "honestly", "seriously", "exactly", "precisely",
    "specifically", "guess", "think", "thought", "wonder", "wondering", "curious", "question", "questions",
    "someone", "anyone", "somebody", "anybody", "something", "anything", "thing", "things", "stuff", "tbh", "ngl",
    "idk", "imo", "imho", "iirc", "fr", "btw", "pretty", "kinda", "sorta", "gonna", "wanna", "gotta", "lemme",
    "gimme", "tho", "though", "nah", "abt", "theyre", "theyve", "youve", "weve", "ive", "kindly", "indicate",
    "inform", "share", "want", "wanted", "wants", "apparently", "supposedly", "reportedly", "again", "already",
    "now", "per", "upon", "regarding", "concerning", "kind", "kinds", "sort", "type", "yeah", "yes", "no", "nope",
    "not", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "havent", "hasnt", "hadnt", "wouldnt",
    "couldnt", "shouldnt", "aint", "bot", "bots", "q", "qq", "everyone",
])

EVERYDAY_WORD = 5e-8  # a word seen this often in English text is never taken for a typo
COMMON_WORD = 1e-4  # about the 1,500 most frequent English words: more often phrasing than topic

# Question words that name what kind of answer is wanted. A question of one
# kind is never answered by an entry whose phrasings are all of other kinds:
# "how many troops did Russia send" is not answered by "did Russia send troops".
# Matched on stems before and after aliases: "wat day" is "what day", and "how old"
# stays "how old" though "old" is a variant of "ancient".
KINDS = {
    "how many": ["how many", "how much", "number of", "how big"],
    "how long": ["how long"],
    "how old": ["how old", "years old", "what age", "what era", "which era", "what period", "which period",
                "what century"],
    "what time": ["what time", "which time", "what hour", "time of day"],
    "when": ["when", "what day", "which day", "what date", "what month"],
    "where": ["where", "which city", "what city", "what place", "what part"],
    "how far": ["how far", "what distance", "how many miles", "how many km", "how many kilometers"],
    "who": ["who", "whom", "whose", "which side", "which group", "what group", "which agency", "what agency"],
    "why": ["why", "how come"],
    "name": ["name", "named", "called"],
    "what kind": ["what kind", "which kind", "what type", "which type", "what sort"],
    "leader": ["leader", "leaders", "who lead", "who leads", "who led", "who runs", "who ran", "head of", "who heads",
               "chief", "boss",
               "commander", "in command"],
    "definition": ["what is a", "what is an", "what a", "what an", "define", "definition", "meaning of the word"],
    # no entry should ask these: the article gives facts and claims, the bot no opinions
    "opinion": ["should", "do you think", "your opinion", "your view", "biased", "is it fair", "is it right"],
}

# Attributes few entries give: a question asking one is answered only by an entry one of
# whose phrasings asks it ("who leads Islamic State" is not "who is winning", "how far is
# Palmyra from Damascus" not the silo's distance from Palmyra, "what is a grain silo" not where it is).
STRICT_KINDS = frozenset({"how far", "how old", "leader", "definition"})

# "how many militants": the word after it says what is counted ("mani" is the stem of "many");
# "which statues", "what equipment": the word after it is what must be identified
_COUNTED = re.compile(r"\b(?:how mani|number of) (\w+)")
_IDENTIFIED = re.compile(r"\b(?:which|what) (\w+)")

_stemmer = Stemmer.Stemmer("english")


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the matcher needs of a text: its terms, the kinds of answer it asks for, and the
    thing a "how many" counts or a "which"/"what" question asks to identify."""

    terms: tuple[str, ...]
    kinds: frozenset[str]
    counted: str | None
    identified: str | None
    subject: tuple[str, ...] = ()  # words after the first auxiliary, in order: "how many strikes did *Russia* launch"
    wording: str = ""  # every word stemmed, aliases rewritten, stop words kept: how it is asked
    attributed: tuple[str, ...] = ()  # whose account it asks for: "... according to *the Russians*"


class Analyzer:
    """Turns text into the terms the matcher compares; built from one knowledge file's acronyms and aliases."""

    def __init__(self, acronyms: Mapping[str, str], aliases: Mapping[str, Iterable[str]]) -> None:
        self._stems: dict[str, str] = {}
        self._acronyms = [
            (re.compile(rf"\b{re.escape(short)}\b"), f" {phrase} ") for short, phrase in acronyms.items()
        ]
        rewrites: dict[str, str] = {}
        for canonical, forms in aliases.items():
            target = self._stem_text(normalize(canonical))
            for form in forms:
                if variant := self._stem_text(normalize(form)):
                    rewrites.setdefault(variant, target)
        self._aliases = rewrites
        self._alias_re = _alternation(rewrites)
        # canonical phrases are set aside first, so no variant eats into one: "the monitoring
        # center" keeps "monitoring center" though "the monitor" is a variant of something else
        self._canonical_re = _alternation({self._stem_text(normalize(c)): "" for c in aliases}, capture=True)
        self._kind_of = {self._stem_text(phrase): kind for kind, phrases in KINDS.items() for phrase in phrases}
        kinds_re = _alternation(self._kind_of)
        assert kinds_re is not None  # KINDS is never empty
        self._kinds_re = kinds_re

    def stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            # stop words stay as they are, so no content word is stemmed into one ("reportedly")
            short = len(word) <= 3 or word in STOP_WORDS
            stem = self._stems[word] = word if short else _stemmer.stemWord(word)
        return stem

    def _stem_text(self, text: str) -> str:
        return " ".join(self.stem(word) for word in text.split())

    def words(self, text: str) -> list[str]:
        """Normalized words, with case-sensitive acronyms (IS) spelled out first."""
        acronyms = [(pattern, phrase) for pattern, phrase in self._acronyms if pattern.search(text)]
        if acronyms and not _shouting(text):
            for pattern, phrase in acronyms:
                text = pattern.sub(phrase, text)
        return normalize(text).split()

    def analyse(self, words: list[str]) -> Analysis:
        """Content terms of some words (stemmed, aliases rewritten, stop words dropped, in
        order, no repeats) and what kind of question they ask."""
        before = " ".join(self.stem(word) for word in words)
        stemmed = self._rewrite(before)
        # kinds are read before and after aliases: "how old" is not "how ancient", "wat day" is "what day"
        found = self._kinds_re.findall(before if before == stemmed else f"{before} | {stemmed}")
        kinds = frozenset(self._kind_of[phrase] for phrase in found)
        counted = _COUNTED.search(stemmed)
        identified = _IDENTIFIED.search(stemmed)
        terms = tuple(dict.fromkeys(t for t in stemmed.split() if t not in STOP_WORDS))
        return Analysis(terms, kinds, _asked(counted), None if kinds else _asked(identified), _subject(stemmed),
                        stemmed, _attributed(stemmed))

    def _rewrite(self, stemmed: str) -> str:
        """Every alias variant replaced by its canonical phrase, canonical phrases left whole."""
        if self._alias_re is None or self._canonical_re is None:
            return stemmed
        parts = self._canonical_re.split(stemmed)  # the odd parts are canonical phrases
        rewritten = (part if canonical else self._alias_re.sub(self._canonical_of, part)
                     for canonical, part in zip(itertools.cycle((False, True)), parts))
        return " ".join(" ".join(rewritten).split())

    def _canonical_of(self, match: re.Match[str]) -> str:
        return self._aliases[match.group(0)]

    def terms_of(self, text: str) -> tuple[str, ...]:
        return self.analyse(self.words(text)).terms


_AUXILIARIES = frozenset({"did", "does", "do", "has", "have", "had", "was", "were", "is", "are", "will", "would",
                          "can", "could"})
_DETERMINERS = frozenset({"the", "its", "their", "his", "her", "a", "an", "that", "this", "these", "those"})
WH_WORDS = frozenset({"who", "what", "when", "where", "why", "how", "which"})


# words between a subject and its verb that are not the verb ("when did IS *really* retake Palmyra"): they
# don't end the subject, though some are stop words, and are never what the subject does
ADVERBS = frozenset(["first", "ever", "really", "actually", "just", "also", "still", "already", "even", "again",
                     "briefly", "briefli", "final", "initi", "origin", "recent", "realli", "actual"])


def _subject(stemmed: str) -> tuple[str, ...]:
    """The content words (and adverbs) after a question's first auxiliary, up to the next stop word,
    in order: who does or did the thing asked about ("how many strikes did *Syrian army* launch")."""
    words = stemmed.split()
    start = next((i + 1 for i, word in enumerate(words) if word in _AUXILIARIES), len(words))
    return _named_from(words, start, STOP_WORDS - ADVERBS)


def _attributed(stemmed: str) -> tuple[str, ...]:
    """The content words after "according to", up to the next stop or question word: whose account is asked for."""
    words = stemmed.split()
    start = next((i + 2 for i in range(len(words) - 1) if words[i:i + 2] == ["according", "to"]), len(words))
    return _named_from(words, start, STOP_WORDS | WH_WORDS)


def _named_from(words: list[str], start: int, stops: frozenset[str]) -> tuple[str, ...]:
    """The words from `start`, determiners skipped, up to the first of `stops`: a name, in order."""
    while start < len(words) and words[start] in _DETERMINERS:
        start += 1
    return tuple(dict.fromkeys(itertools.takewhile(lambda word: word not in stops, words[start:])))


def _asked(match: re.Match[str] | None) -> str | None:
    """The word after "how many" or "which", unless it is a stop word ("which is", "how many did")."""
    return match[1] if match and match[1] not in STOP_WORDS else None


def _alternation(phrases: Mapping[str, str], *, capture: bool = False) -> re.Pattern[str] | None:
    """One regex matching any of the phrases as whole words, longest first."""
    if not phrases:
        return None
    group = "(" if capture else "(?:"
    return re.compile(r"\b" + group + "|".join(map(re.escape, sorted(phrases, key=len, reverse=True))) + r")\b")


def _shouting(text: str) -> bool:
    """All-caps text ("WHERE IS PALMYRA"), where a short form like IS is just a word."""
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) > len(letters) / 2


@functools.cache
def english() -> SpellChecker:
    """An English word-frequency dictionary, loaded once (about 0.1 s)."""
    return SpellChecker(language="en", distance=1)


def english_frequency(word: str) -> float:
    """How often the word occurs in English text (0 for words the dictionary lacks)."""
    return english().word_usage_frequency(word)


class Speller:
    """Corrects a question's typos to words the knowledge uses.

    A word the knowledge uses, or a real English word (one the dictionary has
    seen more than once: "tanks", "iran", "biased"), is never corrected:
    it means what it says, even when it is one letter from a word the knowledge
    uses. Anything else of 4+ letters is corrected to the nearest knowledge word
    with the same first letter, within one edit (two when both words have 8+
    letters; OSA distance, so swapped letters are one edit). Ties go to the more
    frequent word.
    """

    def __init__(self, counts: Mapping[str, int]) -> None:
        self.vocabulary = frozenset(counts)
        self._counts = counts
        self._by_length: dict[tuple[str, int], list[str]] = {}
        for word in sorted(counts, key=lambda w: (-counts[w], w)):
            if len(word) >= 7 or (len(word) >= 3 and word not in STOP_WORDS):  # "acording", not "thanks"
                self._by_length.setdefault((word[0], len(word)), []).append(word)

    def correct(self, word: str) -> str:
        if word in self.vocabulary or len(word) < 4 or not word.isalpha():
            return word
        if english_frequency(word) >= EVERYDAY_WORD:
            return word
        best: tuple[int, int, str] | None = None  # fewest edits, then most frequent, over every length
        for length in range(len(word) - 2, len(word) + 3):
            limit = 2 if min(length, len(word)) >= 8 else 1
            pool = self._by_length.get((word[0], length))
            if not pool or abs(length - len(word)) > limit:
                continue
            found = process.extractOne(word, pool, scorer=OSA.distance, score_cutoff=limit)
            if found and (best is None or (found[1], -self._counts[found[0]]) < best[:2]):
                best = (found[1], -self._counts[found[0]], found[0])
        return best[2] if best else word
