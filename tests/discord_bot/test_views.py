"""Persistent "did you mean" buttons: after a restart, after a reload, and when a click fails."""

from __future__ import annotations

import logging
import re

import pytest
import yaml
from screen import button_labels, suggests, text_of

from bot.discord_bot import create_bot, limits, views
from bot.discord_bot.views import (
    ENTRY_GONE,
    ENTRY_ID_MAX,
    ENTRY_KEY,
    USER_ID,
    PersistentButton,
    SuggestButton,
    entry_key,
    find_entry,
    persistent_id,
    persistent_template,
)

UNSURE = ["museum", "troops", "the army", "photo", "russia", "palmyra"]
BIGGEST_USER_ID = 2**64 - 1


async def did_you_mean(member, channel):
    for question in UNSURE:
        result = await member.slash(channel, "ask", question=question)
        if suggests(result.response):  # answers have related-question buttons too
            return result
    raise AssertionError("none of the candidates was unsure")


def suggested_entry(env, label: str):
    """The entry a button's label names ("1. Who controls Palmyra now?")."""
    question = label.split(". ", 1)[1].rstrip("\u2026")
    return next(e for e in env.bot.matcher.knowledge.entries if e.question.startswith(question))


# -- custom ids -------------------------------------------------------------------------


def test_custom_ids_name_the_kind_the_entry_and_the_asker(matcher):
    entry = matcher.knowledge.entries[0]
    button = SuggestButton.suggesting(1, entry, 1234)
    assert button.custom_id == f"palmyra:suggest:{entry.id}:1234"
    assert SuggestButton.__discord_ui_compiled_template__.fullmatch(button.custom_id)


@pytest.mark.parametrize("length", [1, ENTRY_ID_MAX, ENTRY_ID_MAX + 1, 500])
def test_any_entry_id_fits_a_custom_id_with_room_for_two(matcher, length):
    long_id = "-".join(["a" * 9] * 60)[:length].strip("-") or "a"
    key = entry_key(long_id)
    assert re.fullmatch(ENTRY_KEY, key)
    # the worst case a future kind may need: two entries and a user, with a 7-letter kind name
    assert len(persistent_id("related", key, key, BIGGEST_USER_ID)) <= limits.CUSTOM_ID
    assert len(SuggestButton(key, BIGGEST_USER_ID, "x").custom_id) <= limits.CUSTOM_ID


def test_a_hashed_key_finds_its_entry_and_nothing_else(matcher):
    import dataclasses

    from bot.engine.knowledge import _knowledge

    k = matcher.knowledge
    long_id = "a-" * 40 + "z"
    entries = (dataclasses.replace(k.entries[0], id=long_id), *k.entries[1:])
    knowledge = _knowledge(k.path, k.article, dict(k.claimants), dict(k.aliases), dict(k.acronyms), entries,
                           k.loaded_at)
    assert find_entry(knowledge, entry_key(long_id)).id == long_id
    assert find_entry(knowledge, entry_key("b-" * 40)) is None
    assert find_entry(knowledge, k.entries[1].id) is k.entries[1]


def test_a_custom_id_too_long_is_refused():
    with pytest.raises(ValueError, match="custom id"):
        persistent_id("suggest", "x" * 90, BIGGEST_USER_ID)


def test_a_template_matches_only_its_own_kind():
    template = re.compile(persistent_template("vote", entry=ENTRY_KEY, asker=USER_ID))
    assert template.fullmatch("palmyra:vote:who-controls-palmyra:42")
    assert not template.fullmatch("palmyra:suggest:who-controls-palmyra:42")
    assert not template.fullmatch("palmyra:vote:Who Controls:42")
    assert not PersistentButton.__discord_ui_compiled_template__.fullmatch("palmyra:vote:x:1")


# -- clicks ------------------------------------------------------------------------------


async def test_buttons_still_answer_after_a_restart(simcord_env, settings, guild, alice, channel):
    result = await did_you_mean(alice, channel)
    [label, *_] = button_labels(result.response)
    entry = suggested_entry(simcord_env, label)

    await simcord_env.restart_bot(create_bot(settings))  # a new process: no live view remembers the message

    bob = guild.add_member(simcord_env.create_user("bob"))
    theirs = await bob.click(result.response.message, label=label)
    assert theirs.ephemeral and theirs.response.embeds[0].title == entry.question
    assert button_labels(channel.last_message) == button_labels(result.response)  # the asker's stay

    mine = await alice.click(result.response.message, label=label)
    assert not mine.ephemeral and mine.response.embeds[0].title == entry.question
    assert "\u2014 " in text_of(mine.response) and not suggests(channel.last_message)  # related questions, if any


async def test_a_button_for_a_removed_entry_says_so(simcord_env, guild, alice, channel, knowledge_copy):
    result = await did_you_mean(alice, channel)
    [label, *_] = button_labels(result.response)
    gone = suggested_entry(simcord_env, label)
    data = yaml.safe_load(knowledge_copy.read_text(encoding="utf-8"))
    data["entries"] = [e for e in data["entries"] if e["id"] != gone.id]
    for entry in data["entries"]:
        entry["related"] = [r for r in entry.get("related", []) if r != gone.id]
    knowledge_copy.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    await simcord_env.bot.reload_knowledge()
    assert gone.id not in simcord_env.bot.matcher.knowledge.by_id

    clicked = await alice.click(result.response.message, label=label)
    assert clicked.ephemeral and clicked.response.content == ENTRY_GONE
    assert button_labels(channel.last_message)  # nothing answered, the other choices stay


async def test_a_failing_button_tells_the_user_and_logs_the_trace(simcord_env, alice, channel, monkeypatch,
                                                                   caplog):
    result = await did_you_mean(alice, channel)
    [label, *_] = button_labels(result.response)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "answer_reply", broken)
    with caplog.at_level(logging.ERROR, logger="bot.discord_bot.replies"):
        clicked = await alice.click(result.response.message, label=label)
    assert clicked.ephemeral and "something went wrong" in clicked.response.content
    assert any(record.exc_info and "boom" in str(record.exc_info[1]) for record in caplog.records)


async def test_a_failing_view_callback_tells_the_user(simcord_env, alice, channel, monkeypatch):
    result = await alice.slash(channel, "topics")

    def broken(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.TopicsView, "embed", broken)
    clicked = await alice.click(result.response.message, label="Next")
    assert clicked.ephemeral and "something went wrong" in clicked.response.content
    assert any("boom" in str(error) for error in simcord_env.errors)


async def test_suggestion_buttons_come_off_when_they_time_out(simcord_env, alice, channel):
    result = await did_you_mean(alice, channel)
    assert button_labels(result.response)
    await simcord_env.advance_time(views.VIEW_TIMEOUT + 1)
    assert not button_labels(channel.last_message)


async def test_a_time_out_after_the_asker_chose_leaves_the_answer_alone(simcord_env, alice, channel):
    result = await did_you_mean(alice, channel)
    [label, *_] = button_labels(result.response)
    await alice.click(result.response.message, label=label)
    requests = len(simcord_env.http_requests)
    await simcord_env.advance_time(views.VIEW_TIMEOUT + 1)
    assert "\u2014 " in text_of(channel.last_message)
    # only the answer's own related-question buttons come off; its text stays
    patches = [r for r in simcord_env.http_requests[requests:] if r.method == "PATCH"]
    assert all(r.json.get("components") == [] and "embeds" not in r.json for r in patches)
