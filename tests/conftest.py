"""Shared fixtures: the shipped knowledge, loaded once, and the Discord bot for simcord."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import read_guard

from bot.discord_bot import create_bot
from bot.engine.loader import DEFAULT_PATH, load_knowledge
from bot.engine.matcher import Matcher
from bot.settings import Settings


@pytest.fixture(autouse=True)
def reads_stay_in_the_repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The repository is self-contained: a test (or the code it runs) that opens a file
    outside it and the places read_guard allows fails."""
    if not read_guard.test_temp:
        read_guard.test_temp.append(str(tmp_path_factory.getbasetemp().resolve()))
    read_guard.outside.clear()
    yield
    assert not read_guard.outside, f"read outside the repository: {sorted(set(read_guard.outside))}"


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands that read settings from the environment cache under the test's tmp, not ~/.cache."""
    monkeypatch.setenv("KNOWLEDGE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "knowledge-cache"))
    monkeypatch.setenv("DATA_DIR", str(tmp_path_factory.getbasetemp() / "data"))


@pytest.fixture(scope="session")
def matcher() -> Matcher:
    return Matcher(load_knowledge(DEFAULT_PATH))


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A copy of the shipped knowledge a test may edit, as an admin would before /reload."""
    shutil.copy(DEFAULT_PATH.parent / "palmyra.txt", tmp_path / "palmyra.txt")
    target = tmp_path / "palmyra.yaml"
    shutil.copy(DEFAULT_PATH, target)
    return target


@pytest.fixture
def settings(knowledge_copy: Path, tmp_path: Path) -> Settings:
    return Settings(knowledge_path=knowledge_copy, cache_dir=tmp_path / "cache", data_dir=tmp_path / "data")


@pytest.fixture
def simcord_bot(settings: Settings):
    """The real bot, unstarted: simcord connects it to its in-memory Discord."""
    return create_bot(settings)
