"""Follow-up questions: "who said that?", "why?", "and the Syrian army?" answered against the previous answer.

People chat in turns and lean on what was just said. A question *leans* on the
previous answer when its form says so: it refers back ("that", "it", "they",
"there"), opens with an ellipsis ("and ...", "what about ..."), or is all
question and no topic ("why?", "source?", "how many"). Only then is the
previous entry used, or when a short fragment ("who took the photo") finds
nothing alone; any other question is matched exactly as without context. The
context reading is used only when it is the better one (`context_may_win`):
when the question finds nothing alone, or has no topic of its own in its words.
A question with a topic that is answered alone ("who said they sent
reinforcements") keeps that answer after any previous entry.

A leaning question is resolved through the same Matcher, by rewriting it with
the previous entry's topic: "when was that" after "How many air strikes did
Russia say it launched?" is matched as "when ... air strikes Russia say it
launched", and "what about the observatory" as the previous question with the
observatory in place of what it was about. The Matcher still decides: an entry
answers only the kinds of question it can ("how many troops" stays
unanswered). A question about the previous claim itself ("who said that",
"is that confirmed", "source?") is answered by the previous entry, whose answer
names its claimant and quotes its sources; so do "says who", "src?", "is that
legit" and "does anyone dispute that" (a contested answer shows the other side).

Some follow-ups are read by their kind before any rewrite, from the knowledge
file's own links: "what about X" / "and X?" with X a claimant is X's claim on
the contested point next to the topic; "why" / "how come" is the topic's
reason (a neighbouring "why" entry); "then what" / "what came next" is what
the article tells next. When nothing reads a follow-up, a near miss that is
the topic's neighbour and asks the same kind answers it, and a bare "when?" /
"where?" takes the topic's time or place entry. An answer found by filling in
the topic must say something of what the follow-up adds, or the article
doesn't say ("who owns it?" after the grain silo).
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from collections.abc import Generator, Mapping
from dataclasses import dataclass

from .analyzer import STOP_WORDS
from .formatting import IS_IT_TRUE, WHO_SAID_IT
from .gc_pause import gc_paused
from .knowledge import Entry
from .matcher import STEM_PREFIX, Match, Matcher
from .text import normalize

# words that point back at the previous answer: at a thing it named, or at the claim or event itself
THING_REFERENCES = frozenset([
    "it", "its", "they", "them", "their", "theirs", "he", "him", "his", "she", "her", "there",
])
CLAIM_REFERENCES = frozenset(["that", "this", "those", "these"])
REFERENCES = THING_REFERENCES | CLAIM_REFERENCES
POSSESSIVES = frozenset(["its", "their", "theirs", "his", "her"])  # after a name in the question, they are its
# nouns among the stop words: "this article" names its own topic, "that day" asks a new one
_NOUNS = frozenset([
    "article", "story", "text", "piece", "thing", "things", "stuff", "question", "questions", "one", "ones",
])
# "that day", "those guys": a determiner pointing back at the previous answer's time, place or people
_BACK_NOUNS = frozenset([
    "day", "days", "time", "night", "week", "weekend", "place", "city", "town", "area", "group", "guy", "guys",
    "people", "men",
])
_BEING = frozenset(["is", "are", "was", "were", "be", "s", "whats", "whos", "thats", "its"])
# "what else did they say": another claim of the same claimant
SAYING = frozenset([
    "say", "says", "said", "claim", "claims", "claimed", "report", "reports", "reported", "mention", "mentions",
])
# "and the army?", "what about the observatory": the rest of the question replaces the previous topic
OPENERS = ("and what about", "what about", "how about", "and how about", "what of", "and", "also", "plus", "but")
QUESTION_WORDS = frozenset([
    "who", "whom", "whose", "what", "which", "when", "where", "why", "how", "many", "much", "long", "old",
])
# asking about the previous claim itself: who made it, whether it holds, where it comes from
ABOUT_THE_CLAIM = frozenset([
    "say", "says", "said", "saying", "claim", "claims", "claimed", "claiming", "source", "sources", "sourced",
    "true", "truth", "confirm", "confirmed", "confirms", "confirmation", "verified", "verify", "really", "sure",
    "certain", "proof", "evidence", "know", "knows", "known", "back", "backs", "backed", "backing", "report",
    "reports", "reported", "believe", "accurate", "correct", "legit", "real", "fact", "facts", "official",
    "officially", "from", "by", "src", "srcs", "cite", "cited", "citing", "citation", "quote", "quoted", "quoting",
    "according", "ref", "link", "trust",
    "trusted", "trustworthy", "reliable", "credible", "dispute", "disputes", "disputed", "disagree", "disagrees",
    "deny", "denies", "denied", "contest", "contests", "challenge", "challenges", "otherwise", "other", "side",
    "sides", "more", "details", "detail", "info", "information", "elaborate", "admit", "admits", "admitted",
    "acknowledge", "acknowledges", "acknowledged", "announce", "announces", "announced", "mention", "mentions",
    "mentioned", "insist", "insists", "insisted", "reveal", "reveals", "revealed",
])
# of those, the words asking whether the claim holds ("is that true", "confirmed?", "legit"), and those asking
# who made it ("who said that", "says who", "src?"); the rest want an answer ("more details?": see MORE)
TRUTH = frozenset([
    "true", "truth", "confirm", "confirmed", "confirms", "confirmation", "verified", "verify", "really", "sure",
    "certain", "proof", "evidence", "know", "knows", "known", "believe", "accurate", "correct", "legit", "real",
    "fact", "facts", "official", "officially", "trust", "trusted", "trustworthy", "reliable", "credible", "dispute",
    "disputes", "disputed", "disagree", "disagrees", "deny", "denies", "denied", "contest", "contests",
    "challenge", "challenges", "otherwise",
])
WHO_SAID = frozenset([
    "who", "whom", "say", "says", "said", "saying", "claim", "claims", "claimed", "claiming", "source", "sources",
    "sourced", "src", "srcs", "cite", "cited", "citing", "citation", "quote", "quoted", "quoting", "according",
    "ref", "link", "from", "by", "report",
    "reports", "reported", "back", "backs", "backed", "backing", "admit", "admits", "admitted", "acknowledge",
    "acknowledges", "acknowledged", "announce", "announces", "announced", "mention", "mentions", "mentioned",
    "insist", "insists", "insisted", "reveal", "reveals", "revealed",
])
# "more details?", "elaborate": what the article adds next on the topic, not the same answer again
MORE = frozenset(["more", "details", "detail", "info", "information", "elaborate", "expand"])
EXPLAIN = frozenset(["why", "come", "so"])  # "why?", "how come?", "how so?"
# "then what?", "what happened next?": the event after the previous one
NEXT = frozenset(["then", "next", "after", "afterwards", "later"])
# "what else?", "what happened": the question names no topic of its own with these
VAGUE = frozenset(["else", "happen", "happened", "happening", "going", "on", "come", "came", "comes"])
# verbs any event has, and words asking for a name: "when did it start", "what's it called" name no topic
GENERIC = frozenset([
    "start", "starts", "started", "begin", "begins", "began", "begun", "end", "ends", "ended", "mean", "means",
    "meant", "matter", "matters", "name", "names", "named", "called", "call",
])
# question words that ask for something other than the claim's owner: these go through the matcher
ASPECTS = frozenset(["when", "where", "why", "many", "much", "long", "old", "which"])
# words that ask only after "how": "how come?", "how far?" (not "so far")
AFTER_HOW = frozenset(["come", "far"])
AUXILIARIES = frozenset([
    "is", "are", "was", "were", "do", "does", "did", "has", "have", "had", "can", "could", "will", "would",
    "should",
])
# reactions and thanks: a message of these and filler only ("lol", "ok thanks", "cool") asks nothing
REACTIONS = frozenset([
    "cool", "nice", "wow", "great", "awesome", "interesting", "haha", "hahaha", "ha", "damn", "dang", "cheers",
    "gg", "xd", "noted", "alright", "sweet", "hmmm", "mhm", "oof", "rip", "welp", "whoa", "yikes", "bye", "cya",
])
_ASKS = QUESTION_WORDS | REFERENCES | ABOUT_THE_CLAIM | MORE | EXPLAIN | NEXT | VAGUE | GENERIC
# words that are not a question's topic: what `form_of` leaves out of a question's own words
_NO_TOPIC = STOP_WORDS | REFERENCES | QUESTION_WORDS | ABOUT_THE_CLAIM | NEXT | VAGUE | GENERIC
MAX_FOLLOW_UP_WORDS = 12  # a long message is a question of its own, whatever pronouns it has
MAX_OWN_WORDS = 2  # "is it true that russia launched 64 strikes" names its own topic
MAX_ANSWER_NAMES = 4  # things the previous answer named that "it" may stand for
FRAGMENT_WORDS = 6  # "who took the photo": short enough to be a fragment of the conversation


@dataclass(frozen=True, slots=True)
class Resolved:
    """The answer to one turn, and whether the previous entry was used to find it."""

    match: Match
    used_context: bool
    # a question about the previous claim itself: `formatting.IS_IT_TRUE` or `WHO_SAID_IT`, which
    # `formatting.claim_lead` words as its answer instead of the whole answer again
    asks: str | None = None


Steps = Generator[None, None, Resolved]  # Conversation.steps: pauses between matches, then the answer


@dataclass(frozen=True, slots=True)
class Form:
    """What a question's form says about leaning on context."""

    words: tuple[str, ...]
    own: tuple[str, ...]  # words that say what it is about, beyond asking and pointing back
    pointing: frozenset[str]  # the words pointing back: "that", "it", "there"...
    rest: str | None  # after an ellipsis opener ("and the syrian army?" -> "the syrian army")

    @property
    def refers(self) -> bool:
        return bool(self.pointing)

    @property
    def leans(self) -> bool:
        """Points back, opens with an ellipsis, or is all question and no topic."""
        if not self.words or len(self.words) > MAX_FOLLOW_UP_WORDS:
            return False
        if self.rest is not None:
            return True
        return (self.refers or not self.own) and len(self.own) <= MAX_OWN_WORDS

    @property
    def leans_by_words(self) -> bool:
        """Leans, and could mean nothing without the context: no topic words of its own, or an ellipsis."""
        return self.leans and (self.rest is not None or not self.own)

    @property
    def thing(self) -> str | None:
        """The X of "what about X" / "and X?" when X is a thing, not a question of its own ("and how many?")."""
        if self.rest is None or self.rest.split()[0] in QUESTION_WORDS | AUXILIARIES:
            return None
        return self.rest

    @property
    def fragment(self) -> bool:
        """Short and nearly topic-less: worth trying with the previous topic if it finds nothing alone."""
        return len(self.words) <= FRAGMENT_WORDS and len(self.own) <= MAX_OWN_WORDS

    @property
    def about_the_claim(self) -> bool:
        """"who said that", "source?", "is that confirmed": the previous entry answers it."""
        asked = set(self.words)
        if self.own or asked & ASPECTS:
            return False
        # "who did that" asks who made the claim or did the deed; "who are they", "what's that" what a thing is
        doing = asked - REFERENCES - QUESTION_WORDS - _BEING
        if "what" in asked and asked & SAYING and self.pointing and self.pointing <= THING_REFERENCES:
            return False  # "what did they say": what the thing the answer named said
        return bool(asked & ABOUT_THE_CLAIM or (asked & {"who", "whom"} and doing))

    @property
    def claim_asks(self) -> str | None:
        """Of a question about the claim: whether it asks if the claim holds, or who made it;
        None for "more details?" and "what does the other side say", which want an answer."""
        asked = set(self.words)
        if asked & TRUTH:
            return IS_IT_TRUE
        return WHO_SAID_IT if asked & WHO_SAID else None


