"""Command line: `python -m bot [start|run|sync|chat|ask|check|build|eval]`."""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .engine.builder import build_draft
from .engine.compiled import load_matcher
from .engine.conversation import Conversation, is_chatter
from .engine.evaluation import (
    BLIND_DIR,
    DEFAULT_SET,
    HELDOUT_DIR,
    SPLITS,
    SetError,
    cases_of,
    combine,
    describe,
    evaluate,
    is_question_list,
    load_cases,
    read_set,
    summary,
)
from .engine.files import Unreadable
from .engine.formatting import CHATTER, GREETING, other_side_of, outcome, render_plain
from .engine.loader import DEFAULT_PATH, KnowledgeError, load_knowledge
from .engine.matcher import Matcher
from .settings import Settings, SettingsError

if TYPE_CHECKING:
    from .console import Recorder

NO_TOKEN = """No DISCORD_TOKEN is set, so the bot can't connect to Discord.
To get one: https://discord.com/developers/applications -> New Application -> Bot -> Reset Token,
then put DISCORD_TOKEN=... in .env (see .env.example and the README).
Meanwhile, `python -m bot chat` answers the same questions in this terminal."""


def _matcher(path: Path | None, settings: Settings | None = None) -> Matcher:
    knowledge_path = path or (settings.knowledge_path if settings else DEFAULT_PATH)
    return load_matcher(knowledge_path, cache_dir=settings.cache_dir if settings else None)


