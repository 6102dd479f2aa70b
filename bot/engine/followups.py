"""Answer quality over conversations: eval/followups.yaml, turn by turn, with and without context.

Each conversation is replayed as the bot would live: the context for a turn is
the last entry the bot itself answered (not the expected one), so a wrong turn
costs the next. A turn is right by the rule of `evaluation.is_right`, with claimants shown.
Reported: follow-up turns (`follow: true`) right with context, and the
stand-alone turns after a first one (`follow: false`) right with context and
without it: context must never make those worse. Follow-ups whose previous
turn was itself right are also counted apart: there the bot holds the context
the writer meant, so that share measures the resolving alone, not the first
turn's matching. A conversation falls in the `tune` or `holdout` half by the
hash of its first question, as `evaluation.Case.split` splits questions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import EVAL_DIR
from .conversation import Conversation
from .evaluation import Case, SetError, case_of, read_set
from .files import shown
from .formatting import claim_lead, other_side_of
from .knowledge import Entry, Source
from .matcher import Match
from .text import normalize

DEFAULT_FOLLOWUPS = EVAL_DIR / "followups.yaml"
# the second and third written blind by people who had read only the article
DEV_FOLLOWUPS = (DEFAULT_FOLLOWUPS, EVAL_DIR / "followups_dev2.yaml", EVAL_DIR / "followups_dev3.yaml")


@dataclass(frozen=True, slots=True)
class Turn:
    case: Case
    follow: bool | None  # None: a conversation's first turn


@dataclass
class Tally:
    turns: int = 0
    right: int = 0

    def add(self, right: bool) -> None:
        self.turns += 1
        self.right += right

    @property
    def share(self) -> float:
        return self.right / self.turns if self.turns else 1.0

    def __str__(self) -> str:
        return f"{self.share:6.1%} ({self.right}/{self.turns})"


@dataclass
class FollowUpReport:
    follow_ups: Tally = field(default_factory=Tally)
    follow_ups_alone: Tally = field(default_factory=Tally)  # the same turns, answered without context
    follow_ups_in_context: Tally = field(default_factory=Tally)  # those whose previous turn was right
    standalone: Tally = field(default_factory=Tally)
    standalone_alone: Tally = field(default_factory=Tally)
    first: Tally = field(default_factory=Tally)
    made_worse: int = 0  # stand-alone turns right without context and wrong with it
    misses: list[tuple[Turn, Match, Entry | None]] = field(default_factory=list)


def load_conversations(path: Path = DEFAULT_FOLLOWUPS) -> list[list[Turn]]:
    data = read_set(path) or []
    if not isinstance(data, list) or not all(isinstance(item, dict) and isinstance(item.get("turns"), list)
                                             for item in data):
        raise SetError(f"{shown(path)}: not a list of conversations, each with turns")
    return [[Turn(case_of(turn, path), bool(turn.get("follow", False)) if number else None)
             for number, turn in enumerate(item["turns"])] for item in data]


def is_right(case: Case, match: Match, other: tuple[Source, ...] = (), lead: str | None = None) -> bool:
    """As `evaluation.is_right`, counting all the reader sees: who made each claim (it answers
    "who said that?"), the other side of a contested point, and a `claim_lead` in the answer's place."""
    if case.facts is None:
        return not match.answered
    if not match.answered:
        return False
    shown = [lead or match.answer or "", *(f"{s.quote} {s.claimant.label}" for s in (*match.sources, *other))]
    said = normalize(" ".join(shown))
    return all(any(normalize(form) in said for form in fact) for fact in case.facts)


def evaluate_followups(conversation: Conversation, conversations: Iterable[list[Turn]],
                       split: str = "all") -> FollowUpReport:
    report = FollowUpReport()
    matcher = conversation.matcher
    for turns in conversations:
        if split != "all" and turns and turns[0].case.split != split:
            continue
        previous: Entry | None = None
        previous_right = False
        for turn in turns:
            resolved = conversation.answer(turn.case.question, previous)
            match = resolved.match
            lead = claim_lead(match, matcher.knowledge, resolved.asks) if resolved.asks else None
            right = is_right(turn.case, match, other_side_of(match, matcher.knowledge), lead)
            if turn.follow is None:
                report.first.add(right)
            else:
                by_itself = matcher.match(turn.case.question)
                alone = is_right(turn.case, by_itself, other_side_of(by_itself, matcher.knowledge))
                (report.follow_ups if turn.follow else report.standalone).add(right)
                if turn.follow and previous_right:
                    report.follow_ups_in_context.add(right)
                (report.follow_ups_alone if turn.follow else report.standalone_alone).add(alone)
                report.made_worse += not turn.follow and alone and not right
            if not right:
                report.misses.append((turn, match, previous))
            previous = match.entry  # as the bot: after no answer (None), nothing to lean on
            previous_right = right
    return report


def describe_followups(report: FollowUpReport, *, misses: bool = True) -> str:
    lines = [
        f"follow-up turns right:             {report.follow_ups}   (without context: {report.follow_ups_alone})",
        f"  after a right turn:              {report.follow_ups_in_context}",
        f"stand-alone turns after a context: {report.standalone}   (without context: {report.standalone_alone}; "
        f"made worse by it: {report.made_worse})",
        f"first turns:                       {report.first}",
    ]
    if misses and report.misses:
        lines.append(f"misses ({len(report.misses)}):")
        for turn, match, previous in report.misses:
            expected = "abstain" if turn.case.facts is None else " + ".join(" or ".join(f) for f in turn.case.facts)
            got = match.entry.id if match.entry else "abstained"
            after = f" after {previous.id}" if previous else ""
            lines.append(f"  - {turn.case.question!r}{after}: expected {expected}; got {got} (score {match.score})")
    return "\n".join(lines)
