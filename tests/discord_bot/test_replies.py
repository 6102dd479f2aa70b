"""Replies stay inside Discord's limits and show user text inert, whatever the knowledge holds."""

from __future__ import annotations

import dataclasses

from bot.discord_bot.replies import answer_reply, echo
from bot.engine.knowledge import Source


def test_many_long_sources_fit_an_embed_and_a_message(matcher):
    entry = matcher.knowledge.entries[0]
    claimant = entry.sources[0].claimant
    long_quote = (matcher.knowledge.article.text.replace("\n", " ") * 2)[:1500]
    big = dataclasses.replace(entry, sources=tuple(Source(long_quote, claimant) for _ in range(40)))
    reply = answer_reply(matcher.answer_entry(big), matcher.knowledge.article)
    assert len(reply.embed) <= 6000 and len(reply.embed.fields) <= 25
    assert reply.embed.fields[-1].value.endswith("more sources")
    assert len(reply.text) <= 2000 and "more sources" in reply.text
    assert entry.answer[:40] in reply.text  # the answer itself is never cut for sources


def test_echo_is_inert():
    shown = echo("**x** https://a.example <#1> <@&2> <t:3:R> @here " + "y" * 500)
    assert "https://a" not in shown and "<#" not in shown and "<@&" not in shown and "<t:" not in shown
    assert "@here" not in shown and "**" not in shown and shown.endswith("\u2026") and len(shown) < 300


async def test_console_and_discord_about_say_the_same(simcord_env, matcher):
    from bot.console import reply

    guild = simcord_env.create_guild()
    channel = guild.create_text_channel("general")
    alice = guild.add_member(simcord_env.create_user("alice"))
    embed = (await alice.slash(channel, "about")).response.embeds[0]
    console = reply(simcord_env.bot.matcher, "/about").splitlines()
    assert console[0] == embed.title
    discord_rows = [line.replace("**", "").replace("`", "") for line in embed.description.splitlines()]
    assert [line.split(":", 1)[0] for line in console[1:]] == [line.split(":", 1)[0] for line in discord_rows]
    assert [r for r in console[1:] if not r.startswith("Loaded")] == [
        r for r in discord_rows if not r.startswith("Loaded")]


def test_not_sure_has_one_wording(matcher):
    from bot.engine.formatting import NOT_SURE, render_plain

    unsure = next(m for m in map(matcher.match, ["museum", "troops", "the army", "photo", "russia"]) if m.unsure)
    assert answer_reply(unsure, matcher.knowledge.article).embed.title == NOT_SURE
    assert render_plain(unsure, matcher.knowledge.article).startswith(NOT_SURE)
