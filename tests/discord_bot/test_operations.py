"""Operating the bot: commands synced only when they changed, and a clean stop mid-reply."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys

import discord
import pytest
from discord import app_commands

from bot.discord_bot import create_bot
from bot.discord_bot.lifecycle import replies_in_flight, run_until_stopped, shut_down
from bot.discord_bot.sync import STATE_FILE, SyncRecord, sync_commands
from bot.paths import ROOT

QUESTION = "how many air strikes did russia launch?"


def command_syncs(env) -> list:
    """Bulk overwrites of the command list: what `tree.sync` sends."""
    return [r for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]


# -- command sync -------------------------------------------------------------


async def test_first_start_syncs_and_records_the_commands(simcord_env, settings):
    assert len(command_syncs(simcord_env)) == 1
    record = json.loads((settings.data_dir / STATE_FILE).read_text(encoding="utf-8"))
    assert list(record) == [f"{simcord_env.bot.application_id}/global"]


async def test_restart_with_the_same_commands_does_not_sync(simcord_env, settings, alice, channel, caplog):
    caplog.set_level(logging.INFO, logger="bot.discord_bot.sync")
    await simcord_env.restart_bot(create_bot(settings))
    assert len(command_syncs(simcord_env)) == 1
    assert "commands unchanged since the last sync (global" in caplog.text
    result = await alice.slash(channel, "ask", question=QUESTION)  # Discord still has them
    assert "64 strikes" in result.response.embeds[0].description + str(result.response.embeds[0].fields)


async def test_restart_with_a_changed_command_set_syncs(simcord_env, settings):
    bot = create_bot(settings)

    @app_commands.command(name="ping", description="Is the bot there?")
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("pong", ephemeral=True)

    bot.tree.add_command(ping)
    await simcord_env.restart_bot(bot)
    [_, second] = command_syncs(simcord_env)
    assert "ping" in {command["name"] for command in second.json}


async def test_a_changed_description_counts_as_a_change(simcord_env, settings):
    bot = create_bot(settings)
    await simcord_env.restart_bot(bot)  # unchanged: no sync
    bot.tree.get_command("about").description = "About the article"
    result = await sync_commands(bot.tree, bot.application_id, bot.sync_record())
    assert result.synced is not None and len(command_syncs(simcord_env)) == 2


async def test_force_syncs_anyway_and_guilds_are_their_own_scope(simcord_env, settings, guild):
    bot = simcord_env.bot
    forced = await sync_commands(bot.tree, bot.application_id, bot.sync_record(), force=True)
    assert forced.synced is not None and "/ask" in forced.describe()
    server = discord.Object(guild.id)
    first = await sync_commands(bot.tree, bot.application_id, bot.sync_record(), server)
    again = await sync_commands(bot.tree, bot.application_id, bot.sync_record(), server)
    assert first.synced is not None and again.synced is None
    assert f"guild {guild.id}" in first.describe() and "unchanged" in again.describe()
    assert len(command_syncs(simcord_env)) == 3  # start, forced, guild


async def test_a_damaged_record_means_one_more_sync(simcord_env, settings, caplog):
    (settings.data_dir / STATE_FILE).write_text("{not json", encoding="utf-8")
    await simcord_env.restart_bot(create_bot(settings))
    assert len(command_syncs(simcord_env)) == 2
    assert "ignoring the command-sync record" in caplog.text
    assert json.loads((settings.data_dir / STATE_FILE).read_text(encoding="utf-8"))


def test_record_keeps_other_scopes(tmp_path):
    record = SyncRecord(tmp_path / "deep" / STATE_FILE)
    record.put("1/global", "a")
    record.put("1/guild 2", "b")
    assert (record.get("1/global"), record.get("1/guild 2"), record.get("3/global")) == ("a", "b", None)
    assert [p.name for p in (tmp_path / "deep").iterdir()] == [STATE_FILE]  # no temporary file left


# -- clean shutdown -------------------------------------------------------------


@pytest.fixture
def unfinished_at_close(simcord_env) -> list[list[str]]:
    """For each close of the bot, the replies still being worked on at that moment."""
    bot, seen = simcord_env.bot, []
    close = bot.close

    async def recording_close() -> None:
        seen.append(sorted(task.get_name() for task in replies_in_flight()))
        await close()

    bot.close = recording_close
    return seen


class SignalledMatcher:
    """The real matcher, but a stop signal reaches the process while a question is being answered."""

    def __init__(self, matcher, number: signal.Signals) -> None:
        self._matcher, self._number = matcher, number
        self.answered = 0

    def match(self, question: str):
        os.kill(os.getpid(), self._number)
        self.answered += 1
        return self._matcher.match(question)

    def __getattr__(self, name: str):
        return getattr(self._matcher, name)


async def forever() -> None:
    """Stands for `bot.start(token)`: simcord has already connected the bot."""
    await asyncio.Event().wait()


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
async def test_a_stop_signal_during_a_chat_reply_lets_it_finish(simcord_env, alice, channel, number,
                                                                unfinished_at_close):
    bot = simcord_env.bot
    bot.matcher = signalled = SignalledMatcher(bot.matcher, number)
    serving = asyncio.create_task(run_until_stopped(bot, forever))
    await asyncio.sleep(0)  # the signal handlers are in place
    await alice.send(channel, f"<@{bot.user.id}> {QUESTION}")
    await asyncio.wait_for(serving, 5)  # returns normally: exit status 0
    assert signalled.answered == 1 and unfinished_at_close == [[]]
    reply = channel.last_message
    assert reply.author.id == bot.user.id and "64 strikes" in str(reply.embeds[0].to_dict())
    assert bot.is_closed()
    assert signal.getsignal(number) in (signal.SIG_DFL, signal.default_int_handler)  # handlers removed


async def test_sigterm_during_a_reload_waits_for_its_reply(simcord_env, guild, channel, monkeypatch,
                                                           unfinished_at_close):
    """/reload loads in a worker thread for a while: the loop sees the signal mid-reply."""
    from bot.discord_bot import client

    load = client.load_in_child

    def load_then_signalled(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        return load(*args, **kwargs)

    monkeypatch.setattr(client, "load_in_child", load_then_signalled)
    admins = guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
    boss = guild.add_member(simcord_env.create_user("boss"), roles=[admins])
    bot = simcord_env.bot
    serving = asyncio.create_task(run_until_stopped(bot, forever))
    await asyncio.sleep(0)
    result = await boss.slash(channel, "reload")
    await asyncio.wait_for(serving, 10)
    assert "Reloaded" in result.response.content
    assert unfinished_at_close == [[]] and bot.is_closed()


async def test_shut_down_waits_for_a_slash_answer_in_flight(simcord_env, alice, channel, unfinished_at_close):
    bot = simcord_env.bot
    shutdowns: list[asyncio.Task] = []

    class StopsMidAnswer(SignalledMatcher):
        def match(self, question: str):
            shutdowns.append(asyncio.get_running_loop().create_task(shut_down(bot)))
            return self._matcher.match(question)

    bot.matcher = StopsMidAnswer(bot.matcher, signal.SIGTERM)
    result = await alice.slash(channel, "ask", question=QUESTION)
    await asyncio.wait_for(shutdowns[0], 5)
    assert bot.is_closed() and unfinished_at_close == [[]]
    assert "64 strikes" in str(result.response.embeds[0].to_dict())


async def test_shut_down_gives_up_after_the_grace_period(simcord_env, caplog):
    bot = simcord_env.bot
    stuck = asyncio.get_running_loop().create_task(asyncio.Event().wait(), name="discord.py: on_message")
    try:
        await shut_down(bot, grace=0.05)
    finally:
        stuck.cancel()
    assert bot.is_closed() and "closing with 1 replies unfinished" in caplog.text


# -- start-up noise ---------------------------------------------------------------


def test_creating_the_bot_logs_no_voice_warning(settings):
    """discord.py warns about missing voice libraries once per process: check a fresh one."""
    code = ("import logging; logging.basicConfig(level=logging.DEBUG); "
            "from bot.discord_bot import create_bot; from bot.settings import Settings; "
            f"create_bot(Settings(knowledge_path={str(settings.knowledge_path)!r}, cache_dir=None))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "voice" not in done.stderr.lower()


def test_settings_data_dir_from_environment(tmp_path):
    from bot.settings import Settings

    assert Settings.from_env({"DATA_DIR": str(tmp_path)}).data_dir == tmp_path
    assert Settings.from_env({}).data_dir == ROOT / "data"


# -- the load benchmark still runs ---------------------------------------------------


def test_load_benchmark_smoke():
    """50 questions and a /reload of 100 entries through benchmarks/load.py: its own checks pass.
    (Figures come from full runs; nothing here is timed.)"""
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "load.py"), "--questions", "50",
                           "--users", "10", "--reload-size", "100", "--batch", "10"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "exactly one for 50/50" in done.stdout and "0 from neither" in done.stdout
    assert "voice" not in done.stderr.lower()

