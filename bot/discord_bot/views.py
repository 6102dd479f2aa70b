"""Buttons: "did you mean" suggestions that survive restarts, and paging through the topics.

Persistent buttons are `discord.ui.DynamicItem`s: everything a click needs is in the button's
custom id, `palmyra:<kind>:<field>:<field>...` (for a suggestion,
`palmyra:suggest:<entry key>:<asker id>`), and `ArticleBot.setup_hook` registers every kind
in PERSISTENT_BUTTONS, so a button on a message sent before a restart or a /reload still works.
A new kind subclasses `PersistentButton` with `template=persistent_template(kind, ...)`, builds its
id with `persistent_id`, and is added to PERSISTENT_BUTTONS.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import re
import time
from typing import TYPE_CHECKING, Any, ClassVar

import discord

from ..engine.formatting import claim_lead, other_side_of
from ..engine.text import shorten
from . import limits
from .asking import QUESTION_ID, log_question, record_pick
from .replies import NO_PINGS, answer_reply, embeds_allowed, report_error

if TYPE_CHECKING:
    from ..engine.knowledge import ArticleInfo, Entry, Knowledge
    from ..engine.matcher import Match
    from .client import ArticleBot

VIEW_TIMEOUT = 600.0
TOPICS_PER_PAGE = 15
MAX_RELATED = 3  # related-question buttons under an answer
NAMESPACE = "palmyra"
USER_ID = r"[0-9]{1,20}"  # a snowflake: at most 20 digits (2**64 - 1)
# Entry ids are slugs (loader.ID_PATTERN) with no length limit; one longer than ENTRY_ID_MAX
# goes into a custom id as "~" and 16 hex digits of its hash. With ENTRY_ID_MAX at 30, two
# entry keys and a user id still fit one custom id (see test_views.py for the worst cases).
ENTRY_ID_MAX = 30
ENTRY_KEY = rf"[a-z0-9-]{{1,{ENTRY_ID_MAX}}}|~[0-9a-f]{{16}}"
ENTRY_GONE = "That topic is no longer in the knowledge file; ask your question again."


def entry_key(entry_id: str) -> str:
    """How an entry is named in a custom id: its id, or a hash of an id too long to fit."""
    if len(entry_id) <= ENTRY_ID_MAX:
        return entry_id
    return "~" + hashlib.blake2b(entry_id.encode(), digest_size=8).hexdigest()


_hashed_ids: tuple[Knowledge, dict[str, Entry]] | None = None


def find_entry(knowledge: Knowledge, key: str) -> Entry | None:
    """The entry a custom id names, in the knowledge loaded now (None if it was removed)."""
    if not key.startswith("~"):
        return knowledge.by_id.get(key)
    global _hashed_ids
    if _hashed_ids is None or _hashed_ids[0] is not knowledge:  # built once per loaded file
        _hashed_ids = knowledge, {entry_key(e.id): e for e in knowledge.entries if len(e.id) > ENTRY_ID_MAX}
    return _hashed_ids[1].get(key)


def persistent_template(kind: str, **fields: str) -> str:
    """The regular expression of a kind's custom ids: each field a named group."""
    return ":".join([NAMESPACE, kind, *(f"(?P<{name}>{pattern})" for name, pattern in fields.items())])


def persistent_id(kind: str, *values: str | int) -> str:
    """A custom id for a persistent button; refuses one longer than Discord allows."""
    custom_id = ":".join([NAMESPACE, kind, *map(str, values)])
    if len(custom_id) > limits.CUSTOM_ID:
        raise ValueError(f"custom id of {len(custom_id)} characters, more than {limits.CUSTOM_ID}: {custom_id!r}")
    return custom_id


class PersistentButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"{NAMESPACE}:(?!)"):
    """Base of every button that keeps working after a restart.

    discord.py only logs an exception from a dynamic item's callback, and the user sees
    "This interaction failed"; here `on_error` tells the user and logs the trace instead.
    Subclasses implement `clicked`; one that overrides `interaction_check` must answer the
    user itself before returning False (discord.py then drops the click silently).
    """

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await self.clicked(interaction)
        except Exception as error:
            await self.on_error(interaction, error)

    async def clicked(self, interaction: discord.Interaction[ArticleBot]) -> None:
        raise NotImplementedError

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report_error(interaction, error, f"button {self.custom_id}")


