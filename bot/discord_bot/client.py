"""The Discord bot: a `commands.Bot` whose cogs answer from a swappable Matcher."""

from __future__ import annotations

import asyncio
import gc
import logging
import time

import discord
from discord import app_commands
from discord.ext import commands

from ..engine.background import load_in_child
from ..engine.compiled import load_matcher
from ..engine.knowledge import KnowledgeDiff
from ..engine.matcher import Matcher
from ..learning.question_log import QuestionLog
from ..settings import Settings
from .context import ContextStore
from .sync import STATE_FILE, SyncRecord, sync_commands
from .views import PERSISTENT_BUTTONS

log = logging.getLogger(__name__)

# The bot never joins voice: discord.py's warnings that voice libraries are missing are noise.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False

EXTENSIONS = ("bot.discord_bot.cogs.ask", "bot.discord_bot.cogs.chat", "bot.discord_bot.cogs.admin",
              "bot.discord_bot.cogs.curator")


class ArticleTree(app_commands.CommandTree):
    """Every app-command error ends here: the user gets an answer, the log gets the trace."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        from .replies import report_error

        command = interaction.command.qualified_name if interaction.command else "?"
        await report_error(interaction, error, f"app command {command}")


def _asker_id(source: discord.Message | discord.Interaction) -> int:
    """Whose question budget a message or an interaction spends: its author's, its user's."""
    return source.user.id if isinstance(source, discord.Interaction) else source.author.id


class ArticleBot(commands.Bot):
    """Holds the current Matcher; `reload_knowledge` replaces it in one assignment."""

    def __init__(self, settings: Settings, matcher: Matcher, *, sync_commands: bool = True, **options) -> None:
        intents = discord.Intents.default()
        intents.message_content = True  # questions in server messages are their text
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=ArticleTree,
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            **options,
        )
        self.settings = settings
        self.matcher = matcher
        self.contexts = ContextStore(settings.context_minutes)  # what follow-ups lean on
        # the question log (DATA_PATH): its writer thread starts in setup_hook and is flushed by close()
        self.question_log = (QuestionLog(settings.data_path, hash_key=settings.log_hash_key,
                                         retention_days=settings.retention_days) if settings.data_path else None)
        self.sync_commands = sync_commands
        self.question_cooldown: commands.CooldownMapping[discord.Message | discord.Interaction] = (
            commands.CooldownMapping(commands.Cooldown(settings.cooldown_rate, settings.cooldown_per), _asker_id)
        )

    def over_question_limit(self, source: discord.Message | discord.Interaction) -> app_commands.Cooldown | None:
        """Spend one question from the asker's budget; the bucket if it is exhausted.

        Timed with the monotonic clock, so a wall-clock jump never locks users out.
        """
        now = time.monotonic()
        bucket = self.question_cooldown.get_bucket(source, now)
        if bucket is not None and bucket.update_rate_limit(now):
            return bucket
        return None

    async def setup_hook(self) -> None:
        if self.question_log is not None:
            self.question_log.start()  # returns at once: the thread opens the database
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        self.add_dynamic_items(*PERSISTENT_BUTTONS)  # buttons on old messages answer after a restart
        self.contexts.prepare(self.matcher)  # before the first question, not during it
        gc.freeze()  # those follow-up indexes live as long as the matcher: out of every collection
        if not self.sync_commands:
            return
        assert self.application_id is not None  # login sets it before it calls setup_hook
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        await sync_commands(self.tree, self.application_id, self.sync_record(), guild)

    def sync_record(self) -> SyncRecord:
        return SyncRecord(self.settings.data_dir / STATE_FILE)

    async def close(self) -> None:
        """Disconnect, then write every question the log accepted (off the event loop)."""
        await super().close()
        if self.question_log is not None:
            await asyncio.to_thread(self.question_log.close)

    async def on_ready(self) -> None:
        log.info("ready as %s (%s) in %d guilds; %s", self.user, getattr(self.user, "id", "?"),
                 len(self.guilds), self.matcher.knowledge.summary())

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: the chat cog reads questions, so nothing is dispatched here."""

    async def reload_knowledge(self) -> tuple[Matcher, Matcher, KnowledgeDiff]:
        """Load and index the knowledge file, with what follow-ups need, in a child process, take
        it over in a thread that yields to the loop after each frame (the loop's stalls stay short),
        diff it off the loop, then swap; return (old, new, diff).

        Raises KnowledgeError and keeps the current Matcher when the file is bad.
        """
        path = self.settings.knowledge_path
        conversation = await asyncio.to_thread(load_in_child, path, cache_dir=self.settings.cache_dir)
        new = self.contexts.adopt(conversation).matcher
        old = self.matcher
        diff = await asyncio.to_thread(old.knowledge.diff, new.knowledge)
        self.matcher = new
        log.info("reloaded %s: %s (%s)", path, new.knowledge.summary(), diff.summary())
        return old, new, diff


class ShardedArticleBot(ArticleBot, commands.AutoShardedBot):
    """The same bot spread over gateway shards (SHARD_COUNT)."""


def create_bot(settings: Settings | None = None, *, sync_commands: bool = True) -> ArticleBot:
    """Build the bot without connecting; tests drive it, `run_bot` starts it."""
    settings = settings or Settings.from_env()
    matcher = load_matcher(settings.knowledge_path, cache_dir=settings.cache_dir)
    if settings.shard_count:
        return ShardedArticleBot(settings, matcher, sync_commands=sync_commands, shard_count=settings.shard_count)
    return ArticleBot(settings, matcher, sync_commands=sync_commands)
