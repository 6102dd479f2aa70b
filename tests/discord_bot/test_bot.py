"""The bot as Discord drives it, through simcord's in-memory Discord (no mocks)."""

from __future__ import annotations

import dataclasses

import discord
import yaml
from discord import app_commands
from screen import button_labels, suggests, text_of
from simcord.asserts import assert_error

QUESTION = "how many air strikes did russia launch?"


# -- /ask -------------------------------------------------------------------


async def test_ask_in_scope_quotes_the_source_and_who_said_it(alice, channel):
    result = await alice.slash(channel, "ask", question=QUESTION)
    assert not result.ephemeral
    [embed] = result.response.embeds
    assert "strikes" in embed.title.lower()
    shown = text_of(result.response)
    assert "64 strikes" in shown
    assert "\u2014 Russia's Defense Ministry, as reported by Reuters" in shown
    assert "confidence" in embed.footer.text and "Reuters" in embed.footer.text


async def test_ask_private_is_ephemeral(alice, channel):
    result = await alice.slash(channel, "ask", question=QUESTION, private=True)
    assert result.ephemeral and "64 strikes" in text_of(result.response)


async def test_ask_out_of_scope_says_the_article_doesnt_say(alice, channel):
    result = await alice.slash(channel, "ask", question="what is the capital of france")
    assert "The article doesn't say" in text_of(result.response)
    assert "64 strikes" not in text_of(result.response)


async def test_ask_contested_shows_each_side(alice, channel):
    result = await alice.slash(channel, "ask", question="who controls palmyra now")
    shown = text_of(result.response)
    assert "Contested" in shown
    assert "news agency linked to Islamic State" in shown and "Russia" in shown


async def test_autocomplete_offers_knowledge_questions(simcord_env, alice, channel):
    choices = await alice.autocomplete(channel, "ask", "question", "russ strik")
    assert 0 < len(choices) <= 25
    assert all(len(c["name"]) <= 100 and c["name"] == c["value"] for c in choices)
    questions = {e.question for e in simcord_env.bot.matcher.knowledge.entries}
    assert all(c["value"] in questions for c in choices)
    assert any("strike" in c["name"].lower() for c in choices[:3])


async def test_a_4000_character_question_is_answered_without_error(alice, channel):
    result = await alice.slash(channel, "ask", question=("palmyra " * 500)[:4000])
    assert result.response is not None and text_of(result.response)


# -- chatting -----------------------------------------------------------------


async def test_mention_gets_a_reply(simcord_env, alice, channel):
    sent = await alice.send(channel, f"<@{simcord_env.bot.user.id}> {QUESTION}")
    reply = channel.last_message
    assert reply.author.id == simcord_env.bot.user.id
    assert reply.reference is not None and reply.reference.message_id == sent.id
    assert "64 strikes" in text_of(reply)


async def test_reply_to_the_bot_is_a_question(simcord_env, alice, channel):
    await alice.send(channel, f"<@{simcord_env.bot.user.id}> {QUESTION}")
    answer = channel.last_message
    await alice.send(channel, "and how many militants were killed", reply_to=answer)
    assert "300 militants" in text_of(channel.last_message)


async def test_plain_message_elsewhere_is_ignored(simcord_env, alice, channel):
    sent = await alice.send(channel, QUESTION)
    assert channel.last_message.id == sent.id


async def test_dm_is_a_question(simcord_env):
    user = simcord_env.create_user("bob")
    await user.send_dm(QUESTION)
    assert "64 strikes" in text_of(user.dm_channel.last_message)


async def test_ask_channel_takes_every_message(simcord_env, guild, alice):
    asks = guild.create_text_channel("ask-the-article")
    simcord_env.bot.settings = dataclasses.replace(simcord_env.bot.settings, ask_channel_ids=frozenset({asks.id}))
    await alice.send(asks, QUESTION)
    assert "64 strikes" in text_of(asks.last_message)


async def test_other_bots_are_ignored(simcord_env, guild, channel):
    robot = guild.add_member(simcord_env.create_user("robot", bot=True))
    sent = await robot.send(channel, f"<@{simcord_env.bot.user.id}> {QUESTION}")
    assert channel.last_message.id == sent.id


