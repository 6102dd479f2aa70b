"""Learning from the people who ask: the question log, the curator's report, and `learn`.

No Discord here: the bot, the console and the CLI all use the same log and report.
"""
