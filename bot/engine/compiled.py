"""A compiled cache of checked, indexed knowledge, so an unchanged file loads in a second.

Checking and indexing 100,000 entries takes about half a minute; unpickling
the result takes about one second. An entry's name is a hash of the knowledge
file's bytes and path, of every module of this package and of the versions of
the libraries that shape an index, so any change to one of them misses; a hit
is also refused when the article text has changed since.

Entries are pickles, and unpickling runs code named in the file, so the cache
trusts nothing it did not write itself: the folder must belong to this user
and be writable by no one else, and every entry carries an HMAC made with a
random key kept in that folder (0600), checked before a byte is unpickled.
Anything else is refused with a warning and the file is checked afresh.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import gc
import hashlib
import hmac
import importlib.metadata
import logging
import os
import pickle
import secrets
import stat
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from .analyzer import english
from .article import parse_article
from .files import Unreadable, read_regular, shown
from .knowledge import Knowledge
from .loader import MAX_ARTICLE_BYTES, MAX_BYTES, knowledge_from_bytes, read_knowledge_bytes
from .matcher import Matcher

log = logging.getLogger(__name__)

# the libraries whose behaviour is baked into an index: a new version may tokenize,
# stem, spell-correct or parse differently
INDEX_LIBRARIES = ("rapidfuzz", "PyStemmer", "pyspellchecker", "PyYAML")
MAGIC = b"palmyra-bot cache 2\n"
KEY_FILE = "key"
STALE_TEMP_SECONDS = 60
_SIGNATURE = hashlib.sha256().digest_size


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "palmyra-bot"


def load_matcher(path: Path | str, *, cache_dir: Path | None = None, max_bytes: int = MAX_BYTES) -> Matcher:
    """Check and index a knowledge file, or take the result from the cache when nothing changed.

    `cache_dir=None` never reads or writes a cache. Raises KnowledgeError like `load_knowledge`.
    The English dictionary the spell-checker consults is loaded here too, off the
    event loop, rather than by the first question. Every load ends here, so here the
    loaded objects are moved out of the collector's reach (`gc.freeze`): a full
    collection would otherwise walk every entry and index set on the event loop.
    """
    english()
    path = Path(path)
    data = read_knowledge_bytes(path, max_bytes=max_bytes)  # once: what is checked is what is keyed
    matcher = _through_cache(path, data, cache_dir) if cache_dir is not None else _build(path, data)
    gc.freeze()
    return matcher


def _build(path: Path, data: bytes) -> Matcher:
    return Matcher(knowledge_from_bytes(path, data))


def _through_cache(path: Path, data: bytes, cache_dir: Path) -> Matcher:
    key = _private_key(cache_dir)
    if key is None:
        return _build(path, data)
    where = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    cached = cache_dir / f"{where}-{_digest(data, str(path.resolve()).encode(), engine_fingerprint())}.pickle"
    matcher = _read(cached, key)
    if matcher is None:
        matcher = _build(path, data)
        _write(cached, key, matcher)
    _prune(cache_dir, keep=cached, prefix=f"{where}-")
    return matcher


def _digest(*parts: bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(hashlib.sha256(part).digest())
    return hasher.hexdigest()


def engine_fingerprint() -> bytes:
    """Every module of this package (found, not listed), the index libraries' versions, Python's."""
    here = Path(__file__).resolve().parent
    modules = sorted(p.relative_to(here).as_posix() for p in here.rglob("*.py"))
    parts = [name.encode() + b"\0" + (here / name).read_bytes() for name in modules]
    for library in INDEX_LIBRARIES:
        try:
            parts.append(f"{library}=={importlib.metadata.version(library)}".encode())
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{library} absent".encode())
    parts.append(f"{sys.version} pickle {pickle.HIGHEST_PROTOCOL}".encode())
    return b"\0".join(parts)


# -- trust: the folder, the key ----------------------------------------------------------------------------

def _untrusted(info: os.stat_result) -> str | None:
    """Why a file or folder of the cache cannot be trusted, or None."""
    if info.st_uid != os.geteuid():
        return f"it belongs to user id {info.st_uid}, not to this user ({os.geteuid()})"
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "others can write to it"
    return None


def _private_key(cache_dir: Path) -> bytes | None:
    """The cache's signing key, made on first use; None (with a warning) when the folder is not private."""
    try:
        cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.stat(cache_dir)
    except OSError as exc:
        log.warning("not using the knowledge cache %s: %s", shown(cache_dir), exc.strerror or exc)
        return None
    why = "it is not a folder" if not stat.S_ISDIR(info.st_mode) else _untrusted(info)
    if why:
        log.warning("refusing the knowledge cache folder %s (%s): checking the knowledge file instead",
                    shown(cache_dir), why)
        return None
    key_path = cache_dir / KEY_FILE
    try:
        key = _read_key(key_path)
    except (OSError, ValueError) as exc:
        log.warning("replacing the knowledge cache key %s (%s): every cached entry is rebuilt",
                    shown(key_path), exc)
        try:
            key_path.unlink(missing_ok=True)
        except OSError:
            return None
        key = None
    try:
        return key if key is not None else _new_key(key_path)
    except OSError as exc:
        log.warning("not using the knowledge cache %s: cannot make its key: %s", shown(cache_dir), exc.strerror)
        return None


