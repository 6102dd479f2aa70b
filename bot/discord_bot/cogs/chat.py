"""Asking by chatting: a mention, a reply to the bot, a DM, or a message in an ask channel."""

from __future__ import annotations

import logging
import time

import discord
from discord.ext import commands

from ...engine.conversation import is_chatter
from ...engine.text import strip_discord_markup
from ..asking import log_question, record_question
from ..client import ArticleBot
from ..context import resolve
from ..feedback import with_feedback
from ..replies import DISCORD_GREETING, NO_PINGS, UNEXPECTED, embeds_allowed, slow_down
from ..views import ExpiringView, answer_message

log = logging.getLogger(__name__)

_CHAT_MESSAGES = (discord.MessageType.default, discord.MessageType.reply)


class Chat(commands.Cog):
    def __init__(self, bot: ArticleBot) -> None:
        self.bot = bot
        # one "slow down" notice per user per cooldown window, so a flood gets one reply
        self.warned = commands.CooldownMapping.from_cooldown(1, bot.settings.cooldown_per, commands.BucketType.user)

    def question_in(self, message: discord.Message) -> str | None:
        """The question a message asks the bot, or None when it isn't talking to the bot.

        A mention (of the bot or of its own role), a reply to it or a DM is talking to it,
        even with no question in it (it gets a greeting). A message in an ask channel is a
        question only if it asks something: pictures, stickers, pins and chatter ("lol",
        "thanks") are not questions, and a bot answering them would flood the channel.
        """
        me = self.bot.user
        if me is None or message.author.bot or message.type not in _CHAT_MESSAGES:
            return None
        own_roles = [role for role in message.role_mentions if role.tags and role.tags.bot_id == me.id]
        reference = message.reference.resolved if message.reference else None
        talking_to_me = (
            isinstance(message.channel, discord.DMChannel)
            or any(user.id == me.id for user in message.mentions)
            or bool(own_roles)
            or (isinstance(reference, discord.Message) and reference.author.id == me.id)
        )
        ask_channels = self.bot.settings.ask_channel_ids
        in_ask_channel = (message.channel.id in ask_channels
                          or getattr(message.channel, "parent_id", None) in ask_channels)
        text = strip_discord_markup(message.content)  # the bot's mention, and everyone else's
        if talking_to_me or (in_ask_channel and not is_chatter(text)):
            return text
        return None

    def can_reply(self, message: discord.Message) -> bool:
        if message.guild is None:
            return True
        permissions = message.channel.permissions_for(message.guild.me)
        in_thread = isinstance(message.channel, discord.Thread)
        return permissions.send_messages_in_threads if in_thread else permissions.send_messages

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        question = self.question_in(message)
        if question is None:
            return
        if not self.can_reply(message):
            log.debug("no permission to reply in channel %s", message.channel.id)
            return
        try:
            await self.answer(message, question)
        except discord.HTTPException:  # the reply itself failed: another would too
            log.warning("could not reply to message %s", message.id, exc_info=True)
        except Exception:
            log.exception("error answering message %s", message.id)
            try:
                await message.reply(UNEXPECTED, allowed_mentions=NO_PINGS)
            except discord.HTTPException:
                log.warning("could not tell the user about an error", exc_info=True)

    async def answer(self, message: discord.Message, question: str) -> None:
        if bucket := self.bot.over_question_limit(message):  # a greeting spends the budget too
            now = time.monotonic()
            notice = self.warned.get_bucket(message, now)
            if notice is None or not notice.update_rate_limit(now):
                await message.reply(slow_down(bucket.get_retry_after(now)), allowed_mentions=NO_PINGS)
            return
        if is_chatter(question):
            await message.reply(DISCORD_GREETING, allowed_mentions=NO_PINGS)
            return
        started = time.perf_counter()
        matcher = self.bot.matcher
        contexts = self.bot.contexts
        resolved = await resolve(contexts, matcher, question, self.context_of(message))  # markup stripped already
        match = resolved.match
        question_id = record_question(self.bot.question_log, message, matcher, match, "chat")
        kwargs = with_feedback(answer_message(match, matcher.knowledge.article, message.author.id,
                                              embeds_allowed(message), knowledge=matcher.knowledge,
                                              question_id=question_id, asks=resolved.asks),
                               match, question_id)
        sent = await message.reply(**kwargs)
        log_question("chat", match, started)
        contexts.remember(message.author.id, message.channel.id, match.entry, sent.id)
        if isinstance(view := kwargs.get("view"), ExpiringView):
            view.attach(sent)

    def context_of(self, message: discord.Message) -> str | None:
        """What a follow-up in this message leans on: the bot answer it replies to, always;
        else the author's last answer in this channel, thread or DM, if recent."""
        me = self.bot.user
        replied = message.reference.resolved if message.reference else None
        if (isinstance(replied, discord.Message) and me is not None and replied.author.id == me.id
                and (answered := self.bot.contexts.answered_in(replied, self.bot.matcher.knowledge)) is not None):
            return answered
        return self.bot.contexts.last(message.author.id, message.channel.id)


async def setup(bot: ArticleBot) -> None:
    await bot.add_cog(Chat(bot))
