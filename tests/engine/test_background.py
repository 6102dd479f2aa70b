"""Loading in a child process, for /reload: the same matcher, the same problems."""

from __future__ import annotations

import pickle

import pytest

from bot.engine.background import _FrameReader, load_in_child, unpickle_conversation
from bot.engine.loader import KnowledgeError


def test_the_child_loads_what_the_parent_would(knowledge_copy, matcher, tmp_path):
    loaded = load_in_child(knowledge_copy, cache_dir=tmp_path / "cache").matcher
    assert loaded.knowledge.summary() == matcher.knowledge.summary()
    question = "how many air strikes did russia launch?"
    assert loaded.match(question).to_json() == matcher.match(question).to_json()
    again = load_in_child(knowledge_copy, cache_dir=tmp_path / "cache").matcher  # from the cache the child wrote
    assert again.match(question).to_json() == matcher.match(question).to_json()


def test_a_bad_file_raises_the_childs_problems(knowledge_copy):
    text = knowledge_copy.read_text(encoding="utf-8")
    knowledge_copy.write_text(text.replace("had launched 64 strikes", "had launched 65 strikes", 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as refused:
        load_in_child(knowledge_copy)
    assert refused.value.problems and "65 strikes" in str(refused.value)


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path):
    with pytest.raises(KnowledgeError):
        load_in_child(tmp_path / "nowhere.yaml")


def test_frame_reader_reads_like_a_file():
    data = b"head\n" + pickle.dumps({"a": list(range(50_000))}, protocol=pickle.HIGHEST_PROTOCOL)
    reader = _FrameReader(data)
    assert reader.readline() == b"head\n"
    assert pickle.load(reader) == {"a": list(range(50_000))}
    assert reader.read() == b""


def test_only_a_conversation_is_accepted():
    with pytest.raises(TypeError):
        unpickle_conversation(pickle.dumps(["not", "a", "matcher"]))
