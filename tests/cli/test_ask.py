"""`python -m bot ask`: plain answers with their sources, and JSON with exactly the documented keys."""

from __future__ import annotations

import io
import json
import re

from bot.__main__ import main


def test_ask_json_has_exactly_the_documented_keys(capsys):
    assert main(["ask", "--json", "how many strikes did russia launch"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"question", "answered", "answer", "matched", "score", "sources", "suggestions", "outcome",
                         "contested", "other_side"}
    assert data["answered"] is True and isinstance(data["score"], int) and data["outcome"] == "answered"
    assert all(set(s) == {"quote", "attributed_to"} for s in [*data["sources"], *data["other_side"]])


def test_ask_json_carries_the_other_side_of_a_contested_claim(capsys):
    """As the chat shows it: Russia's 64 strikes with the Islamic State agency's and the Observatory's account."""
    assert main(["ask", "--json", "how many strikes did russia launch"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["contested"] is True
    assert {s["attributed_to"] for s in data["other_side"]} >= {"A news agency linked to Islamic State"}
    assert main(["ask", "--json", "where is palmyra"]) == 0
    assert json.loads(capsys.readouterr().out)["other_side"] == []


def test_ask_greets_chatter_as_the_chat_does(capsys):
    assert main(["ask", "--json", "lol"]) == 0
    assert json.loads(capsys.readouterr().out)["outcome"] == "chatter"
    assert main(["ask", "ok thanks"]) == 0
    assert "Ask me anything about the article" in capsys.readouterr().out


def test_ask_json_tells_did_you_mean_from_doesnt_say(capsys):
    assert main(["ask", "--json", "how many?"]) == 0
    unsure = json.loads(capsys.readouterr().out)
    assert unsure["outcome"] == "did-you-mean" and unsure["answer"] is None and unsure["suggestions"]
    assert main(["ask", "--json", "what is the capital of france"]) == 0
    assert json.loads(capsys.readouterr().out)["outcome"] == "doesnt-say"


def test_ask_json_reads_stdin_in_order(capsys, monkeypatch):
    questions = ["who controls palmyra", "what is the capital of france", "grain silo"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(questions) + "\n"))
    assert main(["ask", "--json", "-"]) == 0
    lines = capsys.readouterr().out.strip().split("\n")
    assert [json.loads(line)["question"] for line in lines] == questions
    assert json.loads(lines[1])["answered"] is False


def test_ask_plain_shows_sources_and_confidence(capsys):
    assert main(["ask", "how many militants were killed"]) == 0
    out = capsys.readouterr().out
    assert "\u2014 Russia's Defense Ministry, as reported by Reuters" in out
    assert re.search(r"confidence \d+/100", out)
