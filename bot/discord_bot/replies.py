"""What the bot sends: an embed, or the same words as plain text where embeds are not allowed."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import discord
from discord import app_commands

from ..engine.formatting import (
    CONTESTED_NOTE,
    GREETING,
    NOT_SAID,
    NOT_SURE,
    OTHER_SIDE_NOTE,
    article_line,
    attribution,
    confidence_line,
)
from ..engine.knowledge import ArticleInfo, Source
from ..engine.matcher import Match
from ..engine.text import shorten
from . import limits

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
DISCORD_GREETING = f"{GREETING} Use /topics to see what I can answer."  # to chatter: "hi", "thanks", "lol"
COLOUR_ANSWER = discord.Colour.blue()
COLOUR_CONTESTED = discord.Colour.orange()
COLOUR_UNSURE = discord.Colour.light_grey()
ECHO_LIMIT = 200
MORE_SOURCES_ROOM = 100  # kept free for the "and N more sources" line or field
UNEXPECTED = "Sorry, something went wrong on my side. It has been logged; please try again."


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """User text shown back inert: one line, shortened, markdown and mentions escaped, and
    links, channel mentions, timestamps and emoji broken so that Discord renders none of them."""
    one_line = shorten(" ".join(text.split()), limit)
    inert = discord.utils.escape_markdown(one_line, ignore_links=False).replace("://", ":\u200b//")
    return discord.utils.escape_mentions(inert.replace("<", "<\u200b"))


def embeds_allowed(source: discord.Message | discord.Interaction) -> bool:
    """Whether the bot may send embeds where `source` happened: always in DMs, else with Embed Links."""
    if source.guild is None:
        return True
    if isinstance(source, discord.Interaction):
        return source.app_permissions.embed_links
    return source.channel.permissions_for(source.guild.me).embed_links


@dataclass(frozen=True)
class Reply:
    """One message's content: `embed` for channels that allow it, `text` for those that don't."""

    embed: discord.Embed
    text: str

    def kwargs(self, embeds_allowed: bool) -> dict:
        if embeds_allowed:
            return {"embed": self.embed, "allowed_mentions": NO_PINGS}
        return {"content": shorten(self.text, limits.MESSAGE), "allowed_mentions": NO_PINGS}


def answer_reply(match: Match, article: ArticleInfo, *, other: tuple[Source, ...] = (),
                 lead: str | None = None) -> Reply:
    """The reply to a question: an answer with its sources (and `other`, the other side of a
    contested point: see `formatting.other_side_of`), a "did you mean", or "doesn't say".
    A `lead` ("who said that?": `formatting.claim_lead`) takes the answer's place, first."""
    footer = f"{article_line(article)} · {confidence_line(match)}" if match.answered else article_line(article)
    if match.entry is not None:  # answered
        title = shorten(match.entry.question, limits.EMBED_TITLE)
        contested = match.entry.contested
        if lead is not None:
            description = lead
        else:
            description = (f"**Contested.** {CONTESTED_NOTE}\n\n" if contested else "") + (match.answer or "")
        embed = discord.Embed(title=title, description=shorten(description, limits.EMBED_DESCRIPTION),
                              colour=COLOUR_CONTESTED if contested else COLOUR_ANSWER)
        embed.set_footer(text=shorten(footer, limits.EMBED_FOOTER))
        quotes = [(shorten(source.claimant.name, limits.EMBED_FIELD_NAME),
                   shorten(f"> {discord.utils.escape_markdown(source.quote)}\n{attribution(source)}",
                           limits.EMBED_FIELD_VALUE))
                  for source in match.sources]
        quotes += [(shorten(f"{OTHER_SIDE_NOTE} {source.claimant.name}", limits.EMBED_FIELD_NAME),
                    shorten(f"> {discord.utils.escape_markdown(source.quote)}\n{attribution(source)}",
                            limits.EMBED_FIELD_VALUE))
                   for source in other]
        room = limits.EMBED_TOTAL - MORE_SOURCES_ROOM - len(embed)
        shown = 0
        for name, value in quotes[: limits.EMBED_FIELDS - 1]:  # one field kept for "more sources"
            if len(name) + len(value) > room:
                break
            embed.add_field(name=name, value=value, inline=False)
            room -= len(name) + len(value)
            shown += 1
        if shown < len(quotes):
            embed.add_field(name="\u2026", value=f"and {len(quotes) - shown} more sources", inline=False)
        text = [f"**{title}**", description]
        room = limits.MESSAGE - len(footer) - MORE_SOURCES_ROOM - sum(len(part) + 2 for part in text)
        for number, (_, value) in enumerate(quotes):
            if number == len(match.sources) and number < len(quotes):
                value = f"{OTHER_SIDE_NOTE}\n{value}"  # the other side starts here
            if len(value) + 2 > room:
                text.append(f"\u2026 and {len(quotes) - number} more sources")
                break
            text.append(value)
            room -= len(value) + 2
        text.append(f"-# {footer}")
        return Reply(embed, "\n\n".join(text))

    if match.unsure:
        title = NOT_SURE
        intro = f"I couldn't match \u201c{echo(match.question)}\u201d for certain."
    else:
        title = NOT_SAID
        intro = f"I found nothing in the article about \u201c{echo(match.question)}\u201d."
        if match.suggestions:
            intro += " Closest topics it does cover:"
    listed = "\n".join(f"{n}. {entry.question}" for n, entry in enumerate(match.suggestions, 1))
    description = "\n".join(part for part in (intro, listed) if part)
    embed = discord.Embed(title=title, description=description, colour=COLOUR_UNSURE)
    embed.set_footer(text=shorten(footer, limits.EMBED_FOOTER))
    return Reply(embed, f"**{title}**\n{description}")


