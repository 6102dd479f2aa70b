"""Fit the confidence model (bot/engine/confidence.py) on the `tune` halves of the labelled questions.

    python eval/fit.py [--questions FILE ...] [--l2 1.0] [--show THRESHOLD]

For every question of the tune halves of the curated set and blind sets a-g and i,
the matcher's best answerable entry and the features the model reads of it
(`Matcher.explain`); the label is whether that entry's answer holds the expected
facts (0 for a question the article doesn't answer). A logistic regression,
fitted by Newton's method with a small L2 penalty (no dependency), gives BIAS and
WEIGHTS; they are printed to be copied into bot/engine/confidence.py. It then
prints, for a few answer thresholds, what the bot would do on both halves:
wrong answers, answerable answered right, out-of-scope abstained, and the ECE;
holdout is the half the fit never saw. Questions the knowledge file has word for
word are answered before the model and are left out.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine import confidence
from bot.engine.evaluation import BLIND_DIR, DEFAULT_SET, Case, is_right, load_cases
from bot.engine.loader import load_knowledge
from bot.engine.matcher import Matcher

DEVELOPMENT_SETS = [DEFAULT_SET, *(BLIND_DIR / f"{name}.yaml" for name in "abcdefgi")]
THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.82, 0.83, 0.84, 0.85, 0.9)

# a question, the features of its judged entry (empty: a phrasing word for word, or nothing judged), whether it is right
Row = tuple[Case, tuple[float, ...], bool]


def rows(matcher: Matcher, cases: list[Case]) -> list[Row]:
    found = []
    for case in cases:
        verdict = matcher.explain(case.question)
        if verdict.judged is None:
            continue  # nothing to judge: the bot abstains whatever the model says
        right = case.facts is not None and is_right(case, matcher.answer_entry(verdict.judged))
        found.append((case, verdict.features, right))
    return found


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting."""
    n = len(vector)
    rows_ = [[*matrix[i][:], vector[i]] for i in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows_[r][col]))
        rows_[col], rows_[pivot] = rows_[pivot], rows_[col]
        for r in range(n):
            if r != col and rows_[col][col]:
                factor = rows_[r][col] / rows_[col][col]
                for c in range(col, n + 1):
                    rows_[r][c] -= factor * rows_[col][c]
    return [rows_[i][n] / rows_[i][i] for i in range(n)]


def fit(samples: list[tuple[tuple[float, ...], bool]], l2: float, steps: int = 25) -> list[float]:
    """Logistic regression by Newton's method: [bias, *weights]; the bias is not penalised."""
    n = len(samples[0][0]) + 1
    w = [0.0] * n
    for _ in range(steps):
        grad = [0.0] * n
        hess = [[0.0] * n for _ in range(n)]
        for features, label in samples:
            x = (1.0, *features)
            p = 1 / (1 + math.exp(-max(-50.0, min(50.0, sum(a * b for a, b in zip(w, x, strict=False))))))
            for i in range(n):
                grad[i] += (p - label) * x[i]
                for j in range(n):
                    hess[i][j] += p * (1 - p) * x[i] * x[j]
        for i in range(1, n):
            grad[i] += l2 * w[i]
            hess[i][i] += l2
        w = [a - b for a, b in zip(w, _solve(hess, grad), strict=False)]
    return w


def judge(found: list[Row], cases: list[Case], threshold: float) -> str:
    answerable = sum(case.facts is not None for case in cases)
    out = len(cases) - answerable
    right = wrong = out_answered = 0
    shown: list[tuple[float, bool]] = []
    for case, features, label in found:
        p = confidence.probability(features) if features else confidence.EXACT_PROBABILITY
        if p < threshold:
            continue
        shown.append((p, label))
        right += label
        wrong += not label
        out_answered += case.facts is None
    bins: dict[int, list[tuple[float, bool]]] = {}
    for p, label in shown:
        bins.setdefault(min(int(p * 10), 9), []).append((p, label))
    ece = sum(abs(sum(p for p, _ in b) - sum(lab for _, lab in b)) for b in bins.values()) / max(len(shown), 1)
    return (f"wrong {wrong / len(cases):5.1%} ({wrong:>3}) | right {right / max(answerable, 1):5.1%} | "
            f"out of scope abstained {1 - out_answered / max(out, 1):5.1%} | ECE {100 * ece:4.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, nargs="+", default=DEVELOPMENT_SETS)
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--show", type=float, metavar="THRESHOLD",
                        help="also list the tune half's wrong answers and missed right ones at this threshold")
    args = parser.parse_args()
    matcher = Matcher(load_knowledge())
    cases = [case for path in args.questions for case in load_cases(path)]
    halves = {half: [c for c in cases if c.split == half] for half in ("tune", "holdout")}
    tune, holdout = rows(matcher, halves["tune"]), rows(matcher, halves["holdout"])
    w = fit([(features, label) for _, features, label in tune if features], args.l2)
    print(f"BIAS = {w[0]:.3f}")
    print(f"WEIGHTS = ({', '.join(f'{v:.3f}' for v in w[1:])})")
    for name, value in zip(confidence.FEATURES, w[1:], strict=False):
        print(f"  {name:>16}: {value:+.3f}")
    confidence.BIAS, confidence.WEIGHTS = w[0], tuple(w[1:])
    for threshold in THRESHOLDS:
        print(f"answer at {threshold:.2f}: tune {judge(tune, halves['tune'], threshold)}  ||  "
              f"holdout {judge(holdout, halves['holdout'], threshold)}")

    if args.show is not None:
        for case, features, label in tune:
            p = confidence.probability(features) if features else confidence.EXACT_PROBABILITY
            if (p >= args.show) != label:
                verdict = matcher.explain(case.question)
                kind = "WRONG" if p >= args.show else "missed"
                judged = verdict.judged.id if verdict.judged else None
                print(f"{kind:>6} {p:.2f} {case.question!r} -> {judged} "
                      f"{' '.join(f'{v:.2f}' for v in features)}")


if __name__ == "__main__":
    main()

