"""Learning from the people who ask, through simcord: the whole loop from question to new phrasing."""

from __future__ import annotations

import dataclasses
import sqlite3

import discord
import pytest
from screen import button_labels, text_of

from bot.__main__ import main
from bot.discord_bot import create_bot
from bot.discord_bot.feedback import VoteButton

NEW_WORDING = "who is the boss of palmyra"  # no phrasing of the file says it this way
TARGET = "Who controls Palmyra now?"
ANSWERED_Q = "how many air strikes did russia launch?"


@pytest.fixture
def data_path(tmp_path):
    return tmp_path / "data" / "questions.sqlite3"


@pytest.fixture
def simcord_bot(settings, data_path):
    """The real bot with question logging on, into the test's own database."""
    return create_bot(dataclasses.replace(settings, data_path=data_path))


@pytest.fixture
def admin(simcord_env, guild):
    admins = guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
    return guild.add_member(simcord_env.create_user("boss"), roles=[admins])


def member(env, guild, name: str):
    return guild.add_member(env.create_user(name))


def rows(path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


async def test_the_whole_loop_from_unanswered_question_to_direct_answer(
        simcord_env, guild, channel, admin, data_path, knowledge_copy, tmp_path, monkeypatch, capsys):
    alice, bob, carol, dave = (member(simcord_env, guild, name) for name in ("alice", "bob", "carol", "dave"))

    # people ask in words the file doesn't have: a "did you mean"/"doesn't say" with suggestions
    asked = await alice.slash(channel, "ask", question=NEW_WORDING)
    assert asked.response.embeds[0].title != TARGET
    [label] = [label for label in button_labels(asked.response) if TARGET in label]
    await bob.send(channel, f"<@{simcord_env.bot.user.id}> whos the boss of palmyra")
    await carol.slash(channel, "ask", question="who's the boss in palmyra?")

    # one clicks the suggestion they meant
    clicked = await alice.click(asked.response.message, label=label)
    assert clicked.response.embeds[0].title == TARGET

    # the admin sees the group, with the entry picked
    seen = await admin.slash(channel, "unanswered")
    assert seen.ephemeral
    shown = text_of(seen.response)
    assert "3\u00d7" in shown and "by 3 people" in shown and NEW_WORDING in shown
    assert f"picked: **{TARGET}** (1 person)" in shown

    # report --yaml proposes the phrasing for the chosen entry; learn applies it; check passes
    monkeypatch.setenv("DATA_PATH", str(data_path))
    monkeypatch.setenv("KNOWLEDGE_PATH", str(knowledge_copy))
    assert main(["report", "--yaml", "--since", "1d", "--guild", str(guild.id)]) == 0
    patch = capsys.readouterr().out
    assert "who-controls-palmyra:" in patch and f"- \"{NEW_WORDING}\"" in patch and "1 person picked" in patch
    (tmp_path / "patch.yaml").write_text(patch, encoding="utf-8")
    assert main(["learn", str(tmp_path / "patch.yaml")]) == 0
    assert main(["check", str(knowledge_copy)]) == 0

    # /reload, and the same question is now answered directly
    reloaded = await admin.slash(channel, "reload")
    assert "who-controls-palmyra" in reloaded.response.content
    again = await dave.slash(channel, "ask", question=NEW_WORDING)
    assert again.response.embeds[0].title == TARGET
    assert button_labels(again.response)[-2:] == ["Helpful", "Not right"]  # under its related questions


async def test_a_not_right_vote_reaches_feedback_and_changes_no_answer(simcord_env, guild, channel, admin):
    alice, bob = member(simcord_env, guild, "alice"), member(simcord_env, guild, "bob")
    answered = await alice.slash(channel, "ask", question=ANSWERED_Q)
    before = text_of(answered.response)
    assert button_labels(answered.response)[-2:] == ["Helpful", "Not right"]  # under its related questions

    helpful = await bob.click(answered.response.message, label="Helpful")
    assert helpful.ephemeral and "helpful" in helpful.response.content
    vote = await bob.click(answered.response.message, label="Not right")  # changes bob's vote
    assert vote.ephemeral and "doesn't change" in vote.response.content

    seen = await admin.slash(channel, "feedback")
    assert seen.ephemeral
    shown = text_of(seen.response)
    assert "1 Not right, 0 Helpful" in shown and ANSWERED_Q in shown

    after = await member(simcord_env, guild, "carol").slash(channel, "ask", question=ANSWERED_Q)
    assert text_of(after.response) == before


async def test_curator_commands_are_for_admins_and_forget_me_for_everyone(simcord_env, guild, channel, data_path):
    alice = member(simcord_env, guild, "alice")
    visible = alice.available_commands(channel)
    assert "unanswered" not in visible and "feedback" not in visible and "forget-me" in visible
    await alice.slash(channel, "ask", question=NEW_WORDING)
    await alice.slash(channel, "ask", question=ANSWERED_Q)
    await alice.send_dm("what is the capital of france")
    forgot = await alice.slash(channel, "forget-me")
    assert forgot.ephemeral and "deleted 3 records" in forgot.response.content
    simcord_env.bot.question_log.flush(10)
    assert rows(data_path, "SELECT count(*) FROM questions") == [(0,)]


async def test_dms_are_logged_without_a_channel_and_never_shown_to_a_server(simcord_env, guild, channel, admin,
                                                                           data_path):
    alice = member(simcord_env, guild, "alice")
    await alice.send_dm(NEW_WORDING)
    simcord_env.bot.question_log.flush(10)
    assert rows(data_path, "SELECT guild, channel_id FROM questions") == [("DM", None)]
    assert str(alice.id) not in repr(rows(data_path, "SELECT * FROM questions"))
    seen = await admin.slash(channel, "unanswered")
    assert NEW_WORDING not in text_of(seen.response)


async def test_unanswered_pages_turn(simcord_env, guild, channel, admin):
    askers = [member(simcord_env, guild, f"user{n}") for n in range(3)]
    distinct = ["what is the capital of france", "who won the world cup", "what colour is the sky",
                "how tall is everest", "who wrote hamlet", "what is the speed of light", "where is timbuktu"]
    for number, question in enumerate(distinct):
        await askers[number % 3].slash(channel, "ask", question=question)
    seen = await admin.slash(channel, "unanswered")
    assert "Page 1/2" in seen.response.embeds[0].footer.text
    turned = await admin.click(seen.response.message, label="Next")
    assert "Page 2/2" in turned.response.embeds[0].footer.text
    assert "Page 1/2" in (await admin.click(turned.response.message, label="Previous")).response.embeds[0].footer.text


async def test_votes_and_picks_on_old_messages_count_after_a_restart(simcord_env, settings, guild, channel,
                                                                      data_path):
    alice, bob = member(simcord_env, guild, "alice"), member(simcord_env, guild, "bob")
    answered = await alice.slash(channel, "ask", question=ANSWERED_Q)
    unsure = await alice.slash(channel, "ask", question=NEW_WORDING)
    [label] = [label for label in button_labels(unsure.response) if TARGET in label]

    await simcord_env.restart_bot(create_bot(dataclasses.replace(settings, data_path=data_path)))

    vote = await bob.click(answered.response.message, label="Not right")
    assert vote.ephemeral and "not right" in vote.response.content
    await alice.click(unsure.response.message, label=label)
    simcord_env.bot.question_log.flush(10)
    assert rows(data_path, "SELECT vote FROM votes") == [("not-right",)]
    assert rows(data_path, "SELECT entry_id FROM picks") == [("who-controls-palmyra",)]
    assert VoteButton("not-right", 12345).custom_id == "palmyra:vote:not-right:12345"


async def test_with_logging_off_nothing_is_recorded_and_answers_are_the_same(simcord_env, guild, channel, data_path):
    simcord_env.bot.question_log.close()
    simcord_env.bot.question_log = None
    alice = member(simcord_env, guild, "alice")
    answered = await alice.slash(channel, "ask", question=ANSWERED_Q)
    assert "64 strikes" in text_of(answered.response)
    assert not {"Helpful", "Not right"} & set(button_labels(answered.response))
    forgot = await alice.slash(channel, "forget-me")
    assert "logging is off" in forgot.response.content


def test_a_suggestion_custom_id_with_the_question_id_fits_at_its_longest():
    from bot.discord_bot.views import ENTRY_ID_MAX, SuggestButton

    button = SuggestButton("x" * ENTRY_ID_MAX, 2**64 - 1, "label", 2**62)
    assert len(button.custom_id) <= 100
    found = SuggestButton.__discord_ui_compiled_template__.fullmatch(button.custom_id)
    assert found and int(found["question"]) == 2**62
    assert SuggestButton.__discord_ui_compiled_template__.fullmatch("palmyra:suggest:abc:123")["question"] is None


async def test_a_corrupt_log_leaves_the_bot_answering_with_one_warning(simcord_env, settings, guild, channel,
                                                                      tmp_path, caplog):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"not a database " * 100)
    await simcord_env.restart_bot(create_bot(dataclasses.replace(settings, data_path=bad)))
    alice, bob = member(simcord_env, guild, "alice"), member(simcord_env, guild, "bob")
    for asker in (alice, bob, alice):
        result = await asker.slash(channel, "ask", question=ANSWERED_Q)
        assert "64 strikes" in text_of(result.response)
    simcord_env.bot.question_log.flush(10)
    assert not simcord_env.bot.question_log.enabled
    warnings = [r.getMessage() for r in caplog.records if "question logging is OFF" in r.getMessage()]
    assert len(warnings) == 1 and "damaged" in warnings[0]
    assert bad.read_bytes() == b"not a database " * 100
    admin_role = guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
    admin = guild.add_member(simcord_env.create_user("boss"), roles=[admin_role])
    seen = await admin.slash(channel, "unanswered")
    assert seen.ephemeral and "off" in seen.response.content


async def test_votes_stay_when_the_related_questions_time_out(simcord_env, guild, channel):
    """Related-question buttons expire; the vote buttons beside them never do."""
    from bot.discord_bot.views import VIEW_TIMEOUT

    alice, bob = member(simcord_env, guild, "alice"), member(simcord_env, guild, "bob")
    answered = await alice.slash(channel, "ask", question=ANSWERED_Q)
    assert len(button_labels(answered.response)) > 2  # related questions, then the votes
    await simcord_env.advance_time(VIEW_TIMEOUT + 1)
    assert button_labels(channel.last_message) == ["Helpful", "Not right"]
    vote = await bob.click(channel.last_message, label="Not right")
    assert vote.ephemeral and "not right" in vote.response.content
