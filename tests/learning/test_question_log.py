"""The question log: what it stores, and that a bad database never stops the bot answering."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.learning.question_log import CONSOLE, DM, HELPFUL, NOT_RIGHT, SCHEMA_VERSION, QuestionLog, Where, hash_user
from bot.paths import ROOT

ANSWERED_Q = "how many air strikes did russia launch?"
UNSURE_Q = "what did russia say about the jets"


def rows(path: Path, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, args).fetchall()


def warnings_of(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING and "question logging" in r.getMessage()]


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "data" / "questions.sqlite3"


def test_a_question_is_stored_with_a_keyed_hash_never_the_raw_id(db, matcher):
    qlog = QuestionLog(db)
    qlog.start()
    match = matcher.match(ANSWERED_Q)
    qid = qlog.asked(match, matcher.knowledge, where=Where.of(111, 222), user_id=123456789, source="slash")
    qlog.asked(matcher.match("what is the capital of france"), matcher.knowledge, where=Where.of(None, 333),
               user_id=123456789, source="chat")
    qlog.close()
    [first, second] = rows(db, "SELECT * FROM questions ORDER BY asked_at")
    key = (db.parent / "questions.sqlite3.key").read_text().strip().encode()
    assert first[0] == qid and first[2:4] == ("111", 222)
    assert first[4] == hash_user(key, 123456789) and "123456789" not in first[4]
    assert first[5:10] == ("slash", ANSWERED_Q, "answered", match.entry.id, match.score)
    assert len(first[11]) == 12  # the knowledge version
    assert second[2:4] == (DM, None) and second[7] == "doesnt-say"
    assert stat.S_IMODE((db.parent / "questions.sqlite3.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(db.stat().st_mode) == 0o600 and stat.S_IMODE(db.parent.stat().st_mode) == 0o700
    assert rows(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(db, "PRAGMA journal_mode") == [("wal",)]


def test_a_setting_key_is_used_and_the_suggestions_shown_are_kept(db, matcher):
    qlog = QuestionLog(db, hash_key="k" * 40)
    qlog.start()
    match = matcher.match(UNSURE_Q)
    qlog.asked(match, matcher.knowledge, where=CONSOLE, user_id="console", source="console")
    qlog.close()
    [(user_hash, suggestions)] = rows(db, "SELECT user_hash, suggestions FROM questions")
    assert user_hash == hash_user(b"k" * 40, "console")
    assert suggestions == "[" + ", ".join(f'"{e.id}"' for e in match.suggestions) + "]"
    assert not (db.parent / "questions.sqlite3.key").exists()


def test_votes_are_one_per_user_an_answer_and_changeable(db, matcher):
    qlog = QuestionLog(db)
    qlog.start()
    match = matcher.match(ANSWERED_Q)
    qid = qlog.asked(match, matcher.knowledge, where=Where.of(1, 2), user_id=10, source="slash")
    qlog.vote(qid, 20, HELPFUL)
    qlog.vote(qid, 20, NOT_RIGHT)
    qlog.vote(qid, 30, HELPFUL)
    qlog.pick(qid, 10, "who-controls-palmyra")
    qlog.close()
    assert sorted(rows(db, "SELECT vote, entry_id FROM votes")) == [(HELPFUL, match.entry.id),
                                                                   (NOT_RIGHT, match.entry.id)]
    assert rows(db, "SELECT question_id, entry_id FROM picks") == [(qid, "who-controls-palmyra")]


async def test_forget_deletes_everything_of_one_user(db, matcher):
    import asyncio

    qlog = QuestionLog(db)
    qlog.start()
    for user in (1, 1, 2):
        qid = qlog.asked(matcher.match(UNSURE_Q), matcher.knowledge, where=Where.of(1, 2), user_id=user, source="chat")
        qlog.vote(qid, user, HELPFUL)
        qlog.pick(qid, user, "who-controls-palmyra")
    assert await asyncio.wrap_future(qlog.forget(1)) == 6
    qlog.close()
    assert rows(db, "SELECT count(*) FROM questions") == [(1,)]
    assert rows(db, "SELECT count(*) FROM votes") == rows(db, "SELECT count(*) FROM picks") == [(1,)]


def test_rows_older_than_the_retention_are_deleted_on_start(db, matcher):
    qlog = QuestionLog(db, retention_days=90)
    qlog.start()
    qlog.asked(matcher.match(ANSWERED_Q), matcher.knowledge, where=CONSOLE, user_id=1, source="console")
    qlog.close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE questions SET asked_at = asked_at - 91 * 86400")
        conn.execute("INSERT INTO questions SELECT id + 1, ?, guild, channel_id, user_hash, source, question, "
                     "outcome, entry_id, confidence, suggestions, knowledge_version FROM questions", (time.time(),))
    QuestionLog(db, retention_days=90).start()  # purges at once, then daily
    deadline = time.monotonic() + 10
    while rows(db, "SELECT count(*) FROM questions") != [(1,)] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert rows(db, "SELECT count(*) FROM questions") == [(1,)]


def test_a_clean_shutdown_writes_every_accepted_question(db, matcher):
    qlog = QuestionLog(db, batch=64)
    qlog.start()
    match = matcher.match(ANSWERED_Q)
    ids = {qlog.asked(match, matcher.knowledge, where=Where.of(1, 2), user_id=n, source="chat") for n in range(5000)}
    qlog.close()
    assert len(ids) == 5000 and rows(db, "SELECT count(DISTINCT id) FROM questions") == [(5000,)]


# -- bad databases: logging goes off with one warning, answering goes on ---------


def _assert_off_once(qlog: QuestionLog, matcher, caplog, words: str) -> None:
    qlog.start()
    qlog.flush(10)
    assert not qlog.enabled
    assert qlog.asked(matcher.match(ANSWERED_Q), matcher.knowledge, where=CONSOLE, user_id=1, source="x") is None
    qlog.close()
    [warning] = warnings_of(caplog)
    assert words in warning and "goes on answering" in warning


def test_a_database_from_a_newer_schema_is_left_alone(db, matcher, caplog):
    db.parent.mkdir()
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    _assert_off_once(QuestionLog(db), matcher, caplog, "newer")
    assert rows(db, "PRAGMA user_version") == [(SCHEMA_VERSION + 1,)]


def test_a_corrupt_database_is_left_alone(db, matcher, caplog):
    db.parent.mkdir()
    db.write_bytes(b"this is not a database at all" * 100)
    _assert_off_once(QuestionLog(db), matcher, caplog, "damaged")
    assert db.read_bytes() == b"this is not a database at all" * 100


def test_a_full_disk_stops_logging_after_what_fitted(db, matcher, caplog):
    class SmallDisk(QuestionLog):
        """SQLite's own limit on pages gives the real SQLITE_FULL error a full disk gives."""

        def _open(self):
            conn, key = super()._open()
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages + 3}")
            return conn, key

    qlog = SmallDisk(db, batch=1)
    qlog.start()
    match = matcher.match(ANSWERED_Q)
    accepted = 0
    for n in range(2000):
        if qlog.asked(match, matcher.knowledge, where=Where.of(1, 2), user_id=n, source="chat") is not None:
            accepted += 1
        qlog.flush(10)
    qlog.close()
    assert not qlog.enabled and "disk is full" in qlog.failure
    assert 0 < qlog.written < accepted < 2000
    assert rows(db, "SELECT count(*) FROM questions") == [(qlog.written,)]
    assert len(warnings_of(caplog)) == 1
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


