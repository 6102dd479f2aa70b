"""Conversations through simcord's in-memory Discord: follow-ups, related questions, the other side."""

from __future__ import annotations

import discord
import pytest
from screen import button_labels, suggests, text_of

from bot.discord_bot import limits
from bot.discord_bot.context import MAX_USERS, ContextStore
from bot.discord_bot.replies import answer_reply
from bot.discord_bot.views import VIEW_TIMEOUT
from bot.engine.formatting import OTHER_SIDE_NOTE, other_side_of

STRIKES = "how many strikes did russia launch"
MUSEUM = "what happened to the museum"
WHO = "who said that"


@pytest.fixture
def bob(simcord_env, guild):
    return guild.add_member(simcord_env.create_user("bob"))


def question_of(env, text: str) -> str:
    return env.bot.matcher.match(text).entry.question


def title(message) -> str:
    return message.embeds[0].title


async def ask(env, member, channel, text: str, **kwargs) -> discord.Message:
    await member.send(channel, f"<@{env.bot.user.id}> {text}", **kwargs)
    reply = channel.last_message
    assert reply.author.id == env.bot.user.id
    return reply


# -- follow-ups --------------------------------------------------------------------


async def test_follow_up_in_a_channel(simcord_env, alice, channel):
    await ask(simcord_env, alice, channel, STRIKES)
    answer = await ask(simcord_env, alice, channel, WHO)
    assert title(answer) == question_of(simcord_env, STRIKES)
    assert "Defense Ministry" in text_of(answer)


async def test_follow_up_with_slash_commands(simcord_env, alice, channel):
    await alice.slash(channel, "ask", question="did isis take the oil fields")
    result = await alice.slash(channel, "ask", question="when was that")
    assert "Thursday" in text_of(result.response)


async def test_after_a_reload_follow_ups_use_the_conversation_the_loader_built(simcord_env, guild, alice, channel,
                                                                                monkeypatch):
    """/reload takes over the follow-up indexes its loader process built: none is rebuilt on the loop."""
    from bot.discord_bot import client

    built = []

    def load_and_keep(*args, **kwargs):
        built.append(load(*args, **kwargs))
        return built[-1]

    load = client.load_in_child
    monkeypatch.setattr(client, "load_in_child", load_and_keep)
    admins = guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
    boss = guild.add_member(simcord_env.create_user("boss"), roles=[admins])
    await ask(simcord_env, alice, channel, STRIKES)
    assert "Reloaded" in (await boss.slash(channel, "reload")).response.content
    bot = simcord_env.bot
    assert built and bot.matcher is built[0].matcher and bot.contexts.conversation(bot.matcher) is built[0]
    answer = await ask(simcord_env, alice, channel, WHO)  # the context from before the reload still holds
    assert "Defense Ministry" in text_of(answer)


async def test_after_no_answer_a_follow_up_has_nothing_to_lean_on(simcord_env, alice, bob, channel):
    """"who said that" after "doesn't say" must not name who made the claim before it."""
    await ask(simcord_env, alice, channel, STRIKES)
    assert "doesn't say" in text_of(await ask(simcord_env, alice, channel, "how many civilians died"))
    assert "64 strikes" not in text_of(await ask(simcord_env, alice, channel, WHO))  # not the strikes' claim again
    await bob.slash(channel, "ask", question=STRIKES)
    await bob.slash(channel, "ask", question="how many civilians died")
    assert "64 strikes" not in text_of((await bob.slash(channel, "ask", question=WHO)).response)


async def test_chatter_to_slash_ask_is_greeted_and_keeps_the_context(simcord_env, alice, channel):
    await alice.slash(channel, "ask", question=STRIKES)
    thanks = await alice.slash(channel, "ask", question="thanks")
    assert "Ask me anything about the article" in thanks.response.content
    assert "Defense Ministry" in text_of((await alice.slash(channel, "ask", question=WHO)).response)


async def test_follow_up_in_a_thread_is_kept_apart_from_its_channel(simcord_env, alice, channel):
    parent = simcord_env.bot.get_channel(channel.id)
    await parent.create_thread(name="palmyra", type=discord.ChannelType.public_thread)
    [thread] = channel.threads
    await ask(simcord_env, alice, thread, STRIKES)
    await ask(simcord_env, alice, channel, MUSEUM)
    answer = await ask(simcord_env, alice, thread, WHO)
    assert title(answer) == question_of(simcord_env, STRIKES)  # the thread's context, not the channel's


