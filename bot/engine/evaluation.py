"""Answer quality, measured as users live with it, on labelled question files.

An answerable question (`facts: [...]`) is answered right when the bot answers
and its answer or quotes hold every expected fact (compared after `normalize`,
so "4,000" = "4000"; a fact given as a list is right when any one of its forms
is there); right within one click when, instead, one of its "did you mean"
suggestions would be. A question the article doesn't answer (`facts: none`)
is right when the bot abstains. Any answer that isn't right is a WRONG answer,
in scope or out of it: the headline figure, since a wrong answer puts a claim
in someone's mouth. Every answer's confidence is also checked against how
often answers are right (a reliability table and the expected calibration error).

Each question falls in the `tune` or `holdout` half by a hash of its text: the
engine's constants are chosen on `tune` only, and `holdout` says how the bot
does on questions it wasn't tuned on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..paths import EVAL_DIR
from . import confidence
from .files import Unreadable, read_text, shown
from .loader import MAX_BYTES
from .matcher import Match, Matcher, Verdict
from .text import normalize

DEFAULT_SET = EVAL_DIR / "questions.yaml"
BLIND_DIR = DEFAULT_SET.parent / "blind"  # written by people who never saw the bot
HELDOUT_DIR = DEFAULT_SET.parent / "heldout"  # the same, never read while building: totals only
SPLITS = ("all", "tune", "holdout")


@dataclass(frozen=True, slots=True)
class Case:
    question: str
    facts: tuple[tuple[str, ...], ...] | None  # None: the article doesn't say; inner: any one of

    @property
    def split(self) -> str:
        digest = hashlib.sha256(self.question.encode("utf-8")).digest()
        return "tune" if digest[0] % 2 == 0 else "holdout"


BINS = 10  # reliability table: confidence 0-9, 10-19, ... 90-100


@dataclass
class Report:
    answerable: int = 0
    answered_right: int = 0
    one_click: int = 0  # answered right, or the right entry among the suggestions
    answerable_wrong: int = 0
    out_of_scope: int = 0
    out_of_scope_wrong: int = 0  # answered, though the article doesn't say
    misses: list[tuple[Case, Match]] = field(default_factory=list)
    shown: list[tuple[int, bool]] = field(default_factory=list)  # each answer's confidence, and whether it was right
    # every question's best answerable entry, answered or not: the model's probability that it is right (None when
    # none was judged), whether it is, and whether the article answers the question at all; for the operating curve
    judged: list[tuple[float | None, bool, bool]] = field(default_factory=list)

    @property
    def questions(self) -> int:
        return self.answerable + self.out_of_scope

    @property
    def wrong(self) -> int:
        return self.answerable_wrong + self.out_of_scope_wrong

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.questions if self.questions else 0.0

    @property
    def in_scope_accuracy(self) -> float:
        """Answerable questions answered right."""
        return self.answered_right / self.answerable if self.answerable else 1.0

    @property
    def one_click_accuracy(self) -> float:
        return self.one_click / self.answerable if self.answerable else 1.0

    @property
    def abstention_accuracy(self) -> float:
        """Questions the article doesn't answer that the bot abstained on."""
        return (self.out_of_scope - self.out_of_scope_wrong) / self.out_of_scope if self.out_of_scope else 1.0

    @property
    def ece(self) -> float:
        """Expected calibration error of the answers shown, in points: the gap between
        confidence and share right in each bin, weighted by the answers in it."""
        if not self.shown:
            return 0.0
        gap = 0.0
        for members in _bins(self.shown).values():
            gap += abs(sum(c for c, _ in members) - 100 * sum(r for _, r in members))
        return gap / len(self.shown)


