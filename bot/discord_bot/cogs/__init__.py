"""Cogs, each loaded as an extension in `ArticleBot.setup_hook`."""
