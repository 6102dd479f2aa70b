"""Grid search of the matcher's weights and thresholds on the *tune* half of the evaluation set.

    python eval/tune.py

Prints the best settings by the lower of the two accuracies on `tune`, then
how those settings do on `holdout`, which the search never looks at. The
chosen values are copied by hand into bot/matcher.py.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import matcher as m  # noqa: E402
from bot.evaluation import evaluate, load_cases  # noqa: E402
from bot.loader import load_knowledge  # noqa: E402

GRID = {
    "COVERAGE_WEIGHT": [0.5],
    "OTHER_WORD_WEIGHT": [0.8],
    "UNKNOWN_WORD_WEIGHT": [2.5],
    "ANSWER_AT": list(range(60, 80, 2)),
    "COVERAGE_AT": [0.5, 0.6, 0.7],
    "MARGIN": [2, 5],
}


def main() -> None:
    knowledge = load_knowledge()
    cases = load_cases()
    results = []
    # index building doesn't depend on these constants, so one Matcher serves every setting
    matcher = m.Matcher(knowledge)
    for values in itertools.product(*GRID.values()):
        for name, value in zip(GRID, values):
            setattr(m, name, value)
        tune = evaluate(matcher, cases, "tune")
        results.append((min(tune.in_scope_accuracy, tune.abstention_accuracy),
                        tune.in_scope_accuracy + tune.abstention_accuracy, values))
    results.sort(key=lambda r: (-r[0], -r[1]))
    for worst, total, values in results[:5]:
        for name, value in zip(GRID, values):
            setattr(m, name, value)
        hold = evaluate(matcher, cases, "holdout")
        settings = ", ".join(f"{n}={v}" for n, v in zip(GRID, values))
        print(f"tune min {worst:.1%} (sum {total:.3f}) | holdout in-scope {hold.in_scope_accuracy:.1%} "
              f"abstention {hold.abstention_accuracy:.1%} | {settings}")


if __name__ == "__main__":
    main()