# question words run together with "is" ("whos there", "wheres that"): the question word is what they ask
_CONTRACTED: Mapping[str, str] = {"whos": "who", "wheres": "where", "whens": "when", "hows": "how", "whys": "why"}


def form_of(question: str) -> Form:
    words = tuple(_CONTRACTED.get(word, word) for word in normalize(question).split())
    rest = None
    text = " ".join(words)
    for opener in OPENERS:
        if text.startswith(opener + " ") and len(words) > len(opener.split()):
            rest = text[len(opener) + 1:]
            break
    pointing = set()
    determined = set()  # "this article", "that day": a determiner, and the noun it names
    named = False  # a topic word so far: "does russia say its jets..." has "its" for Russia
    for index, word in enumerate(words):
        after = words[index + 1] if index + 1 < len(words) else None
        if word in CLAIM_REFERENCES and after is not None and (after in _NOUNS or after not in (
                STOP_WORDS | QUESTION_WORDS | ABOUT_THE_CLAIM | REFERENCES)):
            determined.add(index + 1)
            if word in ("that", "those") and after in _BACK_NOUNS:
                pointing.add(word)
        elif word in POSSESSIVES and named:
            continue
        elif word in REFERENCES and not (word == "there" and index and words[index - 1] in AUXILIARIES):  # "is there"
            pointing.add(word)
        named = named or word not in STOP_WORDS | REFERENCES | QUESTION_WORDS | ABOUT_THE_CLAIM
    if len(words) > 1 and words[-1] == "so" and words[-2] in ABOUT_THE_CLAIM:  # "who says so"
        pointing.add("that")
    own = tuple(w for i, w in enumerate(words)
                if i in determined or (w not in _NO_TOPIC and not (w in AFTER_HOW and i and words[i - 1] == "how")))
    return Form(words, own, frozenset(pointing), rest)


