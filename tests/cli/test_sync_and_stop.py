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
    monkeypatch.setattr("bot.settings._dotenv_files", list)  # no .env: the token stays unset


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


@pytest.fixture
def discord_unreachable(monkeypatch):
    """Discord's API at a local port nobody listens on: a refused connection, at once, offline."""
    import discord

    monkeypatch.setattr(discord.http.Route, "BASE", "http://127.0.0.1:9/api/v10")
    monkeypatch.setenv("DISCORD_TOKEN", "not.a-real.token")
    # the root handler it installs would outlive this test's captured stderr; caplog sees the records
    monkeypatch.setattr("bot.discord_bot.lifecycle._setup_logging", lambda settings: None)


@pytest.mark.parametrize("command", [["run"], ["sync"], ["sync", "--guild", "1", "--force"]])
def test_unreachable_discord_is_one_line_and_status_1(discord_unreachable, command, caplog):
    assert main(command) == 1
    [error] = [record for record in caplog.records if record.levelname == "ERROR"]
    assert "could not reach Discord" in error.message and error.exc_info is None
    assert "not.a-real.token" not in caplog.text and "voice" not in caplog.text.lower()


def test_refusals_that_need_a_setting_fixed_exit_2():
    import discord

    from bot.discord_bot.lifecycle import _explained

    assert _explained(discord.LoginFailure("Improper token has been passed."))[1] == 2
    assert _explained(discord.PrivilegedIntentsRequired(None))[1] == 2
    assert _explained(ConnectionResetError())[1] == 1
    assert _explained(ValueError("a bug")) is None
