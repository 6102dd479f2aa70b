"""Starting and stopping the bot: SIGTERM or Ctrl-C finishes the replies being written,
closes the connection and exits 0, so a restart (systemd, a deploy) never cuts an answer."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import aiohttp
import discord

from ..settings import Settings
from .client import ArticleBot, create_bot
from .sync import SyncResult, sync_commands

log = logging.getLogger(__name__)

GRACE_SECONDS = 10.0  # the systemd unit's TimeoutStopSec leaves room for this
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# discord.py names the tasks that run handlers: events (a chat question), app commands
# (/ask, /reload) and component callbacks (buttons). A task with one of these names is a
# reply being worked on.
ANSWERING_TASKS = ("discord.py: ", "CommandTree-invoker", "discord-ui-view-dispatch-",
                   "discord-ui-dynamic-item-", "discord-ui-modal-dispatch-")


def replies_in_flight() -> set[asyncio.Task]:
    current = asyncio.current_task()
    return {task for task in asyncio.all_tasks()
            if task is not current and not task.done() and task.get_name().startswith(ANSWERING_TASKS)}


async def shut_down(bot: discord.Client, grace: float = GRACE_SECONDS, hurry: asyncio.Event | None = None) -> None:
    """Wait (at most `grace` seconds, or until `hurry` is set) for the replies in flight,
    including any that start meanwhile, then close the connection."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    hurry = hurry or asyncio.Event()
    if pending := replies_in_flight():
        log.info("finishing %d replies in flight", len(pending))
    hurried = asyncio.ensure_future(hurry.wait())
    try:
        while ((pending := replies_in_flight()) and not hurry.is_set()
               and (remaining := deadline - loop.time()) > 0):
            await asyncio.wait({*pending, hurried}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
    finally:
        hurried.cancel()
    if pending:
        log.warning("closing with %d replies unfinished", len(pending))
    await bot.close()
    log.info("disconnected from Discord")


async def run_until_stopped(bot: discord.Client, connect: Callable[[], Awaitable[None]],
                            grace: float = GRACE_SECONDS) -> None:
    """Run `connect()` (normally `bot.start(token)`) until it ends or a stop signal arrives.

    The first SIGTERM/SIGINT starts a clean shut-down; a second one stops waiting for replies.
    """
    loop = asyncio.get_running_loop()
    stop, hurry = asyncio.Event(), asyncio.Event()

    def on_signal(number: signal.Signals) -> None:
        if stop.is_set():
            log.info("%s again: closing without waiting for replies", number.name)
            hurry.set()
            return
        log.info("%s: finishing replies in flight, then disconnecting", number.name)
        stop.set()

    installed = []
    for number in STOP_SIGNALS:
        try:
            loop.add_signal_handler(number, on_signal, number)
            installed.append(number)
        except (NotImplementedError, RuntimeError):  # not the main thread, or Windows: Ctrl-C still works
            pass
    runner = asyncio.ensure_future(connect())
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner.done():
            runner.result()  # a login or connection error goes to the caller
            return
        await shut_down(bot, grace, hurry)
        runner.cancel()  # connect() returns once closed; a login still going is abandoned
        await asyncio.gather(runner, return_exceptions=True)
    finally:
        stopper.cancel()
        for number in installed:
            loop.remove_signal_handler(number)


CONFIGURATION = 2  # what exit status 2 means everywhere: fix a setting; retrying cannot help
UNREACHABLE = 1  # a restart later may work


def _explained(exc: BaseException) -> tuple[str, int] | None:
    """A line an operator can act on and the exit status, for the errors that mean Discord or
    the network said no; None for anything else (a bug: let its traceback show)."""
    if isinstance(exc, discord.LoginFailure):
        return "Discord refused the token: check DISCORD_TOKEN (reset it in the Developer Portal)", CONFIGURATION
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return "enable the Message Content intent for this bot in the Developer Portal (Bot page)", CONFIGURATION
    if isinstance(exc, discord.Forbidden):
        return (f"Discord refused ({exc.text or exc.status}): is the bot in that server, invited with "
                "the applications.commands scope?", CONFIGURATION)
    if isinstance(exc, (OSError, aiohttp.ClientError, discord.GatewayNotFound, discord.DiscordServerError)):
        return (f"could not reach Discord ({exc}): check the network, then try again; "
                "`python -m bot chat` works offline", UNREACHABLE)
    return None


def _run(main: Callable[[], Coroutine[Any, Any, None]]) -> int:
    try:
        asyncio.run(main())
    except (discord.DiscordException, OSError, aiohttp.ClientError) as exc:
        if (explained := _explained(exc)) is None:
            raise
        message, status = explained
        log.error("%s", message)
        return status
    return 0


def _setup_logging(settings: Settings) -> None:
    discord.utils.setup_logging(level=logging.getLevelName(settings.log_level))


def run_bot(settings: Settings) -> int:
    """Connect and answer until stopped: 0 after a clean stop; 2 when a setting must be fixed,
    1 when Discord could not be reached, each with one line in the log."""
    _setup_logging(settings)
    bot = create_bot(settings)
    gc.freeze()  # what start-up loaded lives as long as the bot: keep it out of every collection

    async def main() -> None:
        async with bot:
            await run_until_stopped(bot, lambda: bot.start(settings.token or ""))

    return _run(main)


async def sync_once(bot: ArticleBot, token: str, guild_id: int | None, force: bool) -> SyncResult:
    """Log in over HTTP only (no gateway), sync one scope, close."""
    async with bot:
        await bot.login(token)
        assert bot.application_id is not None  # login sets it, from the application's info if not before
        guild = discord.Object(guild_id) if guild_id else None
        return await sync_commands(bot.tree, bot.application_id, bot.sync_record(), guild, force=force)


def run_sync(settings: Settings, guild_id: int | None, force: bool) -> int:
    """`python -m bot sync`: print what was synced, or that nothing had changed."""
    _setup_logging(settings)
    bot = create_bot(settings, sync_commands=False)
    results: list[SyncResult] = []

    async def main() -> None:
        results.append(await sync_once(bot, settings.token or "", guild_id or settings.dev_guild_id, force))

    status = _run(main)
    for result in results:
        print(result.describe() + ("" if result.synced is not None else "; --force syncs anyway"))
    return status