async def test_everyone_and_role_mentions_ping_nobody(simcord_env, guild, alice):
    role = guild.create_role("Readers")
    channel = guild.create_text_channel("pings")
    bot_id = simcord_env.bot.user.id
    await alice.send(channel, f"<@{bot_id}> @everyone <@&{role.id}> @here what is the capital of france")
    reply = channel.last_message
    assert reply.author.id == bot_id
    assert not reply.mention_everyone and not reply.role_mentions and not reply.mentions
    assert "@everyone" not in reply.embeds[0].description.replace("@\u200beveryone", "")


async def test_channel_without_embed_links_gets_plain_text(simcord_env, guild, alice):
    channel = guild.create_text_channel("no-embeds",
                                        overwrites={guild.me: discord.PermissionOverwrite(embed_links=False)})
    await alice.send(channel, f"<@{simcord_env.bot.user.id}> {QUESTION}")
    reply = channel.last_message
    assert not reply.embeds
    assert "64 strikes" in reply.content and "Russia's Defense Ministry, as reported by Reuters" in reply.content


async def test_a_bare_mention_gets_help(simcord_env, alice, channel):
    await alice.send(channel, f"<@{simcord_env.bot.user.id}>")
    assert "/topics" in channel.last_message.content


async def test_chat_cooldown_is_friendly(simcord_env, alice, channel):
    # simcord's monotonic clock starts at 0.0, which discord.py's Cooldown reads as "no time given"
    await simcord_env.advance_time(1)
    mention = f"<@{simcord_env.bot.user.id}>"
    rate = simcord_env.bot.settings.cooldown_rate
    for _ in range(rate):
        await alice.send(channel, f"{mention} {QUESTION}")
    await alice.send(channel, f"{mention} {QUESTION}")
    assert "ask again in" in channel.last_message.content
    await simcord_env.advance_time(simcord_env.bot.settings.cooldown_per + 1)
    await alice.send(channel, f"{mention} {QUESTION}")
    assert "64 strikes" in text_of(channel.last_message)


async def test_slash_cooldown_answers_ephemerally(simcord_env, alice, channel):
    for _ in range(simcord_env.bot.settings.cooldown_rate):
        await alice.slash(channel, "ask", question=QUESTION)
    result = await alice.slash(channel, "ask", question=QUESTION)
    assert result.ephemeral and "ask again in" in result.response.content
    assert_error(simcord_env, app_commands.CommandOnCooldown)


# -- "did you mean" ---------------------------------------------------------------


async def find_unsure(member, channel, candidates):
    for question in candidates:
        result = await member.slash(channel, "ask", question=question)
        if suggests(result.response):  # answers have related-question buttons too
            return result
    raise AssertionError("none of the candidates was unsure")


async def test_clicking_did_you_mean_answers_it(simcord_env, guild, alice, channel):
    result = await find_unsure(alice, channel, ["museum", "troops", "the army", "photo", "russia", "palmyra"])
    assert "did you mean" in result.response.embeds[0].title
    labels = button_labels(result.response)
    assert 1 <= len(labels) <= 3
    suggested = labels[0].split(". ", 1)[1].rstrip("…")

    bob = guild.add_member(simcord_env.create_user("bob"))
    theirs = await bob.click(result.response.message, label=labels[0])
    assert theirs.ephemeral and theirs.response.embeds[0].title.startswith(suggested)
    assert button_labels(result.response) == labels  # the asker's buttons stay

    clicked = await alice.click(result.response.message, label=labels[0])
    answer = clicked.response
    assert answer.embeds[0].title.startswith(suggested)
    assert "\u2014 " in text_of(answer) and not suggests(answer)  # its related questions, if any


# -- /topics and /about ----------------------------------------------------------------


async def test_topics_pages_with_buttons(simcord_env, alice, channel):
    result = await alice.slash(channel, "topics")
    first = result.response
    assert "Page 1/" in first.embeds[0].footer.text
    assert button_labels(first) == ["Previous", "Next"]
    turned = await alice.click(first.message, label="Next")
    assert "Page 2/" in turned.response.embeds[0].footer.text
    other = alice.guild.add_member(simcord_env.create_user("carol"))
    refused = await other.click(first.message, label="Next")
    assert refused.ephemeral


