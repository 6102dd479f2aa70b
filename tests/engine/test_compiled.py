"""The compiled cache: a hit only when the knowledge file, the article and the engine are unchanged."""

from __future__ import annotations

import gc
import hashlib
import hmac
import importlib.metadata
import logging
import os
import pickle
import shutil
import stat
import sys
import time
import weakref
from pathlib import Path

import pytest

import bot.engine.compiled as compiled
from bot.engine.compiled import load_matcher
from bot.engine.loader import KnowledgeError
from bot.engine.matcher import Matcher


@pytest.fixture
def counted(monkeypatch):
    """How many times the file was really checked (as opposed to read from the cache)."""
    calls = []
    real = compiled.knowledge_from_bytes

    def load(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(compiled, "knowledge_from_bytes", load)
    return calls


def test_unchanged_file_comes_from_the_cache(knowledge_copy, tmp_path, counted):
    cache = tmp_path / "cache"
    first = load_matcher(knowledge_copy, cache_dir=cache)
    second = load_matcher(knowledge_copy, cache_dir=cache)
    assert len(counted) == 1 and len(list(cache.glob("*.pickle"))) == 1
    assert second.knowledge.entries == first.knowledge.entries
    assert second.knowledge.loaded_at >= first.knowledge.loaded_at
    assert second.match("who controls palmyra").entry.id == "who-controls-palmyra"
    with pytest.raises(TypeError):
        second.knowledge.by_id["x"] = None  # still read-only after the round trip


def test_an_edit_misses_and_a_broken_edit_is_refused(knowledge_copy, tmp_path, counted):
    cache = tmp_path / "cache"
    load_matcher(knowledge_copy, cache_dir=cache)
    text = knowledge_copy.read_text(encoding="utf-8")
    knowledge_copy.write_text(text.replace("had launched 64 strikes", "had launched 65 strikes"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="quote is not in the article"):
        load_matcher(knowledge_copy, cache_dir=cache)
    assert len(counted) == 2


def test_a_changed_article_is_checked_again(knowledge_copy, tmp_path, counted):
    cache = tmp_path / "cache"
    load_matcher(knowledge_copy, cache_dir=cache)
    article = knowledge_copy.parent / "palmyra.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("64 strikes", "46 strikes"), encoding="utf-8")
    with pytest.raises(KnowledgeError):
        load_matcher(knowledge_copy, cache_dir=cache)


def test_a_corrupt_cache_is_only_a_miss(knowledge_copy, tmp_path, counted):
    cache = tmp_path / "cache"
    load_matcher(knowledge_copy, cache_dir=cache)
    [entry] = cache.glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    assert load_matcher(knowledge_copy, cache_dir=cache).knowledge.entries
    assert len(counted) == 2


def test_the_same_file_beside_another_article_is_checked_against_that_article(knowledge_copy, tmp_path, counted):
    cache = tmp_path / "cache"
    load_matcher(knowledge_copy, cache_dir=cache)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "palmyra.yaml").write_bytes(knowledge_copy.read_bytes())
    article = (knowledge_copy.parent / "palmyra.txt").read_text(encoding="utf-8")
    (elsewhere / "palmyra.txt").write_text(article.replace("64 strikes", "46 strikes"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match="quote is not in the article"):
        load_matcher(elsewhere / "palmyra.yaml", cache_dir=cache)


# -- a cache that cannot be used to run code ------------------------------------------------------------

OTHER_USER = 65534  # nobody: tests run as root here, so "someone else" is a chown away


class Planted:
    """What an attacker would leave: unpickling it opens (creates) a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return open, (str(self.marker), "w")


def entry_of(cache: Path) -> Path:
    [entry] = cache.glob("*.pickle")
    return entry


@pytest.mark.parametrize("how", ["no signature", "wrong signature", "signed with another key"])
def test_a_planted_pickle_under_the_right_name_is_refused_and_never_run(knowledge_copy, tmp_path, counted,
                                                                        caplog, how):
    cache, marker = tmp_path / "cache", tmp_path / "ran"
    load_matcher(knowledge_copy, cache_dir=cache)
    payload = pickle.dumps(Planted(marker))
    if how == "no signature":
        planted = payload
    else:
        key = os.urandom(32) if how == "signed with another key" else b"\0" * 32
        planted = compiled.MAGIC + hmac.new(key, payload, hashlib.sha256).digest() + payload
    entry_of(cache).write_bytes(planted)
    with caplog.at_level(logging.WARNING):
        matcher = load_matcher(knowledge_copy, cache_dir=cache)
    assert not marker.exists()
    assert len(counted) == 2 and matcher.match("who controls palmyra").entry.id == "who-controls-palmyra"
    assert "refusing the knowledge cache entry" in caplog.text
    assert entry_of(cache).read_bytes() != planted  # rebuilt
    assert len(load_matcher(knowledge_copy, cache_dir=cache).knowledge.entries) and len(counted) == 2


@pytest.mark.parametrize("what", ["folder", "entry"])
@pytest.mark.parametrize("how", ["owned by another user", "writable by others"])
def test_a_cache_someone_else_could_write_is_refused(knowledge_copy, tmp_path, counted, caplog, what, how):
    cache, marker = tmp_path / "cache", tmp_path / "ran"
    load_matcher(knowledge_copy, cache_dir=cache)
    target = cache if what == "folder" else entry_of(cache)
    # even a correctly signed entry is not trusted from there: whoever could write it could have replaced the key
    if how == "owned by another user":
        os.chown(target, OTHER_USER, OTHER_USER)
    else:
        target.chmod(target.stat().st_mode | 0o022)
    with caplog.at_level(logging.WARNING):
        load_matcher(knowledge_copy, cache_dir=cache)
    assert len(counted) == 2
    assert "refusing the knowledge cache" in caplog.text and "checking the knowledge file instead" in caplog.text
    assert not marker.exists()


def test_a_key_others_could_read_is_replaced(knowledge_copy, tmp_path, counted, caplog):
    cache = tmp_path / "cache"
    load_matcher(knowledge_copy, cache_dir=cache)
    key = cache / compiled.KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(cache.stat().st_mode) == 0o700
    old = key.read_bytes()
    key.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        load_matcher(knowledge_copy, cache_dir=cache)
    assert "replacing the knowledge cache key" in caplog.text
    assert key.read_bytes() != old and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(counted) == 2  # the old entries were signed with the old key


def test_a_hit_rebuilds_around_fresh_knowledge_and_never_edits_the_matcher(knowledge_copy, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = load_matcher(knowledge_copy, cache_dir=cache)
    edits = []
    monkeypatch.setattr(Matcher, "__setattr__", lambda self, name, value: edits.append(name), raising=False)
    second = load_matcher(knowledge_copy, cache_dir=cache)
    assert edits == []
    assert second.knowledge.loaded_at > first.knowledge.loaded_at
    assert second.knowledge.entries == first.knowledge.entries


def test_old_versions_and_stale_temp_files_are_pruned(knowledge_copy, tmp_path):
    cache = tmp_path / "cache"
    load_matcher(knowledge_copy, cache_dir=cache)
    stale, fresh = cache / "tmpold.tmp", cache / "tmpnew.tmp"
    stale.write_bytes(b"half")
    older_bot = cache / ("0" * 64 + ".pickle")  # an unsigned entry of the bot before this cache format
    older_bot.write_bytes(b"old")
    fresh.write_bytes(b"being written")
    os.utime(stale, (time.time() - 3600,) * 2)
    text = knowledge_copy.read_text(encoding="utf-8")
    knowledge_copy.write_text(text + "\n# an edit\n", encoding="utf-8")
    load_matcher(knowledge_copy, cache_dir=cache)
    other = tmp_path / "other" / "palmyra.yaml"
    other.parent.mkdir()
    shutil.copy(knowledge_copy.parent / "palmyra.txt", other.parent)
    shutil.copy(knowledge_copy, other)
    load_matcher(other, cache_dir=cache)
    assert len(list(cache.glob("*.pickle"))) == 2  # the newest of each knowledge file
    assert not stale.exists() and fresh.exists() and not older_bot.exists()


def test_the_cache_key_covers_every_engine_module_and_the_index_libraries():
    fingerprint = compiled.engine_fingerprint()
    package = Path(compiled.__file__).parent
    for module in package.rglob("*.py"):
        assert module.relative_to(package).as_posix().encode() + b"\0" + module.read_bytes() in fingerprint
    for library in ("rapidfuzz", "PyStemmer", "pyspellchecker", "PyYAML"):
        assert f"{library}=={importlib.metadata.version(library)}".encode() in fingerprint
    assert sys.version.encode() in fingerprint


def test_a_load_freezes_what_it_made(knowledge_copy):
    gc.unfreeze()
    load_matcher(knowledge_copy)
    assert gc.get_freeze_count() > 0


def test_a_replaced_matcher_is_freed_without_the_cyclic_collector(knowledge_copy):
    """Frozen objects are never collected for cycles: a Matcher must free itself by reference
    counting alone, or every /reload after `gc.freeze` would keep the old one for good."""
    matcher = load_matcher(knowledge_copy)
    matcher.match("who controls palmyra")
    gone = weakref.ref(matcher)
    del matcher
    assert gone() is None


def test_a_symlink_in_place_of_an_entry_is_not_followed(knowledge_copy, tmp_path, counted, caplog):
    cache = tmp_path / "cache"
    load_matcher(knowledge_copy, cache_dir=cache)
    entry = entry_of(cache)
    elsewhere = tmp_path / "elsewhere.pickle"
    elsewhere.write_bytes(entry.read_bytes())  # a valid, signed copy: only the symlink is wrong
    entry.unlink()
    entry.symlink_to(elsewhere)
    with caplog.at_level(logging.WARNING):
        load_matcher(knowledge_copy, cache_dir=cache)
    assert len(counted) == 2 and "refusing the knowledge cache entry" in caplog.text and not entry.is_symlink()
