"""The Discord layer: the bot class, its cogs, views and reply rendering. No matching logic here."""

from .client import ArticleBot, ShardedArticleBot, create_bot
from .lifecycle import run_bot

__all__ = ["ArticleBot", "ShardedArticleBot", "create_bot", "run_bot"]
