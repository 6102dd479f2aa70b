"""The console chat keeps its own context and numbers the related questions."""

from __future__ import annotations

import io

from bot.console import Session, reply, run_console


def test_follow_up_and_numbered_related_questions(matcher):
    session = Session()
    first = reply(matcher, "how many strikes did russia launch", session)
    assert "64 strikes" in first and "Related:" in first and "/1 " in first
    assert "Also claimed on this point:" in first and "briefly retreated" in first  # the other side
    answered = session.previous
    who = reply(matcher, "who said that", session)
    assert "Defense Ministry" in who and session.previous == answered
    related = session.choices[0]
    picked = reply(matcher, "/1", session)
    assert f"Q: {related.question}" in picked and session.previous == related
    assert reply(matcher, "/9", session) == "There is no choice /9."


def test_did_you_mean_choices_are_numbered_too(matcher):
    session = Session()
    for question in ["museum", "troops", "the army", "photo", "russia", "palmyra"]:
        text = reply(matcher, question, session)
        if "did you mean" in text:
            break
    else:
        raise AssertionError("none of the candidates was unsure")
    assert "pick one with 1, 2" in text
    suggested = session.choices[0]
    assert f"Q: {suggested.question}" in reply(matcher, "/1", session)


def test_a_bare_number_picks_a_choice_while_choices_are_shown(matcher):
    """The list reads "1. ...": typing "1" (or "1.") picks it, as "/1" does; with no choices shown a number is
    a question like any other, and a word ending in a digit is never a pick."""
    session = Session()
    reply(matcher, "what did the rebel say", session)  # did you mean, the rebel's claim first
    suggested = session.choices[0]
    assert f"Q: {suggested.question}" in reply(matcher, "1", session)
    related = session.choices[0]  # the rebel's claim lists its related questions
    assert f"Q: {related.question}" in reply(matcher, "1.", session)
    assert "There is no choice" in reply(matcher, "7", session)
    assert "choice" not in reply(matcher, "1", Session())
    assert "choice" not in reply(matcher, "a1", session)


def test_no_choices_yet(matcher):
    assert reply(matcher, "/1", Session()) == "There are no choices to pick from."


def test_run_console_keeps_the_context_between_lines(matcher):
    stdin = io.StringIO("did isis take the oil fields\nwhen was that\n/quit\n")
    stdout = io.StringIO()
    assert run_console(matcher, stdin, stdout) == 0
    assert "Thursday" in stdout.getvalue().split("you> ")[2]


def test_who_said_that_puts_the_claimant_first_not_the_answer_again(matcher):
    session = Session()
    first = reply(matcher, "how many strikes did russia launch", session)
    answer = session.previous.answer
    who = reply(matcher, "who said that", session)
    lines = who.splitlines()
    assert lines[1].startswith("Said by Russia's Defense Ministry")  # right under the question
    assert answer[:40] not in " ".join(lines) and answer[:40] in " ".join(first.splitlines())
    assert "Also claimed on this point:" in who  # the other side of the contested point
    true = reply(matcher, "is that true?", session)
    assert true.splitlines()[1].startswith("Contested: it is the word of Russia's Defense Ministry")


def test_after_no_answer_a_follow_up_has_nothing_to_lean_on(matcher):
    """"who said that" after "doesn't say" must not name who made the claim before it."""
    session = Session()
    reply(matcher, "how many strikes did russia launch", session)
    assert "doesn't say" in reply(matcher, "how many civilians died", session)
    assert session.previous is None
    assert "64 strikes" not in reply(matcher, "who said that", session)  # not the strikes' claim again


def test_quit_and_exit_without_a_slash_leave_too(matcher):
    assert reply(matcher, "quit", Session()) is None and reply(matcher, "Exit", Session()) is None