READ_ONLY_SCRIPT = textwrap.dedent("""
    import logging, sys
    sys.path.insert(0, sys.argv[1])
    from bot.learning.question_log import QuestionLog
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    qlog = QuestionLog(__import__("pathlib").Path(sys.argv[2]))
    qlog.start(); qlog.flush(10); qlog.close()
    print("enabled" if qlog.enabled else "off")
""")


def test_a_read_only_database_is_left_alone(tmp_path, matcher):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "questions.sqlite3"
    qlog = QuestionLog(db)
    qlog.start()
    qlog.asked(matcher.match(ANSWERED_Q), matcher.knowledge, where=CONSOLE, user_id=1, source="console")
    qlog.close()
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)
    os.chmod(tmp_path, 0o755)
    code = tmp_path / "code"  # the package, where nobody can read it wherever the repository is cloned
    shutil.copytree(ROOT / "bot", code / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    command = [sys.executable, "-c", READ_ONLY_SCRIPT, str(code), str(db)]
    as_nobody = None
    if os.geteuid() == 0:  # root writes anything: run the check as nobody, with a Python nobody can run
        python = shutil.which("python3", path="/usr/bin:/usr/local/bin")
        if python is None:
            pytest.skip("running as root with no system python3 to run as nobody")
        command[0] = python
        as_nobody = lambda: (os.setgid(65534), os.setuid(65534))  # noqa: E731
        for parent in tmp_path.parents:
            if parent.stat().st_mode & 0o001 == 0:
                parent.chmod(parent.stat().st_mode | 0o005)
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, preexec_fn=as_nobody)
    folder.chmod(0o755)
    assert done.stdout.strip() == "off", done.stderr
    warnings = [line for line in done.stderr.splitlines() if "question logging is OFF" in line]
    assert len(warnings) == 1 and ("written" in warnings[0] or "readonly" in warnings[0]), done.stderr
    assert rows(db, "SELECT count(*) FROM questions") == [(1,)]