async def test_about_describes_article_and_knowledge(simcord_env, alice, channel):
    result = await alice.slash(channel, "about")
    shown = text_of(result.response)
    for fact in ["Palmyra", "Reuters", "Amman", "Hamodia", "paywall", "palmyra.yaml", "entries"]:
        assert fact in shown, fact


# -- "Ask the article" context menu -------------------------------------------


async def test_context_menu_answers_the_selected_message(simcord_env, guild, alice, channel):
    bob = guild.add_member(simcord_env.create_user("bob"))
    target = await bob.send(channel, "wait how many militants did russia say it killed?")
    result = await alice.context_menu(channel, "Ask the article", target)
    assert "300 militants" in text_of(result.response)


# -- /reload ------------------------------------------------------------------------


async def reload_command_id(simcord_env) -> int:
    commands = await simcord_env.bot.tree.fetch_commands()
    return next(c.id for c in commands if c.name == "reload")


async def test_reload_is_hidden_from_members(alice, channel):
    assert "reload" not in alice.available_commands(channel)
    assert "ask" in alice.available_commands(channel)


async def test_reload_refused_to_a_shown_non_admin(simcord_env, guild, alice, channel):
    guild.set_command_permissions(await reload_command_id(simcord_env), {alice: True})
    assert "reload" in alice.available_commands(channel)
    result = await alice.slash(channel, "reload")
    assert result.ephemeral and "admins" in result.response.content
    assert_error(simcord_env, app_commands.CheckFailure)


async def test_reload_by_administrator_and_admin_role(simcord_env, guild, channel):
    admins = guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
    boss = guild.add_member(simcord_env.create_user("boss"), roles=[admins])
    result = await boss.slash(channel, "reload")
    assert result.ephemeral and "Reloaded" in result.response.content

    helpers = guild.create_role("Bot helpers")
    helper = guild.add_member(simcord_env.create_user("helper"), roles=[helpers])
    guild.set_command_permissions(await reload_command_id(simcord_env), {helpers: True})
    simcord_env.bot.settings = dataclasses.replace(simcord_env.bot.settings, admin_role_ids=frozenset({helpers.id}))
    result = await helper.slash(channel, "reload")
    assert "Reloaded" in result.response.content


async def test_reload_with_an_edited_file_changes_the_answer(simcord_env, guild, alice, channel, knowledge_copy):
    admins = guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
    boss = guild.add_member(simcord_env.create_user("boss"), roles=[admins])
    before = await alice.slash(channel, "ask", question=QUESTION)
    old_answer = before.response.embeds[0].description
    entry = simcord_env.bot.matcher.match(QUESTION).entry
    data = yaml.safe_load(knowledge_copy.read_text(encoding="utf-8"))
    [edited] = [e for e in data["entries"] if e["id"] == entry.id]
    edited["answer"] = "EDITED: " + edited["answer"]
    knowledge_copy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = await boss.slash(channel, "reload")
    assert "1 changed" in result.response.content and entry.id in result.response.content
    after = await alice.slash(channel, "ask", question=QUESTION)
    assert after.response.embeds[0].description != old_answer
    assert "EDITED" in after.response.embeds[0].description


async def test_reload_with_a_broken_file_keeps_the_old_answers(simcord_env, guild, alice, channel, knowledge_copy):
    admins = guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
    boss = guild.add_member(simcord_env.create_user("boss"), roles=[admins])
    text = knowledge_copy.read_text(encoding="utf-8")
    broken = text.replace("had launched 64 strikes", "had launched 65 strikes", 1)
    assert broken != text
    knowledge_copy.write_text(broken, encoding="utf-8")
    result = await boss.slash(channel, "reload")
    shown = result.response.content
    assert result.ephemeral and "Reload refused" in shown
    assert "palmyra.yaml:" in shown and "quote is not in the article" in shown and "entry '" in shown
    after = await alice.slash(channel, "ask", question=QUESTION)
    assert "64 strikes" in text_of(after.response)


