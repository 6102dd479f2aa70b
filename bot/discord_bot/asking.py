"""Every way of asking (chat, /ask, the message menu, buttons) cleans and logs a question here."""

from __future__ import annotations

import logging
import time

import discord

from ..engine.formatting import outcome
from ..engine.matcher import Match, Matcher
from ..learning.question_log import QuestionLog, Where

log = logging.getLogger("bot.questions")
QUESTION_ID = r"[0-9]{1,19}"  # a question log id, in a button's custom id




def log_question(via: str, match: Match | None, started: float) -> None:
    """One INFO line per question, for an operator: how, the outcome, the entry and the time
    since `started` (time.perf_counter()). Never the user's words: those stay private."""
    entry = match.entry.id if match is not None and match.entry is not None else "-"
    log.info("question via=%s outcome=%s entry=%s latency_ms=%.0f",
             via, "entry-gone" if match is None else outcome(match), entry, (time.perf_counter() - started) * 1000)


def record_question(question_log: QuestionLog | None, source: discord.Message | discord.Interaction,
                    matcher: Matcher, match: Match, via: str) -> int | None:
    """Queue the question for the bot's question log (no I/O here); its id for feedback buttons,
    or None when logging is off. A DM is logged as "DM", without its channel."""
    if question_log is None:
        return None
    if isinstance(source, discord.Interaction):  # ids even when the guild isn't cached
        user, guild_id, channel_id = source.user, source.guild_id, source.channel_id
    else:
        user, guild_id, channel_id = source.author, source.guild.id if source.guild else None, source.channel.id
    return question_log.asked(match, matcher.knowledge, where=Where.of(guild_id, channel_id), user_id=user.id,
                              source=via)


def record_pick(question_log: QuestionLog | None, interaction: discord.Interaction, matcher: Matcher,
                match: Match, question_id: int | None) -> None:
    """A "did you mean" click: the pick for the question it was offered under, and itself a question."""
    if question_log is None or match.entry is None:
        return
    if question_id is not None:
        question_log.pick(question_id, interaction.user.id, match.entry.id)
    record_question(question_log, interaction, matcher, match, "suggestion")