async def test_follow_up_in_a_dm(simcord_env):
    user = simcord_env.create_user("carol")
    await user.send_dm("did isis take the oil fields")
    await user.send_dm("who says so")
    answer = user.dm_channel.last_message
    assert "Observatory" in text_of(answer)
    assert title(answer) == question_of(simcord_env, "did isis take the oil fields")


async def test_a_reply_to_an_answer_means_that_answer(simcord_env, alice, channel):
    strikes = await ask(simcord_env, alice, channel, STRIKES)
    await ask(simcord_env, alice, channel, MUSEUM)  # the newer context
    await alice.send(channel, WHO, reply_to=strikes)
    assert title(channel.last_message) == question_of(simcord_env, STRIKES)


async def test_a_reply_means_that_answer_however_old_and_after_a_restart(simcord_env, settings, alice, channel):
    from bot.discord_bot import create_bot

    strikes = await ask(simcord_env, alice, channel, STRIKES)
    await simcord_env.advance_time(settings.context_minutes * 60 + 1)
    await simcord_env.restart_bot(create_bot(settings))  # nothing remembered: the buttons' ids say it
    await alice.send(channel, WHO, reply_to=strikes)
    assert title(channel.last_message) == question_of(simcord_env, STRIKES)


async def test_two_users_in_one_channel_keep_their_own_contexts(simcord_env, alice, bob, channel):
    await ask(simcord_env, alice, channel, STRIKES)
    await ask(simcord_env, bob, channel, "did isis take the oil fields")
    bobs = await ask(simcord_env, bob, channel, WHO)
    alices = await ask(simcord_env, alice, channel, WHO)
    assert title(alices) == question_of(simcord_env, STRIKES)
    assert title(bobs) == question_of(simcord_env, "did isis take the oil fields")


async def test_an_expired_context_is_not_used(simcord_env, alice, channel):
    await ask(simcord_env, alice, channel, STRIKES)
    await simcord_env.advance_time(simcord_env.bot.settings.context_minutes * 60 + 1)
    answer = await ask(simcord_env, alice, channel, WHO)
    assert title(answer) != question_of(simcord_env, STRIKES)
    alone = simcord_env.bot.matcher.match(WHO)
    assert answer.embeds[0].title == (alone.entry.question if alone.entry else answer.embeds[0].title)


async def test_a_question_of_its_own_ignores_the_context(simcord_env, alice, channel):
    await ask(simcord_env, alice, channel, STRIKES)
    answer = await ask(simcord_env, alice, channel, MUSEUM)
    assert title(answer) == question_of(simcord_env, MUSEUM)


# -- related questions and the other side ----------------------------------------------


async def test_related_buttons_answer_in_place_and_become_the_context(simcord_env, alice, bob, channel):
    result = await alice.slash(channel, "ask", question=STRIKES)
    entry = simcord_env.bot.matcher.match(STRIKES).entry
    related = [simcord_env.bot.matcher.knowledge.by_id[i].question for i in entry.related][:3]
    labels = button_labels(result.response)
    assert labels == related and not suggests(result.response)

    theirs = await bob.click(result.response.message, label=labels[0])
    assert theirs.ephemeral and title(theirs.response) == related[0]
    assert button_labels(result.response) == labels  # the asker's buttons stay

    mine = await alice.click(result.response.message, label=labels[0])
    assert not mine.ephemeral and title(mine.response) == related[0]
    assert button_labels(mine.response) != labels  # the new answer's own related questions
    follow = await alice.slash(channel, "ask", question="says who?")
    assert title(follow.response) == related[0]


async def test_the_other_side_is_shown_and_its_button_answers_in_place(simcord_env, alice, channel):
    result = await alice.slash(channel, "ask", question=STRIKES)
    shown = text_of(result.response)
    assert OTHER_SIDE_NOTE in shown and "briefly retreated" in shown and "Observatory" in shown
    contested = [label for label in button_labels(result.response)
                 if simcord_env.bot.matcher.match(label).entry.contested]
    assert contested  # the other side of the point, a click away
    clicked = await alice.click(result.response.message, label=contested[0])
    assert title(clicked.response) == contested[0] and "Contested" in text_of(clicked.response)


async def test_related_buttons_come_off_cleanly_when_they_time_out(simcord_env, alice, channel):
    result = await alice.slash(channel, "ask", question=STRIKES)
    clicked = await alice.click(result.response.message, label=button_labels(result.response)[0])
    assert button_labels(clicked.response)
    await simcord_env.advance_time(VIEW_TIMEOUT + 1)
    assert not button_labels(channel.last_message)
    assert title(channel.last_message) == title(clicked.response)  # the answer itself stays


