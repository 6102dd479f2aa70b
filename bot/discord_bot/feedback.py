"""Feedback under an answer: *Helpful* and *Not right*, persistent buttons that survive restarts.

A vote is recorded for a curator to read (/feedback, `python -m bot report`); it never
changes an answer, so a brigade of votes can't rewrite what the article says. One vote
a user an answer: a second click replaces the first.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from ..learning.question_log import HELPFUL, NOT_RIGHT
from .asking import QUESTION_ID
from .replies import NO_PINGS
from .views import ExpiringView, PersistentButton, ReportingView, persistent_id, persistent_template

if TYPE_CHECKING:
    from ..engine.matcher import Match
    from .client import ArticleBot

VOTE_ROW = 1  # under the related-question buttons, which take row 0
LABELS = {HELPFUL: "Helpful", NOT_RIGHT: "Not right"}
THANKS = {HELPFUL: "Thanks \u2014 noted as helpful.",
          NOT_RIGHT: "Thanks \u2014 noted as not right. A curator reads these; the answer itself doesn't change."}
NOT_RECORDING = "Thanks \u2014 but feedback isn't being recorded on this bot right now."


class VoteButton(PersistentButton,
                 template=persistent_template("vote", vote="helpful|not-right", question=QUESTION_ID)):
    """`palmyra:vote:<helpful|not-right>:<question id>`: everything a vote needs, in its custom id."""

    def __init__(self, vote: str, question_id: int) -> None:
        style = discord.ButtonStyle.success if vote == HELPFUL else discord.ButtonStyle.secondary
        super().__init__(discord.ui.Button(label=LABELS[vote], style=style, row=VOTE_ROW,
                                           custom_id=persistent_id("vote", vote, question_id)))
        self.vote = vote
        self.question_id = question_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item[Any],
                             match: re.Match[str]) -> VoteButton:
        return cls(match["vote"], int(match["question"]))

    async def clicked(self, interaction: discord.Interaction[ArticleBot]) -> None:
        question_log = interaction.client.question_log
        recorded = question_log is not None and question_log.vote(self.question_id, interaction.user.id, self.vote)
        await interaction.response.send_message(
            THANKS[self.vote] + " Click the other button to change your vote." if recorded else NOT_RECORDING,
            ephemeral=True, allowed_mentions=NO_PINGS)


class FeedbackView(ReportingView):
    """The two vote buttons. Never stored by discord.py (only dynamic items), so no time-out is needed."""

    def __init__(self, question_id: int) -> None:
        super().__init__(timeout=None)
        for button in vote_buttons(question_id):
            self.add_item(button)


def vote_buttons(question_id: int) -> list[VoteButton]:
    return [VoteButton(HELPFUL, question_id), VoteButton(NOT_RIGHT, question_id)]


def with_feedback(kwargs: dict, match: Match, question_id: int | None) -> dict:
    """An answer's message keywords, with the vote buttons when it is an answer the log knows.

    Under related-question buttons the votes share their message; when those time out and
    come off, the votes stay (the view's `lasting` view), since they never expire."""
    if not match.answered or question_id is None:
        return kwargs
    view = kwargs.get("view")
    if view is None:
        kwargs["view"] = FeedbackView(question_id)
    elif isinstance(view, ExpiringView):
        for button in vote_buttons(question_id):
            view.add_item(button)
        view.lasting = FeedbackView(question_id)
    return kwargs
