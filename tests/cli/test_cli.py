"""The console chat, the main command without a token, and `ask`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from bot.__main__ import main
from bot.console import reply, run_console
from bot.discord_bot import ArticleBot, ShardedArticleBot, create_bot
from bot.paths import ROOT
from bot.settings import Settings


def test_create_bot_never_connects_and_shards_when_asked(tmp_path):
    plain = create_bot(Settings())
    assert type(plain) is ArticleBot and not plain.is_closed() and plain.user is None
    sharded = create_bot(Settings(shard_count=2))
    assert isinstance(sharded, ShardedArticleBot) and sharded.shard_count == 2


def test_console_chat(matcher):
    stdin = io.StringIO("/help\nhow many strikes did russia launch\nwhat's the capital of france\n/topics\n/quit\n")
    stdout = io.StringIO()
    assert run_console(matcher, stdin, stdout) == 0
    out = stdout.getvalue()
    assert "/topics" in out and "64 strikes" in out and "The article doesn't say" in out
    assert "Who controls Palmyra now?" in out
    assert reply(matcher, "/quit") is None


def test_main_without_token_starts_console(monkeypatch, capsys):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setattr("bot.settings._dotenv_files", list)  # no .env: the token stays unset
    monkeypatch.setattr("sys.stdin", io.StringIO("who controls palmyra\n"))
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "console chat" in out and "Contested" not in out and "back in control" in out


def test_run_without_token_explains(monkeypatch, capsys):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setattr("bot.settings._dotenv_files", list)  # no .env: the token stays unset
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN" in err and "python -m bot chat" in err


def test_ask_json_reads_stdin_as_utf8_whatever_the_locale():
    """Invalid UTF-8 on stdin still gives one valid JSON line per question, in any locale."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHONIOENCODING", "PYTHONUTF8"))}
    for locale in ({"LC_ALL": "C", "PYTHONUTF8": "0"}, {"LC_ALL": "C.UTF-8"}, {}):
        result = subprocess.run([sys.executable, "-m", "bot", "ask", "--json", "-"], cwd=ROOT, env={**env, **locale},
                                input=b"who \xff\nhow many strikes\n", capture_output=True, timeout=120, check=True)
        lines = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
        assert [line["question"] for line in lines] == ["who \ufffd", "how many strikes"], locale
