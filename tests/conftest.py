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
_SYSTEM = tuple(str(Path(p).resolve()) for p in {
    sys.prefix, sys.base_prefix, sys.exec_prefix,
    *sysconfig.get_paths().values(), "/dev", "/proc", "/sys", "/etc", "/usr", "/lib", "/lib64",
})
_TEMP = str(Path(tempfile.gettempdir()).resolve())
# The repository's neighbours (../shared, a HOME beside it) are out of bounds even inside an
# allowed folder, as when CI copies the repository into a temporary one; pytest's own temporary
# folders are not neighbours. (Unless the repository sits right in / or the temporary folder.)
_BESIDE = (None if ROOT.parent in {Path("/"), Path(tempfile.gettempdir()).resolve()} else str(ROOT.parent))
_test_temp: list[str] = []
_outside: list[str] = []


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def _watch_opens(event: str, args: tuple) -> None:
    """Audit hook: remember every file opened outside the allowed places."""
    if event != "open" or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    path = os.path.abspath(os.fsdecode(args[0]))
    if (_within(path, str(ROOT)) or any(_within(path, temp) for temp in _test_temp)
            or any(_within(path, root) for root in _SYSTEM)):
        return
    if (_BESIDE is not None and _within(path, _BESIDE)) or not _within(path, _TEMP):
        _outside.append(path)


sys.addaudithook(_watch_opens)


@pytest.fixture(autouse=True)
def reads_stay_in_the_repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The repository is self-contained: a test (or the code it runs) that opens a file
    outside it and the places above fails."""
    if not _test_temp:
        _test_temp.append(str(tmp_path_factory.getbasetemp().resolve()))
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
