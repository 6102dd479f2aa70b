"""Grid search of the matcher's scoring weights on the *tune* halves of the labelled questions.

    python eval/tune.py [--questions FILE ...]

For each setting of the scoring constants below, the confidence model is refitted
on the tune halves (as eval/fit.py does) and the bot's choices judged there:
a right answer counts +1, a wrong one -WRONG_COST, an abstention 0. WRONG_COST = 4
is the same trade as answering at a probability of 0.8 (confidence.ANSWER_PROBABILITY):
answer when p - 4 (1 - p) >= 0. Prints the ten best settings with how they do on the
holdout halves, which the search never looks at, and on the whole curated set
(its floors are 95 %). The chosen values are copied by hand into bot/engine/matcher.py,
then `python eval/fit.py` refits the model for them.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fit import DEVELOPMENT_SETS, fit, rows

from bot.engine import confidence
from bot.engine import matcher as m
from bot.engine.evaluation import DEFAULT_SET, evaluate, load_cases
from bot.engine.loader import load_knowledge

WRONG_COST = 4
GRID = {
    "COVERAGE_WEIGHT": [0.5, 0.6, 0.7],
    "ABSENT_WEIGHT": [1.5, 2.0],
    "UNKNOWN_WORD_WEIGHT": [1.0, 1.5],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, nargs="+", default=DEVELOPMENT_SETS)
    args = parser.parse_args()
    cases = [case for path in args.questions for case in load_cases(path)]
    tune_cases = [c for c in cases if c.split == "tune"]
    holdout_cases = [c for c in cases if c.split == "holdout"]
    curated = load_cases(DEFAULT_SET)
    # index building doesn't depend on these constants, so one Matcher serves every setting
    matcher = m.Matcher(load_knowledge())
    results = []
    for values in itertools.product(*GRID.values()):
        for name, value in zip(GRID, values, strict=False):
            setattr(m, name, value)
        weights = fit([(features, label) for _, features, label in rows(matcher, tune_cases) if features], 0.1)
        confidence.BIAS, confidence.WEIGHTS = weights[0], tuple(weights[1:])
        tune = evaluate(matcher, tune_cases)
        utility = tune.answered_right - WRONG_COST * tune.wrong
        hold, whole = evaluate(matcher, holdout_cases), evaluate(matcher, curated)
        settings = ", ".join(f"{n}={v}" for n, v in zip(GRID, values, strict=False))
        line = (f"tune wrong {tune.wrong_rate:.1%} right {tune.in_scope_accuracy:.1%} | holdout wrong "
                f"{hold.wrong_rate:.1%} right {hold.in_scope_accuracy:.1%} abstained {hold.abstention_accuracy:.1%}"
                f" | curated {whole.in_scope_accuracy:.1%}/{whole.abstention_accuracy:.1%} | {settings}")
        results.append((utility, line))
    for utility, line in sorted(results, key=lambda r: -r[0])[:10]:
        print(f"{utility:5d} {line}")


if __name__ == "__main__":
    main()
