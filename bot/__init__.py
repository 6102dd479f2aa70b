"""A bot that answers questions about one news article, quoting the article and who said it.

The engine (`loader`, `matcher`, `formatting`) knows nothing about Discord;
`create_bot` is imported lazily so the console tools don't load discord.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .discord_bot import ArticleBot, create_bot

__all__ = ["ArticleBot", "create_bot"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import discord_bot

        return getattr(discord_bot, name)
    raise AttributeError(name)
