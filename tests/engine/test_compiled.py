"""The compiled cache: a hit only when the knowledge file, the article and the engine are unchanged."""

from __future__ import annotations

import pytest

import bot.engine.compiled as compiled
from bot.engine.compiled import load_matcher
from bot.engine.loader import KnowledgeError


@pytest.fixture
def counted(monkeypatch):
    """How many times the file was really checked (as opposed to read from the cache)."""
    calls = []
    real = compiled.load_knowledge

    def load(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(compiled, "load_knowledge", load)
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
