"""From the log to the knowledge file: the report groups and proposes, `learn` applies what passes the checker."""

from __future__ import annotations

import json
import time

import pytest
import yaml

from bot.__main__ import main
from bot.engine.loader import load_knowledge
from bot.engine.matcher import Matcher
from bot.learning.learn import PatchError, learn
from bot.learning.question_log import NOT_RIGHT, QuestionLog, Where
from bot.learning.report import build_report, open_log, parse_since, render_patch, render_text

NEW_WORDING = "who is the boss of palmyra"
ANSWERED_Q = "how many air strikes did russia launch?"


@pytest.fixture
def logged(tmp_path, matcher):
    """A log where three people asked an unphrased question, one picked its entry, and one doubted an answer."""
    db = tmp_path / "data" / "q.sqlite3"
    qlog = QuestionLog(db)
    qlog.start()
    knowledge = matcher.knowledge
    asked = [qlog.asked(matcher.match(text), knowledge, where=Where.of(1, 2), user_id=user, source="chat")
             for user, text in ((10, NEW_WORDING), (11, "whos the boss of palmyra"), (12, "who is the boss in palmyra"),
                                (13, "what is the capital of france"), (14, "what is the capital of france?"))]
    qlog.pick(asked[0], 10, "who-controls-palmyra")
    answered = qlog.asked(matcher.match(ANSWERED_Q), knowledge, where=Where.of(3, 4), user_id=15, source="slash")
    qlog.vote(answered, 16, NOT_RIGHT)
    qlog.close()
    return db


def test_parse_since():
    assert parse_since("7d") == 7 * 86400 and parse_since("12h") == 12 * 3600 and parse_since("2w") == 14 * 86400
    for bad in ("7", "d", "-1d", "0d", "7 days"):
        with pytest.raises(ValueError, match="7d"):
            parse_since(bad)
    for too_far in ("99999999w", "9999999999999999999999d"):  # no date to show so far back, and no overflow
        with pytest.raises(ValueError, match="at most 36,500 days"):
            parse_since(too_far)


def test_unanswered_questions_are_grouped_with_the_entry_people_picked(logged, matcher):
    report = build_report(open_log(logged), matcher)
    assert [len(group.questions) for group in report.groups] == [3, 2]
    boss, france = report.groups
    assert boss.picked == ("who-controls-palmyra", 1) and boss.people == 3 and france.picked is None
    [doubted] = report.disputed
    assert doubted.entry_id == matcher.match(ANSWERED_Q).entry.id and doubted.questions == (ANSWERED_Q,)
    text = render_text(report, matcher)
    assert "3x by 3 people" in text and "picked: who-controls-palmyra" in text and "1 not right" in text


def test_the_report_filters_by_guild_and_time(logged, matcher):
    assert build_report(open_log(logged), matcher, guild="3").groups == []
    assert sum(build_report(open_log(logged), matcher, guild="1").outcomes.values()) == 5
    later = build_report(open_log(logged), matcher, since=time.time() + 60)
    assert later.groups == [] and later.disputed == []


def test_the_patch_proposes_the_picked_wording_and_drafts_the_rest(logged, matcher):
    patch = render_patch(build_report(open_log(logged), matcher), matcher)
    data = yaml.safe_load(patch)
    assert NEW_WORDING in data["alternates"]["who-controls-palmyra"]
    assert "# 1 person picked this entry" in patch
    assert "#   - id: new-question-1" in patch and "capital of france" in patch
    assert "entries" not in data  # drafts stay commented out until a curator writes them


def test_learn_adds_alternates_in_the_files_own_style_and_nothing_else_moves(knowledge_copy):
    before = knowledge_copy.read_text(encoding="utf-8")
    applied = learn(f"alternates:\n  who-controls-palmyra:\n    - {NEW_WORDING}\n    - \"palmyra: who's boss?\"\n",
                    knowledge_copy)
    after = knowledge_copy.read_text(encoding="utf-8")
    assert applied.added == {"who-controls-palmyra": [NEW_WORDING, "palmyra: who's boss?"]}
    inserted = [line for line in after.splitlines() if line not in before.splitlines()]
    assert inserted == [f"      - {NEW_WORDING}", "      - \"palmyra: who's boss?\""]
    old_lines = before.splitlines()
    assert [line for line in after.splitlines() if line not in inserted] == old_lines  # comments and order kept
    assert after.index(NEW_WORDING) < after.index("answer:", after.index("id: who-controls-palmyra"))
    entry = load_knowledge(knowledge_copy).by_id["who-controls-palmyra"]
    assert entry.alternates[-2:] == (NEW_WORDING, "palmyra: who's boss?")
    assert Matcher(load_knowledge(knowledge_copy)).match(NEW_WORDING).entry.id == "who-controls-palmyra"
    again = learn(f"alternates:\n  who-controls-palmyra: [{NEW_WORDING}]\n", knowledge_copy)
    assert again.already == [("who-controls-palmyra", NEW_WORDING)] and knowledge_copy.read_text() == after


def test_learn_warns_of_a_phrasing_asking_a_kind_its_entry_never_answers(knowledge_copy):
    """A "did you mean" pick is what people chose, not always what the entry answers: the curator is told
    when a new phrasing asks "who" of an entry none of whose phrasings do. It is applied all the same."""
    applied = learn("alternates:\n  war-length: [who started the civil war, how long has the war lasted so far]\n",
                    knowledge_copy)
    assert applied.added["war-length"] == ["who started the civil war", "how long has the war lasted so far"]
    assert len(applied.warnings) == 1 and applied.warnings[0].startswith("war-length: 'who started the civil war'")