class SuggestButton(PersistentButton, template=persistent_template("suggest", entry=ENTRY_KEY, asker=USER_ID)
                    + rf"(?::(?P<question>{QUESTION_ID}))?"):
    """A "did you mean" choice: the asker's click turns the message into that answer,
    anyone else's click answers them privately and leaves the asker's buttons.

    With question logging on, the custom id ends with the logged question's id, so the
    click is recorded as "my question meant this entry" for the curator's report."""

    def __init__(self, key: str, asker_id: int, label: str, question_id: int | None = None) -> None:
        fields = (key, asker_id) if question_id is None else (key, asker_id, question_id)
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary,
                                           custom_id=persistent_id("suggest", *fields)))
        self.key = key
        self.asker_id = asker_id
        self.question_id = question_id

    @classmethod
    def suggesting(cls, number: int, entry: Entry, asker_id: int, question_id: int | None = None) -> SuggestButton:
        return cls(entry_key(entry.id), asker_id, shorten(f"{number}. {entry.question}", limits.BUTTON_LABEL),
                   question_id)

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str]) -> SuggestButton:
        label = getattr(item, "label", None) or "?"
        question = match["question"]
        return cls(match["entry"], int(match["asker"]), label, int(question) if question else None)

    async def clicked(self, interaction: discord.Interaction[ArticleBot]) -> None:
        await answer_in_place(interaction, self.key, self.asker_id, via="button", pick=True,
                              picked_for=self.question_id)


class RelatedButton(PersistentButton, template=persistent_template(
        "related", entry=ENTRY_KEY, answered=ENTRY_KEY, asker=USER_ID)):
    """A related question under an answer ("who disputes this?", "what happened next?").

    Like a "did you mean" choice: the asker's click turns the message into that answer (with
    its own related questions), anyone else's answers them privately. The id also names the
    answer it sits under, so a reply to that message is a follow-up to it even after a restart.
    """

    def __init__(self, key: str, answered: str, asker_id: int, label: str) -> None:
        super().__init__(discord.ui.Button(label=label, style=discord.ButtonStyle.secondary,
                                           custom_id=persistent_id("related", key, answered, asker_id)))
        self.key = key
        self.asker_id = asker_id

    @classmethod
    def asking(cls, entry: Entry, under: Entry, asker_id: int) -> RelatedButton:
        return cls(entry_key(entry.id), entry_key(under.id), asker_id, shorten(entry.question, limits.BUTTON_LABEL))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str]) -> RelatedButton:
        label = getattr(item, "label", None) or "?"
        return cls(match["entry"], match["answered"], int(match["asker"]), label)

    async def clicked(self, interaction: discord.Interaction[ArticleBot]) -> None:
        await answer_in_place(interaction, self.key, self.asker_id, via="related")


async def answer_in_place(interaction: discord.Interaction[ArticleBot], key: str, asker_id: int, *, via: str,
                          pick: bool = False, picked_for: int | None = None) -> None:
    """A button's entry answered: in the message itself for the asker (its buttons replaced by
    the new answer's related questions), privately for anyone else. Either way it becomes the
    clicker's context for a follow-up here. A "did you mean" click (`pick`) is also logged as the
    pick for the question it was offered under (`picked_for`, its question log id, if logged)."""
    started = time.perf_counter()
    matcher = interaction.client.matcher  # one knowledge for the whole answer
    entry = find_entry(matcher.knowledge, key)
    if entry is None:
        await interaction.response.send_message(ENTRY_GONE, ephemeral=True, allowed_mentions=NO_PINGS)
        log_question(via, None, started)
        return
    match = matcher.answer_entry(entry)
    if pick:
        record_pick(interaction.client.question_log, interaction, matcher, match, picked_for)
    in_place = interaction.message if interaction.user.id == asker_id else None  # the message, for the asker
    kwargs = answer_message(match, matcher.knowledge.article, asker_id, embeds_allowed(interaction),
                            knowledge=matcher.knowledge)
    view = kwargs.pop("view", None)
    if in_place is not None:
        LiveView.replaced(in_place.id)
        await interaction.response.edit_message(view=view, **kwargs)
        if view is not None:
            partial = getattr(interaction.channel, "get_partial_message", None)
            view.attach(partial(in_place.id) if partial and not in_place.flags.ephemeral else in_place)
    else:  # someone else's question: answer them privately, leave the asker's buttons
        await interaction.response.send_message(ephemeral=True, **kwargs)
    if interaction.channel_id is not None:
        interaction.client.contexts.remember(interaction.user.id, interaction.channel_id, entry,
                                             in_place.id if in_place is not None else None)
    log_question(via, match, started)


PERSISTENT_BUTTONS: tuple[type[PersistentButton], ...] = (SuggestButton, RelatedButton)


class ReportingView(discord.ui.View):
    """A view whose failing callbacks tell the user, rather than "This interaction failed"."""

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        await report_error(interaction, error, f"{type(self).__name__} {type(item).__name__}")


class ExpiringView(ReportingView):
    """A view that takes its buttons off the message when it times out."""

    def __init__(self) -> None:
        super().__init__(timeout=VIEW_TIMEOUT)
        self.message: discord.Message | discord.PartialMessage | None = None
        self.lasting: discord.ui.View | None = None  # what stays on the message after the time-out

    def attach(self, message: discord.Message | discord.PartialMessage) -> None:
        """The sent message, edited when the view times out."""
        self.message = message

    async def on_timeout(self) -> None:
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):  # deleted, or no longer reachable
                await self.message.edit(view=self.lasting)


