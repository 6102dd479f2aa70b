"""Buttons: "did you mean" suggestions, and paging through the topics."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import discord

from .replies import NO_PINGS, answer_reply

if TYPE_CHECKING:
    from .client import ArticleBot
    from ..engine.knowledge import ArticleInfo, Entry
    from ..engine.matcher import Match

VIEW_TIMEOUT = 600.0
TOPICS_PER_PAGE = 15


def embeds_allowed(interaction: discord.Interaction) -> bool:
    return interaction.guild is None or interaction.app_permissions.embed_links


class ExpiringView(discord.ui.View):
    """A view that takes its buttons off the message when it times out."""

    def __init__(self) -> None:
        super().__init__(timeout=VIEW_TIMEOUT)
        self.message: discord.Message | discord.PartialMessage | None = None

    async def on_timeout(self) -> None:
        if self.message is not None:
            try:
                await self.message.edit(view=None)
            except discord.HTTPException:
                pass


class SuggestionButton(discord.ui.Button["SuggestionView"]):
    def __init__(self, number: int, entry: Entry) -> None:
        label = f"{number}. {entry.question}"
        super().__init__(label=label if len(label) <= 80 else label[:79] + "…", style=discord.ButtonStyle.secondary)
        self.entry_id = entry.id

    async def callback(self, interaction: discord.Interaction[ArticleBot]) -> None:
        matcher = interaction.client.matcher
        entry = matcher.knowledge.by_id.get(self.entry_id)
        if entry is None:
            await interaction.response.send_message(
                "That topic is no longer in the knowledge file; ask again.", ephemeral=True, allowed_mentions=NO_PINGS
            )
            return
        reply = answer_reply(matcher.answer_entry(entry), matcher.knowledge.article)
        view = self.view
        if view is not None and interaction.user.id == view.asker_id:
            view.stop()
            await interaction.response.edit_message(view=None, **reply.kwargs(embeds_allowed(interaction)))
        else:  # someone else's question: answer them privately, leave the asker's buttons
            await interaction.response.send_message(ephemeral=True, **reply.kwargs(embeds_allowed(interaction)))


class SuggestionView(ExpiringView):
    """One button per suggestion; the asker's click turns the message into that answer."""

    def __init__(self, suggestions: tuple[Entry, ...], asker_id: int) -> None:
        super().__init__()
        self.asker_id = asker_id
        for number, entry in enumerate(suggestions, 1):
            self.add_item(SuggestionButton(number, entry))


class TopicsView(ExpiringView):
    """Pages of the questions the bot can answer; only the member who asked can turn them."""

    def __init__(self, questions: list[str], owner_id: int, title: str) -> None:
        super().__init__()
        self.questions = questions
        self.owner_id = owner_id
        self.title = title
        self.page = 0
        self.pages = max(1, math.ceil(len(questions) / TOPICS_PER_PAGE))
        self._sync_buttons()

    def embed(self) -> discord.Embed:
        start = self.page * TOPICS_PER_PAGE
        lines = [f"{n}. {q}" for n, q in enumerate(self.questions[start:start + TOPICS_PER_PAGE], start + 1)]
        embed = discord.Embed(title=self.title, description="\n".join(lines), colour=discord.Colour.blue())
        embed.set_footer(text=f"Page {self.page + 1}/{self.pages} · {len(self.questions)} topics · ask with /ask")
        return embed

    def text(self) -> str:
        """Every topic as plain text, for channels where embeds are not allowed."""
        lines = [f"**{self.title}**"]
        for number, question in enumerate(self.questions, 1):
            line = f"{number}. {question}"
            if sum(len(x) + 1 for x in lines) + len(line) > 1950:
                lines.append(f"… and {len(self.questions) - number + 1} more")
                break
            lines.append(line)
        return "\n".join(lines)

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= self.pages - 1

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message("Run /topics yourself to page through them.", ephemeral=True)
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


def answer_message(match: Match, article: ArticleInfo, asker_id: int, embeds: bool) -> dict:
    """Keyword arguments for sending an answer, with "did you mean" buttons when there are suggestions."""
    kwargs = answer_reply(match, article).kwargs(embeds)
    if not match.answered and match.suggestions:
        kwargs["view"] = SuggestionView(match.suggestions, asker_id)
    return kwargs
