"""Settings: read from the environment and `.env`, named when bad, the token never shown."""

from __future__ import annotations

import pytest

import bot.settings
from bot.settings import Settings, SettingsError

NAMES = ("DISCORD_TOKEN", "ADMIN_ROLE_IDS", "ASK_CHANNEL_IDS", "DEV_GUILD_ID", "SHARD_COUNT", "LOG_LEVEL",
         "KNOWLEDGE_CACHE_DIR", "KNOWLEDGE_PATH", "DATA_DIR", "DATA_PATH")


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No setting in the environment and no project `.env`, so only the test's files count."""
    for name in NAMES:  # set, then deleted: so what `.env` sets is undone after the test as well
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setattr(bot.settings, "PROJECT_ENV", tmp_path / "project" / ".env")
    return monkeypatch


def test_settings_from_env_and_dotenv(tmp_path, clean_env):
    clean_env.chdir(tmp_path)
    (tmp_path / ".env").write_text("DISCORD_TOKEN=secret-token\nADMIN_ROLE_IDS=1, 2\nASK_CHANNEL_IDS=3\n"
                                   "DEV_GUILD_ID=4\nSHARD_COUNT=2\nLOG_LEVEL=debug\n", encoding="utf-8")
    settings = Settings.from_env()
    assert settings.token == "secret-token"
    assert settings.admin_role_ids == {1, 2} and settings.ask_channel_ids == {3}
    assert (settings.dev_guild_id, settings.shard_count, settings.log_level) == (4, 2, "DEBUG")
    assert "secret-token" not in repr(settings)


@pytest.mark.parametrize("env", [{"ADMIN_ROLE_IDS": "admins"}, {"SHARD_COUNT": "0"}, {"LOG_LEVEL": "LOUD"},
                                 {"DEV_GUILD_ID": "x"}, {"COOLDOWN_RATE": "0"}, {"COOLDOWN_RATE": "1.5"},
                                 {"COOLDOWN_SECONDS": "-3"}, {"COOLDOWN_SECONDS": "nan"}, {"COOLDOWN_SECONDS": "inf"},
                                 {"CONTEXT_MINUTES": "nan"}, {"CONTEXT_MINUTES": "Infinity"}, {"DEV_GUILD_ID": "-1"},
                                 {"DEV_GUILD_ID": "1 2"}, {"ASK_CHANNEL_IDS": "5, -5"}, {"ADMIN_ROLE_IDS": "0"},
                                 {"ADMIN_ROLE_IDS": "1.5"}])
def test_bad_settings_are_named(env):
    with pytest.raises(SettingsError, match=next(iter(env))):
        Settings.from_env(env)


def test_blank_id_settings_mean_none():
    settings = Settings.from_env({"ADMIN_ROLE_IDS": ",", "ASK_CHANNEL_IDS": " , ", "DEV_GUILD_ID": " "})
    assert not settings.admin_role_ids and not settings.ask_channel_ids and settings.dev_guild_id is None


def test_cooldown_seconds_may_be_fractional():
    assert Settings.from_env({"COOLDOWN_SECONDS": "1.5", "COOLDOWN_RATE": "2"}).cooldown_per == 1.5


def test_a_parent_folders_dotenv_is_never_read(tmp_path, clean_env):
    """On a shared host a parent's `.env` (`/tmp/.env`) is anyone's: it must not set the cache folder."""
    (tmp_path / ".env").write_text("KNOWLEDGE_CACHE_DIR=/tmp/planted\nDISCORD_TOKEN=theirs\n", encoding="utf-8")
    work = tmp_path / "work" / "deeper"
    work.mkdir(parents=True)
    clean_env.chdir(work)
    settings = Settings.from_env()
    assert settings.token is None and str(settings.cache_dir) != "/tmp/planted"


def test_the_working_directorys_dotenv_comes_before_the_projects(tmp_path, clean_env):
    project = tmp_path / "project"
    project.mkdir()
    (project / ".env").write_text("DISCORD_TOKEN=project\nLOG_LEVEL=warning\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    (work / ".env").write_text("DISCORD_TOKEN=here\n", encoding="utf-8")
    clean_env.chdir(work)
    settings = Settings.from_env()
    assert (settings.token, settings.log_level) == ("here", "WARNING")


def test_a_relative_path_in_a_dotenv_is_relative_to_its_folder(tmp_path, clean_env):
    """The project's `.env` saying knowledge/palmyra.yaml means the project's, wherever the bot starts."""
    project = tmp_path / "project"
    project.mkdir()
    (project / ".env").write_text("KNOWLEDGE_PATH=knowledge/mine.yaml\nDATA_DIR=data\nKNOWLEDGE_CACHE_DIR=off\n"
                                  "DATA_PATH=/var/lib/bot/q.sqlite3\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean_env.chdir(elsewhere)
    settings = Settings.from_env()
    assert settings.knowledge_path == project / "knowledge" / "mine.yaml"
    assert settings.data_dir == project / "data" and settings.cache_dir is None
    assert str(settings.data_path) == "/var/lib/bot/q.sqlite3"