def _bins(shown: list[tuple[int, bool]]) -> dict[int, list[tuple[int, bool]]]:
    bins: dict[int, list[tuple[int, bool]]] = {}
    for shown_at, right in shown:
        bins.setdefault(min(shown_at * BINS // 100, BINS - 1), []).append((shown_at, right))
    return dict(sorted(bins.items()))


class SetError(ValueError):
    """A question set that can't be read or isn't one: the message is one line naming the file."""


def read_set(path: Path) -> object:
    """A question set's YAML, read bounded (a set is never bigger than a knowledge file)."""
    try:
        return yaml.safe_load(read_text(path, MAX_BYTES))
    except Unreadable as exc:
        raise SetError(f"{shown(path)}: {exc}") from None
    except yaml.YAMLError as exc:
        raise SetError(f"{shown(path)}: not valid YAML ({' '.join(str(exc).split())})") from None


def case_of(item: object, path: Path) -> Case:
    """One `{q: ..., facts: [...] | none}` item of a set."""
    if not isinstance(item, dict) or "q" not in item or "facts" not in item:
        raise SetError(f"{shown(path)}: not a list of questions, each with q and facts")
    facts = item["facts"]
    if facts in (None, "none"):
        return Case(str(item["q"]), None)
    if not isinstance(facts, list):
        raise SetError(f"{shown(path)}: the facts of {str(item['q'])!r} are not a list or none")
    return Case(str(item["q"]), tuple(tuple(map(str, f)) if isinstance(f, list) else (str(f),) for f in facts))


def cases_of(data: object, path: Path) -> list[Case]:
    """The questions of a set's YAML (`read_set`)."""
    if not isinstance(data, list):
        raise SetError(f"{shown(path)}: not a list of questions, each with q and facts")
    return [case_of(item, path) for item in data]


def load_cases(path: Path = DEFAULT_SET) -> list[Case]:
    return cases_of(read_set(path), path)


def is_question_list(data: object) -> bool:
    """A set's YAML (`read_set`) of single questions, not follow-up conversations (`turns:`)."""
    return isinstance(data, list) and all(isinstance(item, dict) and "q" in item and "facts" in item for item in data)


def is_right(case: Case, match: Match) -> bool:
    if case.facts is None:
        return not match.answered
    if not match.answered:
        return False
    said = normalize(" ".join([match.answer or "", *(s.quote for s in match.sources)]))
    return all(any(normalize(form) in said for form in fact) for fact in case.facts)


def evaluate(matcher: Matcher, cases: list[Case], split: str = "all") -> Report:
    report = Report()
    for case in cases:
        if split != "all" and case.split != split:
            continue
        verdict = matcher.explain(case.question)
        match = verdict.match
        right = is_right(case, match)
        judged_right = verdict.judged is not None and case.facts is not None and (
            right if match.answered else is_right(case, matcher.answer_entry(verdict.judged)))
        report.judged.append((_probability(verdict), judged_right, case.facts is not None))
        if match.answered:
            report.shown.append((match.score, right))
        if case.facts is None:
            report.out_of_scope += 1
            report.out_of_scope_wrong += not right
        else:
            report.answerable += 1
            report.answered_right += right
            report.answerable_wrong += match.answered and not right
            report.one_click += right or any(is_right(case, matcher.answer_entry(s)) for s in match.suggestions)
        if not right:
            report.misses.append((case, match))
    return report


def _probability(verdict: Verdict) -> float | None:
    """The model's probability for the entry a verdict judged: the one the bot answers with at or above its
    threshold (a phrasing word for word is answered before the model)."""
    if verdict.judged is None:
        return None
    return confidence.probability(verdict.features) if verdict.features else confidence.EXACT_PROBABILITY


def combine(reports: Iterable[Report]) -> Report:
    total = Report()
    for report in reports:
        for name in ("answerable", "answered_right", "one_click", "answerable_wrong", "out_of_scope",
                     "out_of_scope_wrong"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        total.misses += report.misses
        total.shown += report.shown
        total.judged += report.judged
    return total


def _share(part: int, whole: int) -> str:
    return f"{part / whole if whole else 0:6.1%} ({part}/{whole})"


def summary(report: Report) -> str:
    """One line per set, wrong answers first."""
    return (f"wrong {_share(report.wrong, report.questions)} | answerable: right "
            f"{_share(report.answered_right, report.answerable)}, within one click "
            f"{_share(report.one_click, report.answerable)} | out of scope abstained "
            f"{_share(report.out_of_scope - report.out_of_scope_wrong, report.out_of_scope)}")


def reliability(report: Report) -> str:
    """Confidence bins against the share of answers in them that were right, and the ECE."""
    lines = ["confidence  answers  mean confidence  share right"]
    for index, members in _bins(report.shown).items():
        low, high = index * 100 // BINS, (index + 1) * 100 // BINS - (index < BINS - 1)
        mean = sum(c for c, _ in members) / len(members)
        share = sum(r for _, r in members) / len(members)
        lines.append(f"{low:>4}-{high:<5} {len(members):>8} {mean:>16.1f} {share:>12.1%}")
    lines.append(f"ECE (expected calibration error): {report.ece:.1f} points over {len(report.shown)} answers")
    return "\n".join(lines)


# answer thresholds besides the bot's own; 0 answers whenever an entry is judged
CURVE_AT = (0.0, 0.5, 0.6, 0.7, 0.75, 0.8, 0.86, 0.9, 0.95)


def operating_curve(report: Report, answer_at: float = confidence.ANSWER_PROBABILITY) -> str:
    """What the bot would do at other answer thresholds: wrong answers against answerable questions
    answered right and out-of-scope ones abstained. It shows what a threshold can and can't buy: no
    threshold answers right more questions than those whose best entry is the right one. (A message
    answered by one of its clauses counts with the clause's probability: at other thresholds the rows
    are close, not exact.)"""
    lines = ["answer at  wrong answers  answerable right  out of scope abstained"]
    for threshold in sorted({*CURVE_AT, answer_at}):
        shown = [(right, answerable) for chance, right, answerable in report.judged
                 if chance is not None and chance >= threshold]
        wrong = sum(not right for right, _ in shown)
        right = sum(right for right, _ in shown)
        out_answered = sum(not answerable for _, answerable in shown)
        mark = "  (the bot's)" if threshold == answer_at else ""
        lines.append(f"{threshold:>9.2f}  {_rate(wrong, report.questions):>13}  {_rate(right, report.answerable):>16}  "
                     f"{_rate(report.out_of_scope - out_answered, report.out_of_scope):>22}{mark}")
    return "\n".join(lines)


def _rate(part: int, whole: int) -> str:
    return f"{part / whole if whole else 0:.1%}"


def describe(report: Report, split: str, *, misses: bool = True) -> str:
    answerable_abstained = report.answerable - report.answered_right - report.answerable_wrong
    lines = [
        f"split: {split}",
        (f"WRONG answers:            {_share(report.wrong, report.questions)} "
         f"({report.answerable_wrong} answerable, {report.out_of_scope_wrong} out of scope)"),
        f"answerable answered right: {_share(report.answered_right, report.answerable)}",
        f"right within one click:    {_share(report.one_click, report.answerable)}",
        f"answerable abstained:      {_share(answerable_abstained, report.answerable)}",
        f"out of scope abstained:    {_share(report.out_of_scope - report.out_of_scope_wrong, report.out_of_scope)}",
        reliability(report),
        operating_curve(report),
    ]
    if misses and report.misses:
        lines.append(f"misses ({len(report.misses)}):")
        for case, match in report.misses:
            expected = "abstain" if case.facts is None else "facts " + ", ".join(" or ".join(f) for f in case.facts)
            got = match.entry.id if match.entry else "abstained"
            lines.append(f"  - {case.question!r}: expected {expected}; got {got} (confidence {match.score})")
    return "\n".join(lines)