def test_learn_warns_when_a_phrasing_gives_an_entry_its_first_kind(knowledge_copy):
    """An entry none of whose phrasings asks a kind answers every kind; the first that does restricts it."""
    quote = load_knowledge(knowledge_copy).entries[0].sources[0].quote
    learn("entries:\n  - id: both-sides\n    question: Both sides claiming?\n    answer: Each claims the upper hand."
          f"\n    sources:\n      - quote: {json.dumps(quote)}\n        attributed_to: reuters\n", knowledge_copy)
    applied = learn("alternates:\n  both-sides: [who is it that claims an edge over the other]\n", knowledge_copy)
    assert applied.warnings == ["both-sides: 'who is it that claims an edge over the other' asks who, the first "
                                "kind of question any phrasing of it asks: from now on it answers only who questions"]


@pytest.mark.parametrize("patch, problem", [
    ("alternates:\n  no-such-entry: [hello there]\n", "unknown entry id 'no-such-entry'"),
    ("alternates:\n  who-controls-palmyra: [who is winning]\n", "also asked by entry"),  # another entry's phrasing
    ("alternates: [oops\n", "not valid YAML"),
    ("alternates:\n  who-controls-palmyra: hello\n", "list of non-empty strings"),
    ("questions: {}\n", "unknown key"),
    ("entries:\n  - id: new-one\n    question: What did the Pope say?\n    answer: He said nothing.\n"
     "    sources:\n      - quote: \"The Pope blessed the ruins.\"\n        attributed_to: reuters\n",
     "not in the article"),
    ("entries:\n  - id: new-one\n    question: Who held the concert?\n    answer: Russia.\n"
     "    sources:\n      - quote: \"Russia\"\n        attributed_to: nobody\n", "not a key of claimants"),
])
def test_learn_refuses_a_patch_the_checker_refuses_and_changes_nothing(knowledge_copy, patch, problem):
    before = knowledge_copy.read_bytes()
    with pytest.raises(PatchError) as refused:
        learn(patch, knowledge_copy)
    assert any(problem in p for p in refused.value.problems), refused.value.problems
    assert knowledge_copy.read_bytes() == before
    assert sorted(p.name for p in knowledge_copy.parent.iterdir()) == ["palmyra.txt", "palmyra.yaml"]


def test_learn_appends_a_new_entry_a_curator_wrote(knowledge_copy):
    quote = load_knowledge(knowledge_copy).entries[0].sources[0].quote
    patch = ("alternates: {}\nentries:\n  # written from the report's draft\n  - id: new-one\n"
             "    question: What do both sides claim?\n    answer: Each claims the upper hand.\n"
             f"    sources:\n      - quote: {quote!r}\n        attributed_to: reuters\n")
    applied = learn(patch, knowledge_copy)
    assert applied.new_entries == 1
    knowledge = load_knowledge(knowledge_copy)
    assert knowledge.entries[-1].id == "new-one" and "  - id: new-one\n" in knowledge_copy.read_text()


def test_report_and_learn_commands(logged, knowledge_copy, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATA_PATH", str(logged))
    monkeypatch.setenv("KNOWLEDGE_PATH", str(knowledge_copy))
    assert main(["report", "--since", "7d", "--guild", "1"]) == 0
    assert "3x by 3 people" in capsys.readouterr().out
    assert main(["report", "--yaml"]) == 0
    patch = tmp_path / "patch.yaml"
    patch.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["learn", str(patch)]) == 0
    assert "3 new alternates for 1 entry" in capsys.readouterr().out
    assert main(["check", str(knowledge_copy)]) == 0
    assert main(["report", "--since", "week"]) == 2 and "7d" in capsys.readouterr().err
    monkeypatch.setenv("DATA_PATH", str(tmp_path / "none.sqlite3"))
    assert main(["report"]) == 1 and "no question log" in capsys.readouterr().err
    monkeypatch.setenv("DATA_PATH", "off")
    assert main(["report"]) == 1 and "off" in capsys.readouterr().err


def test_ask_logs_only_with_log(tmp_path, monkeypatch, capsys):
    db = tmp_path / "q.sqlite3"
    monkeypatch.setenv("DATA_PATH", str(db))
    assert main(["ask", ANSWERED_Q]) == 0 and not db.exists()
    assert main(["ask", ANSWERED_Q, "--log"]) == 0
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("who is the boss of palmyra\n/quit\n"))
    assert main(["chat", "--log"]) == 0
    capsys.readouterr()
    assert main(["report"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 questions") and NEW_WORDING in out


def test_a_did_you_mean_picked_in_the_console_is_logged_for_learn(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATA_PATH", str(tmp_path / "q.sqlite3"))
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(f"{NEW_WORDING}\n/1\n/quit\n"))
    assert main(["chat", "--log"]) == 0
    assert "1. Who controls Palmyra now?" in capsys.readouterr().out
    assert main(["report", "--guild", "console"]) == 0
    assert "picked: who-controls-palmyra" in capsys.readouterr().out
    assert main(["report", "--yaml"]) == 0
    patch = capsys.readouterr().out
    assert "who-controls-palmyra:" in patch and NEW_WORDING in patch
