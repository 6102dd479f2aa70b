"""Questions are cleaned of Discord markup before matching, and each is logged in one line without its words."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st
from screen import button_labels, suggests, text_of

from bot.engine.text import shorten, strip_discord_markup

BARE = "how many militants were killed?"
MARKUP = [
    "<@123456789012345678>", "<@!123456789012345678>", "<@&123456789012345678>", "<#123456789012345678>",
    "@everyone", "@here", "<:palmyra:123456789012345678>", "<a:spin:123456789012345678>",
    "<t:1700000000>", "<t:1700000000:R>", "</ask:123456789012345678>", "</admin reload:123456789012345678>",
]


# -- the cleaning itself ------------------------------------------------------------------


@pytest.mark.parametrize("markup", MARKUP)
def test_each_kind_of_markup_is_not_part_of_the_question(markup):
    assert strip_discord_markup(f"{markup} {BARE} {markup}") == BARE
    assert strip_discord_markup(f"{markup}{BARE}") == (BARE if markup.startswith("<") else f"{markup}{BARE}")


def test_text_that_only_looks_like_markup_stays():
    for text in ["email me @ home", "a <b> tag", "x <@abc> y", "everyone@here.com", "<3 palmyra"]:
        assert strip_discord_markup(text) == text


@given(st.lists(st.text(alphabet="abcxyz ?'", min_size=1, max_size=8), min_size=1, max_size=8),
       st.lists(st.sampled_from(MARKUP), max_size=8))
def test_markup_anywhere_between_words_changes_nothing(words, markup):
    mixed = " ".join(w for pair in zip(words, markup + [""] * len(words), strict=False) for w in pair)
    assert strip_discord_markup(mixed) == " ".join(" ".join(words).split())


@given(st.text(max_size=300), st.integers(min_value=1, max_value=400))
def test_shorten_keeps_within_the_limit(text, limit):
    short = shorten(text, limit)
    assert len(short) <= limit
    assert short == text or (short.endswith("\u2026") and text.startswith(short[:-1]))


def test_a_wrapped_question_matches_like_the_bare_one(matcher):
    wrapped = f"<@1> @everyone <@&2> {BARE} <:x:3>"
    assert matcher.match(strip_discord_markup(wrapped)).entry == matcher.match(BARE).entry is not None


# -- through Discord ----------------------------------------------------------------------


async def test_a_question_wrapped_in_other_mentions_is_answered(simcord_env, guild, alice, channel):
    role = guild.create_role("SomeRole")
    bare = await alice.slash(channel, "ask", question=BARE)
    assert "300 militants" in text_of(bare.response)

    await alice.send(channel, f"<@{simcord_env.bot.user.id}> @everyone <@&{role.id}> {BARE}")
    assert text_of(channel.last_message) == text_of(bare.response)

    slash = await alice.slash(channel, "ask", question=f"<@{alice.id}> <#{channel.id}> {BARE} <t:1700000000:R>")
    assert text_of(slash.response) == text_of(bare.response)

    target = await alice.send(channel, f"@here <@&{role.id}> {BARE} <:palmyra:123>")
    menu = await alice.context_menu(channel, "Ask the article", target)
    assert text_of(menu.response) == text_of(bare.response)


async def test_only_markup_to_the_bot_gets_the_greeting(simcord_env, alice, channel):
    await alice.send(channel, f"<@{simcord_env.bot.user.id}> @everyone <#{channel.id}>")
    assert "/topics" in channel.last_message.content


# -- one log line a question --------------------------------------------------------------


async def test_each_question_is_logged_once_without_its_words(simcord_env, alice, channel, caplog):
    secret = "zebrastripe"
    with caplog.at_level(logging.INFO, logger="bot.questions"):
        await alice.send(channel, f"<@{simcord_env.bot.user.id}> {BARE}")
        await alice.slash(channel, "ask", question=BARE)
        unsure = None
        for question in ["museum", "troops", "the army", "photo", "russia", "palmyra"]:
            result = await alice.slash(channel, "ask", question=question)
            if suggests(result.response):  # answers have related-question buttons too
                unsure = result
                break
        await alice.slash(channel, "ask", question=f"what is the capital of france {secret}")
        assert unsure is not None
        await alice.click(unsure.response.message, label=button_labels(unsure.response)[0])
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.questions"]
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == "bot.questions")
    assert not any(secret in line for line in lines)
    vias = [line.split("via=")[1].split()[0] for line in lines]
    assert vias[:2] == ["chat", "slash"] and vias[-1] == "button" and len(lines) == len(vias)
    assert "outcome=answered entry=" in lines[0] and "latency_ms=" in lines[0]
    assert any("outcome=did-you-mean entry=-" in line for line in lines)
    assert any("outcome=doesnt-say" in line for line in lines)
    assert "outcome=answered" in lines[-1]
