"""What the bot sends: an embed, or the same words as plain text where embeds are not allowed."""

from __future__ import annotations

import math
from dataclasses import dataclass

import discord
from discord import app_commands

from ..engine.formatting import CONTESTED_NOTE, NOT_SAID, article_line, attribution, confidence_line
from ..engine.knowledge import ArticleInfo
from ..engine.matcher import Match

NO_PINGS = discord.AllowedMentions.none()
COLOUR_ANSWER = discord.Colour.blue()
COLOUR_CONTESTED = discord.Colour.orange()
COLOUR_UNSURE = discord.Colour.light_grey()
ECHO_LIMIT = 200
EMBED_LIMIT = 6000 - 100  # Discord's cap on an embed, less room for the "more sources" field
MESSAGE_LIMIT = 2000
UNEXPECTED = "Sorry, something went wrong on my side. It has been logged; please try again."


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """User text shown back inert: one line, shortened, markdown and mentions escaped, and
    links, channel mentions, timestamps and emoji broken so that Discord renders none of them."""
    one_line = " ".join(text.split())
    if len(one_line) > limit:
        one_line = one_line[: limit - 1] + "…"
    inert = discord.utils.escape_markdown(one_line, ignore_links=False).replace("://", ":\u200b//")
    return discord.utils.escape_mentions(inert.replace("<", "<\u200b"))


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Reply:
    """One message's content: `embed` for channels that allow it, `text` for those that don't."""

    embed: discord.Embed
    text: str

    def kwargs(self, embeds_allowed: bool) -> dict:
        if embeds_allowed:
            return {"embed": self.embed, "allowed_mentions": NO_PINGS}
        return {"content": clip(self.text, MESSAGE_LIMIT), "allowed_mentions": NO_PINGS}


def answer_reply(match: Match, article: ArticleInfo) -> Reply:
    """The reply to a question: an answer with its sources, a "did you mean", or "doesn't say"."""
    footer = f"{article_line(article)} · {confidence_line(match)}" if match.answered else article_line(article)
    if match.entry is not None:  # answered
        title = clip(match.entry.question, 256)
        contested = match.entry.contested
        description = (f"**Contested.** {CONTESTED_NOTE}\n\n" if contested else "") + (match.answer or "")
        embed = discord.Embed(title=title, description=clip(description, 4096),
                              colour=COLOUR_CONTESTED if contested else COLOUR_ANSWER)
        embed.set_footer(text=clip(footer, 2048))
        quotes = [(clip(source.claimant.name, 256),
                   clip(f"> {discord.utils.escape_markdown(source.quote)}\n{attribution(source)}", 1024))
                  for source in match.sources]
        # Discord caps an embed at 6,000 characters and 25 fields, a message at 2,000
        room = EMBED_LIMIT - len(embed)
        shown = 0
        for name, value in quotes[:24]:
            if len(name) + len(value) > room:
                break
            embed.add_field(name=name, value=value, inline=False)
            room -= len(name) + len(value)
            shown += 1
        if shown < len(quotes):
            embed.add_field(name="\u2026", value=f"and {len(quotes) - shown} more sources", inline=False)
        text = [f"**{title}**", description]
        room = MESSAGE_LIMIT - len(footer) - 100 - sum(len(part) + 2 for part in text)
        for number, (_, value) in enumerate(quotes):
            if len(value) + 2 > room:
                text.append(f"\u2026 and {len(quotes) - number} more sources")
                break
            text.append(value)
            room -= len(value) + 2
        text.append(f"-# {footer}")
        return Reply(embed, "\n\n".join(text))

    if match.unsure:
        title = "I'm not sure \u2014 did you mean\u2026"
        intro = f"I couldn't match \u201c{echo(match.question)}\u201d for certain."
    else:
        title = NOT_SAID
        intro = f"I found nothing in the article about \u201c{echo(match.question)}\u201d."
        if match.suggestions:
            intro += " Closest topics it does cover:"
    listed = "\n".join(f"{n}. {entry.question}" for n, entry in enumerate(match.suggestions, 1))
    description = "\n".join(part for part in (intro, listed) if part)
    embed = discord.Embed(title=title, description=description, colour=COLOUR_UNSURE)
    embed.set_footer(text=clip(footer, 2048))
    return Reply(embed, f"**{title}**\n{description}")


def slow_down(retry_after: float) -> str:
    return f"Easy there \u2014 you can ask again in {max(1, math.ceil(retry_after))} s."


def error_message(error: Exception) -> tuple[str, bool]:
    """Words for the user about an error, and whether it was an expected one (no trace logged)."""
    if isinstance(error, app_commands.CommandOnCooldown):
        return slow_down(error.retry_after), True
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command works in a server, not in DMs.", True
    if isinstance(error, app_commands.CheckFailure):
        return "Only the server's admins (or members with a bot-admin role) can do that.", True
    return UNEXPECTED, False