def slow_down(retry_after: float) -> str:
    return f"Easy there \u2014 you can ask again in {max(1, math.ceil(retry_after))} s."


class Refused(app_commands.CheckFailure):
    """A check's refusal whose text is the message for the user (e.g. "only admins")."""


def _permissions(names: list[str]) -> str:
    """Discord's own names for permissions: 'embed_links' -> 'Embed Links'."""
    shown = [name.replace("_", " ").replace("guild", "server").title() for name in names]
    return ", ".join(shown) + (" permission" if len(shown) == 1 else " permissions")


def _role(role: int | str) -> str:
    return f"<@&{role}>" if isinstance(role, int) else f"\u201c{echo(role, 100)}\u201d"


def error_message(error: Exception) -> tuple[str, bool]:
    """Words for the user about an error, and whether it was an expected one (no trace logged).

    One message per kind of failed check, so nobody is told "only admins" for a cooldown.
    """
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, app_commands.CommandOnCooldown):
        return slow_down(error.retry_after), True
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command works in a server, not in DMs.", True
    if isinstance(error, app_commands.BotMissingPermissions):
        return (f"I need the {_permissions(error.missing_permissions)} in this channel for that; "
                "a server admin can grant it in the channel's settings."), True
    if isinstance(error, app_commands.MissingPermissions):
        return f"You need the {_permissions(error.missing_permissions)} to do that.", True
    if isinstance(error, app_commands.MissingRole):
        return f"You need the {_role(error.missing_role)} role to do that.", True
    if isinstance(error, app_commands.MissingAnyRole):
        return f"You need one of these roles to do that: {', '.join(map(_role, error.missing_roles))}.", True
    if isinstance(error, Refused):
        return str(error), True
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that command here.", True
    return UNEXPECTED, False


async def report_error(interaction: discord.Interaction, error: Exception, where: str) -> None:
    """Tell the user what went wrong, privately, and log the trace of anything unexpected.

    Shared by the command tree, every view and every persistent button, so that no failure
    ends in Discord's bare "This interaction failed".
    """
    message, expected = error_message(error)
    if not expected:
        log.error("error in %s", where, exc_info=error)
    send = interaction.followup.send if interaction.response.is_done() else interaction.response.send_message
    try:
        await send(message, ephemeral=True, allowed_mentions=NO_PINGS)
    except discord.HTTPException:
        log.warning("could not tell the user about an error in %s", where, exc_info=True)
