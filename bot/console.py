"""The console chat: the same engine as the Discord bot, for use without a token."""

from __future__ import annotations

import contextlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TextIO

from .engine.conversation import Conversation, is_chatter
from .engine.formatting import GREETING, about_text, article_line, claim_lead, other_side_of, render_plain
from .engine.knowledge import Entry
from .engine.matcher import Match, Matcher


class Recorder(Protocol):
    """Where `chat --log` sends what happens: each question asked, and each "did you mean" picked."""

    def asked(self, match: Match, matcher: Matcher) -> int | None:
        """Log a question; its id, to tie a later pick to it (None when not logged)."""

    def picked(self, question_id: int, entry_id: str) -> None:
        """The question with this id meant this entry."""

HISTORY = Path.home() / ".palmyra_bot_history"
MAX_RELATED = 3
HELP = """Ask anything about the article in your own words, e.g. "who controls palmyra?".
Follow-ups lean on the last answer: "who said that?", "why?", "and the syrian army?".
  1, 2      pick a numbered choice shown (a related question, or a "did you mean"); /1, /2 too
  /topics   what I can answer
  /about    the article
  /help     this help
  /quit     leave (quit, exit and Ctrl-D work too)"""


def _enable_history() -> None:
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        return
    with contextlib.suppress(OSError, ValueError):
        readline.read_history_file(HISTORY)
    import atexit

    atexit.register(lambda: _save_history(readline))


def _save_history(readline) -> None:
    try:
        readline.set_history_length(1000)
        readline.write_history_file(HISTORY)
    except OSError:
        pass


@dataclass
class Session:
    """One console conversation: the last entry answered (the context) and the numbered choices shown."""

    previous: Entry | None = None
    choices: list[Entry] = field(default_factory=list)
    conversation: Conversation | None = None  # built once per matcher: it indexes the knowledge
    recorder: Recorder | None = None  # `chat --log`: questions and picks go to the question log
    asked_id: int | None = None  # the logged question whose "did you mean" choices are shown

    def resolver(self, matcher: Matcher) -> Conversation:
        if self.conversation is None or self.conversation.matcher is not matcher:
            self.conversation = Conversation(matcher)
        return self.conversation


def reply(matcher: Matcher, line: str, session: Session | None = None) -> str | None:
    """The console's answer to one line, or None to quit. A session keeps the conversation's context."""
    session = session if session is not None else Session()
    command = line.strip().lower()
    if command in {"/quit", "/exit", "/q", "quit", "exit"}:
        return None
    if command in {"/help", "/?"}:
        return HELP
    if command == "/topics":
        return "\n".join(f"- {entry.question}" for entry in matcher.knowledge.entries)
    if command == "/about":
        knowledge = matcher.knowledge
        title, body = about_text(knowledge, loaded=f"{knowledge.loaded_at:%Y-%m-%d %H:%M %Z}".strip(), markdown=False)
        return f"{title}\n{body}"
    # "/2" picks a choice; so does a bare "2" (or "2.", as the list is written) while choices are shown
    picking = re.fullmatch(r"/(\d+)" if not session.choices else r"/?(\d+)\.?", command)
    if picking:
        number = int(picking[1])
        if not 1 <= number <= len(session.choices):
            return f"There is no choice {command}." if session.choices else "There are no choices to pick from."
        picked = matcher.knowledge.by_id.get(session.choices[number - 1].id)
        if picked is None:
            return "That topic is no longer in the knowledge file; ask again."
        if session.recorder is not None and session.asked_id is not None:  # what the question meant
            session.recorder.picked(session.asked_id, picked.id)
        return _answer(matcher, matcher.answer_entry(picked), session)
    if command.startswith("/"):
        return f"Unknown command {command!r}. Type /help."
    if is_chatter(line):
        return f"{GREETING} (/help for more)"
    resolved = session.resolver(matcher).answer(line, session.previous)
    asked_id = session.recorder.asked(resolved.match, matcher) if session.recorder is not None else None
    text = _answer(matcher, resolved.match, session, resolved.asks)
    session.asked_id = asked_id if resolved.match.entry is None else None  # its choices are "did you mean"s
    return text


def _answer(matcher: Matcher, match: Match, session: Session, asks: str | None = None) -> str:
    """Render an answer (who made the claim first, for "who said that?": see `claim_lead`),
    remember it as the context, and number what may be picked next."""
    knowledge = matcher.knowledge
    lead = claim_lead(match, knowledge, asks) if asks is not None else None
    text = render_plain(match, knowledge.article, other=other_side_of(match, knowledge), lead=lead)
    if match.entry is None:
        session.choices = list(match.suggestions)
        session.previous = None  # "who said that" after no answer has no "that" to lean on
        return text + ("\n(pick one with 1, 2, \u2026)" if match.suggestions else "")
    session.previous = match.entry
    related = [knowledge.by_id[i] for i in match.entry.related if i in knowledge.by_id][:MAX_RELATED]
    session.choices = related
    if not related:
        return text
    return "\n".join([text, "Related:", *(f"  /{n} {entry.question}" for n, entry in enumerate(related, 1))])


def run_console(matcher: Matcher, stdin: TextIO | None = None, stdout: TextIO | None = None,
                recorder: Recorder | None = None) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    interactive = stdin.isatty() and stdout.isatty()
    if interactive:
        _enable_history()
    article = matcher.knowledge.article
    print(f"Ask me about: {article_line(article)}", file=stdout)
    print("Type /help for commands, /quit to leave.", file=stdout)
    session = Session(recorder=recorder)
    while True:
        try:
            line = input("you> ") if interactive else _read(stdin, stdout)
        except (EOFError, KeyboardInterrupt):
            print(file=stdout)
            return 0
        if not line.strip():
            continue
        answer = reply(matcher, line, session)
        if answer is None:
            return 0
        print(answer, end="\n\n", file=stdout)


def _read(stdin: TextIO, stdout: TextIO) -> str:
    print("you> ", end="", file=stdout, flush=True)
    line = stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")