async def test_buttons_are_removed_when_the_view_times_out(simcord_env, alice, channel):
    from bot.discord_bot.views import VIEW_TIMEOUT

    result = await alice.slash(channel, "topics")
    assert button_labels(result.response)
    await simcord_env.advance_time(VIEW_TIMEOUT + 1)
    assert not button_labels(result.response)


async def test_topics_and_about_without_embed_links_are_plain_text(simcord_env, guild, alice):
    channel = guild.create_text_channel("plain", overwrites={guild.me: discord.PermissionOverwrite(embed_links=False)})
    topics = await alice.slash(channel, "topics")
    assert not topics.response.embeds and "1. Who controls Palmyra now?" in topics.response.content
    about = await alice.slash(channel, "about")
    assert not about.response.embeds and "Hamodia" in about.response.content


async def test_buttons_are_removed_even_after_the_interaction_token_expired(simcord_env, alice, channel):
    """A click restarts the time-out; by then the original interaction's 15 minutes may be over."""
    from bot.discord_bot.views import VIEW_TIMEOUT

    result = await alice.slash(channel, "topics")
    await simcord_env.advance_time(VIEW_TIMEOUT - 60)
    await alice.click(result.response.message, label="Next")
    await simcord_env.advance_time(VIEW_TIMEOUT + 1)  # 19 minutes after the command
    assert not button_labels(channel.last_message)


async def test_a_message_without_text_in_an_ask_channel_is_not_a_question(simcord_env, guild, alice):
    asks = guild.create_text_channel("ask-here")
    simcord_env.bot.settings = dataclasses.replace(simcord_env.bot.settings, ask_channel_ids=frozenset({asks.id}))
    sent = await alice.send(asks, "", attachments=[("map.png", b"\x89PNG")])
    assert asks.last_message.id == sent.id


async def test_chatter_in_an_ask_channel_is_not_a_question_and_never_repeats_an_answer(simcord_env, guild, alice):
    asks = guild.create_text_channel("ask-chatter")
    simcord_env.bot.settings = dataclasses.replace(simcord_env.bot.settings, ask_channel_ids=frozenset({asks.id}))
    await alice.send(asks, QUESTION)
    assert "64 strikes" in text_of(asks.last_message)
    for chatter in ("lol", "ok thanks", "???", "\U0001f914", "\u200b"):
        sent = await alice.send(asks, chatter)
        assert asks.last_message.id == sent.id, chatter  # no reply: the answer is not posted again


async def test_chatter_to_the_bot_gets_help_not_the_last_answer_again(simcord_env, alice, channel):
    bot_id = simcord_env.bot.user.id
    await alice.send(channel, f"<@{bot_id}> {QUESTION}")
    await alice.send(channel, f"<@{bot_id}> lol")
    assert "/topics" in channel.last_message.content and "64 strikes" not in text_of(channel.last_message)
    await alice.send(channel, f"<@{bot_id}> who\u200bcontrols\u200bpalmyra")  # a zero-width space parts words
    assert "Islamic State" in text_of(channel.last_message)


async def test_no_reply_and_no_error_where_the_bot_may_not_speak(simcord_env, guild, alice):
    muted = guild.create_text_channel("muted", overwrites={guild.me: discord.PermissionOverwrite(send_messages=False)})
    sent = await alice.send(muted, f"<@{simcord_env.bot.user.id}> {QUESTION}")
    assert muted.last_message.id == sent.id  # and simcord saw no failed request, no unhandled error


async def test_links_and_discord_markup_in_a_question_are_shown_inert(simcord_env, alice, channel):
    question = "is https://evil.example/x the <#1234567890> news <t:1700000000:R> about the weather"
    await alice.send(channel, f"<@{simcord_env.bot.user.id}> {question}")
    shown = text_of(channel.last_message)
    assert "doesn't say" in shown
    assert "https://evil" not in shown and "<#1234567890>" not in shown and "<t:1700000000:R>" not in shown


async def test_greetings_spend_the_question_budget(simcord_env, alice, channel):
    await simcord_env.advance_time(1)
    mention = f"<@{simcord_env.bot.user.id}>"
    for _ in range(simcord_env.bot.settings.cooldown_rate):
        await alice.send(channel, mention)
    await alice.send(channel, mention)
    assert "ask again in" in channel.last_message.content
