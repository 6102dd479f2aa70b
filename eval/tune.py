"""Grid search of the matcher's weights and thresholds on the *tune* half of the evaluation set.

    python eval/tune.py [--questions FILE ...]

By default it searches the curated set and the blind sets used in development
(eval/blind/e.yaml, the final held-back set, is never searched). The best
settings have the highest in-scope plus abstention accuracy on the `tune`
half, among those that keep the curated set's floors (95 % each, as
tests/test_eval.py asserts). Prints them and how they do on `holdout`, which
the search never looks at. The chosen values are copied by hand into
bot/matcher.py.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.engine import matcher as m  # noqa: E402
from bot.engine.evaluation import DEFAULT_SET, evaluate, load_cases  # noqa: E402

DEVELOPMENT_SETS = [DEFAULT_SET, *(DEFAULT_SET.parent / "blind" / f"{name}.yaml" for name in "abcdf")]
from bot.engine.loader import load_knowledge  # noqa: E402

FLOOR = 0.95
GRID = {
    "COVERAGE_WEIGHT": [0.4, 0.5, 0.6],
    "UNKNOWN_WORD_WEIGHT": [1.0, 1.5],
    "COMMON_WORD_WEIGHT": [0.3],
    "ABSENT_WEIGHT": [1.5, 2.0],
    "ANSWER_AT": list(range(75, 93, 3)),
    "COVERAGE_AT": [0.5, 0.6, 0.7],
    "MARGIN": [3],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, nargs="+", default=DEVELOPMENT_SETS)
    args = parser.parse_args()
    knowledge = load_knowledge()
    cases = [case for path in args.questions for case in load_cases(path)]
    curated_cases = load_cases(DEFAULT_SET)
    results = []
    # index building doesn't depend on these constants, so one Matcher serves every setting
    matcher = m.Matcher(knowledge)
    for values in itertools.product(*GRID.values()):
        for name, value in zip(GRID, values):
            setattr(m, name, value)
        curated = evaluate(matcher, curated_cases)
        if min(curated.in_scope_accuracy, curated.abstention_accuracy) < FLOOR:
            continue
        tune = evaluate(matcher, cases, "tune")
        results.append((tune.in_scope_accuracy + tune.abstention_accuracy, tune.in_scope_accuracy,
                        tune.abstention_accuracy, values))
    results.sort(key=lambda r: (-r[0], -r[2]))
    for _, in_scope, abstention, values in results[:10]:
        for name, value in zip(GRID, values):
            setattr(m, name, value)
        hold = evaluate(matcher, cases, "holdout")
        settings = ", ".join(f"{n}={v}" for n, v in zip(GRID, values))
        print(f"tune in-scope {in_scope:.1%} abstention {abstention:.1%} | holdout in-scope {hold.in_scope_accuracy:.1%} "
              f"abstention {hold.abstention_accuracy:.1%} | {settings}")


if __name__ == "__main__":
    main()
