"""Settings, the console chat, and the main command without a token."""

from __future__ import annotations

import io

import pytest

from bot.__main__ import main
from bot.console import reply, run_console
from bot.discord_bot import ArticleBot, ShardedArticleBot, create_bot
from bot.settings import Settings, SettingsError


def test_settings_from_env_and_dotenv(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("DISCORD_TOKEN", "ADMIN_ROLE_IDS", "ASK_CHANNEL_IDS", "DEV_GUILD_ID", "SHARD_COUNT", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text("DISCORD_TOKEN=secret-token\nADMIN_ROLE_IDS=1, 2\nASK_CHANNEL_IDS=3\n"
                                   "DEV_GUILD_ID=4\nSHARD_COUNT=2\nLOG_LEVEL=debug\n", encoding="utf-8")
    settings = Settings.from_env()
    assert settings.token == "secret-token"
    assert settings.admin_role_ids == {1, 2} and settings.ask_channel_ids == {3}
    assert (settings.dev_guild_id, settings.shard_count, settings.log_level) == (4, 2, "DEBUG")
    assert "secret-token" not in repr(settings)


@pytest.mark.parametrize("env", [{"ADMIN_ROLE_IDS": "admins"}, {"SHARD_COUNT": "0"}, {"LOG_LEVEL": "LOUD"},
                                 {"DEV_GUILD_ID": "x"}, {"COOLDOWN_RATE": "0"}, {"COOLDOWN_RATE": "1.5"},
                                 {"COOLDOWN_SECONDS": "-3"}])
def test_bad_settings_are_named(env):
    with pytest.raises(SettingsError, match=next(iter(env))):
        Settings.from_env(env)


def test_cooldown_seconds_may_be_fractional():
    assert Settings.from_env({"COOLDOWN_SECONDS": "1.5", "COOLDOWN_RATE": "2"}).cooldown_per == 1.5


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
    monkeypatch.setattr("bot.settings.load_dotenv", lambda *_, **__: False)
    monkeypatch.setattr("sys.stdin", io.StringIO("who controls palmyra\n"))
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "console chat" in out and "Contested" not in out and "back in control" in out


def test_run_without_token_explains(monkeypatch, capsys):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.setattr("bot.settings.load_dotenv", lambda *_, **__: False)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN" in err and "python -m bot chat" in err
