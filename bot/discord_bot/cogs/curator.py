"""The curator's view on Discord: /unanswered and /feedback for admins, /forget-me for everyone.

Admins see only their own server's questions (DMs only reach the terminal's `report`).
Reading runs in a thread on its own read-only connection, after the writer has flushed,
so the list includes the question asked a moment ago and never holds the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

from ...engine.matcher import Matcher
from ...engine.text import shorten
from ...learning.question_log import LogUnavailable
from ...learning.report import Report, build_report, open_log
from .. import limits
from ..client import ArticleBot
from ..feedback import VoteButton
from ..replies import NO_PINGS, echo, report_error
from .admin import is_bot_admin

PER_PAGE = 5
VIEW_TIMEOUT = 600.0
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


class PagesView(discord.ui.View):
    """Pages of a report, for the admin who asked; the buttons come off when it times out."""

    def __init__(self, title: str, blocks: list[str], owner_id: int, footer: str) -> None:
        super().__init__(timeout=VIEW_TIMEOUT)
        self.title, self.blocks, self.owner_id, self.footer = title, blocks, owner_id, footer
        self.page = 0
        self.pages = max(1, math.ceil(len(blocks) / PER_PAGE))
        self.interaction: discord.Interaction | None = None  # an ephemeral message is edited through it
        self._sync_buttons()

    def embed(self) -> discord.Embed:
        shown = self.blocks[self.page * PER_PAGE:(self.page + 1) * PER_PAGE]
        embed = discord.Embed(title=shorten(self.title, limits.EMBED_TITLE), colour=discord.Colour.blue(),
                              description=shorten("\n\n".join(shown) or "Nothing yet.", limits.EMBED_DESCRIPTION))
        embed.set_footer(text=shorten(f"Page {self.page + 1}/{self.pages} \u00b7 {self.footer}", limits.EMBED_FOOTER))
        return embed

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message("Run the command yourself to page through it.", ephemeral=True,
                                                allowed_mentions=NO_PINGS)
        return False

    async def on_timeout(self) -> None:
        if self.interaction is not None:
            # if the interaction's token expired, the buttons just stop answering
            with contextlib.suppress(discord.HTTPException):
                await self.interaction.edit_original_response(view=None)

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item) -> None:
        await report_error(interaction, error, f"{self.title} pages")

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.page = min(max(self.page + step, 0), self.pages - 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, 1)


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

    async def _send_pages(self, interaction: discord.Interaction, view: PagesView) -> None:
        if view.pages == 1:
            await interaction.followup.send(embed=view.embed(), ephemeral=True, allowed_mentions=NO_PINGS)
            return
        view.interaction = interaction
        await interaction.followup.send(embed=view.embed(), view=view, ephemeral=True, allowed_mentions=NO_PINGS)

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
        await self._send_pages(interaction, PagesView("Unanswered questions", blocks, interaction.user.id, footer))

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
        await self._send_pages(interaction, PagesView("Answers voted Not right", blocks, interaction.user.id, footer))

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