async def test_plain_text_answers_show_the_other_side(simcord_env, guild, alice):
    plain = guild.create_text_channel("plain", overwrites={guild.me: discord.PermissionOverwrite(embed_links=False)})
    answer = await ask(simcord_env, alice, plain, STRIKES)
    assert not answer.embeds and OTHER_SIDE_NOTE in answer.content and "briefly retreated" in answer.content


async def test_follow_ups_ping_nobody(simcord_env, guild, alice, channel):
    role = guild.create_role("Readers")
    await ask(simcord_env, alice, channel, STRIKES)
    answer = await ask(simcord_env, alice, channel, f"@everyone <@&{role.id}> who said that")
    assert not answer.mention_everyone and not answer.role_mentions and not answer.mentions


def test_every_answer_with_its_other_side_fits_discords_limits(matcher):
    knowledge = matcher.knowledge
    for entry in knowledge.entries:
        match = matcher.answer_entry(entry)
        reply = answer_reply(match, knowledge.article, other=other_side_of(match, knowledge))
        embed = reply.embed
        assert len(embed) <= limits.EMBED_TOTAL and len(embed.fields) <= limits.EMBED_FIELDS
        assert all(len(f.name) <= limits.EMBED_FIELD_NAME and len(f.value) <= limits.EMBED_FIELD_VALUE
                   for f in embed.fields)
        assert len(reply.kwargs(False)["content"]) <= limits.MESSAGE


# -- the store ---------------------------------------------------------------------


def test_the_store_is_bounded_and_forgets_the_oldest_user(matcher):
    store = ContextStore(minutes=10)
    entry = matcher.knowledge.entries[0]
    for user in range(MAX_USERS + 5):
        store.remember(user, 1, entry)
    assert len(store) == MAX_USERS
    assert store.last(0, 1) is None and store.last(MAX_USERS + 4, 1) == entry.id


def test_context_minutes_setting():
    from bot.settings import Settings, SettingsError

    assert Settings.from_env({}, dotenv=False).context_minutes == 10
    assert Settings.from_env({"CONTEXT_MINUTES": "2.5"}, dotenv=False).context_minutes == 2.5
    for bad in ("0", "-1", "soon"):
        with pytest.raises(SettingsError, match="CONTEXT_MINUTES"):
            Settings.from_env({"CONTEXT_MINUTES": bad}, dotenv=False)


# -- "who said that?", "is that true?": who made the claim, first --------------------------


async def test_who_said_that_shows_the_claimant_first_not_the_answer_again(simcord_env, alice, channel):
    first = await ask(simcord_env, alice, channel, STRIKES)
    answer = await ask(simcord_env, alice, channel, WHO)
    assert title(answer) == title(first)  # what "that" was
    description = answer.embeds[0].description
    assert description.startswith("Said by Russia's Defense Ministry") and "contested" in description
    assert simcord_env.bot.matcher.match(STRIKES).answer not in text_of(answer)
    assert "64 strikes" in answer.embeds[0].fields[0].value  # the claim in its own words
    assert OTHER_SIDE_NOTE in text_of(answer) and "briefly retreated" in text_of(answer)


async def test_is_that_true_says_whose_word_it_is_in_embeds_and_plain_text(simcord_env, guild, alice, channel):
    await ask(simcord_env, alice, channel, STRIKES)
    embedded = await ask(simcord_env, alice, channel, "is that true?")
    assert embedded.embeds[0].description.startswith("Contested: it is the word of Russia's Defense Ministry")
    plain_channel = guild.create_text_channel("plain", overwrites={
        guild.me: discord.PermissionOverwrite(embed_links=False)})
    await ask(simcord_env, alice, plain_channel, STRIKES)
    plain = await ask(simcord_env, alice, plain_channel, "is that true?")
    assert not plain.embeds
    lines = plain.content.split("\n\n")
    assert lines[0] == f"**{title(embedded)}**"
    assert lines[1] == embedded.embeds[0].description  # the same words, first, either way
    assert "briefly retreated" in plain.content and len(plain.content) <= limits.MESSAGE


async def test_a_reply_to_a_who_said_that_answer_still_means_its_entry(simcord_env, alice, channel):
    await ask(simcord_env, alice, channel, STRIKES)
    who = await ask(simcord_env, alice, channel, WHO)
    await ask(simcord_env, alice, channel, MUSEUM)
    await alice.send(channel, "is that confirmed", reply_to=who)
    assert channel.last_message.embeds[0].description.startswith("Contested:")
    assert title(channel.last_message) == title(who)
