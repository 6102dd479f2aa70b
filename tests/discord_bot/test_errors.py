"""One error handler, one message per kind of failure: nobody is told "only admins" for a cooldown.

The bot's own commands raise some of these (a cooldown on /ask, the admin check on /reload);
the others are exercised through small commands added to the bot's real tree for the test,
so the tree's handler is what answers.
"""

from __future__ import annotations

import discord
from discord import app_commands
from simcord.asserts import assert_error

from bot.discord_bot.replies import UNEXPECTED, Refused, error_message

QUESTION = "how many air strikes did russia launch?"


async def ok(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("ok")


async def add_command(env, name: str, *checks) -> None:
    command = app_commands.Command(name=name, description="test", callback=ok)
    for check in checks:
        command = check(command)
    env.bot.tree.add_command(command)
    await env.bot.tree.sync()


async def test_bot_missing_permissions_names_them(simcord_env, guild, alice):
    await add_command(simcord_env, "embeds", app_commands.checks.bot_has_permissions(embed_links=True))
    plain = guild.create_text_channel("plain", overwrites={guild.me: discord.PermissionOverwrite(embed_links=False)})
    result = await alice.slash(plain, "embeds")
    assert result.ephemeral and result.response.content.startswith("I need the Embed Links permission in this channel")
    assert_error(simcord_env, app_commands.BotMissingPermissions)


async def test_missing_permissions_names_them(simcord_env, alice, channel):
    await add_command(simcord_env, "tidy", app_commands.checks.has_permissions(manage_messages=True))
    result = await alice.slash(channel, "tidy")
    assert result.ephemeral and result.response.content == "You need the Manage Messages permission to do that."
    assert_error(simcord_env, app_commands.MissingPermissions)


async def test_missing_role_names_it_without_pinging(simcord_env, guild, alice, channel):
    editors = guild.create_role("Editors")
    await add_command(simcord_env, "edit", app_commands.checks.has_role(editors.id))
    result = await alice.slash(channel, "edit")
    assert result.ephemeral and result.response.content == f"You need the <@&{editors.id}> role to do that."
    stored = simcord_env.backend.get_message(channel.id, result.response.message.id)
    assert not stored.ping_role_ids and not stored.mention_everyone
    assert_error(simcord_env, app_commands.MissingRole)


async def test_missing_any_role_names_them(simcord_env, alice, channel):
    await add_command(simcord_env, "review", app_commands.checks.has_any_role("Editors", "Reviewers"))
    result = await alice.slash(channel, "review")
    assert result.ephemeral
    roles = "\u201cEditors\u201d, \u201cReviewers\u201d"
    assert result.response.content == f"You need one of these roles to do that: {roles}."
    assert_error(simcord_env, app_commands.MissingAnyRole)


async def test_a_role_check_in_dms_says_it_works_in_a_server(simcord_env):
    await add_command(simcord_env, "edit", app_commands.checks.has_role("Editors"))
    user = simcord_env.create_user("bob")
    result = await user.slash("edit")
    assert result.ephemeral and "not in DMs" in result.response.content
    assert_error(simcord_env, app_commands.NoPrivateMessage)


async def test_cooldown_says_when_to_ask_again(simcord_env, alice, channel):
    for _ in range(simcord_env.bot.settings.cooldown_rate):
        await alice.slash(channel, "ask", question=QUESTION)
    result = await alice.slash(channel, "ask", question=QUESTION)
    assert result.ephemeral and result.response.content.startswith("Easy there")
    assert "admins" not in result.response.content
    assert_error(simcord_env, app_commands.CommandOnCooldown)


async def test_another_check_is_not_blamed_on_admins(simcord_env, alice, channel):
    await add_command(simcord_env, "never", app_commands.check(lambda interaction: False))
    result = await alice.slash(channel, "never")
    assert result.ephemeral and result.response.content == "You can't use that command here."
    assert_error(simcord_env, app_commands.CheckFailure)


async def test_a_failing_command_tells_the_user(simcord_env, alice, channel):
    async def broken(interaction: discord.Interaction) -> None:
        raise RuntimeError("boom")

    simcord_env.bot.tree.add_command(app_commands.Command(name="broken", description="test", callback=broken))
    await simcord_env.bot.tree.sync()
    result = await alice.slash(channel, "broken")
    assert result.ephemeral and result.response.content == UNEXPECTED
    assert_error(simcord_env, app_commands.CommandInvokeError)


def test_each_failure_has_its_own_words():
    cooldown = app_commands.Cooldown(1, 10)
    errors = [
        app_commands.BotMissingPermissions(["embed_links", "send_messages"]),
        app_commands.MissingPermissions(["manage_guild"]),
        app_commands.MissingRole(1),
        app_commands.MissingAnyRole([1, "Editors"]),
        app_commands.CommandOnCooldown(cooldown, 3.2),
        app_commands.NoPrivateMessage(),
        app_commands.CheckFailure(),
        Refused("Only admins."),
    ]
    messages = [error_message(error) for error in errors]
    assert all(expected for _, expected in messages)
    assert len({text for text, _ in messages}) == len(errors)
    assert messages[0][0].startswith("I need the Embed Links, Send Messages permissions")
    assert messages[1][0] == "You need the Manage Server permission to do that."
    assert "4 s" in messages[4][0]
    assert error_message(RuntimeError("x")) == (UNEXPECTED, False)
