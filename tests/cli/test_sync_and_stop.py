"""`python -m bot sync` without a token, and stopping the console chat with SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from bot.__main__ import main, parser
from bot.paths import ROOT


@pytest.fixture
def no_token(monkeypatch):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setattr("bot.settings.load_dotenv", lambda *_, **__: False)


def test_sync_without_token_explains(no_token, capsys):
    assert main(["sync", "--guild", "123", "--force"]) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN" in err and "python -m bot chat" in err


def test_sync_options():
    args = parser().parse_args(["sync", "--guild", "42", "--force"])
    assert (args.command, args.guild, args.force) == ("sync", 42, True)
    args = parser().parse_args(["sync"])
    assert (args.guild, args.force) == (None, False)


def test_sync_guild_must_be_an_id(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["sync", "--guild", "my-server"])
    assert exit_.value.code == 2 and "--guild" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["chat"], []])
def test_sigterm_ends_the_console_chat_with_status_0(command):
    """What systemd or `docker stop` does to a bot started without a token."""
    env = {**os.environ, "DISCORD_TOKEN": "", "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen([sys.executable, "-m", "bot", *command], cwd=ROOT, env=env, text=True,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        prompt = ""
        while "you> " not in prompt:  # the chat is waiting for a question
            character = child.stdout.read(1)
            assert character, child.stderr.read()
            prompt += character
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=30) == 0
    finally:
        child.kill()
        child.wait()
        for stream in (child.stdin, child.stdout, child.stderr):
            stream.close()
