"""Command line: `python -m bot [start|run|sync|chat|ask|check|build|eval]`."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from pathlib import Path

from .engine.builder import build_draft
from .engine.compiled import load_matcher
from .engine.evaluation import BLIND_DIR, DEFAULT_SET, SPLITS, combine, describe, evaluate, load_cases, summary
from .engine.formatting import render_plain
from .engine.loader import DEFAULT_PATH, KnowledgeError, load_knowledge
from .engine.matcher import Matcher
from .settings import Settings, SettingsError

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
    except (OSError, ValueError) as exc:
        print(f"cannot build from {args.article}: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    matcher = _matcher(args.knowledge, Settings.from_env())
    questions = [args.question] if args.question != "-" else (line.rstrip("\n") for line in sys.stdin)
    for question in questions:
        match = matcher.match(question)
        if args.json:
            print(json.dumps(match.to_json(), ensure_ascii=False), flush=True)
        else:
            print(render_plain(match, matcher.knowledge.article), end="\n\n")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    matcher = _matcher(args.knowledge)
    paths = args.questions or (sorted(BLIND_DIR.glob("*.yaml")) if args.blind else [DEFAULT_SET])
    reports = [(path, evaluate(matcher, load_cases(path), args.split)) for path in paths]
    if len(reports) > 1:
        for path, report in reports:
            print(f"{path.name:>16}: {summary(report)}")
    print(describe(combine(report for _, report in reports), args.split))
    return 0


def _console(matcher: Matcher) -> int:
    """The console chat; SIGTERM ends it as Ctrl-C does, with exit status 0."""
    from .console import run_console

    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        return run_console(matcher)
    finally:
        signal.signal(signal.SIGTERM, previous)


def cmd_chat(args: argparse.Namespace) -> int:
    return _console(_matcher(args.knowledge, Settings.from_env()))


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

    ask = sub.add_parser("ask", help="answer one question, or one per line from stdin with '-'")
    ask.add_argument("question", help="the question, or - to read one per line from stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--knowledge", type=Path)

    check = sub.add_parser("check", help="check a knowledge file; exit 1 with every problem if it is bad")
    check.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)

    build = sub.add_parser("build", help="print a draft knowledge file built from an article text")
    build.add_argument("article", type=Path)

    ev = sub.add_parser("eval", help="print answer accuracy on the evaluation set")
    ev.add_argument("--questions", type=Path, nargs="+", help="question files (default: eval/questions.yaml)")
    ev.add_argument("--blind", action="store_true", help="the blind sets in eval/blind/, each and together")
    ev.add_argument("--split", choices=SPLITS, default="all")
    ev.add_argument("--knowledge", type=Path)
    return root


COMMANDS = {"start": cmd_start, "run": cmd_run, "sync": cmd_sync, "chat": cmd_chat, "ask": cmd_ask,
            "check": cmd_check, "build": cmd_build, "eval": cmd_eval}


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
