"""Settings from the environment and `.env`; the token is kept out of every repr and log."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import find_dotenv, load_dotenv

from .engine.compiled import default_cache_dir
from .paths import ROOT
from .engine.loader import DEFAULT_PATH


PROJECT_ENV = ROOT / ".env"
DEFAULT_DATA_DIR = ROOT / "data"  # git-ignored; what the bot remembers between runs


class SettingsError(ValueError):
    """A setting that is present but unusable; the message names it."""


def _ids(name: str, value: str | None) -> frozenset[int]:
    if not value or not value.strip():
        return frozenset()
    try:
        return frozenset(int(part) for part in value.replace(",", " ").split())
    except ValueError:
        raise SettingsError(f"{name} must be Discord ids separated by commas, got {value!r}") from None


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
    if number <= 0:
        raise SettingsError(f"{name} must be a {'whole ' if kind is int else ''}number above 0, got {value!r}")
    return number


def _cache_dir(value: str | None) -> Path | None:
    if value is None or not value.strip():
        return default_cache_dir()
    return None if value.strip().lower() == "off" else Path(value.strip())


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
    data_dir: Path = DEFAULT_DATA_DIR

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, *, dotenv: bool = True) -> Settings:
        """Read settings; a `.env` file (in the working directory or the project's root) fills
        what the environment lacks."""
        if dotenv and env is None:  # the working directory's .env first, then the project's
            load_dotenv(find_dotenv(usecwd=True), override=False)
            load_dotenv(PROJECT_ENV, override=False)
        env = dict(os.environ) if env is None else env
        level = (env.get("LOG_LEVEL") or "INFO").strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise SettingsError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {level!r}")
        shards = _optional_int("SHARD_COUNT", env.get("SHARD_COUNT"))
        if shards is not None and shards < 1:
            raise SettingsError("SHARD_COUNT must be 1 or more")
        return cls(
            token=(env.get("DISCORD_TOKEN") or "").strip() or None,
            knowledge_path=Path(env.get("KNOWLEDGE_PATH") or DEFAULT_PATH),
            admin_role_ids=_ids("ADMIN_ROLE_IDS", env.get("ADMIN_ROLE_IDS")),
            ask_channel_ids=_ids("ASK_CHANNEL_IDS", env.get("ASK_CHANNEL_IDS")),
            dev_guild_id=_optional_int("DEV_GUILD_ID", env.get("DEV_GUILD_ID")),
            log_level=level,
            shard_count=shards,
            cooldown_rate=int(_positive("COOLDOWN_RATE", env.get("COOLDOWN_RATE"), 5, int)),
            cooldown_per=_positive("COOLDOWN_SECONDS", env.get("COOLDOWN_SECONDS"), 30.0),
            cache_dir=_cache_dir(env.get("KNOWLEDGE_CACHE_DIR")),
            data_dir=Path((env.get("DATA_DIR") or "").strip() or DEFAULT_DATA_DIR),
        )
