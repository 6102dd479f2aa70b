"""A compiled cache of checked, indexed knowledge, so an unchanged file loads in a second.

Checking and indexing 100,000 entries takes about half a minute; unpickling
the result takes about one second. The cache key is a hash of the knowledge
file's bytes and path and of the engine's own source, so any edit to either
misses; a hit is also refused when the article text has changed since.
Entries are pickles, so the cache directory is created private (0700):
whoever can write there could run code as the bot, as with any Python cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import pickle
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from .analyzer import english
from .gc_pause import gc_paused
from .loader import MAX_BYTES, load_knowledge
from .matcher import Matcher

log = logging.getLogger(__name__)

_ENGINE_SOURCES = ("analyzer.py", "article.py", "knowledge.py", "loader.py", "matcher.py", "text.py", "compiled.py")


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "palmyra-bot"


def _digest(*parts: bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(hashlib.sha256(part).digest())
    return hasher.hexdigest()


def _engine_digest() -> bytes:
    here = Path(__file__).resolve().parent
    sources = b"".join((here / name).read_bytes() for name in _ENGINE_SOURCES)
    return sources + sys.version.encode() + str(pickle.HIGHEST_PROTOCOL).encode()


def load_matcher(path: Path | str, *, cache_dir: Path | None = None, max_bytes: int = MAX_BYTES) -> Matcher:
    """Check and index a knowledge file, or take the result from the cache when nothing changed.

    `cache_dir=None` never reads or writes a cache. Raises KnowledgeError like `load_knowledge`.
    The English dictionary the spell-checker consults is loaded here too, off the
    event loop, rather than by the first question.
    """
    english()
    path = Path(path)
    if cache_dir is None:
        return Matcher(load_knowledge(path, max_bytes=max_bytes))
    try:
        if path.stat().st_size > max_bytes:
            raise OSError("over the size limit")  # load_knowledge reports it properly
        # the path too: the same bytes elsewhere may name another article beside them
        key = _digest(path.read_bytes(), str(path.resolve()).encode(), _engine_digest())
    except OSError:
        return Matcher(load_knowledge(path, max_bytes=max_bytes))
    cached = cache_dir / f"{key}.pickle"
    matcher = _read(cached)
    if matcher is not None:
        return matcher
    matcher = Matcher(load_knowledge(path, max_bytes=max_bytes))
    _write(cached, matcher)
    return matcher


def _article_digest(matcher: Matcher) -> str:
    return _digest(matcher.knowledge.article.path.read_bytes())


def _read(cached: Path) -> Matcher | None:
    try:
        with cached.open("rb") as handle, gc_paused():
            article_digest, matcher = pickle.load(handle)
        if not isinstance(matcher, Matcher) or _article_digest(matcher) != article_digest:
            return None  # the article changed: the quotes must be checked again
    except FileNotFoundError:
        return None
    except Exception:  # a truncated or foreign file is only a miss
        log.warning("ignoring unreadable knowledge cache %s", cached, exc_info=True)
        return None
    knowledge = dataclasses.replace(matcher.knowledge, loaded_at=datetime.now(timezone.utc))
    matcher.knowledge = knowledge
    return matcher


def _write(cached: Path, matcher: Matcher) -> None:
    """Write atomically (temp file, then rename), so a reader never sees half a cache."""
    temp: str | None = None
    try:
        cached.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=cached.parent, delete=False, suffix=".tmp") as handle:
            temp = handle.name
            pickle.dump((_article_digest(matcher), matcher), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, cached)
    except (OSError, pickle.PicklingError):
        log.warning("could not write the knowledge cache %s", cached, exc_info=True)
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