KILLED_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from pathlib import Path
    from bot.engine.loader import load_knowledge
    from bot.engine.matcher import Matcher
    from bot.learning.question_log import QuestionLog, Where
    matcher = Matcher(load_knowledge(Path(sys.argv[1]) / "knowledge" / "palmyra.yaml"))
    match = matcher.match("how many air strikes did russia launch?")
    qlog = QuestionLog(Path(sys.argv[2]), batch=50)
    qlog.start()
    n = 0
    while True:
        qlog.asked(match, matcher.knowledge, where=Where.of(1, 2), user_id=n, source="chat")
        n += 1
        if n == 2000:
            qlog.flush(30)
            print("burst", flush=True)
""")


def test_sigkill_in_a_burst_leaves_a_sound_database(db):
    process = subprocess.Popen([sys.executable, "-c", KILLED_SCRIPT, str(ROOT), str(db)],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "burst"
        time.sleep(0.2)  # mid-burst: the writer is committing batches as the loop keeps asking
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "SELECT count(*) FROM questions")[0][0] >= 2000
    reopened = QuestionLog(db)
    reopened.start()
    reopened.flush(10)
    reopened.close()
    assert reopened.enabled


# -- settings -----------------------------------------------------------------------


def test_data_path_retention_and_key_settings(tmp_path):
    from bot.settings import Settings, SettingsError

    assert Settings.from_env({}).data_path == ROOT / "data" / "questions.sqlite3"
    assert Settings.from_env({"DATA_DIR": str(tmp_path)}).data_path == tmp_path / "questions.sqlite3"
    assert Settings.from_env({"DATA_PATH": "off"}).data_path is None
    assert Settings.from_env({"DATA_PATH": str(tmp_path / "q.db")}).data_path == tmp_path / "q.db"
    assert Settings.from_env({}).retention_days == 90 and Settings.from_env({"RETENTION_DAYS": "7"}).retention_days == 7
    settings = Settings.from_env({"LOG_HASH_KEY": "s" * 20})
    assert settings.log_hash_key == "s" * 20 and "s" * 20 not in repr(settings)
    for env in ({"RETENTION_DAYS": "0"}, {"RETENTION_DAYS": "soon"}, {"LOG_HASH_KEY": "short"}):
        with pytest.raises(SettingsError, match=next(iter(env))):
            Settings.from_env(env)
    assert "data/" in (ROOT / ".gitignore").read_text().splitlines()