def is_chatter(text: str) -> bool:
    """Not a question: only filler and reactions ("lol", "ok thanks", "cool"), or no words at all
    ("???", an emoji). It leans on no context: "lol" after an answer is not "say that again"."""
    return all((word in STOP_WORDS or word in REACTIONS) and word not in _ASKS for word in normalize(text).split())


def topic_of(entry: Entry) -> str:
    """The previous entry's question without its question words: what "that" stands for."""
    words = normalize(entry.question).split()
    while words and (words[0] in QUESTION_WORDS or words[0] in STOP_WORDS):
        words.pop(0)
    return " ".join(words)


class Conversation:
    """Resolves questions against a previous entry with one Matcher; holds no per-user state."""

    def __init__(self, matcher: Matcher) -> None:
        with gc_paused():  # like the Matcher's index: many small containers, no cycles
            self._build(matcher)

    def _build(self, matcher: Matcher) -> None:
        self.matcher = matcher
        knowledge = matcher.knowledge
        # the things a question is about, as people name them: "what about X" swaps one of these for X;
        # things, not doings: an alias group whose canonical phrase is a verb form ("launched": "start") is skipped
        names = {normalize(text) for canonical, forms in knowledge.aliases.items()
                 if not normalize(canonical).split()[0].endswith(("ed", "ing")) for text in (canonical, *forms)}
        names |= {normalize(c.name) for c in knowledge.claimants.values()}
        names = {n for n in names if n and not set(n.split()) <= STOP_WORDS | QUESTION_WORDS | ABOUT_THE_CLAIM}
        self._names = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b") \
            if names else None
        # where each entry's quotes start and end in the article: "then what?" asks for what the article tells next
        article = normalize(knowledge.article.text)
        self._spans: dict[str, tuple[int, int]] = {}
        for entry in knowledge.entries:
            found = [article.find(normalize(source.quote)) for source in entry.sources]
            found = [at for at in found if at >= 0]
            if found:
                self._spans[entry.id] = (min(found), max(found))
        # the entries by where their quotes start, for what comes next
        self._by_start = sorted((start, entry_id) for entry_id, (start, _) in self._spans.items())
        self._starts = [start for start, _ in self._by_start]
        # the entries naming each entry as related, in file order, and the entries by who makes their
        # claims: so a follow-up on a large file asks these instead of reading every entry
        linking: dict[str, list[str]] = {}
        by_voices: dict[frozenset, list[int]] = {}
        for position, entry in enumerate(knowledge.entries):
            for related in dict.fromkeys(entry.related):
                linking.setdefault(related, []).append(entry.id)
            if entry.sources:
                by_voices.setdefault(frozenset(source.claimant for source in entry.sources), []).append(position)
        self._linking = {entry_id: tuple(ids) for entry_id, ids in linking.items()}
        # what each entry quotes: entries quoting the same words make one claim ("what else did they say")
        self._quoted = {entry.id: frozenset(normalize(source.quote) for source in entry.sources)
                        for entry in knowledge.entries}
        self._by_voices = {voices: tuple(positions) for voices, positions in by_voices.items()}
        # alias forms to their canonical phrase, longest first: "the observatory" names the Observatory's claims
        self._canonical = {normalize(form): normalize(canonical)
                           for canonical, forms in knowledge.aliases.items() for form in forms}
        self._longest_form = max((len(form.split()) for form in self._canonical), default=0)
        # each entry's words, cut to a stem: what a follow-up's own words must find in the entry answering it
        self._vocabulary = {entry.id: frozenset(word[:STEM_PREFIX] for text in (
            entry.question, *entry.alternates, entry.answer, *(s.quote for s in entry.sources))
            for word in normalize(text).split()) for entry in knowledge.entries}

    def answer(self, question: str, previous: Entry | None = None) -> Resolved:
        """Answer `question`, leaning on `previous` only when that reading is the better one."""
        return finish(self.steps(question, previous))

    def steps(self, question: str, previous: Entry | None = None) -> Steps:
        """`answer`, one match at a time: it pauses before each reading it tries after the question
        itself, so that a caller on an event loop can let other work run in between (a follow-up
        on a large file may try several, a few milliseconds each). Its value is the answer."""
        alone = self.matcher.match(question)
        previous = self.matcher.knowledge.by_id.get(previous.id) if previous is not None else None
        if previous is None or is_chatter(question):  # no context, its entry gone after a reload, or chatter
            return Resolved(alone, False)
        form = form_of(question)
        if not context_may_win(alone, form):
            return Resolved(alone, False)
        in_context = yield from self._in_context(form, previous, alone)
        if in_context is None:
            return Resolved(alone, False)
        asks = form.claim_asks if form.leans and form.about_the_claim else None  # read as the previous claim
        return Resolved(dataclasses.replace(in_context, question=question), True, asks)

    def _in_context(self, form: Form, previous: Entry, alone: Match) -> Generator[None, None, Match | None]:
        """The question's reading with the previous entry as its context; None when its form
        doesn't lean on it (and it isn't a short fragment that finds nothing alone). Pauses
        before each reading it matches (see `steps`)."""
        if not form.leans and (alone.answered or not form.fragment):
            return None
        words = set(form.words)
        if "else" in words and words & SAYING and form.leans and (form.refers or not form.own):
            # "what else did they say", "did they say anything else": another claim of theirs, or none
            same = self._same_claimant(previous)
            return self.matcher.answer_entry(same) if same else Match.nothing(previous.question)
        if form.leans and form.about_the_claim:
            if form.claim_asks is None and words & MORE:  # the first related entry: the curated next
                further = self._ordered_neighbours(previous)
                return self.matcher.answer_entry(further[0] if further else previous)
            return self.matcher.answer_entry(previous)
        near = self._neighbours(previous)
        reading = self._by_kind(form, previous)
        if reading is not None:
            return self.matcher.answer_entry(reading)
        unanswered: Match | None = None
        misses: list[Match] = []
        for tier, stays in self._rewrites(form, previous):
            found_in_tier = []
            for text in tier:
                yield
                found_in_tier.append(self.matcher.match(text))
            unanswered = unanswered or found_in_tier[0]
            misses += found_in_tier
            # an answered match always has its entry: the `is not None` checks only tell the type checker
            # "what else ...?" and "what about X" ask for something besides the previous answer
            answered = [found for found in found_in_tier
                        if found.answered and found.entry is not None and self._covers(found.entry, form)
                        and not (found.entry.id == previous.id and ("else" in form.words or form.thing is not None))]
            if answered:  # "it", "that": a conversation stays near its topic, the previous entry's neighbours first
                return max(answered, key=lambda found: (stays and found.entry is not None and found.entry.id in near,
                                                        found.score))
        if (form.leans and form.thing is None and (form.refers or not form.own)) or form.fragment:
            nearest = self._nearest(form, previous, [alone, *([unanswered] if unanswered else [])])
            if nearest is not None:
                return self.matcher.answer_entry(nearest)
        if form.thing is not None:  # "what about the ruins": a near miss next to the topic that has the ruins
            for miss in (alone, *misses):
                for entry in miss.suggestions:
                    if entry.id in near and entry.id != previous.id and self._covers(entry, form):
                        return self.matcher.answer_entry(entry)
        if form.leans and set(form.words) & EXPLAIN and not form.own:
            return self.matcher.answer_entry(previous)  # "why?": the claim and who made it is all the article gives
        if (form.leans and form.refers and alone.answered and alone.entry is not None and alone.entry.id not in near
                and unanswered):
            # "when did it start" after the war's length: not the advance that "it" reads as alone
            return unanswered
        return None

    def _neighbours(self, previous: Entry) -> frozenset[str]:
        """The previous entry, those it names as related and those naming it."""
        return frozenset((previous.id, *previous.related, *self._linking.get(previous.id, ())))

    def _covers(self, entry: Entry, form: Form) -> bool:
        """Whether the entry says something of what the follow-up adds to the topic: filled in with
        the previous topic, "who owns it?" matches the topic's entry on the topic alone."""
        if form.thing is not None:  # "what about X": the answer must be about X, all of it
            return self._has_all(entry, form)
        if not form.own:
            return True
        said = self._vocabulary.get(entry.id, frozenset())
        own = " ".join(form.own)
        return any(word[:STEM_PREFIX] in said for word in {*form.own, *self._topic_words(own)})

    def _has_all(self, entry: Entry, form: Form) -> bool:
        """Whether the entry has every word the question adds ("how many civilians died" is not
        the militants killed): a near miss, unlike a match, must show it has them all."""
        said = self._vocabulary.get(entry.id, frozenset())
        words = self._topic_words(form.thing) if form.thing is not None else self._topic_words(" ".join(form.own))
        return all(word[:STEM_PREFIX] in said for word in words)

    def _ordered_neighbours(self, previous: Entry) -> list[Entry]:
        """The previous entry's neighbours, those it names first, in its order."""
        by_id = self.matcher.knowledge.by_id
        linking = self._linking.get(previous.id, ())
        return [by_id[i] for i in dict.fromkeys((*previous.related, *linking)) if i in by_id and i != previous.id]

    def _point(self, previous: Entry) -> list[Entry]:
        """The previous entry's neighbours, then the other entries of the contested points they are on."""
        found = self._ordered_neighbours(previous)
        seen = {previous.id, *(entry.id for entry in found)}
        queue = [entry for entry in found if entry.contested]
        while queue:
            for entry in self._ordered_neighbours(queue.pop(0)):
                if entry.id not in seen and entry.contested:
                    seen.add(entry.id)
                    found.append(entry)
                    queue.append(entry)
        return found

    def _by_kind(self, form: Form, previous: Entry) -> Entry | None:
        """Readings decided by what kind of follow-up it is, before any rewrite:
        "what about X" with X a claimant (the point's claim by X), "why" (the topic's reason),
        "then what" (what the article tells next)."""
        words = set(form.words)
        if form.rest is not None:
            named = self._claimants_named(form.rest)
            if named:
                def share(entry: Entry) -> float:
                    return sum(source.claimant in named for source in entry.sources) / len(entry.sources)
                # the claim X makes more of than the previous answer does; first best: the nearest
                # on the point (contested), or mostly X's words: not a list of every source that names X too
                candidates = [entry for entry in self._point(previous)
                              if entry.sources and share(entry) > (share(previous) if previous.sources else 0)
                              and (entry.contested or share(entry) > 0.5)]
                if candidates:  # an entry asking what X says first ("What does the Observatory say?")
                    asked = self._topic_words(form.rest)
                    return max(candidates, key=lambda entry: (asked <= self._topic_words(entry.question),
                                                              bool(SAYING & set(normalize(entry.question).split())),
                                                              share(entry)))
            if form.own:
                return None
        if not form.leans or (form.own and not form.refers):
            return None
        if (words & EXPLAIN and "why" in words) or ("come" in words and "how" in words):
            reasons = [entry for entry in (previous, *self._ordered_neighbours(previous))
                       if normalize(entry.question).split()[:1] == ["why"]]
            return reasons[0] if reasons else None
        if words & NEXT and not form.own:
            return self._next_in_article(previous)
        return None

    def _same_claimant(self, previous: Entry) -> Entry | None:
        """Another claim by whoever made the previous one (its first source's claimant: "they" after the IS
        agency's claim is the agency, not the Observatory that backs it): an entry quoting them in words the
        previous one doesn't quote, in part or whole (case and punctuation aside: the same words are the same
        claim asked another way, and "a news agency linked to Islamic State said" is part of the agency's claim).
        Entries of theirs alone first, then the previous entry's neighbours, then the next in the article."""
        if not previous.sources:
            return None
        voices = {source.claimant for source in previous.sources}
        first = previous.sources[0].claimant
        said = self._quoted.get(previous.id, frozenset())
        entries = self.matcher.knowledge.entries

        def new(quote: str) -> bool:  # not words of a quote the previous entry has
            quote = normalize(quote)
            return not any(quote in old for old in said)

        theirs = [(entries[position], claimants) for claimants, found in self._by_voices.items() if first in claimants
                  for position in found
                  if any(source.claimant == first and new(source.quote) for source in entries[position].sources)]
        near = self._neighbours(previous)
        start = self._spans.get(previous.id, (0, 0))[1]
        return min(theirs, key=lambda found: (
            not found[1] <= voices, found[0].id not in near, self._spans.get(found[0].id, (0, 0))[0] <= start,
            self._spans.get(found[0].id, (0, 0))[0], found[0].id), default=(None, None))[0]

    def _next_in_article(self, previous: Entry) -> Entry | None:
        """The entry whose quotes start soonest after the previous entry's, its neighbours on a tie."""
        span = self._spans.get(previous.id)
        if span is None:
            return None
        first = bisect.bisect_right(self._starts, span[1])  # the first to start after it ends
        if first == len(self._starts):
            return None
        start, near = self._starts[first], self._neighbours(previous)
        tied = itertools.takewhile(lambda found: found[0] == start, self._by_start[first:])
        _, entry_id = min(tied, key=lambda found: (found[1] not in near, self._spans[found[1]][1], found[1]))
        return self.matcher.knowledge.by_id[entry_id]

    def _nearest(self, form: Form, previous: Entry, misses: list[Match]) -> Entry | None:
        """A leaning question or short fragment nothing read: the near miss on the previous topic, if
        one of the suggestions is the previous entry's neighbour (or, for a question of a definite
        kind with words of its own, a neighbour's neighbour), asks the same kind and has every word
        the question adds; for a bare "when?" or "where?", the neighbour that asks it."""
        near = self._neighbours(previous) - {previous.id}
        kind = _kind(form.words)
        if kind is None and not form.leans:
            return None  # a fragment must say what kind of answer it wants ("how many fighters")
        for miss in misses:
            for entry in miss.suggestions:
                if (entry.id in near and (kind is None or _kind(tuple(normalize(entry.question).split())) == kind)
                        and self._has_all(entry, form)):
                    return entry
        if kind is not None and form.own:  # "how many fighters": one step further, if it has the fighters
            by_id = self.matcher.knowledge.by_id
            further = {i for n in near if n in by_id for i in self._neighbours(by_id[n])} - {previous.id}
            for miss in misses:
                for entry in miss.suggestions:
                    if (entry.id in further and _kind(tuple(normalize(entry.question).split())) == kind
                            and self._has_all(entry, form)):
                        return entry
        if kind is not None and not form.own and self.matcher.asks_kind(previous, _MATCHER_KIND.get(kind, kind)):
            return previous  # "how far?" after the silo: its phrasings ask it, so its answer gives it
        if kind in ("when", "where") and not form.own:  # "when?", "where was that": the topic's time or place
            for entry in self._ordered_neighbours(previous):
                if _kind(tuple(normalize(entry.question).split())) == kind:
                    return entry
        return None

    def _topic_words(self, text: str) -> frozenset[str]:
        """A text's words that name something, alias forms as their canonical phrase ("isis": islamic state)."""
        words, found, at = normalize(text).split(), [], 0
        while at < len(words):  # the longest alias form starting here, if any
            for size in range(min(self._longest_form, len(words) - at), 0, -1):
                canonical = self._canonical.get(" ".join(words[at:at + size]))
                if canonical is not None:
                    found += canonical.split()
                    at += size
                    break
            else:
                found.append(words[at])
                at += 1
        return frozenset(found) - STOP_WORDS

    def _claimants_named(self, text: str) -> frozenset:
        """The claimants a short text names ("the observatory", "isis"), by their names' words."""
        words = self._topic_words(text)
        if not words:
            return frozenset()
        return frozenset(claimant for claimant in self.matcher.knowledge.claimants.values()
                         if words <= set(normalize(claimant.name).split()))

    def _names_in(self, text: str) -> list[re.Match[str]]:
        return list(self._names.finditer(text)) if self._names is not None else []

    def _rewrites(self, form: Form, previous: Entry) -> list[tuple[list[str], bool]]:
        """The question with the previous topic filled in: tiers, the likeliest readings first,
        each saying whether the question stays on the previous topic (rather than moving to a new one).

        "it", "they", "there" stand for a thing the previous question or answer named
        (the first few); "that", "this" for the claim or event it asked about.
        """
        topic = topic_of(previous)
        asked = normalize(previous.question)
        names = [m.group() for m in self._names_in(asked)]
        if not form.pointing <= CLAIM_REFERENCES:  # "that" is the claim asked about, not a thing its answer named
            names += [m.group() for m in self._names_in(normalize(previous.answer))][:MAX_ANSWER_NAMES]
        names = list(dict.fromkeys(names))
        words = form.words
        tiers: list[tuple[list[str], bool]] = []
        own_question = form.rest is not None and form.rest.split()[0] in QUESTION_WORDS | AUXILIARIES
        if own_question:
            assert form.rest is not None  # own_question is only true with a rest
            tiers.append(([form.rest], False))  # "and what does isis say": a question of its own
            if form.own and not form.refers:  # "and how many soldiers died?": its own topic too
                return [(_unique(tier), stays) for tier, stays in tiers]
        if form.refers:
            as_thing = [" ".join(name if w in REFERENCES else w for w in words) for name in names]
            as_claim = [" ".join(topic if w in REFERENCES else w for w in words)]
            claim_first = form.pointing <= CLAIM_REFERENCES
            tiers += [(as_claim, True), (as_thing, True)] if claim_first else [(as_thing, True), (as_claim, True)]
        if form.rest is not None and not own_question:  # "what about X": the previous question, about X
            tiers.append(([asked[:m.start()] + form.rest + asked[m.end():] for m in self._names_in(asked)], False))
        tiers.append(([f"{' '.join(w for w in words if w not in REFERENCES)} {topic}"], True))
        if not form.own and not set(words) & EXPLAIN:  # "how many?": what a related entry asks, perhaps
            related = (self.matcher.knowledge.by_id.get(i) for i in previous.related)
            tiers.append(([f"{' '.join(words)} {topic_of(entry)}" for entry in related if entry], True))
        if form.rest is not None and not own_question:
            tiers.append(([form.rest, f"{asked} {form.rest}"], False))
        return [(_unique(tier), stays) for tier, stays in tiers if tier]


