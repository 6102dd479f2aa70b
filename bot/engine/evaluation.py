"""Answer quality, measured: in-scope accuracy and abstention accuracy on eval/questions.yaml.

An in-scope question is right when the bot answers and its answer or quotes
hold every expected fact (compared after `normalize`, so "4,000" = "4000");
a fact given as a list is right when any one of its forms is there.
An out-of-scope question (`facts: none`) is right when the bot abstains.
The set splits in two by a hash of each question: thresholds are tuned on
`tune` only, and `holdout` says how the bot does on questions it wasn't tuned on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..paths import EVAL_DIR
from .matcher import Match, Matcher
from .text import normalize

DEFAULT_SET = EVAL_DIR / "questions.yaml"
BLIND_DIR = DEFAULT_SET.parent / "blind"  # written by people who never saw the bot
SPLITS = ("all", "tune", "holdout")


@dataclass(frozen=True, slots=True)
class Case:
    question: str
    facts: tuple[tuple[str, ...], ...] | None  # None: the article doesn't say; inner: any one of

    @property
    def split(self) -> str:
        digest = hashlib.sha256(self.question.encode("utf-8")).digest()
        return "tune" if digest[0] % 2 == 0 else "holdout"


@dataclass
class Report:
    in_scope: int = 0
    in_scope_right: int = 0
    out_scope: int = 0
    out_scope_right: int = 0
    misses: list[tuple[Case, Match]] = field(default_factory=list)

    @property
    def in_scope_accuracy(self) -> float:
        return self.in_scope_right / self.in_scope if self.in_scope else 1.0

    @property
    def abstention_accuracy(self) -> float:
        return self.out_scope_right / self.out_scope if self.out_scope else 1.0


def load_cases(path: Path = DEFAULT_SET) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for item in data:
        facts = item["facts"]
        if facts in (None, "none"):
            cases.append(Case(str(item["q"]), None))
        else:
            forms = tuple(tuple(map(str, f)) if isinstance(f, list) else (str(f),) for f in facts)
            cases.append(Case(str(item["q"]), forms))
    return cases


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
        match = matcher.match(case.question)
        right = is_right(case, match)
        if case.facts is None:
            report.out_scope += 1
            report.out_scope_right += right
        else:
            report.in_scope += 1
            report.in_scope_right += right
        if not right:
            report.misses.append((case, match))
    return report


def combine(reports: Iterable[Report]) -> Report:
    total = Report()
    for report in reports:
        total.in_scope += report.in_scope
        total.in_scope_right += report.in_scope_right
        total.out_scope += report.out_scope
        total.out_scope_right += report.out_scope_right
        total.misses += report.misses
    return total


def summary(report: Report) -> str:
    return (f"in-scope {report.in_scope_accuracy:6.1%} ({report.in_scope_right}/{report.in_scope}), "
            f"abstention {report.abstention_accuracy:6.1%} ({report.out_scope_right}/{report.out_scope})")


def describe(report: Report, split: str) -> str:
    lines = [
        f"split: {split}",
        f"in-scope accuracy:   {report.in_scope_accuracy:6.1%} ({report.in_scope_right}/{report.in_scope})",
        f"abstention accuracy: {report.abstention_accuracy:6.1%} ({report.out_scope_right}/{report.out_scope})",
    ]
    if report.misses:
        lines.append(f"misses ({len(report.misses)}):")
    for case, match in report.misses:
        expected = "abstain" if case.facts is None else "facts " + ", ".join(" or ".join(f) for f in case.facts)
        got = match.entry.id if match.entry else "abstained"
        lines.append(f"  - {case.question!r}: expected {expected}; got {got} (score {match.score})")
    return "\n".join(lines)
