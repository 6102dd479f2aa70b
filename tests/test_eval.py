"""Answer quality floors on the evaluation set (`python -m bot eval` prints the detail)."""

from __future__ import annotations

from bot.__main__ import main
from bot.evaluation import evaluate, load_cases


def test_evaluation_set_is_big_enough():
    cases = load_cases()
    assert sum(c.facts is not None for c in cases) >= 100
    assert sum(c.facts is None for c in cases) >= 50


def test_accuracy_floors(matcher):
    report = evaluate(matcher, load_cases())
    assert report.in_scope_accuracy >= 0.95, report.misses
    assert report.abstention_accuracy >= 0.95, report.misses


def test_eval_command_prints_accuracy(capsys):
    assert main(["eval", "--split", "holdout"]) == 0
    out = capsys.readouterr().out
    assert "in-scope accuracy:" in out and "abstention accuracy:" in out
