"""The confidence model: how likely the best entry for a question is the right answer.

A logistic model over a few features of the match (see `FEATURES`), fitted by
`python eval/fit.py` on the `tune` halves of the labelled questions (the curated
set and blind sets a-g and i; a question's half comes from a hash of its text, as in
`evaluation.Case.split`). The label is whether the entry's answer holds the
expected facts; a question the article doesn't answer is always a 0. So the
probability is that of a right answer, and the confidence users see is that
probability times 100: of answers shown near N, about N % are right, as
`python -m bot eval` checks on every set (reliability table and ECE).

The bot answers when the probability reaches ANSWER_PROBABILITY, set by cost rather
than by fitting: a wrong answer puts a claim in someone's mouth, so it counts as costing
five "did you mean"s, and the bot answers when p - 5 (1 - p) >= 0, i.e. p >= 5/6 (0.83).
(Picking the threshold where the tune halves' wrong answers reach 2 % chose lower ones
that the holdout halves didn't bear out: the knowledge's phrasings were written with the
tune halves' misses in view.) BIAS and WEIGHTS are eval/fit.py's output (logistic
regression, L2 = 1.0: a firmer penalty held up better on the holdout halves than 0.1),
copied here; refit after changing the matcher's scoring, the features or the knowledge
file's phrasings. eval/fit.py prints each threshold's figures.
"""

from __future__ import annotations

import math

FEATURES = (
    "score",  # the matcher's 0-100 score, over 100
    "coverage",  # weighted share of the question's terms the entry has (phrasings or quoted sentences)
    "asked_coverage",  # the same, counting only the entry's phrasings
    "single_phrasing",  # the same, counting only the entry's closest single phrasing
    "phrasing_recall",  # share of that phrasing's terms the question has
    "similarity",  # token-sort similarity to the closest phrasing, over 100
    "own",  # similarity to the entry's own question, over 100
    "margin",  # lead over the best rival that doesn't share evidence, capped at 30 points, over 30
    "unknown",  # weighted share of the question's terms no entry has
    # 1 when the question uses a real English word (not slang, not a typo) the knowledge and article never do
    "foreign",
    "other_kind",  # 1 when the question asks a kind of answer none of the entry's phrasings ask
    "length",  # the question's terms, up to 8, over 8: a two-word question is often ambiguous
    "passed_over",  # 1 when a closer entry was set aside (a kind it doesn't answer, or a conflict)
    "wording",  # similarity of the whole question, every word kept, to the closest phrasing, over 100
)

BIAS = -6.111
WEIGHTS = (1.413, 1.544, 0.886, 1.027, 1.466, 1.216, -0.649, 1.029, -1.242, -0.094, -1.202, 0.883, -1.331, 0.965)
ANSWER_PROBABILITY = 0.83
EXACT_PROBABILITY = 0.99  # a question the knowledge file has, word for word, goes to its entry


def probability(features: tuple[float, ...]) -> float:
    """The fitted probability that the entry these features describe answers the question right."""
    z = BIAS + sum(weight * value for weight, value in zip(WEIGHTS, features, strict=True))
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))
