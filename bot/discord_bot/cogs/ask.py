"""Asking by slash command and context menu: /ask, /topics, /about, "Ask the article"."""

from __future__ import annotations

import time

import discord
from discord import app_commands
from discord.ext import commands

from ...engine.conversation import is_chatter
from ...engine.formatting import about_text
from ...engine.text import shorten, strip_discord_markup
from .. import limits
from ..asking import log_question, record_question
from ..client import ArticleBot
from ..context import resolve
from ..feedback import with_feedback
from ..replies import DISCORD_GREETING, NO_PINGS, embeds_allowed
from ..views import ExpiringView, TopicsView, answer_message


async def _question_cooldown(interaction: discord.Interaction[ArticleBot]) -> bool:
    """One per-user budget shared by every way of asking (slash, menu, chat)."""
    if bucket := interaction.client.over_question_limit(interaction):
        raise app_commands.CommandOnCooldown(bucket, bucket.get_retry_after(time.monotonic()))
    return True


async def _message_to_edit_later(interaction: discord.Interaction,
                                  ephemeral: bool) -> discord.Message | discord.PartialMessage:
    """The sent response, as something a view can still edit when it times out.

    An interaction's token lasts 15 minutes, and each click restarts a view's time-out,
    so a public message is edited through the channel (the bot's own token, no expiry).
    An ephemeral one can only be edited through the interaction.
    """
    message = await interaction.original_response()
    partial = getattr(interaction.channel, "get_partial_message", None)  # text, voice, thread, DM channels
    return message if ephemeral or partial is None else partial(message.id)


class Ask(commands.Cog):
    def __init__(self, bot: ArticleBot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(name="Ask the article", callback=self.ask_message)
        self.menu.add_check(_question_cooldown)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self.menu.name, type=self.menu.type)

    async def _answer(self, interaction: discord.Interaction, question: str, *, private: bool, via: str) -> None:
        started = time.perf_counter()
        matcher = self.bot.matcher  # one knowledge for the whole answer, even if a reload lands meanwhile
        contexts, user, place = self.bot.contexts, interaction.user.id, interaction.channel_id
        question = strip_discord_markup(question)
        if is_chatter(question):  # "thanks", "lol": greeted as in the chat; no answer, log or lost context
            await interaction.response.send_message(DISCORD_GREETING, ephemeral=True, allowed_mentions=NO_PINGS)
            return
        previous = contexts.last(user, place) if place is not None else None
        resolved = await resolve(contexts, matcher, question, previous)
        match = resolved.match
        question_id = record_question(self.bot.question_log, interaction, matcher, match, via)
        kwargs = with_feedback(answer_message(match, matcher.knowledge.article, user, embeds_allowed(interaction),
                                              knowledge=matcher.knowledge, question_id=question_id,
                                              asks=resolved.asks),
                               match, question_id)
        await interaction.response.send_message(ephemeral=private, **kwargs)
        log_question(via, match, started)
        sent = None
        if isinstance(view := kwargs.get("view"), ExpiringView):
            sent = await _message_to_edit_later(interaction, private)
            view.attach(sent)
        if place is not None:
            contexts.remember(user, place, match.entry, sent.id if sent is not None else None)

    @app_commands.command(name="ask", description="Ask a question about the article")
    @app_commands.describe(question="Your question, in your own words", private="Only you see the answer")
    @app_commands.check(_question_cooldown)
    async def ask(self, interaction: discord.Interaction, question: app_commands.Range[str, 1, 4000],
                  private: bool = False) -> None:
        await self._answer(interaction, question, private=private, via="slash")

    @ask.autocomplete("question")
    async def ask_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=q, value=q) for q in self.bot.matcher.complete(current)]

    async def ask_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        if not message.content.strip():
            await interaction.response.send_message("That message has no text to ask about.", ephemeral=True)
            return
        await self._answer(interaction, message.content, private=False, via="menu")

    @app_commands.command(name="topics", description="What I can answer about the article")
    async def topics(self, interaction: discord.Interaction) -> None:
        knowledge = self.bot.matcher.knowledge
        view = TopicsView([e.question for e in knowledge.entries], interaction.user.id,
                          f"What I can answer about \u201c{knowledge.article.title}\u201d")
        if not embeds_allowed(interaction):
            await interaction.response.send_message(view.text(), ephemeral=True, allowed_mentions=NO_PINGS)
            return
        if view.pages == 1:
            await interaction.response.send_message(embed=view.embed(), allowed_mentions=NO_PINGS)
            return
        await interaction.response.send_message(embed=view.embed(), view=view, allowed_mentions=NO_PINGS)
        view.attach(await _message_to_edit_later(interaction, ephemeral=False))

    @app_commands.command(name="about", description="The article I answer from, and the knowledge file in use")
    async def about(self, interaction: discord.Interaction) -> None:
        knowledge = self.bot.matcher.knowledge
        title, body = about_text(knowledge, loaded=discord.utils.format_dt(knowledge.loaded_at, "R"), markdown=True)
        if embeds_allowed(interaction):
            embed = discord.Embed(title=shorten(title, limits.EMBED_TITLE),
                                  description=shorten(body, limits.EMBED_DESCRIPTION), colour=discord.Colour.blue())
            await interaction.response.send_message(embed=embed, allowed_mentions=NO_PINGS)
        else:
            await interaction.response.send_message(shorten(f"**{title}**\n{body}", limits.MESSAGE),
                                                    allowed_mentions=NO_PINGS)


async def setup(bot: ArticleBot) -> None:
    await bot.add_cog(Ask(bot))
