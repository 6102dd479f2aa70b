"""Asking by chatting: a mention, a reply to the bot, a DM, or a message in an ask channel."""

from __future__ import annotations

import logging
import re
import time

import discord
from discord.ext import commands

from ..discord_bot import ArticleBot
from ..replies import NO_PINGS, UNEXPECTED
from ..views import answer_message

log = logging.getLogger(__name__)

GREETING = ("Ask me anything about the article \u2014 for example \u201cwho controls Palmyra?\u201d. "
            "Use /topics to see what I can answer.")


class Chat(commands.Cog):
    def __init__(self, bot: ArticleBot) -> None:
        self.bot = bot
        # one "slow down" notice per user per cooldown window, so a flood gets one reply
        self.warned = commands.CooldownMapping.from_cooldown(1, bot.settings.cooldown_per, commands.BucketType.user)

    def question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or None when it isn't talking to the bot."""
        me = self.bot.user
        if me is None or message.author.bot:
            return None
        channel = message.channel
        parent_id = getattr(channel, "parent_id", None)
        addressed = (
            isinstance(channel, discord.DMChannel)
            or any(user.id == me.id for user in message.mentions)
            or (isinstance(message.reference and message.reference.resolved, discord.Message)
                and message.reference.resolved.author.id == me.id)
            or channel.id in self.bot.settings.ask_channel_ids
            or parent_id in self.bot.settings.ask_channel_ids
        )
        if not addressed:
            return None
        return re.sub(rf"<@!?{me.id}>", " ", message.content).strip()

    def embeds_allowed(self, message: discord.Message) -> bool:
        if message.guild is None:
            return True
        return message.channel.permissions_for(message.guild.me).embed_links

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        question = self.question_in(message)
        if question is None:
            return
        try:
            await self.answer(message, question)
        except Exception:
            log.exception("error answering message %s", message.id)
            try:
                await message.reply(UNEXPECTED, allowed_mentions=NO_PINGS)
            except discord.HTTPException:
                log.warning("could not tell the user about an error", exc_info=True)

    async def answer(self, message: discord.Message, question: str) -> None:
        if not question:
            await message.reply(GREETING, allowed_mentions=NO_PINGS)
            return
        if bucket := self.bot.over_question_limit(message):
            now = time.monotonic()
            notice = self.warned.get_bucket(message, now)
            if notice is None or not notice.update_rate_limit(now):
                retry = bucket.get_retry_after(now)
                await message.reply(f"Easy there \u2014 you can ask again in {retry:.0f} s.", allowed_mentions=NO_PINGS)
            return
        matcher = self.bot.matcher
        match = matcher.match(question)
        kwargs = answer_message(match, matcher.knowledge.article, message.author.id, self.embeds_allowed(message))
        sent = await message.reply(**kwargs)
        if view := kwargs.get("view"):
            view.message = sent

async def setup(bot: ArticleBot) -> None:
    await bot.add_cog(Chat(bot))