class LiveView(ExpiringView):
    """The live side of persistent buttons: clicks are handled by the buttons themselves (they
    work with or without it); it only takes them off the message when they time out.

    The asker's click replaces the message's buttons; `replaced` stops the live view then,
    so its time-out never touches the answer the message became or its new buttons.
    """

    _live: ClassVar[dict[int, LiveView]] = {}  # by message id, until replaced or timed out

    def attach(self, message: discord.Message | discord.PartialMessage) -> None:
        super().attach(message)
        LiveView._live[message.id] = self

    @staticmethod
    def replaced(message_id: int) -> None:
        if view := LiveView._live.pop(message_id, None):
            view.stop()

    async def on_timeout(self) -> None:
        if self.message is not None and LiveView._live.get(self.message.id) is self:
            LiveView._live.pop(self.message.id, None)
        await super().on_timeout()


class SuggestionView(LiveView):
    """The buttons of a "did you mean" (SuggestButton)."""

    def __init__(self, suggestions: tuple[Entry, ...], asker_id: int, question_id: int | None = None) -> None:
        super().__init__()
        for number, entry in enumerate(suggestions, 1):
            self.add_item(SuggestButton.suggesting(number, entry, asker_id, question_id))


class RelatedView(LiveView):
    """The related-question buttons under an answer (RelatedButton)."""

    def __init__(self, related: list[Entry], under: Entry, asker_id: int) -> None:
        super().__init__()
        for entry in related[:MAX_RELATED]:
            self.add_item(RelatedButton.asking(entry, under, asker_id))


class PagedView(ExpiringView):
    """Pages of a list for the member who asked: only they can turn them (Previous / Next)."""

    refusal = "Run the command yourself to page through it."

    def __init__(self, title: str, items: list[str], owner_id: int, *, per_page: int, footer: str,
                 separator: str = "\n", empty: str = "Nothing yet.") -> None:
        super().__init__()
        self.title, self.items, self.owner_id, self.footer = title, items, owner_id, footer
        self.per_page, self.separator, self.empty = per_page, separator, empty
        self.page = 0
        self.pages = max(1, math.ceil(len(items) / per_page))
        self._sync_buttons()

    def embed(self) -> discord.Embed:
        shown = self.items[self.page * self.per_page:(self.page + 1) * self.per_page]
        embed = discord.Embed(title=shorten(self.title, limits.EMBED_TITLE), colour=discord.Colour.blue(),
                              description=shorten(self.separator.join(shown) or self.empty,
                                                  limits.EMBED_DESCRIPTION))
        embed.set_footer(text=shorten(f"Page {self.page + 1}/{self.pages} \u00b7 {self.footer}", limits.EMBED_FOOTER))
        return embed

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(self.refusal, ephemeral=True, allowed_mentions=NO_PINGS)
        return False

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.page = min(max(self.page + step, 0), self.pages - 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, 1)


class TopicsView(PagedView):
    """Pages of the questions the bot can answer."""

    refusal = "Run /topics yourself to page through them."

    def __init__(self, questions: list[str], owner_id: int, title: str) -> None:
        super().__init__(title, [f"{n}. {q}" for n, q in enumerate(questions, 1)], owner_id,
                         per_page=TOPICS_PER_PAGE, footer=f"{len(questions)} topics \u00b7 ask with /ask")

    def text(self) -> str:
        """Every topic as plain text, for channels where embeds are not allowed."""
        lines = [f"**{self.title}**"]
        for number, line in enumerate(self.items, 1):
            if sum(len(x) + 1 for x in lines) + len(line) > limits.MESSAGE - 50:  # room for "… and N more"
                lines.append(f"\u2026 and {len(self.items) - number + 1} more")
                break
            lines.append(line)
        return shorten("\n".join(lines), limits.MESSAGE)


def answer_message(match: Match, article: ArticleInfo, asker_id: int, embeds: bool, *,
                   knowledge: Knowledge | None = None, question_id: int | None = None,
                   asks: str | None = None) -> dict:
    """Keyword arguments for sending an answer, with "did you mean" buttons when there are suggestions.

    With the `knowledge` it came from, an answer also shows the other side of a contested point
    and gets buttons for its related questions; `asks` (a follow-up's `Resolved.asks`: "who said
    that?", "is that true?") puts who made the claim first, instead of the answer again. The
    caller passes the sent message to `kwargs["view"].attach` so the buttons come off at time-out.
    """
    other = other_side_of(match, knowledge) if knowledge is not None else ()
    lead = claim_lead(match, knowledge, asks) if knowledge is not None and asks is not None else None
    kwargs = answer_reply(match, article, other=other, lead=lead).kwargs(embeds)
    if not match.answered and match.suggestions:
        kwargs["view"] = SuggestionView(match.suggestions, asker_id, question_id)
    elif knowledge is not None and match.entry is not None:
        related = [entry for i in match.entry.related if (entry := knowledge.by_id.get(i)) is not None]
        if related:
            kwargs["view"] = RelatedView(related, match.entry, asker_id)
    return kwargs
