"""The terminal's side of learning: `chat --log`/`ask --log`, `report` and `learn`."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ..engine.files import Unreadable, read_text, shown
from ..engine.loader import MAX_BYTES
from ..engine.matcher import Match, Matcher
from ..settings import Settings
from .learn import PatchError, learn
from .question_log import CONSOLE, DM, LogUnavailable, QuestionLog
from .report import build_report, open_log, parse_since, render_patch, render_text

CONSOLE_USER = "console"  # one person at a terminal; hashed like any user id


@dataclass(frozen=True, slots=True)
class ConsoleRecorder:
    """Logs a console session's questions and "did you mean" picks, as the Discord bot logs its users'."""

    qlog: QuestionLog

    def asked(self, match: Match, matcher: Matcher) -> int | None:
        return self.qlog.asked(match, matcher.knowledge, where=CONSOLE, user_id=CONSOLE_USER, source="console")

    def picked(self, question_id: int, entry_id: str) -> None:
        self.qlog.pick(question_id, CONSOLE_USER, entry_id)


@contextmanager
def console_recorder(settings: Settings) -> Iterator[ConsoleRecorder | None]:
    """A recorder for a console session, or None with logging off (DATA_PATH=off)."""
    if settings.data_path is None:
        yield None
        return
    qlog = QuestionLog(settings.data_path, hash_key=settings.log_hash_key, retention_days=settings.retention_days)
    qlog.start()
    try:
        yield ConsoleRecorder(qlog)
    finally:
        qlog.close()


def report(args: argparse.Namespace, settings: Settings, matcher: Matcher) -> int:
    if settings.data_path is None:
        print("question logging is off (DATA_PATH=off): there is nothing to report", file=sys.stderr)
        return 1
    try:
        since = time.time() - parse_since(args.since) if args.since else None
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    guild = args.guild.strip() if args.guild else None
    if guild is not None and guild not in (DM, CONSOLE.guild) and not guild.isdigit():
        print(f"--guild takes a server id, DM or console, got {args.guild!r}", file=sys.stderr)
        return 2
    try:
        conn = open_log(settings.data_path)
    except LogUnavailable as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        found = build_report(conn, matcher, since=since, guild=guild)
    finally:
        conn.close()
    print(render_patch(found, matcher) if args.yaml else render_text(found, matcher), end="" if args.yaml else "\n")
    return 0


def apply_patch(args: argparse.Namespace, settings: Settings) -> int:
    path = args.knowledge or settings.knowledge_path
    try:
        patch = read_text(args.patch, MAX_BYTES)
    except Unreadable as exc:
        print(f"can't read the patch {shown(args.patch)}: {exc}", file=sys.stderr)
        return 1
    try:
        applied = learn(patch, path)
    except PatchError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s): {path} is unchanged", file=sys.stderr)
        return 1
    for entry_id, phrasings in applied.added.items():
        print(f"{entry_id}: +{len(phrasings)} alternates")
    for entry_id, phrasing in applied.already:
        print(f"{entry_id}: already has {phrasing!r}")
    for warning in applied.warnings:
        print(f"warning: {warning}")
    if not applied.added and not applied.new_entries:
        print(f"nothing new to apply: {path} is unchanged")
        return 0
    print(f"{path}: {applied.summary()}; it passes the checker. Use /reload to answer from it.")
    return 0
