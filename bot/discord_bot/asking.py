"""Every way of asking (chat, /ask, the message menu, buttons) cleans and logs a question here."""

from __future__ import annotations

import logging
import time

from ..engine.matcher import Match, Matcher
from ..engine.text import strip_discord_markup

log = logging.getLogger("bot.questions")


def match_question(matcher: Matcher, text: str) -> Match:
    """Match what a Discord message or option asks, without its mentions, emoji and timestamps."""
    return matcher.match(strip_discord_markup(text))


def outcome(match: Match | None) -> str:
    if match is None:
        return "entry-gone"  # a button for an entry a reload removed
    if match.answered:
        return "answered"
    return "did-you-mean" if match.suggestions else "doesnt-say"


def log_question(via: str, match: Match | None, started: float) -> None:
    """One INFO line per question, for an operator: how, the outcome, the entry and the time
    since `started` (time.perf_counter()). Never the user's words: those stay private."""
    entry = match.entry.id if match is not None and match.entry is not None else "-"
    log.info("question via=%s outcome=%s entry=%s latency_ms=%.0f",
             via, outcome(match), entry, (time.perf_counter() - started) * 1000)
