"""Replies stay inside Discord's limits and show user text inert, whatever the knowledge holds."""

from __future__ import annotations

import dataclasses

from bot.engine.knowledge import Source
from bot.discord_bot.replies import answer_reply, echo


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
