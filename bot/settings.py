"""Settings from the environment and `.env`; the token is kept out of every repr and log."""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from .engine.compiled import default_cache_dir
from .engine.loader import DEFAULT_PATH
from .paths import ROOT

PROJECT_ENV = ROOT / ".env"
DEFAULT_DATA_DIR = ROOT / "data"  # git-ignored; what the bot remembers between runs
PATH_SETTINGS = ("KNOWLEDGE_PATH", "KNOWLEDGE_CACHE_DIR", "DATA_DIR", "DATA_PATH")
OFF_SETTINGS = ("KNOWLEDGE_CACHE_DIR", "DATA_PATH")  # "off" turns these off


class SettingsError(ValueError):
    """A setting that is present but unusable; the message names it."""


def _dotenv_files() -> list[Path]:
    """The `.env` files to read, in order: the working directory's, then the project's."""
    try:
        here = [Path.cwd() / ".env"]
    except OSError:  # the working directory was removed
        here = []
    return [path for path in dict.fromkeys([*here, PROJECT_ENV]) if path.is_file()]


def _dotenv_settings(path: Path) -> dict[str, str]:
    """A `.env` file's settings; a relative path in it is relative to the file's folder, not to
    wherever the bot is started ("knowledge/palmyra.yaml" in the project's .env is the project's)."""
    found = {name: value for name, value in dotenv_values(path).items() if value is not None}
    for name in PATH_SETTINGS:
        value = found.get(name, "").strip()
        if not value or (name in OFF_SETTINGS and value.lower() == "off"):
            continue
        where = Path(value).expanduser()
        found[name] = str(where if where.is_absolute() else path.parent / where)
    return found


def _ids(value: str | None) -> frozenset[int] | None:
    """The Discord ids in a setting (none when it is blank), or None when one isn't an id:
    a Discord id (a snowflake) is a positive whole number."""
    parts = (value or "").replace(",", " ").split()
    if not all(part.isdigit() for part in parts):
        return None
    ids = frozenset(int(part) for part in parts)
    return None if 0 in ids else ids


def _id_set(name: str, value: str | None) -> frozenset[int]:
    ids = _ids(value)
    if ids is None:
        raise SettingsError(f"{name} must be Discord ids separated by commas, got {value!r}")
    return ids


def _discord_id(name: str, value: str | None) -> int | None:
    ids = _ids(value)
    if ids is None or len(ids) > 1:
        raise SettingsError(f"{name} must be one Discord id, got {value!r}")
    return next(iter(ids), None)


def _optional_int(name: str, value: str | None) -> int | None:
    if not value or not value.strip():
        return None
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {value!r}") from None


def _positive(name: str, value: str | None, default: float, kind: type = float) -> float:
    if not value or not value.strip():
        return default
    try:
        number = kind(value)
    except ValueError:
        number = 0
    if not math.isfinite(number) or number <= 0:  # "nan" and "inf" parse as floats, and mean nothing here
        raise SettingsError(f"{name} must be a {'whole ' if kind is int else ''}number above 0, got {value!r}")
    return number


def _cache_dir(value: str | None) -> Path | None:
    if value is None or not value.strip():
        return default_cache_dir()
    return None if value.strip().lower() == "off" else Path(value.strip())


def _data_path(value: str | None, data_dir: Path) -> Path | None:
    """The question log's database (default: in the data directory); "off" turns question logging off."""
    if value is None or not value.strip():
        return data_dir / "questions.sqlite3"
    return None if value.strip().lower() == "off" else Path(value.strip())


def _hash_key(value: str | None) -> str | None:
    """LOG_HASH_KEY: the secret user ids are hashed with; short keys make the hashes guessable."""
    if value is None or not value.strip():
        return None
    if len(value.strip()) < 16:
        raise SettingsError("LOG_HASH_KEY must be at least 16 characters (or unset, to keep a generated one)")
    return value.strip()


@dataclass(frozen=True)
class Settings:
    token: str | None = field(default=None, repr=False)
    knowledge_path: Path = DEFAULT_PATH
    admin_role_ids: frozenset[int] = frozenset()
    ask_channel_ids: frozenset[int] = frozenset()
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    shard_count: int | None = None
    cooldown_rate: int = 5
    cooldown_per: float = 30.0
    cache_dir: Path | None = None  # compiled-knowledge cache; None: none
    data_dir: Path = DEFAULT_DATA_DIR  # what the bot remembers between runs (DATA_DIR)
    context_minutes: float = 10.0  # how long a follow-up may lean on a user's last answer
    data_path: Path | None = None  # the question log (DATA_PATH); None: no logging
    retention_days: int = 90
    log_hash_key: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, *, dotenv: bool = True) -> Settings:
        """Read settings; a `.env` file (in the working directory or the project's root) fills
        what the environment lacks. Never a parent folder's: on a shared host `/tmp/.env` or
        `/home/.env` is anyone's, and could point the cache at a folder they write."""
        if dotenv and env is None:  # the working directory's .env first, then the project's
            for path in _dotenv_files():
                for name, value in _dotenv_settings(path).items():
                    os.environ.setdefault(name, value)
        env = dict(os.environ) if env is None else env
        level = (env.get("LOG_LEVEL") or "INFO").strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise SettingsError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {level!r}")
        shards = _optional_int("SHARD_COUNT", env.get("SHARD_COUNT"))
        data_dir = Path((env.get("DATA_DIR") or "").strip() or DEFAULT_DATA_DIR)
        if shards is not None and shards < 1:
            raise SettingsError("SHARD_COUNT must be 1 or more")
        return cls(
            token=(env.get("DISCORD_TOKEN") or "").strip() or None,
            knowledge_path=Path(env.get("KNOWLEDGE_PATH") or DEFAULT_PATH),
            admin_role_ids=_id_set("ADMIN_ROLE_IDS", env.get("ADMIN_ROLE_IDS")),
            ask_channel_ids=_id_set("ASK_CHANNEL_IDS", env.get("ASK_CHANNEL_IDS")),
            dev_guild_id=_discord_id("DEV_GUILD_ID", env.get("DEV_GUILD_ID")),
            log_level=level,
            shard_count=shards,
            cooldown_rate=int(_positive("COOLDOWN_RATE", env.get("COOLDOWN_RATE"), 5, int)),
            cooldown_per=_positive("COOLDOWN_SECONDS", env.get("COOLDOWN_SECONDS"), 30.0),
            cache_dir=_cache_dir(env.get("KNOWLEDGE_CACHE_DIR")),
            data_dir=data_dir,
            context_minutes=_positive("CONTEXT_MINUTES", env.get("CONTEXT_MINUTES"), 10.0),
            data_path=_data_path(env.get("DATA_PATH"), data_dir),
            retention_days=int(_positive("RETENTION_DAYS", env.get("RETENTION_DAYS"), 90, int)),
            log_hash_key=_hash_key(env.get("LOG_HASH_KEY")),
        )
