"""The console chat: the same engine as the Discord bot, for use without a token."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from .engine.formatting import about_text, article_line, render_plain
from .engine.matcher import Match, Matcher

OnAnswer = Callable[[Match, Matcher], None]

HISTORY = Path.home() / ".palmyra_bot_history"
HELP = """Ask anything about the article in your own words, e.g. "who controls palmyra?".
  /topics   what I can answer
  /about    the article
  /help     this help
  /quit     leave (Ctrl-D works too)"""


def _enable_history() -> None:
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return
    try:
        readline.read_history_file(HISTORY)
    except (OSError, ValueError):
        pass
    import atexit

    atexit.register(lambda: _save_history(readline))


def _save_history(readline) -> None:
    try:
        readline.set_history_length(1000)
        readline.write_history_file(HISTORY)
    except OSError:
        pass


def reply(matcher: Matcher, line: str, on_answer: OnAnswer | None = None) -> str | None:
    """The console's answer to one line, or None to quit."""
    command = line.strip().lower()
    article = matcher.knowledge.article
    if command in {"/quit", "/exit", "/q"}:
        return None
    if command in {"/help", "/?"}:
        return HELP
    if command == "/topics":
        return "\n".join(f"- {entry.question}" for entry in matcher.knowledge.entries)
    if command == "/about":
        knowledge = matcher.knowledge
        title, body = about_text(knowledge, loaded=f"{knowledge.loaded_at:%Y-%m-%d %H:%M %Z}".strip(), markdown=False)
        return f"{title}\n{body}"
    if command.startswith("/"):
        return f"Unknown command {command!r}. Type /help."
    match = matcher.match(line)
    if on_answer is not None:  # `chat --log`
        on_answer(match, matcher)
    return render_plain(match, article)


def run_console(matcher: Matcher, stdin: TextIO | None = None, stdout: TextIO | None = None,
                on_answer: OnAnswer | None = None) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    interactive = stdin.isatty() and stdout.isatty()
    if interactive:
        _enable_history()
    article = matcher.knowledge.article
    print(f"Ask me about: {article_line(article)}", file=stdout)
    print("Type /help for commands, /quit to leave.", file=stdout)
    while True:
        try:
            line = input("you> ") if interactive else _read(stdin, stdout)
        except (EOFError, KeyboardInterrupt):
            print(file=stdout)
            return 0
        if not line.strip():
            continue
        answer = reply(matcher, line, on_answer)
        if answer is None:
            return 0
        print(answer, end="\n\n", file=stdout)


def _read(stdin: TextIO, stdout: TextIO) -> str:
    print("you> ", end="", file=stdout, flush=True)
    line = stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")
