"""`python -m bot ask`: plain answers with their sources, and JSON with exactly the documented keys."""

from __future__ import annotations

import io
import json
import re

from bot.__main__ import main


def test_ask_json_has_exactly_the_documented_keys(capsys):
    assert main(["ask", "--json", "how many strikes did russia launch"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"question", "answered", "answer", "matched", "score", "sources", "suggestions", "outcome"}
    assert data["answered"] is True and isinstance(data["score"], int) and data["outcome"] == "answered"
    assert all(set(s) == {"quote", "attributed_to"} for s in data["sources"])


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
