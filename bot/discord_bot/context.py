"""What a follow-up leans on in Discord: each user's last answer in each place, bounded in memory.

The context for a question is the last entry answered for that user in that
place (a channel, a thread, a DM), for CONTEXT_MINUTES; a reply to one of the
bot's answers always means that answer, however old. A question that got no
answer ends the context there: "who said that" after it has no "that". Users are kept in an LRU
(MAX_USERS, each with at most MAX_PLACES places) and answered messages in
another (MAX_MESSAGES), so memory stays bounded however many people ask.
Timed with the monotonic clock: a wall-clock jump never revives a context.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from dataclasses import dataclass

import discord

from ..engine.conversation import Conversation, Resolved
from ..engine.knowledge import Entry, Knowledge
from ..engine.matcher import Matcher
from .views import find_entry

MAX_USERS = 10_000
MAX_PLACES = 16  # per user: the channels and threads they talk to the bot in
MAX_MESSAGES = 10_000  # the bot's answers a reply can point at, newest kept
# the answer's own entry, carried by each related-question button (see views.RelatedButton)
_ANSWERED_IN_ID = re.compile(r"^palmyra:related:[^:]+:(?P<answered>[^:]+):")


@dataclass(frozen=True, slots=True)
class Remembered:
    entry_id: str
    at: float  # time.monotonic()


class ContextStore:
    """Last answers by user and place, and by the message that carried them."""

    def __init__(self, minutes: float) -> None:
        self.lifetime = minutes * 60
        self._users: OrderedDict[int, OrderedDict[int, Remembered]] = OrderedDict()
        self._messages: OrderedDict[int, str] = OrderedDict()
        # one Conversation per loaded knowledge, for the matcher in use and the one a /reload brings
        self._conversations: OrderedDict[int, Conversation] = OrderedDict()

    def prepare(self, matcher: Matcher) -> Conversation:
        """Build the Conversation for `matcher` here (it indexes the knowledge: about a second for
        10,000 entries, so a /reload has its loader process build it and `adopt`s that)."""
        return self.adopt(Conversation(matcher))

    def adopt(self, conversation: Conversation) -> Conversation:
        """Keep a Conversation built elsewhere (a /reload's loader process) for its matcher."""
        self._conversations[id(conversation.matcher)] = conversation
        while len(self._conversations) > 2:
            self._conversations.popitem(last=False)
        return conversation

    def conversation(self, matcher: Matcher) -> Conversation:
        """The Conversation for `matcher`, built now if neither `prepare` nor `adopt` gave one."""
        found = self._conversations.get(id(matcher))
        return found if found is not None and found.matcher is matcher else self.prepare(matcher)

    def remember(self, user_id: int, place_id: int, entry: Entry | None, message_id: int | None = None) -> None:
        """`entry` was just answered for this user here (in `message_id`, if it is a message of its own);
        None: their question got no answer, so a "that" after it must not mean the answer before it."""
        if entry is None:
            if (known := self._users.get(user_id)) is not None:
                known.pop(place_id, None)
            return
        places = self._users.pop(user_id, None) or OrderedDict()
        places.pop(place_id, None)
        places[place_id] = Remembered(entry.id, time.monotonic())
        while len(places) > MAX_PLACES:
            places.popitem(last=False)
        self._users[user_id] = places
        while len(self._users) > MAX_USERS:
            self._users.popitem(last=False)
        if message_id is not None:
            self._messages.pop(message_id, None)
            self._messages[message_id] = entry.id
            while len(self._messages) > MAX_MESSAGES:
                self._messages.popitem(last=False)

    def last(self, user_id: int, place_id: int) -> str | None:
        """The entry id this user was last answered here, unless that was more than the lifetime ago."""
        places = self._users.get(user_id)
        remembered = places.get(place_id) if places is not None else None
        if remembered is None or time.monotonic() - remembered.at > self.lifetime:
            return None
        self._users.move_to_end(user_id)
        return remembered.entry_id

    def answered_in(self, message: discord.Message, knowledge: Knowledge) -> str | None:
        """The entry a bot message answered (an id, or a button's entry key): remembered; else named
        in its related-question buttons or its title, which outlive a restart and a time-out."""
        if (entry_id := self._messages.get(message.id)) is not None:
            return entry_id
        for row in message.components:
            for child in getattr(row, "children", ()):
                if found := _ANSWERED_IN_ID.match(getattr(child, "custom_id", None) or ""):
                    return found["answered"]
        titles = [embed.title for embed in message.embeds if embed.title]
        if message.content.startswith("**"):  # a plain-text answer opens with its question in bold
            titles.append(message.content[2:].split("**", 1)[0])
        questions = {entry.question: entry.id for entry in knowledge.entries}
        return next((questions[title] for title in titles if title in questions), None)

    def __len__(self) -> int:
        return len(self._users)


async def resolve(store: ContextStore, matcher: Matcher, question: str, previous_key: str | None) -> Resolved:
    """Answer `question`, leaning on the entry `previous_key` names when the question leans on it.

    On the event loop, one match per step: a follow-up on a large knowledge file may try several
    readings, a few milliseconds each, and other replies run between them. (Not in a worker
    thread: it would share the interpreter lock with the loop and stretch every step of it.)
    The Conversation keeps to one matcher throughout, so a /reload meanwhile doesn't mix files."""
    previous = find_entry(matcher.knowledge, previous_key) if previous_key else None
    steps = store.conversation(matcher).steps(question, previous)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value
        await asyncio.sleep(0)
