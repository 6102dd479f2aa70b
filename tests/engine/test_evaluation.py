"""Answer-quality floors on the evaluation sets (`python -m bot eval` prints the detail)."""

from __future__ import annotations

import pytest

from bot import __main__ as cli
from bot.__main__ import main
from bot.engine.evaluation import (
    BLIND_DIR,
    Case,
    Report,
    combine,
    evaluate,
    is_question_list,
    load_cases,
    operating_curve,
    read_set,
)

# The curated set: no wrong answer, every question answered or one click away, and at
# least 95 % of its answerable questions answered right (95.7 % when answers began to need a
# probability of 0.83).
CURATED_RIGHT_FLOOR = 0.95
# Questions written by people who never saw the bot (eval/blind/README.md), the eight
# sets a-g and i together: the figures measured when the confidence model was last fitted
# (wrong 1.9 %, right 74.2 %, one click 97.2 %, abstained 95.8 %), with a little room, so
# that a change which makes the bot worse on unseen questions fails.
BLIND_WRONG_CEILING = 0.025
BLIND_RIGHT_FLOOR = 0.73
BLIND_ONE_CLICK_FLOOR = 0.965
BLIND_ABSTENTION_FLOOR = 0.95
BLIND_ECE_CEILING = 5.0


def test_evaluation_set_is_big_enough():
    cases = load_cases()
    assert sum(c.facts is not None for c in cases) >= 100
    assert sum(c.facts is None for c in cases) >= 50


def test_curated_floors(matcher):
    report = evaluate(matcher, load_cases())
    assert report.wrong == 0, report.misses
    assert report.in_scope_accuracy >= CURATED_RIGHT_FLOOR, report.misses
    assert report.one_click_accuracy >= 0.99
    assert report.abstention_accuracy >= 0.95, report.misses


def test_blind_sets_floors(matcher):
    report = combine(evaluate(matcher, load_cases(path)) for path in sorted(BLIND_DIR.glob("*.yaml")))
    assert report.answerable >= 600 and report.out_of_scope >= 400
    assert report.wrong_rate <= BLIND_WRONG_CEILING, report.wrong_rate
    assert report.in_scope_accuracy >= BLIND_RIGHT_FLOOR, report.in_scope_accuracy
    assert report.one_click_accuracy >= BLIND_ONE_CLICK_FLOOR, report.one_click_accuracy
    assert report.abstention_accuracy >= BLIND_ABSTENTION_FLOOR, report.abstention_accuracy
    assert report.ece <= BLIND_ECE_CEILING, report.ece


def test_report_counts_what_users_live_with():
    report = Report(answerable=10, answered_right=7, one_click=9, answerable_wrong=1, out_of_scope=10,
                    out_of_scope_wrong=1, shown=[(90, True)] * 9 + [(90, False)])
    assert report.wrong == 2 and report.wrong_rate == pytest.approx(0.1)
    assert report.abstention_accuracy == pytest.approx(0.9)
    assert report.ece == pytest.approx(0.0)  # answers at 90 right 9 times in 10
    assert Report(shown=[(95, False)]).ece == pytest.approx(95.0)


def test_operating_curve_trades_wrong_answers_for_right_ones():
    """Each threshold answers the questions whose best entry reaches it: a lower one answers more right
    and more wrong; the bot's own is marked; threshold 0 is the ceiling, every judged entry answered."""
    report = Report(answerable=4, out_of_scope=2,
                    judged=[(0.99, True, True), (0.88, True, True), (0.72, True, True), (0.4, False, True),
                            (0.65, False, False), (None, False, False)])
    rows = {line.split()[0]: line.split()[1:] for line in operating_curve(report, 0.83).splitlines()[1:]}
    assert rows["0.83"] == ["0.0%", "50.0%", "100.0%", "(the", "bot's)"]
    assert rows["0.70"] == ["0.0%", "75.0%", "100.0%"]
    assert rows["0.60"] == ["16.7%", "75.0%", "50.0%"]
    assert rows["0.00"] == ["33.3%", "75.0%", "50.0%"]  # the last question judged no entry: never answered


def test_curve_of_a_set_matches_what_the_bot_does(matcher):
    """At the bot's own threshold the curve gives the figures the report counts."""
    report = evaluate(matcher, load_cases())
    mine = next(line.split() for line in operating_curve(report).splitlines() if "(the bot's)" in line)
    assert mine[1] == f"{report.wrong_rate:.1%}" and mine[2] == f"{report.in_scope_accuracy:.1%}"
    assert mine[3] == f"{report.abstention_accuracy:.1%}"


def test_eval_command_puts_wrong_answers_first_with_a_reliability_table(capsys):
    assert main(["eval", "--split", "holdout"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1].startswith("WRONG answers:")
    assert "right within one click:" in out and "ECE (expected calibration error):" in out
    assert "answer at  wrong answers" in out and "(the bot's)" in out


def test_eval_blind_prints_each_set(capsys):
    assert main(["eval", "--blind"]) == 0
    out = capsys.readouterr().out
    assert "e.yaml: wrong" in out and "g.yaml: wrong" in out and "out of scope abstained" in out


@pytest.mark.parametrize("flags", [["--blind", "--followups"], ["--heldout", "--blind"], ["--questions", "x.yaml",
                                                                                        "--heldout"]])
def test_eval_takes_one_kind_of_set_at_a_time(capsys, flags):
    """Two kinds of set at once is refused, not one of them silently ignored."""
    with pytest.raises(SystemExit) as exited:
        main(["eval", *flags])
    assert exited.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_eval_heldout_prints_figures_never_questions(capsys, monkeypatch, tmp_path):
    """Held-out sets are reported by totals only; conversation files (`turns:`) are skipped."""
    (tmp_path / "x.yaml").write_text('- {q: "secret question one", facts: ["64"]}\n'
                                     '- {q: "secret question two", facts: none}\n', encoding="utf-8")
    (tmp_path / "y.yaml").write_text('- {q: "how many strikes did russia launch", facts: ["64"]}\n', encoding="utf-8")
    (tmp_path / "followups.yaml").write_text('- turns: [{q: "secret turn", facts: ["64"]}]\n', encoding="utf-8")
    monkeypatch.setattr(cli, "HELDOUT_DIR", tmp_path)
    assert not is_question_list(read_set(tmp_path / "followups.yaml"))
    assert main(["eval", "--heldout"]) == 0
    out = capsys.readouterr().out
    assert "x.yaml: wrong" in out and "y.yaml: wrong" in out and "followups" not in out
    assert "secret" not in out and "misses" not in out and "WRONG answers:" in out


def test_a_case_falls_in_one_half_by_its_text():
    assert Case("how many strikes", None).split == Case("how many strikes", (("64",),)).split
    assert {Case(f"question {n}", None).split for n in range(20)} == {"tune", "holdout"}