def _read_key(key_path: Path) -> bytes | None:
    try:
        fd = os.open(key_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_uid != os.geteuid() or info.st_mode & 0o077:
            raise ValueError("others could read or write it")
        key = handle.read(_SIGNATURE + 1)
    if len(key) != _SIGNATURE:
        raise ValueError("it is not a key")
    return key


def _new_key(key_path: Path) -> bytes:
    """Write a fresh key (0600) under a temporary name and link it in, so a reader never sees half a key;
    if another process linked its own first, use that one."""
    key = secrets.token_bytes(_SIGNATURE)
    fd, temp = tempfile.mkstemp(dir=key_path.parent, suffix=".tmp")  # mkstemp: 0600
    try:
        os.write(fd, key)
        os.close(fd)
        try:
            os.link(temp, key_path)
        except FileExistsError:
            return _read_key(key_path) or key
    finally:
        os.unlink(temp)
    return key


# -- entries: signed on write, verified before unpickling ---------------------------------------------------

class _Signing:
    """A write-only file that signs what passes through it."""

    def __init__(self, handle: IO[bytes], key: bytes) -> None:
        self.handle = handle
        self.mac = hmac.new(key, digestmod=hashlib.sha256)

    def write(self, data: Any) -> int:
        self.mac.update(data)
        return self.handle.write(data)


def _read(cached: Path, key: bytes) -> Matcher | None:
    try:
        fd = os.open(cached, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:  # ELOOP: a symlink planted in place of an entry
        _refuse(cached, exc.strerror or str(exc))
        return None
    try:
        return _verified(fd, cached, key)
    except OSError as exc:
        log.warning("ignoring unreadable knowledge cache %s: %s", shown(cached), exc.strerror or exc)
        return None


def _verified(fd: int, cached: Path, key: bytes) -> Matcher | None:
    """The entry's Matcher if the file is ours and its signature holds, checked before unpickling."""
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        why = "not a regular file" if not stat.S_ISREG(info.st_mode) else _untrusted(info)
        if why:
            _refuse(cached, why)
            return None
        if handle.read(len(MAGIC)) != MAGIC:
            _refuse(cached, "not written by this version of the bot")
            return None
        signature = handle.read(_SIGNATURE)
        mac = hmac.new(key, digestmod=hashlib.sha256)
        while chunk := handle.read(1 << 20):
            mac.update(chunk)
        if not hmac.compare_digest(signature, mac.digest()):
            _refuse(cached, "its signature does not match this cache's key")
            return None
        # signed by us, and only we can write here (checked above): what follows is our own pickle
        handle.seek(len(MAGIC) + _SIGNATURE)
        try:
            return _unpickle(handle)
        except Exception:  # a file we wrote but cannot read back is only a miss
            log.warning("ignoring unreadable knowledge cache %s", shown(cached), exc_info=True)
            return None


def _unpickle(handle: IO[bytes]) -> Matcher | None:
    """The Knowledge, then the Matcher, from one pickle stream whose memo they share: the
    Matcher is built around the Knowledge as unpickled (loaded now), never edited after."""
    reader = pickle.Unpickler(handle)
    knowledge = reader.load()
    if not isinstance(knowledge, Knowledge) or not _same_article(knowledge):
        return None  # the article changed: the quotes must be checked again
    matcher = reader.load()
    return matcher if isinstance(matcher, Matcher) and matcher.knowledge is knowledge else None


def _reduce_knowledge(knowledge: Knowledge) -> tuple[Any, tuple[Any, ...]]:
    """Pickle a Knowledge its own way, wrapped so that it unpickles as loaded now."""
    rebuild, args = knowledge.__reduce__()[:2]
    return _loaded_now, (rebuild, args)


def _loaded_now(rebuild: Any, args: tuple[Any, ...]) -> Knowledge:
    """Unpickling: the cached Knowledge with `loaded_at` now (a copy made before anything sees it)."""
    knowledge: Knowledge = rebuild(*args)
    return dataclasses.replace(knowledge, loaded_at=datetime.now(UTC))


def _same_article(knowledge: Knowledge) -> bool:
    """Whether the article still reads as the text the quotes were checked against."""
    try:
        raw = read_regular(knowledge.article.path, MAX_ARTICLE_BYTES).decode("utf-8")
        return parse_article(raw).text == knowledge.article.text
    except (Unreadable, UnicodeDecodeError, ValueError):
        return False  # the check proper will say what is wrong with it


def _refuse(cached: Path, why: str) -> None:
    log.warning("refusing the knowledge cache entry %s (%s): checking the knowledge file instead",
                shown(cached), why)
    with contextlib.suppress(OSError):
        cached.unlink()


def _write(cached: Path, key: bytes, matcher: Matcher) -> None:
    """Write atomically (temp file, then rename), so a reader never sees half an entry."""
    temp: str | None = None
    try:
        with tempfile.NamedTemporaryFile(dir=cached.parent, delete=False, suffix=".tmp") as handle:  # 0600
            temp = handle.name
            handle.write(MAGIC + bytes(_SIGNATURE))
            signing = _Signing(handle, key)
            pickler = pickle.Pickler(signing, protocol=pickle.HIGHEST_PROTOCOL)  # one memo for both dumps
            pickler.dispatch_table = {**copyreg.dispatch_table, Knowledge: _reduce_knowledge}
            pickler.dump(matcher.knowledge)  # first, so a changed article is found before the rest is read
            pickler.dump(matcher)
            handle.seek(len(MAGIC))
            handle.write(signing.mac.digest())
        os.replace(temp, cached)
    except (OSError, pickle.PicklingError):
        log.warning("could not write the knowledge cache %s", shown(cached), exc_info=True)
        if temp is not None:
            Path(temp).unlink(missing_ok=True)


def _prune(cache_dir: Path, *, keep: Path, prefix: str) -> None:
    """Keep only the newest entry of each knowledge file; remove temp files a killed writer left."""
    now = time.time()
    try:
        for item in cache_dir.iterdir():
            superseded = item.suffix == ".pickle" and item != keep and (
                item.name.startswith(prefix) or "-" not in item.stem)  # no "-": an older bot's unsigned entry
            stale = item.suffix == ".tmp" and now - item.lstat().st_mtime > STALE_TEMP_SECONDS
            if superseded or stale:
                item.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not tidy the knowledge cache %s: %s", shown(cache_dir), exc.strerror or exc)