def context_may_win(alone: Match, form: Form) -> bool:
    """Whether a context reading of a question may be better than its stand-alone reading.

    It may when the question finds no answer alone. An answer found alone gives way only in a
    question that leans on the context by its words: one with no topic of its own ("who said
    that", "when?", "why", "what's their name") or an ellipsis ("and the syrian army?"); there
    the answer alone reads words the question doesn't have ("what's their name" after an
    unnamed rebel is rightly "the article doesn't say", not the article's name). A question that
    names its topic ("who said they sent reinforcements", "whose airbase is it") is answered as
    it stands, whatever came before: context never turns its answer into another entry or into
    "doesn't say".
    """
    return not alone.answered or form.leans_by_words


def finish(steps: Steps) -> Resolved:
    """Run a Conversation's `steps` through, for a caller with nothing to do in between."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def _unique(texts: list[str]) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in texts if t.strip()))




# `_kind`'s names that the matcher files under another ("how much" is a "how many" question)
_MATCHER_KIND: Mapping[str, str] = {"how much": "how many"}


def _kind(words: tuple[str, ...]) -> str | None:
    """The kind of answer a question asks for ("when", "how many"), if its first question word says;
    None for "what"/"which" and yes-or-no questions, which any entry's kind may answer."""
    for index, word in enumerate(words):
        if word == "how" and index + 1 < len(words) and words[index + 1] in ASPECTS | {"far"}:
            return f"how {words[index + 1]}"
        if word in ("who", "whom", "whose", "when", "where", "why", "how"):
            return "who" if word.startswith("wh") and word not in ("when", "where", "why") else word
        if word in ("what", "which"):
            return None
    return None