def cmd_check(args: argparse.Namespace) -> int:
    try:
        knowledge = load_knowledge(args.path)
    except KnowledgeError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s); {args.path} is not usable", file=sys.stderr)
        return 1
    print(f"{args.path}: OK, {knowledge.summary()}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    try:
        sys.stdout.write(build_draft(args.article))
    except (OSError, ValueError, Unreadable) as exc:
        print(f"cannot build from {args.article}: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    matcher = _matcher(args.knowledge, settings)
    questions = _stdin_lines() if args.question == ["-"] else [_argument_text(args.question)]
    if args.json and isinstance(sys.stdout, io.TextIOWrapper):  # JSON text is UTF-8 (RFC 8259), whatever the locale
        sys.stdout.reconfigure(encoding="utf-8")
    with _question_log(args, settings) as recorder:
        return _answer_each(matcher, questions, args.json, recorder)


def _answer_each(matcher: Matcher, questions: Iterable[str], as_json: bool, recorder: Recorder | None) -> int:
    for question in questions:
        match = matcher.match(question)
        chatter = is_chatter(question)  # "hi", "lol", "ok thanks": greeted as in the chat, and not logged
        if recorder is not None and not chatter:
            recorder.asked(match, matcher)
        other = other_side_of(match, matcher.knowledge)
        if as_json:
            # the outcome tells "not sure, did you mean" from "the article doesn't say" (its closest topics);
            # a contested answer carries the competing claims, as the chat shows them
            print(json.dumps({**match.to_json(), "outcome": CHATTER if chatter else outcome(match),
                              "contested": bool(match.entry and match.entry.contested),
                              "other_side": [source.to_json() for source in other]},
                             ensure_ascii=False), flush=True)
        elif chatter:
            print(GREETING, end="\n\n")
        else:
            print(render_plain(match, matcher.knowledge.article, other=other), end="\n\n")
    return 0


def cmd_eval_followups(args: argparse.Namespace) -> int:
    """Conversations turn by turn; a held-out set's single turns are never printed, only its totals."""
    from .engine.followups import DEV_FOLLOWUPS, describe_followups, evaluate_followups, load_conversations

    conversation = Conversation(_matcher(args.knowledge))
    for path in args.followups or DEV_FOLLOWUPS:
        try:
            conversations = load_conversations(path)
        except SetError as exc:
            print(exc, file=sys.stderr)
            return 1
        report = evaluate_followups(conversation, conversations, args.split)
        print(f"{path}:")
        print(describe_followups(report, misses="heldout" not in path.resolve().parts))
    return 0


def _stdin_lines() -> Iterator[str]:
    """Questions from stdin as UTF-8 whatever the locale; undecodable bytes become U+FFFD,
    so `ask --json -` always writes valid JSON."""
    if isinstance(sys.stdin, io.TextIOWrapper):  # not when already text (a test's StringIO)
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    for line in sys.stdin:
        yield line.rstrip("\r\n")  # a Windows line ending is not part of the question


def _argument_text(words: list[str]) -> str:
    """The question from the command line: its words joined (quotes optional), and any bytes
    that aren't UTF-8 (kept by Python as lone surrogates) replaced, as on stdin."""
    return " ".join(words).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def cmd_eval(args: argparse.Namespace) -> int:
    if args.followups is not None:
        return cmd_eval_followups(args)
    matcher = _matcher(args.knowledge)
    try:
        if args.heldout:  # sets never read while building: totals only, never a question; each file read once
            found = ((path, read_set(path)) for path in sorted(HELDOUT_DIR.glob("*.yaml")))
            sets = [(path, cases_of(data, path)) for path, data in found if is_question_list(data)]
        else:
            paths = args.questions or (sorted(BLIND_DIR.glob("*.yaml")) if args.blind else [DEFAULT_SET])
            sets = [(path, load_cases(path)) for path in paths]
    except SetError as exc:
        print(exc, file=sys.stderr)
        return 1
    reports = [(path, evaluate(matcher, cases, args.split)) for path, cases in sets]
    if len(reports) > 1:
        for path, report in reports:
            print(f"{path.name:>16}: {summary(report)}")
    print(describe(combine(report for _, report in reports), args.split, misses=not args.heldout))
    return 0


def _console(matcher: Matcher, recorder: Recorder | None = None) -> int:
    """The console chat; SIGTERM ends it as Ctrl-C does, with exit status 0."""
    from .console import run_console

    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        return run_console(matcher, recorder=recorder)
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_chat(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    matcher = _matcher(args.knowledge, settings)
    with _question_log(args, settings) as recorder:
        return _console(matcher, recorder)


@contextmanager
def _question_log(args: argparse.Namespace, settings: Settings) -> Iterator[Recorder | None]:
    """With --log, a recorder that logs each console question and pick; without it, None."""
    if not args.log:
        yield None
        return
    from .learning.cli import console_recorder

    with console_recorder(settings) as recorder:
        yield recorder


def cmd_report(args: argparse.Namespace) -> int:
    from .learning.cli import report

    settings = Settings.from_env()
    return report(args, settings, _matcher(args.knowledge, settings))


def cmd_learn(args: argparse.Namespace) -> int:
    from .learning.cli import apply_patch

    return apply_patch(args, Settings.from_env())


def cmd_run(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if not settings.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from .discord_bot import run_bot

    return run_bot(settings)


def cmd_sync(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if not settings.token:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from .discord_bot.lifecycle import run_sync

    return run_sync(settings, args.guild, args.force)


def cmd_start(args: argparse.Namespace) -> int:
    """The main job: Discord when a token is configured, the console chat otherwise."""
    settings = Settings.from_env()
    if settings.token:
        from .discord_bot import run_bot

        return run_bot(settings)
    print("No DISCORD_TOKEN configured: starting the console chat (`python -m bot run` explains how to connect).")
    return _console(_matcher(None, settings))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bot", description="Answers questions about one news article.")
    sub = root.add_subparsers(dest="command")

    sub.add_parser("start", help="Discord if DISCORD_TOKEN is set, else the console chat (the default)")
    sub.add_parser("run", help="connect to Discord (needs DISCORD_TOKEN)")
    sync = sub.add_parser("sync", help="sync the slash commands to Discord if they changed, then exit")
    sync.add_argument("--guild", type=int, metavar="ID",
                      help="sync to this server only, at once (default: DEV_GUILD_ID, else globally)")
    sync.add_argument("--force", action="store_true", help="sync even if unchanged since the last sync")
    chat = sub.add_parser("chat", help="ask questions in the terminal")
    chat.add_argument("--knowledge", type=Path, help="knowledge file (default: KNOWLEDGE_PATH or the shipped one)")
    chat.add_argument("--log", action="store_true", help="log the questions to DATA_PATH, as the Discord bot does")

    ask = sub.add_parser("ask", help="answer one question, or one per line from stdin with '-'")
    ask.add_argument("question", nargs="+", help="the question (quotes optional), or - to read one per line from stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--knowledge", type=Path, help="knowledge file (default: KNOWLEDGE_PATH or the shipped one)")
    ask.add_argument("--log", action="store_true", help="log the questions to DATA_PATH, as the Discord bot does")

    check = sub.add_parser("check", help="check a knowledge file; exit 1 with every problem if it is bad")
    check.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH,
                       help="knowledge file to check (default: the shipped one)")

    build = sub.add_parser("build", help="print a draft knowledge file built from an article text")
    build.add_argument("article", type=Path)

    ev = sub.add_parser("eval", help="print answer accuracy on the evaluation set")
    which = ev.add_mutually_exclusive_group()  # one kind of set at a time: none is silently ignored
    which.add_argument("--questions", type=Path, nargs="+", help="question files (default: eval/questions.yaml)")
    which.add_argument("--blind", action="store_true", help="the blind sets in eval/blind/, each and together")
    which.add_argument("--heldout", action="store_true",
                       help="the held-out sets in eval/heldout/: per-set and total figures only, no questions")
    ev.add_argument("--split", choices=SPLITS, default="all",
                    help="which half of each set (a hash of each question decides it; the model was fitted on tune)")
    which.add_argument("--followups", type=Path, nargs="*", metavar="FILE",
                       help="score conversations turn by turn, with and without context "
                            "(default: eval/followups.yaml, eval/followups_dev2.yaml and eval/followups_dev3.yaml)")
    ev.add_argument("--knowledge", type=Path, help="knowledge file (default: the shipped one, the sets' subject)")

    rep = sub.add_parser("report", help="the curator's report from the question log: unanswered groups, "
                                        "doubted answers")
    rep.add_argument("--since", help="only this recent: 7d, 12h, 30m, 2w (default: everything kept)")
    rep.add_argument("--guild", help="one server's id, DM, or console")
    rep.add_argument("--yaml", action="store_true", help="print a patch for `learn` instead")
    rep.add_argument("--knowledge", type=Path, help="knowledge file (default: KNOWLEDGE_PATH or the shipped one)")
    learn = sub.add_parser("learn", help="apply a patch from `report --yaml` to the knowledge file, if it passes check")
    learn.add_argument("patch", type=Path)
    learn.add_argument("--knowledge", type=Path, help="knowledge file (default: KNOWLEDGE_PATH or the shipped one)")
    return root


COMMANDS = {"start": cmd_start, "run": cmd_run, "sync": cmd_sync, "chat": cmd_chat, "ask": cmd_ask,
            "check": cmd_check, "build": cmd_build, "eval": cmd_eval, "report": cmd_report, "learn": cmd_learn}


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command or "start"](args)
    except KnowledgeError as exc:
        print(f"the knowledge file is not usable:\n{exc}", file=sys.stderr)
        return 1
    except SettingsError as exc:
        print(f"bad setting: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `ask --json - | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
