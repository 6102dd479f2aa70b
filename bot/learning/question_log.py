"""The question log: what people asked, what they got, and what they said about it, in SQLite.

Why a thread: the bot answers on one event loop, and a disk write (or a slow disk)
must never hold an answer back. `QuestionLog.asked` and friends only put a tuple
on a queue (a few microseconds); one writer thread owns the only writing
connection and commits what has queued up in one transaction. The user id is
hashed there too, with a keyed HMAC, so the raw id is never stored.

Why it never stops the bot: a database that is corrupt, read-only, from a newer
version of this code, or on a full disk turns logging off with ONE warning, and
the bot goes on answering. A clean `close()` writes everything accepted before it.
WAL mode with whole transactions means a process killed mid-burst leaves a
database that opens and passes `PRAGMA integrity_check` (the batch in flight is lost).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import hmac
import json
import logging
import os
import queue
import random
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..engine.formatting import outcome

if TYPE_CHECKING:
    from ..engine.knowledge import Knowledge
    from ..engine.matcher import Match

log = logging.getLogger(__name__)

HELPFUL, NOT_RIGHT = "helpful", "not-right"
DM = "DM"  # the guild of a direct message; its channel id is not kept
DAY = 86400.0
BATCH = 500
MAX_QUEUE = 100_000  # beyond this the disk can't keep up: drop, and say so once
YIELD_EVERY = 50

# Each step moves the schema one version forward; PRAGMA user_version says how many ran.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            asked_at REAL NOT NULL,
            guild TEXT NOT NULL,
            channel_id INTEGER,
            user_hash TEXT NOT NULL,
            source TEXT NOT NULL,
            question TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'did-you-mean', 'doesnt-say')),
            entry_id TEXT,
            confidence INTEGER NOT NULL,
            suggestions TEXT NOT NULL,
            knowledge_version TEXT NOT NULL)""",
        "CREATE INDEX questions_asked_at ON questions (asked_at)",
        "CREATE INDEX questions_user ON questions (user_hash)",
        """CREATE TABLE votes (
            question_id INTEGER NOT NULL,
            user_hash TEXT NOT NULL,
            vote TEXT NOT NULL CHECK (vote IN ('helpful', 'not-right')),
            entry_id TEXT,
            voted_at REAL NOT NULL,
            PRIMARY KEY (question_id, user_hash))""",
        "CREATE INDEX votes_voted_at ON votes (voted_at)",
        """CREATE TABLE picks (
            question_id INTEGER NOT NULL,
            user_hash TEXT NOT NULL,
            entry_id TEXT NOT NULL,
            picked_at REAL NOT NULL,
            PRIMARY KEY (question_id, user_hash, entry_id))""",
        "CREATE INDEX picks_picked_at ON picks (picked_at)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class LogUnavailable(RuntimeError):
    """The database can't be used for logging; the message says why, for the one warning."""


_versions: dict[int, tuple[Knowledge, str]] = {}


def knowledge_version(knowledge: Knowledge) -> str:
    """A short digest of the loaded entries, so a question is tied to the file that answered it.

    Computed once per loaded Knowledge (in the writer thread, off the event loop).
    """
    found = _versions.get(id(knowledge))
    if found is not None and found[0] is knowledge:
        return found[1]
    digest = hashlib.sha256()
    for entry in knowledge.entries:  # joins, not reprs: a 100,000-entry file takes a fraction of a second
        digest.update("\x1f".join((entry.id, entry.question, *entry.alternates, entry.answer,
                                    *(f"{s.claimant.key}\x1e{s.quote}" for s in entry.sources), "\x1d")).encode())
    version = digest.hexdigest()[:12]
    if len(_versions) > 4:
        _versions.clear()
    _versions[id(knowledge)] = (knowledge, version)
    return version


@dataclass(frozen=True, slots=True)
class Where:
    """Where a question was asked: a guild id (or "DM", or "console") and a channel id (None in DMs)."""

    guild: str
    channel_id: int | None

    @classmethod
    def of(cls, guild_id: int | None, channel_id: int | None) -> Where:
        return cls(DM, None) if guild_id is None else cls(str(guild_id), channel_id)


