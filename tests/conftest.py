"""Shared fixtures: the shipped knowledge, loaded once, and the Discord bot for simcord."""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.discord_bot import create_bot
from bot.engine.loader import DEFAULT_PATH, load_knowledge
from bot.engine.matcher import Matcher
from bot.paths import ROOT
from bot.settings import Settings

# Where a test run may read besides the repository: the interpreter and its libraries,
# the temporary folders tests make, and the system's own files. Never ../shared or $HOME.
_ALLOWED = tuple(str(Path(p).resolve()) for p in {
    ROOT, sys.prefix, sys.base_prefix, sys.exec_prefix, tempfile.gettempdir(),
    *sysconfig.get_paths().values(), "/dev", "/proc", "/sys", "/etc", "/usr", "/lib", "/lib64",
})
_outside: list[str] = []


def _watch_opens(event: str, args: tuple) -> None:
    """Audit hook: remember every file opened outside the allowed places."""
    if event != "open" or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path = os.path.abspath(os.fsdecode(args[0]))
    if not any(path == root or path.startswith(root + os.sep) for root in _ALLOWED):
        _outside.append(path)


sys.addaudithook(_watch_opens)


@pytest.fixture(autouse=True)
def reads_stay_in_the_repository() -> Iterator[None]:
    """The repository is self-contained: a test (or the code it runs) that opens a file
    outside it and the places above fails."""
    _outside.clear()
    yield
    assert not _outside, f"read outside the repository: {sorted(set(_outside))}"


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
