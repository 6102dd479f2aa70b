"""The curator's view on Discord: /unanswered and /feedback for admins, /forget-me for everyone.

Admins see only their own server's questions (DMs only reach the terminal's `report`).
Reading runs in a thread on its own read-only connection, after the writer has flushed,
so the list includes the question asked a moment ago and never holds the event loop.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

from ...engine.matcher import Matcher
from ...learning.question_log import LogUnavailable
from ...learning.report import Report, build_report, open_log
from ..client import ArticleBot
from ..feedback import VoteButton
from ..replies import NO_PINGS, echo
from ..views import PagedView
from .admin import is_bot_admin

PER_PAGE = 5
LOGGING_OFF = "Question logging is off on this bot (DATA_PATH=off), so there is nothing to show."
DAY = 86400


def _read_report(path: Path, matcher: Matcher, since: float, guild: str) -> Report:
    conn = open_log(path)
    try:
        return build_report(conn, matcher, since=since, guild=guild)
    finally:
        conn.close()


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def unanswered_blocks(report: Report, matcher: Matcher) -> list[str]:
    """One block of text per group of unanswered questions, user text made inert."""
    blocks = []
    for group in report.groups:
        phrasings = group.phrasings
        lines = [f"**{len(group.questions)}\u00d7** by {_people(group.people)} \u2014 \u201c{echo(phrasings[0])}\u201d"]
        lines += [f"\u2003also \u201c{echo(text)}\u201d" for text in phrasings[1:3]]
        if len(phrasings) > 3:
            lines.append(f"\u2003and {len(phrasings) - 3} more wordings")
        if group.picked:
            entry_id, people = group.picked
            entry = matcher.knowledge.by_id.get(entry_id)
            lines.append(f"\u2003picked: **{entry.question if entry else entry_id}** ({_people(people)})")
        blocks.append("\n".join(lines))
    return blocks


def feedback_blocks(report: Report, matcher: Matcher) -> list[str]:
    blocks = []
    for item in report.disputed:
        entry = matcher.knowledge.by_id.get(item.entry_id)
        lines = [f"**{entry.question if entry else item.entry_id}** (`{item.entry_id}`): "
                 f"{item.not_right} Not right, {item.helpful} Helpful"]
        lines += [f"\u2003after \u201c{echo(text)}\u201d" for text in item.questions[:3]]
        blocks.append("\n".join(lines))
    return blocks


def report_pages(title: str, blocks: list[str], owner_id: int, footer: str) -> PagedView:
    """A report in pages of PER_PAGE blocks, for the admin who asked."""
    return PagedView(title, blocks, owner_id, per_page=PER_PAGE, footer=footer, separator="\n\n")


class Curator(commands.Cog):
    def __init__(self, bot: ArticleBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(VoteButton)  # votes under answers sent before a restart still count

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(VoteButton)

    async def _report(self, interaction: discord.Interaction, days: int) -> Report | None:
        """This server's report, or None after telling the admin why there is none."""
        question_log = self.bot.question_log
        if question_log is None or not question_log.enabled:
            reason = LOGGING_OFF if question_log is None else f"Question logging is off: {question_log.failure}"
            await interaction.response.send_message(reason, ephemeral=True, allowed_mentions=NO_PINGS)
            return None
        await interaction.response.defer(ephemeral=True, thinking=True)
        await asyncio.to_thread(question_log.flush, 10)  # include what was asked a moment ago
        try:
            return await asyncio.to_thread(_read_report, question_log.path, self.bot.matcher,
                                           time.time() - days * DAY, str(interaction.guild_id))
        except LogUnavailable as exc:
            await interaction.followup.send(str(exc), ephemeral=True, allowed_mentions=NO_PINGS)
            return None

    async def _send_pages(self, interaction: discord.Interaction, view: PagedView) -> None:
        if view.pages == 1:
            await interaction.followup.send(embed=view.embed(), ephemeral=True, allowed_mentions=NO_PINGS)
            return
        # an ephemeral follow-up is edited (at time-out) through the interaction's webhook
        view.attach(await interaction.followup.send(embed=view.embed(), view=view, ephemeral=True,
                                                    allowed_mentions=NO_PINGS, wait=True))

    @app_commands.command(name="unanswered", description="Questions I couldn't answer, grouped (admins)")
    @app_commands.describe(days="How many days back (default 7)")
    @app_commands.default_permissions(administrator=True)
    @app_commands.guild_only()
    @app_commands.check(is_bot_admin)
    async def unanswered(self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 3650] = 7) -> None:
        report = await self._report(interaction, days)
        if report is None:
            return
        blocks = unanswered_blocks(report, self.bot.matcher)
        asked = sum(report.outcomes.values())
        footer = (f"{len(blocks)} groups \u00b7 {asked} questions in {days} days \u00b7 "
                  "python -m bot report --yaml turns picks into new phrasings")
        await self._send_pages(interaction, report_pages("Unanswered questions", blocks, interaction.user.id, footer))

    @app_commands.command(name="feedback", description="Answers people voted Not right (admins)")
    @app_commands.describe(days="How many days back (default 7)")
    @app_commands.default_permissions(administrator=True)
    @app_commands.guild_only()
    @app_commands.check(is_bot_admin)
    async def feedback(self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 3650] = 7) -> None:
        report = await self._report(interaction, days)
        if report is None:
            return
        blocks = feedback_blocks(report, self.bot.matcher)
        footer = f"{len(blocks)} answers voted Not right in {days} days \u00b7 votes never change an answer"
        pages = report_pages("Answers voted Not right", blocks, interaction.user.id, footer)
        await self._send_pages(interaction, pages)

    @app_commands.command(name="forget-me", description="Delete every question and vote of yours that I logged")
    async def forget_me(self, interaction: discord.Interaction) -> None:
        question_log = self.bot.question_log
        if question_log is None:
            await interaction.response.send_message("Nothing of yours is kept: question logging is off.",
                                                    ephemeral=True, allowed_mentions=NO_PINGS)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            deleted = await asyncio.wrap_future(question_log.forget(interaction.user.id))
        except LogUnavailable:
            await interaction.followup.send("I couldn't delete your records: the question log is off or broken. "
                                            "Ask a server admin to tell the bot's operator.", ephemeral=True,
                                            allowed_mentions=NO_PINGS)
            return
        await interaction.followup.send(f"Done: deleted {deleted} record{'s' if deleted != 1 else ''} of your "
                                        "questions, votes and picks.", ephemeral=True, allowed_mentions=NO_PINGS)


async def setup(bot: ArticleBot) -> None:
    await bot.add_cog(Curator(bot))