CONSOLE = Where("console", None)


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit) that waits for a busy writer."""
    uri = f"{path.resolve().as_uri()}?mode={'ro' if readonly else 'rwc'}"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=10)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def check_schema(conn: sqlite3.Connection) -> int:
    """The database's schema version; LogUnavailable when it is newer than this code knows."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise LogUnavailable(f"the database has schema version {version}, newer than this bot's "
                             f"{SCHEMA_VERSION}; upgrade the bot or point DATA_PATH elsewhere")
    return version


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema up to SCHEMA_VERSION, each step in its own transaction."""
    with _transaction(conn):  # IMMEDIATE: also proves the file is writable
        version = check_schema(conn)
    for step in range(version, SCHEMA_VERSION):
        with _transaction(conn):
            if conn.execute("PRAGMA user_version").fetchone()[0] != step:
                continue  # another process migrated meanwhile
            for statement in MIGRATIONS[step]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {step + 1}")


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def load_key(path: Path, setting: str | None) -> bytes:
    """The HMAC key: LOG_HASH_KEY if set, else a random one kept beside the database (0600)."""
    if setting:
        return setting.encode()
    key_path = path.with_name(path.name + ".key")
    try:
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = key_path.read_text(encoding="ascii").strip()
        if len(key) < 32:
            raise LogUnavailable(f"the hash key {key_path} is too short; delete it to make a new one") from None
        return key.encode()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return key_path.read_text(encoding="ascii").strip().encode()


def hash_user(key: bytes, user_id: int | str) -> str:
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).hexdigest()


class _Flush:
    """A marker: the writer commits everything before it, then sets the event."""

    def __init__(self) -> None:
        self.done = threading.Event()


_STOP = object()


class QuestionLog:
    """The bot's question log: non-blocking calls from the event loop, one writer thread.

    Call `start()` once (it returns at once; the thread opens the database) and
    `close()` at shutdown. `enabled` turns False for good after the first failure.
    """

    def __init__(self, path: Path, *, hash_key: str | None = None, retention_days: int = 90,
                 batch: int = BATCH, max_queue: int = MAX_QUEUE) -> None:
        self.path = Path(path)
        self.retention = retention_days * DAY
        self._hash_key = hash_key
        self._batch = batch
        self._queue: queue.Queue = queue.Queue(max_queue)
        self._thread: threading.Thread | None = None
        self._failed: str | None = None
        self._dropped = 0
        self._stopped = False
        self._warn_lock = threading.Lock()
        self.written = 0  # questions committed, for tests and the benchmark

    @property
    def enabled(self) -> bool:
        return self._failed is None

    @property
    def failure(self) -> str | None:
        return self._failed

    # -- the event loop's side: only queue puts --------------------------------

    def asked(self, match: Match, knowledge: Knowledge, *, where: Where, user_id: int | str,
              source: str) -> int | None:
        """Queue one question; its id (for feedback buttons), or None when logging is off."""
        if self._failed is not None:
            return None
        question_id = random.getrandbits(62) + 1
        entry = match.entry
        accepted = self._put(("q", question_id, time.time(), where.guild, where.channel_id, user_id, source,
                              match.question, outcome(match), entry.id if entry else None, match.score,
                              tuple(e.id for e in match.suggestions), knowledge))
        return question_id if accepted else None

    def vote(self, question_id: int, user_id: int | str, vote: str) -> bool:
        """One vote a user an answer; a second replaces the first."""
        if vote not in (HELPFUL, NOT_RIGHT):
            raise ValueError(f"unknown vote {vote!r}")
        return self._put(("v", question_id, user_id, vote, time.time()))

    def pick(self, question_id: int, user_id: int | str, entry_id: str) -> bool:
        """The user said their question meant this entry (a "did you mean" click)."""
        return self._put(("p", question_id, user_id, entry_id, time.time()))

    def forget(self, user_id: int | str) -> concurrent.futures.Future[int]:
        """Delete every row of this user; the future gives how many rows went."""
        future: concurrent.futures.Future[int] = concurrent.futures.Future()
        if not self._put(("f", user_id, future)):
            future.set_exception(LogUnavailable(self._failed or "the question log is full"))
        return future

    def _put(self, item: tuple) -> bool:
        if self._failed is not None:
            return False
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self._dropped += 1
            if self._dropped == 1:
                log.warning("question log: writes can't keep up with questions; dropping some")
            return False
        return True

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="question-log", daemon=True)
            self._thread.start()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued before this call is committed (or dropped after a failure)."""
        if self._thread is None or not self._thread.is_alive():
            return self._queue.empty()
        marker = _Flush()
        self._queue.put(marker)
        return marker.done.wait(timeout)

    def close(self, timeout: float | None = 30.0) -> None:
        """Write everything accepted, then stop the thread."""
        if self._thread is None:
            return
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)
        self._thread = None

    # -- the writer thread ---------------------------------------------------------

    def _fail(self, reason: str) -> None:
        with self._warn_lock:
            if self._failed is None:
                self._failed = reason
                log.warning("question logging is OFF (%s): %s. The bot goes on answering.", self.path, reason)

    def _open(self) -> tuple[sqlite3.Connection, bytes]:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with suppress(FileExistsError):  # private from the start; SQLite gives its -wal and -shm files the same mode
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        conn = connect(self.path)
        try:
            if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
                raise LogUnavailable("the database can't use write-ahead logging")
            conn.execute("PRAGMA synchronous = NORMAL")
            if (verdict := conn.execute("PRAGMA quick_check").fetchone()[0]) != "ok":
                raise LogUnavailable(f"the database is damaged ({verdict}); move it away to start a new one")
            migrate(conn)
            return conn, load_key(self.path, self._hash_key)
        except BaseException:
            conn.close()
            raise

    def _run(self) -> None:
        try:
            conn, key = self._open()
        except (sqlite3.Error, OSError, LogUnavailable, UnicodeError) as exc:
            self._fail(_reason(exc))
            self._drain()
            return
        next_purge = 0.0
        try:
            while True:
                if time.monotonic() >= next_purge:
                    self._guarded(lambda: self._purge(conn))
                    next_purge = time.monotonic() + DAY
                try:
                    item = self._queue.get(timeout=min(60.0, max(0.0, next_purge - time.monotonic())))
                except queue.Empty:
                    continue
                items = [item]
                while len(items) < self._batch:
                    try:
                        items.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                if not self._handle(conn, key, items):
                    if not self._stopped:
                        self._drain()
                    return
        finally:
            conn.close()

    def _handle(self, conn: sqlite3.Connection, key: bytes, items: list) -> bool:
        """Write a batch, answering markers in order; False when the thread must stop."""
        rows: list[tuple] = []
        for position, item in enumerate(items):
            if isinstance(item, tuple) and item[0] != "f":
                rows.append(item)
                continue
            if rows and not self._guarded(partial(self._write, conn, key, rows)):  # this batch's rows, bound now
                _settle(items[position:])
                return False
            rows = []
            if item is _STOP:
                self._stopped = True
                _settle(items[position + 1:])
                return False
            if isinstance(item, _Flush):
                item.done.set()
                continue
            _, user_id, future = item  # forget
            deleted: list[int] = []

            def forget(user_id: int | str = user_id, deleted: list[int] = deleted) -> None:  # this item's, bound now
                deleted.append(self._forget(conn, hash_user(key, user_id)))

            if not self._guarded(forget):
                _settle(items[position:])
                return False
            future.set_result(deleted[0])
        return not rows or self._guarded(lambda: self._write(conn, key, rows))

    def _guarded(self, action: Callable[[], object]) -> bool:
        try:
            action()
        except (sqlite3.Error, OSError) as exc:
            self._fail(_reason(exc))
            return False
        return True

    def _write(self, conn: sqlite3.Connection, key: bytes, rows: list[tuple]) -> None:
        questions, votes, picks = [], [], []
        for number, row in enumerate(rows, 1):
            if number % YIELD_EVERY == 0:
                time.sleep(0)  # hand the GIL back, so the event loop never waits on a whole batch's hashing
            kind = row[0]
            if kind == "q":
                (_, qid, at, guild, channel, user, source, text, outcome, entry, score, suggested, knowledge) = row
                questions.append((qid, at, guild, channel, hash_user(key, user), source, text, outcome, entry,
                                  score, json.dumps(list(suggested)), knowledge_version(knowledge)))
            elif kind == "v":
                _, qid, user, vote, at = row
                votes.append((qid, hash_user(key, user), vote, qid, at))
            else:
                _, qid, user, entry, at = row
                picks.append((qid, hash_user(key, user), entry, at))
        with _transaction(conn):
            conn.executemany("INSERT OR IGNORE INTO questions VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", questions)
            conn.executemany(
                "INSERT INTO votes VALUES (?, ?, ?, (SELECT entry_id FROM questions WHERE id = ?), ?) "
                "ON CONFLICT (question_id, user_hash) DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
                votes)
            conn.executemany("INSERT OR IGNORE INTO picks VALUES (?,?,?,?)", picks)
        self.written += len(questions)

    def _forget(self, conn: sqlite3.Connection, user_hash: str) -> int:
        with _transaction(conn):
            return sum(conn.execute(f"DELETE FROM {table} WHERE user_hash = ?", (user_hash,)).rowcount
                       for table in ("questions", "votes", "picks"))

    def _purge(self, conn: sqlite3.Connection) -> None:
        """Retention: rows older than RETENTION_DAYS go, once a day."""
        cutoff = time.time() - self.retention
        with _transaction(conn):
            gone = sum(conn.execute(f"DELETE FROM {table} WHERE {column} < ?", (cutoff,)).rowcount
                       for table, column in (("questions", "asked_at"), ("votes", "voted_at"),
                                             ("picks", "picked_at")))
        if gone:
            log.info("question log: deleted %d rows older than %d days", gone, self.retention // DAY)

    def _drain(self) -> None:
        """After a failure: keep releasing whoever waits on a flush or a forget, until stopped."""
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            _settle([item])


def _settle(items: list) -> None:
    """Release the waiters among items that will not be written."""
    for item in items:
        if isinstance(item, _Flush):
            item.done.set()
        elif isinstance(item, tuple) and item[0] == "f" and not item[2].done():
            item[2].set_exception(LogUnavailable("the question log stopped"))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, LogUnavailable):
        return str(exc)
    text = str(exc) or type(exc).__name__
    if "not a database" in text or "malformed" in text:
        return f"the database file is damaged ({text}); move it away to start a new one"
    if "readonly" in text or "read-only" in text or isinstance(exc, PermissionError):
        return f"the database can't be written ({text}); check the file's permissions"
    if "full" in text:
        return f"the disk is full ({text})"
    return text
